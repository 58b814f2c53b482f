#include <schemagate/migration/sql_cursor.hpp>

#include <cstring>

#include <schemagate/migration/sql_chars.hpp>

namespace schemagate::migration {

using namespace sql_chars;

bool SqlCursor::first_on_line(std::size_t offset) const noexcept {
    while (offset > 0 && m_sql[offset - 1] != '\n') {
        if (!is_space(m_sql[offset - 1])) {
            return false;
        }
        --offset;
    }
    return true;
}

// Moves to `end`, counting the line breaks passed: the one place that does so for lexemes that
// may span lines, which keeps line counting linear.
void SqlCursor::advance_to(std::size_t end) noexcept {
    const char* p = m_sql.data() + m_pos;
    const char* const stop = m_sql.data() + end;
    while (p < stop) {
        const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(stop - p));
        if (nl == nullptr) {
            break;
        }
        ++m_line;
        p = static_cast<const char*>(nl) + 1;
    }
    m_pos = end;
}

// PostgreSQL block comments nest, unlike C's. Scanning is iterative so that deep nesting in
// hostile input cannot exhaust the stack.
bool SqlCursor::skip_block_comment() noexcept {
    std::size_t depth = 1;
    std::size_t i = m_pos + 2;
    const std::size_t size = m_sql.size();
    while (i < size) {
        if (m_sql[i] == '/' && i + 1 < size && m_sql[i + 1] == '*') {
            ++depth;
            i += 2;
        } else if (m_sql[i] == '*' && i + 1 < size && m_sql[i + 1] == '/') {
            i += 2;
            if (--depth == 0) {
                advance_to(i);
                return true;
            }
        } else {
            ++i;
        }
    }
    advance_to(size);
    return false;
}

// From the opening quote at m_pos; a doubled quote is an embedded one in every quoted form, and
// in E'' a backslash escapes the byte after it.
bool SqlCursor::skip_quoted(char quote, bool backslash_escapes) noexcept {
    const char stops[] = {quote, '\\'};
    std::size_t i = m_pos + 1;
    while (true) {
        i = backslash_escapes ? m_sql.find_first_of(std::string_view(stops, 2), i)
                              : m_sql.find(quote, i);
        if (i == std::string_view::npos) {
            break;
        }
        if (m_sql[i] == '\\' && backslash_escapes) {
            if (i + 1 >= m_sql.size()) {
                break;
            }
            i += 2;
        } else if (i + 1 < m_sql.size() && m_sql[i + 1] == quote) {
            i += 2;
        } else {
            advance_to(i + 1);
            return true;
        }
    }
    advance_to(m_sql.size());
    return false;
}

// At a '$' that does not continue an identifier (words swallow '$'): "$tag$" or "$$" opens a
// dollar-quoted body; a tag cannot start with a digit, so "$1" stays a parameter.
LexemeKind SqlCursor::scan_dollar() noexcept {
    std::size_t end = m_pos + 1;
    if (end < m_sql.size() && is_ident_start(m_sql[end])) {
        while (end < m_sql.size() && is_tag_char(m_sql[end])) {
            ++end;
        }
    }
    if (end < m_sql.size() && m_sql[end] == '$') {
        const std::string_view delimiter = m_sql.substr(m_pos, end + 1 - m_pos);
        // A plain search is exact here: the delimiter holds '$' only at its ends, so no '$'
        // that psql would skip inside a failed "$other$" can begin a match. It is also linear,
        // because a partial match never spans another '$'.
        const std::size_t close = m_sql.find(delimiter, end + 1);
        m_terminated = close != std::string_view::npos;
        advance_to(m_terminated ? close + delimiter.size() : m_sql.size());
        return LexemeKind::dollar_string;
    }
    ++m_pos;
    if (m_pos < m_sql.size() && is_digit(m_sql[m_pos])) {
        while (m_pos < m_sql.size() && is_tag_char(m_sql[m_pos])) {
            ++m_pos;
        }
        return LexemeKind::parameter;
    }
    // The server rescans what follows a lone '$': it may be a keyword or an E'' prefix.
    return LexemeKind::punctuation;
}

} // namespace schemagate::migration
