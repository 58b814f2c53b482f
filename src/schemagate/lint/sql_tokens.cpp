#include <schemagate/lint/sql_tokens.hpp>

#include <schemagate/migration/sql_chars.hpp>

namespace schemagate::lint {

namespace {

using namespace migration::sql_chars;

enum class Backslash { literal, escapes };

class Tokenizer {
public:
    explicit Tokenizer(std::string_view sql) : m_sql(sql) {}

    std::vector<Token> run() {
        while (m_pos < m_sql.size()) {
            const char c = m_sql[m_pos];
            if (is_space(c)) {
                bump(1);
            } else if (c == '-' && peek(1) == '-') {
                while (m_pos < m_sql.size() && m_sql[m_pos] != '\n' && m_sql[m_pos] != '\r') {
                    bump(1);
                }
            } else if (c == '/' && peek(1) == '*') {
                skip_block_comment();
            } else if (c == '\'') {
                quoted(TokenKind::string, '\'', Backslash::literal, m_pos);
            } else if (c == '"') {
                quoted(TokenKind::quoted_identifier, '"', Backslash::literal, m_pos);
            } else if (c == '$') {
                dollar();
            } else if (is_ident_start(c)) {
                word();
            } else if (is_digit(c)) {
                // A number swallows trailing letters so that "1e'x'" never looks like E''.
                const std::size_t start = m_pos;
                const std::size_t line = m_line;
                while (m_pos < m_sql.size() && (is_tag_char(m_sql[m_pos]) || m_sql[m_pos] == '.')) {
                    bump(1);
                }
                push(TokenKind::number, std::string(m_sql.substr(start, m_pos - start)), line);
            } else {
                push(TokenKind::punctuation, std::string(1, c), m_line);
                bump(1);
            }
        }
        return std::move(m_tokens);
    }

private:
    char peek(std::size_t ahead) const {
        return ahead < m_sql.size() - m_pos ? m_sql[m_pos + ahead] : '\0';
    }

    void bump(std::size_t count) {
        for (std::size_t i = 0; i < count && m_pos < m_sql.size(); ++i) {
            if (m_sql[m_pos] == '\n') {
                ++m_line;
            }
            ++m_pos;
        }
    }

    void push(TokenKind kind, std::string text, std::size_t line) {
        m_tokens.push_back(Token{kind, std::move(text), line});
    }

    // Block comments nest in PostgreSQL.
    void skip_block_comment() {
        std::size_t depth = 1;
        bump(2);
        while (m_pos < m_sql.size() && depth > 0) {
            if (m_sql[m_pos] == '/' && peek(1) == '*') {
                ++depth;
                bump(2);
            } else if (m_sql[m_pos] == '*' && peek(1) == '/') {
                --depth;
                bump(2);
            } else {
                bump(1);
            }
        }
    }

    // From the opening quote at m_pos; `start` is where the token's text begins (before any
    // E/B/X/U& prefix). A doubled quote is an embedded one.
    void quoted(TokenKind kind, char quote, Backslash backslash, std::size_t start) {
        const std::size_t line = m_line;
        std::string body;
        bump(1);
        while (m_pos < m_sql.size()) {
            const char c = m_sql[m_pos];
            if (c == '\\' && backslash == Backslash::escapes && m_pos + 1 < m_sql.size()) {
                body += m_sql.substr(m_pos, 2);
                bump(2);
            } else if (c == quote) {
                if (peek(1) != quote) {
                    bump(1);
                    break;
                }
                body += quote;
                bump(2);
            } else {
                body += c;
                bump(1);
            }
        }
        if (kind == TokenKind::quoted_identifier) {
            push(kind, std::move(body), line);
        } else {
            push(kind, std::string(m_sql.substr(start, m_pos - start)), line);
        }
    }

    // "$tag$" or "$$" opens a dollar-quoted body; "$1" is a parameter; a lone '$' is
    // punctuation.
    void dollar() {
        const std::size_t line = m_line;
        std::size_t end = m_pos + 1;
        if (end < m_sql.size() && is_ident_start(m_sql[end])) {
            while (end < m_sql.size() && is_tag_char(m_sql[end])) {
                ++end;
            }
        }
        if (end >= m_sql.size() || m_sql[end] != '$') {
            if (is_digit(peek(1))) {
                const std::size_t start = m_pos;
                bump(1);
                while (m_pos < m_sql.size() && is_digit(m_sql[m_pos])) {
                    bump(1);
                }
                push(TokenKind::parameter, std::string(m_sql.substr(start, m_pos - start)), line);
                return;
            }
            push(TokenKind::punctuation, "$", line);
            bump(1);
            return;
        }
        const std::size_t start = m_pos;
        const std::string_view delimiter = m_sql.substr(m_pos, end + 1 - m_pos);
        const std::size_t close = m_sql.find(delimiter, end + 1);
        const std::size_t stop =
            close == std::string_view::npos ? m_sql.size() : close + delimiter.size();
        bump(stop - m_pos);
        push(TokenKind::dollar_string, std::string(m_sql.substr(start, stop - start)), line);
    }

    // A word, or the prefix of a prefixed string: E'' (backslash escapes), B'', X'', N'',
    // U&'' and U&"" (standard rules, so they read as plain strings and identifiers).
    void word() {
        const std::size_t start = m_pos;
        const char first = to_lower_ascii(m_sql[m_pos]);
        if (peek(1) == '\'') {
            if (first == 'e') {
                bump(1);
                quoted(TokenKind::string, '\'', Backslash::escapes, start);
                return;
            }
            if (first == 'b' || first == 'x' || first == 'n') {
                bump(1);
                quoted(TokenKind::string, '\'', Backslash::literal, start);
                return;
            }
        }
        if (first == 'u' && peek(1) == '&' && (peek(2) == '\'' || peek(2) == '"')) {
            bump(2);
            if (m_sql[m_pos] == '\'') {
                quoted(TokenKind::string, '\'', Backslash::literal, start);
            } else {
                quoted(TokenKind::quoted_identifier, '"', Backslash::literal, start);
            }
            return;
        }
        const std::size_t line = m_line;
        while (m_pos < m_sql.size() && is_ident_char(m_sql[m_pos])) {
            bump(1);
        }
        std::string text(m_sql.substr(start, m_pos - start));
        for (char& c : text) {
            c = to_lower_ascii(c);
        }
        push(TokenKind::word, std::move(text), line);
    }

    std::string_view m_sql;
    std::size_t m_pos = 0;
    std::size_t m_line = 1;
    std::vector<Token> m_tokens;
};

} // namespace

std::vector<Token> tokenize(std::string_view sql) {
    return Tokenizer(sql).run();
}

} // namespace schemagate::lint
