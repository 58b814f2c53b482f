#include <gtest/gtest.h>

#include <cerrno>
#include <fstream>
#include <string>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <schemagate/http/http_server.hpp>
#include <schemagate/util/error.hpp>

namespace schemagate::http {
namespace {

Endpoints fixed_endpoints() {
    return Endpoints{[] { return std::make_pair(false, std::string(R"({"ready":false})")); },
                     [] { return std::string("schemagate_schema_ready 0\n"); }};
}

int port_of(const HttpServer& server) {
    return std::stoi(server.address().substr(server.address().rfind(':') + 1));
}

// A blocking socket connected to 127.0.0.1:port that gives up on a send or a recv after 10s,
// so a server that never answers fails the test instead of hanging it.
int connect_to(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval limit{};
    limit.tv_sec = 10;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    return fd;
}

// Sends all of `data`; false once the peer stopped taking it (closed or reset).
bool send_all(int fd, const std::string& data) {
    std::size_t sent = 0;
    while (sent < data.size()) {
        const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) {
            return false;
        }
        sent += static_cast<std::size_t>(n);
    }
    return true;
}

// Everything the server sends until it closes (or until 10s pass without a byte).
std::string read_all(int fd) {
    std::string out;
    char buffer[4096];
    for (;;) {
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) {
            return out;
        }
        out.append(buffer, static_cast<std::size_t>(n));
    }
}

std::string request_answer(int port, const std::string& request) {
    const int fd = connect_to(port);
    send_all(fd, request);
    std::string answer = read_all(fd);
    ::close(fd);
    return answer;
}

int status_of(const std::string& answer) {
    if (answer.rfind("HTTP/1.", 0) != 0 || answer.size() < 12) {
        return -1;
    }
    return std::stoi(answer.substr(9, 3));
}

std::string body_of(const std::string& answer) {
    const std::size_t end = answer.find("\r\n\r\n");
    return end == std::string::npos ? "" : answer.substr(end + 4);
}

std::string get(int port, const std::string& path) {
    return request_answer(port, "GET " + path +
                                    " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
}

// This process's resident set, in KiB.
long rss_kib() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0) {
            return std::stol(line.substr(6));
        }
    }
    return -1;
}

TEST(HttpServer, ServesTheThreeEndpointsWithTheirContentTypes) {
    const HttpServer server("127.0.0.1:0", fixed_endpoints());
    const int port = port_of(server);

    const std::string healthz = get(port, "/healthz");
    EXPECT_EQ(status_of(healthz), 200) << healthz;
    EXPECT_NE(healthz.find("Content-Type: text/plain\r\n"), std::string::npos) << healthz;
    EXPECT_EQ(body_of(healthz), "ok\n");

    const std::string readyz = get(port, "/readyz");
    EXPECT_EQ(status_of(readyz), 503) << readyz;
    EXPECT_NE(readyz.find("Content-Type: application/json\r\n"), std::string::npos) << readyz;
    EXPECT_EQ(body_of(readyz), "{\"ready\":false}\n");

    const std::string metrics = get(port, "/metrics?name[]=x");
    EXPECT_EQ(status_of(metrics), 200) << metrics;
    EXPECT_NE(metrics.find("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"),
              std::string::npos)
        << metrics;
    EXPECT_EQ(body_of(metrics), "schemagate_schema_ready 0\n");
}

TEST(HttpServer, AnswersAnUnknownPathWith404) {
    const HttpServer server("127.0.0.1:0", fixed_endpoints());
    EXPECT_EQ(status_of(get(port_of(server), "/nope")), 404);
}

TEST(HttpServer, ServesOnIpv6Loopback) {
    const HttpServer server("[::1]:0", fixed_endpoints());
    ASSERT_EQ(server.address().rfind("[::1]:", 0), 0u) << server.address();
    const int fd = ::socket(AF_INET6, SOCK_STREAM, 0);
    sockaddr_in6 addr{};
    addr.sin6_family = AF_INET6;
    addr.sin6_port = htons(static_cast<std::uint16_t>(port_of(server)));
    addr.sin6_addr = in6addr_loopback;
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    send_all(fd, "GET /healthz HTTP/1.1\r\nHost: [::1]\r\n\r\n");
    const std::string answer = read_all(fd);
    ::close(fd);
    EXPECT_EQ(status_of(answer), 200) << answer;
}

TEST(HttpServer, RefusesAPortInUseWithAUsageError) {
    const HttpServer server("127.0.0.1:0", fixed_endpoints());
    EXPECT_THROW(HttpServer(server.address(), fixed_endpoints()), UsageError);
}

TEST(HttpServer, AnswersHeadWithoutABody) {
    const HttpServer server("127.0.0.1:0", fixed_endpoints());
    const std::string answer =
        request_answer(port_of(server), "HEAD /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    EXPECT_EQ(status_of(answer), 200) << answer;
    EXPECT_NE(answer.find("Content-Length: 3\r\n"), std::string::npos) << answer;
    EXPECT_EQ(body_of(answer), "");
}

// 200,000 header lines of 100 bytes (20 MB): a server that keeps them all grows by far more
// than the few MB allowed here, and never gives it back.
TEST(HttpServer, AnswersTooManyHeadersWith431WithoutGrowing) {
    const HttpServer server("127.0.0.1:0", fixed_endpoints());
    const int port = port_of(server);
    std::string block;
    for (int i = 0; block.size() < 64 * 1024; ++i) {
        block += "X-Fill-" + std::to_string(i) + ": " + std::string(80, 'a') + "\r\n";
    }
    const long before = rss_kib();
    for (int round = 0; round < 3; ++round) {
        const int fd = connect_to(port);
        bool open = send_all(fd, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (std::size_t sent = 0; open && sent < 20'000'000; sent += block.size()) {
            open = send_all(fd, block);
        }
        if (open) {
            send_all(fd, "\r\n");
        }
        const std::string answer = read_all(fd);
        ::close(fd);
        EXPECT_EQ(status_of(answer), 431) << answer.substr(0, 200);
    }
    const long grown = rss_kib() - before;
    EXPECT_LT(grown, 4 * 1024) << "the resident set grew by " << grown << " KiB";
    EXPECT_EQ(status_of(get(port, "/healthz")), 200);
}

TEST(HttpServer, AnswersAHugeHeaderLineWith431) {
    const HttpServer server("127.0.0.1:0", fixed_endpoints());
    const std::string answer =
        request_answer(port_of(server), "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " +
                                            std::string(1 << 20, 'a') + "\r\n\r\n");
    EXPECT_EQ(status_of(answer), 431) << answer.substr(0, 200);
}

TEST(HttpServer, AnswersAHeadJustOverTheByteCapWith431) {
    const HttpServer server("127.0.0.1:0", fixed_endpoints());
    // 40 lines of 500 bytes: few enough headers, each line short, 20 KB in all.
    std::string request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    for (int i = 0; i < 40; ++i) {
        request += "X-Fill-" + std::to_string(i) + ": " + std::string(490, 'a') + "\r\n";
    }
    const std::string answer = request_answer(port_of(server), request + "\r\n");
    EXPECT_EQ(status_of(answer), 431) << answer.substr(0, 200);
}

TEST(HttpServer, AnswersOtherMethodsWith405) {
    const HttpServer server("127.0.0.1:0", fixed_endpoints());
    const std::string answer =
        request_answer(port_of(server),
                       "DELETE /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(status_of(answer), 405) << answer;
}

} // namespace
} // namespace schemagate::http
