#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

namespace schemagate::migration {

// One top-level SQL statement cut out of a migration section.
struct Statement {
    std::string text; // from its first token to just before its terminating ';', right-trimmed
    std::size_t line; // 1-based line, within the input, of the statement's first token
};

// Why a section could not be split: an unterminated quote, comment or dollar-quoted body.
struct SplitError {
    std::size_t line; // 1-based line where the unterminated construct starts
    std::string
        message; // lowercase, no trailing period, e.g. "unterminated dollar-quoted string $fn$"
};

// Splits SQL text into statements at top-level semicolons, the way psql does: it understands
// line comments, nested block comments, quoted identifiers, standard and E'' strings,
// dollar-quoted bodies with and without tags, and BEGIN ATOMIC ... END function bodies.
// Statements made only of whitespace and comments are dropped. A final statement without a
// semicolon is kept.
tl::expected<std::vector<Statement>, SplitError> split_sql(std::string_view sql);

} // namespace schemagate::migration
