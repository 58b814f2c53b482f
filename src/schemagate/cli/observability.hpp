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

// Reads the state of `store`'s database against `target` (head, heads or a revision).
SchemaState read_schema_state(const migration::RevisionGraph& graph, store::PgStore& store,
                              const std::string& target);

// The target `wait` and `serve` use when none is given: the head of the local migrations (the
// schema this image ships with), or all heads when the files have several.
std::string default_target(const migration::RevisionGraph& graph);

// Forwards a run's progress to the metrics and announces each applied step to waiters.
class RunObserver final : public runner::Observer {
public:
    RunObserver(metrics::Metrics& metrics, store::PgStore& store, const store::HistoryTable& table)
        : m_metrics(metrics), m_store(store), m_table(table) {}
    void lock_waited(std::chrono::milliseconds waited) override;
    void step_retried(const std::string& id) override;
    void step_done(const std::string& id, migration::Direction direction,
                   std::chrono::milliseconds took) override;

private:
    metrics::Metrics& m_metrics;
    store::PgStore& m_store;
    const store::HistoryTable& m_table;
};

// Metrics and readiness for one command, served over HTTP when --listen is set, pushed to a
// Pushgateway at the end when --pushgateway is set.
class Observability {
public:
    explicit Observability(const config::Config& config);
    ~Observability();

    metrics::Metrics& metrics() { return m_metrics; }
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
