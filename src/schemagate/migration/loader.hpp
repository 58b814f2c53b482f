#pragma once

#include <filesystem>
#include <vector>

#include <schemagate/migration/migration.hpp>

namespace schemagate::migration {

// Reads every `*.sql` file directly inside each directory, in file-name order. Names starting
// with '.' are skipped and symlinks are followed, so a ConfigMap mounted as a directory (with
// its ..data link and timestamped folder) yields each file once.
// The migrations leave their SQL on disk: Migration::sql reads it again when a step needs it.
// Throws UsageError for a missing or unreadable directory, and IntegrityError listing every bad
// file, including each entry that looks like a migration but cannot be read as one: a file that
// cannot be read, a directory, FIFO, dangling symlink or symlink loop named "*.sql", or a name
// ending in ".SQL" (any case but ".sql").
std::vector<Migration> load_migrations(const std::vector<std::filesystem::path>& dirs);

} // namespace schemagate::migration
