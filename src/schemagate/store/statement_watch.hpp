#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <schemagate/store/conninfo.hpp>

namespace schemagate::store {

enum class CancelOnSignal { yes, no };

// What a StatementWatch saw while it watched one step.
struct WatchReport {
    // The last sample that found blockers, e.g.
    // "pid 123 (psql, idle in transaction, 40s in transaction): UPDATE accounts SET ...".
    std::vector<std::string> blockers;
    // Whether it cancelled the step's running statement because a signal arrived.
    bool cancelled = false;
};

// Watches the steps of a run from a second connection, on one thread of its own, while each
// step's statements run on the main connection. Armed for a step, it
// - every `sample_every` looks for sessions that block the step's backend (pg_blocking_pids)
//   and keeps the last ones it saw, so a lock timeout can say who was in the way;
// - when SIGINT/SIGTERM arrives, cancels the running statement (pg_cancel_backend) if allowed,
//   so a transactional step rolls back instead of running to its end.
// Disarmed, it sleeps. The thread starts when first armed and the monitor connection opens on
// first need; both are kept for later steps. Only the watch thread touches the connection.
class StatementWatch {
public:
    explicit StatementWatch(Conninfo conninfo);
    // Stops the thread (after a sample in flight) and closes the monitor connection.
    ~StatementWatch();
    StatementWatch(const StatementWatch&) = delete;
    StatementWatch& operator=(const StatementWatch&) = delete;

    // Watches `backend_pid` from now until disarm(); the first sample is `sample_every` away.
    void arm(int backend_pid, std::chrono::milliseconds sample_every, CancelOnSignal cancel);
    // Stops watching once a sample or cancel in flight has finished, so that no cancel reaches
    // what the backend runs next, and returns what was seen since arm() (nothing if not armed).
    WatchReport disarm();
    // Has the monitor connection closed before its next use (its server may have gone with the
    // main connection's); the thread opens a new one when next needed.
    void reset_monitor();

private:
    void run();

    Conninfo m_conninfo;

    std::mutex m_mutex;
    std::condition_variable m_wake; // to the thread: armed, or stop
    std::condition_variable m_idle; // from the thread: a sample or cancel has finished
    bool m_stop = false;
    bool m_armed = false;
    bool m_busy = false; // a sample or cancel is in flight, outside the mutex
    bool m_reset_monitor = false;
    int m_backend_pid = 0;
    std::chrono::milliseconds m_sample_every{0};
    CancelOnSignal m_cancel = CancelOnSignal::no;
    std::chrono::steady_clock::time_point m_next_sample;
    WatchReport m_report;
    std::thread m_thread; // started by the first arm()
};

// Arms a StatementWatch for one step, and disarms it at the end of its scope.
class ArmedWatch {
public:
    ArmedWatch(StatementWatch& watch, int backend_pid, std::chrono::milliseconds sample_every,
               CancelOnSignal cancel);
    ~ArmedWatch();
    ArmedWatch(const ArmedWatch&) = delete;
    ArmedWatch& operator=(const ArmedWatch&) = delete;

    // Disarms the watch now and returns what it saw; nothing on a second call.
    WatchReport disarm();

private:
    StatementWatch* m_watch; // null once disarmed
};

} // namespace schemagate::store
