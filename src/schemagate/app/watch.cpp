#include <schemagate/app/watch.hpp>

#include <algorithm>

#include <spdlog/spdlog.h>

#include <schemagate/app/migrate.hpp>
#include <schemagate/app/observability.hpp>
#include <schemagate/migration/planner.hpp>
#include <schemagate/util/duration.hpp>
#include <schemagate/util/error.hpp>
#include <schemagate/util/interrupt.hpp>
#include <schemagate/util/strings.hpp>

namespace schemagate::app {

namespace {

using TimePoint = std::chrono::steady_clock::time_point;
constexpr std::chrono::milliseconds k_slice{100};
constexpr std::chrono::seconds k_unreachable_log_interval{10};

} // namespace

StateWatcher::StateWatcher(Ports& ports, const migration::RevisionGraph& graph,
                           migration::Target target)
    : m_ports(ports), m_graph(graph), m_target(std::move(target)) {}

StateWatcher::~StateWatcher() = default;

std::optional<SchemaState> StateWatcher::read() {
    try {
        if (!m_feed) {
            m_feed = m_ports.open_feed();
        }
        auto state = schema_state(m_graph, m_feed->read_history(), m_target);
        m_awaited = {state.pending.begin(), state.pending.end()};
        return state;
    } catch (const DatabaseUnreachable& e) {
        m_feed.reset();
        if (m_ports.clock().now() >= m_next_unreachable_log) {
            spdlog::warn("{}; retrying", e.what());
            m_next_unreachable_log = m_ports.clock().now() + k_unreachable_log_interval;
        }
        return std::nullopt;
    }
}

void StateWatcher::pause(std::chrono::milliseconds period, TimePoint deadline) {
    auto& clock = m_ports.clock();
    const auto until = std::min(clock.now() + period, deadline);
    while (clock.now() < until && !util::interrupted()) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(until - clock.now());
        const auto slice = std::max(std::chrono::milliseconds(1), std::min(left, k_slice));
        if (!m_feed) {
            clock.sleep_for(slice);
            continue;
        }
        try {
            const auto announced = m_feed->wait(slice);
            for (const auto& id : announced) {
                m_awaited.erase(id);
            }
            if (!announced.empty() && m_awaited.empty()) {
                return;
            }
        } catch (const DatabaseUnreachable&) {
            m_feed.reset();
        }
    }
}

migration::Target watch_target(const migration::RevisionGraph& graph,
                               const std::optional<migration::Target>& given) {
    if (!given) {
        return default_target(graph);
    }
    migration::resolve_upgrade(graph, {}, *given);
    return *given;
}

SchemaState wait(const Context& ctx, const std::optional<migration::Target>& given,
                 std::chrono::milliseconds timeout) {
    const auto graph = ctx.ports.load_graph();
    const auto target = watch_target(graph, given);
    Observability observability(ctx.config);
    StateWatcher watcher(ctx.ports, graph, target);
    const auto deadline = ctx.ports.clock().now() + timeout;
    std::size_t last_pending = static_cast<std::size_t>(-1);
    std::vector<std::string> last_problems;
    while (true) {
        util::throw_if_interrupted();
        if (auto state = watcher.read()) {
            observability.publish(*state);
            if (state->ready) {
                spdlog::info("the schema is at {} ({})", target.text(),
                             util::join(state->current, ", "));
                observability.finish(0);
                return *state;
            }
            if (state->pending.size() != last_pending) {
                last_pending = state->pending.size();
                spdlog::info("waiting for {} revision(s) to reach {}: {}", last_pending,
                             target.text(), util::join(state->pending, ", "));
            }
            if (state->problems != last_problems) {
                last_problems = state->problems;
                for (const auto& p : last_problems) {
                    spdlog::warn("{}", p);
                }
            }
        }
        if (ctx.ports.clock().now() >= deadline) {
            observability.finish(static_cast<int>(ExitCode::not_at_target));
            throw Error(ExitCode::not_at_target,
                        "the schema did not reach " + target.text() + " within " +
                            util::format_duration(timeout) +
                            "; check the migration Job (`kubectl logs job/...`) or raise "
                            "--timeout");
        }
        watcher.pause(ctx.config.interval, deadline);
    }
}

void serve(const Context& ctx, const std::optional<migration::Target>& given, ApplyFirst apply) {
    if (ctx.config.listen.empty()) {
        throw UsageError("serve needs --listen ADDRESS:PORT (for example 0.0.0.0:9090)");
    }
    const auto graph = ctx.ports.load_graph();
    const auto target = watch_target(graph, given);
    Observability observability(ctx.config);
    if (apply == ApplyFirst::yes) {
        observability.migrating();
        try {
            upgrade_observed(ctx, observability, target);
        } catch (const Error& e) {
            observability.finish(static_cast<int>(e.code()));
            throw;
        }
    }
    StateWatcher watcher(ctx.ports, graph, target);
    while (!util::interrupted()) {
        if (auto state = watcher.read()) {
            observability.publish(*state);
        } else {
            observability.unreachable();
        }
        watcher.pause(ctx.config.interval, TimePoint::max());
    }
    spdlog::info("stopping on a signal");
}

} // namespace schemagate::app
