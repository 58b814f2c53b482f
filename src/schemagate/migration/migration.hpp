#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <schemagate/util/duration.hpp>

namespace schemagate::migration {

enum class TransactionMode { per_section, none };

// A migration file's path: its directory as given joined with its name. One string, where a
// std::filesystem::path would also keep each component, which costs more than the rest of the
// migration.
class FilePath {
public:
    FilePath() = default;
    FilePath(std::string path) : m_path(std::move(path)) {}
    FilePath(std::string_view path) : m_path(path) {}
    FilePath(const char* path) : m_path(path) {}
    FilePath(const std::filesystem::path& path) : m_path(path.string()) {}

    const std::string& string() const { return m_path; }
    // What follows the last '/', as std::filesystem::path::filename() and stem() give it.
    std::string_view filename() const;
    std::string_view stem() const;

    friend bool operator==(const FilePath&, const FilePath&) = default;
    friend std::ostream& operator<<(std::ostream& out, const FilePath& path);

private:
    std::string m_path;
};

// Where the SQL under one marker is in its file. `first_line` is the file line of the marker
// itself, so the section's line n is file line first_line + n.
struct Section {
    std::size_t first_line = 0;
    std::uint32_t offset = 0; // where the line after the marker starts, in bytes
    std::uint32_t size = 0;   // up to the next marker or the end of the file
};

// One revision, as read from its file.
struct Migration {
    std::string id;
    std::vector<std::string> parents; // empty for a root ("parents: base")
    std::string message;
    FilePath path;
    TransactionMode transaction = TransactionMode::per_section;
    Section up;
    std::optional<Section> down; // absent: irreversible
    std::string checksum;        // SHA-256 of the up section, see checksum_of()
    std::size_t parents_line = 0;
    std::size_t revision_line = 0;
    // Per-file overrides of --ddl-lock-timeout and --statement-timeout.
    std::optional<util::Millis> lock_timeout;
    std::optional<util::Millis> statement_timeout;
    // Lint rule ids switched off for this file ("-- lint-disable: SG101, SG104").
    std::vector<std::string> lint_disable;

    bool reversible() const { return down.has_value(); }
    bool is_merge() const { return parents.size() > 1; }
    // "path:line" for messages about this file.
    std::string where(std::size_t line) const;

    // The SQL of `section`, which must be this migration's `up` or `*down`, always as the file
    // was when loaded: cut from the text held in memory, or read again from `path` when the
    // text was left on disk (the file read last is kept, per thread, for its other section).
    // Throws IntegrityError naming the file when it changed or went away since it was loaded.
    std::string sql(const Section& section) const;
    // As sql(), but nothing when the file changed or went away: for messages that can do
    // without it, in a process that may outlive an edit (serve, wait).
    std::optional<std::string> try_sql(const Section& section) const;

    // Keeps the whole file `text` in memory for sql(), as parse_migration does.
    void hold_text(std::string_view text);
    // Keeps only the size and a hash of `text`, which sql() reads again from `path` and checks
    // against them, as load_migrations does: a directory's SQL need not all be in memory.
    void leave_text_on_disk(std::string_view text);

private:
    std::shared_ptr<const std::string> m_text; // the whole file, when held (copies share it)
    bool m_on_disk = false;
    std::uint32_t m_file_size = 0;
    std::size_t m_file_hash = 0;
};

// The checksum recorded for a section: SHA-256 over the SQL with CRLF turned into LF and
// leading and trailing whitespace removed, so line-ending and editor noise is not drift.
std::string checksum_of(std::string_view sql);

} // namespace schemagate::migration
