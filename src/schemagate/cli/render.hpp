#pragma once

#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <schemagate/migration/graph.hpp>
#include <schemagate/store/store.hpp>

namespace schemagate::cli {

// Alembic-style one-liner: "004, 005 -> 006 (mergepoint), merge branches".
std::string history_line(const migration::RevisionGraph& graph, const migration::Migration& m);
// The multi-line description `history --verbose` and `show` print.
void print_verbose(std::ostream& out, const migration::RevisionGraph& graph,
                   const migration::Migration& m);
nlohmann::json revision_json(const migration::RevisionGraph& graph, const migration::Migration& m);
nlohmann::json applied_json(const store::AppliedRevision& row);

// `value` as JSON text (`indent` as nlohmann::json::dump takes it): every JSON writer goes
// through here, so that a byte that is not UTF-8 (a Latin-1 path, a message read back from a
// SQL_ASCII database) becomes U+FFFD instead of an exception that loses the real outcome.
std::string json_text(const nlohmann::json& value, int indent = -1);

} // namespace schemagate::cli
