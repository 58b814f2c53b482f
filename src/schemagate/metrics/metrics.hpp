#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include <schemagate/runner/runner.hpp>

namespace prometheus {
class Registry;
}

namespace schemagate::metrics {

// schemagate's Prometheus metrics (every one is listed in README.md, "Metrics"). Thread-safe:
// the HTTP server reads while the run writes. No label ever holds a credential: labels are
// directions, failure reasons, revision ids and the version.
class Metrics final : public runner::Observer {
public:
    explicit Metrics(const std::string& version);
    ~Metrics() override;
    Metrics(const Metrics&) = delete;
    Metrics& operator=(const Metrics&) = delete;

    // runner::Observer
    void lock_waited(std::chrono::milliseconds waited) override;
    void step_retried(const std::string& id) override;
    void step_done(const std::string& id, migration::Direction direction,
                   std::chrono::milliseconds took) override;

    // A run or a check ended in failure; `reason` is one of failure_reason()'s values.
    void failed(const std::string& reason);
    // A run reached its target: stamps schemagate_last_success_timestamp_seconds.
    void succeeded();
    // The state last read from the database.
    void set_state(std::size_t pending, bool ready, const std::vector<std::string>& current);
    // schemagate_schema_ready alone: 0 whenever /readyz answers not ready (a failed run, an
    // unreachable database), so the gauge and the probe never disagree.
    void set_ready(bool ready);

    // The Prometheus text exposition format.
    std::string exposition() const;
    // Pushes every metric to a Pushgateway at `url` (http[s]://[user:password@]host:port) under
    // `job`, waiting 10s at most for each step. Returns a message without the password when the
    // URL is malformed, the gateway cannot be reached or does not answer 2xx.
    tl::expected<void, std::string> push(const std::string& url, const std::string& job) const;

private:
    struct Families;
    std::shared_ptr<prometheus::Registry> m_registry;
    std::unique_ptr<Families> m_families;
};

// The `reason` label for an exit code: migration_failed, usage, lock_timeout, integrity,
// unreachable, interrupted.
std::string failure_reason(int exit_code);

} // namespace schemagate::metrics
