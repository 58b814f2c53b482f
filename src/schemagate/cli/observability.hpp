#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <schemagate/config/config.hpp>
#include <schemagate/http/http_server.hpp>
#include <schemagate/metrics/metrics.hpp>
#include <schemagate/migration/graph.hpp>
#include <schemagate/runner/runner.hpp>
#include <schemagate/store/pg_store.hpp>

namespace schemagate::cli {

// Where the database stands against a target, as /readyz, metrics and `wait` see it. Being
// past the target (revisions the files don't know yet) is fine; a failed step is not.
struct SchemaState {
    bool ready = false;
    std::vector<std::string> pending;
    std::vector<std::string> current;
    std::vector<std::string> problems;
    nlohmann::json reason() const;
};

// The state that `history` records against `target` (head, heads or a revision).
SchemaState schema_state(const migration::RevisionGraph& graph,
                         const std::vector<store::AppliedRevision>& history,
                         const std::string& target);
// Reads the state of `store`'s database against `target`.
SchemaState read_schema_state(const migration::RevisionGraph& graph, store::PgStore& store,
                              const std::string& target);

// The target `wait` and `serve` use when none is given: the head of the local migrations (the
// schema this image ships with), or all heads when the files have several.
std::string default_target(const migration::RevisionGraph& graph);

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

} // namespace schemagate::cli
