#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <schemagate/store/catalog.hpp>
#include <schemagate/store/conninfo.hpp>
#include <schemagate/util/error.hpp>

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
    EXPECT_EQ(with_dbname("postgresql://app:s3cret@db.example:5433/prod?sslmode=require", "x"),
              "user='app' password='s3cret' host='db.example' port='5433' sslmode='require' "
              "dbname='x'");
}

TEST(Conninfo, WithDbnameKeepsKeywordOptionsAndQuotesValues) {
    EXPECT_EQ(with_dbname("host=h dbname=prod password='it\\'s a \\\\ pw'", "scratch_1"),
              "password='it\\'s a \\\\ pw' host='h' dbname='scratch_1'");
}

TEST(Conninfo, WithDbnameDecodesPercentEncodingInUris) {
    EXPECT_EQ(with_dbname("postgresql://u:p%40ss@h/db", "n"),
              "user='u' password='p@ss' host='h' dbname='n'");
}

TEST(Conninfo, WithDbnameOfAnEmptyStringSetsOnlyTheDatabase) {
    EXPECT_EQ(with_dbname("", "n"), "dbname='n'");
}

TEST(Conninfo, WithDbnameRejectsGarbageWithoutPrintingThePassword) {
    try {
        (void)with_dbname("postgresql://u:hunter2@h:notaport/db?bogus=1", "n");
        FAIL() << "expected UsageError";
    } catch (const UsageError& e) {
        EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
    }
}

} // namespace
} // namespace schemagate::store
