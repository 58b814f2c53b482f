#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <schemagate/migration/graph.hpp>
#include <schemagate/migration/parser.hpp>
#include <schemagate/migration/scaffold.hpp>
#include <schemagate/migration/sql_splitter.hpp>
#include <schemagate/util/error.hpp>

#include <support/migrations.hpp>
#include <support/temp_dir.hpp>

namespace schemagate::migration {
namespace {

namespace fs = std::filesystem;

using testing::chain;
using testing::mig;
using testing::parse_or_fail;
using testing::read_file;

// --- next_revision_id ---------------------------------------------------------------------

TEST(NextRevisionId, EmptyGraphStartsAt001) {
    EXPECT_EQ(next_revision_id(RevisionGraph({})), "001");
}

TEST(NextRevisionId, NumberedIdsGiveNextNumber) {
    EXPECT_EQ(next_revision_id(chain({"001", "002", "003"})), "004");
}

TEST(NextRevisionId, CarriesIntoNextDigit) {
    EXPECT_EQ(next_revision_id(chain({"009"})), "010");
}

TEST(NextRevisionId, KeepsWidthOfWiderIds) {
    EXPECT_EQ(next_revision_id(chain({"0041", "0042"})), "0043");
}

TEST(NextRevisionId, FollowsHighestNumberNotLastInOrder) {
    // 001 -> 007 and 001 -> 002: the topologically last revision is not the highest number.
    const RevisionGraph graph({mig("001", {}), mig("007", {"001"}), mig("002", {"001"})});
    EXPECT_EQ(next_revision_id(graph), "008");
}

TEST(NextRevisionId, GrowsPastWidthWhenNumbersRunOut) {
    EXPECT_EQ(next_revision_id(chain({"999"})), "1000");
}

TEST(NextRevisionId, MixedIdsGiveTwelveHexDigits) {
    const std::string id = next_revision_id(chain({"001", "ae1027a6acf"}));
    EXPECT_TRUE(std::regex_match(id, std::regex("[0-9a-f]{12}"))) << id;
}

TEST(NextRevisionId, RandomIdIsValidRevisionId) {
    EXPECT_TRUE(is_valid_id(next_revision_id(chain({"abc"}))));
}

// --- render_migration ---------------------------------------------------------------------

TEST(RenderMigration, RoundTripsIdParentsAndMessage) {
    const Migration m =
        parse_or_fail("m/005_x.sql", render_migration("005", {"004"}, "add guild ranks"));
    EXPECT_EQ(m.id, "005");
    EXPECT_EQ(m.parents, (std::vector<std::string>{"004"}));
    EXPECT_EQ(m.message, "add guild ranks");
}

TEST(RenderMigration, IdComesFromDirectiveNotFileName) {
    const Migration m = parse_or_fail("m/other_name.sql", render_migration("005", {}, "x"));
    EXPECT_EQ(m.id, "005");
}

TEST(RenderMigration, NoParentsRendersBase) {
    const std::string text = render_migration("001", {}, "first");
    EXPECT_NE(text.find("-- parents: base\n"), std::string::npos) << text;
    EXPECT_TRUE(parse_or_fail("m/001_first.sql", text).parents.empty());
}

TEST(RenderMigration, NewRevisionIsReversibleWithTransactions) {
    const Migration m = parse_or_fail("m/005_x.sql", render_migration("005", {"004"}, "x"));
    EXPECT_TRUE(m.reversible());
    EXPECT_EQ(m.transaction, TransactionMode::per_section);
}

TEST(RenderMigration, MergeRoundTripsWithBothParents) {
    const Migration m =
        parse_or_fail("m/006_merge.sql", render_migration("006", {"004", "005"}, "merge"));
    EXPECT_EQ(m.parents, (std::vector<std::string>{"004", "005"}));
    EXPECT_TRUE(m.is_merge());
}

TEST(RenderMigration, MergeSectionsHoldNoStatements) {
    const Migration m =
        parse_or_fail("m/006_merge.sql", render_migration("006", {"004", "005"}, "merge"));
    ASSERT_TRUE(m.down.has_value());
    const auto up = split_sql(m.sql(m.up));
    const auto down = split_sql(m.sql(*m.down));
    ASSERT_TRUE(up.has_value());
    ASSERT_TRUE(down.has_value());
    EXPECT_TRUE(up->empty());
    EXPECT_TRUE(down->empty());
}

TEST(RenderMigration, MessageWithPunctuationRoundTrips) {
    const std::string message = "Fix: users' e-mail index (again) -- really";
    EXPECT_EQ(parse_or_fail("m/007_fix.sql", render_migration("007", {"006"}, message)).message,
              message);
}

// --- write_migration ----------------------------------------------------------------------

class WriteMigration : public ::testing::Test {
protected:
    testing::TempDir m_scratch;
    const fs::path m_dir = m_scratch.path();
};

TEST_F(WriteMigration, WritesIdAndSlugFileThatParsesBack) {
    const RevisionGraph graph = chain({"001"});
    const fs::path path = write_migration(m_dir, graph, "002", {"001"}, "Add Guild Ranks!");
    EXPECT_EQ(path, m_dir / "002_add_guild_ranks.sql");
    const Migration m = parse_or_fail(path.string(), read_file(path));
    EXPECT_EQ(m.id, "002");
    EXPECT_EQ(m.parents, (std::vector<std::string>{"001"}));
    EXPECT_EQ(m.message, "Add Guild Ranks!");
}

TEST_F(WriteMigration, MessageWithoutLettersGivesFileWithoutSlug) {
    const fs::path path = write_migration(m_dir, RevisionGraph({}), "001", {}, "!!!");
    EXPECT_EQ(path, m_dir / "001.sql");
    EXPECT_TRUE(fs::exists(path));
}

TEST_F(WriteMigration, RefusesIdAlreadyInGraphAndWritesNothing) {
    const RevisionGraph graph = chain({"001", "002"});
    EXPECT_THROW(write_migration(m_dir, graph, "002", {"001"}, "again"), UsageError);
    EXPECT_TRUE(fs::is_empty(m_dir));
}

TEST_F(WriteMigration, RefusesExistingFileAndLeavesItUnchanged) {
    const fs::path existing = m_dir / "002_again.sql";
    std::ofstream(existing) << "precious";
    EXPECT_THROW(write_migration(m_dir, chain({"001"}), "002", {"001"}, "again"), UsageError);
    EXPECT_EQ(read_file(existing), "precious");
}

TEST_F(WriteMigration, RefusesInvalidId) {
    EXPECT_THROW(write_migration(m_dir, RevisionGraph({}), "head", {}, "x"), UsageError);
    EXPECT_THROW(write_migration(m_dir, RevisionGraph({}), "../evil", {}, "x"), UsageError);
    EXPECT_TRUE(fs::is_empty(m_dir));
}

TEST_F(WriteMigration, RefusesIdLongerThan128CharactersStatingTheLimit) {
    try {
        (void)write_migration(m_dir, RevisionGraph({}), std::string(300, 'a'), {}, "x");
        ADD_FAILURE() << "no UsageError";
    } catch (const UsageError& e) {
        EXPECT_NE(std::string(e.what()).find("revision ids are at most 128 characters"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_TRUE(fs::is_empty(m_dir));
    const fs::path path =
        write_migration(m_dir, RevisionGraph({}), std::string(128, 'a'), {}, std::string(200, 'm'));
    EXPECT_EQ(parse_or_fail(path.string(), read_file(path)).id, std::string(128, 'a'));
}

// The file system's own refusal (here: a path longer than PATH_MAX) is a usage error that
// names the file and says why, not an unexpected exception.
TEST_F(WriteMigration, FileThatCannotBeCreatedIsAUsageErrorSayingWhy) {
    fs::path deep = m_dir;
    for (int i = 0; i < 40; ++i) {
        deep /= std::string(120, 'd');
    }
    try {
        (void)write_migration(deep, RevisionGraph({}), "001", {}, "x");
        ADD_FAILURE() << "no UsageError";
    } catch (const UsageError& e) {
        EXPECT_EQ(std::string(e.what()).rfind("cannot create " + (deep / "001_x.sql").string() +
                                                  " (File name too long)",
                                              0),
                  0U)
            << e.what();
    }
}

TEST_F(WriteMigration, RefusesMultiLineMessage) {
    EXPECT_THROW(write_migration(m_dir, RevisionGraph({}), "001", {}, "one\ntwo"), UsageError);
    EXPECT_TRUE(fs::is_empty(m_dir));
}

} // namespace
} // namespace schemagate::migration
