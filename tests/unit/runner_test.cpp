#include <algorithm>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include <schemagate/lock/lock.hpp>
#include <schemagate/migration/graph.hpp>
#include <schemagate/migration/parser.hpp>
#include <schemagate/runner/runner.hpp>
#include <schemagate/store/store.hpp>
#include <schemagate/util/error.hpp>
#include <schemagate/util/strings.hpp>

namespace schemagate::runner {
namespace {

using namespace std::chrono_literals;
using migration::Direction;
using migration::Migration;
using migration::RevisionGraph;
using Events = std::vector<std::string>;

// A migration parsed from in-memory text, as it would be read from m/<id>_step.sql.
enum class Reversible { yes, no };

Migration mig(const std::string& id, const std::vector<std::string>& parents,
              const std::string& up = "", Reversible reversible = Reversible::yes) {
    std::string text = "-- parents: " + (parents.empty() ? "base" : util::join(parents, ", ")) +
                       "\n-- migrate:up\n" + (up.empty() ? "SELECT '" + id + "';\n" : up);
    if (reversible == Reversible::yes) {
        text += "-- migrate:down\nSELECT 'undo " + id + "';\n";
    }
    auto parsed = migration::parse_migration("m/" + id + "_step.sql", text);
    if (!parsed) {
        ADD_FAILURE() << "test migration " << id
                      << " did not parse: " << parsed.error().front().message;
        return {};
    }
    return *parsed;
}

store::AppliedRevision row_for(const Migration& m) {
    return {m.id, m.parents, m.checksum, m.message, "2024-01-01T00:00:00Z", 5, "other-host"};
}

// Keeps the history in memory and records every call, in order, in a shared event list.
class FakeStore final : public store::Store {
public:
    explicit FakeStore(Events& events) : m_events(events) {}

    std::vector<store::AppliedRevision> history;
    std::string fail_on; // run_step throws MigrationFailed for this revision

    int read_history_calls = 0;
    int ensure_tables_calls = 0;
    struct StepCall {
        std::string id;
        Direction direction;
        std::vector<std::string> statements;
        std::string applied_by;
    };
    std::vector<StepCall> steps;
    struct StampCall {
        std::vector<std::string> add;
        std::vector<std::string> remove;
    };
    std::vector<StampCall> stamps;

    void apply(const Migration& m) { history.push_back(row_for(m)); }
    void unapply(const std::string& id) {
        std::erase_if(history, [&](const store::AppliedRevision& r) { return r.id == id; });
    }
    std::vector<std::string> step_ids() const {
        std::vector<std::string> out;
        for (const auto& s : steps) {
            out.push_back(s.id);
        }
        return out;
    }
    std::vector<std::string> history_ids() const {
        std::vector<std::string> out;
        for (const auto& r : history) {
            out.push_back(r.id);
        }
        return out;
    }

    std::vector<store::AppliedRevision> read_history() override {
        ++read_history_calls;
        m_events.push_back("read_history");
        return history;
    }
    void ensure_tables() override {
        ++ensure_tables_calls;
        m_events.push_back("ensure_tables");
    }
    void run_step(const store::Step& step, const std::string& applied_by) override {
        const Migration& m = *step.migration;
        m_events.push_back("run_step " + std::string(migration::to_string(step.direction)) + " " +
                           m.id);
        StepCall call{m.id, step.direction, {}, applied_by};
        for (const auto& s : step.statements) {
            call.statements.push_back(s.text);
        }
        steps.push_back(std::move(call));
        if (m.id == fail_on) {
            throw MigrationFailed(m.where(m.up.first_line + 1) + ": boom");
        }
        if (step.direction == Direction::up) {
            apply(m);
        } else {
            unapply(m.id);
        }
    }
    void stamp(const std::vector<const Migration*>& add, const std::vector<std::string>& remove,
               const std::string& /*applied_by*/) override {
        m_events.push_back("stamp");
        StampCall call;
        for (const Migration* m : add) {
            call.add.push_back(m->id);
            apply(*m);
        }
        for (const auto& id : remove) {
            call.remove.push_back(id);
            unapply(id);
        }
        stamps.push_back(std::move(call));
    }

private:
    Events& m_events;
};

// Records acquire, check_held and release; can time out, or run `on_acquire` while "waiting"
// to simulate another copy of schemagate doing work before we get the lock.
class FakeLock final : public lock::Lock {
public:
    explicit FakeLock(Events& events) : m_events(events) {}

    bool time_out = false;
    std::function<void()> on_acquire;

    int acquire_calls = 0;
    int release_calls = 0;
    int check_held_calls = 0;
    std::chrono::milliseconds last_timeout{0};
    bool held = false;

    void acquire(std::chrono::milliseconds timeout) override {
        ++acquire_calls;
        last_timeout = timeout;
        m_events.push_back("acquire");
        if (time_out) {
            throw LockTimeout("timed out waiting for the migration lock");
        }
        if (on_acquire) {
            on_acquire();
        }
        held = true;
    }
    void check_held() override {
        ++check_held_calls;
        m_events.push_back("check_held");
    }
    void release() noexcept override {
        ++release_calls;
        held = false;
        m_events.push_back("release");
    }

private:
    Events& m_events;
};

std::size_t index_of(const Events& events, std::string_view event) {
    const auto it = std::find(events.begin(), events.end(), event);
    return static_cast<std::size_t>(it - events.begin());
}

class RunnerTest : public testing::Test {
protected:
    Events events;
    FakeStore store{events};
    FakeLock lock{events};
    RunnerOptions options{42s, "pod-7"};

    Runner runner_for(const RevisionGraph& graph) { return Runner(graph, store, lock, options); }
};

// 001 -> 002 -> 003
RevisionGraph linear() {
    return RevisionGraph({mig("001", {}), mig("002", {"001"}), mig("003", {"002"})});
}

// m -> k -> z -> c (merge) and m -> b -> c; topological order m, b, k, z, c.
RevisionGraph unsorted_ids() {
    return RevisionGraph(
        {mig("m", {}), mig("k", {"m"}), mig("z", {"k"}), mig("b", {"m"}), mig("c", {"z", "b"})});
}

template <typename E> std::string error_of(const std::function<void()>& call) {
    try {
        call();
    } catch (const E& e) {
        return e.what();
    }
    ADD_FAILURE() << "expected exception not thrown";
    return {};
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
        {mig("001", {}, "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n")});
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
    const RevisionGraph graph({mig("001", {}, "SELECT 1;\nSELECT 'unterminated;\n")});
    const std::string e = error_of<IntegrityError>([&] { runner_for(graph).upgrade("head"); });
    // The up marker is on line 2, so the unterminated string on section line 2 is file line 4.
    EXPECT_NE(e.find("m/001_step.sql:4: "), std::string::npos) << e;
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
    store.history.push_back({"0ld", {"001"}, "abc", "gone", "2023-05-01T00:00:00Z", 1, "old-pod"});
    const std::string e = error_of<IntegrityError>([&] { runner_for(graph).upgrade("head"); });
    EXPECT_NE(e.find("revision 0ld is applied"), std::string::npos) << e;
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
    lock.on_acquire = [&] {
        store.history.push_back({"0ld", {}, "abc", "gone", "2023-05-01T00:00:00Z", 1, "old-pod"});
    };
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
    const auto problems = integrity_problems(
        linear(), {{"0ld", {}, "abc", "gone", "2023-05-01T00:00:00Z", 1, "old-pod"}});
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
        integrity_problems(graph, {drifted,
                                   row_for(graph.at("003")),
                                   {"0ld", {}, "abc", "gone", "2023-05-01T00:00:00Z", 1, "p"}});
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
    const RevisionGraph graph({mig("001", {}), mig("002", {"001"}, "", Reversible::no)});
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
    store.history.push_back({"0ld", {}, "abc", "gone", "2023-05-01T00:00:00Z", 1, "old-pod"});
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
