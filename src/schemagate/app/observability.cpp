#include <schemagate/app/observability.hpp>

#include <chrono>
#include <thread>

#include <spdlog/spdlog.h>

#include <schemagate/http/http_server.hpp>
#include <schemagate/util/duration.hpp>
#include <schemagate/util/interrupt.hpp>
#include <schemagate/util/json_text.hpp>
#include <schemagate/util/secrets.hpp>
#include <schemagate/util/version.hpp>

namespace schemagate::app {

namespace {

// The /readyz body for `state`.
nlohmann::json readiness_reason(const SchemaState& state) {
    nlohmann::json out{
        {"ready", state.ready}, {"pending", state.pending}, {"current", state.current}};
    if (!state.problems.empty()) {
        out["reason"] = "the history needs attention: run `schemagate validate`";
        out["problems"] = state.problems;
    } else if (!state.pending.empty()) {
        out["reason"] = std::to_string(state.pending.size()) + " revision(s) pending";
    } else {
        out["reason"] = "at target";
    }
    return out;
}

} // namespace

Observability::Observability(const config::Config& config)
    : m_config(config), m_metrics(std::string(util::version())),
      m_reason({{"ready", false}, {"reason", "starting"}}) {
    if (!config.listen.empty()) {
        m_server = std::make_unique<http::HttpServer>(
            config.listen, http::Endpoints{[this] {
                                               const std::lock_guard lock(m_mutex);
                                               return std::make_pair(m_ready,
                                                                     util::json_text(m_reason));
                                           },
                                           [this] { return m_metrics.exposition(); }});
    }
}

Observability::~Observability() = default;

namespace {

// Every string in `value` scrubbed of secrets: the /readyz body is made of scrubbed values,
// since scrubbing its encoded text could cut a JSON escape in two.
void scrub_strings(nlohmann::json& value) {
    if (value.is_string()) {
        value = util::scrub(value.get_ref<const std::string&>());
    } else if (value.is_structured()) {
        for (auto& item : value) {
            scrub_strings(item);
        }
    }
}

} // namespace

void Observability::set_readiness(bool ready, nlohmann::json reason) {
    m_metrics.set_ready(ready);
    scrub_strings(reason);
    const std::lock_guard lock(m_mutex);
    m_ready = ready;
    m_reason = std::move(reason);
}

void Observability::publish(const SchemaState& state) {
    m_metrics.set_state(state.pending.size(), state.ready, state.current);
    set_readiness(state.ready, readiness_reason(state));
}

void Observability::migrating() {
    set_readiness(false, {{"ready", false}, {"reason", "migrating"}});
}

void Observability::run_failed(const std::string& error) {
    set_readiness(false, {{"ready", false}, {"reason", "the run failed"}, {"error", error}});
}

void Observability::unreachable() {
    set_readiness(false, {{"ready", false}, {"reason", "database unreachable"}});
}

void Observability::finish(int code) {
    if (code != 0) {
        m_metrics.failed(metrics::failure_reason(code));
    }
    if (!m_config.pushgateway.empty()) {
        if (auto pushed = m_metrics.push(m_config.pushgateway, "schemagate"); !pushed) {
            spdlog::warn("could not push metrics: {}", pushed.error());
        }
    }
    if (m_server && m_config.linger.count() > 0) {
        spdlog::info("lingering {} so the final metrics can be scraped",
                     util::format_duration(m_config.linger));
        const auto until = std::chrono::steady_clock::now() + m_config.linger;
        while (std::chrono::steady_clock::now() < until && !util::interrupted()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }
}

} // namespace schemagate::app
