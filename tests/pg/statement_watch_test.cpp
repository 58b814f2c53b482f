#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <sys/syscall.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include <schemagate/lock/pg_advisory_lock.hpp>
#include <schemagate/migration/graph.hpp>
#include <schemagate/runner/runner.hpp>
#include <schemagate/store/history_table.hpp>
#include <schemagate/store/pg_store.hpp>
#include <schemagate/util/clock.hpp>
#include <schemagate/util/error.hpp>

#include <support/migrations.hpp>
#include <support/test_database.hpp>

namespace schemagate {
namespace {

using namespace std::chrono_literals;
using testing::mig;
using testing::TestDatabase;

// The threads of this process, by id (from /proc/self/task).
std::set<long> task_ids() {
    std::set<long> out;
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/task")) {
        out.insert(std::stol(entry.path().filename().string()));
    }
    return out;
}

std::string thread_name(long tid) {
    std::ifstream in("/proc/self/task/" + std::to_string(tid) + "/comm");
    std::string name;
    std::getline(in, name);
    return name;
}

// Every thread that exists at some point while it runs, other than the ones that existed
// before it started and its own polling thread. Polls every millisecond, so a thread that
// lives for a step of tens of milliseconds is seen.
class ThreadCensus {
public:
    ThreadCensus() : m_before(task_ids()), m_poller([this] { poll(); }) {}
    ~ThreadCensus() { stop(); }
    ThreadCensus(const ThreadCensus&) = delete;
    ThreadCensus& operator=(const ThreadCensus&) = delete;

    // Stops polling and returns the ids of the threads seen that are not in the baseline.
    std::set<long> stop() {
        if (m_poller.joinable()) {
            m_done = true;
            m_poller.join();
        }
        std::set<long> out;
        for (const long tid : m_seen) {
            if (!m_before.count(tid) && tid != m_poller_tid) {
                out.insert(tid);
            }
        }
        return out;
    }

private:
    void poll() {
        m_poller_tid = static_cast<long>(::syscall(SYS_gettid));
        while (!m_done) {
            for (const long tid : task_ids()) {
                m_seen.insert(tid);
            }
            std::this_thread::sleep_for(1ms);
        }
    }

    const std::set<long> m_before;
    std::set<long> m_seen; // written by the poller until stop() joins it
    long m_poller_tid = 0; // likewise
    std::atomic<bool> m_done = false;
    std::thread m_poller;
};

// `count` revisions in a chain, each of which waits `sleep_ms` on the server.
migration::RevisionGraph sleepy_chain(int count, int sleep_ms) {
    std::vector<migration::Migration> ms;
    for (int i = 1; i <= count; ++i) {
        const std::string id = "0" + std::to_string(10 + i);
        const std::string parent = "0" + std::to_string(9 + i);
        ms.push_back(mig(id, i == 1 ? std::vector<std::string>{} : std::vector<std::string>{parent},
                         {.up = "SELECT pg_sleep(" + std::to_string(sleep_ms / 1000.0) + ");\n"}));
    }
    return migration::RevisionGraph(std::move(ms));
}

runner::RunnerOptions options() {
    runner::RunnerOptions o;
    o.applied_by = "watch-test";
    o.lock_timeout = 10s;
    return o;
}

TEST(StatementWatch, OneRunOfManyRevisionsStartsOneWatchThreadThatLivesWithTheStore) {
    TestDatabase db;
    const int revisions = 12;
    const auto graph = sleepy_chain(revisions, 30);
    util::SystemClock clock;
    const std::size_t threads_before = task_ids().size();
    std::set<long> started;
    std::string started_name;
    {
        store::PgStore store(db.conninfo(), {});
        lock::PgAdvisoryLock lock(db.conninfo(), store::HistoryTable{}.lock_key(), clock);
        runner::Runner runner(graph, store, lock, clock, options());
        ThreadCensus census;
        const auto report = runner.upgrade("head");
        started = census.stop();
        ASSERT_EQ(report.revisions.size(), static_cast<std::size_t>(revisions));
        ASSERT_EQ(started.size(), 1U) << "one watch thread per run, not one per step";
        started_name = thread_name(*started.begin());
        // Kept for the store's next step: alive after the run.
        EXPECT_EQ(task_ids().size(), threads_before + 1);
    }
    EXPECT_EQ(started_name, "sg-stmt-watch");
    // The store stops it when it goes.
    EXPECT_EQ(task_ids().size(), threads_before);
}

TEST(StatementWatch, NamesTheBlockersOfALockTimeoutOnTheSecondStepOfARun) {
    TestDatabase db;
    db.exec("CREATE TABLE held (id int)");
    // 001 runs longer than a sampling period, so the watch opens its monitor connection during
    // the first step and must still watch the right backend in the second.
    const migration::RevisionGraph graph(
        {mig("001", {}, {.up = "SELECT pg_sleep(0.6);\n"}),
         mig("002", {"001"}, {.up = "ALTER TABLE held ADD COLUMN x int;\n"})});
    pqxx::connection blocker_conn(db.url());
    pqxx::work blocker(blocker_conn);
    const std::string blocker_pid = blocker.exec1("SELECT pg_backend_pid()")[0].as<std::string>();
    blocker.exec("SELECT count(*) FROM held"); // ACCESS SHARE until the transaction ends

    util::SystemClock clock;
    store::PgStore store(db.conninfo(), {});
    lock::PgAdvisoryLock lock(db.conninfo(), store::HistoryTable{}.lock_key(), clock);
    auto o = options();
    o.timeouts.lock = 1s; // sampled every 250ms
    o.lock_retries = 0;
    runner::Runner runner(graph, store, lock, clock, o);
    try {
        runner.upgrade("head");
        FAIL() << "expected StepFailed";
    } catch (const store::StepFailed& e) {
        EXPECT_TRUE(e.lock_timeout()) << e.what();
        ASSERT_EQ(e.blockers().size(), 1U) << e.what();
        EXPECT_EQ(e.blockers()[0].rfind("pid " + blocker_pid + " (", 0), 0U) << e.blockers()[0];
        EXPECT_NE(e.blockers()[0].find("SELECT count(*) FROM held"), std::string::npos)
            << e.blockers()[0];
        const std::string what = e.what();
        EXPECT_NE(what.find("m/002_step.sql:4:"), std::string::npos) << what;
        EXPECT_NE(what.find("blocked by:\n  pid " + blocker_pid), std::string::npos) << what;
    }
    EXPECT_EQ(db.query_value("SELECT string_agg(revision, ',') FROM schemagate_history"), "001");
}

} // namespace
} // namespace schemagate
