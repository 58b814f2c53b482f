#include <schemagate/store/statement_watch.hpp>

#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include <schemagate/util/interrupt.hpp>

namespace schemagate::store {

namespace {

constexpr std::chrono::milliseconds k_tick{50};

} // namespace

StatementWatch::StatementWatch(std::string conninfo, std::unique_ptr<Connection>& monitor,
                               int backend_pid, std::chrono::milliseconds sample_every,
                               CancelOnSignal cancel)
    : m_conninfo(std::move(conninfo)), m_monitor(monitor), m_backend_pid(backend_pid),
      m_sample_every(sample_every), m_cancel(cancel), m_thread([this] { run(); }) {}

StatementWatch::~StatementWatch() {
    {
        const std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    m_thread.join();
}

std::vector<std::string> StatementWatch::blockers() const {
    const std::lock_guard lock(m_mutex);
    return m_blockers;
}

bool StatementWatch::cancelled() const {
    const std::lock_guard lock(m_mutex);
    return m_cancelled;
}

Connection& StatementWatch::monitor() {
    if (!m_monitor) {
        m_monitor = std::make_unique<Connection>(m_conninfo);
    }
    return *m_monitor;
}

void StatementWatch::run() {
    // A step's statements run one after another: the one that ends up waiting may start late
    // in the step, so one sample at a fixed point would often see nobody. Sampling every
    // `m_sample_every` from then on, and keeping the last sample that saw a blocker, names
    // whoever was in the way when the lock timeout fired. A step shorter than one period never
    // opens the monitor connection.
    auto next_sample = std::chrono::steady_clock::now() + m_sample_every;
    std::unique_lock lock(m_mutex);
    while (!m_stop) {
        m_wake.wait_for(lock, k_tick);
        if (m_stop) {
            break;
        }
        const bool cancel_now =
            m_cancel == CancelOnSignal::yes && !m_cancelled && util::interrupted();
        const bool sample_now = std::chrono::steady_clock::now() >= next_sample;
        if (!cancel_now && !sample_now) {
            continue;
        }
        lock.unlock();
        std::vector<std::string> found;
        bool did_cancel = false;
        try {
            pqxx::nontransaction txn(monitor().get());
            if (cancel_now) {
                txn.exec_params("SELECT pg_cancel_backend($1)", m_backend_pid);
                did_cancel = true;
            }
            if (sample_now) {
                const auto rows = txn.exec_params(
                    "SELECT a.pid, coalesce(a.application_name, ''), coalesce(a.state, ''), "
                    "coalesce(extract(epoch FROM now() - a.xact_start)::bigint, 0), "
                    "left(regexp_replace(coalesce(a.query, ''), '\\s+', ' ', 'g'), 100) "
                    "FROM pg_stat_activity a WHERE a.pid = ANY (pg_blocking_pids($1)) "
                    "ORDER BY a.xact_start",
                    m_backend_pid);
                for (const auto& row : rows) {
                    found.push_back("pid " + row[0].as<std::string>() + " (" +
                                    row[1].as<std::string>() + ", " + row[2].as<std::string>() +
                                    ", " + row[3].as<std::string>() +
                                    "s in transaction): " + row[4].as<std::string>());
                }
            }
        } catch (const std::exception& e) {
            spdlog::debug("statement watch: {}", describe(e));
        }
        lock.lock();
        m_cancelled = m_cancelled || did_cancel;
        if (sample_now) {
            next_sample = std::chrono::steady_clock::now() + m_sample_every;
            if (!found.empty()) {
                m_blockers = std::move(found);
            }
        }
    }
}

} // namespace schemagate::store
