#pragma once

namespace schemagate::migration::sql_chars {

// Byte classes as PostgreSQL's lexer (scan.l) has them, not the C locale's: every byte >= 0x80
// counts as a letter, so identifiers and dollar tags in any server encoding stay whole. Shared
// by the statement splitter and lint's token scanner, which must agree on what a word is.

inline bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

inline bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

inline bool is_ident_start(char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || u == '_' || u >= 0x80;
}

// Dollar tags may not contain '$'; unquoted identifiers may.
inline bool is_tag_char(char c) {
    return is_ident_start(c) || is_digit(c);
}

inline bool is_ident_char(char c) {
    return is_tag_char(c) || c == '$';
}

inline char to_lower_ascii(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

} // namespace schemagate::migration::sql_chars
