#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <schemagate/store/connection.hpp>

namespace schemagate::store {

enum class CancelOnSignal { yes, no };

// Watches one step from a second connection, on a thread of its own, while the step's
// statements run on the main connection:
// - every `sample_every` it looks for sessions that block the step's backend
//   (pg_blocking_pids) and keeps the last ones it saw, so a lock timeout can say who was in
//   the way;
// - when SIGINT/SIGTERM arrives it cancels the running statement (pg_cancel_backend), if
//   allowed, so a transactional step rolls back instead of running to its end.
// The monitor connection is opened on first need and kept for later steps; only the watch
// thread touches it while a watch is alive.
class StatementWatch {
public:
    StatementWatch(std::string conninfo, std::unique_ptr<Connection>& monitor, int backend_pid,
                   std::chrono::milliseconds sample_every, CancelOnSignal cancel);
    ~StatementWatch();
    StatementWatch(const StatementWatch&) = delete;
    StatementWatch& operator=(const StatementWatch&) = delete;

    // "pid 123 (psql, idle in transaction, 40s in transaction): UPDATE accounts SET ..."
    std::vector<std::string> blockers() const;
    bool cancelled() const;

private:
    void run();
    Connection& monitor();

    std::string m_conninfo;
    std::unique_ptr<Connection>& m_monitor;
    int m_backend_pid;
    std::chrono::milliseconds m_sample_every;
    CancelOnSignal m_cancel;

    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stop = false;
    bool m_cancelled = false;
    std::vector<std::string> m_blockers;
    std::thread m_thread;
};

} // namespace schemagate::store
