#pragma once

#include <string>
#include <vector>

#include <schemagate/app/context.hpp>
#include <schemagate/migration/graph.hpp>
#include <schemagate/migration/target.hpp>
#include <schemagate/store/store.hpp>
#include <schemagate/util/error.hpp>

namespace schemagate::app {

// `status TARGET`: the history, what is pending against TARGET, and what is wrong.
struct StatusReport {
    migration::RevisionGraph graph;
    std::vector<store::AppliedRevision> history; // every column, in the order applied
    std::vector<std::string> pending;            // in the order an upgrade would apply them
    std::vector<std::string> problems;
    bool at_target() const { return pending.empty() && problems.empty(); }
    // integrity (4) on a problem, not_at_target (6) with revisions pending, else success.
    ExitCode exit_code() const;
};
StatusReport status(const Context& ctx, const migration::Target& target);

// `validate`: the history checked against the files, and INVALID indexes.
struct ValidateReport {
    std::vector<std::string> problems;
    std::vector<std::string> notes; // what is fine but worth knowing
    bool valid() const { return problems.empty(); }
};
ValidateReport validate(const Context& ctx);

// `current`: the revisions the database is at.
struct CurrentReport {
    migration::RevisionGraph graph;
    // The current heads, then applied revisions that no file declares.
    std::vector<std::string> revisions;
};
CurrentReport current(const Context& ctx);

} // namespace schemagate::app
