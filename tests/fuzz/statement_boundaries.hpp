#pragma once

// The property that the statement splitter and lint's token scanner find the same statement
// boundaries, shared by the statement_boundaries fuzz target and the unit tests.
//
// For any text that split_sql accepts, read tokenize()'s tokens of the whole text as psql would
// and cut them into runs:
//   - a ';' punctuation token ends a run when it is outside parentheses (by '(' and ')' tokens;
//     a ')' with none open counts for nothing) and outside a BEGIN ATOMIC body;
//   - a BEGIN ATOMIC body is psql's heuristic, over word tokens only: in a run whose first word
//     tokens are CREATE [OR REPLACE] FUNCTION|PROCEDURE, at parenthesis depth 0, "begin" opens a
//     block, "case" opens one when a block is open, "end" closes one when a block is open.
// Then split_sql's statements are the runs holding at least one token, in order: statement k's
// text is the input from run k's first token up to the ';' that ends the run (or the end of the
// input), less trailing whitespace, and its line is that token's line. Besides, every token's
// offset lies past the previous token's and its line is one more than the line breaks before
// that offset.
//
// Both readers sit on migration::SqlCursor, so this does not compare two lexers; it checks the
// splitter's statement structure against an independent reading of the tokens, and the
// tokenizer's offsets and lines against the text.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <schemagate/lint/sql_tokens.hpp>
#include <schemagate/migration/sql_splitter.hpp>

namespace schemagate::properties {

namespace boundaries_detail {

inline bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

inline std::string_view trim_right(std::string_view text) {
    while (!text.empty() && is_space(text.back())) {
        text.remove_suffix(1);
    }
    return text;
}

// The statement being read: its first token, parenthesis and block depth, first four words.
struct Run {
    std::optional<std::size_t> first;
    std::size_t parens = 0;
    std::size_t blocks = 0;
    std::vector<std::string> head;

    bool routine_definition() const {
        const auto word = [&](std::size_t i) { return i < head.size() ? head[i] : std::string(); };
        const auto routine = [](const std::string& w) {
            return w == "function" || w == "procedure";
        };
        return word(0) == "create" &&
               (routine(word(1)) || (word(1) == "or" && word(2) == "replace" && routine(word(3))));
    }
};

} // namespace boundaries_detail

// The statements the property expects for `sql`, read from its tokens as above.
inline std::vector<migration::Statement> statements_from_tokens(std::string_view sql) {
    using boundaries_detail::Run;
    const std::vector<lint::Token> tokens = lint::tokenize(sql);
    std::vector<migration::Statement> statements;
    Run run;
    const auto close = [&](std::size_t end) {
        if (run.first) {
            const lint::Token& first = tokens[*run.first];
            const std::string_view text =
                boundaries_detail::trim_right(sql.substr(first.offset, end - first.offset));
            statements.push_back(migration::Statement{std::string(text), first.line});
        }
        run = Run{};
    };
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        const lint::Token& t = tokens[i];
        const bool punct = t.kind == lint::TokenKind::punctuation;
        if (punct && t.text == ";" && run.parens == 0 && run.blocks == 0) {
            close(t.offset);
            continue;
        }
        if (!run.first) {
            run.first = i;
        }
        if (punct && t.text == "(") {
            ++run.parens;
        } else if (punct && t.text == ")" && run.parens > 0) {
            --run.parens;
        } else if (t.kind == lint::TokenKind::word) {
            if (run.head.size() < 4) {
                run.head.push_back(t.text);
            }
            if (run.parens == 0 && run.routine_definition()) {
                if (t.text == "begin" || (t.text == "case" && run.blocks > 0)) {
                    ++run.blocks;
                } else if (t.text == "end" && run.blocks > 0) {
                    --run.blocks;
                }
            }
        }
    }
    close(sql.size());
    return statements;
}

// Where `split`, the statements of `sql`, disagree with its tokens, described for a test
// failure, or nothing when they agree.
inline std::optional<std::string>
disagreement_with_tokens(std::string_view sql, const std::vector<migration::Statement>& split) {
    std::size_t line = 1;
    std::size_t counted_to = 0;
    std::optional<std::size_t> previous;
    for (const lint::Token& t : lint::tokenize(sql)) {
        if (t.offset >= sql.size() || (previous && t.offset <= *previous)) {
            return "token '" + t.text + "' at offset " + std::to_string(t.offset) +
                   " is out of order";
        }
        for (; counted_to < t.offset; ++counted_to) {
            line += sql[counted_to] == '\n' ? 1u : 0u;
        }
        if (t.line != line) {
            return "token '" + t.text + "' at offset " + std::to_string(t.offset) + " says line " +
                   std::to_string(t.line) + ", the text says " + std::to_string(line);
        }
        previous = t.offset;
    }
    const std::vector<migration::Statement> expected = statements_from_tokens(sql);
    if (expected.size() != split.size()) {
        return "split_sql finds " + std::to_string(split.size()) + " statements, the tokens " +
               std::to_string(expected.size());
    }
    for (std::size_t k = 0; k < expected.size(); ++k) {
        const migration::Statement& got = split[k];
        if (got.text != expected[k].text || got.line != expected[k].line) {
            return "statement " + std::to_string(k + 1) + ": split_sql has line " +
                   std::to_string(got.line) + " [" + got.text + "], the tokens line " +
                   std::to_string(expected[k].line) + " [" + expected[k].text + "]";
        }
    }
    return std::nullopt;
}

// Where split_sql and tokenize() disagree on `sql`, or nothing when they agree or split_sql
// refuses the text.
inline std::optional<std::string> boundary_disagreement(std::string_view sql) {
    const auto split = migration::split_sql(sql);
    if (!split) {
        return std::nullopt;
    }
    return disagreement_with_tokens(sql, *split);
}

} // namespace schemagate::properties
