#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include <httplib.h>

#include <schemagate/metrics/metrics.hpp>

#include <support/loopback.hpp>

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

// A fake Pushgateway on a free port of 127.0.0.1: answers every POST or PUT under
// /metrics/job/ with `status` and records the last request.
class FakeGateway {
public:
    explicit FakeGateway(int status) {
        auto record = [this, status](const httplib::Request& req, httplib::Response& res) {
            const std::lock_guard lock(m_mutex);
            m_last = req;
            res.status = status;
        };
        m_server.Put(R"(/metrics/job/.*)", record);
        m_server.Post(R"(/metrics/job/.*)", record);
        m_port = m_server.bind_to_any_port("127.0.0.1");
        m_thread = std::thread([this] { m_server.listen_after_bind(); });
        // stop() does nothing before the server runs, and the destructor would then hang.
        while (m_port > 0 && !m_server.is_running()) {
            std::this_thread::yield();
        }
    }
    ~FakeGateway() {
        m_server.stop();
        m_thread.join();
    }
    FakeGateway(const FakeGateway&) = delete;
    FakeGateway& operator=(const FakeGateway&) = delete;

    int port() const { return m_port; }
    httplib::Request last() {
        const std::lock_guard lock(m_mutex);
        return m_last;
    }

private:
    httplib::Server m_server;
    int m_port = -1;
    std::thread m_thread;
    std::mutex m_mutex;
    httplib::Request m_last;
};

TEST(Metrics, PushSendsTheExpositionToAPushgateway) {
    FakeGateway gateway(200);
    ASSERT_GT(gateway.port(), 0);
    Metrics m("9.9.9");
    m.step_done("001", migration::Direction::up, 5ms);
    const auto pushed = m.push("http://127.0.0.1:" + std::to_string(gateway.port()), "schemagate");

    ASSERT_TRUE(pushed.has_value()) << pushed.error();
    const httplib::Request req = gateway.last();
    // POST, as prometheus-cpp's Gateway::Push() sent before: it replaces the pushed families.
    EXPECT_EQ(req.method, "POST");
    EXPECT_EQ(req.path, "/metrics/job/schemagate");
    EXPECT_EQ(req.get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_FALSE(req.has_header("Authorization"));
    EXPECT_EQ(req.body, m.exposition());
    EXPECT_NE(req.body.find("schemagate_build_info{version=\"9.9.9\"} 1"), std::string::npos)
        << req.body;
    EXPECT_NE(req.body.find("schemagate_migrations_applied_total{direction=\"up\"} 1"),
              std::string::npos)
        << req.body;
}

TEST(Metrics, PushSendsUserInfoAsBasicAuthAndNeverPrintsThePassword) {
    FakeGateway gateway(500);
    const Metrics m("1");
    const auto pushed =
        m.push("http://ops:s3cr%40t@127.0.0.1:" + std::to_string(gateway.port()), "schemagate");

    ASSERT_FALSE(pushed.has_value());
    EXPECT_NE(pushed.error().find("answered 500"), std::string::npos) << pushed.error();
    EXPECT_EQ(pushed.error().find("s3cr"), std::string::npos) << pushed.error();
    // base64("ops:s3cr@t"): the user info is percent-decoded, as curl did.
    EXPECT_EQ(gateway.last().get_header_value("Authorization"), "Basic b3BzOnMzY3JAdA==");
}

TEST(Metrics, PushToAPortWithNothingListeningSaysItCannotConnect) {
    const int port = testing::refused_loopback_port();
    ASSERT_GT(port, 0);
    const Metrics m("1");
    const std::string url = "http://127.0.0.1:" + std::to_string(port);

    const auto pushed = m.push(url, "schemagate");

    ASSERT_FALSE(pushed.has_value());
    EXPECT_EQ(pushed.error(), "the Pushgateway at " + url +
                                  ": cannot connect: check the address and that it is running");
}

TEST(Metrics, PushToAMalformedUrlIsAnErrorNotACrash) {
    const Metrics m("1");
    const auto pushed = m.push("not a url", "schemagate");
    ASSERT_FALSE(pushed.has_value());
    EXPECT_EQ(pushed.error(), "--pushgateway 'not a url': use http://HOST:PORT");
}

TEST(Metrics, PushToAMalformedUrlDoesNotPrintItsPassword) {
    const Metrics m("1");
    const auto pushed = m.push("http://ops:hunter2@gateway", "schemagate");
    ASSERT_FALSE(pushed.has_value());
    EXPECT_EQ(pushed.error(), "--pushgateway 'http://ops:***@gateway': use http://HOST:PORT");
}

TEST(Metrics, FailureReasonsNameTheExitCodes) {
    EXPECT_EQ(failure_reason(1), "migration_failed");
    EXPECT_EQ(failure_reason(3), "lock_timeout");
    EXPECT_EQ(failure_reason(5), "unreachable");
    EXPECT_EQ(failure_reason(130), "interrupted");
}

} // namespace
} // namespace schemagate::metrics
