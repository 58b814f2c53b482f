#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <schemagate/migration/graph.hpp>
#include <schemagate/util/error.hpp>

#include <support/migrations.hpp>

namespace schemagate::migration {
namespace {

using testing::error_of;
using testing::mig;

std::vector<std::string> ids_of(const RevisionGraph& graph) {
    std::vector<std::string> out;
    for (const auto& m : graph.migrations()) {
        out.push_back(m.id);
    }
    return out;
}

// a -> {c, b}; b -> d. Kahn with ties broken by id gives a, b, c, d; a depth-first walk from b
// would give a, b, d, c.
std::vector<Migration> branchy() {
    return {mig("d", {"b"}), mig("c", {"a"}), mig("a", {}), mig("b", {"a"})};
}

// 001 -> 002 -> 004 (merge of 002 and 003); 001 -> 003.
std::vector<Migration> diamond() {
    return {mig("001", {}), mig("002", {"001"}), mig("003", {"001"}), mig("004", {"002", "003"})};
}

TEST(RevisionGraph, OrdersParentsBeforeChildrenBreakingTiesById) {
    const RevisionGraph graph(branchy());
    EXPECT_EQ(ids_of(graph), (std::vector<std::string>{"a", "b", "c", "d"}));
}

TEST(RevisionGraph, OrderDoesNotDependOnInputOrder) {
    auto reversed = branchy();
    std::reverse(reversed.begin(), reversed.end());
    EXPECT_EQ(ids_of(RevisionGraph(reversed)), ids_of(RevisionGraph(branchy())));
}

TEST(RevisionGraph, MergeComesAfterAllItsParents) {
    const RevisionGraph graph(
        {mig("m", {"z", "b"}), mig("z", {"a"}), mig("b", {"a"}), mig("a", {})});
    EXPECT_EQ(ids_of(graph), (std::vector<std::string>{"a", "b", "z", "m"}));
}

TEST(RevisionGraph, EmptyGraphHasNoHeads) {
    const RevisionGraph graph({});
    EXPECT_TRUE(graph.empty());
    EXPECT_TRUE(graph.heads().empty());
}

TEST(RevisionGraph, HeadsAreRevisionsWithoutChildrenInTopologicalOrder) {
    const RevisionGraph graph(branchy());
    EXPECT_EQ(graph.heads(), (std::vector<std::string>{"c", "d"}));
}

TEST(RevisionGraph, MergedGraphHasSingleHead) {
    const RevisionGraph graph(diamond());
    EXPECT_EQ(graph.heads(), (std::vector<std::string>{"004"}));
}

TEST(RevisionGraph, ChildrenAreDirectChildrenOnly) {
    const RevisionGraph graph(branchy());
    EXPECT_EQ(graph.children("a"), (std::vector<std::string>{"b", "c"}));
    EXPECT_TRUE(graph.children("d").empty());
}

TEST(RevisionGraph, ContainsAndAtFindRevisionsById) {
    const RevisionGraph graph(diamond());
    EXPECT_TRUE(graph.contains("003"));
    EXPECT_FALSE(graph.contains("00"));
    EXPECT_EQ(graph.at("003").path, "m/003_step.sql");
    EXPECT_EQ(graph.position("004"), 3U);
}

TEST(RevisionGraph, LineageIsRevisionAndEveryAncestorThroughMerges) {
    const RevisionGraph graph(diamond());
    EXPECT_EQ(graph.lineage("004"), (RevisionSet{"001", "002", "003", "004"}));
}

TEST(RevisionGraph, LineageOfBranchExcludesSiblingBranch) {
    const RevisionGraph graph(branchy());
    EXPECT_EQ(graph.lineage("d"), (RevisionSet{"a", "b", "d"}));
}

TEST(RevisionGraph, LineageOfRootIsItself) {
    const RevisionGraph graph(diamond());
    EXPECT_EQ(graph.lineage("001"), (RevisionSet{"001"}));
}

TEST(RevisionGraph, DescendantsExcludeTheRevisionItself) {
    const RevisionGraph graph(diamond());
    EXPECT_EQ(graph.descendants("001"), (RevisionSet{"002", "003", "004"}));
}

TEST(RevisionGraph, DescendantsOfBranchIncludeMergeButNotSibling) {
    const RevisionGraph graph(diamond());
    EXPECT_EQ(graph.descendants("002"), (RevisionSet{"004"}));
}

TEST(RevisionGraph, HeadHasNoDescendants) {
    const RevisionGraph graph(diamond());
    EXPECT_TRUE(graph.descendants("004").empty());
}

TEST(RevisionGraph, OrderedSortsSetTopologically) {
    const RevisionGraph graph(branchy());
    EXPECT_EQ(graph.ordered({"d", "c", "a"}), (std::vector<std::string>{"a", "c", "d"}));
}

// --- resolve ------------------------------------------------------------------------------

TEST(RevisionGraphResolve, ExactIdResolvesToItself) {
    const RevisionGraph graph({mig("ab12", {}), mig("cd34", {"ab12"})});
    EXPECT_EQ(graph.resolve("cd34"), "cd34");
}

TEST(RevisionGraphResolve, ExactIdWinsOverLongerIdsItPrefixes) {
    const RevisionGraph graph({mig("1", {}), mig("10", {"1"})});
    EXPECT_EQ(graph.resolve("1"), "1");
}

TEST(RevisionGraphResolve, UniquePrefixResolvesToFullId) {
    const RevisionGraph graph({mig("ab12", {}), mig("cd34", {"ab12"})});
    EXPECT_EQ(graph.resolve("c"), "cd34");
}

TEST(RevisionGraphResolve, AmbiguousPrefixListsEveryMatch) {
    const RevisionGraph graph({mig("ab12", {}), mig("ab34", {"ab12"}), mig("cd", {"ab34"})});
    const auto resolved = graph.resolve("ab");
    ASSERT_FALSE(resolved.has_value());
    EXPECT_NE(resolved.error().message.find("ambiguous revision prefix 'ab'"), std::string::npos);
    EXPECT_NE(resolved.error().message.find("ab12, ab34"), std::string::npos)
        << resolved.error().message;
}

TEST(RevisionGraphResolve, UnknownIdIsAnError) {
    const RevisionGraph graph({mig("ab12", {})});
    const auto resolved = graph.resolve("zz");
    ASSERT_FALSE(resolved.has_value());
    EXPECT_NE(resolved.error().message.find("unknown revision 'zz'"), std::string::npos);
}

TEST(RevisionGraphResolve, EmptyStringIsUnknownNotAPrefixOfEverything) {
    const RevisionGraph graph({mig("ab12", {})});
    const auto resolved = graph.resolve("");
    ASSERT_FALSE(resolved.has_value());
    EXPECT_NE(resolved.error().message.find("unknown revision"), std::string::npos);
}

// --- integrity errors ---------------------------------------------------------------------

TEST(RevisionGraphErrors, DuplicateIdNamesSecondFileAtRevisionLineAndFirstFile) {
    const std::string e = error_of<IntegrityError>([] {
        RevisionGraph({mig("001", {}), mig("002", {"001"}, {.file = "m/002_t2.sql"}),
                       mig("002", {"001"}, {.file = "m/003_t3.sql"})});
    });
    EXPECT_NE(e.find("m/003_t3.sql:1: duplicate revision id '002'"), std::string::npos) << e;
    EXPECT_NE(e.find("also used by m/002_t2.sql"), std::string::npos) << e;
}

TEST(RevisionGraphErrors, UnknownParentNamesFileAtParentsLine) {
    const std::string e = error_of<IntegrityError>([] {
        RevisionGraph({mig("001", {}), mig("002", {"0x"})});
    });
    EXPECT_NE(e.find("m/002_step.sql:2: unknown parent revision '0x'"), std::string::npos) << e;
}

TEST(RevisionGraphErrors, CycleNamesLaterFileAtParentsLineAndTheCycle) {
    const std::string e = error_of<IntegrityError>([] {
        RevisionGraph({mig("001", {}, {.file = "m/001_t1.sql"}),
                       mig("002", {"001", "003"}, {.file = "m/002_t2.sql"}),
                       mig("003", {"002"}, {.file = "m/003_t3.sql"})});
    });
    EXPECT_NE(e.find("m/003_t3.sql:2: revisions form a cycle"), std::string::npos) << e;
    EXPECT_NE(e.find("002 -> 003 -> 002"), std::string::npos) << e;
}

TEST(RevisionGraphErrors, SelfParentIsACycle) {
    const std::string e = error_of<IntegrityError>([] { RevisionGraph({mig("001", {"001"})}); });
    EXPECT_NE(e.find("m/001_step.sql:2: revisions form a cycle"), std::string::npos) << e;
}

TEST(RevisionGraphErrors, CycleWithoutRootIsDetected) {
    const std::string e = error_of<IntegrityError>([] {
        RevisionGraph({mig("a", {"b"}), mig("b", {"a"})});
    });
    EXPECT_NE(e.find("a -> b -> a"), std::string::npos) << e;
}

TEST(RevisionGraphErrors, ReportsEveryDuplicateAndUnknownParent) {
    const std::string e = error_of<IntegrityError>([] {
        RevisionGraph({mig("001", {}, {.file = "m/a.sql"}), mig("001", {}, {.file = "m/b.sql"}),
                       mig("002", {"nope"}, {.file = "m/c.sql"})});
    });
    EXPECT_NE(e.find("m/b.sql:1: duplicate"), std::string::npos) << e;
    EXPECT_NE(e.find("m/c.sql:2: unknown parent"), std::string::npos) << e;
}

} // namespace
} // namespace schemagate::migration
