#pragma once

#include <cstddef>
#include <functional>
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

// The index a CREATE or DROP INDEX CONCURRENTLY statement names, as SQL (schema-qualified
// when written so, quoted identifiers kept quoted): lint finds it in a statement, and the store
// looks at it to resume an interrupted one.
struct ConcurrentIndex {
    enum class Kind { create, drop };
    Kind kind = Kind::create;
    std::string name;
};

// Why a section could not be split: an unterminated quote, comment or dollar-quoted body, or a
// NUL byte.
struct SplitError {
    std::size_t line; // 1-based line where the unterminated construct starts, or of the NUL
    std::string
        message; // lowercase, no trailing period, e.g. "unterminated dollar-quoted string $fn$"
};

// A "--" comment with only whitespace before it on its line, outside any string, quoted
// identifier, block comment and dollar-quoted body: what a migration's directive looks like.
struct LineComment {
    std::string_view text; // from "--" to the end of the line, without the CR or LF
    std::size_t line;      // 1-based line within the input
};

// Splits SQL text into statements at top-level semicolons, the way psql does: it understands
// line comments, nested block comments, quoted identifiers, standard and E'' strings,
// dollar-quoted bodies with and without tags, and BEGIN ATOMIC ... END function bodies.
// Statements made only of whitespace and comments are dropped. A final statement without a
// semicolon is kept. A NUL byte anywhere is an error: the server would end the statement there
// and run less than the text says.
tl::expected<std::vector<Statement>, SplitError> split_sql(std::string_view sql);

// Whether split_sql would accept `sql`, without keeping the statements (nothing is allocated
// unless it fails); calls `on_comment`, when given, with every whole-line comment in order.
tl::expected<void, SplitError>
check_sql(std::string_view sql, const std::function<void(const LineComment&)>& on_comment = {});

} // namespace schemagate::migration
