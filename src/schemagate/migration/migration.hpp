#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <schemagate/util/duration.hpp>

namespace schemagate::migration {

enum class TransactionMode { per_section, none };

// The SQL under one marker. `first_line` is the file line of the marker itself, so the
// section's line n is file line first_line + n.
struct Section {
    std::string sql;
    std::size_t first_line = 0;
};

// One revision, as read from its file.
struct Migration {
    std::string id;
    std::vector<std::string> parents; // empty for a root ("parents: base")
    std::string message;
    std::filesystem::path path;
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
};

// The checksum recorded for a section: SHA-256 over the SQL with CRLF turned into LF and
// leading and trailing whitespace removed, so line-ending and editor noise is not drift.
std::string checksum_of(const std::string& sql);

} // namespace schemagate::migration
