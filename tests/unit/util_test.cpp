#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include <schemagate/store/history_table.hpp>
#include <schemagate/util/duration.hpp>
#include <schemagate/util/secrets.hpp>
#include <schemagate/util/sha256.hpp>
#include <schemagate/util/strings.hpp>

namespace schemagate {
namespace {

using namespace std::chrono_literals;
using util::Millis;

// --- duration -----------------------------------------------------------------------------

Millis parsed(std::string_view text) {
    const auto d = util::parse_duration(text);
    if (!d) {
        ADD_FAILURE() << "'" << text << "' did not parse: " << d.error();
        return Millis(-1);
    }
    return *d;
}

TEST(ParseDuration, Milliseconds) {
    EXPECT_EQ(parsed("500ms"), 500ms);
}
TEST(ParseDuration, Seconds) {
    EXPECT_EQ(parsed("10s"), 10s);
}
TEST(ParseDuration, Minutes) {
    EXPECT_EQ(parsed("5m"), 5min);
}
TEST(ParseDuration, MinAliasForMinutes) {
    EXPECT_EQ(parsed("2min"), 2min);
}
TEST(ParseDuration, Hours) {
    EXPECT_EQ(parsed("1h"), 1h);
}
TEST(ParseDuration, CompoundUnitsAdd) {
    EXPECT_EQ(parsed("1h30m"), 90min);
}
TEST(ParseDuration, BareNumberIsSeconds) {
    EXPECT_EQ(parsed("30"), 30s);
}
TEST(ParseDuration, SurroundingSpaceIsIgnored) {
    EXPECT_EQ(parsed("  10s \n"), 10s);
}
TEST(ParseDuration, UnitsAreCaseInsensitive) {
    EXPECT_EQ(parsed("10S"), 10s);
}
TEST(ParseDuration, ZeroIsAllowed) {
    EXPECT_EQ(parsed("0s"), 0s);
}

TEST(ParseDuration, EmptyTextIsAnError) {
    const auto d = util::parse_duration("  ");
    ASSERT_FALSE(d.has_value());
    EXPECT_EQ(d.error(), "empty duration");
}

TEST(ParseDuration, BadInputIsAnErrorNamingTheInput) {
    for (const std::string_view text :
         {"abc", "10x", "s", "-5s", "1.5s", "10 s", "5s30", "10sms", "99999999999999s"}) {
        SCOPED_TRACE(text);
        const auto d = util::parse_duration(text);
        ASSERT_FALSE(d.has_value()) << d->count();
        EXPECT_NE(d.error().find("invalid duration '" + std::string(text) + "'"), std::string::npos)
            << d.error();
    }
}

TEST(FormatDuration, BelowOneSecondInMilliseconds) {
    EXPECT_EQ(util::format_duration(850ms), "850ms");
    EXPECT_EQ(util::format_duration(0ms), "0ms");
}

TEST(FormatDuration, WholeSeconds) {
    EXPECT_EQ(util::format_duration(12s), "12s");
}

TEST(FormatDuration, SecondsWithTenths) {
    EXPECT_EQ(util::format_duration(1500ms), "1.5s");
}

TEST(FormatDuration, MinutesAndSeconds) {
    EXPECT_EQ(util::format_duration(90s), "1m30s");
}

TEST(FormatDuration, WholeHoursOnly) {
    EXPECT_EQ(util::format_duration(2h), "2h");
}

TEST(FormatDuration, HoursAndMinutes) {
    EXPECT_EQ(util::format_duration(90min), "1h30m");
}

TEST(FormatDuration, SubSecondRemainderIsDroppedOnceMinutesShow) {
    EXPECT_EQ(util::format_duration(60'500ms), "1m");
    EXPECT_EQ(util::format_duration(3'600'500ms), "1h");
}

TEST(FormatDuration, FormattedDurationParsesBack) {
    for (const Millis d :
         {Millis(850), Millis(12'000), Millis(90'000), Millis(5'400'000), Millis(7'200'000)}) {
        SCOPED_TRACE(d.count());
        EXPECT_EQ(parsed(util::format_duration(d)), d);
    }
}

// --- secrets ------------------------------------------------------------------------------

TEST(RedactConninfo, UriUserPasswordIsReplaced) {
    EXPECT_EQ(util::redact_conninfo("postgresql://app:s3cret@db:5432/main"),
              "postgresql://app:***@db:5432/main");
}

TEST(RedactConninfo, UriPasswordContainingAtSignIsReplacedWhole) {
    EXPECT_EQ(util::redact_conninfo("postgres://app:p@ss@db/main"), "postgres://app:***@db/main");
}

TEST(RedactConninfo, UriPasswordContainingQuestionMarkIsReplaced) {
    // libpq ends the userinfo only at '@' or '/', so its password here is "pa?ss".
    EXPECT_EQ(util::redact_conninfo("postgresql://u:pa?ss@h/db"), "postgresql://u:***@h/db");
}

TEST(RedactConninfo, UriWithoutPasswordIsUnchanged) {
    EXPECT_EQ(util::redact_conninfo("postgresql://app@db:5432/main"),
              "postgresql://app@db:5432/main");
    EXPECT_EQ(util::redact_conninfo("postgresql://db:5432/main?sslmode=require"),
              "postgresql://db:5432/main?sslmode=require");
}

TEST(RedactConninfo, UriPasswordQueryParameterIsReplaced) {
    EXPECT_EQ(util::redact_conninfo("postgresql://db/main?sslmode=require&password=s3cret&x=1"),
              "postgresql://db/main?sslmode=require&password=***&x=1");
}

TEST(RedactConninfo, UriSchemeIsCaseInsensitive) {
    EXPECT_EQ(util::redact_conninfo("PostgreSQL://app:s3cret@db/main"),
              "PostgreSQL://app:***@db/main");
}

TEST(RedactConninfo, UriWithUserinfoAndQueryPasswordReplacesBoth) {
    EXPECT_EQ(util::redact_conninfo("postgresql://app:one@db/main?password=two"),
              "postgresql://app:***@db/main?password=***");
}

TEST(RedactConninfo, KeywordPasswordIsReplaced) {
    EXPECT_EQ(util::redact_conninfo("host=db password=s3cret user=app"),
              "host=db password=*** user=app");
}

TEST(RedactConninfo, KeywordPasswordWithSpacesAroundEqualsIsReplaced) {
    EXPECT_EQ(util::redact_conninfo("host=db password = s3cret"), "host=db password = ***");
}

TEST(RedactConninfo, QuotedKeywordPasswordWithEscapesIsReplacedWhole) {
    EXPECT_EQ(util::redact_conninfo(R"(host=db password='it\'s a secret' user=app)"),
              "host=db password='***' user=app");
}

TEST(RedactConninfo, QuotedValueOfOtherKeyIsNotMistakenForPassword) {
    EXPECT_EQ(util::redact_conninfo("application_name='password=no' password=yes"),
              "application_name='password=no' password=***");
}

TEST(RedactConninfo, KeywordIsCaseInsensitive) {
    EXPECT_EQ(util::redact_conninfo("PASSWORD=s3cret"), "PASSWORD=***");
}

TEST(RedactConninfo, ConninfoWithoutPasswordIsUnchanged) {
    EXPECT_EQ(util::redact_conninfo("host=db user=app dbname=main"),
              "host=db user=app dbname=main");
}

TEST(ConninfoPassword, UriPasswordIsPercentDecoded) {
    EXPECT_EQ(util::conninfo_password("postgresql://app:p%40ss%2Fw%3Ad@db/main"), "p@ss/w:d");
}

TEST(ConninfoPassword, UriPasswordContainingQuestionMarkIsFound) {
    EXPECT_EQ(util::conninfo_password("postgresql://u:pa?ss@h/db"), "pa?ss");
}

TEST(ConninfoPassword, UriQueryPasswordIsPercentDecoded) {
    EXPECT_EQ(util::conninfo_password("postgresql://db/main?password=a%20b"), "a b");
}

TEST(ConninfoPassword, QuotedKeywordPasswordIsUnescaped) {
    EXPECT_EQ(util::conninfo_password(R"(host=db password='it\'s \\ x')"), R"(it's \ x)");
}

TEST(ConninfoPassword, UnquotedKeywordPasswordIsUnescaped) {
    EXPECT_EQ(util::conninfo_password(R"(password=a\ b host=db)"), "a b");
}

TEST(ConninfoPassword, NoPasswordGivesEmpty) {
    EXPECT_EQ(util::conninfo_password("postgresql://app@db/main"), "");
    EXPECT_EQ(util::conninfo_password("host=db"), "");
}

TEST(Scrub, ReplacesEveryOccurrenceOfRegisteredSecret) {
    util::register_secret("scrub-test-hunter2");
    EXPECT_EQ(util::scrub("a scrub-test-hunter2 b scrub-test-hunter2"), "a *** b ***");
}

TEST(Scrub, LongerSecretContainingShorterIsReplacedWhole) {
    util::register_secret("scrub-nested");
    util::register_secret("scrub-nested-longer");
    EXPECT_EQ(util::scrub("x scrub-nested-longer y"), "x *** y");
}

TEST(Scrub, LeavesTextWithoutSecretsUnchanged) {
    util::register_secret("scrub-test-absent");
    EXPECT_EQ(util::scrub("nothing to hide"), "nothing to hide");
}

TEST(Scrub, EmptySecretIsIgnored) {
    util::register_secret("");
    EXPECT_EQ(util::scrub("abc"), "abc");
}

// --- sha256 -------------------------------------------------------------------------------

TEST(Sha256Hex, EmptyInput) {
    EXPECT_EQ(util::sha256_hex(""),
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256Hex, Abc) {
    EXPECT_EQ(util::sha256_hex("abc"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256Hex, TwoBlockMessage) {
    EXPECT_EQ(util::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256Hex, EmbeddedNulIsHashed) {
    EXPECT_NE(util::sha256_hex(std::string_view("a\0b", 3)), util::sha256_hex("a"));
}

// --- strings ------------------------------------------------------------------------------

TEST(Slugify, LowercasesAndJoinsWordsWithUnderscores) {
    EXPECT_EQ(util::slugify("Add Guild Ranks!"), "add_guild_ranks");
}

TEST(Slugify, RunsOfPunctuationBecomeOneUnderscore) {
    EXPECT_EQ(util::slugify("  users -- e-mail (index) "), "users_e_mail_index");
}

TEST(Slugify, NonAsciiBytesAreSeparators) {
    EXPECT_EQ(util::slugify("caf\xc3\xa9 cr\xc3\xa8me"), "caf_cr_me");
}

TEST(Slugify, TruncatesToMaxLength) {
    EXPECT_EQ(util::slugify("abcdefgh", 5), "abcde");
}

TEST(Slugify, TruncationNeverLeavesTrailingUnderscore) {
    EXPECT_EQ(util::slugify(std::string(39, 'a') + " b"), std::string(39, 'a'));
}

TEST(Slugify, NothingUsableGivesEmpty) {
    EXPECT_EQ(util::slugify("!!! ???"), "");
}

TEST(SplitTrimmed, TrimsEachPiece) {
    EXPECT_EQ(util::split_trimmed(" a , b,c ", ','), (std::vector<std::string>{"a", "b", "c"}));
}

TEST(SplitTrimmed, KeepsEmptyPieces) {
    EXPECT_EQ(util::split_trimmed("a,, ,b", ','), (std::vector<std::string>{"a", "", "", "b"}));
}

TEST(SplitTrimmed, EmptyInputGivesOneEmptyPiece) {
    EXPECT_EQ(util::split_trimmed("", ','), (std::vector<std::string>{""}));
}

TEST(Trim, RemovesSurroundingWhitespaceIncludingCarriageReturn) {
    EXPECT_EQ(util::trim(" \t x y \r\n"), "x y");
}

TEST(StartsWithCi, IgnoresCase) {
    EXPECT_TRUE(util::starts_with_ci("PostgreSQL://x", "postgresql://"));
    EXPECT_FALSE(util::starts_with_ci("post", "postgresql://"));
}

// --- history table ------------------------------------------------------------------------

TEST(ParseHistoryTable, BareNameUsesPublicSchema) {
    const auto t = store::parse_history_table("migrations_log");
    ASSERT_TRUE(t.has_value()) << t.error();
    EXPECT_EQ(t->schema, "public");
    EXPECT_EQ(t->table, "migrations_log");
}

TEST(ParseHistoryTable, SchemaAndTableAreSplitAtDot) {
    const auto t = store::parse_history_table("Ops.History");
    ASSERT_TRUE(t.has_value()) << t.error();
    EXPECT_EQ(t->schema, "Ops");
    EXPECT_EQ(t->table, "History");
}

TEST(ParseHistoryTable, EmptyOrDottedNamesAreRejected) {
    for (const std::string_view text : {"", ".t", "s.", "a.b.c"}) {
        SCOPED_TRACE(text);
        const auto t = store::parse_history_table(text);
        ASSERT_FALSE(t.has_value());
        EXPECT_NE(t.error().find("invalid --history-table"), std::string::npos) << t.error();
    }
}

TEST(ParseHistoryTable, TableNameLeavesRoomForLogSuffixWithinIdentifierLimit) {
    // The audit table is "<table>_log"; PostgreSQL truncates identifiers beyond 63 bytes.
    EXPECT_TRUE(store::parse_history_table(std::string(59, 't')).has_value());
    EXPECT_FALSE(store::parse_history_table(std::string(60, 't')).has_value());
}

TEST(ParseHistoryTable, NulInNameIsRejected) {
    EXPECT_FALSE(store::parse_history_table(std::string_view("a\0b", 3)).has_value());
}

TEST(QuoteIdent, WrapsInDoubleQuotes) {
    EXPECT_EQ(store::quote_ident("users"), "\"users\"");
}

TEST(QuoteIdent, DoublesEmbeddedQuotes) {
    EXPECT_EQ(store::quote_ident(R"(a"b""c)"), R"("a""b""""c")");
}

TEST(HistoryTable, QualifiedNamesAreQuoted) {
    const store::HistoryTable t{"my schema", "hi\"story"};
    EXPECT_EQ(t.qualified(), R"("my schema"."hi""story")");
    EXPECT_EQ(t.log_qualified(), R"("my schema"."hi""story_log")");
    EXPECT_EQ(t.display(), "my schema.hi\"story");
}

TEST(HistoryTable, LockKeyOfDefaultTableIsPinned) {
    // Every version of schemagate must derive the same key, or an old and a new copy started
    // together would not exclude each other.
    EXPECT_EQ(store::HistoryTable{}.lock_key(), std::int64_t{-4972310439645282311});
}

TEST(HistoryTable, LockKeyIsStable) {
    const store::HistoryTable t{"ops", "history"};
    EXPECT_EQ(t.lock_key(), store::HistoryTable({"ops", "history"}).lock_key());
}

TEST(HistoryTable, DifferentTablesGetDifferentLockKeys) {
    EXPECT_NE(store::HistoryTable({"public", "a"}).lock_key(),
              store::HistoryTable({"public", "b"}).lock_key());
    EXPECT_NE(store::HistoryTable({"a", "t"}).lock_key(),
              store::HistoryTable({"b", "t"}).lock_key());
}

} // namespace
} // namespace schemagate

namespace schemagate::util {
namespace {

TEST(ParseDuration, RefusesMoreThanAYearInsteadOfOverflowing) {
    std::string huge;
    for (int i = 0; i < 120; ++i) {
        huge += "2147483647h";
    }
    EXPECT_FALSE(parse_duration(huge).has_value());
    EXPECT_FALSE(parse_duration("9000h").has_value());
    EXPECT_EQ(parse_duration("8000h").value(), std::chrono::hours(8000));
}

} // namespace
} // namespace schemagate::util
