#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include <httplib.h>

#include <schemagate/metrics/metrics.hpp>

namespace schemagate::metrics {
namespace {

using namespace std::chrono_literals;

// The value of one series in a text exposition, or "" when absent.
std::string value_of(const std::string& exposition, const std::string& series) {
    const std::string needle = "\n" + series + " ";
    const auto at = ("\n" + exposition).find(needle);
    if (at == std::string::npos) {
        return {};
    }
    const auto start = at + needle.size() - 1;
    return exposition.substr(start, exposition.find('\n', start) - start);
}

TEST(Metrics, ExpositionHoldsEveryDocumentedSeriesFromTheStart) {
    const Metrics m("1.2.3");
    const std::string text = m.exposition();
    for (const char* name :
         {"schemagate_pending_migrations", "schemagate_schema_ready",
          "schemagate_migrations_applied_total", "schemagate_lock_retries_total",
          "schemagate_last_success_timestamp_seconds", "schemagate_build_info"}) {
        EXPECT_NE(text.find(std::string("# TYPE ") + name + " "), std::string::npos) << name;
    }
    EXPECT_EQ(value_of(text, "schemagate_build_info{version=\"1.2.3\"}"), "1");
    EXPECT_EQ(value_of(text, "schemagate_migrations_applied_total{direction=\"up\"}"), "0");
}

TEST(Metrics, RunEventsMoveTheirSeries) {
    Metrics m("1");
    m.lock_waited(1500ms);
    m.step_done("001", migration::Direction::up, 20ms);
    m.step_done("002", migration::Direction::up, 30ms);
    m.step_done("002", migration::Direction::down, 10ms);
    m.step_retried("002");
    m.failed("lock_timeout");
    m.set_state(3, false, {"002"});
    const std::string text = m.exposition();
    EXPECT_EQ(value_of(text, "schemagate_migrations_applied_total{direction=\"up\"}"), "2");
    EXPECT_EQ(value_of(text, "schemagate_migrations_applied_total{direction=\"down\"}"), "1");
    EXPECT_EQ(value_of(text, "schemagate_migration_duration_seconds_count"), "3");
    EXPECT_EQ(value_of(text, "schemagate_lock_wait_seconds_bucket{le=\"5\"}"), "1");
    EXPECT_EQ(value_of(text, "schemagate_lock_wait_seconds_bucket{le=\"1\"}"), "0");
    EXPECT_EQ(value_of(text, "schemagate_lock_retries_total"), "1");
    EXPECT_EQ(value_of(text, "schemagate_migration_failures_total{reason=\"lock_timeout\"}"), "1");
    EXPECT_EQ(value_of(text, "schemagate_pending_migrations"), "3");
    EXPECT_EQ(value_of(text, "schemagate_schema_ready"), "0");
    EXPECT_EQ(value_of(text, "schemagate_current_revision_info{revision=\"002\"}"), "1");
}

TEST(Metrics, CurrentRevisionSeriesFollowTheState) {
    Metrics m("1");
    m.set_state(1, false, {"004", "005"});
    m.set_state(0, true, {"006"});
    const std::string text = m.exposition();
    EXPECT_EQ(value_of(text, "schemagate_current_revision_info{revision=\"004\"}"), "");
    EXPECT_EQ(value_of(text, "schemagate_current_revision_info{revision=\"006\"}"), "1");
    EXPECT_EQ(value_of(text, "schemagate_schema_ready"), "1");
}

TEST(Metrics, PushSendsTheExpositionToAPushgateway) {
    // A fake Pushgateway: records what is pushed to /metrics/job/<job>.
    httplib::Server gateway;
    std::mutex mutex;
    std::string path;
    std::string body;
    auto record = [&](const httplib::Request& req, httplib::Response& res) {
        const std::lock_guard lock(mutex);
        path = req.path;
        body = req.body;
        res.status = 200;
    };
    gateway.Put(R"(/metrics/job/.*)", record);
    gateway.Post(R"(/metrics/job/.*)", record);
    const int port = gateway.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port, 0);
    std::thread serving([&] { gateway.listen_after_bind(); });

    Metrics m("9.9.9");
    m.step_done("001", migration::Direction::up, 5ms);
    const auto pushed = m.push("http://127.0.0.1:" + std::to_string(port), "schemagate");
    gateway.stop();
    serving.join();

    ASSERT_TRUE(pushed.has_value()) << pushed.error();
    const std::lock_guard lock(mutex);
    EXPECT_EQ(path, "/metrics/job/schemagate");
    EXPECT_NE(body.find("schemagate_build_info{version=\"9.9.9\"} 1"), std::string::npos) << body;
    EXPECT_NE(body.find("schemagate_migrations_applied_total{direction=\"up\"} 1"),
              std::string::npos)
        << body;
}

TEST(Metrics, PushToAMalformedUrlIsAnErrorNotACrash) {
    const Metrics m("1");
    EXPECT_FALSE(m.push("not a url", "schemagate").has_value());
}

TEST(Metrics, FailureReasonsNameTheExitCodes) {
    EXPECT_EQ(failure_reason(1), "migration_failed");
    EXPECT_EQ(failure_reason(3), "lock_timeout");
    EXPECT_EQ(failure_reason(5), "unreachable");
    EXPECT_EQ(failure_reason(130), "interrupted");
}

} // namespace
} // namespace schemagate::metrics
