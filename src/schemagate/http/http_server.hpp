#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace schemagate::http {

// What the endpoints serve; each is called on the server's thread, so each must be quick.
struct Endpoints {
    // /readyz: ready or not, and a short JSON body saying why, served as it is: its maker
    // scrubs secrets out of its values before encoding it.
    std::function<std::pair<bool, std::string>()> readiness;
    // /metrics: the Prometheus text exposition.
    std::function<std::string()> metrics;
};

// What one client may cost the server. A request head (request line and headers) larger than
// `max_head_bytes` or with more than `max_header_count` headers is answered 431; one not
// complete `request_deadline` after the connection was accepted is answered 408 and closed.
// Past `max_connections` open connections, the oldest is closed to make room for a new one.
struct Limits {
    std::size_t max_head_bytes = 16 * 1024;
    std::size_t max_header_count = 100;
    std::chrono::milliseconds request_deadline{5000};
    std::size_t max_connections = 128;
};

// A small HTTP/1.1 server for GET (and HEAD) of /healthz, /readyz and /metrics, on one thread
// of its own that waits on all its sockets at once, so no client can hold it up.
class HttpServer {
public:
    // Binds `listen` ("ADDR:PORT", "[IPV6]:PORT" or ":PORT"; port 0 picks a free one) at once.
    // Throws UsageError for a malformed address or one that cannot be bound.
    HttpServer(const std::string& listen, Endpoints endpoints, Limits limits = {});
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // "ADDR:PORT" as bound, with the real port when 0 was asked for.
    const std::string& address() const { return m_address; }

private:
    struct Loop;
    std::unique_ptr<Loop> m_loop;
    std::string m_address;
    std::thread m_thread;
};

} // namespace schemagate::http
