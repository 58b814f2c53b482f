#include <algorithm>
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include <schemagate/migration/graph.hpp>
#include <schemagate/runner/runner.hpp>
#include <schemagate/store/store.hpp>
#include <schemagate/util/error.hpp>

#include <support/fake_clock.hpp>
#include <support/fake_lock.hpp>
#include <support/fake_store.hpp>
#include <support/migrations.hpp>
#include <support/recording_observer.hpp>

namespace schemagate::runner {
namespace {

using namespace std::chrono_literals;
using migration::Direction;
using migration::Migration;
using migration::RevisionGraph;
using testing::chain;
using testing::error_of;
using testing::Events;
using testing::FakeClock;
using testing::FakeLock;
using testing::FakeStore;
using testing::index_of;
using testing::mig;
using testing::RecordingObserver;
using testing::Reversible;
using testing::row_for;
using testing::unsorted_ids;

// A history row for a revision no file declares, applied by an older release.
store::AppliedRevision unknown_row(const std::vector<std::string>& parents) {
    store::AppliedRevision r;
    r.id = "0ld";
    r.parents = parents;
    r.checksum = "abc";
    r.message = "gone";
    r.applied_at = "2023-05-01T00:00:00Z";
    r.duration_ms = 1;
    r.applied_by = "old-pod";
    return r;
}

RunnerOptions test_options() {
    RunnerOptions o;
    o.lock_timeout = 42s;
    o.applied_by = "pod-7";
    return o;
}

class RunnerTest : public ::testing::Test {
protected:
    Events events;
    FakeStore store{events};
    FakeLock lock{events};
    FakeClock clock;
    RunnerOptions options = test_options();

    Runner runner_for(const RevisionGraph& graph) {
        return Runner(graph, store, lock, clock, options);
    }
};

// 001 -> 002 -> 003
RevisionGraph linear() {
    return chain({"001", "002", "003"});
}

// --- upgrade ------------------------------------------------------------------------------

TEST_F(RunnerTest, UpgradeAtTargetTakesNoLockAndRunsNothing) {
    const auto graph = linear();
    for (const auto& m : graph.migrations()) {
        store.apply(m);
    }
    const RunReport report = runner_for(graph).upgrade("head");
    EXPECT_FALSE(report.took_lock);
    EXPECT_TRUE(report.revisions.empty());
    EXPECT_EQ(lock.acquire_calls, 0);
    EXPECT_EQ(store.ensure_tables_calls, 0);
    EXPECT_TRUE(store.steps.empty());
}

TEST_F(RunnerTest, UpgradeRunsPendingStepsInTopologicalOrder) {
    const auto graph = unsorted_ids();
    store.apply(graph.at("m"));
    const RunReport report = runner_for(graph).upgrade("head");
    const std::vector<std::string> expected{"b", "k", "z", "c"};
    EXPECT_EQ(store.step_ids(), expected);
    EXPECT_EQ(report.revisions, expected);
    EXPECT_TRUE(report.took_lock);
    EXPECT_TRUE(std::all_of(store.steps.begin(), store.steps.end(),
                            [](const auto& s) { return s.direction == Direction::up; }));
}

TEST_F(RunnerTest, UpgradeTakesLockWithConfiguredTimeoutAndReleasesItAfterLastStep) {
    runner_for(linear()).upgrade("head");
    EXPECT_EQ(lock.acquire_calls, 1);
    EXPECT_EQ(lock.last_timeout, 42s);
    EXPECT_EQ(lock.release_calls, 1);
    EXPECT_EQ(events.back(), "release");
    EXPECT_LT(index_of(events, "acquire"), index_of(events, "run_step upgrade 001"));
}

TEST_F(RunnerTest, UpgradeCreatesTablesUnderTheLockBeforeAnyStep) {
    runner_for(linear()).upgrade("head");
    EXPECT_EQ(store.ensure_tables_calls, 1);
    EXPECT_LT(index_of(events, "acquire"), index_of(events, "ensure_tables"));
    EXPECT_LT(index_of(events, "ensure_tables"), index_of(events, "run_step upgrade 001"));
}

TEST_F(RunnerTest, UpgradeChecksLockIsHeldBeforeEachStep) {
    runner_for(linear()).upgrade("head");
    EXPECT_EQ(lock.check_held_calls, 3);
    for (const std::string id : {"001", "002", "003"}) {
        const std::size_t step = index_of(events, "run_step upgrade " + id);
        ASSERT_LT(step, events.size());
        EXPECT_EQ(events[step - 1], "check_held") << id;
    }
}

TEST_F(RunnerTest, UpgradePassesSplitStatementsAndAppliedBy) {
    const RevisionGraph graph(
        {mig("001", {}, {.up = "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n"})});
    runner_for(graph).upgrade("head");
    ASSERT_EQ(store.steps.size(), 1U);
    EXPECT_EQ(store.steps[0].statements,
              (std::vector<std::string>{"CREATE TABLE a (id int)", "CREATE TABLE b (id int)"}));
    EXPECT_EQ(store.steps[0].applied_by, "pod-7");
}

TEST_F(RunnerTest, UpgradeReplansAfterLockAndRunsOnlyWhatIsStillMissing) {
    const auto graph = linear();
    lock.on_acquire = [&] {
        store.apply(graph.at("001"));
        store.apply(graph.at("002"));
    };
    const RunReport report = runner_for(graph).upgrade("head");
    EXPECT_EQ(store.step_ids(), (std::vector<std::string>{"003"}));
    EXPECT_EQ(report.revisions, (std::vector<std::string>{"003"}));
}

TEST_F(RunnerTest, UpgradeFinishedByAnotherCopyWhileWaitingRunsNothingAndReleasesLock) {
    const auto graph = linear();
    lock.on_acquire = [&] {
        for (const auto& m : graph.migrations()) {
            store.apply(m);
        }
    };
    const RunReport report = runner_for(graph).upgrade("head");
    EXPECT_TRUE(store.steps.empty());
    EXPECT_TRUE(report.revisions.empty());
    EXPECT_TRUE(report.took_lock);
    EXPECT_EQ(lock.release_calls, 1);
}

TEST_F(RunnerTest, UpgradePlusOneIsResolvedBeforeLocking) {
    // Another copy ran `upgrade +1` while we waited: our +1 is the same revision, not the next.
    const auto graph = linear();
    lock.on_acquire = [&] { store.apply(graph.at("001")); };
    const RunReport report = runner_for(graph).upgrade("+1");
    EXPECT_EQ(lock.acquire_calls, 1);
    EXPECT_TRUE(store.steps.empty());
    EXPECT_TRUE(report.revisions.empty());
    EXPECT_EQ(store.history_ids(), (std::vector<std::string>{"001"}));
}

TEST_F(RunnerTest, RelativeTargetOfANamedRunIsResolvedUnderTheLockAndRecorded) {
    const auto graph = linear();
    store.apply(graph.at("001"));
    options.run_id = "job-1";
    const auto report = runner_for(graph).upgrade("+1");
    EXPECT_EQ(report.revisions, (std::vector<std::string>{"002"}));
    EXPECT_LT(index_of(events, "acquire"), index_of(events, "record_run_target job-1 +1"));
    EXPECT_LT(index_of(events, "record_run_target job-1 +1"),
              index_of(events, "run_step upgrade 002"));
    EXPECT_EQ(store.run_targets.at("job-1 +1"), (migration::RevisionSet{"002"}));
}

TEST_F(RunnerTest, ACopyOrRetryOfANamedRunThatArrivesLateDoesNotMoveAgain) {
    const auto graph = linear();
    store.apply(graph.at("001"));
    options.run_id = "job-1";
    runner_for(graph).upgrade("+1");
    ASSERT_EQ(lock.acquire_calls, 1);
    // The retried pod (or a slower copy) reads the new state: +1 from there would be 003.
    const auto again = runner_for(graph).upgrade("+1");
    EXPECT_TRUE(again.revisions.empty());
    EXPECT_EQ(lock.acquire_calls, 1) << "the recorded target is met: no lock";
    options.run_id = "job-2";
    EXPECT_EQ(runner_for(graph).upgrade("+1").revisions, (std::vector<std::string>{"003"}));
}

TEST_F(RunnerTest, ACopyThatWaitedForTheLockUsesTheTargetTheFirstCopyRecorded) {
    const auto graph = linear();
    store.apply(graph.at("001"));
    store.apply(graph.at("002"));
    options.run_id = "job-1";
    // While this copy waits for the lock, the first copy records -1 as {002} and runs it.
    lock.on_acquire = [&] {
        store.run_targets.emplace("job-1 -1", migration::RevisionSet{"002"});
        store.unapply("002");
    };
    const auto report = runner_for(graph).downgrade("-1");
    EXPECT_TRUE(report.revisions.empty());
    EXPECT_TRUE(store.steps.empty());
    EXPECT_EQ(index_of(events, "record_run_target job-1 -1"), events.size());
}

TEST_F(RunnerTest, AbsoluteTargetsAndUnnamedRunsRecordNothing) {
    const auto graph = linear();
    options.run_id = "job-1";
    runner_for(graph).upgrade("002");
    options.run_id.clear();
    runner_for(graph).upgrade("+1");
    EXPECT_TRUE(store.run_targets.empty());
    EXPECT_EQ(index_of(events, "read_run_target job-1 002"), events.size());
}

TEST_F(RunnerTest, FailingStepStopsTheRunAndReleasesTheLock) {
    const auto graph = linear();
    store.fail_on = "002";
    EXPECT_THROW(runner_for(graph).upgrade("head"), MigrationFailed);
    EXPECT_EQ(store.step_ids(), (std::vector<std::string>{"001", "002"}));
    EXPECT_EQ(store.history_ids(), (std::vector<std::string>{"001"}));
    EXPECT_EQ(lock.release_calls, 1);
    EXPECT_EQ(events.back(), "release");
}

TEST_F(RunnerTest, LockTimeoutPropagatesAndRunsNothing) {
    lock.time_out = true;
    EXPECT_THROW(runner_for(linear()).upgrade("head"), LockTimeout);
    EXPECT_TRUE(store.steps.empty());
    EXPECT_EQ(store.ensure_tables_calls, 0);
}

TEST_F(RunnerTest, UnsplittableSectionIsIntegrityErrorBeforeLocking) {
    // parse_migration refuses such a section, so the text is swapped in after parsing (same
    // length, the closing quote made a space): the runner's own check is the last guard.
    Migration m = mig("001", {}, {.up = "SELECT 1;\nSELECT 'unterminated';\n"});
    m.hold_text("-- revision: 001\n-- parents: base\n-- migrate:up\nSELECT 1;\n"
                "SELECT 'unterminated ;\n-- migrate:down\nSELECT 'undo 001';\n");
    const RevisionGraph graph({m});
    const std::string e = error_of<IntegrityError>([&] { runner_for(graph).upgrade("head"); });
    // The up marker is on line 3, so the unterminated string on section line 2 is file line 5.
    EXPECT_NE(e.find("m/001_step.sql:5: "), std::string::npos) << e;
    EXPECT_EQ(lock.acquire_calls, 0);
    EXPECT_TRUE(store.steps.empty());
}

// --- integrity ----------------------------------------------------------------------------

TEST_F(RunnerTest, ChecksumDriftIsIntegrityErrorBeforeLocking) {
    const auto graph = linear();
    store.apply(graph.at("001"));
    store.history[0].checksum = std::string(64, '0');
    const std::string e = error_of<IntegrityError>([&] { runner_for(graph).upgrade("head"); });
    EXPECT_NE(e.find("m/001_step.sql: revision 001 was changed after it was applied"),
              std::string::npos)
        << e;
    EXPECT_EQ(lock.acquire_calls, 0);
    EXPECT_TRUE(store.steps.empty());
}

TEST_F(RunnerTest, UnknownAppliedRevisionIsIntegrityErrorBeforeLocking) {
    const auto graph = linear();
    store.apply(graph.at("001"));
    store.history.push_back(unknown_row({"001"}));
    const std::string e = error_of<IntegrityError>([&] { runner_for(graph).upgrade("head"); });
    EXPECT_NE(e.find("revision 0ld is applied (on 2023-05-01T00:00:00Z by old-pod)"),
              std::string::npos)
        << e;
    EXPECT_NE(e.find("no migration file declares it"), std::string::npos) << e;
    EXPECT_EQ(lock.acquire_calls, 0);
}

TEST_F(RunnerTest, AppliedSetNotClosedUnderAncestorsIsIntegrityErrorBeforeLocking) {
    const auto graph = linear();
    store.apply(graph.at("002"));
    const std::string e = error_of<IntegrityError>([&] { runner_for(graph).upgrade("head"); });
    EXPECT_NE(e.find("revision 002 is applied but its parent 001 is not"), std::string::npos) << e;
    EXPECT_EQ(lock.acquire_calls, 0);
}

TEST_F(RunnerTest, IntegrityProblemSeenAfterLockingRunsNothingAndReleasesLock) {
    const auto graph = linear();
    lock.on_acquire = [&] { store.history.push_back(unknown_row({})); };
    EXPECT_THROW(runner_for(graph).upgrade("head"), IntegrityError);
    EXPECT_TRUE(store.steps.empty());
    EXPECT_EQ(lock.release_calls, 1);
}

TEST(IntegrityProblems, ConsistentHistoryHasNone) {
    const auto graph = linear();
    EXPECT_TRUE(
        integrity_problems(graph, {row_for(graph.at("001")), row_for(graph.at("002"))}).empty());
}

TEST(IntegrityProblems, DriftNamesFileRevisionAndBothChecksums) {
    const auto graph = linear();
    auto row = row_for(graph.at("002"));
    row.checksum = "feedfacecafebeef" + std::string(48, '0');
    const auto problems = integrity_problems(graph, {row_for(graph.at("001")), row});
    ASSERT_EQ(problems.size(), 1U);
    EXPECT_EQ(problems[0].rfind("m/002_step.sql: revision 002 ", 0), 0U) << problems[0];
    EXPECT_NE(problems[0].find("feedfacecafe recorded"), std::string::npos) << problems[0];
    EXPECT_NE(problems[0].find(graph.at("002").checksum.substr(0, 12) + " now"), std::string::npos)
        << problems[0];
}

TEST(IntegrityProblems, UnknownRevisionNamesRevisionAndWhoAppliedIt) {
    const auto problems = integrity_problems(linear(), {unknown_row({})});
    ASSERT_EQ(problems.size(), 1U);
    EXPECT_EQ(problems[0].rfind("revision 0ld is applied", 0), 0U) << problems[0];
    EXPECT_NE(problems[0].find("2023-05-01T00:00:00Z by old-pod"), std::string::npos)
        << problems[0];
}

TEST(IntegrityProblems, MissingParentNamesRevisionAndParent) {
    const auto graph = linear();
    const auto problems = integrity_problems(graph, {row_for(graph.at("003"))});
    ASSERT_EQ(problems.size(), 1U);
    EXPECT_EQ(problems[0].rfind("revision 003 is applied but its parent 002 is not", 0), 0U)
        << problems[0];
}

TEST(IntegrityProblems, ListsEveryProblem) {
    const auto graph = linear();
    auto drifted = row_for(graph.at("001"));
    drifted.checksum = "x";
    const auto problems =
        integrity_problems(graph, {drifted, row_for(graph.at("003")), unknown_row({})});
    EXPECT_EQ(problems.size(), 3U);
}

TEST(AppliedIds, CollectsEveryHistoryRow) {
    const auto graph = linear();
    EXPECT_EQ(applied_ids({row_for(graph.at("002")), row_for(graph.at("001"))}),
              (migration::RevisionSet{"001", "002"}));
}

// --- downgrade ----------------------------------------------------------------------------

TEST_F(RunnerTest, DowngradeRunsNewestFirst) {
    const auto graph = unsorted_ids();
    for (const auto& m : graph.migrations()) {
        store.apply(m);
    }
    const RunReport report = runner_for(graph).downgrade("base");
    const std::vector<std::string> expected{"c", "z", "k", "b", "m"};
    EXPECT_EQ(store.step_ids(), expected);
    EXPECT_EQ(report.revisions, expected);
    EXPECT_TRUE(std::all_of(store.steps.begin(), store.steps.end(),
                            [](const auto& s) { return s.direction == Direction::down; }));
    EXPECT_TRUE(store.history.empty());
}

TEST_F(RunnerTest, DowngradeRunsDownSections) {
    const auto graph = linear();
    for (const auto& m : graph.migrations()) {
        store.apply(m);
    }
    runner_for(graph).downgrade("-1");
    ASSERT_EQ(store.steps.size(), 1U);
    EXPECT_EQ(store.steps[0].statements, (std::vector<std::string>{"SELECT 'undo 003'"}));
}

TEST_F(RunnerTest, DowngradeAtBaseTakesNoLock) {
    runner_for(linear()).downgrade("base");
    EXPECT_EQ(lock.acquire_calls, 0);
    EXPECT_TRUE(store.steps.empty());
}

TEST_F(RunnerTest, DowngradeThroughIrreversibleRevisionIsRefusedBeforeLocking) {
    const RevisionGraph graph(
        {mig("001", {}), mig("002", {"001"}, {.reversible = Reversible::no})});
    store.apply(graph.at("001"));
    store.apply(graph.at("002"));
    const std::string e = error_of<UsageError>([&] { runner_for(graph).downgrade("base"); });
    EXPECT_NE(e.find("m/002_step.sql: revision 002"), std::string::npos) << e;
    EXPECT_EQ(lock.acquire_calls, 0);
    EXPECT_TRUE(store.steps.empty());
}

TEST_F(RunnerTest, DowngradeMinusOneIsResolvedBeforeLocking) {
    // Another copy ran `downgrade -1` while we waited: our -1 meant the same revision.
    const auto graph = linear();
    for (const auto& m : graph.migrations()) {
        store.apply(m);
    }
    lock.on_acquire = [&] { store.unapply("003"); };
    runner_for(graph).downgrade("-1");
    EXPECT_TRUE(store.steps.empty());
    EXPECT_EQ(store.history_ids(), (std::vector<std::string>{"001", "002"}));
}

// --- stamp --------------------------------------------------------------------------------

TEST_F(RunnerTest, StampHeadAddsMissingRevisionsInOrderWithoutRunningThem) {
    const auto graph = unsorted_ids();
    store.apply(graph.at("m"));
    const RunReport report = runner_for(graph).stamp("head");
    ASSERT_EQ(store.stamps.size(), 1U);
    EXPECT_EQ(store.stamps[0].add, (std::vector<std::string>{"b", "k", "z", "c"}));
    EXPECT_TRUE(store.stamps[0].remove.empty());
    EXPECT_TRUE(store.steps.empty());
    EXPECT_EQ(report.revisions, (std::vector<std::string>{"b", "k", "z", "c"}));
}

TEST_F(RunnerTest, StampOlderRevisionRemovesItsDescendants) {
    const auto graph = linear();
    for (const auto& m : graph.migrations()) {
        store.apply(m);
    }
    runner_for(graph).stamp("001");
    ASSERT_EQ(store.stamps.size(), 1U);
    EXPECT_TRUE(store.stamps[0].add.empty());
    EXPECT_EQ(store.stamps[0].remove, (std::vector<std::string>{"002", "003"}));
    EXPECT_EQ(store.history_ids(), (std::vector<std::string>{"001"}));
}

TEST_F(RunnerTest, StampBaseRemovesRowsUnknownToFilesToo) {
    const auto graph = linear();
    store.apply(graph.at("001"));
    store.history.push_back(unknown_row({}));
    runner_for(graph).stamp("base");
    ASSERT_EQ(store.stamps.size(), 1U);
    EXPECT_EQ(store.stamps[0].remove, (std::vector<std::string>{"001", "0ld"}));
    EXPECT_TRUE(store.history.empty());
}

TEST_F(RunnerTest, StampIgnoresChecksumDrift) {
    const auto graph = linear();
    store.apply(graph.at("001"));
    store.history[0].checksum = "drifted";
    runner_for(graph).stamp("head");
    ASSERT_EQ(store.stamps.size(), 1U);
    EXPECT_EQ(store.stamps[0].add, (std::vector<std::string>{"002", "003"}));
}

TEST_F(RunnerTest, StampOfRecordedStateTakesNoLock) {
    const auto graph = linear();
    for (const auto& m : graph.migrations()) {
        store.apply(m);
    }
    const RunReport report = runner_for(graph).stamp("head");
    EXPECT_FALSE(report.took_lock);
    EXPECT_EQ(lock.acquire_calls, 0);
    EXPECT_TRUE(store.stamps.empty());
}

TEST_F(RunnerTest, StampRecomputesUnderLockAndReleasesIt) {
    const auto graph = linear();
    lock.on_acquire = [&] { store.apply(graph.at("001")); };
    runner_for(graph).stamp("head");
    ASSERT_EQ(store.stamps.size(), 1U);
    EXPECT_EQ(store.stamps[0].add, (std::vector<std::string>{"002", "003"}));
    EXPECT_EQ(lock.release_calls, 1);
    EXPECT_EQ(events.back(), "release");
}

} // namespace
} // namespace schemagate::runner

namespace schemagate::runner {
namespace {

// 001 -> 002, where 002 runs statement by statement.
RevisionGraph with_autocommit_step() {
    auto m2 = mig("002", {"001"});
    m2.transaction = migration::TransactionMode::none;
    return RevisionGraph({mig("001", {}), m2});
}

TEST_F(RunnerTest, LockTimeoutRetriesTheStepWithGrowingBackoffThenSucceeds) {
    const auto graph = linear();
    store.lock_timeouts = 3;
    runner_for(graph).upgrade("001");
    EXPECT_EQ(store.step_ids(), (std::vector<std::string>{"001", "001", "001", "001"}));
    ASSERT_EQ(clock.sleeps.size(), 3U);
    // Full jitter within [b/2, b], b doubling from 500ms: each sleep fits its window.
    EXPECT_GE(clock.sleeps[0], 250ms);
    EXPECT_LE(clock.sleeps[0], 500ms);
    EXPECT_GE(clock.sleeps[2], 1000ms);
    EXPECT_LE(clock.sleeps[2], 2000ms);
    EXPECT_EQ(store.history_ids(), (std::vector<std::string>{"001"}));
}

TEST_F(RunnerTest, DeadlockRetriesTheTransactionalStep) {
    const auto graph = linear();
    store.deadlocks = 1;
    runner_for(graph).upgrade("001");
    EXPECT_EQ(store.step_ids(), (std::vector<std::string>{"001", "001"}));
    EXPECT_EQ(clock.sleeps.size(), 1U);
}

TEST_F(RunnerTest, LockTimeoutRetriesAreBoundedAndTheLastErrorPropagates) {
    const auto graph = linear();
    options.lock_retries = 2;
    store.lock_timeouts = 10;
    EXPECT_THROW(runner_for(graph).upgrade("001"), store::StepFailed);
    EXPECT_EQ(store.steps.size(), 3U);
    EXPECT_EQ(lock.release_calls, 1);
}

TEST_F(RunnerTest, LockTimeoutOfATransactionNoneStepIsNotRetried) {
    const auto graph = with_autocommit_step();
    store.apply(graph.at("001"));
    store.lock_timeouts = 1;
    EXPECT_THROW(runner_for(graph).upgrade("head"), store::StepFailed);
    EXPECT_EQ(store.steps.size(), 1U);
    EXPECT_TRUE(clock.sleeps.empty());
}

TEST_F(RunnerTest, StepTimeoutsComeFromOptionsUnlessTheFileOverridesThem) {
    auto m2 = mig("002", {"001"});
    m2.lock_timeout = 5s;
    const RevisionGraph graph({mig("001", {}), m2});
    options.timeouts = {1500ms, 3min};
    runner_for(graph).upgrade("head");
    ASSERT_EQ(store.steps.size(), 2U);
    EXPECT_EQ(store.steps[0].timeouts.lock, 1500ms);
    EXPECT_EQ(store.steps[1].timeouts.lock, 5s);
    EXPECT_EQ(store.steps[1].timeouts.statement, 3min);
}

TEST_F(RunnerTest, ConcurrentlyStatementsOfATransactionNoneFileWaitWithoutALockTimeout) {
    auto m = mig("002", {"001"},
                 {.up = "CREATE INDEX CONCURRENTLY i ON t (x);\nALTER TABLE t ADD COLUMN y int;\n"
                        "REINDEX INDEX CONCURRENTLY i;\n"});
    m.transaction = migration::TransactionMode::none;
    const auto step = prepare_step(m, Direction::up, {2s, 15min});
    EXPECT_EQ(step.lock_timeout_of(0), 0ms);
    EXPECT_EQ(step.lock_timeout_of(1), 2s);
    EXPECT_EQ(step.lock_timeout_of(2), 0ms);
    EXPECT_EQ(step.timeouts.statement, 15min);
}

TEST_F(RunnerTest, AFilesLockTimeoutStillBindsItsConcurrentlyStatements) {
    auto m = mig("002", {"001"}, {.up = "CREATE INDEX CONCURRENTLY i ON t (x);\n"});
    m.transaction = migration::TransactionMode::none;
    m.lock_timeout = 5s;
    const auto step = prepare_step(m, Direction::up, {2s, 15min});
    EXPECT_EQ(step.lock_timeout_of(0), 5s);
}

TEST_F(RunnerTest, TransactionalStepsKeepTheDdlLockTimeoutForEveryStatement) {
    const auto step = prepare_step(mig("002", {"001"}, {.up = "ALTER TABLE t ADD COLUMN y int;\n"}),
                                   Direction::up, {2s, 15min});
    EXPECT_TRUE(step.lock_timeouts.empty());
    EXPECT_EQ(step.lock_timeout_of(0), 2s);
}

TEST_F(RunnerTest, TransactionControlInATransactionNoneFileIsRefusedBeforeLocking) {
    auto m2 = mig("002", {"001"}, {.up = "BEGIN;\nCREATE INDEX CONCURRENTLY i ON t (x);\n"});
    m2.transaction = migration::TransactionMode::none;
    const RevisionGraph graph({mig("001", {}), m2});
    const std::string e = error_of<IntegrityError>([&] { runner_for(graph).upgrade("head"); });
    EXPECT_NE(e.find("SG109"), std::string::npos) << e;
    EXPECT_NE(e.find("m/002_step.sql:4"), std::string::npos) << e;
    EXPECT_EQ(lock.acquire_calls, 0);
    EXPECT_TRUE(store.steps.empty());
}

TEST_F(RunnerTest, RevisionDoneByAnotherSessionIsNeitherRunAgainNorReported) {
    const auto graph = linear();
    store.done_elsewhere_on = "002";
    const auto report = runner_for(graph).upgrade("head");
    EXPECT_EQ(report.revisions, (std::vector<std::string>{"001", "003"}));
    EXPECT_EQ(store.steps.size(), 3U);
}

store::AppliedRevision unfinished(const Migration& m, store::RowState state, std::int64_t done) {
    auto row = row_for(m);
    row.state = state;
    row.statements_done = done;
    row.error = "boom";
    return row;
}

TEST_F(RunnerTest, FailedStepRefusesUpgradeNamingStatementRepairAndInvalidIndexes) {
    const auto graph = with_autocommit_step();
    store.apply(graph.at("001"));
    store.history.push_back(unfinished(graph.at("002"), store::RowState::failed, 0));
    store.invalid = {"public.items_name_idx"};
    const std::string e = error_of<IntegrityError>([&] { runner_for(graph).upgrade("head"); });
    EXPECT_NE(e.find("m/002_step.sql:4: revision 002 failed"), std::string::npos) << e;
    EXPECT_NE(e.find("schemagate repair 002 --resume"), std::string::npos) << e;
    EXPECT_NE(e.find("public.items_name_idx is INVALID"), std::string::npos) << e;
    EXPECT_EQ(lock.acquire_calls, 0);
}

TEST_F(RunnerTest, RunningRowIsLeftToItsOwnerBeforeTheLockButRefusedUnderIt) {
    const auto graph = with_autocommit_step();
    store.apply(graph.at("001"));
    store.history.push_back(unfinished(graph.at("002"), store::RowState::running, 0));
    // Before the lock the row may belong to a live copy, so we wait for the lock; once we hold
    // it, the row's owner is gone.
    const std::string e = error_of<IntegrityError>([&] { runner_for(graph).upgrade("head"); });
    EXPECT_EQ(lock.acquire_calls, 1);
    EXPECT_NE(e.find("was interrupted during its upgrade"), std::string::npos) << e;
    EXPECT_TRUE(store.steps.empty());
}

TEST_F(RunnerTest, RepairResumeStartsAtTheRecordedStatement) {
    auto m2 = mig("002", {"001"}, {.up = "SELECT 1;\nSELECT 2;\nSELECT 3;\n"});
    m2.transaction = migration::TransactionMode::none;
    const RevisionGraph graph({mig("001", {}), m2});
    store.apply(graph.at("001"));
    store.history.push_back(unfinished(graph.at("002"), store::RowState::failed, 2));
    runner_for(graph).repair("002", RepairMode::resume);
    ASSERT_EQ(store.steps.size(), 1U);
    EXPECT_EQ(store.steps[0].first_statement, 2U);
    EXPECT_EQ(store.steps[0].statements.size(), 3U);
    EXPECT_EQ(lock.release_calls, 1);
}

TEST_F(RunnerTest, RepairRollbackAbandonsTheStepUnderTheLock) {
    const auto graph = with_autocommit_step();
    store.apply(graph.at("001"));
    store.history.push_back(unfinished(graph.at("002"), store::RowState::failed, 1));
    runner_for(graph).repair("002", RepairMode::rollback);
    EXPECT_EQ(store.abandoned, (std::vector<std::string>{"002"}));
    EXPECT_LT(index_of(events, "acquire"), index_of(events, "abandon_step 002"));
}

TEST_F(RunnerTest, RepairResumeTakesOverTheRowAndAFreshStepDoesNot) {
    const auto graph = with_autocommit_step();
    store.apply(graph.at("001"));
    runner_for(graph).upgrade("head");
    ASSERT_EQ(store.starts.size(), 1U);
    EXPECT_EQ(store.starts[0], store::StepStart::fresh);
    store.unapply("002");
    store.history.push_back(unfinished(graph.at("002"), store::RowState::failed, 0));
    runner_for(graph).repair("002", RepairMode::resume);
    ASSERT_EQ(store.starts.size(), 2U);
    EXPECT_EQ(store.starts[1], store::StepStart::resume);
}

TEST_F(RunnerTest, RepairOfAnAppliedRevisionIsAUsageError) {
    const auto graph = linear();
    store.apply(graph.at("001"));
    EXPECT_THROW(runner_for(graph).repair("001", RepairMode::resume), UsageError);
}

TEST_F(RunnerTest, LostConnectionReconnectsRereadsTheHistoryAndContinues) {
    const auto graph = linear();
    store.connection_losses = 1;
    runner_for(graph).upgrade("head");
    EXPECT_EQ(store.reconnect_calls, 1);
    EXPECT_EQ(lock.acquire_calls, 2);
    EXPECT_EQ(store.history_ids(), (std::vector<std::string>{"001", "002", "003"}));
    // The lock was given up before reconnecting and taken again after.
    const auto reconnect = index_of(events, "reconnect");
    EXPECT_EQ(events[reconnect - 1], "release");
    EXPECT_EQ(events[reconnect + 1], "acquire");
}

TEST_F(RunnerTest, ReconnectsAreBounded) {
    const auto graph = linear();
    options.reconnects = 2;
    store.connection_losses = 10;
    EXPECT_THROW(runner_for(graph).upgrade("head"), DatabaseUnreachable);
    EXPECT_EQ(store.reconnect_calls, 2);
}

TEST_F(RunnerTest, AllowUnknownLetsAnOlderReleaseRunAgainstANewerDatabase) {
    const auto graph = linear();
    for (const auto& m : graph.migrations()) {
        store.apply(m);
    }
    store.history.push_back(unknown_row({"003"}));
    EXPECT_THROW(runner_for(graph).upgrade("head"), IntegrityError);
    options.allow.unknown = true;
    EXPECT_NO_THROW(runner_for(graph).upgrade("head"));
    EXPECT_EQ(lock.acquire_calls, 0);
}

TEST_F(RunnerTest, AllowDriftAcceptsAChangedAppliedFile) {
    const auto graph = linear();
    auto drifted = row_for(graph.at("001"));
    drifted.checksum = "0000";
    store.history.push_back(drifted);
    EXPECT_THROW(runner_for(graph).upgrade("head"), IntegrityError);
    options.allow.drift = true;
    runner_for(graph).upgrade("head");
    EXPECT_EQ(store.step_ids(), (std::vector<std::string>{"002", "003"}));
}

// --- observation --------------------------------------------------------------------------

TEST_F(RunnerTest, ObserverSeesTheLockWaitEachRetryAndEachStepInOrder) {
    RecordingObserver observer(events);
    lock.on_acquire = [&] { clock.advance(1500ms); };
    store.lock_timeouts = 1;
    const auto graph = linear();
    Runner runner = runner_for(graph);
    runner.observe(observer);
    runner.upgrade("head");

    EXPECT_EQ(observer.lock_waits, (std::vector<std::chrono::milliseconds>{1500ms}));
    EXPECT_EQ(observer.retried, (std::vector<std::string>{"001"}));
    ASSERT_EQ(observer.done.size(), 3U);
    ASSERT_EQ(clock.sleeps.size(), 1U);
    // The retry's backoff is part of its step's time; the others took no (fake) time.
    EXPECT_EQ(observer.done[0].took, clock.sleeps[0]);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(observer.done[i].id, graph.migrations()[i].id);
        EXPECT_EQ(observer.done[i].direction, Direction::up);
    }
    const std::string done_001 =
        "step_done upgrade 001 " + std::to_string(clock.sleeps[0].count()) + "ms";
    EXPECT_LT(index_of(events, "lock_waited 1500ms"), index_of(events, "run_step upgrade 001"));
    EXPECT_LT(index_of(events, "step_retried 001"), index_of(events, done_001));
    EXPECT_LT(index_of(events, done_001), index_of(events, "run_step upgrade 002"));
    EXPECT_LT(index_of(events, "step_done upgrade 003 0ms"), index_of(events, "release"));
    EXPECT_EQ(testing::count_of(events, "run_step upgrade 001"), 2U);
}

TEST_F(RunnerTest, ObserverIsNotToldOfAStepAnotherSessionDid) {
    RecordingObserver observer;
    store.done_elsewhere_on = "002";
    const auto graph = linear();
    Runner runner = runner_for(graph);
    runner.observe(observer);
    runner.upgrade("head");
    ASSERT_EQ(observer.done.size(), 2U);
    EXPECT_EQ(observer.done[0].id, "001");
    EXPECT_EQ(observer.done[1].id, "003");
    EXPECT_EQ(observer.events(), (Events{"lock_waited 0ms", "step_done upgrade 001 0ms",
                                         "step_done upgrade 003 0ms"}));
}

} // namespace
} // namespace schemagate::runner
