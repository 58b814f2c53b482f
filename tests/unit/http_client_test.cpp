#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include <httplib.h>

#include <schemagate/http/http_client.hpp>

#include <support/loopback.hpp>

namespace schemagate::http {
namespace {

using namespace std::chrono_literals;

TEST(HttpClient, ParseEndpointReadsSchemeUserInfoHostAndPort) {
    const auto e = parse_endpoint("https://ops:p%40ss%3Aw@gateway.example:9443/ignored/path");
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->scheme, "https");
    EXPECT_EQ(e->host, "gateway.example");
    EXPECT_EQ(e->port, 9443);
    EXPECT_EQ(e->user, "ops");
    EXPECT_EQ(e->password, "p@ss:w");
    EXPECT_EQ(e->display(), "https://gateway.example:9443");
}

TEST(HttpClient, ParseEndpointDefaultsToHttpWithoutUser) {
    const auto e = parse_endpoint("gateway:9091");
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->scheme, "http");
    EXPECT_EQ(e->host, "gateway");
    EXPECT_EQ(e->port, 9091);
    EXPECT_EQ(e->user, "");
    EXPECT_EQ(e->password, "");
}

TEST(HttpClient, ParseEndpointKeepsTheBracketsOfAnIpv6Host) {
    const auto e = parse_endpoint("http://[::1]:9091");
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->host, "[::1]");
    EXPECT_EQ(e->port, 9091);
}

TEST(HttpClient, ParseEndpointRejectsAUrlWithoutAUsablePort) {
    for (const char* url : {"gateway", "http://gateway", "http://gateway:", "http://gateway:0",
                            "http://gateway:65536", "http://gateway:90a1", "ftp://gateway:21",
                            "http://[::1]", "http://:9091", ""}) {
        EXPECT_FALSE(parse_endpoint(url).has_value()) << url;
    }
}

TEST(HttpClient, RedactUrlHidesOnlyThePassword) {
    EXPECT_EQ(redact_url("http://ops:s3cret@gw:9091/x"), "http://ops:***@gw:9091/x");
    EXPECT_EQ(redact_url("ops:s3cret@gw:9091"), "ops:***@gw:9091");
    EXPECT_EQ(redact_url("http://ops@gw:9091"), "http://ops@gw:9091");
    EXPECT_EQ(redact_url("http://gw:9091/a@b"), "http://gw:9091/a@b");
}

TEST(HttpClient, SendPutsTheBodyAndReturnsTheStatus) {
    httplib::Server server;
    std::mutex mutex;
    httplib::Request seen;
    server.Put("/put/here", [&](const httplib::Request& req, httplib::Response& res) {
        const std::lock_guard lock(mutex);
        seen = req;
        res.status = 202;
    });
    const int port = server.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port, 0);
    std::thread serving([&] { server.listen_after_bind(); });

    const auto status = send(Method::put, Endpoint{"http", "127.0.0.1", port, "", ""}, "/put/here",
                             "a body", "text/plain", 5s);
    server.stop();
    serving.join();

    ASSERT_TRUE(status.has_value()) << status.error();
    EXPECT_EQ(*status, 202);
    const std::lock_guard lock(mutex);
    EXPECT_EQ(seen.method, "PUT");
    EXPECT_EQ(seen.body, "a body");
    EXPECT_EQ(seen.get_header_value("Content-Type"), "text/plain");
}

TEST(HttpClient, SendGivesUpWhenNoAnswerComesWithinTheTimeout) {
    const testing::SilentListener listener;
    ASSERT_GT(listener.port(), 0);

    const auto status = send(Method::post, Endpoint{"http", "127.0.0.1", listener.port(), "", ""},
                             "/", "body", "text/plain", 100ms);

    ASSERT_FALSE(status.has_value());
    EXPECT_EQ(status.error(), "did not answer within 100ms");
}

} // namespace
} // namespace schemagate::http
