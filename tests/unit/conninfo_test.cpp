#include <string>

#include <gtest/gtest.h>

#include <schemagate/store/conninfo.hpp>
#include <schemagate/util/error.hpp>
#include <schemagate/util/secrets.hpp>

namespace schemagate::store {
namespace {

TEST(Conninfo, ParseKeepsTheTextAsWrittenForLibpq) {
    const std::string uri = "postgresql://app:Kept4Libpq@db:5432/main?sslmode=require";
    EXPECT_EQ(Conninfo::parse(uri).text(), uri);
    EXPECT_EQ(Conninfo::parse("host=db user=app").text(), "host=db user=app");
    EXPECT_EQ(Conninfo::parse("").text(), "");
    EXPECT_EQ(Conninfo().text(), "");
}

TEST(Conninfo, RedactedHidesThePasswordOfUrisAndKeywordStrings) {
    EXPECT_EQ(Conninfo::parse("postgresql://app:Redact3dPw@db/main").redacted(),
              "postgresql://app:***@db/main");
    EXPECT_EQ(Conninfo::parse("host=db password='Redact3d Pw' user=app").redacted(),
              "host=db password='***' user=app");
}

TEST(Conninfo, ParseRegistersThePasswordAsWrittenAndDecoded) {
    (void)Conninfo::parse("postgresql://u:Parse%2FReg1ster@h/db");
    EXPECT_EQ(util::scrub("a Parse/Reg1ster b Parse%2FReg1ster c"), "a *** b *** c");
}

TEST(Conninfo, SecretsAreRegisteredOnceWhereTheStringIsParsed) {
    const auto before = util::secret_registrations();
    const Conninfo c = Conninfo::parse("postgresql://u:OnceOnly77@h/db?application_name=a");
    const auto after_parse = util::secret_registrations();
    EXPECT_GT(after_parse, before);

    const Conninfo copy = c;
    const Conninfo edited = c.with("application_name", "b").with_dbname("other");
    EXPECT_TRUE(edited.has("dbname"));
    EXPECT_EQ(copy.redacted(), c.redacted());
    EXPECT_EQ(util::secret_registrations(), after_parse);
}

TEST(Conninfo, WithAPasswordRegistersOnlyThatPassword) {
    const Conninfo c = Conninfo::parse("postgresql://u:FirstPass11@h/db");
    const auto before = util::secret_registrations();
    const Conninfo edited = c.with("password", "From'File22");
    EXPECT_GT(util::secret_registrations(), before);
    EXPECT_EQ(util::scrub("x From'File22 y From\\'File22 z"), "x *** y *** z");
    EXPECT_EQ(edited.redacted().find("File22"), std::string::npos) << edited.redacted();
}

TEST(Conninfo, WithKeepsEveryOtherOptionAndReplacesTheOldValue) {
    const Conninfo c = Conninfo::parse(
        "postgresql://app:Keep0ptions@db.example:5433/prod?sslmode=require&application_name=x");
    const Conninfo edited = c.with("application_name", "y");
    // libpq lists the options in the order of its own table; the edited one comes last.
    EXPECT_EQ(edited.text(), "user='app' password='Keep0ptions' dbname='prod' host='db.example' "
                             "port='5433' sslmode='require' application_name='y'");
    EXPECT_EQ(c.text().find("application_name=y"), std::string::npos); // c itself is unchanged
}

TEST(Conninfo, EditedStringNeverShowsThePasswordWhenRedacted) {
    for (const char* text :
         {"postgresql://app:Sh0wNever%40x@db/prod", "host=db password='Sh0wNever@x' dbname=prod",
          "postgresql://db/prod?password=Sh0wNever%40x"}) {
        const Conninfo edited = Conninfo::parse(text).with_dbname("scratch").with("port", "6543");
        EXPECT_EQ(edited.redacted().find("Sh0wNever"), std::string::npos) << edited.redacted();
        EXPECT_NE(edited.text().find("password='Sh0wNever@x'"), std::string::npos);
        EXPECT_NE(edited.text().find("dbname='scratch'"), std::string::npos);
    }
}

TEST(Conninfo, EditingAValueWithQuotesKeepsItWhole) {
    const Conninfo c = Conninfo::parse("host=h").with("application_name", "it's a \\ test");
    EXPECT_EQ(c.text(), "host='h' application_name='it\\'s a \\\\ test'");
    EXPECT_EQ(Conninfo::parse(c.text()).with_dbname("d").text(),
              "host='h' application_name='it\\'s a \\\\ test' dbname='d'");
}

TEST(Conninfo, HasAnswersFromTheStringOnlyNotFromValuesThatMentionAKey) {
    const Conninfo c = Conninfo::parse("host=db application_name='connect_timeout=5'");
    EXPECT_TRUE(c.has("host"));
    EXPECT_TRUE(c.has("application_name"));
    EXPECT_FALSE(c.has("connect_timeout"));
    EXPECT_FALSE(Conninfo().has("host"));
}

TEST(Conninfo, WithAnUnknownKeywordIsAUsageError) {
    EXPECT_THROW((void)Conninfo::parse("host=db").with("no_such_option", "1"), UsageError);
}

TEST(Conninfo, ParseRefusesGarbageWithoutShowingThePassword) {
    try {
        (void)Conninfo::parse("postgresql://u:Garb4geHidden@h/db?bogus=1");
        FAIL() << "expected UsageError";
    } catch (const UsageError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("invalid database connection string"), std::string::npos) << what;
        EXPECT_EQ(what.find("Garb4geHidden"), std::string::npos) << what;
    }
}

} // namespace
} // namespace schemagate::store
