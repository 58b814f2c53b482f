#pragma once

#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <schemagate/migration/graph.hpp>
#include <schemagate/util/json_text.hpp>

namespace schemagate::store {
struct AppliedRevision;
}

namespace schemagate::cli {

// Alembic-style one-liner: "004, 005 -> 006 (mergepoint), merge branches".
std::string history_line(const migration::RevisionGraph& graph, const migration::Migration& m);
// The multi-line description `history --verbose` and `show` print.
void print_verbose(std::ostream& out, const migration::RevisionGraph& graph,
                   const migration::Migration& m);
nlohmann::json revision_json(const migration::RevisionGraph& graph, const migration::Migration& m);
nlohmann::json applied_json(const store::AppliedRevision& row);

using util::json_text;

} // namespace schemagate::cli
