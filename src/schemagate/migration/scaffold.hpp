#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <schemagate/migration/graph.hpp>

namespace schemagate::migration {

// The id for a new revision: when every existing id is a zero-padded number, the next number
// at the same width ("007" after "006"); otherwise 12 random hex digits, as Alembic does.
std::string next_revision_id(const RevisionGraph& graph);

// The text of a new migration file with the given parents (empty: base).
// `merge` files get empty sections, which join branches without running SQL.
std::string render_migration(const std::string& id, const std::vector<std::string>& parents,
                             const std::string& message);

// Writes `<dir>/<id>_<slug>.sql` and returns its path. Throws UsageError if the id is invalid
// (see is_valid_id) or already used, or the file exists or cannot be written.
std::filesystem::path write_migration(const std::filesystem::path& dir, const RevisionGraph& graph,
                                      const std::string& id,
                                      const std::vector<std::string>& parents,
                                      const std::string& message);

} // namespace schemagate::migration
