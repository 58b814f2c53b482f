#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include <schemagate/migration/sql_chars.hpp>

namespace schemagate::migration {

enum class LexemeKind {
    line_comment,      // "--" up to, not including, the next CR or LF
    block_comment,     // "/* ... */", nested ones inside
    word,              // keyword or unquoted identifier, as written
    quoted_identifier, // "..." or U&"...", as written
    string,            // '...', E'...', B'...', X'...', N'...' or U&'...', as written
    dollar_string,     // $$...$$ or $tag$...$tag$, as written
    number,            // digits, a decimal part and any letters after them: 1, 1.5, 1., 1e
    parameter,         // '$' and a number: $1
    punctuation,       // one byte: ( ) , . ; an operator character, or a '$' that opens nothing
};

// One lexeme of SQL text: a view into the text, never a copy.
struct Lexeme {
    LexemeKind kind;
    std::string_view text;
    std::size_t offset; // of its first byte, within the cursor's text
    std::size_t line;   // 1-based line of its first byte
    // False when a quote, block comment or dollar-quoted body runs to the end of the text
    // unclosed; `text` then runs to the end too.
    bool terminated = true;
};

// Walks SQL text lexeme by lexeme the way psql's lexer does, with standard_conforming_strings
// on (a backslash escapes only in E''), and knows the line it is on. The one lexical layer under
// the statement splitter and lint's token scanner, so that both read the same text the same way.
class SqlCursor {
public:
    explicit SqlCursor(std::string_view sql) noexcept : m_sql(sql) {}

    // The next lexeme after any whitespace, or nullopt at the end of the text. Never fails: an
    // unclosed construct comes back with `terminated` false.
    std::optional<Lexeme> next();

    // 1-based line of the current position (after the last lexeme returned).
    std::size_t line() const noexcept { return m_line; }

    // Whether only whitespace precedes `offset` on its line.
    bool first_on_line(std::size_t offset) const noexcept;

private:
    void advance_to(std::size_t end) noexcept;
    bool skip_block_comment() noexcept;
    bool skip_quoted(char quote, bool backslash_escapes) noexcept;
    LexemeKind scan_dollar() noexcept;
    LexemeKind scan_word(char after) noexcept;
    void scan_number() noexcept;

    std::string_view m_sql;
    std::size_t m_pos = 0;
    std::size_t m_line = 1;
    bool m_terminated = true;
};

// The lexing of the common lexemes is inline: split_sql and check_sql call next() once per
// lexeme on the hot path of planning thousands of files.

inline std::optional<Lexeme> SqlCursor::next() {
    using namespace sql_chars;
    while (m_pos < m_sql.size() && is_space(m_sql[m_pos])) {
        if (m_sql[m_pos] == '\n') {
            ++m_line;
        }
        ++m_pos;
    }
    if (m_pos == m_sql.size()) {
        return std::nullopt;
    }
    const std::size_t start = m_pos;
    const std::size_t line = m_line;
    const char c = m_sql[m_pos];
    const char after = m_pos + 1 < m_sql.size() ? m_sql[m_pos + 1] : '\0';
    m_terminated = true;
    LexemeKind kind = LexemeKind::punctuation;
    if (c == '-' && after == '-') {
        // The server ends a "--" comment at either CR or LF, so a lone CR must end it here too
        // or the next line would be swallowed.
        m_pos += 2;
        while (m_pos < m_sql.size() && m_sql[m_pos] != '\n' && m_sql[m_pos] != '\r') {
            ++m_pos;
        }
        kind = LexemeKind::line_comment;
    } else if (c == '/' && after == '*') {
        m_terminated = skip_block_comment();
        kind = LexemeKind::block_comment;
    } else if (c == '\'') {
        m_terminated = skip_quoted('\'', false);
        kind = LexemeKind::string;
    } else if (c == '"') {
        m_terminated = skip_quoted('"', false);
        kind = LexemeKind::quoted_identifier;
    } else if (c == '$') {
        kind = scan_dollar();
    } else if (is_ident_start(c)) {
        kind = scan_word(after);
    } else if (is_digit(c)) {
        scan_number();
        kind = LexemeKind::number;
    } else {
        ++m_pos;
    }
    return Lexeme{kind, std::string_view(m_sql.data() + start, m_pos - start), start, line,
                  m_terminated};
}

// As psql reads a number: digits, then a '.' and more digits unless the '.' begins "..", then
// any letters and digits as trailing junk (the server refuses "1e" and "1.e" as one number with
// trailing junk), so that the E in "1e'x'" or "1.e'x'" is never an E'' prefix.
inline void SqlCursor::scan_number() noexcept {
    using namespace sql_chars;
    const auto digits = [this] {
        while (m_pos < m_sql.size() && is_digit(m_sql[m_pos])) {
            ++m_pos;
        }
    };
    digits();
    if (m_pos < m_sql.size() && m_sql[m_pos] == '.' &&
        (m_pos + 1 == m_sql.size() || m_sql[m_pos + 1] != '.')) {
        ++m_pos;
        digits();
    }
    while (m_pos < m_sql.size() && is_tag_char(m_sql[m_pos])) {
        ++m_pos;
    }
}

// An identifier, a keyword, or a prefixed string: E'' (backslash escapes), B'', X'', N'', U&''
// and U&"" (standard rules).
inline LexemeKind SqlCursor::scan_word(char after) noexcept {
    using namespace sql_chars;
    if (after == '\'' || after == '&') {
        const char first = to_lower_ascii(m_sql[m_pos]);
        if (after == '\'' && (first == 'e' || first == 'b' || first == 'x' || first == 'n')) {
            ++m_pos;
            m_terminated = skip_quoted('\'', first == 'e');
            return LexemeKind::string;
        }
        const char quote = m_pos + 2 < m_sql.size() ? m_sql[m_pos + 2] : '\0';
        if (after == '&' && first == 'u' && (quote == '\'' || quote == '"')) {
            m_pos += 2;
            m_terminated = skip_quoted(quote, false);
            return quote == '"' ? LexemeKind::quoted_identifier : LexemeKind::string;
        }
    }
    ++m_pos;
    while (m_pos < m_sql.size() && is_ident_char(m_sql[m_pos])) {
        ++m_pos;
    }
    return LexemeKind::word;
}

} // namespace schemagate::migration
