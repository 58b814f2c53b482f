#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include <schemagate/migration/graph.hpp>
#include <schemagate/migration/planner.hpp>
#include <schemagate/util/error.hpp>

#include <support/migrations.hpp>

namespace schemagate::migration {
namespace {

using testing::chain;
using testing::error_of;
using testing::mig;
using testing::Reversible;
using testing::unsorted_ids;

// 001 -> 002 -> 003
RevisionGraph linear() {
    return chain({"001", "002", "003"});
}

// 001 -> 002 and 001 -> 003, not merged: two heads.
RevisionGraph forked() {
    return RevisionGraph({mig("001", {}), mig("002", {"001"}), mig("003", {"001"})});
}

// 001 -> 002 -> 003 -> 005 (merge) and 001 -> 004 -> 005.
RevisionGraph merged() {
    return RevisionGraph({mig("001", {}), mig("002", {"001"}), mig("003", {"002"}),
                          mig("004", {"001"}), mig("005", {"003", "004"})});
}

std::vector<std::string> ids_of(const std::vector<const Migration*>& steps) {
    std::vector<std::string> out;
    for (const Migration* m : steps) {
        out.push_back(m->id);
    }
    return out;
}

// The applied set after running the plan for `goal`.
RevisionSet after(const RevisionGraph& graph, RevisionSet applied, const Goal& goal) {
    for (const Migration* m : plan(graph, applied, goal)) {
        if (goal.direction == Direction::up) {
            applied.insert(m->id);
        } else {
            applied.erase(m->id);
        }
    }
    return applied;
}

// Revisions in `applied` whose parents are not all applied.
std::vector<std::string> unclosed(const RevisionGraph& graph, const RevisionSet& applied) {
    std::vector<std::string> out;
    for (const auto& id : applied) {
        for (const auto& p : graph.at(id).parents) {
            if (!applied.count(p)) {
                out.push_back(id + " without " + p);
            }
        }
    }
    return out;
}

std::string usage_error(const std::function<void()>& call) {
    return error_of<UsageError>(call);
}
std::string integrity_error(const std::function<void()>& call) {
    return error_of<IntegrityError>(call);
}

// --- resolve_upgrade ----------------------------------------------------------------------

TEST(ResolveUpgrade, HeadIsLineageOfSingleHead) {
    const auto graph = linear();
    const Goal goal = resolve_upgrade(graph, {}, "head");
    EXPECT_EQ(goal.direction, Direction::up);
    EXPECT_EQ(goal.revisions, (RevisionSet{"001", "002", "003"}));
}

TEST(ResolveUpgrade, HeadWithSeveralHeadsIsIntegrityErrorListingThemAndSuggestingMerge) {
    const auto graph = forked();
    const std::string e = integrity_error([&] { resolve_upgrade(graph, {}, "head"); });
    EXPECT_NE(e.find("2 heads (002, 003)"), std::string::npos) << e;
    EXPECT_NE(e.find("schemagate merge"), std::string::npos) << e;
}

TEST(ResolveUpgrade, HeadOnEmptyGraphIsUsageError) {
    const RevisionGraph graph({});
    const std::string e = usage_error([&] { resolve_upgrade(graph, {}, "head"); });
    EXPECT_NE(e.find("no migrations found"), std::string::npos) << e;
}

TEST(ResolveUpgrade, HeadsIsEveryRevision) {
    const auto graph = forked();
    EXPECT_EQ(resolve_upgrade(graph, {}, "heads").revisions, (RevisionSet{"001", "002", "003"}));
}

TEST(ResolveUpgrade, BaseRequiresNothing) {
    const auto graph = linear();
    EXPECT_TRUE(resolve_upgrade(graph, {"001"}, "base").revisions.empty());
}

TEST(ResolveUpgrade, RevisionIdIsItsLineage) {
    const auto graph = merged();
    EXPECT_EQ(resolve_upgrade(graph, {}, "003").revisions, (RevisionSet{"001", "002", "003"}));
}

TEST(ResolveUpgrade, UniquePrefixResolvesToRevision) {
    const RevisionGraph graph({mig("a1b2c3", {}), mig("d4e5f6", {"a1b2c3"})});
    EXPECT_EQ(resolve_upgrade(graph, {}, "a1").revisions, (RevisionSet{"a1b2c3"}));
}

TEST(ResolveUpgrade, AmbiguousPrefixIsIntegrityError) {
    const RevisionGraph graph({mig("ab1", {}), mig("ab2", {"ab1"})});
    const std::string e = integrity_error([&] { resolve_upgrade(graph, {}, "ab"); });
    EXPECT_NE(e.find("ambiguous"), std::string::npos) << e;
}

TEST(ResolveUpgrade, UnknownRevisionIsUsageError) {
    const auto graph = linear();
    const std::string e = usage_error([&] { resolve_upgrade(graph, {}, "999"); });
    EXPECT_NE(e.find("unknown revision '999'"), std::string::npos) << e;
}

TEST(ResolveUpgrade, PlusNAddsNextNPendingRevisions) {
    const auto graph = linear();
    EXPECT_EQ(resolve_upgrade(graph, {"001"}, "+2").revisions, (RevisionSet{"002", "003"}));
}

TEST(ResolveUpgrade, PlusNCountsInTopologicalOrderNotIdOrder) {
    const auto graph = unsorted_ids();
    EXPECT_EQ(resolve_upgrade(graph, {"m"}, "+1").revisions, (RevisionSet{"b"}));
    EXPECT_EQ(resolve_upgrade(graph, {"m", "b"}, "+2").revisions, (RevisionSet{"k", "z"}));
}

TEST(ResolveUpgrade, PlusNBeyondPendingIsUsageError) {
    const auto graph = linear();
    const std::string e = usage_error([&] { resolve_upgrade(graph, {"001"}, "+3"); });
    EXPECT_NE(e.find("only 2 revisions are pending"), std::string::npos) << e;
}

TEST(ResolveUpgrade, MinusNIsUsageErrorPointingAtDowngrade) {
    const auto graph = linear();
    const std::string e = usage_error([&] { resolve_upgrade(graph, {"001"}, "-1"); });
    EXPECT_NE(e.find("schemagate downgrade -1"), std::string::npos) << e;
}

TEST(ResolveUpgrade, MalformedRelativeTargetIsUsageError) {
    const auto graph = linear();
    usage_error([&] { resolve_upgrade(graph, {}, "+1x"); });
}

TEST(ResolveUpgrade, HugeRelativeTargetIsUsageError) {
    const auto graph = linear();
    usage_error([&] { resolve_upgrade(graph, {}, "+99999999999999999999999"); });
}

// --- resolve_downgrade --------------------------------------------------------------------

TEST(ResolveDowngrade, BaseRemovesEveryAppliedRevision) {
    const auto graph = linear();
    const Goal goal = resolve_downgrade(graph, {"001", "002"}, "base");
    EXPECT_EQ(goal.direction, Direction::down);
    EXPECT_EQ(goal.revisions, (RevisionSet{"001", "002"}));
}

TEST(ResolveDowngrade, BaseIgnoresAppliedRevisionsUnknownToFiles) {
    const auto graph = linear();
    EXPECT_EQ(resolve_downgrade(graph, {"001", "zzz"}, "base").revisions, (RevisionSet{"001"}));
}

TEST(ResolveDowngrade, RevisionRemovesItsDescendantsButNotItself) {
    const auto graph = linear();
    EXPECT_EQ(resolve_downgrade(graph, {"001", "002", "003"}, "001").revisions,
              (RevisionSet{"002", "003"}));
}

TEST(ResolveDowngrade, PrefixResolvesToRevision) {
    const RevisionGraph graph({mig("a1b2c3", {}), mig("d4e5f6", {"a1b2c3"})});
    EXPECT_EQ(resolve_downgrade(graph, {"a1b2c3", "d4e5f6"}, "a1").revisions,
              (RevisionSet{"d4e5f6"}));
}

TEST(ResolveDowngrade, MinusNRemovesNewestNApplied) {
    const auto graph = linear();
    EXPECT_EQ(resolve_downgrade(graph, {"001", "002", "003"}, "-2").revisions,
              (RevisionSet{"002", "003"}));
}

TEST(ResolveDowngrade, MinusNBeyondAppliedIsUsageError) {
    const auto graph = linear();
    const std::string e = usage_error([&] { resolve_downgrade(graph, {"001"}, "-2"); });
    EXPECT_NE(e.find("only 1 revisions are applied"), std::string::npos) << e;
}

TEST(ResolveDowngrade, PlusNIsUsageErrorPointingAtUpgrade) {
    const auto graph = linear();
    const std::string e = usage_error([&] { resolve_downgrade(graph, {"001"}, "+1"); });
    EXPECT_NE(e.find("schemagate upgrade +1"), std::string::npos) << e;
}

TEST(ResolveDowngrade, NonAppliedRevisionIsUsageError) {
    const auto graph = linear();
    const std::string e = usage_error([&] { resolve_downgrade(graph, {"001"}, "002"); });
    EXPECT_NE(e.find("cannot downgrade to 002: it is not applied"), std::string::npos) << e;
}

TEST(ResolveDowngrade, UnknownRevisionIsUsageError) {
    const auto graph = linear();
    const std::string e = usage_error([&] { resolve_downgrade(graph, {"001"}, "999"); });
    EXPECT_NE(e.find("unknown revision '999'"), std::string::npos) << e;
}

TEST(ResolveDowngrade, HeadIsUsageError) {
    const auto graph = linear();
    usage_error([&] { resolve_downgrade(graph, {"001"}, "head"); });
}

TEST(ResolveDowngrade, AmbiguousPrefixIsIntegrityError) {
    const RevisionGraph graph({mig("ab1", {}), mig("ab2", {"ab1"})});
    integrity_error([&] { resolve_downgrade(graph, {"ab1", "ab2"}, "ab"); });
}

// --- plan ---------------------------------------------------------------------------------

TEST(Plan, UpgradeRunsOnlyMissingRevisionsInTopologicalOrder) {
    const auto graph = unsorted_ids();
    const Goal goal = resolve_upgrade(graph, {"m", "k"}, "head");
    EXPECT_EQ(ids_of(plan(graph, {"m", "k"}, goal)), (std::vector<std::string>{"b", "z", "c"}));
}

TEST(Plan, UpgradeToAppliedTargetIsEmpty) {
    const auto graph = linear();
    const Goal goal = resolve_upgrade(graph, {"001", "002", "003"}, "head");
    EXPECT_TRUE(plan(graph, {"001", "002", "003"}, goal).empty());
}

TEST(Plan, DowngradeRunsNewestFirst) {
    const auto graph = unsorted_ids();
    const RevisionSet all{"m", "k", "z", "b", "c"};
    const Goal goal = resolve_downgrade(graph, all, "base");
    EXPECT_EQ(ids_of(plan(graph, all, goal)), (std::vector<std::string>{"c", "z", "k", "b", "m"}));
}

TEST(Plan, DowngradeThroughIrreversibleRevisionIsRefusedNamingItsFile) {
    const RevisionGraph graph(
        {mig("001", {}), mig("002", {"001"}, {.reversible = Reversible::no}), mig("003", {"002"})});
    const RevisionSet all{"001", "002", "003"};
    const Goal goal = resolve_downgrade(graph, all, "001");
    const std::string e = usage_error([&] { plan(graph, all, goal); });
    EXPECT_NE(e.find("m/002_step.sql: revision 002 has no '-- migrate:down' section"),
              std::string::npos)
        << e;
}

TEST(Plan, DowngradeAboveIrreversibleRevisionIsAllowed) {
    const RevisionGraph graph(
        {mig("001", {}, {.reversible = Reversible::no}), mig("002", {"001"}), mig("003", {"002"})});
    const RevisionSet all{"001", "002", "003"};
    const Goal goal = resolve_downgrade(graph, all, "001");
    EXPECT_EQ(ids_of(plan(graph, all, goal)), (std::vector<std::string>{"003", "002"}));
}

TEST(Plan, UpgradeThroughIrreversibleRevisionIsAllowed) {
    const RevisionGraph graph(
        {mig("001", {}, {.reversible = Reversible::no}), mig("002", {"001"})});
    const Goal goal = resolve_upgrade(graph, {}, "head");
    EXPECT_EQ(ids_of(plan(graph, {}, goal)), (std::vector<std::string>{"001", "002"}));
}

TEST(Plan, UpgradeOfOneBranchLeavesTheOtherPending) {
    const auto graph = merged();
    EXPECT_EQ(after(graph, {"001"}, resolve_upgrade(graph, {"001"}, "003")),
              (RevisionSet{"001", "002", "003"}));
}

TEST(Plan, UpgradeToMergeAppliesBothBranches) {
    const auto graph = merged();
    EXPECT_EQ(ids_of(plan(graph, {"001", "002"}, resolve_upgrade(graph, {"001", "002"}, "005"))),
              (std::vector<std::string>{"003", "004", "005"}));
}

TEST(Plan, DowngradeOfOneBranchLeavesTheOther) {
    const auto graph = merged();
    const RevisionSet all{"001", "002", "003", "004", "005"};
    const Goal goal = resolve_downgrade(graph, all, "002");
    EXPECT_EQ(ids_of(plan(graph, all, goal)), (std::vector<std::string>{"005", "003"}));
    EXPECT_EQ(after(graph, all, goal), (RevisionSet{"001", "002", "004"}));
}

TEST(Plan, UpgradePlusNKeepsAppliedSetClosedUnderAncestors) {
    const auto graph = unsorted_ids();
    for (const RevisionSet& start : {RevisionSet{}, RevisionSet{"m"}, RevisionSet{"m", "k"}}) {
        const std::size_t pending = graph.migrations().size() - start.size();
        for (std::size_t n = 0; n <= pending; ++n) {
            SCOPED_TRACE("from " + std::to_string(start.size()) + " applied, +" +
                         std::to_string(n));
            const RevisionSet end = after(
                graph, start,
                resolve_upgrade(graph, start, Target::parse_or_throw("+" + std::to_string(n))));
            EXPECT_EQ(end.size(), start.size() + n);
            EXPECT_EQ(unclosed(graph, end), std::vector<std::string>{});
        }
    }
}

TEST(Plan, DowngradeMinusNKeepsAppliedSetClosedUnderAncestors) {
    const auto graph = unsorted_ids();
    const RevisionSet all{"m", "k", "z", "b", "c"};
    for (std::size_t n = 0; n <= all.size(); ++n) {
        SCOPED_TRACE("-" + std::to_string(n));
        const RevisionSet end =
            after(graph, all,
                  resolve_downgrade(graph, all, Target::parse_or_throw("-" + std::to_string(n))));
        EXPECT_EQ(end.size(), all.size() - n);
        EXPECT_EQ(unclosed(graph, end), std::vector<std::string>{});
    }
}

TEST(Plan, DowngradeMinusOneOnForkRemovesOneBranchHeadOnly) {
    const auto graph = forked();
    const RevisionSet all{"001", "002", "003"};
    EXPECT_EQ(after(graph, all, resolve_downgrade(graph, all, "-1")), (RevisionSet{"001", "002"}));
}

// --- single_head, current_heads, stamp_result ---------------------------------------------

TEST(SingleHead, ReturnsTheOnlyHead) {
    EXPECT_EQ(single_head(merged()), "005");
}

TEST(SingleHead, SeveralHeadsIsIntegrityError) {
    integrity_error([] { single_head(forked()); });
}

TEST(CurrentHeads, AreAppliedRevisionsWithoutAppliedChildren) {
    EXPECT_EQ(current_heads(linear(), {"001", "002"}), (std::vector<std::string>{"002"}));
}

TEST(CurrentHeads, ListsEachAppliedBranchHead) {
    EXPECT_EQ(current_heads(merged(), {"001", "002", "004"}),
              (std::vector<std::string>{"002", "004"}));
}

TEST(CurrentHeads, NothingAppliedGivesNoHeads) {
    EXPECT_TRUE(current_heads(linear(), {}).empty());
}

TEST(CurrentHeads, IgnoresAppliedRevisionsUnknownToFiles) {
    EXPECT_EQ(current_heads(linear(), {"001", "zzz"}), (std::vector<std::string>{"001"}));
}

TEST(StampResult, BaseIsEmpty) {
    EXPECT_TRUE(stamp_result(linear(), {"001", "002"}, "base").empty());
}

TEST(StampResult, HeadAddsWholeLineage) {
    EXPECT_EQ(stamp_result(linear(), {}, "head"), (RevisionSet{"001", "002", "003"}));
}

TEST(StampResult, HeadsIsEveryRevision) {
    EXPECT_EQ(stamp_result(forked(), {"001"}, "heads"), (RevisionSet{"001", "002", "003"}));
}

TEST(StampResult, OlderRevisionRemovesItsAppliedDescendants) {
    EXPECT_EQ(stamp_result(linear(), {"001", "002", "003"}, "001"), (RevisionSet{"001"}));
}

TEST(StampResult, RevisionOnOtherBranchKeepsAppliedBranch) {
    EXPECT_EQ(stamp_result(forked(), {"001", "002"}, "003"), (RevisionSet{"001", "002", "003"}));
}

TEST(StampResult, PrefixResolvesToRevision) {
    const RevisionGraph graph({mig("a1b2c3", {}), mig("d4e5f6", {"a1b2c3"})});
    EXPECT_EQ(stamp_result(graph, {}, "a1"), (RevisionSet{"a1b2c3"}));
}

TEST(StampResult, RelativeTargetIsUsageError) {
    usage_error([] { stamp_result(linear(), {"001"}, "+1"); });
}

TEST(StampResult, UnknownRevisionIsUsageError) {
    usage_error([] { stamp_result(linear(), {"001"}, "999"); });
}

} // namespace
} // namespace schemagate::migration
