#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <schemagate/lock/no_lock.hpp>
#include <schemagate/migration/graph.hpp>
#include <schemagate/runner/runner.hpp>
#include <schemagate/store/history_sql.hpp>
#include <schemagate/store/script_store.hpp>
#include <schemagate/util/clock.hpp>
#include <schemagate/util/error.hpp>

#include <support/migrations.hpp>

namespace schemagate::store {
namespace {

using namespace std::chrono_literals;
using history_sql::bind_values;
using history_sql::quote_literal;
using migration::Direction;
using migration::Migration;
using testing::parse_or_fail;

const Migration& create_items() {
    static const Migration m = parse_or_fail(
        "m/001_items.sql", "-- parents: base\n-- migrate:up\nCREATE TABLE items (id int);\n"
                           "INSERT INTO items VALUES (1);\n"
                           "-- migrate:down\nDROP TABLE items;\n");
    return m;
}

const Migration& index_items() {
    static const Migration m =
        parse_or_fail("m/002_index.sql", "-- parents: 001\n-- transaction: none\n-- migrate:up\n"
                                         "CREATE INDEX CONCURRENTLY a ON items (id);\n"
                                         "CREATE INDEX CONCURRENTLY b ON items (id);\n"
                                         "-- migrate:down\nDROP INDEX CONCURRENTLY b;\n"
                                         "DROP INDEX CONCURRENTLY a;\n");
    return m;
}

// The lines of `text`, for asserting on order.
std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        out.push_back(line);
    }
    return out;
}

// The index of the first line equal to `line` at or after `from`; fails when there is none.
std::size_t find_line(const std::vector<std::string>& ls, const std::string& line,
                      std::size_t from = 0) {
    for (std::size_t i = from; i < ls.size(); ++i) {
        if (ls[i] == line) {
            return i;
        }
    }
    ADD_FAILURE() << "no line '" << line << "' at or after line " << from;
    return ls.size();
}

AppliedRevision row_for(const Migration& m) {
    AppliedRevision r;
    r.id = m.id;
    r.parents = m.parents;
    r.checksum = m.checksum;
    r.message = m.message;
    return r;
}

TEST(QuoteLiteral, WrapsPlainTextInSingleQuotes) {
    EXPECT_EQ(quote_literal("abc"), "'abc'");
}

TEST(QuoteLiteral, DoublesSingleQuotes) {
    EXPECT_EQ(quote_literal("it's"), "'it''s'");
}

TEST(QuoteLiteral, QuotesTheEmptyString) {
    EXPECT_EQ(quote_literal(""), "''");
}

TEST(QuoteLiteral, UsesAnEscapeStringForBackslashesAsPostgresQuoteLiteralDoes) {
    EXPECT_EQ(quote_literal(R"(a\b'c)"), R"(E'a\\b''c')");
}

TEST(QuoteLiteral, KeepsDoubleQuotesDollarsAndNewlinesAsTheyAre) {
    EXPECT_EQ(quote_literal("\"$1$$\nx"), "'\"$1$$\nx'");
}

TEST(Bind, ReplacesEachPlaceholderWithItsValue) {
    EXPECT_EQ(bind_values("VALUES ($1, $2, $1)", {"'a'", "2"}), "VALUES ('a', 2, 'a')");
}

TEST(Bind, ReadsMultiDigitPlaceholdersWhole) {
    std::vector<std::string> values(10, "x");
    values[9] = "'ten'";
    EXPECT_EQ(bind_values("$10", values), "'ten'");
}

TEST(Bind, LeavesPlaceholdersInsideQuotedIdentifiersAndStringsAlone) {
    EXPECT_EQ(bind_values(R"(INSERT INTO "t$1""$2" VALUES ('$1', $1))", {"'v'", "'w'"}),
              R"(INSERT INTO "t$1""$2" VALUES ('$1', 'v'))");
}

TEST(Bind, ThrowsForAPlaceholderWithoutValue) {
    EXPECT_THROW(bind_values("VALUES ($1, $2)", {"'a'"}), std::out_of_range);
}

TEST(ScriptStore, ReadHistoryReturnsTheHistoryItWasGiven) {
    std::ostringstream out;
    ScriptStore store(out, HistoryTable{}, {row_for(create_items())});
    ASSERT_EQ(store.read_history(store::HistoryColumns::all).size(), 1U);
    EXPECT_EQ(store.read_history(store::HistoryColumns::all)[0].id, "001");
    EXPECT_EQ(out.str(), "");
}

TEST(ScriptStore, TransactionalUpgradeIsOneTransactionWithTimeoutsSqlAndBookkeeping) {
    std::ostringstream out;
    const HistoryTable table;
    ScriptStore store(out, table, {});
    store.run_step(runner::prepare_step(create_items(), Direction::up, {2s, 15min}), "host-1");
    const auto ls = lines(out.str());
    const std::size_t begin = find_line(ls, "BEGIN;");
    EXPECT_EQ(find_line(ls, "SET LOCAL lock_timeout = '2000ms';"), begin + 1);
    EXPECT_EQ(find_line(ls, "SET LOCAL statement_timeout = '900000ms';"), begin + 2);
    EXPECT_EQ(find_line(ls, "CREATE TABLE items (id int);"), begin + 3);
    EXPECT_EQ(find_line(ls, "INSERT INTO items VALUES (1);"), begin + 4);
    const std::string record =
        bind_values(history_sql::record_upgrade(table),
                    {"'001'", "''", quote_literal(create_items().checksum), "'items'",
                     "(extract(epoch FROM clock_timestamp() - now()) * 1000)::bigint",
                     "'host-1'"}) +
        ";";
    EXPECT_EQ(find_line(ls, record), begin + 5);
    EXPECT_EQ(find_line(ls, "COMMIT;"), begin + 6);
}

TEST(ScriptStore, TransactionalStepLeavesOutZeroTimeouts) {
    std::ostringstream out;
    ScriptStore store(out, HistoryTable{}, {});
    store.run_step(runner::prepare_step(create_items(), Direction::up, {0ms, 0ms}), "h");
    EXPECT_EQ(out.str().find("SET LOCAL"), std::string::npos);
}

TEST(ScriptStore, UpgradeAddsTheRevisionToItsHistory) {
    std::ostringstream out;
    ScriptStore store(out, HistoryTable{}, {});
    store.run_step(runner::prepare_step(create_items(), Direction::up), "h");
    const auto history = store.read_history(store::HistoryColumns::all);
    ASSERT_EQ(history.size(), 1U);
    EXPECT_EQ(history[0].id, "001");
    EXPECT_EQ(history[0].checksum, create_items().checksum);
    EXPECT_EQ(history[0].state, RowState::applied);
}

TEST(ScriptStore, TransactionalDowngradeDeletesTheRowAndLogsIt) {
    std::ostringstream out;
    const HistoryTable table{"app", "hist"};
    ScriptStore store(out, table, {row_for(create_items())});
    store.run_step(runner::prepare_step(create_items(), Direction::down), "h");
    const auto ls = lines(out.str());
    const std::size_t begin = find_line(ls, "BEGIN;");
    find_line(ls, "DROP TABLE items;", begin);
    find_line(
        ls,
        bind_values(
            history_sql::record_downgrade(table),
            {"'001'", "(extract(epoch FROM clock_timestamp() - now()) * 1000)::bigint", "'h'"}) +
            ";",
        begin);
    EXPECT_TRUE(store.read_history(store::HistoryColumns::all).empty());
}

TEST(ScriptStore, AutocommitStepRunsItsStatementsOutsideATransactionWithProgressAfterEach) {
    std::ostringstream out;
    const HistoryTable table;
    ScriptStore store(out, table, {row_for(create_items())});
    store.run_step(runner::prepare_step(index_items(), Direction::up, {2s, 0ms}), "h");
    const auto ls = lines(out.str());
    const std::size_t start =
        find_line(ls, bind_values(history_sql::start_autocommit_upgrade(table, StepStart::fresh),
                                  {"'002'", "'001'", quote_literal(index_items().checksum),
                                   "'index'", "'h'", "0"}) +
                          ";");
    // CONCURRENTLY statements wait for older transactions without a lock timeout.
    EXPECT_EQ(ls[start + 1], "SET lock_timeout = '0ms';");
    EXPECT_EQ(ls[start + 2], "SET statement_timeout = '0ms';");
    EXPECT_EQ(ls[start + 3], "CREATE INDEX CONCURRENTLY a ON items (id);");
    EXPECT_EQ(ls[start + 4],
              bind_values(history_sql::record_progress(table), {"'002'", "1"}) + ";");
    EXPECT_EQ(ls[start + 5], "CREATE INDEX CONCURRENTLY b ON items (id);");
    EXPECT_EQ(ls[start + 6],
              bind_values(history_sql::record_progress(table), {"'002'", "2"}) + ";");
    EXPECT_EQ(ls[start + 7], "RESET ALL;");
    EXPECT_EQ(ls[start + 8], "BEGIN;");
    EXPECT_EQ(ls[start + 9], bind_values(history_sql::finish_autocommit_upgrade(table),
                                         {"'002'", "0", quote_literal(index_items().checksum)}) +
                                 ";");
    EXPECT_EQ(ls[start + 10],
              bind_values(history_sql::log_succeeded(table), {"'002'", "'upgrade'", "0", "'h'"}) +
                  ";");
    EXPECT_EQ(ls[start + 11], "COMMIT;");
    EXPECT_EQ(find_line(ls, "BEGIN;"), start + 8) << "a BEGIN before the statements";
    EXPECT_EQ(store.read_history(store::HistoryColumns::all).size(), 2U);
}

TEST(ScriptStore, AutocommitDowngradeMarksTheRowRunningThenDeletesIt) {
    std::ostringstream out;
    const HistoryTable table;
    ScriptStore store(out, table, {row_for(create_items()), row_for(index_items())});
    store.run_step(runner::prepare_step(index_items(), Direction::down), "h");
    const auto ls = lines(out.str());
    const std::size_t start =
        find_line(ls, bind_values(history_sql::start_autocommit_downgrade(table, StepStart::fresh),
                                  {"'002'", "'downgrade'", "0", "'h'"}) +
                          ";");
    const std::size_t drop = find_line(ls, "DROP INDEX CONCURRENTLY b;", start);
    const std::size_t begin = find_line(ls, "BEGIN;", start);
    EXPECT_LT(drop, begin);
    EXPECT_EQ(ls[begin + 1], bind_values(history_sql::delete_revision(table), {"'002'"}) + ";");
    ASSERT_EQ(store.read_history(store::HistoryColumns::all).size(), 1U);
    EXPECT_EQ(store.read_history(store::HistoryColumns::all)[0].id, "001");
}

TEST(ScriptStore, CurrentUserIsRecordedAsAppliedByWhenAsked) {
    std::ostringstream out;
    ScriptStore store(out, HistoryTable{}, {}, ScriptStore::AppliedBy::current_user);
    store.run_step(runner::prepare_step(create_items(), Direction::up), "host-1");
    EXPECT_NE(out.str().find("::bigint, current_user)"), std::string::npos);
    EXPECT_EQ(out.str().find("host-1"), std::string::npos);
}

TEST(ScriptStore, EnsureTablesCreatesSchemaAndTablesOnlyWhenMissing) {
    std::ostringstream out;
    const HistoryTable table{"my schema", "hist"};
    ScriptStore store(out, table, {});
    store.ensure_tables();
    const std::string text = out.str();
    EXPECT_NE(text.find("DO $schemagate$\n"), std::string::npos);
    EXPECT_NE(text.find("to_regclass('\"my schema\".\"hist\"') IS NOT NULL"), std::string::npos);
    EXPECT_NE(text.find("nspname = 'my schema') = 0 THEN"), std::string::npos);
    EXPECT_NE(text.find(history_sql::create_schema(table) + ";"), std::string::npos);
    EXPECT_NE(text.find(history_sql::create_history_table(table) + ";"), std::string::npos);
    EXPECT_NE(text.find(history_sql::create_log_table(table) + ";"), std::string::npos);
    EXPECT_NE(text.find("\n$schemagate$;\n"), std::string::npos);
}

TEST(ScriptStore, EnsureTablesPicksADollarTagTheTableNameDoesNotHold) {
    std::ostringstream out;
    ScriptStore store(out, HistoryTable{"public", "x$schemagate$y"}, {});
    store.ensure_tables();
    EXPECT_NE(out.str().find("DO $schemagate_$\n"), std::string::npos);
    EXPECT_NE(out.str().find("\n$schemagate_$;\n"), std::string::npos);
}

TEST(ScriptStore, StatementEndingInALineCommentGetsItsSemicolonOnTheNextLine) {
    const Migration m =
        parse_or_fail("m/001_c.sql", "-- parents: base\n-- migrate:up\nSELECT 1 -- one\n");
    std::ostringstream out;
    ScriptStore store(out, HistoryTable{}, {});
    store.run_step(runner::prepare_step(m, Direction::up), "h");
    EXPECT_NE(out.str().find("SELECT 1 -- one\n;\n"), std::string::npos);
}

TEST(ScriptStore, ControlCharactersInCommentsCannotEndTheComment) {
    Migration m = create_items();
    m.message = "evil\nDROP TABLE users;";
    std::ostringstream out;
    ScriptStore store(out, HistoryTable{}, {});
    store.run_step(runner::prepare_step(m, Direction::up), "h");
    for (const auto& line : lines(out.str())) {
        EXPECT_NE(line, "DROP TABLE users;");
    }
}

TEST(ScriptStore, StampPrintsOneTransactionAndUpdatesItsHistory) {
    std::ostringstream out;
    const HistoryTable table;
    ScriptStore store(out, table, {row_for(create_items())});
    store.stamp({&index_items()}, {"001"}, "h");
    const auto ls = lines(out.str());
    const std::size_t begin = find_line(ls, "BEGIN;");
    EXPECT_EQ(ls[begin + 1], bind_values(history_sql::delete_revision(table), {"'001'"}) + ";");
    EXPECT_EQ(ls[begin + 2], bind_values(history_sql::log_stamp(table), {"'001'", "'h'"}) + ";");
    EXPECT_EQ(ls[begin + 5], "COMMIT;");
    ASSERT_EQ(store.read_history(store::HistoryColumns::all).size(), 1U);
    EXPECT_EQ(store.read_history(store::HistoryColumns::all)[0].id, "002");
}

TEST(ScriptStore, AbandonStepRefusesARevisionWithoutAFailedStep) {
    std::ostringstream out;
    ScriptStore store(out, HistoryTable{}, {row_for(create_items())});
    EXPECT_THROW(store.abandon_step("001", "h"), UsageError);
    EXPECT_THROW(store.abandon_step("nope", "h"), UsageError);
}

TEST(ScriptStore, AbandonStepOfAFailedUpgradeDeletesTheRow) {
    std::ostringstream out;
    const HistoryTable table;
    auto failed = row_for(index_items());
    failed.state = RowState::failed;
    ScriptStore store(out, table, {row_for(create_items()), failed});
    store.abandon_step("002", "h");
    EXPECT_NE(out.str().find(bind_values(history_sql::delete_revision(table), {"'002'"})),
              std::string::npos);
    EXPECT_EQ(store.read_history(store::HistoryColumns::all).size(), 1U);
}

TEST(ScriptStore, DowngradeOfARevisionTheScriptAppliedTakesItOutOfTheHistory) {
    std::ostringstream out;
    ScriptStore store(out, HistoryTable{}, {});
    store.run_step(runner::prepare_step(create_items(), Direction::up), "h");
    store.run_step(runner::prepare_step(create_items(), Direction::down), "h");
    EXPECT_TRUE(store.read_history(store::HistoryColumns::all).empty());
}

TEST(ScriptStore, HeldTextIsWrittenAtTheFirstStepRightAfterWhatBeforeWrites) {
    std::ostringstream out;
    ScriptStore store(out, HistoryTable{}, {});
    int calls = 0;
    store.hold_until_first_change([&] {
        ++calls;
        out << "-- header\n";
    });
    store.ensure_tables();
    EXPECT_EQ(out.str(), "");
    EXPECT_FALSE(store.released());
    store.run_step(runner::prepare_step(create_items(), Direction::up), "h");
    store.run_step(runner::prepare_step(index_items(), Direction::up), "h");
    EXPECT_EQ(calls, 1);
    const auto ls = lines(out.str());
    ASSERT_FALSE(ls.empty());
    EXPECT_EQ(ls[0], "-- header");
    EXPECT_LT(find_line(ls, "DO $schemagate$"), find_line(ls, "BEGIN;"));
}

TEST(ScriptStore, ReleaseWithoutAStepWritesWhatWasHeldOnce) {
    std::ostringstream out;
    ScriptStore store(out, HistoryTable{}, {});
    int calls = 0;
    store.hold_until_first_change([&] { ++calls; });
    store.ensure_tables();
    store.release();
    store.release();
    EXPECT_EQ(calls, 1);
    EXPECT_NE(out.str().find("DO $schemagate$"), std::string::npos);
    EXPECT_TRUE(store.released());
}

// The runner re-reads the history once it holds the lock, after ensure_tables, and only then
// refuses rows still `running`: a held script prints nothing for such a run.
TEST(ScriptStore, RunRefusedAfterEnsureTablesWritesNothing) {
    const migration::RevisionGraph graph({create_items(), index_items()});
    auto running = row_for(index_items());
    running.state = RowState::running;
    std::ostringstream out;
    ScriptStore store(out, HistoryTable{}, {row_for(create_items()), running});
    bool before_called = false;
    store.hold_until_first_change([&] { before_called = true; });
    lock::NoLock lock;
    util::SystemClock clock;
    runner::Runner runner(graph, store, lock, clock, runner::RunnerOptions{});
    EXPECT_THROW(runner.upgrade("head"), IntegrityError);
    EXPECT_EQ(out.str(), "");
    EXPECT_FALSE(before_called);
}

// The runner drives a ScriptStore as it drives a database: it prints each pending revision
// once, and a second upgrade finds nothing to do in the history the script left.
TEST(ScriptStore, RunnerPrintsEachPendingRevisionOnceAndReplansFromTheScriptsHistory) {
    const migration::RevisionGraph graph({create_items(), index_items()});
    std::ostringstream out;
    ScriptStore store(out, HistoryTable{}, {});
    lock::NoLock lock;
    util::SystemClock clock;
    runner::Runner runner(graph, store, lock, clock, runner::RunnerOptions{});
    EXPECT_EQ(runner.upgrade("head").revisions, (std::vector<std::string>{"001", "002"}));
    const std::string printed = out.str();
    EXPECT_EQ(printed.find("-- upgrade 001"), printed.rfind("-- upgrade 001"));
    EXPECT_NE(printed.find("-- upgrade 002"), std::string::npos);
    EXPECT_TRUE(runner.upgrade("head").revisions.empty());
    EXPECT_EQ(out.str(), printed);
}

} // namespace
} // namespace schemagate::store
