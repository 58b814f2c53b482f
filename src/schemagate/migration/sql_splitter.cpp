#include <schemagate/migration/sql_splitter.hpp>

#include <algorithm>
#include <array>
#include <optional>
#include <utility>

#include <schemagate/migration/sql_chars.hpp>
#include <schemagate/migration/sql_cursor.hpp>

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

// The error for a lexeme the cursor found unclosed, at the line where it starts.
SplitError unterminated(const Lexeme& lexeme) {
    switch (lexeme.kind) {
    case LexemeKind::block_comment:
        return SplitError{lexeme.line, "unterminated block comment"};
    case LexemeKind::quoted_identifier:
        return SplitError{lexeme.line, "unterminated quoted identifier"};
    case LexemeKind::dollar_string:
        return SplitError{lexeme.line,
                          "unterminated dollar-quoted string " +
                              std::string(lexeme.text.substr(0, lexeme.text.find('$', 1) + 1))};
    default:
        return SplitError{lexeme.line, "unterminated quoted string"};
    }
}

// The statement structure over the cursor's lexemes: top-level ';' ends a statement, except
// inside parentheses or a BEGIN ATOMIC body.
class Splitter {
public:
    Splitter(std::string_view sql, Keep keep,
             const std::function<void(const LineComment&)>* on_comment = nullptr)
        : m_sql(sql), m_keep(keep), m_on_comment(on_comment) {}

    tl::expected<std::vector<Statement>, SplitError> run() {
        if (auto nul = find_nul(m_sql)) {
            return tl::unexpected(std::move(*nul));
        }
        SqlCursor cursor(m_sql);
        while (const auto lexeme = cursor.next()) {
            if (!lexeme->terminated) {
                return tl::unexpected(unterminated(*lexeme));
            }
            switch (lexeme->kind) {
            case LexemeKind::line_comment:
                note_line_comment(cursor, *lexeme);
                continue;
            case LexemeKind::block_comment:
                continue;
            case LexemeKind::punctuation:
                if (lexeme->text[0] == ';' && m_paren_depth == 0 && m_begin_depth == 0) {
                    finish_statement(lexeme->offset);
                    continue;
                }
                // Like psql, a ';' inside parentheses does not end the statement: CREATE RULE
                // ... DO (INSERT ...; INSERT ...) is one command.
                if (lexeme->text[0] == '(') {
                    ++m_paren_depth;
                } else if (lexeme->text[0] == ')' && m_paren_depth > 0) {
                    --m_paren_depth;
                }
                break;
            case LexemeKind::word:
                // Words only decide where statements end; whether the text splits does not
                // depend on that, so a check skips them.
                if (m_keep == Keep::statements) {
                    note_word(classify(lexeme->text));
                }
                break;
            default:
                break;
            }
            if (!m_start) {
                m_start = lexeme->offset;
                m_start_line = lexeme->line;
            }
        }
        finish_statement(m_sql.size());
        return std::move(m_statements);
    }

private:
    // At a top-level "--": tells the caller about it when nothing but whitespace precedes it on
    // its line.
    void note_line_comment(const SqlCursor& cursor, const Lexeme& comment) const {
        if (m_on_comment == nullptr || !*m_on_comment || !cursor.first_on_line(comment.offset)) {
            return;
        }
        (*m_on_comment)(LineComment{comment.text, comment.line});
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
