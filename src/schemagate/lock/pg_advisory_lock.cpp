#include <schemagate/lock/pg_advisory_lock.hpp>

#include <algorithm>
#include <random>

#include <poll.h>

#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include <schemagate/store/connection.hpp>
#include <schemagate/util/duration.hpp>
#include <schemagate/util/error.hpp>
#include <schemagate/util/interrupt.hpp>

namespace schemagate::lock {

namespace {

constexpr std::chrono::milliseconds k_first_backoff{50};
constexpr std::chrono::milliseconds k_max_backoff{2000};
constexpr std::chrono::seconds k_holder_log_interval{10};
constexpr std::chrono::seconds k_query_interval{5};

// Whether `fd` has data (or EOF, or an error) to read right now.
bool readable(int fd) {
    pollfd p{fd, POLLIN, 0};
    return fd < 0 || ::poll(&p, 1, 0) != 0;
}

} // namespace

PgAdvisoryLock::PgAdvisoryLock(store::Conninfo conninfo, std::int64_t key, util::Clock& clock)
    : m_conninfo(std::move(conninfo)), m_key(key), m_clock(clock) {}

PgAdvisoryLock::~PgAdvisoryLock() {
    release();
}

bool PgAdvisoryLock::try_once() {
    if (!m_conn) {
        m_conn = std::make_unique<store::Connection>(m_conninfo);
    }
    auto txn = std::make_unique<pqxx::work>(m_conn->get(), "schemagate_lock");
    // The lock transaction sits idle for the whole run: don't let a server-wide
    // idle_in_transaction_session_timeout end it (and the lock) under us.
    txn->exec("SET LOCAL idle_in_transaction_session_timeout = 0");
    // The simple query protocol, on purpose: an extended-protocol query leaves its unnamed
    // portal, and with it a snapshot, open until the next query. That would pin an xmin in
    // this idle transaction for the whole run, and CREATE INDEX CONCURRENTLY waits for every
    // older snapshot: the holder would wait for itself. The key is an integer, safe to splice.
    const bool got =
        txn->exec("SELECT pg_try_advisory_xact_lock(" + std::to_string(m_key) + ")")[0][0]
            .as<bool>();
    if (got) {
        m_txn = std::move(txn);
        m_next_query = m_clock.now() + k_query_interval;
    }
    return got;
}

void PgAdvisoryLock::acquire(std::chrono::milliseconds timeout) {
    if (m_txn) {
        return;
    }
    const auto start = m_clock.now();
    const auto deadline = start + timeout;
    auto backoff = k_first_backoff;
    auto next_holder_log = start;
    std::mt19937 rng(std::random_device{}());
    try {
        while (true) {
            if (try_once()) {
                const auto waited =
                    std::chrono::duration_cast<std::chrono::milliseconds>(m_clock.now() - start);
                spdlog::debug("acquired the migration lock (key {}) after {}", m_key,
                              util::format_duration(waited));
                return;
            }
            util::throw_if_interrupted();
            const auto now = m_clock.now();
            if (now >= deadline) {
                std::string who;
                if (auto h = holder()) {
                    who = " held by pid " + std::to_string(h->pid) + " (" + h->application_name +
                          ", " + h->client + ") since " + h->since;
                }
                throw LockTimeout("the migration lock" + who + " was not acquired within " +
                                  util::format_duration(timeout) +
                                  "; another schemagate is migrating: wait for it, or raise "
                                  "--lock-timeout");
            }
            if (now >= next_holder_log) {
                if (auto h = holder()) {
                    spdlog::info("waiting for the migration lock held by pid {} ({}, {}) since {}",
                                 h->pid, h->application_name, h->client, h->since);
                } else {
                    spdlog::info("waiting for the migration lock");
                }
                next_holder_log = now + k_holder_log_interval;
            }
            // Exponential backoff with full jitter, never sleeping past the deadline.
            std::uniform_int_distribution<long long> jitter(backoff.count() / 2, backoff.count());
            auto sleep = std::chrono::milliseconds(jitter(rng));
            sleep = std::min(sleep, std::chrono::duration_cast<std::chrono::milliseconds>(
                                        deadline - now + std::chrono::milliseconds(1)));
            m_clock.sleep_for(sleep);
            backoff = std::min(backoff * 2, k_max_backoff);
        }
    } catch (const pqxx::broken_connection& e) {
        m_txn.reset();
        m_conn.reset();
        throw DatabaseUnreachable("lost the lock connection: " + store::describe(e));
    } catch (const pqxx::sql_error& e) {
        m_txn.reset();
        throw DatabaseUnreachable("cannot take the migration lock: " + store::describe(e));
    }
}

void PgAdvisoryLock::check_held() {
    if (!m_txn) {
        throw DatabaseUnreachable("the migration lock is not held");
    }
    // A round trip per revision would cost as much as a small migration's own. The lock's
    // connection is idle while we hold it, so it has something to read only when the server
    // spoke first, and an ended session does: it sends its FATAL error and closes. So a
    // zero-wait poll() of the socket decides, with a real query every few seconds as well.
    const auto now = m_clock.now();
    if (now < m_next_query && !readable(m_conn->get().sock())) {
        return;
    }
    try {
        m_txn->exec("SELECT 1");
        m_next_query = now + k_query_interval;
    } catch (const std::exception& e) {
        m_txn.reset();
        m_conn.reset();
        throw DatabaseUnreachable("lost the migration lock with its connection (" +
                                  store::describe(e) +
                                  "); stopped before the next revision, "
                                  "run again to continue");
    }
}

void PgAdvisoryLock::release() noexcept {
    try {
        if (m_txn) {
            m_txn->abort(); // ends the transaction, and with it the transaction-scoped lock
        }
    } catch (...) {
        // A dead connection has released the lock already.
    }
    m_txn.reset();
    if (m_conn && !m_conn->get().is_open()) {
        m_conn.reset(); // the next acquire() connects afresh, e.g. after a server restart
    }
}

std::optional<Holder> PgAdvisoryLock::holder() {
    // A bigint advisory key shows in pg_locks as classid = high 32 bits, objid = low 32 bits.
    const auto bits = static_cast<std::uint64_t>(m_key);
    const std::string high = std::to_string(bits >> 32);
    const std::string low = std::to_string(bits & 0xffffffffULL);
    try {
        if (!m_conn) {
            m_conn = std::make_unique<store::Connection>(m_conninfo);
        }
        pqxx::read_transaction txn(m_conn->get());
        const auto rows = txn.exec_params(
            "SELECT a.pid, coalesce(a.application_name, ''), "
            "coalesce(host(a.client_addr), 'local'), "
            "coalesce(to_char(a.xact_start AT TIME ZONE 'UTC', "
            "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '?') "
            "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
            "AND l.classid = $1::oid AND l.objid = $2::oid "
            "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            high, low);
        if (rows.empty()) {
            return std::nullopt;
        }
        return Holder{rows[0][0].as<int>(), rows[0][1].as<std::string>(),
                      rows[0][2].as<std::string>(), rows[0][3].as<std::string>()};
    } catch (const pqxx::sql_error& e) {
        spdlog::debug("cannot read the lock holder: {}", store::describe(e));
        return std::nullopt;
    }
}

} // namespace schemagate::lock
