#include <schemagate/cli/observability.hpp>

#include <chrono>
#include <thread>

#include <spdlog/spdlog.h>

#include <schemagate/cli/render.hpp>
#include <schemagate/migration/planner.hpp>
#include <schemagate/runner/runner.hpp>
#include <schemagate/util/duration.hpp>
#include <schemagate/util/interrupt.hpp>
#include <schemagate/util/secrets.hpp>

namespace schemagate::cli {

namespace {

constexpr const char* k_version = SCHEMAGATE_VERSION;

} // namespace

nlohmann::json SchemaState::reason() const {
    nlohmann::json out{{"ready", ready}, {"pending", pending}, {"current", current}};
    if (!problems.empty()) {
        out["reason"] = "the history needs attention: run `schemagate validate`";
        out["problems"] = problems;
    } else if (!pending.empty()) {
        out["reason"] = std::to_string(pending.size()) + " revision(s) pending";
    } else {
        out["reason"] = "at target";
    }
    return out;
}

std::string default_target(const migration::RevisionGraph& graph) {
    return graph.heads().size() > 1 ? "heads" : "head";
}

SchemaState read_schema_state(const migration::RevisionGraph& graph, store::PgStore& store,
                              const std::string& target) {
    return schema_state(graph, store.read_history(store::HistoryColumns::state), target);
}

SchemaState schema_state(const migration::RevisionGraph& graph,
                         const std::vector<store::AppliedRevision>& history,
                         const std::string& target) {
    const auto applied = runner::applied_ids(history);
    SchemaState state;
    runner::Allowances allow;
    allow.unknown = true; // a newer database than these files is past the target: fine
    state.problems =
        runner::integrity_problems(graph, history, allow, runner::RunningRows::tolerate);
    const auto goal = migration::resolve_upgrade(graph, applied, target);
    for (const auto& id : graph.ordered(goal.revisions)) {
        if (!applied.count(id)) {
            state.pending.push_back(id);
        }
    }
    state.current = migration::current_heads(graph, applied);
    state.ready = state.pending.empty() && state.problems.empty();
    return state;
}

Observability::Observability(const config::Config& config)
    : m_config(config), m_metrics(k_version), m_reason({{"ready", false}, {"reason", "starting"}}) {
    if (!config.listen.empty()) {
        m_server = std::make_unique<http::HttpServer>(
            config.listen, http::Endpoints{[this] {
                                               const std::lock_guard lock(m_mutex);
                                               return std::make_pair(m_ready, json_text(m_reason));
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
    set_readiness(state.ready, state.reason());
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

} // namespace schemagate::cli
