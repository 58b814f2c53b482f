#include <filesystem>
#include <string>
#include <vector>

#include <unistd.h>

#include <gtest/gtest.h>

#include <schemagate/store/catalog.hpp>
#include <schemagate/store/connection.hpp>
#include <schemagate/store/conninfo.hpp>
#include <schemagate/util/error.hpp>

#include <support/scoped_env.hpp>

namespace schemagate::store {
namespace {

using Lines = std::vector<std::string>;

SchemaSnapshot snap(std::vector<CatalogObject> objects) {
    return SchemaSnapshot::from(std::move(objects));
}

TEST(CatalogDiff, EqualSnapshotsHaveNoDiff) {
    const auto a = snap({{"table public.t", ""}, {"column public.t.a", "integer position 1"}});
    const auto b = snap({{"column public.t.a", "integer position 1"}, {"table public.t", ""}});
    EXPECT_EQ(a, b);
    EXPECT_EQ(diff_snapshots(a, b), Lines{});
}

TEST(CatalogDiff, ObjectOnlyAfterIsAPlusLine) {
    const auto before = snap({{"table public.t", ""}});
    const auto after = snap(
        {{"table public.t", ""}, {"index public.t_a_idx", "CREATE INDEX t_a_idx ON public.t (a)"}});
    EXPECT_EQ(diff_snapshots(before, after),
              Lines{"+ index public.t_a_idx: CREATE INDEX t_a_idx ON public.t (a)"});
}

TEST(CatalogDiff, ObjectOnlyBeforeIsAMinusLine) {
    const auto before = snap({{"schema shop", ""}, {"table shop.items", ""}});
    const auto after = snap({{"schema shop", ""}});
    EXPECT_EQ(diff_snapshots(before, after), Lines{"- table shop.items"});
}

TEST(CatalogDiff, ChangedDefinitionIsMinusThenPlusUnderTheSameKey) {
    const auto before = snap({{"column public.t.a", "integer position 1"}});
    const auto after = snap({{"column public.t.a", "integer not null position 1"}});
    EXPECT_EQ(diff_snapshots(before, after), (Lines{"- column public.t.a: integer position 1",
                                                    "+ column public.t.a: integer not null "
                                                    "position 1"}));
}

TEST(CatalogDiff, LinesAreOrderedByKeyAcrossAdditionsAndRemovals) {
    const auto before = snap({{"b", "1"}, {"d", "1"}, {"e", "same"}});
    const auto after = snap({{"a", "1"}, {"c", "1"}, {"d", "2"}, {"e", "same"}});
    EXPECT_EQ(diff_snapshots(before, after),
              (Lines{"+ a: 1", "- b: 1", "+ c: 1", "- d: 1", "+ d: 2"}));
}

TEST(CatalogDiff, DuplicateObjectsCountAsAMultiset) {
    const auto before = snap({{"k", "x"}});
    const auto after = snap({{"k", "x"}, {"k", "x"}});
    EXPECT_EQ(diff_snapshots(before, after), Lines{"+ k: x"});
}

TEST(CatalogDiff, DetailsAreFoldedOntoOneLine) {
    const auto s = snap({{"view public.v", "as SELECT a,\n    b\n   FROM t;\n"}});
    EXPECT_EQ(s.objects.at(0).detail, "as SELECT a, b FROM t;");
    EXPECT_EQ(s.objects.at(0).line(), "view public.v: as SELECT a, b FROM t;");
}

TEST(CatalogDiff, ObjectWithoutDetailPrintsItsKeyAlone) {
    EXPECT_EQ((CatalogObject{"schema public", ""}.line()), "schema public");
}

TEST(Conninfo, WithDbnameReplacesTheDatabaseOfAUri) {
    EXPECT_EQ(Conninfo::parse("postgresql://app:s3cret@db.example:5433/prod?sslmode=require")
                  .with_dbname("x")
                  .text(),
              "user='app' password='s3cret' host='db.example' port='5433' sslmode='require' "
              "dbname='x'");
}

TEST(Conninfo, WithDbnameKeepsKeywordOptionsAndQuotesValues) {
    EXPECT_EQ(Conninfo::parse("host=h dbname=prod password='it\\'s a \\\\ pw'")
                  .with_dbname("scratch_1")
                  .text(),
              "password='it\\'s a \\\\ pw' host='h' dbname='scratch_1'");
}

TEST(Conninfo, WithDbnameDecodesPercentEncodingInUris) {
    EXPECT_EQ(Conninfo::parse("postgresql://u:p%40ss@h/db").with_dbname("n").text(),
              "user='u' password='p@ss' host='h' dbname='n'");
}

TEST(Conninfo, WithDbnameOfAnEmptyStringSetsOnlyTheDatabase) {
    EXPECT_EQ(Conninfo::parse("").with_dbname("n").text(), "dbname='n'");
}

TEST(Conninfo, WithDbnameRejectsGarbageWithoutPrintingThePassword) {
    try {
        (void)Conninfo::parse("postgresql://u:hunter2@h:notaport/db?bogus=1").with_dbname("n");
        FAIL() << "expected UsageError";
    } catch (const UsageError& e) {
        EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
    }
}

using testing::ScopedEnv;

bool default_kerberos_cache_exists() {
    return std::filesystem::exists("/tmp/krb5cc_" + std::to_string(::getuid()));
}

TEST(ConnectionDefaults, SkipGssapiEncryptionWithoutKerberosCredentials) {
    if (default_kerberos_cache_exists()) {
        GTEST_SKIP() << "this machine has a Kerberos credential cache";
    }
    const ScopedEnv krb("KRB5CCNAME", nullptr);
    const ScopedEnv mode("PGGSSENCMODE", nullptr);
    EXPECT_NE(
        with_defaults(Conninfo::parse("postgresql://u@h/db")).text().find("gssencmode='disable'"),
        std::string::npos);
    EXPECT_NE(
        with_defaults(Conninfo::parse("host=h dbname=db")).text().find("gssencmode='disable'"),
        std::string::npos);
}

TEST(ConnectionDefaults, KeepLibpqGssapiDefaultWhenKerberosIsConfigured) {
    const ScopedEnv krb("KRB5CCNAME", "FILE:/tmp/schemagate-test-ccache");
    const ScopedEnv mode("PGGSSENCMODE", nullptr);
    EXPECT_EQ(with_defaults(Conninfo::parse("postgresql://u@h/db")).text().find("gssencmode"),
              std::string::npos);
}

TEST(ConnectionDefaults, UserGssencmodeWins) {
    const ScopedEnv krb("KRB5CCNAME", nullptr);
    {
        const ScopedEnv mode("PGGSSENCMODE", "require");
        EXPECT_EQ(with_defaults(Conninfo::parse("postgresql://u@h/db")).text().find("gssencmode"),
                  std::string::npos);
    }
    EXPECT_EQ(with_defaults(Conninfo::parse("postgresql://u@h/db?gssencmode=prefer"))
                  .text()
                  .find("gssencmode='disable'"),
              std::string::npos);
}

} // namespace
} // namespace schemagate::store
