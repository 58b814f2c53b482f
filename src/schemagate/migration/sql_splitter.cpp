#include <schemagate/migration/sql_splitter.hpp>

#include <algorithm>
#include <array>
#include <optional>
#include <utility>

#include <schemagate/migration/sql_chars.hpp>

namespace schemagate::migration {

namespace {

using namespace sql_chars;

bool equals_ignoring_case(std::string_view word, std::string_view lower) {
    if (word.size() != lower.size()) {
        return false;
    }
    for (std::size_t i = 0; i < word.size(); ++i) {
        if (to_lower_ascii(word[i]) != lower[i]) {
            return false;
        }
    }
    return true;
}

std::string_view trim_right(std::string_view text) {
    while (!text.empty() && is_space(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

// Only the words that decide whether ';' ends a statement.
enum class Word { other, create, or_, replace, function, procedure, begin, case_, end };

Word classify(std::string_view word) {
    static constexpr std::array<std::pair<std::string_view, Word>, 8> k_words{{
        {"create", Word::create},
        {"or", Word::or_},
        {"replace", Word::replace},
        {"function", Word::function},
        {"procedure", Word::procedure},
        {"begin", Word::begin},
        {"case", Word::case_},
        {"end", Word::end},
    }};
    for (const auto& [text, word_kind] : k_words) {
        if (equals_ignoring_case(word, text)) {
            return word_kind;
        }
    }
    return Word::other;
}

bool is_routine(Word w) {
    return w == Word::function || w == Word::procedure;
}

enum class Backslash { literal, escapes };

// Whether the statements are kept (split_sql) or only checked (check_sql).
enum class Keep { statements, nothing };

// libpq sends a statement as a C string, so the server sees only what comes before a NUL byte:
// `DELETE FROM t \0 WHERE id = 1` would delete every row. Nothing may split such text.
std::optional<SplitError> find_nul(std::string_view sql) {
    const std::size_t nul = sql.find('\0');
    if (nul == std::string_view::npos) {
        return std::nullopt;
    }
    const auto before = sql.substr(0, nul);
    return SplitError{1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n')),
                      "a NUL byte, where the server would end the statement; remove it"};
}

class Splitter {
public:
    Splitter(std::string_view sql, Keep keep,
             const std::function<void(const LineComment&)>* on_comment = nullptr)
        : m_sql(sql), m_keep(keep), m_on_comment(on_comment) {}

    tl::expected<std::vector<Statement>, SplitError> run() {
        if (auto nul = find_nul(m_sql)) {
            return tl::unexpected(std::move(*nul));
        }
        while (m_pos < m_sql.size()) {
            const char c = m_sql[m_pos];
            if (is_space(c)) {
                bump(1);
            } else if (c == '-' && peek(1) == '-') {
                note_line_comment();
                skip_line_comment();
            } else if (c == '/' && peek(1) == '*') {
                if (auto skipped = skip_block_comment(); !skipped) {
                    return tl::unexpected(std::move(skipped.error()));
                }
            } else if (c == ';' && m_paren_depth == 0 && m_begin_depth == 0) {
                finish_statement(m_pos);
                bump(1);
            } else {
                if (!m_start) {
                    m_start = m_pos;
                    m_start_line = m_line;
                }
                if (auto scanned = scan_token(); !scanned) {
                    return tl::unexpected(std::move(scanned.error()));
                }
            }
        }
        finish_statement(m_sql.size());
        return std::move(m_statements);
    }

private:
    // Past the end reads as NUL; callers compare it only against punctuation, so a real NUL
    // byte in the input is never mistaken for the end.
    char peek(std::size_t ahead) const {
        return ahead < m_sql.size() - m_pos ? m_sql[m_pos + ahead] : '\0';
    }

    // Every consumed byte that may be a line break passes through here exactly once (skip_to
    // passes the others), which keeps line counting linear.
    void bump(std::size_t count) {
        for (std::size_t i = 0; i < count && m_pos < m_sql.size(); ++i) {
            if (m_sql[m_pos] == '\n') {
                ++m_line;
                m_line_begin = m_pos + 1;
            }
            ++m_pos;
        }
    }

    // As bump(end - m_pos), for text that holds no line break: a word, a number, a comment.
    void skip_to(std::size_t end) { m_pos = end; }

    // At a top-level "--": tells the caller about it when nothing but whitespace precedes it on
    // its line.
    void note_line_comment() const {
        if (m_on_comment == nullptr || !*m_on_comment) {
            return;
        }
        const std::string_view before = m_sql.substr(m_line_begin, m_pos - m_line_begin);
        if (!std::all_of(before.begin(), before.end(), is_space)) {
            return;
        }
        const std::size_t end = m_sql.find_first_of("\r\n", m_pos);
        (*m_on_comment)(
            LineComment{m_sql.substr(m_pos, end == std::string_view::npos ? std::string_view::npos
                                                                          : end - m_pos),
                        m_line});
    }

    // The server ends a "--" comment at either CR or LF, so a lone CR must end it here too or
    // the next line would be swallowed.
    void skip_line_comment() {
        skip_to(std::min(m_sql.find_first_of("\r\n", m_pos), m_sql.size()));
    }

    // PostgreSQL block comments nest, unlike C's. Scanning is iterative so that deep nesting
    // in hostile input cannot exhaust the stack.
    tl::expected<void, SplitError> skip_block_comment() {
        const std::size_t start_line = m_line;
        std::size_t depth = 1;
        bump(2);
        while (m_pos < m_sql.size()) {
            if (m_sql[m_pos] == '/' && peek(1) == '*') {
                ++depth;
                bump(2);
            } else if (m_sql[m_pos] == '*' && peek(1) == '/') {
                bump(2);
                if (--depth == 0) {
                    return {};
                }
            } else {
                bump(1);
            }
        }
        return tl::unexpected(SplitError{start_line, "unterminated block comment"});
    }

    // Scans from the opening quote; a doubled quote is an embedded one in every quoted form.
    tl::expected<void, SplitError> skip_quoted(char quote, Backslash backslash,
                                               std::string_view what) {
        const std::size_t start_line = m_line;
        bump(1);
        while (m_pos < m_sql.size()) {
            const char c = m_sql[m_pos];
            if (c == '\\' && backslash == Backslash::escapes) {
                if (m_pos + 1 >= m_sql.size()) {
                    break;
                }
                bump(2);
            } else if (c == quote) {
                if (peek(1) != quote) {
                    bump(1);
                    return {};
                }
                bump(2);
            } else {
                bump(1);
            }
        }
        return tl::unexpected(SplitError{start_line, "unterminated " + std::string(what)});
    }

    tl::expected<void, SplitError> skip_string(Backslash backslash) {
        return skip_quoted('\'', backslash, "quoted string");
    }

    tl::expected<void, SplitError> skip_quoted_identifier() {
        return skip_quoted('"', Backslash::literal, "quoted identifier");
    }

    // At a '$' that does not continue an identifier: "$tag$" or "$$" opens a dollar-quoted
    // body. A tag cannot start with a digit, so "$1" stays a parameter.
    tl::expected<void, SplitError> scan_dollar() {
        std::size_t end = m_pos + 1;
        if (end < m_sql.size() && is_ident_start(m_sql[end])) {
            while (end < m_sql.size() && is_tag_char(m_sql[end])) {
                ++end;
            }
        }
        if (end >= m_sql.size() || m_sql[end] != '$') {
            // The server rescans what follows a lone '$': it may be a keyword or an E'' prefix.
            bump(1);
            return {};
        }
        const std::string_view delimiter = m_sql.substr(m_pos, end + 1 - m_pos);
        const std::size_t start_line = m_line;
        bump(delimiter.size());
        // A plain search is exact here: the delimiter holds '$' only at its ends, so no '$'
        // that psql would skip inside a failed "$other$" can begin a match. It is also linear,
        // because a partial match never spans another '$'.
        const std::size_t close = m_sql.find(delimiter, m_pos);
        if (close == std::string_view::npos) {
            return tl::unexpected(SplitError{start_line, "unterminated dollar-quoted string " +
                                                             std::string(delimiter)});
        }
        bump(close + delimiter.size() - m_pos);
        return {};
    }

    // An identifier, a keyword, or the E of an E'' string. B'', X'', N'', U&'' and U&"" need no
    // case of their own: their bodies follow the standard rules, so reading the prefix as a word
    // and the rest as a plain string or identifier splits the same way.
    tl::expected<void, SplitError> scan_word() {
        if (to_lower_ascii(m_sql[m_pos]) == 'e' && peek(1) == '\'') {
            bump(1);
            return skip_string(Backslash::escapes);
        }
        const std::size_t start = m_pos;
        std::size_t end = m_pos + 1;
        while (end < m_sql.size() && is_ident_char(m_sql[end])) {
            ++end;
        }
        skip_to(end);
        // Words only decide where statements end; whether the text splits does not depend on
        // that, so a check skips them.
        if (m_keep == Keep::statements) {
            note_word(classify(m_sql.substr(start, end - start)));
        }
        return {};
    }

    // psql's heuristic for SQL-standard bodies (CREATE FUNCTION ... BEGIN ATOMIC ... END): in a
    // statement that opens with CREATE [OR REPLACE] FUNCTION|PROCEDURE, BEGIN opens a block
    // and END closes one, and CASE counts as an opener once inside a block because it is
    // closed by END too. Outside such statements "BEGIN;" must stay a transaction command.
    void note_word(Word word) {
        if (m_word_count < m_head.size()) {
            m_head[m_word_count] = word;
            ++m_word_count;
        }
        if (m_paren_depth != 0 || !in_routine_definition()) {
            return;
        }
        if (word == Word::begin || (word == Word::case_ && m_begin_depth > 0)) {
            ++m_begin_depth;
        } else if (word == Word::end && m_begin_depth > 0) {
            --m_begin_depth;
        }
    }

    bool in_routine_definition() const {
        if (m_head[0] != Word::create) {
            return false;
        }
        return is_routine(m_head[1]) ||
               (m_head[1] == Word::or_ && m_head[2] == Word::replace && is_routine(m_head[3]));
    }

    tl::expected<void, SplitError> scan_token() {
        const char c = m_sql[m_pos];
        if (c == '\'') {
            return skip_string(Backslash::literal);
        }
        if (c == '"') {
            return skip_quoted_identifier();
        }
        if (c == '$') {
            return scan_dollar();
        }
        if (is_ident_start(c)) {
            return scan_word();
        }
        if (is_digit(c)) {
            // A number swallows trailing letters so that "1e'x'" never looks like an E'' prefix.
            std::size_t end = m_pos + 1;
            while (end < m_sql.size() && is_tag_char(m_sql[end])) {
                ++end;
            }
            skip_to(end);
            return {};
        }
        // Like psql, a ';' inside parentheses does not end the statement: CREATE RULE ... DO
        // (INSERT ...; INSERT ...) is one command.
        if (c == '(') {
            ++m_paren_depth;
        } else if (c == ')' && m_paren_depth > 0) {
            --m_paren_depth;
        }
        bump(1);
        return {};
    }

    void finish_statement(std::size_t end) {
        if (m_start && m_keep == Keep::statements) {
            const std::string_view text = trim_right(m_sql.substr(*m_start, end - *m_start));
            m_statements.push_back(Statement{std::string(text), m_start_line});
        }
        m_start.reset();
        m_start_line = 0;
        m_paren_depth = 0;
        m_begin_depth = 0;
        m_head.fill(Word::other);
        m_word_count = 0;
    }

    std::string_view m_sql;
    Keep m_keep;
    const std::function<void(const LineComment&)>* m_on_comment;
    std::size_t m_pos = 0;
    std::size_t m_line = 1;
    std::size_t m_line_begin = 0; // where line m_line starts
    std::vector<Statement> m_statements;

    // The statement being collected.
    std::optional<std::size_t> m_start;
    std::size_t m_start_line = 0;
    std::size_t m_paren_depth = 0;
    std::size_t m_begin_depth = 0;
    std::array<Word, 4> m_head{};
    std::size_t m_word_count = 0;
};

} // namespace

tl::expected<std::vector<Statement>, SplitError> split_sql(std::string_view sql) {
    return Splitter(sql, Keep::statements).run();
}

tl::expected<void, SplitError>
check_sql(std::string_view sql, const std::function<void(const LineComment&)>& on_comment) {
    auto checked = Splitter(sql, Keep::nothing, &on_comment).run();
    if (!checked) {
        return tl::unexpected(std::move(checked.error()));
    }
    return {};
}

} // namespace schemagate::migration
