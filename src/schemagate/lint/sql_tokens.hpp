#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace schemagate::lint {

enum class TokenKind {
    word,              // keyword or unquoted identifier, folded to lowercase
    quoted_identifier, // "Name", without the quotes, "" read as "
    string,            // any string constant: '', E'', B'', X'', U&'' (kept as written)
    dollar_string,     // $$...$$ or $tag$...$tag$ (kept as written)
    number,
    parameter,   // $1
    punctuation, // one character: ( ) , . ; and operator characters
};

struct Token {
    TokenKind kind;
    std::string text;
    std::size_t line;   // 1-based, within the tokenized text
    std::size_t offset; // of its first byte as written, within the tokenized text
};

// Splits SQL text into tokens the way PostgreSQL's lexer sees them (migration::SqlCursor, the
// lexer under split_sql too), dropping whitespace, line comments and nested block comments, so
// that nothing inside a comment, string, quoted identifier or dollar-quoted body can be mistaken
// for a keyword. Never fails: an unterminated construct runs to the end of the text (split_sql
// has already rejected such input).
std::vector<Token> tokenize(std::string_view sql);

} // namespace schemagate::lint
