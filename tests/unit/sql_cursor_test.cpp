#include <fstream>
#include <iterator>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "statement_boundaries.hpp"

#include <schemagate/migration/sql_cursor.hpp>

namespace schemagate::migration {
namespace {

// A lexeme as the tests spell it: kind, text, line, and whether it was closed.
struct Seen {
    LexemeKind kind;
    std::string text;
    std::size_t line = 1;
    bool terminated = true;

    bool operator==(const Seen&) const = default;
};

void PrintTo(const Seen& s, std::ostream* os) {
    *os << "{kind " << static_cast<int>(s.kind) << ", " << ::testing::PrintToString(s.text)
        << ", line " << s.line << (s.terminated ? "" : ", unterminated") << "}";
}

std::vector<Seen> lex(std::string_view sql) {
    std::vector<Seen> seen;
    SqlCursor cursor(sql);
    while (const auto l = cursor.next()) {
        EXPECT_EQ(sql.substr(l->offset, l->text.size()), l->text);
        seen.push_back({l->kind, std::string(l->text), l->line, l->terminated});
    }
    return seen;
}

using K = LexemeKind;

TEST(SqlCursor, ReadsWordsNumbersParametersAndPunctuation) {
    EXPECT_EQ(lex("SELECT a$b, 42 + $1 FROM t_1;"), (std::vector<Seen>{{K::word, "SELECT"},
                                                                       {K::word, "a$b"},
                                                                       {K::punctuation, ","},
                                                                       {K::number, "42"},
                                                                       {K::punctuation, "+"},
                                                                       {K::parameter, "$1"},
                                                                       {K::word, "FROM"},
                                                                       {K::word, "t_1"},
                                                                       {K::punctuation, ";"}}));
}

TEST(SqlCursor, NonAsciiBytesAreLetters) {
    EXPECT_EQ(
        lex("caf\xc3\xa9 $\xc3\xa9$x$\xc3\xa9$"),
        (std::vector<Seen>{{K::word, "caf\xc3\xa9"}, {K::dollar_string, "$\xc3\xa9$x$\xc3\xa9$"}}));
}

TEST(SqlCursor, ANumberTakesADecimalPartAndTrailingLettersAsPsqlDoes) {
    EXPECT_EQ(lex("1e'x' 1.75 1.e'y' 1..e'z' 2a.5 $2e"),
              (std::vector<Seen>{{K::number, "1e"},
                                 {K::string, "'x'"},
                                 {K::number, "1.75"},
                                 {K::number, "1.e"},
                                 {K::string, "'y'"},
                                 {K::number, "1"},
                                 {K::punctuation, "."},
                                 {K::punctuation, "."},
                                 {K::string, "e'z'"},
                                 {K::number, "2a"},
                                 {K::punctuation, "."},
                                 {K::number, "5"},
                                 {K::parameter, "$2e"}}));
}

TEST(SqlCursor, CommentsAreLexemesAndBlockCommentsNest) {
    EXPECT_EQ(lex("a -- one; two\r b /* x /* y */ z; */ c"),
              (std::vector<Seen>{{K::word, "a"},
                                 {K::line_comment, "-- one; two"},
                                 {K::word, "b"},
                                 {K::block_comment, "/* x /* y */ z; */"},
                                 {K::word, "c"}}));
}

TEST(SqlCursor, StandardStringsKeepBackslashesAndEscapeStringsDoNot) {
    EXPECT_EQ(lex(R"('C:\' 'it''s' E'it\'s' e'\\')"), (std::vector<Seen>{{K::string, R"('C:\')"},
                                                                         {K::string, "'it''s'"},
                                                                         {K::string, R"(E'it\'s')"},
                                                                         {K::string, R"(e'\\')"}}));
}

TEST(SqlCursor, PrefixedStringsAndIdentifiersAreOneLexeme) {
    EXPECT_EQ(lex(R"(B'01' x'1f' N'x\' U&'d\0061' u&"a""b" somee'z')"),
              (std::vector<Seen>{{K::string, "B'01'"},
                                 {K::string, "x'1f'"},
                                 {K::string, R"(N'x\')"},
                                 {K::string, R"(U&'d\0061')"},
                                 {K::quoted_identifier, R"(u&"a""b")"},
                                 {K::word, "somee"},
                                 {K::string, "'z'"}}));
}

TEST(SqlCursor, DollarQuotesNeedAMatchingTagAndALoneDollarIsPunctuation) {
    EXPECT_EQ(lex("$a$ $b$ ; $a$ $$x$$ $ x $1a"),
              (std::vector<Seen>{{K::dollar_string, "$a$ $b$ ; $a$"},
                                 {K::dollar_string, "$$x$$"},
                                 {K::punctuation, "$"},
                                 {K::word, "x"},
                                 {K::parameter, "$1a"}}));
}

TEST(SqlCursor, LinesCountBreaksInsideEveryMultiLineLexeme) {
    const auto seen = lex("a\n'b\nc' /*\n*/ $$\n\n$$ \"d\ne\" -- f\ng");
    ASSERT_EQ(seen.size(), 7u);
    EXPECT_EQ(seen[0].line, 1u);
    EXPECT_EQ(seen[1].line, 2u); // the string
    EXPECT_EQ(seen[2].line, 3u); // the block comment
    EXPECT_EQ(seen[3].line, 4u); // the dollar body
    EXPECT_EQ(seen[4].line, 6u); // the quoted identifier
    EXPECT_EQ(seen[5].line, 7u); // the line comment
    EXPECT_EQ(seen[6].line, 8u);
}

TEST(SqlCursor, UnterminatedConstructsRunToTheEndWithTheirStartLine) {
    EXPECT_EQ(lex("a\n'b;\nc"),
              (std::vector<Seen>{{K::word, "a"}, {K::string, "'b;\nc", 2, false}}));
    EXPECT_EQ(lex("E'x\\'"), (std::vector<Seen>{{K::string, "E'x\\'", 1, false}}));
    EXPECT_EQ(lex("E'x\\"), (std::vector<Seen>{{K::string, "E'x\\", 1, false}}));
    EXPECT_EQ(lex("\"a\"\""), (std::vector<Seen>{{K::quoted_identifier, "\"a\"\"", 1, false}}));
    EXPECT_EQ(lex("/* /* */"), (std::vector<Seen>{{K::block_comment, "/* /* */", 1, false}}));
    EXPECT_EQ(lex("$t$ x $u$"), (std::vector<Seen>{{K::dollar_string, "$t$ x $u$", 1, false}}));
}

TEST(SqlCursor, KnowsTheCurrentLineAndWhatStartsALine) {
    const std::string_view sql = "a\n  -- b\nc -- d\n";
    SqlCursor cursor(sql);
    ASSERT_TRUE(cursor.next()); // a
    const auto whole_line = cursor.next();
    ASSERT_TRUE(whole_line);
    EXPECT_TRUE(cursor.first_on_line(whole_line->offset));
    EXPECT_EQ(cursor.line(), 2u);
    ASSERT_TRUE(cursor.next()); // c
    const auto trailing = cursor.next();
    ASSERT_TRUE(trailing);
    EXPECT_FALSE(cursor.first_on_line(trailing->offset));
    EXPECT_FALSE(cursor.next());
    EXPECT_EQ(cursor.line(), 4u);
}

// --- the splitter and lint's tokens agree on statement boundaries ---

std::string read_fixture(const std::string& relative) {
    std::ifstream in(std::string(SCHEMAGATE_SOURCE_DIR) + "/" + relative, std::ios::binary);
    EXPECT_TRUE(in) << relative;
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(StatementBoundaries, AgreeOnTheSplitterTortureFixture) {
    const std::string sql = read_fixture("tests/fixtures/splitter_torture/001_torture.sql");
    ASSERT_TRUE(split_sql(sql));
    EXPECT_GE(split_sql(sql)->size(), 10u);
    EXPECT_EQ(properties::boundary_disagreement(sql), std::nullopt);
}

TEST(StatementBoundaries, AgreeOnTrickyText) {
    for (const std::string_view sql : {
             "SELECT 1; SELECT 2",
             "CREATE RULE r AS ON INSERT TO t DO (INSERT INTO a VALUES (1); DELETE FROM b);",
             "create or replace procedure p() begin atomic select case when true then 1 end; "
             "end; begin; commit;",
             "CREATE FUNCTION f() RETURNS int RETURN 1; BEGIN; END;",
             "CREATE X'00' FUNCTION f() BEGIN ATOMIC SELECT 1; END; SELECT 2;",
             R"(SELECT 1e'\'; SELECT 1.e'\'; SELECT 1..e'\';'; SELECT $1e'\'; SELECT 2;)",
             "SELECT ')' ; SELECT \")\"; SELECT $$;$$; SELECT 1 -- x\n;\n/* ; */ ;;",
             "SELECT (1; SELECT 2); SELECT ) ; SELECT 3",
         }) {
        EXPECT_EQ(properties::boundary_disagreement(sql), std::nullopt) << sql;
    }
}

TEST(StatementBoundaries, ThePropertyFailsForASplitThatIgnoresParenthesesOrBodies) {
    const std::string_view sql = "CREATE FUNCTION f() BEGIN ATOMIC SELECT (1); END; SELECT (2;3)";
    const std::vector<Statement> right = {{"CREATE FUNCTION f() BEGIN ATOMIC SELECT (1); END", 1},
                                          {"SELECT (2;3)", 1}};
    EXPECT_EQ(properties::disagreement_with_tokens(sql, right), std::nullopt);
    const std::vector<Statement> ignores_parentheses = {
        {"CREATE FUNCTION f() BEGIN ATOMIC SELECT (1); END", 1}, {"SELECT (2", 1}, {"3)", 1}};
    EXPECT_NE(properties::disagreement_with_tokens(sql, ignores_parentheses), std::nullopt);
    const std::vector<Statement> ignores_the_body = {
        {"CREATE FUNCTION f() BEGIN ATOMIC SELECT (1)", 1}, {"END", 1}, {"SELECT (2;3)", 1}};
    EXPECT_NE(properties::disagreement_with_tokens(sql, ignores_the_body), std::nullopt);
}

} // namespace
} // namespace schemagate::migration
