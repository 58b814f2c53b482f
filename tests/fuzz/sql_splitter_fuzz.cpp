// libFuzzer target for split_sql. Besides running under ASan and UBSan, it checks on every
// successful split that the statements tile the input exactly: what lies between them is only
// whitespace, comments and ';', each statement is the input at its offset, its line is the line
// of that offset, and every statement, alone or rejoined with the others, splits back to itself.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"

#include <schemagate/migration/sql_splitter.hpp>

namespace {

using schemagate::migration::check_sql;
using schemagate::migration::split_sql;
using schemagate::migration::Statement;

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool starts_with_at(std::string_view text, std::size_t pos, std::string_view prefix) {
    return text.substr(pos, prefix.size()) == prefix;
}

std::size_t count_newlines(std::string_view text) {
    return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

// An independent reading of what split_sql drops between statements: whitespace, ';', line
// comments (ended by LF or CR, as the server ends them) and nested block comments. Returns the
// offset of the next statement's first byte, or the input's size; counts the ';' it passes.
std::size_t skip_gap(std::string_view sql, std::size_t pos, std::size_t& semicolons) {
    while (pos < sql.size()) {
        if (is_space(sql[pos])) {
            ++pos;
        } else if (sql[pos] == ';') {
            ++semicolons;
            ++pos;
        } else if (starts_with_at(sql, pos, "--")) {
            pos += 2;
            while (pos < sql.size() && sql[pos] != '\n' && sql[pos] != '\r') {
                ++pos;
            }
        } else if (starts_with_at(sql, pos, "/*")) {
            std::size_t depth = 1;
            pos += 2;
            while (depth > 0) {
                // split_sql succeeded, so every comment between statements is closed.
                SCHEMAGATE_FUZZ_CHECK(pos < sql.size());
                if (starts_with_at(sql, pos, "/*")) {
                    ++depth;
                    pos += 2;
                } else if (starts_with_at(sql, pos, "*/")) {
                    --depth;
                    pos += 2;
                } else {
                    ++pos;
                }
            }
        } else {
            break;
        }
    }
    return pos;
}

void check_tiling(std::string_view sql, const std::vector<Statement>& statements) {
    std::size_t pos = 0;
    std::size_t line = 1;
    const auto advance_to = [&](std::size_t to) {
        line += count_newlines(sql.substr(pos, to - pos));
        pos = to;
    };
    for (std::size_t i = 0; i < statements.size(); ++i) {
        const Statement& s = statements[i];
        std::size_t semicolons = 0;
        advance_to(skip_gap(sql, pos, semicolons));
        // Only a top-level ';' ends a statement before the end of the input.
        SCHEMAGATE_FUZZ_CHECK(i == 0 || semicolons > 0);
        SCHEMAGATE_FUZZ_CHECK(!s.text.empty());
        SCHEMAGATE_FUZZ_CHECK(!is_space(s.text.back()));
        SCHEMAGATE_FUZZ_CHECK(sql.substr(pos, s.text.size()) == s.text);
        SCHEMAGATE_FUZZ_CHECK(s.line == line);
        advance_to(pos + s.text.size());
        // The text runs up to its terminating ';' less trailing whitespace, or to the end.
        SCHEMAGATE_FUZZ_CHECK(pos == sql.size() || is_space(sql[pos]) || sql[pos] == ';');
    }
    std::size_t semicolons = 0;
    SCHEMAGATE_FUZZ_CHECK(skip_gap(sql, pos, semicolons) == sql.size());
}

// A statement's text starts where the splitter's state is reset and ends where the state is back
// at top level (or at the end of the input), so on its own it is exactly one statement.
void check_each_statement_splits_to_itself(const std::vector<Statement>& statements) {
    for (const Statement& s : statements) {
        const auto again = split_sql(s.text);
        SCHEMAGATE_FUZZ_CHECK(again.has_value());
        SCHEMAGATE_FUZZ_CHECK(again->size() == 1);
        SCHEMAGATE_FUZZ_CHECK((*again)[0].text == s.text);
        SCHEMAGATE_FUZZ_CHECK((*again)[0].line == 1);
    }
}

// Rejoined with "\n;\n" the statements split back into the same texts. The newline before ';'
// matters: a statement may end in a line comment ("SELECT 1 -- x\n;" gives "SELECT 1 -- x"),
// which a bare ";" would extend.
void check_rejoined_statements_split_back(const std::vector<Statement>& statements) {
    std::string joined;
    std::vector<std::size_t> lines;
    std::size_t line = 1;
    for (const Statement& s : statements) {
        if (!lines.empty()) {
            joined += "\n;\n";
            line += 2;
        }
        lines.push_back(line);
        joined += s.text;
        line += count_newlines(s.text);
    }
    const auto again = split_sql(joined);
    SCHEMAGATE_FUZZ_CHECK(again.has_value());
    SCHEMAGATE_FUZZ_CHECK(again->size() == statements.size());
    for (std::size_t i = 0; i < statements.size(); ++i) {
        SCHEMAGATE_FUZZ_CHECK((*again)[i].text == statements[i].text);
        SCHEMAGATE_FUZZ_CHECK((*again)[i].line == lines[i]);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // libFuzzer passes a heap copy of exactly `size` bytes, so ASan sees any read past the end.
    const std::string_view sql(reinterpret_cast<const char*>(data), size);
    const auto result = split_sql(sql);
    // check_sql is split_sql without the statements: it must agree.
    SCHEMAGATE_FUZZ_CHECK(check_sql(sql).has_value() == result.has_value());
    if (!result) {
        SCHEMAGATE_FUZZ_CHECK(result.error().line >= 1);
        SCHEMAGATE_FUZZ_CHECK(result.error().line <= 1 + count_newlines(sql));
        // A NUL byte anywhere is refused (the server would cut the statement there).
        const bool nul = sql.find('\0') != std::string_view::npos;
        SCHEMAGATE_FUZZ_CHECK(nul == result.error().message.starts_with("a NUL byte"));
        SCHEMAGATE_FUZZ_CHECK(nul || result.error().message.starts_with("unterminated "));
        return 0;
    }
    check_tiling(sql, *result);
    check_each_statement_splits_to_itself(*result);
    check_rejoined_statements_split_back(*result);
    return 0;
}
