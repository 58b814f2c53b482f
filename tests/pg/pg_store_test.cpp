#include <gtest/gtest.h>

#include <schemagate/migration/graph.hpp>
#include <schemagate/runner/runner.hpp>
#include <schemagate/store/pg_store.hpp>
#include <schemagate/util/error.hpp>

#include <support/test_database.hpp>

namespace schemagate {
namespace {

using migration::Direction;
using testing::fixture_graph;
using testing::TestDatabase;

store::Step step_for(const migration::Migration& m, Direction d) {
    return runner::prepare_step(m, d);
}

TEST(PgStore, ReadHistoryIsEmptyBeforeTheTableExists) {
    TestDatabase db;
    store::PgStore s(db.conninfo(), {});
    EXPECT_TRUE(s.read_history(store::HistoryColumns::all).empty());
    EXPECT_EQ(db.query_value("SELECT to_regclass('public.schemagate_history') IS NULL"), "t");
}

TEST(PgStore, UpStepRecordsHistoryAndAuditRows) {
    TestDatabase db;
    const auto graph = fixture_graph("irreversible");
    store::PgStore s(db.conninfo(), {});
    s.ensure_tables();
    s.run_step(step_for(graph.at("001"), Direction::up), "test-host");

    const auto history = s.read_history(store::HistoryColumns::all);
    ASSERT_EQ(history.size(), 1U);
    EXPECT_EQ(history[0].id, "001");
    EXPECT_EQ(history[0].checksum, graph.at("001").checksum);
    EXPECT_EQ(history[0].applied_by, "test-host");
    EXPECT_TRUE(history[0].parents.empty());
    EXPECT_EQ(db.query_value("SELECT count(*) FROM schemagate_history_log WHERE revision = '001' "
                             "AND operation = 'upgrade' AND outcome = 'succeeded'"),
              "1");
}

TEST(PgStore, StateColumnsReadWhatARunNeedsAndLeaveTheRestEmpty) {
    TestDatabase db;
    const auto graph = fixture_graph("irreversible");
    store::PgStore s(db.conninfo(), {});
    s.ensure_tables();
    s.run_step(step_for(graph.at("001"), Direction::up), "test-host");
    s.run_step(step_for(graph.at("002"), Direction::up), "test-host");

    const auto history = s.read_history(store::HistoryColumns::state);
    ASSERT_EQ(history.size(), 2U);
    EXPECT_EQ(history[1].id, "002");
    EXPECT_EQ(history[1].checksum, graph.at("002").checksum);
    EXPECT_EQ(history[1].state, store::RowState::applied);
    EXPECT_EQ(history[1].operation, Direction::up);
    EXPECT_EQ(history[1].error, "");
    EXPECT_TRUE(history[1].parents.empty());
    EXPECT_EQ(history[1].applied_by, "");
    EXPECT_EQ(history[1].applied_at, "");
    const auto all = s.read_history(store::HistoryColumns::all);
    ASSERT_EQ(all.size(), 2U);
    EXPECT_EQ(all[1].parents, std::vector<std::string>{"001"});
    EXPECT_EQ(all[1].message, graph.at("002").message);
    EXPECT_EQ(all[1].applied_at.size(), 20U) << all[1].applied_at; // 2026-01-02T03:04:05Z
}

TEST(PgStore, DownStepRemovesTheHistoryRow) {
    TestDatabase db;
    const auto graph = fixture_graph("irreversible");
    store::PgStore s(db.conninfo(), {});
    s.ensure_tables();
    s.run_step(step_for(graph.at("001"), Direction::up), "h");
    s.run_step(step_for(graph.at("001"), Direction::down), "h");
    EXPECT_TRUE(s.read_history(store::HistoryColumns::all).empty());
    EXPECT_EQ(db.query_value("SELECT count(*) FROM schemagate_history_log"), "2");
}

TEST(PgStore, FailingStatementRollsBackTheWholeStepAndNamesFileAndLine) {
    TestDatabase db;
    const auto graph = fixture_graph("bad_sql_error");
    store::PgStore s(db.conninfo(), {});
    s.ensure_tables();
    s.run_step(step_for(graph.at("001"), Direction::up), "h");
    try {
        s.run_step(step_for(graph.at("002"), Direction::up), "h");
        FAIL() << "expected MigrationFailed";
    } catch (const MigrationFailed& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("002_t2.sql:11:"), std::string::npos) << what;
        EXPECT_NE(what.find("23505"), std::string::npos) << what;
        EXPECT_NE(what.find("duplicate key"), std::string::npos) << what;
    }
    EXPECT_EQ(db.query_value("SELECT to_regclass('public.t2') IS NULL"), "t");
    ASSERT_EQ(s.read_history(store::HistoryColumns::all).size(), 1U);
    EXPECT_EQ(db.query_value("SELECT sqlstate FROM schemagate_history_log WHERE revision = '002' "
                             "AND outcome = 'failed'"),
              "23505");
}

TEST(PgStore, HistoryTableNamesAreQuotedNotSpliced) {
    TestDatabase db;
    const auto table = store::parse_history_table("odd \"schema\".hist; DROP TABLE x").value();
    const auto graph = fixture_graph("irreversible");
    store::PgStore s(db.conninfo(), table);
    s.ensure_tables();
    s.run_step(step_for(graph.at("001"), Direction::up), "h");
    EXPECT_EQ(s.read_history(store::HistoryColumns::all).size(), 1U);
    EXPECT_EQ(db.query_value("SELECT count(*) FROM pg_tables WHERE schemaname = 'odd \"schema\"' "
                             "AND tablename IN ('hist; DROP TABLE x', 'hist; DROP TABLE x_log')"),
              "2");
}

TEST(PgStore, StampRecordsAndRemovesWithoutRunningSql) {
    TestDatabase db;
    const auto graph = fixture_graph("irreversible");
    store::PgStore s(db.conninfo(), {});
    s.ensure_tables();
    s.stamp({&graph.at("001"), &graph.at("002")}, {}, "h");
    EXPECT_EQ(s.read_history(store::HistoryColumns::all).size(), 2U);
    EXPECT_EQ(db.query_value("SELECT to_regclass('public.t1') IS NULL"), "t");
    s.stamp({}, {"002"}, "h");
    ASSERT_EQ(s.read_history(store::HistoryColumns::all).size(), 1U);
    EXPECT_EQ(db.query_value("SELECT count(*) FROM schemagate_history_log WHERE operation = "
                             "'stamp'"),
              "3");
}

TEST(PgStore, UnreachableDatabaseThrowsWithoutThePassword) {
    try {
        store::PgStore s(store::Conninfo::parse("postgresql://u:Canary-Pw-81@127.0.0.1:1/db"), {});
        FAIL() << "expected DatabaseUnreachable";
    } catch (const DatabaseUnreachable& e) {
        EXPECT_EQ(std::string(e.what()).find("Canary-Pw-81"), std::string::npos) << e.what();
    }
}

TEST(PgStore, MalformedConnectionStringIsAUsageError) {
    EXPECT_THROW(store::PgStore(
                     store::Conninfo::parse("postgresql://u:pw@127.0.0.1:1/db?bogus_option=1"), {}),
                 UsageError);
}

} // namespace
} // namespace schemagate

namespace schemagate {
namespace {

TEST(PgStore, DeadlockIsAStepFailureWithItsSqlstateAndLine) {
    testing::TestDatabase db;
    const auto graph = fixture_graph("raise_deadlock");
    store::PgStore s(db.conninfo(), {});
    s.ensure_tables();
    try {
        s.run_step(step_for(graph.at("001"), migration::Direction::up), "h");
        FAIL() << "expected StepFailed";
    } catch (const store::StepFailed& e) {
        EXPECT_EQ(e.sqlstate(), "40P01");
        EXPECT_TRUE(e.retryable());
        EXPECT_NE(std::string(e.what()).find("001_deadlock.sql:5:"), std::string::npos) << e.what();
    }
    EXPECT_EQ(
        db.query_value("SELECT sqlstate FROM schemagate_history_log WHERE outcome = 'failed'"),
        "40P01");
}

} // namespace
} // namespace schemagate
