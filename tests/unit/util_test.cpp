#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include <schemagate/cli/render.hpp>
#include <schemagate/store/conninfo.hpp>
#include <schemagate/store/history_table.hpp>
#include <schemagate/util/duration.hpp>
#include <schemagate/util/error.hpp>
#include <schemagate/util/log.hpp>
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

TEST(Scrub, ShortSecretIsNotSearchedForSoTextIsNotMangled) {
    // A password "e" must not star out every "e" (giving itself away), nor a password '"'
    // every quote of a message.
    util::register_secret("e");
    util::register_secret("1");
    util::register_secret("\"");
    EXPECT_EQ(util::scrub(R"(selected 1 revision "head" here)"),
              R"(selected 1 revision "head" here)");
}

TEST(RedactSecrets, UriUserInfoInsideAMessageIsReplaced) {
    EXPECT_EQ(util::redact_secrets("cannot use postgresql://app:e@db/main: refused"),
              "cannot use postgresql://app:***@db/main: refused");
}

TEST(RedactSecrets, UriPasswordWithRawSlashAndAtIsReplacedWhole) {
    EXPECT_EQ(util::redact_secrets("x 'postgresql://u:ab/c+d==@e@h:5432/db' y"),
              "x 'postgresql://u:***@h:5432/db' y");
}

TEST(RedactSecrets, UriQueryPasswordAndSslpasswordAreReplaced) {
    EXPECT_EQ(util::redact_secrets("at postgres://h/db?sslpassword=k1&password=p2&x=1 now"),
              "at postgres://h/db?sslpassword=***&password=***&x=1 now");
}

TEST(RedactSecrets, KeywordPasswordsInsideAMessageAreReplaced) {
    EXPECT_EQ(util::redact_secrets("bad: host=h sslpassword='a b\\'c' password=1 user=u"),
              "bad: host=h sslpassword='***' password=*** user=u");
    EXPECT_EQ(util::redact_secrets("PGPASSWORD = x and db_password=\"y\""),
              "PGPASSWORD = *** and db_password=\"***\"");
}

TEST(RedactSecrets, MistypedFlagWithUrlIsReplaced) {
    EXPECT_EQ(
        util::redact_secrets("unrecognised option '--database_url=postgresql://u:SECRET@h/db'"),
        "unrecognised option '--database_url=postgresql://u:***@h/db'");
}

TEST(RedactSecrets, TextWithoutPasswordsIsUnchanged) {
    for (const char* text : {"nothing to hide", "see http://example.com/a:b", "e", "",
                             "a password is needed", "time 12:00 at host@example"}) {
        EXPECT_EQ(util::redact_secrets(text), text);
    }
}

TEST(RedactConninfo, SslpasswordIsReplaced) {
    EXPECT_EQ(util::redact_conninfo("host=db sslpassword=k3y password=pw"),
              "host=db sslpassword=*** password=***");
    EXPECT_EQ(util::conninfo_password("host=db sslpassword=k3y password=pw"), "pw");
}

TEST(RegisterConninfoSecrets, SslpasswordIsRegistered) {
    util::register_conninfo_secrets("host=db sslpassword=SslKeyPass1");
    EXPECT_EQ(util::scrub("x SslKeyPass1 y"), "x *** y");
}

// A UsageError's message from Conninfo::parse, or "" when it accepts the string.
std::string conninfo_refusal(const std::string& conninfo) {
    try {
        (void)store::Conninfo::parse(conninfo);
        return "";
    } catch (const UsageError& e) {
        return e.what();
    }
}

TEST(CheckConninfo, RawSlashOrAtInUriPasswordIsRefusedWithoutShowingIt) {
    for (const char* uri : {"postgresql://u:Zq9Kf/Xw+Kp7Lm==@h:5432/db",
                            "postgres://u:Pq7Vw@Rs5Tx@h/db", "postgresql://u:Pq7Vw@Rs5Tx@/db"}) {
        const std::string why = conninfo_refusal(uri);
        EXPECT_NE(why.find("percent-encode"), std::string::npos) << uri << ": " << why;
        for (const char* piece : {"Zq9Kf", "Xw+Kp", "Pq7Vw", "Rs5Tx"}) {
            EXPECT_EQ(why.find(piece), std::string::npos) << why;
        }
    }
}

TEST(CheckConninfo, PercentEncodedPasswordAndAtInQueryAreAccepted) {
    EXPECT_EQ(conninfo_refusal("postgresql://u:Zq9Kf%2FXw%2BKp%3D@h:5432/db"), "");
    EXPECT_EQ(conninfo_refusal("postgresql://u:p%40w@h/db?application_name=a@b"), "");
    EXPECT_EQ(conninfo_refusal("postgresql://u:pa?ss@h/db"), "");
    EXPECT_EQ(conninfo_refusal("host=h password=a/b@c user=u"), "");
}

TEST(CheckConninfo, PieceOfThePasswordQuotedByLibpqIsHidden) {
    const std::string why = conninfo_refusal("postgresql://u:CANARY%ZZPW@h/db");
    EXPECT_NE(why.find("invalid percent-encoded token"), std::string::npos) << why;
    EXPECT_EQ(why.find("CANARY"), std::string::npos) << why;
    const std::string query = conninfo_refusal("postgresql://u@h/db?password:Canary5");
    EXPECT_EQ(query.find("Canary5"), std::string::npos) << query;
    const std::string bogus = conninfo_refusal("postgresql://u:pw@h/db?bogus=1");
    EXPECT_NE(bogus.find("\"bogus\""), std::string::npos) << bogus;
}

// --- UTF-8 and printable text ---------------------------------------------------------------

TEST(Utf8Prefix, CutsOnACharacterBoundary) {
    const std::string text = "ab\xc3\xa9"    // é: 2 bytes
                             "\xe2\x82\xac"; // €: 3 bytes
    EXPECT_EQ(util::utf8_prefix(text, 3), "ab");
    EXPECT_EQ(util::utf8_prefix(text, 4), "ab\xc3\xa9");
    EXPECT_EQ(util::utf8_prefix(text, 6), "ab\xc3\xa9");
    EXPECT_EQ(util::utf8_prefix(text, 7), text);
    EXPECT_EQ(util::utf8_prefix("caf\xe9!", 4), "caf\xe9"); // a stray byte counts as one
}

TEST(Utf8Valid, ReplacesBytesThatAreNotUtf8) {
    EXPECT_EQ(util::utf8_valid("caf\xe9"), "caf\xef\xbf\xbd");
    EXPECT_EQ(util::utf8_valid("\xc3\xa9\xe2\x82"), "\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd");
    EXPECT_EQ(util::utf8_valid("\xed\xa0\x80"),
              "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");                   // surrogate
    EXPECT_EQ(util::utf8_valid("\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd"); // overlong
    EXPECT_EQ(util::utf8_valid("ok \xf0\x9f\x98\x80"), "ok \xf0\x9f\x98\x80");
}

TEST(Printable, EscapesControlCharactersAndBytesThatAreNotUtf8) {
    EXPECT_EQ(util::printable("a\nb\rc\td"), "a\\nb\\rc\\td");
    EXPECT_EQ(util::printable("\x1b[31mred"), "\\x1b[31mred");
    EXPECT_EQ(util::printable("caf\xe9"), "caf\\xe9");
    EXPECT_EQ(util::printable("\xc2\x9b"
                              "2J"),
              "\\u009b2J"); // C1 CSI
    EXPECT_EQ(util::printable("caf\xc3\xa9 \\ ok"), "caf\xc3\xa9 \\ ok");
    EXPECT_FALSE(util::has_control("caf\xc3\xa9"));
    EXPECT_TRUE(util::has_control("a\nb"));
    EXPECT_TRUE(util::has_control("\x7f"));
}

TEST(JsonEscape, AnyBytesGiveValidJsonText) {
    EXPECT_EQ(util::json_escape("caf\xe9 \"q\" \\ \n \x1b \x7f \xc3\xa9"),
              "caf\\ufffd \\\"q\\\" \\\\ \\n \\u001b \\u007f \xc3\xa9");
}

TEST(ParseHistoryTable, ControlCharacterIsRefusedAndShownEscaped) {
    for (const char* text : {"hist\nDROP TABLE x", "hist\r", "ops.\x1b[2Jhist", "a\tb"}) {
        const auto parsed = store::parse_history_table(text);
        ASSERT_FALSE(parsed) << text;
        EXPECT_NE(parsed.error().find("control character"), std::string::npos) << parsed.error();
        EXPECT_FALSE(util::has_control(parsed.error())) << parsed.error();
    }
}

TEST(JsonText, BytesThatAreNotUtf8BecomeReplacementCharacters) {
    // nlohmann::json's plain dump() throws on these, which lost the termination message.
    EXPECT_EQ(cli::json_text({{"message", "caf\xe9"}}), "{\"message\":\"caf\xef\xbf\xbd\"}");
    const std::string cut = std::string(2999, 'x') + "\xe2\x82\xac";
    EXPECT_EQ(cli::json_text(std::string(util::utf8_prefix(cut, 3000))),
              "\"" + std::string(2999, 'x') + "\"");
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
