// The application layer's use cases over the recording fakes (tests/support): what "ready",
// "pending" and "at target" mean, validate's lock probe, the lint gate, wait's loop and the
// observed upgrade, with time from the fake clock.
#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <schemagate/app/inspect.hpp>
#include <schemagate/app/lint_gate.hpp>
#include <schemagate/app/migrate.hpp>
#include <schemagate/app/schema_state.hpp>
#include <schemagate/app/watch.hpp>
#include <schemagate/util/error.hpp>

#include <support/fake_ports.hpp>
#include <support/migrations.hpp>

namespace schemagate::app {
namespace {

using namespace std::chrono_literals;
using migration::RevisionGraph;
using migration::Target;
using testing::chain;
using testing::error_of;
using testing::FakePorts;
using testing::mig;

// 001 -> 002 -> 003
RevisionGraph linear() {
    return chain({"001", "002", "003"});
}

class AppTest : public ::testing::Test {
protected:
    config::Config config;
    FakePorts ports{linear()};
    Context ctx{config, ports};

    void apply(const std::vector<std::string>& ids) {
        const auto graph = linear();
        for (const auto& id : ids) {
            ports.store.apply(graph.at(id));
        }
    }
};

// --- schema state -------------------------------------------------------------------------

TEST(SchemaState, PendingIsWhatAnUpgradeToTheTargetWouldApplyInOrder) {
    const auto graph = linear();
    const auto state = schema_state(graph, {testing::row_for(graph.at("001"))}, Target::head());
    EXPECT_FALSE(state.ready);
    EXPECT_EQ(state.pending, (std::vector<std::string>{"002", "003"}));
    EXPECT_EQ(state.current, (std::vector<std::string>{"001"}));
}

TEST(SchemaState, PastTheTargetIsReady) {
    const auto graph = linear();
    std::vector<store::AppliedRevision> history;
    for (const auto& m : graph.migrations()) {
        history.push_back(testing::row_for(m));
    }
    auto newer = testing::row_for(mig("004", {"003"}));
    history.push_back(newer); // a revision these files don't know yet: a newer image ran
    EXPECT_TRUE(schema_state(graph, history, Target("002")).ready);
}

TEST(SchemaState, AFailedStepIsNotReadyEvenWithNothingPending) {
    const auto graph = linear();
    std::vector<store::AppliedRevision> history{testing::row_for(graph.at("001"))};
    history[0].state = store::RowState::failed;
    const auto state = schema_state(graph, history, Target::base());
    EXPECT_TRUE(state.pending.empty());
    EXPECT_FALSE(state.problems.empty());
    EXPECT_FALSE(state.ready);
}

TEST(SchemaState, DefaultTargetIsHeadsWhenTheFilesHaveSeveral) {
    EXPECT_EQ(default_target(linear()).kind(), Target::Kind::head);
    const RevisionGraph forked({mig("a", {}), mig("b", {"a"}), mig("c", {"a"})});
    EXPECT_EQ(default_target(forked).kind(), Target::Kind::heads);
}

// --- status and validate ------------------------------------------------------------------

TEST_F(AppTest, StatusWithRevisionsPendingExitsNotAtTarget) {
    apply({"001"});
    const auto report = status(ctx, Target::head());
    EXPECT_EQ(report.pending, (std::vector<std::string>{"002", "003"}));
    EXPECT_FALSE(report.at_target());
    EXPECT_EQ(report.exit_code(), ExitCode::not_at_target);
    EXPECT_EQ(status(ctx, Target("001")).exit_code(), ExitCode::success);
}

TEST_F(AppTest, StatusWithAProblemExitsIntegrityWhateverIsPending) {
    apply({"001"});
    ports.store.history[0].checksum = "drifted";
    EXPECT_EQ(status(ctx, Target("001")).exit_code(), ExitCode::integrity);
}

TEST_F(AppTest, ValidateCallsARunningRowWhoseLockIsFreeAProblem) {
    apply({"001"});
    ports.store.history[0].state = store::RowState::running;
    const auto report = validate(ctx);
    EXPECT_FALSE(report.valid());
    EXPECT_EQ(ports.lock.acquire_calls, 1);
    EXPECT_EQ(ports.lock.last_timeout, 0ms); // one try, no wait
    EXPECT_FALSE(ports.lock.held);           // and let go at once
}

TEST_F(AppTest, ValidateCallsARunningRowUnderSomeonesLockWorkInProgress) {
    apply({"001"});
    ports.store.history[0].state = store::RowState::running;
    ports.lock.time_out = true;
    const auto report = validate(ctx);
    EXPECT_TRUE(report.valid());
    ASSERT_EQ(report.notes.size(), 1U);
    EXPECT_NE(report.notes[0].find("being applied right now"), std::string::npos);
}

TEST_F(AppTest, ValidateTakesNoLockWithoutARunningRowAndNamesInvalidIndexes) {
    apply({"001"});
    ports.store.invalid = {"public.users_email_idx"};
    const auto report = validate(ctx);
    EXPECT_EQ(ports.lock.acquire_calls, 0);
    ASSERT_EQ(report.problems.size(), 1U);
    EXPECT_NE(report.problems[0].find("public.users_email_idx is INVALID"), std::string::npos);
}

TEST_F(AppTest, CurrentListsHeadsThenRevisionsNoFileDeclares) {
    apply({"001", "002"});
    ports.store.apply(mig("zzz", {}));
    EXPECT_EQ(current(ctx).revisions, (std::vector<std::string>{"002", "zzz"}));
}

// --- upgrade and the lint gate ------------------------------------------------------------

TEST_F(AppTest, UpgradeRunsThePendingStepsUnderTheLock) {
    apply({"001"});
    const auto report = upgrade(ctx, Target::head());
    EXPECT_EQ(report.revisions, (std::vector<std::string>{"002", "003"}));
    EXPECT_EQ(ports.store.step_ids(), (std::vector<std::string>{"002", "003"}));
    EXPECT_EQ(ports.lock.acquire_calls, 1);
    EXPECT_FALSE(ports.lock.held);
}

TEST_F(AppTest, UpgradeWithTheLintGateRefusesALintErrorBeforeTakingTheLock) {
    FakePorts dangerous(
        RevisionGraph({mig("001", {}, {.up = "CREATE TABLE t (id int);\n"}),
                       mig("002", {"001"}, {.up = "ALTER TABLE t RENAME TO u;\n"})}));
    dangerous.store.apply(dangerous.load_graph().at("001"));
    const Context lint_ctx{config, dangerous};
    const auto message =
        error_of<IntegrityError>([&] { upgrade(lint_ctx, Target::head(), LintGate::on); });
    EXPECT_NE(message.find("upgrade refused before running anything"), std::string::npos);
    EXPECT_EQ(dangerous.lock.acquire_calls, 0);
    EXPECT_TRUE(dangerous.store.steps.empty());
    // Without the gate the same upgrade runs.
    upgrade(lint_ctx, Target::head());
    EXPECT_EQ(dangerous.store.step_ids(), (std::vector<std::string>{"002"}));
}

TEST_F(AppTest, LintReportsWhatAnUpgradeWouldApply) {
    apply({"001"});
    const auto report = lint(ctx, Target::heads(), LintScope::pending);
    EXPECT_EQ(report.revisions, (std::vector<std::string>{"002", "003"}));
    EXPECT_EQ(lint(ctx, Target::heads(), LintScope::all).revisions.size(), 3U);
}

TEST_F(AppTest, LintWithoutADatabaseSaysHowToLintEverything) {
    ports.unreachable_opens = 1;
    const auto message =
        error_of<DatabaseUnreachable>([&] { lint(ctx, Target::heads(), LintScope::pending); });
    EXPECT_NE(message.find("schemagate lint --all"), std::string::npos);
}

// --- wait ---------------------------------------------------------------------------------

TEST_F(AppTest, WaitReturnsOnceAnotherProcessReachedTheTarget) {
    apply({"001"});
    int waits = 0;
    ports.on_wait = [&] {
        if (++waits == 3) { // the migration Job finishes during the third wait
            apply({"002", "003"});
            ports.announce = {"002", "003"};
        }
    };
    const auto state = wait(ctx, std::nullopt, 10min);
    EXPECT_TRUE(state.ready);
    EXPECT_EQ(state.current, (std::vector<std::string>{"003"}));
    EXPECT_EQ(ports.feeds_opened, 1);
    EXPECT_LT(ports.clock_.now().time_since_epoch(), 1s); // woken by the NOTIFY, not a poll
}

TEST_F(AppTest, WaitWakesOnlyOnceEveryPendingRevisionWasAnnounced) {
    apply({"001"});
    int waits = 0;
    ports.on_wait = [&] {
        ++waits;
        if (waits == 1) {
            apply({"002"});
            ports.announce = {"002"}; // 003 still pending: no read yet
        } else if (waits == 2) {
            apply({"003"});
            ports.announce = {"003"};
        }
    };
    wait(ctx, std::nullopt, 10min);
    EXPECT_EQ(ports.store.read_history_calls, 2); // the first read and the one after 003
}

TEST_F(AppTest, WaitTimesOutWithNotAtTargetOnTheFakeClock) {
    config.interval = 10s;
    try {
        wait(ctx, Target("002"), 1min);
        FAIL() << "wait returned";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::not_at_target);
        EXPECT_NE(std::string(e.what()).find("did not reach 002 within 1m"), std::string::npos)
            << e.what();
    }
    EXPECT_EQ(ports.clock_.now().time_since_epoch(), 1min);
    EXPECT_EQ(ports.store.read_history_calls, 7); // at 0s, 10s, ... 60s
}

TEST_F(AppTest, WaitKeepsTryingWhileTheDatabaseIsUnreachable) {
    apply({"001", "002", "003"});
    ports.unreachable_opens = 3;
    config.interval = 1s;
    const auto state = wait(ctx, std::nullopt, 1min);
    EXPECT_TRUE(state.ready);
    EXPECT_EQ(ports.feeds_opened, 1);
    EXPECT_EQ(ports.clock_.now().time_since_epoch(), 3s);
}

TEST_F(AppTest, WaitRefusesAnUnknownTargetAtOnce) {
    error_of<UsageError>([&] { wait(ctx, Target("nope"), 10min); });
    EXPECT_EQ(ports.feeds_opened, 0);
}

} // namespace
} // namespace schemagate::app
