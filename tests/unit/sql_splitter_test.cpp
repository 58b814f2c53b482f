#include <algorithm>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <schemagate/migration/sql_splitter.hpp>

namespace schemagate::migration {
namespace {

using namespace std::string_literals;

struct Expected {
    std::string text;
    std::size_t line;

    bool operator==(const Expected&) const = default;
};

void PrintTo(const Expected& e, std::ostream* os) {
    *os << "{line " << e.line << ": " << testing::PrintToString(e.text) << "}";
}

std::vector<Expected> as_expected(const std::vector<Statement>& statements) {
    std::vector<Expected> out;
    out.reserve(statements.size());
    for (const auto& s : statements) {
        out.push_back({s.text, s.line});
    }
    return out;
}

template <typename Case> std::string case_name(const testing::TestParamInfo<Case>& param) {
    return param.param.name;
}

struct SplitCase {
    std::string name;
    std::string input;
    std::vector<Expected> statements;
};

void PrintTo(const SplitCase& c, std::ostream* os) {
    *os << c.name;
}

const std::vector<SplitCase> k_split_cases = {
    // Statement boundaries and text.
    {"empty_input", "", {}},
    {"whitespace_only", " \t\n\r\n\f\v ", {}},
    {"single_statement", "SELECT 1;", {{"SELECT 1", 1}}},
    {"final_statement_without_semicolon_is_kept",
     "SELECT 1;\nSELECT 2",
     {{"SELECT 1", 1}, {"SELECT 2", 2}}},
    {"text_is_right_trimmed_before_semicolon", "SELECT 1  \n\t ;", {{"SELECT 1", 1}}},
    {"final_statement_is_right_trimmed", "SELECT 1 \n\n", {{"SELECT 1", 1}}},
    {"leading_whitespace_is_skipped", "\n\n   SELECT 1;", {{"SELECT 1", 3}}},
    {"multiple_statements_on_one_line",
     "SELECT 1; SELECT 2;SELECT 3 ;",
     {{"SELECT 1", 1}, {"SELECT 2", 1}, {"SELECT 3", 1}}},
    {"empty_statements_are_dropped", ";;  ;\n;", {}},
    {"empty_statements_between_real_ones_are_dropped",
     "SELECT 1;;\n;SELECT 2;",
     {{"SELECT 1", 1}, {"SELECT 2", 2}}},
    {"multi_line_statement_keeps_inner_newlines",
     "CREATE TABLE t (\n  id int\n);\nSELECT 2;",
     {{"CREATE TABLE t (\n  id int\n)", 1}, {"SELECT 2", 4}}},

    // Comments around and inside statements.
    {"comment_only_input", "-- nothing here\n/* nor\n here */\n", {}},
    {"trailing_line_comment_is_dropped", "SELECT 1;\n-- done\n", {{"SELECT 1", 1}}},
    {"trailing_line_comment_without_newline_is_dropped", "SELECT 1; -- done", {{"SELECT 1", 1}}},
    {"comment_only_statement_between_semicolons_is_dropped",
     "SELECT 1; /* nothing */ ; -- nor this\n; SELECT 2;",
     {{"SELECT 1", 1}, {"SELECT 2", 2}}},
    {"leading_comment_lines_set_line_of_first_token",
     "-- migration header\n-- second line\n\nCREATE TABLE t (id int);",
     {{"CREATE TABLE t (id int)", 4}}},
    {"leading_multi_line_block_comment_is_skipped", "/* a\nb\n*/ SELECT 1;", {{"SELECT 1", 3}}},
    {"comments_between_statements_set_lines",
     "SELECT 1;\n-- about the next one\n/* more */\nSELECT 2;\n\n-- last\nSELECT 3;",
     {{"SELECT 1", 1}, {"SELECT 2", 4}, {"SELECT 3", 7}}},
    {"comments_inside_statement_are_kept_verbatim",
     "SELECT 1, -- one\n  2 /* two */ ;",
     {{"SELECT 1, -- one\n  2 /* two */", 1}}},
    {"semicolon_in_line_comment",
     "SELECT 1 -- a; b\n;SELECT 2;",
     {{"SELECT 1 -- a; b", 1}, {"SELECT 2", 2}}},
    {"semicolon_in_block_comment",
     "SELECT /* ; */ 1; SELECT 2;",
     {{"SELECT /* ; */ 1", 1}, {"SELECT 2", 1}}},
    {"nested_block_comment_is_one_comment",
     "/* a /* b */ ; still comment */ SELECT 1;",
     {{"SELECT 1", 1}}},
    {"nested_block_comment_inside_statement",
     "SELECT 1 /* x /* y; */ z; */; SELECT 2;",
     {{"SELECT 1 /* x /* y; */ z; */", 1}, {"SELECT 2", 1}}},
    {"slash_star_slash_does_not_close_comment", "/*/ ; */ SELECT 1;", {{"SELECT 1", 1}}},
    {"empty_block_comment", "/**/SELECT 1;", {{"SELECT 1", 1}}},
    {"dash_dash_inside_block_comment_is_plain", "/* -- */ SELECT 1;", {{"SELECT 1", 1}}},
    {"slash_star_inside_line_comment_is_plain", "-- /*\nSELECT 1;", {{"SELECT 1", 2}}},
    {"dash_dash_after_operator_starts_comment",
     "SELECT 2 +--1; \n 3;",
     {{"SELECT 2 +--1; \n 3", 1}}},
    {"single_dash_is_not_a_comment",
     "SELECT 2 - 1; SELECT 3;",
     {{"SELECT 2 - 1", 1}, {"SELECT 3", 1}}},
    {"line_comment_ends_at_bare_carriage_return", "-- c\rSELECT 1;", {{"SELECT 1", 1}}},

    // Line endings.
    {"crlf_line_endings", "SELECT 1;\r\n-- c\r\nSELECT 2;\r\n", {{"SELECT 1", 1}, {"SELECT 2", 3}}},
    {"crlf_inside_statement_is_kept_and_trailing_crlf_trimmed",
     "SELECT\r\n  1\r\n;\r\nSELECT 2\r\n",
     {{"SELECT\r\n  1", 1}, {"SELECT 2", 4}}},

    // Standard strings: standard_conforming_strings = on.
    {"semicolon_in_string", "SELECT 'a;b'; SELECT 2;", {{"SELECT 'a;b'", 1}, {"SELECT 2", 1}}},
    {"doubled_quote_in_string",
     "SELECT 'it''s; fine'; SELECT 2;",
     {{"SELECT 'it''s; fine'", 1}, {"SELECT 2", 1}}},
    {"empty_string", "SELECT ''; SELECT 2;", {{"SELECT ''", 1}, {"SELECT 2", 1}}},
    {"backslash_is_not_an_escape_in_standard_string",
     R"(SELECT 'C:\'; SELECT 2;)",
     {{R"(SELECT 'C:\')", 1}, {"SELECT 2", 1}}},
    {"comment_starts_inside_string_are_plain",
     "SELECT '--', '/*'; SELECT 2;",
     {{"SELECT '--', '/*'", 1}, {"SELECT 2", 1}}},
    {"double_quote_inside_string_is_plain",
     R"(SELECT '"'; SELECT 2;)",
     {{R"(SELECT '"')", 1}, {"SELECT 2", 1}}},
    {"multi_line_string_advances_lines",
     "SELECT 'a\nb\nc';\nSELECT 2;",
     {{"SELECT 'a\nb\nc'", 1}, {"SELECT 2", 4}}},
    {"adjacent_strings_split_by_newline",
     "SELECT 'a;'\n'b;';\nSELECT 2;",
     {{"SELECT 'a;'\n'b;'", 1}, {"SELECT 2", 3}}},

    // Escape strings and other prefixed strings.
    {"escape_string_backslash_quote",
     R"(SELECT E'it\'s; ok'; SELECT 2;)",
     {{R"(SELECT E'it\'s; ok')", 1}, {"SELECT 2", 1}}},
    {"lowercase_escape_string_prefix",
     R"(SELECT e'\'; still'; SELECT 2;)",
     {{R"(SELECT e'\'; still')", 1}, {"SELECT 2", 1}}},
    {"escape_string_double_backslash_ends_before_quote",
     R"(SELECT E'a\\'; SELECT 2;)",
     {{R"(SELECT E'a\\')", 1}, {"SELECT 2", 1}}},
    {"escape_string_doubled_quote",
     R"(SELECT E'a''b;c'; SELECT 2;)",
     {{R"(SELECT E'a''b;c')", 1}, {"SELECT 2", 1}}},
    {"escape_string_backslash_newline",
     "SELECT E'a\\\n;'; SELECT 2;",
     {{"SELECT E'a\\\n;'", 1}, {"SELECT 2", 2}}},
    {"e_ending_an_identifier_is_not_a_prefix",
     R"(SELECT somee'\'; SELECT 2;)",
     {{R"(SELECT somee'\')", 1}, {"SELECT 2", 1}}},
    {"e_after_a_digit_is_not_a_prefix",
     R"(SELECT 1e'\'; SELECT 2;)",
     {{R"(SELECT 1e'\')", 1}, {"SELECT 2", 1}}},
    // psql 15 reads "1.e" as one number (the server: "trailing junk after numeric literal"),
    // so the string after it is a standard one; split_sql read an E'' string there.
    {"e_after_a_decimal_point_is_not_a_prefix",
     R"(SELECT 1.e'\'; SELECT 2;)",
     {{R"(SELECT 1.e'\')", 1}, {"SELECT 2", 1}}},
    {"e_after_two_dots_is_a_prefix",
     R"(SELECT 1..e'\';'; SELECT 2;)",
     {{R"(SELECT 1..e'\';')", 1}, {"SELECT 2", 1}}},
    {"bit_string", "SELECT B'10;1'; SELECT 2;", {{"SELECT B'10;1'", 1}, {"SELECT 2", 1}}},
    {"hex_string", "SELECT x'1F;'; SELECT 2;", {{"SELECT x'1F;'", 1}, {"SELECT 2", 1}}},
    {"national_string_treats_backslash_literally",
     R"(SELECT N'x;\'; SELECT 2;)",
     {{R"(SELECT N'x;\')", 1}, {"SELECT 2", 1}}},
    {"unicode_string_treats_backslash_literally",
     R"(SELECT U&'d\0061t;\'; SELECT 2;)",
     {{R"(SELECT U&'d\0061t;\')", 1}, {"SELECT 2", 1}}},
    {"unicode_identifier",
     R"(SELECT 1 AS U&"a;\0062"; SELECT 2;)",
     {{R"(SELECT 1 AS U&"a;\0062")", 1}, {"SELECT 2", 1}}},
    // psql reads a prefixed string as a string, never as an identifier, so it does not count
    // towards CREATE [OR REPLACE] FUNCTION: this is one statement to psql (checked with psql 15).
    {"prefixed_string_is_not_a_word_of_the_routine_head",
     "CREATE X'00' FUNCTION f() BEGIN ATOMIC SELECT 1; END; SELECT 2;",
     {{"CREATE X'00' FUNCTION f() BEGIN ATOMIC SELECT 1; END", 1}, {"SELECT 2", 1}}},

    // Quoted identifiers.
    {"semicolon_in_quoted_identifier",
     R"(SELECT 1 AS "a;b"; SELECT 2;)",
     {{R"(SELECT 1 AS "a;b")", 1}, {"SELECT 2", 1}}},
    {"doubled_double_quote_in_identifier",
     R"(SELECT 1 AS "a""; b"; SELECT 2;)",
     {{R"(SELECT 1 AS "a""; b")", 1}, {"SELECT 2", 1}}},
    {"single_quote_in_quoted_identifier",
     R"(SELECT 1 AS "it's"; SELECT 2;)",
     {{R"(SELECT 1 AS "it's")", 1}, {"SELECT 2", 1}}},
    {"comment_starts_in_quoted_identifier",
     R"(SELECT 1 AS "--/*"; SELECT 2;)",
     {{R"(SELECT 1 AS "--/*")", 1}, {"SELECT 2", 1}}},

    // Dollar quoting.
    {"semicolon_in_dollar_body",
     "SELECT $$a;b$$; SELECT 2;",
     {{"SELECT $$a;b$$", 1}, {"SELECT 2", 1}}},
    {"tagged_dollar_body",
     "CREATE FUNCTION f() RETURNS int AS $fn$ SELECT 1; $fn$ LANGUAGE sql; SELECT 2;",
     {{"CREATE FUNCTION f() RETURNS int AS $fn$ SELECT 1; $fn$ LANGUAGE sql", 1}, {"SELECT 2", 1}}},
    {"other_tags_and_empty_tag_are_plain_inside_tagged_body",
     "SELECT $a$ $b$ ; $$ ; $b$ $a$; SELECT 2;",
     {{"SELECT $a$ $b$ ; $$ ; $b$ $a$", 1}, {"SELECT 2", 1}}},
    {"tagged_delimiter_is_plain_inside_empty_tag_body",
     "SELECT $$ $a$ ; $$; SELECT 2;",
     {{"SELECT $$ $a$ ; $$", 1}, {"SELECT 2", 1}}},
    {"dollar_tags_are_case_sensitive",
     "SELECT $A$ ; $a$ ; $A$; SELECT 2;",
     {{"SELECT $A$ ; $a$ ; $A$", 1}, {"SELECT 2", 1}}},
    {"closing_tag_may_follow_a_failed_tag",
     "SELECT $a$ ;$x$a$; SELECT 2;",
     {{"SELECT $a$ ;$x$a$", 1}, {"SELECT 2", 1}}},
    {"dollar_tag_with_underscore_and_digits",
     "SELECT $_x1$ ; $_x1$; SELECT 2;",
     {{"SELECT $_x1$ ; $_x1$", 1}, {"SELECT 2", 1}}},
    {"dollar_tag_with_non_ascii_bytes",
     "SELECT $\xc3\xa9$ ; $\xc3\xa9$; SELECT 2;",
     {{"SELECT $\xc3\xa9$ ; $\xc3\xa9$", 1}, {"SELECT 2", 1}}},
    {"quotes_and_comments_are_plain_in_dollar_body",
     "SELECT $$ ' \" -- /* $$; SELECT 2;",
     {{"SELECT $$ ' \" -- /* $$", 1}, {"SELECT 2", 1}}},
    {"dollar_body_directly_after_punctuation", "SELECT($$;$$);", {{"SELECT($$;$$)", 1}}},
    {"multi_line_dollar_body_advances_lines",
     "SELECT $$\n;\n$$;\nSELECT 2;",
     {{"SELECT $$\n;\n$$", 1}, {"SELECT 2", 4}}},
    {"positional_parameters_are_not_dollar_quotes",
     "PREPARE p AS SELECT $1;EXECUTE p($2);",
     {{"PREPARE p AS SELECT $1", 1}, {"EXECUTE p($2)", 1}}},
    {"positional_parameter_next_to_empty_tag",
     "SELECT $1, $$;$$; SELECT 2;",
     {{"SELECT $1, $$;$$", 1}, {"SELECT 2", 1}}},
    {"dollar_inside_identifier_is_not_a_quote",
     "SELECT foo$bar$ FROM t; SELECT 2;",
     {{"SELECT foo$bar$ FROM t", 1}, {"SELECT 2", 1}}},
    {"double_dollar_ending_identifier_is_not_a_quote",
     "SELECT a$$ FROM t; SELECT 2;",
     {{"SELECT a$$ FROM t", 1}, {"SELECT 2", 1}}},
    {"dollar_tag_without_closing_dollar_is_plain",
     "SELECT $abc; SELECT 2;",
     {{"SELECT $abc", 1}, {"SELECT 2", 1}}},
    {"text_after_a_lone_dollar_is_rescanned",
     R"(SELECT $e'\';'; SELECT 2;)",
     {{R"(SELECT $e'\';')", 1}, {"SELECT 2", 1}}},
    {"lone_dollar_is_plain", "SELECT $ ; SELECT 2;", {{"SELECT $", 1}, {"SELECT 2", 1}}},
    {"plpgsql_do_block",
     "DO $do$\nDECLARE\n  n int;\nBEGIN\n  IF n IS NULL THEN\n    n := 1;\n  END IF;\nEND\n$do$;\n"
     "SELECT 2;",
     {{"DO $do$\nDECLARE\n  n int;\nBEGIN\n  IF n IS NULL THEN\n    n := 1;\n  END IF;\nEND\n$do$",
       1},
      {"SELECT 2", 10}}},
    {"plpgsql_function_body_keywords_are_not_counted",
     "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN NULL; END $$;\nSELECT 2;",
     {{"CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN NULL; END $$", 1},
      {"SELECT 2", 2}}},

    // SQL-standard function bodies.
    {"begin_atomic_with_case_stays_one_statement",
     "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT a + 1;\n"
     "  SELECT CASE WHEN a > 0 THEN 1 ELSE 0 END;\nEND;\nSELECT 2;",
     {{"CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT a + 1;\n"
       "  SELECT CASE WHEN a > 0 THEN 1 ELSE 0 END;\nEND",
       1},
      {"SELECT 2", 6}}},
    {"begin_atomic_with_nested_case",
     "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN "
     "CASE WHEN false THEN 1 END END; SELECT 3; END; SELECT 2;",
     {{"CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN "
       "CASE WHEN false THEN 1 END END; SELECT 3; END",
       1},
      {"SELECT 2", 1}}},
    {"create_or_replace_procedure_begin_atomic",
     "CREATE OR REPLACE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); "
     "INSERT INTO t VALUES (2); END;\nSELECT 2;",
     {{"CREATE OR REPLACE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); "
       "INSERT INTO t VALUES (2); END",
       1},
      {"SELECT 2", 2}}},
    {"create_procedure_begin_atomic",
     "CREATE PROCEDURE p() BEGIN ATOMIC SELECT 1; END; SELECT 2;",
     {{"CREATE PROCEDURE p() BEGIN ATOMIC SELECT 1; END", 1}, {"SELECT 2", 1}}},
    {"begin_atomic_keywords_match_ignoring_case",
     "create or replace function f() returns int language sql begin atomic select 1; end; "
     "select 2;",
     {{"create or replace function f() returns int language sql begin atomic select 1; end", 1},
      {"select 2", 1}}},
    {"begin_atomic_after_leading_comment",
     "-- the function\nCREATE /* c */ FUNCTION f() RETURNS int BEGIN ATOMIC SELECT 1; END; "
     "SELECT 2;",
     {{"CREATE /* c */ FUNCTION f() RETURNS int BEGIN ATOMIC SELECT 1; END", 2}, {"SELECT 2", 2}}},
    {"case_inside_parentheses_in_body",
     "CREATE FUNCTION f() RETURNS int BEGIN ATOMIC SELECT (CASE WHEN true THEN 1 END); END; "
     "SELECT 2;",
     {{"CREATE FUNCTION f() RETURNS int BEGIN ATOMIC SELECT (CASE WHEN true THEN 1 END); END", 1},
      {"SELECT 2", 1}}},
    {"case_outside_begin_block_in_function",
     "CREATE FUNCTION f() RETURNS int LANGUAGE sql RETURN CASE WHEN true THEN 1 END; SELECT 2;",
     {{"CREATE FUNCTION f() RETURNS int LANGUAGE sql RETURN CASE WHEN true THEN 1 END", 1},
      {"SELECT 2", 1}}},
    {"case_without_end_outside_begin_block_does_not_hold_the_statement",
     "CREATE FUNCTION f() RETURNS int RETURN CASE WHEN true THEN 1;\nSELECT 2;",
     {{"CREATE FUNCTION f() RETURNS int RETURN CASE WHEN true THEN 1", 1}, {"SELECT 2", 2}}},
    {"alter_function_is_not_a_routine_definition",
     "ALTER FUNCTION begin() RENAME TO start; SELECT 2;",
     {{"ALTER FUNCTION begin() RENAME TO start", 1}, {"SELECT 2", 1}}},
    {"keywords_in_strings_comments_and_identifiers_of_function_are_ignored",
     R"(CREATE FUNCTION "begin"() RETURNS text /* begin */ RETURN 'begin' -- begin)"
     "\n; SELECT 2;",
     {{R"(CREATE FUNCTION "begin"() RETURNS text /* begin */ RETURN 'begin' -- begin)", 1},
      {"SELECT 2", 2}}},
    {"keywords_match_whole_words_only",
     "CREATE FUNCTION beginning() RETURNS int RETURN begin_x + endless; SELECT 2;",
     {{"CREATE FUNCTION beginning() RETURNS int RETURN begin_x + endless", 1}, {"SELECT 2", 1}}},
    {"begin_inside_parentheses_of_function_is_ignored",
     "CREATE FUNCTION f(begin int) RETURNS int RETURN 1; SELECT 2;",
     {{"CREATE FUNCTION f(begin int) RETURNS int RETURN 1", 1}, {"SELECT 2", 1}}},
    {"plain_transaction_splits",
     "BEGIN;\nINSERT INTO t VALUES (1);\nCOMMIT;",
     {{"BEGIN", 1}, {"INSERT INTO t VALUES (1)", 2}, {"COMMIT", 3}}},
    {"begin_case_end_outside_routines_do_not_matter",
     "BEGIN; SELECT CASE WHEN true THEN 1 END; END;",
     {{"BEGIN", 1}, {"SELECT CASE WHEN true THEN 1 END", 1}, {"END", 1}}},
    {"begin_in_create_table_does_not_matter",
     "CREATE TABLE begin (x int); SELECT 2;",
     {{"CREATE TABLE begin (x int)", 1}, {"SELECT 2", 1}}},
    {"routine_tracking_resets_after_each_statement",
     "CREATE FUNCTION f() RETURNS int BEGIN ATOMIC SELECT 1; END;\nBEGIN;\nCOMMIT;",
     {{"CREATE FUNCTION f() RETURNS int BEGIN ATOMIC SELECT 1; END", 1},
      {"BEGIN", 2},
      {"COMMIT", 3}}},

    // Parentheses, as psql counts them.
    {"semicolon_inside_parentheses_does_not_split",
     "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b "
     "VALUES (2)); SELECT 2;",
     {{"CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b "
       "VALUES (2))",
       1},
      {"SELECT 2", 1}}},
    {"unbalanced_close_parenthesis_is_ignored",
     "SELECT 1); SELECT 2;",
     {{"SELECT 1)", 1}, {"SELECT 2", 1}}},
    {"parentheses_in_strings_and_comments_are_not_counted",
     "SELECT '(' /* ( */ -- (\n; SELECT 2;",
     {{"SELECT '(' /* ( */ -- (", 1}, {"SELECT 2", 2}}},

    // Unusual bytes.
    {"non_ascii_identifier_with_e_prefix_lookalike",
     "SELECT \xc3\xa9"
     "e'\\'; SELECT 2;",
     {{"SELECT \xc3\xa9"
       "e'\\'",
       1},
      {"SELECT 2", 1}}},
};

class SplitTable : public testing::TestWithParam<SplitCase> {};

TEST_P(SplitTable, splits_into_expected_statements) {
    const SplitCase& c = GetParam();
    const auto result = split_sql(c.input);
    ASSERT_TRUE(result.has_value())
        << "line " << result.error().line << ": " << result.error().message;
    EXPECT_EQ(as_expected(*result), c.statements);
}

INSTANTIATE_TEST_SUITE_P(SqlSplitter, SplitTable, testing::ValuesIn(k_split_cases),
                         case_name<SplitCase>);

struct ErrorCase {
    std::string name;
    std::string input;
    std::size_t line;
    std::string message;
};

void PrintTo(const ErrorCase& c, std::ostream* os) {
    *os << c.name;
}

const std::vector<ErrorCase> k_error_cases = {
    {"unterminated_string", "SELECT 1;\nSELECT 'abc;\n", 2, "unterminated quoted string"},
    {"unterminated_string_after_doubled_quote", "SELECT 'it''", 1, "unterminated quoted string"},
    {"unterminated_string_reports_its_start_line", "SELECT 1;\n\nSELECT '\n\n\n", 3,
     "unterminated quoted string"},
    {"unterminated_string_reports_its_line_not_the_statements", "SELECT\n1,\n'abc", 3,
     "unterminated quoted string"},
    {"unterminated_escape_string_escaped_quote", R"(SELECT E'abc\';)", 1,
     "unterminated quoted string"},
    {"unterminated_escape_string_trailing_backslash", R"(SELECT E'abc\)", 1,
     "unterminated quoted string"},
    {"unterminated_bit_string", "SELECT B'101", 1, "unterminated quoted string"},
    {"unterminated_hex_string", "SELECT X'1F", 1, "unterminated quoted string"},
    {"unterminated_national_string", "SELECT N'x", 1, "unterminated quoted string"},
    {"unterminated_unicode_string", "SELECT U&'x", 1, "unterminated quoted string"},
    {"lone_quote", "'", 1, "unterminated quoted string"},
    {"unterminated_quoted_identifier", "\n\nSELECT \"abc;", 3, "unterminated quoted identifier"},
    {"unterminated_quoted_identifier_after_doubled_quote", R"(SELECT "a"")", 1,
     "unterminated quoted identifier"},
    {"unterminated_unicode_identifier", R"(SELECT U&"x)", 1, "unterminated quoted identifier"},
    {"unterminated_block_comment", "SELECT 1;\n/* a\n b", 2, "unterminated block comment"},
    {"unterminated_nested_block_comment", "/* a /* b */ c", 1, "unterminated block comment"},
    {"block_comment_opener_at_end", "SELECT 1 /*", 1, "unterminated block comment"},
    {"slash_star_slash_is_unterminated", "/*/", 1, "unterminated block comment"},
    {"unterminated_tagged_dollar_body", "DO $fn$ BEGIN END; $fx$;", 1,
     "unterminated dollar-quoted string $fn$"},
    {"unterminated_empty_tag_dollar_body", "SELECT 1;\nSELECT $$ abc\n", 2,
     "unterminated dollar-quoted string $$"},
    {"dollar_tag_closing_with_different_case_is_unterminated", "SELECT $Fn$ x $fn$;", 1,
     "unterminated dollar-quoted string $Fn$"},
    {"error_inside_begin_atomic_body",
     "CREATE FUNCTION f() RETURNS int BEGIN ATOMIC\nSELECT 'x;\nEND;", 2,
     "unterminated quoted string"},

    // The server would end the statement at a NUL byte and run less than the text says: no
    // statement may be cut from such text, wherever the NUL is.
    {"nul_byte_in_a_statement", "SELECT 1;\nDELETE FROM t \0 WHERE id = 1;"s, 2, "a NUL byte"},
    {"nul_byte_in_a_string", "SELECT '\0;';"s, 1, "a NUL byte"},
    {"nul_byte_in_a_comment", "SELECT 1;\n\n-- \0\n"s, 3, "a NUL byte"},
    {"nul_byte_after_an_unterminated_string", "SELECT 'x;\n\0"s, 2, "a NUL byte"},
};

class ErrorTable : public testing::TestWithParam<ErrorCase> {};

TEST_P(ErrorTable, reports_unterminated_construct) {
    const ErrorCase& c = GetParam();
    const auto result = split_sql(c.input);
    ASSERT_FALSE(result.has_value()) << "split into " << result->size() << " statements";
    EXPECT_EQ(result.error().line, c.line);
    EXPECT_NE(result.error().message.find(c.message), std::string::npos)
        << "message: " << result.error().message;
}

INSTANTIATE_TEST_SUITE_P(SqlSplitter, ErrorTable, testing::ValuesIn(k_error_cases),
                         case_name<ErrorCase>);

constexpr char k_whitespace[] = " \t\n\r\f\v";

// The invariants every split must keep, whatever the input.
void expect_well_formed(const std::string& input,
                        const tl::expected<std::vector<Statement>, SplitError>& result) {
    const std::size_t lines =
        1 + static_cast<std::size_t>(std::count(input.begin(), input.end(), '\n'));
    if (!result) {
        EXPECT_GE(result.error().line, 1U);
        EXPECT_LE(result.error().line, lines);
        const bool nul = input.find('\0') != std::string::npos;
        EXPECT_EQ(result.error().message.rfind(nul ? "a NUL byte" : "unterminated ", 0), 0U)
            << result.error().message;
        EXPECT_EQ(check_sql(input).has_value(), false);
        return;
    }
    EXPECT_TRUE(check_sql(input).has_value());
    std::size_t from = 0;
    for (const auto& s : *result) {
        ASSERT_FALSE(s.text.empty());
        EXPECT_EQ(std::string_view(k_whitespace).find(s.text.front()), std::string_view::npos);
        EXPECT_EQ(std::string_view(k_whitespace).find(s.text.back()), std::string_view::npos);
        EXPECT_GE(s.line, 1U);
        EXPECT_LE(s.line, lines);
        const std::size_t at = input.find(s.text, from);
        ASSERT_NE(at, std::string::npos) << "statement text is not a piece of the input, in order";
        from = at + s.text.size();
    }
}

TEST(SqlSplitter, message_is_exact_for_a_nul_byte) {
    const auto result = split_sql("SELECT 1;\nSELECT 2 \0;"s);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().line, 2U);
    EXPECT_EQ(result.error().message,
              "a NUL byte, where the server would end the statement; remove it");
}

// check_sql accepts and refuses what split_sql does, and reports the comments alone on their
// lines at the top level, where a migration's directive would be.
TEST(CheckSql, ReportsWholeLineCommentsOutsideStringsAndBodies) {
    const std::string sql = "-- one\n"
                            "SELECT 1; -- trailing\n"
                            "  \t-- two: indented\r\n"
                            "SELECT '\n-- in a string\n', $$\n-- in a body\n$$, \"\n-- ident\n\";\n"
                            "/* -- in a block comment\n-- still in it */\n"
                            "CREATE TABLE t (\n"
                            "-- three\n"
                            "id int);\n"
                            "--";
    std::vector<std::pair<std::string, std::size_t>> seen;
    const auto checked = check_sql(
        sql, [&](const LineComment& c) { seen.emplace_back(std::string(c.text), c.line); });
    ASSERT_TRUE(checked.has_value()) << checked.error().message;
    EXPECT_EQ(seen, (std::vector<std::pair<std::string, std::size_t>>{
                        {"-- one", 1}, {"-- two: indented", 3}, {"-- three", 14}, {"--", 16}}));
}

TEST(CheckSql, RefusesWhatSplitSqlRefuses) {
    const auto checked = check_sql("SELECT 1;\nSELECT 'x;\n");
    ASSERT_FALSE(checked.has_value());
    EXPECT_EQ(checked.error().line, 2U);
    EXPECT_EQ(checked.error().message, "unterminated quoted string");
    EXPECT_FALSE(check_sql("SELECT \0;"s).has_value());
}

TEST(SqlSplitter, message_is_exact_for_dollar_tag) {
    const auto result = split_sql("SELECT 1;\n\nDO $body$\nBEGIN\n");
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().line, 3U);
    EXPECT_EQ(result.error().message, "unterminated dollar-quoted string $body$");
}

TEST(SqlSplitter, realistic_migration_keeps_statement_lines) {
    const std::string sql = "-- +up\n"
                            "-- create the accounts table\n"
                            "CREATE TABLE accounts (\n"
                            "    id bigserial PRIMARY KEY,\n"
                            "    email text NOT NULL, -- unique below; see index\n"
                            "    note text DEFAULT 'n/a; none'\n"
                            ");\n"
                            "\n"
                            "CREATE UNIQUE INDEX accounts_email ON accounts (lower(email));\n"
                            "\n"
                            "/* keep updated_at fresh */\n"
                            "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                            "BEGIN\n"
                            "    NEW.updated_at := now();\n"
                            "    RETURN NEW;\n"
                            "END;\n"
                            "$$;\n"
                            "CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql\n"
                            "BEGIN ATOMIC\n"
                            "    SELECT a + b;\n"
                            "END;\n";
    const auto result = split_sql(sql);
    ASSERT_TRUE(result.has_value()) << result.error().message;
    ASSERT_EQ(result->size(), 4U);
    EXPECT_EQ((*result)[0].line, 3U);
    EXPECT_EQ((*result)[1].line, 9U);
    EXPECT_EQ((*result)[2].line, 12U);
    EXPECT_EQ((*result)[3].line, 18U);
    EXPECT_EQ((*result)[1].text, "CREATE UNIQUE INDEX accounts_email ON accounts (lower(email))");
    EXPECT_EQ((*result)[3].text, "CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql\n"
                                 "BEGIN ATOMIC\n"
                                 "    SELECT a + b;\n"
                                 "END");
}

TEST(SqlSplitter, deeply_nested_block_comments_do_not_exhaust_the_stack) {
    constexpr std::size_t k_depth = 200000;
    std::string sql;
    for (std::size_t i = 0; i < k_depth; ++i) {
        sql += "/*";
    }
    for (std::size_t i = 0; i < k_depth; ++i) {
        sql += "*/";
    }
    sql += "SELECT 1;";
    const auto result = split_sql(sql);
    ASSERT_TRUE(result.has_value()) << result.error().message;
    ASSERT_EQ(result->size(), 1U);
    EXPECT_EQ((*result)[0].text, "SELECT 1");
}

TEST(SqlSplitter, long_dollar_tag_with_many_near_misses_is_found) {
    const std::string tag = "$" + std::string(2000, 't') + "$";
    std::string body;
    for (int i = 0; i < 1000; ++i) {
        body += "$" + std::string(1999, 't') + ";";
    }
    const std::string sql = "SELECT " + tag + body + tag + "; SELECT 2;";
    const auto result = split_sql(sql);
    ASSERT_TRUE(result.has_value()) << result.error().message;
    ASSERT_EQ(result->size(), 2U);
    EXPECT_EQ((*result)[1].text, "SELECT 2");
}

TEST(SqlSplitter, every_one_and_two_byte_input_is_handled) {
    for (int a = 0; a < 256; ++a) {
        const std::string one(1, static_cast<char>(a));
        SCOPED_TRACE(testing::PrintToString(one));
        expect_well_formed(one, split_sql(one));
        for (int b = 0; b < 256; ++b) {
            const std::string two{static_cast<char>(a), static_cast<char>(b)};
            SCOPED_TRACE(testing::PrintToString(two));
            expect_well_formed(two, split_sql(two));
        }
    }
}

TEST(SqlSplitter, random_token_soup_keeps_invariants) {
    static const std::vector<std::string> k_pieces = {
        "SELECT", " ",        "\n",      "\r\n",     ";",         "'",     "''",   "\"",   "E'",
        "e'",     "\\",       "$$",      "$a$",      "$b$",       "$1",    "$",    "a",    "foo$",
        "--",     "/*",       "*/",      "(",        ")",         "BEGIN", "END",  "CASE", "ATOMIC",
        "CREATE", "OR",       "REPLACE", "FUNCTION", "PROCEDURE", "U&'",   "U&\"", "B'",   "X'",
        "N'",     "\xc3\xa9", "\0"s,     "1",        "\r",
    };
    std::uint32_t state = 12345;
    const auto next = [&state] {
        state = state * 1664525U + 1013904223U;
        return state >> 8;
    };
    for (int round = 0; round < 3000; ++round) {
        std::string sql;
        const std::uint32_t length = next() % 40;
        for (std::uint32_t i = 0; i < length; ++i) {
            sql += k_pieces[next() % k_pieces.size()];
        }
        SCOPED_TRACE(testing::PrintToString(sql));
        expect_well_formed(sql, split_sql(sql));
    }
}

} // namespace
} // namespace schemagate::migration
