#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <schemagate/app/context.hpp>
#include <schemagate/lint/lint.hpp>
#include <schemagate/migration/graph.hpp>
#include <schemagate/migration/target.hpp>

namespace schemagate::app {

// What lint found in the revisions an upgrade would apply.
struct LintReport {
    std::vector<std::string> revisions; // linted, in order
    std::vector<lint::Finding> findings;
    std::size_t errors = 0;
    std::size_t warnings = 0;
};

// Lints what `upgrade TARGET` would apply on top of `applied`.
LintReport lint_pending(const migration::RevisionGraph& graph,
                        const migration::RevisionSet& applied, const migration::Target& target);

// Which revisions `lint` looks at: those pending in the database, or all of them (no database).
enum class LintScope { pending, all };

// The `lint` command: lints what `upgrade TARGET` would apply (scope pending; the database is
// read) or every revision up to TARGET (scope all). Throws DatabaseUnreachable (saying how to
// lint without a database) and what the planner throws.
LintReport lint(const Context& ctx, const migration::Target& target, LintScope scope);

// Lints what `upgrade TARGET` would apply on top of `applied`, logs every finding, and throws
// IntegrityError (exit 4), starting with `refusal`, when one is an error. Used by
// `upgrade --lint` and `upgrade --sql --lint`.
void refuse_on_lint_errors(const migration::RevisionGraph& graph,
                           const migration::RevisionSet& applied, const migration::Target& target,
                           const std::string& refusal);

} // namespace schemagate::app
