#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <schemagate/app/schema_state.hpp>
#include <schemagate/config/config.hpp>
#include <schemagate/metrics/metrics.hpp>

namespace schemagate::http {
class HttpServer;
}

namespace schemagate::app {

// Metrics and readiness for one command, served over HTTP when --listen is set, pushed to a
// Pushgateway at the end when --pushgateway is set.
class Observability {
public:
    explicit Observability(const config::Config& config);
    ~Observability();

    metrics::Metrics& metrics() { return m_metrics; }
    // Whether anyone can see the state published: --listen or --pushgateway is set.
    bool watched() const { return m_server != nullptr || !m_config.pushgateway.empty(); }
    // The /readyz answer from now on; every string in `reason` is scrubbed of secrets.
    void set_readiness(bool ready, nlohmann::json reason);
    // Records `state` in the metrics and the readiness answer.
    void publish(const SchemaState& state);
    // The readiness answer while a run is under way, and after it failed with `error`.
    void migrating();
    void run_failed(const std::string& error);
    // Not ready: the database cannot be reached.
    void unreachable();
    // The command is over (exit code `code`): counts a failure, pushes the metrics, and with
    // --listen and --linger keeps serving for the linger time (or until a signal).
    void finish(int code);

private:
    const config::Config& m_config;
    metrics::Metrics m_metrics;
    std::mutex m_mutex;
    bool m_ready = false;
    nlohmann::json m_reason;
    std::unique_ptr<http::HttpServer> m_server;
};

} // namespace schemagate::app
