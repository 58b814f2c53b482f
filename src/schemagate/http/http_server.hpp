#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace httplib {
class Server;
}

namespace schemagate::http {

// What the endpoints serve; each is called on the server's threads.
struct Endpoints {
    // /readyz: ready or not, and a short JSON body saying why, served as it is: its maker
    // scrubs secrets out of its values before encoding it.
    std::function<std::pair<bool, std::string>()> readiness;
    // /metrics: the Prometheus text exposition.
    std::function<std::string()> metrics;
};

// A small HTTP server for /healthz, /readyz and /metrics, on threads of its own.
class HttpServer {
public:
    // Binds `listen` ("ADDR:PORT"; port 0 picks a free one) at once. Throws UsageError for a
    // malformed address or one that cannot be bound.
    HttpServer(const std::string& listen, Endpoints endpoints);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // "ADDR:PORT" as bound, with the real port when 0 was asked for.
    const std::string& address() const { return m_address; }

private:
    Endpoints m_endpoints;
    std::unique_ptr<httplib::Server> m_server;
    std::string m_address;
    std::thread m_thread;
};

} // namespace schemagate::http
