#include <schemagate/http/http_server.hpp>

#include <chrono>
#include <thread>

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <schemagate/util/error.hpp>
#include <schemagate/util/secrets.hpp>

namespace schemagate::http {

HttpServer::HttpServer(const std::string& listen, Endpoints endpoints)
    : m_endpoints(std::move(endpoints)), m_server(std::make_unique<httplib::Server>()) {
    const std::size_t colon = listen.rfind(':');
    int port = -1;
    if (colon != std::string::npos && colon + 1 < listen.size() && listen.size() - colon <= 6) {
        try {
            std::size_t used = 0;
            port = std::stoi(listen.substr(colon + 1), &used);
            port = used == listen.size() - colon - 1 ? port : -1;
        } catch (const std::exception&) {
            port = -1;
        }
    }
    if (port < 0 || port > 65535) {
        throw UsageError("--listen '" + listen + "': use ADDRESS:PORT, e.g. 0.0.0.0:9090");
    }
    std::string host = colon == 0 ? "0.0.0.0" : listen.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }

    m_server->Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
        res.set_content("ok\n", "text/plain");
    });
    m_server->Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
        const auto [ready, body] = m_endpoints.readiness();
        res.status = ready ? 200 : 503;
        // Already scrubbed, value by value, before it was encoded (cli::Observability).
        res.set_content(body + "\n", "application/json");
    });
    m_server->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
        res.set_content(util::scrub(m_endpoints.metrics()),
                        "text/plain; version=0.0.4; charset=utf-8");
    });

    if (port == 0) {
        port = m_server->bind_to_any_port(host.c_str());
        if (port < 0) {
            throw UsageError("--listen '" + listen + "': cannot bind a port on " + host);
        }
    } else if (!m_server->bind_to_port(host.c_str(), port)) {
        throw UsageError("--listen '" + listen +
                         "': cannot bind (address in use, or not an address of this host)");
    }
    m_address = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
                std::to_string(port);
    m_thread = std::thread([this] { m_server->listen_after_bind(); });
    // cpp-httplib's stop() does nothing until the listening thread has started, so a server
    // stopped right away (a command that fails at once) would then listen forever and the
    // destructor's join would hang. Return only once it runs.
    for (int i = 0; i < 1000 && !m_server->is_running(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    spdlog::info("serving /healthz, /readyz and /metrics on http://{}", m_address);
}

HttpServer::~HttpServer() {
    m_server->stop();
    if (m_thread.joinable()) {
        m_thread.join();
    }
}

} // namespace schemagate::http
