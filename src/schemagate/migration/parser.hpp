#pragma once

#include <cstddef>
#include <optional>
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

// Parses one migration file's text, and checks all of it: UTF-8 without NUL bytes (a leading
// byte-order mark is skipped), the header's directives, and both sections, which must split
// into statements and hold no directive. `path` is used for the default id and message and in
// diagnostics. Returns every problem found, not just the first (only the first encoding
// problem: the rest of such a file is noise).
tl::expected<Migration, std::vector<Diagnostic>>
parse_migration(FilePath path, std::string_view text, KeepText keep = KeepText::in_memory);

// The longest revision id, in bytes (ids are ASCII): it must fit a file name with its slug, and
// a row of the history table's index.
constexpr std::size_t k_max_id_size = 128;

// Revision ids that name targets and so cannot be used as ids.
bool is_reserved_id(std::string_view id);
// Whether `id` is a valid revision id: letters, digits, '.', '-' and '_', starting with a
// letter or digit, at most k_max_id_size long, not reserved.
bool is_valid_id(std::string_view id);
// "invalid revision id 'ID'; what to do", or nothing when `id` is valid. `what` names the id in
// the message ("revision id", "--rev-id", "parent"); a long id is shown shortened.
std::optional<std::string> invalid_id(std::string_view what, std::string_view id);

} // namespace schemagate::migration
