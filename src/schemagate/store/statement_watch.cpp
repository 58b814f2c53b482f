#include <schemagate/store/statement_watch.hpp>

#include <memory>
#include <utility>

#include <pthread.h>

#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include <schemagate/store/connection.hpp>
#include <schemagate/util/interrupt.hpp>

namespace schemagate::store {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::chrono::milliseconds k_tick{50};

// The sessions that block `backend_pid`, described for the person on call.
std::vector<std::string> blockers_of(pqxx::nontransaction& txn, int backend_pid) {
    const auto rows =
        txn.exec_params("SELECT a.pid, coalesce(a.application_name, ''), coalesce(a.state, ''), "
                        "coalesce(extract(epoch FROM now() - a.xact_start)::bigint, 0), "
                        "left(regexp_replace(coalesce(a.query, ''), '\\s+', ' ', 'g'), 100) "
                        "FROM pg_stat_activity a WHERE a.pid = ANY (pg_blocking_pids($1)) "
                        "ORDER BY a.xact_start",
                        backend_pid);
    std::vector<std::string> found;
    for (const auto& row : rows) {
        found.push_back("pid " + row[0].as<std::string>() + " (" + row[1].as<std::string>() + ", " +
                        row[2].as<std::string>() + ", " + row[3].as<std::string>() +
                        "s in transaction): " + row[4].as<std::string>());
    }
    return found;
}

} // namespace

StatementWatch::StatementWatch(Conninfo conninfo) : m_conninfo(std::move(conninfo)) {}

StatementWatch::~StatementWatch() {
    {
        const std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable()) {
        m_thread.join();
    }
}

void StatementWatch::arm(int backend_pid, std::chrono::milliseconds sample_every,
                         CancelOnSignal cancel) {
    {
        const std::lock_guard lock(m_mutex);
        m_armed = true;
        m_backend_pid = backend_pid;
        m_sample_every = sample_every;
        m_cancel = cancel;
        m_next_sample = Clock::now() + sample_every;
        m_report = {};
        if (!m_thread.joinable()) {
            m_thread = std::thread([this] { run(); });
        }
    }
    m_wake.notify_all();
}

WatchReport StatementWatch::disarm() {
    std::unique_lock lock(m_mutex);
    if (!m_armed) {
        return {};
    }
    m_armed = false;
    m_idle.wait(lock, [this] { return !m_busy; });
    return std::exchange(m_report, {});
}

void StatementWatch::reset_monitor() {
    const std::lock_guard lock(m_mutex);
    m_reset_monitor = true;
}

void StatementWatch::run() {
    // Named, so that `top -H` and /proc/<pid>/task/*/comm show what the thread is.
    pthread_setname_np(pthread_self(), "sg-stmt-watch");
    // A step's statements run one after another: the one that ends up waiting may start late
    // in the step, so one sample at a fixed point would often see nobody. Sampling every
    // `m_sample_every` while armed, and keeping the last sample that saw a blocker, names
    // whoever was in the way when the lock timeout fired. A step shorter than one period never
    // opens the monitor connection.
    std::unique_ptr<Connection> monitor;
    std::unique_lock lock(m_mutex);
    while (true) {
        if (m_armed) {
            m_wake.wait_for(lock, k_tick);
        } else {
            m_wake.wait(lock, [this] { return m_stop || m_armed; });
        }
        if (m_stop) {
            break;
        }
        if (!m_armed) {
            continue;
        }
        const bool cancel_now =
            m_cancel == CancelOnSignal::yes && !m_report.cancelled && util::interrupted();
        const bool sample_now = Clock::now() >= m_next_sample;
        if (!cancel_now && !sample_now) {
            continue;
        }
        const int pid = m_backend_pid;
        const bool reset = std::exchange(m_reset_monitor, false);
        m_busy = true;
        lock.unlock();

        std::vector<std::string> found;
        bool did_cancel = false;
        if (reset) {
            monitor.reset();
        }
        try {
            if (!monitor) {
                monitor = std::make_unique<Connection>(m_conninfo);
            }
            pqxx::nontransaction txn(monitor->get());
            if (cancel_now) {
                txn.exec_params("SELECT pg_cancel_backend($1)", pid);
                did_cancel = true;
            }
            if (sample_now) {
                found = blockers_of(txn, pid);
            }
        } catch (const pqxx::broken_connection& e) {
            spdlog::debug("statement watch: {}", describe(e));
            monitor.reset(); // opened again at the next sample
        } catch (const std::exception& e) {
            spdlog::debug("statement watch: {}", describe(e));
        }

        lock.lock();
        m_busy = false;
        m_report.cancelled = m_report.cancelled || did_cancel;
        if (sample_now) {
            m_next_sample = Clock::now() + m_sample_every;
            if (!found.empty()) {
                m_report.blockers = std::move(found);
            }
        }
        m_idle.notify_all();
    }
}

ArmedWatch::ArmedWatch(StatementWatch& watch, int backend_pid,
                       std::chrono::milliseconds sample_every, CancelOnSignal cancel)
    : m_watch(&watch) {
    watch.arm(backend_pid, sample_every, cancel);
}

ArmedWatch::~ArmedWatch() {
    disarm();
}

WatchReport ArmedWatch::disarm() {
    if (m_watch == nullptr) {
        return {};
    }
    return std::exchange(m_watch, nullptr)->disarm();
}

} // namespace schemagate::store
