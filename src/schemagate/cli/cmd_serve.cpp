// `wait` (the init container) and `serve` (the long-running readiness and metrics server).
#include <chrono>
#include <iostream>
#include <set>
#include <thread>

#include <spdlog/spdlog.h>

#include <schemagate/cli/command.hpp>
#include <schemagate/cli/observability.hpp>
#include <schemagate/migration/planner.hpp>
#include <schemagate/store/change_listener.hpp>
#include <schemagate/util/duration.hpp>
#include <schemagate/util/error.hpp>
#include <schemagate/util/interrupt.hpp>
#include <schemagate/util/strings.hpp>

namespace po = boost::program_options;

namespace schemagate::cli {

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds k_slice{100};
constexpr std::chrono::seconds k_unreachable_log_interval{10};

// One connection that both reads the state and LISTENs; reopened when the database comes back.
class Watcher {
public:
    Watcher(const config::Config& config, const migration::RevisionGraph& graph, std::string target)
        : m_config(config), m_graph(graph), m_target(std::move(target)) {}

    // The state now, or nullopt while the database is unreachable (logged now and then).
    std::optional<SchemaState> read() {
        try {
            if (!m_store) {
                m_store = open_store(m_config);
                m_listener =
                    std::make_unique<store::ChangeListener>(*m_store, m_config.history_table);
            }
            auto state = read_schema_state(m_graph, *m_store, m_target);
            m_awaited = {state.pending.begin(), state.pending.end()};
            return state;
        } catch (const DatabaseUnreachable& e) {
            drop();
            if (Clock::now() >= m_next_unreachable_log) {
                spdlog::warn("{}; retrying", e.what());
                m_next_unreachable_log = Clock::now() + k_unreachable_log_interval;
            }
            return std::nullopt;
        }
    }

    // Sleeps until the state may have changed, `period` passes, `deadline` passes or a signal
    // comes. While revisions are pending, a NOTIFY (whose payload is the revision) ends the
    // sleep only once every revision pending at the last read was announced: a waiter then
    // reads the state once per migration, not once per revision. With N waiters and a run of
    // M revisions that is N reads instead of N x M, on the database being migrated. Once
    // nothing is pending, any NOTIFY (a downgrade, a stamp) ends it.
    void pause(std::chrono::milliseconds period, Clock::time_point deadline) {
        const auto until = std::min(Clock::now() + period, deadline);
        while (Clock::now() < until && !util::interrupted()) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
            const auto slice = std::max(std::chrono::milliseconds(1), std::min(left, k_slice));
            if (!m_listener) {
                std::this_thread::sleep_for(slice);
                continue;
            }
            try {
                const auto announced = m_listener->wait(slice);
                for (const auto& id : announced) {
                    m_awaited.erase(id);
                }
                if (!announced.empty() && m_awaited.empty()) {
                    return;
                }
            } catch (const DatabaseUnreachable&) {
                drop();
            }
        }
    }

private:
    void drop() {
        m_listener.reset();
        m_store.reset();
    }

    const config::Config& m_config;
    const migration::RevisionGraph& m_graph;
    std::string m_target;
    std::unique_ptr<store::PgStore> m_store;
    std::unique_ptr<store::ChangeListener> m_listener;
    std::set<std::string> m_awaited; // pending at the last read and not announced since
    Clock::time_point m_next_unreachable_log{};
};

std::string target_of(const Invocation& inv, const migration::RevisionGraph& graph) {
    const std::string target = inv.flag("target") ? inv.value("target") : default_target(graph);
    // Resolve once now, so a typo is an error at once instead of a wait until the timeout.
    migration::resolve_upgrade(graph, {}, target);
    return target;
}

int cmd_wait(const Invocation& inv) {
    const auto graph = load_graph(inv.config);
    const std::string target = target_of(inv, graph);
    const std::string timeout_text = inv.flag("timeout") ? inv.value("timeout") : "10m";
    const auto timeout = util::parse_duration(timeout_text);
    if (!timeout) {
        throw UsageError("wait --timeout: " + timeout.error());
    }
    Observability observability(inv.config);
    Watcher watcher(inv.config, graph, target);
    const auto deadline = Clock::now() + *timeout;
    std::size_t last_pending = static_cast<std::size_t>(-1);
    std::vector<std::string> last_problems;
    while (true) {
        util::throw_if_interrupted();
        if (auto state = watcher.read()) {
            observability.publish(*state);
            if (state->ready) {
                spdlog::info("the schema is at {} ({})", target, util::join(state->current, ", "));
                observability.finish(0);
                return 0;
            }
            if (state->pending.size() != last_pending) {
                last_pending = state->pending.size();
                spdlog::info("waiting for {} revision(s) to reach {}: {}", last_pending, target,
                             util::join(state->pending, ", "));
            }
            if (state->problems != last_problems) {
                last_problems = state->problems;
                for (const auto& p : last_problems) {
                    spdlog::warn("{}", p);
                }
            }
        }
        if (Clock::now() >= deadline) {
            observability.finish(static_cast<int>(ExitCode::not_at_target));
            throw Error(ExitCode::not_at_target,
                        "the schema did not reach " + target + " within " +
                            util::format_duration(*timeout) +
                            "; check the migration Job (`kubectl logs job/...`) or raise "
                            "--timeout");
        }
        watcher.pause(inv.config.interval, deadline);
    }
}

int cmd_serve(const Invocation& inv) {
    if (inv.config.listen.empty()) {
        throw UsageError("serve needs --listen ADDRESS:PORT (for example 0.0.0.0:9090)");
    }
    const auto graph = load_graph(inv.config);
    const std::string target = target_of(inv, graph);
    Observability observability(inv.config);
    if (inv.flag("apply")) {
        observability.set_readiness(false, {{"ready", false}, {"reason", "migrating"}});
        try {
            run_upgrade(inv, observability, target);
        } catch (const Error& e) {
            observability.finish(static_cast<int>(e.code()));
            throw;
        }
    }
    Watcher watcher(inv.config, graph, target);
    while (!util::interrupted()) {
        if (auto state = watcher.read()) {
            observability.publish(*state);
        } else {
            observability.set_readiness(false,
                                        {{"ready", false}, {"reason", "database unreachable"}});
        }
        watcher.pause(inv.config.interval, Clock::time_point::max());
    }
    spdlog::info("stopping on a signal");
    return 0;
}

} // namespace

Command wait_command() {
    return {"wait",
            "wait until the database has applied TARGET (default: the head of --dir); exit 6 "
            "on timeout",
            "",
            0,
            0,
            [](po::options_description& d) {
                d.add_options()("target", po::value<std::string>(),
                                "revision to wait for: head, heads or an id (default: head)")(
                    "timeout", po::value<std::string>(),
                    "give up after this long, exit 6 (default: 10m)");
            },
            cmd_wait};
}

Command serve_command() {
    return {"serve",
            "serve /healthz, /readyz and /metrics until stopped; --apply migrates first",
            "",
            0,
            0,
            [](po::options_description& d) {
                d.add_options()("apply", "upgrade to TARGET first")(
                    "target", po::value<std::string>(),
                    "the schema /readyz waits for: head, heads or an id (default: head)");
            },
            cmd_serve};
}

} // namespace schemagate::cli
