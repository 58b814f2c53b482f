#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include <schemagate/migration/migration.hpp>

namespace schemagate::migration {

// A problem in a migration file, already formatted as "path:line: what to do".
struct Diagnostic {
    std::string message;
};

// Whether a parsed migration keeps its file's text in memory or reads it again when its SQL is
// needed (see Migration::sql).
enum class KeepText { in_memory, on_disk };

// Parses one migration file's text. `path` is used for the default id and message and in
// diagnostics. Returns every problem found, not just the first.
tl::expected<Migration, std::vector<Diagnostic>>
parse_migration(FilePath path, std::string_view text, KeepText keep = KeepText::in_memory);

// Revision ids that name targets and so cannot be used as ids.
bool is_reserved_id(std::string_view id);
// Whether `id` is a valid revision id: letters, digits, '.', '-' and '_', not reserved.
bool is_valid_id(std::string_view id);

} // namespace schemagate::migration
