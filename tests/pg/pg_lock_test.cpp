#include <gtest/gtest.h>

#include <chrono>

#include <pqxx/pqxx>

#include <schemagate/lock/pg_advisory_lock.hpp>
#include <schemagate/store/history_table.hpp>
#include <schemagate/util/clock.hpp>
#include <schemagate/util/error.hpp>

#include <support/test_database.hpp>

namespace schemagate {
namespace {

using namespace std::chrono_literals;
using testing::TestDatabase;

const std::int64_t k_key = store::HistoryTable{}.lock_key();

TEST(PgAdvisoryLock, SecondCopyTimesOutWhileTheFirstHoldsIt) {
    TestDatabase db;
    util::SystemClock clock;
    lock::PgAdvisoryLock first(db.conninfo(), k_key, clock);
    lock::PgAdvisoryLock second(db.conninfo(), k_key, clock);
    first.acquire(1s);
    EXPECT_THROW(second.acquire(200ms), LockTimeout);
}

TEST(PgAdvisoryLock, ReleaseLetsTheNextCopyIn) {
    TestDatabase db;
    util::SystemClock clock;
    lock::PgAdvisoryLock first(db.conninfo(), k_key, clock);
    lock::PgAdvisoryLock second(db.conninfo(), k_key, clock);
    first.acquire(1s);
    first.release();
    EXPECT_NO_THROW(second.acquire(1s));
}

TEST(PgAdvisoryLock, LockDiesWithItsConnection) {
    TestDatabase db;
    util::SystemClock clock;
    lock::PgAdvisoryLock first(db.conninfo(), k_key, clock);
    lock::PgAdvisoryLock second(db.conninfo(), k_key, clock);
    first.acquire(1s);
    const auto holder = second.holder();
    ASSERT_TRUE(holder.has_value());
    db.exec("SELECT pg_terminate_backend(" + std::to_string(holder->pid) + ")");
    EXPECT_NO_THROW(second.acquire(2s));
    EXPECT_THROW(first.check_held(), DatabaseUnreachable);
}

TEST(PgAdvisoryLock, HolderNamesThePidAndApplication) {
    TestDatabase db;
    util::SystemClock clock;
    lock::PgAdvisoryLock first(db.conninfo(), k_key, clock);
    lock::PgAdvisoryLock second(db.conninfo(), k_key, clock);
    EXPECT_FALSE(second.holder().has_value());
    first.acquire(1s);
    const auto holder = second.holder();
    ASSERT_TRUE(holder.has_value());
    EXPECT_GT(holder->pid, 0);
    EXPECT_EQ(holder->application_name, "schemagate");
}

TEST(PgAdvisoryLock, IsTransactionScopedSoNoSessionLockIsLeft) {
    TestDatabase db;
    util::SystemClock clock;
    lock::PgAdvisoryLock first(db.conninfo(), k_key, clock);
    first.acquire(1s);
    // A transaction-scoped lock shows as held inside an open transaction ("idle in
    // transaction"); after release no advisory lock of any kind remains.
    EXPECT_EQ(db.query_value("SELECT a.state FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
                             "WHERE l.locktype = 'advisory' AND a.datname = current_database()"),
              "idle in transaction");
    first.release();
    EXPECT_EQ(db.query_value("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND "
                             "database = (SELECT oid FROM pg_database WHERE datname = "
                             "current_database())"),
              "0");
}

TEST(PgAdvisoryLock, DifferentHistoryTablesHaveIndependentLocks) {
    TestDatabase db;
    util::SystemClock clock;
    const auto other = store::parse_history_table("other.history").value();
    lock::PgAdvisoryLock first(db.conninfo(), k_key, clock);
    lock::PgAdvisoryLock second(db.conninfo(), other.lock_key(), clock);
    first.acquire(1s);
    EXPECT_NO_THROW(second.acquire(200ms));
}

} // namespace
} // namespace schemagate

namespace schemagate {
namespace {

TEST(PgAdvisoryLock, HeldLockPinsNoSnapshotSoConcurrentIndexBuildsDoNotWaitForIt) {
    TestDatabase db;
    util::SystemClock clock;
    lock::PgAdvisoryLock lock(db.conninfo(), k_key, clock);
    lock.acquire(1s);
    // An idle transaction with an xmin would make CREATE INDEX CONCURRENTLY wait for it.
    EXPECT_EQ(db.query_value("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                             "current_database() AND state = 'idle in transaction' AND "
                             "backend_xmin IS NOT NULL"),
              "0");
    db.exec("CREATE TABLE t (id int)");
    pqxx::connection conn(db.url());
    pqxx::nontransaction(conn).exec("SET lock_timeout = '3s'");
    EXPECT_NO_THROW(pqxx::nontransaction(conn).exec("CREATE INDEX CONCURRENTLY t_id ON t (id)"));
}

} // namespace
} // namespace schemagate
