#include <schemagate/app/inspect.hpp>

#include <algorithm>

#include <schemagate/app/migrate.hpp>
#include <schemagate/app/schema_state.hpp>
#include <schemagate/migration/planner.hpp>
#include <schemagate/runner/runner.hpp>

namespace schemagate::app {

ExitCode StatusReport::exit_code() const {
    if (!problems.empty()) {
        return ExitCode::integrity;
    }
    return at_target() ? ExitCode::success : ExitCode::not_at_target;
}

StatusReport status(const Context& ctx, const migration::Target& target) {
    StatusReport report{ctx.ports.load_graph(), {}, {}, {}};
    report.history = ctx.ports.open_store()->read_history(store::HistoryColumns::all);
    report.problems = runner::integrity_problems(
        report.graph, report.history, allowances(ctx.config), runner::RunningRows::tolerate);
    report.pending = pending_revisions(report.graph, runner::applied_ids(report.history), target);
    return report;
}

ValidateReport validate(const Context& ctx) {
    const auto graph = ctx.ports.load_graph();
    auto store = ctx.ports.open_store();
    const auto history = store->read_history(store::HistoryColumns::all);
    // A `running` row is someone's work in progress while they hold the migration lock, and an
    // interrupted step otherwise: one try for the lock tells which.
    const bool running = std::any_of(history.begin(), history.end(), [](const auto& row) {
        return row.state == store::RowState::running;
    });
    ValidateReport report;
    bool orphaned = false;
    if (running) {
        auto lock = ctx.ports.make_lock();
        try {
            lock->acquire(std::chrono::milliseconds(0));
            orphaned = true;
            lock->release();
        } catch (const LockTimeout&) {
            report.notes.push_back("a transaction: none revision is being applied right now by "
                                   "the schemagate holding the migration lock");
        }
    }
    report.problems = runner::integrity_problems(graph, history, allowances(ctx.config),
                                                 orphaned ? runner::RunningRows::refuse
                                                          : runner::RunningRows::tolerate);
    for (const auto& index : store->invalid_indexes()) {
        report.problems.push_back(
            "index " + index +
            " is INVALID (an interrupted CREATE INDEX CONCURRENTLY?); drop it with DROP INDEX "
            "CONCURRENTLY, then create it again");
    }
    return report;
}

CurrentReport current(const Context& ctx) {
    CurrentReport report{ctx.ports.load_graph(), {}};
    const auto history = ctx.ports.open_store()->read_history(store::HistoryColumns::state);
    report.revisions = migration::current_heads(report.graph, runner::applied_ids(history));
    for (const auto& row : history) {
        if (!report.graph.contains(row.id)) {
            report.revisions.push_back(row.id);
        }
    }
    return report;
}

} // namespace schemagate::app
