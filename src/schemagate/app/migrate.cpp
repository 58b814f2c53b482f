#include <schemagate/app/migrate.hpp>

#include <functional>
#include <future>
#include <thread>

#include <spdlog/spdlog.h>

#include <schemagate/app/lint_gate.hpp>
#include <schemagate/app/observability.hpp>
#include <schemagate/app/schema_state.hpp>
#include <schemagate/util/error.hpp>

namespace schemagate::app {

runner::Allowances allowances(const config::Config& c) {
    return {c.allow_drift, c.allow_unknown};
}

runner::RunnerOptions runner_options(const config::Config& c) {
    runner::RunnerOptions o;
    o.lock_timeout = c.lock_timeout;
    o.timeouts = {c.ddl_lock_timeout, c.statement_timeout};
    o.lock_retries = c.lock_retries;
    o.run_id = c.run_id;
    o.allow = allowances(c);
    o.applied_by = config::applied_by();
    return o;
}

namespace {

using Action = std::function<runner::RunReport(runner::Runner&)>;

// The readiness target after a run: the named one, or the default one for base and relative
// targets (which say where a run goes, not what the app needs).
migration::Target readiness_target(const migration::RevisionGraph& graph,
                                   const migration::Target* target) {
    using Kind = migration::Target::Kind;
    if (target != nullptr && !target->is(Kind::base) && !target->is(Kind::relative)) {
        return *target;
    }
    return default_target(graph);
}

// Runs `action` reporting to `observability`, then publishes where the database stands
// against the readiness target of `target` (nullptr: the default one).
runner::RunReport run_observed(const Context& ctx, Observability& observability,
                               const migration::Target* target, const Action& action) {
    // Connecting (TCP, SCRAM, a new server backend) is mostly waiting: it runs while the files
    // are read and parsed. An error in the files still wins: it is thrown first.
    auto connecting = std::async(std::launch::async, [&] { return ctx.ports.open_store(); });
    // A new thread is often queued behind its busy creator on the same core, and started only
    // at the scheduler's next tick (2-4 ms here): a yield lets it begin connecting now.
    std::this_thread::yield();
    const auto graph = ctx.ports.load_graph();
    auto store = connecting.get();
    auto lock = ctx.ports.make_lock();
    runner::Runner runner(graph, *store, *lock, ctx.ports.clock(), runner_options(ctx.config));
    runner.observe(observability.metrics());
    auto report = action(runner);
    observability.metrics().succeeded();
    if (!observability.watched()) {
        return report; // nobody can see the state: don't spend a read on it
    }
    const auto goal = readiness_target(graph, target);
    if (report.history) {
        // Nothing ran: the history the runner read is the state.
        observability.publish(schema_state(graph, *report.history, goal));
        return report;
    }
    // The run succeeded: losing the connection now must not turn it into a failure. The state
    // for /readyz and the metrics is read again on a new connection, or left out.
    auto read_state = [&] {
        return schema_state(graph, store->read_history(store::HistoryColumns::state), goal);
    };
    try {
        observability.publish(read_state());
    } catch (const DatabaseUnreachable&) {
        try {
            store->reconnect();
            observability.publish(read_state());
        } catch (const DatabaseUnreachable& e) {
            spdlog::warn("the run succeeded, but the state could not be read back for the "
                         "metrics: {}",
                         e.what());
        }
    }
    return report;
}

// A migrating command: readiness "migrating" while it runs, "the run failed" after an error,
// and the command's metrics pushed and lingered on at the end.
runner::RunReport run_command(const Context& ctx, const migration::Target* target,
                              const Action& action) {
    Observability observability(ctx.config);
    observability.migrating();
    runner::RunReport report;
    try {
        report = run_observed(ctx, observability, target, action);
    } catch (const Error& e) {
        observability.run_failed(e.what());
        observability.finish(static_cast<int>(e.code()));
        throw;
    }
    observability.finish(0);
    return report;
}

} // namespace

runner::RunReport upgrade(const Context& ctx, const migration::Target& target, LintGate lint) {
    if (lint == LintGate::on) {
        const auto graph = ctx.ports.load_graph();
        const auto history = ctx.ports.open_store()->read_history(store::HistoryColumns::state);
        refuse_on_lint_errors(graph, runner::applied_ids(history), target,
                              "upgrade refused before running anything");
    }
    return run_command(ctx, &target, [&](runner::Runner& r) { return r.upgrade(target); });
}

runner::RunReport upgrade_observed(const Context& ctx, Observability& observability,
                                   const migration::Target& target) {
    return run_observed(ctx, observability, &target,
                        [&](runner::Runner& r) { return r.upgrade(target); });
}

runner::RunReport downgrade(const Context& ctx, const migration::Target& target) {
    return run_command(ctx, nullptr, [&](runner::Runner& r) { return r.downgrade(target); });
}

runner::RunReport stamp(const Context& ctx, const migration::Target& target) {
    return run_command(ctx, nullptr, [&](runner::Runner& r) { return r.stamp(target); });
}

runner::RunReport repair(const Context& ctx, const std::string& revision, runner::RepairMode mode) {
    return run_command(ctx, nullptr, [&](runner::Runner& r) { return r.repair(revision, mode); });
}

} // namespace schemagate::app
