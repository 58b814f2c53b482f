#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <schemagate/lock/lock.hpp>
#include <schemagate/store/conninfo.hpp>
#include <schemagate/util/clock.hpp>

namespace pqxx {
class dbtransaction;
}

namespace schemagate::store {
class Connection;
}

namespace schemagate::lock {

// Who holds the lock, read from pg_locks and pg_stat_activity.
struct Holder {
    int pid = 0;
    std::string application_name;
    std::string client;
    std::string since; // when its transaction began, ISO 8601 UTC
};

// A PostgreSQL advisory lock held as a *transaction-scoped* lock in a transaction kept open on
// a dedicated connection. That makes it safe behind PgBouncer in transaction pooling mode (a
// session lock would stay on a pooled server connection), and it dies with the connection when
// the process dies. It is taken with pg_try_advisory_xact_lock polled with backoff, never with
// the blocking pg_advisory_lock: a blocked waiter holds a snapshot that a CREATE INDEX
// CONCURRENTLY run by the holder would wait for, a deadlock.
class PgAdvisoryLock final : public Lock {
public:
    PgAdvisoryLock(store::Conninfo conninfo, std::int64_t key, util::Clock& clock);
    ~PgAdvisoryLock() override;

    void acquire(std::chrono::milliseconds timeout) override;
    void check_held() override;
    void release() noexcept override;

    // The session holding the lock, if any; for the waiting log line.
    std::optional<Holder> holder();

private:
    bool try_once();

    store::Conninfo m_conninfo;
    std::int64_t m_key;
    util::Clock& m_clock;
    std::unique_ptr<store::Connection> m_conn;
    std::unique_ptr<pqxx::dbtransaction> m_txn;
    std::chrono::steady_clock::time_point m_next_query{}; // check_held()'s next real query
};

} // namespace schemagate::lock
