#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <schemagate/migration/migration.hpp>
#include <schemagate/migration/sql_splitter.hpp>

namespace schemagate::lint {

enum class Severity { warning, error };

std::string_view to_string(Severity s);

// Whether `-- lint-disable:` may switch a rule off.
enum class Disable { allowed, never };

struct Rule {
    std::string_view id; // stable: "SG101"; never renumbered, only added
    Severity severity;
    Disable disable;
    std::string_view summary; // one line, for --help and the README
};

// Every rule, in id order.
const std::vector<Rule>& rules();
// The rule with this id (case-insensitive), or nullptr.
const Rule* find_rule(std::string_view id);

// One problem in one statement. `line` is the file line of the statement's first token, or 0
// when the finding is about the whole file (an unknown rule in `-- lint-disable`).
struct Finding {
    std::string rule;
    Severity severity = Severity::error;
    std::string revision;
    std::string file;
    std::size_t line = 0;
    std::string section; // "up", "down", or "" for the file's directives
    std::string message; // lowercase, no trailing period
    std::string hint;    // what to do instead, one line
};

// "path:line: SG101 error: message (hint)".
std::string format(const Finding& f);

// Lints one revision. The up section is checked against every rule; the down section only
// against SG107 (statements that cannot run in a transaction), SG108 and SG109, because undoing a
// revision drops and renames by nature and downgrades are run by hand, not on every deploy.
// Rules named in the file's `-- lint-disable` are left out. Pure: reads nothing.
std::vector<Finding> lint_migration(const migration::Migration& m);

// Lints each revision in the given order and concatenates the findings.
std::vector<Finding> lint_migrations(const std::vector<const migration::Migration*>& migrations);

// Whether a statement's lock waits hold up no application query: the CONCURRENTLY forms
// (CREATE/DROP/REINDEX INDEX, REFRESH MATERIALIZED VIEW, DETACH PARTITION), which take at most
// a SHARE UPDATE EXCLUSIVE lock and then wait for older transactions to end.
bool waits_without_blocking(std::string_view statement);

// The index a CREATE or DROP INDEX CONCURRENTLY statement names, if it names one.
std::optional<migration::ConcurrentIndex> concurrent_index(std::string_view statement);

std::size_t count(const std::vector<Finding>& findings, Severity severity);

} // namespace schemagate::lint
