#pragma once

#include <array>
#include <cstdint>

namespace schemagate::migration::sql_chars {

// Byte classes as PostgreSQL's lexer (scan.l) has them, not the C locale's: every byte >= 0x80
// counts as a letter, so identifiers and dollar tags in any server encoding stay whole. Shared
// by the statement splitter and lint's token scanner through SqlCursor. A table, because the
// cursor asks for every byte of every file it plans.

enum : std::uint8_t {
    k_space = 1,       // whitespace as the server's lexer skips it
    k_digit = 2,       // 0-9
    k_ident_start = 4, // may start an identifier or a dollar tag
    k_dollar = 8,      // '$': continues an identifier, never a dollar tag
};

inline constexpr std::array<std::uint8_t, 256> k_classes = [] {
    std::array<std::uint8_t, 256> classes{};
    for (const char c : {' ', '\t', '\n', '\r', '\f', '\v'}) {
        classes[static_cast<unsigned char>(c)] = k_space;
    }
    for (unsigned c = '0'; c <= '9'; ++c) {
        classes[c] = k_digit;
    }
    for (unsigned c = 0; c < 26; ++c) {
        classes['A' + c] = k_ident_start;
        classes['a' + c] = k_ident_start;
    }
    classes['_'] = k_ident_start;
    for (unsigned c = 0x80; c < 0x100; ++c) {
        classes[c] = k_ident_start;
    }
    classes['$'] = k_dollar;
    return classes;
}();

inline bool has_class(char c, unsigned mask) {
    return (k_classes[static_cast<unsigned char>(c)] & mask) != 0;
}

inline bool is_space(char c) {
    return has_class(c, k_space);
}

inline bool is_digit(char c) {
    return has_class(c, k_digit);
}

inline bool is_ident_start(char c) {
    return has_class(c, k_ident_start);
}

// Dollar tags may not contain '$'; unquoted identifiers may.
inline bool is_tag_char(char c) {
    return has_class(c, k_ident_start | k_digit);
}

inline bool is_ident_char(char c) {
    return has_class(c, k_ident_start | k_digit | k_dollar);
}

inline char to_lower_ascii(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

} // namespace schemagate::migration::sql_chars
