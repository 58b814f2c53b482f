// `upgrade --sql` and `downgrade --sql`: print the SQL a run would execute instead of running
// it, as Alembic's offline mode does.
#include <schemagate/app/offline.hpp>

#include <algorithm>
#include <iostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <spdlog/spdlog.h>

#include <schemagate/app/lint_gate.hpp>
#include <schemagate/lock/no_lock.hpp>
#include <schemagate/migration/planner.hpp>
#include <schemagate/runner/runner.hpp>
#include <schemagate/store/script_store.hpp>
#include <schemagate/util/clock.hpp>
#include <schemagate/util/error.hpp>
#include <schemagate/util/strings.hpp>

namespace schemagate::app {

namespace {

using migration::Direction;

// The history `--from REV` stands for: REV and its ancestors applied, as `stamp REV` records
// on an empty database.
std::vector<store::AppliedRevision> assumed_history(const migration::RevisionGraph& graph,
                                                    const migration::Target& from) {
    if (from.is(migration::Target::Kind::relative)) {
        throw UsageError("--from takes a revision, head, heads or base, not '" + from.text() + "'");
    }
    migration::RevisionSet applied;
    try {
        applied = migration::stamp_result(graph, {}, from);
    } catch (const UsageError& e) {
        throw UsageError(std::string("--from: ") + e.what());
    } catch (const IntegrityError& e) {
        throw IntegrityError(std::string("--from: ") + e.what());
    }
    std::vector<store::AppliedRevision> out;
    for (const auto& id : graph.ordered(applied)) {
        const auto& m = graph.at(id);
        store::AppliedRevision row;
        row.id = m.id;
        row.parents = m.parents;
        row.checksum = m.checksum;
        row.message = m.message;
        out.push_back(std::move(row));
    }
    return out;
}

std::string state_text(const migration::RevisionGraph& graph,
                       const std::vector<store::AppliedRevision>& history) {
    const auto heads = migration::current_heads(graph, runner::applied_ids(history));
    return heads.empty() ? "base" : util::join(heads, ", ");
}

// The revisions a run from `history` to `target` takes, in order: the runner's plan, once it
// has checked everything.
std::vector<const migration::Migration*>
planned_revisions(const migration::RevisionGraph& graph,
                  const std::vector<store::AppliedRevision>& history, Direction direction,
                  const migration::Target& target) {
    const auto applied = runner::applied_ids(history);
    return migration::plan(graph, applied,
                           direction == Direction::up
                               ? migration::resolve_upgrade(graph, applied, target)
                               : migration::resolve_downgrade(graph, applied, target));
}

std::string joined_ids(const std::vector<const migration::Migration*>& revisions) {
    std::string out;
    for (const migration::Migration* m : revisions) {
        out += (out.empty() ? "" : ", ") + m->id;
    }
    return out;
}

bool same_ids(const std::vector<std::string>& ids,
              const std::vector<const migration::Migration*>& revisions) {
    return std::equal(
        ids.begin(), ids.end(), revisions.begin(), revisions.end(),
        [](const std::string& id, const migration::Migration* m) { return id == m->id; });
}

// Ends a script that stops part way (a signal, a write error), so that psql stops there too
// rather than take it for the whole: ON_ERROR_STOP turns the exception into its exit status.
constexpr const char* k_incomplete_script =
    "-- schemagate stopped before the end of this script: it is incomplete (see its error)\n"
    "DO $$BEGIN RAISE EXCEPTION 'incomplete script: schemagate --sql stopped before its end'; "
    "END$$;\n";

} // namespace

void print_sql(const Context& ctx, const SqlRequest& request, std::ostream& out) {
    const Direction direction = request.direction;
    const migration::Target& target = request.target;
    const std::string verb(migration::to_string(direction));
    const auto graph = ctx.ports.load_graph();
    const auto& table = ctx.config.history_table;
    std::vector<store::AppliedRevision> history;
    std::string from;
    if (request.from) {
        const std::string& given = request.from->text();
        history = assumed_history(graph, *request.from);
        from = history.empty() ? "base, nothing applied (--from " + given + ")"
                               : state_text(graph, history) +
                                     " and every ancestor applied (--from " + given + ")";
    } else {
        // Read only: two SELECTs, no lock, no table created.
        history = ctx.ports.open_store()->read_history(store::HistoryColumns::state);
        from = state_text(graph, history) + ", as " + table.display() +
               " recorded it when this was printed";
    }
    if (direction == Direction::up && request.lint == LintGate::on) {
        refuse_on_lint_errors(graph, runner::applied_ids(history), target, "no SQL printed");
    }

    // The script goes to stdout as the runner makes it (for 10,000 revisions it is megabytes),
    // starting with the runner's first step: the checks and refusals all come before, so on an
    // error nothing is printed. The header lists the revisions the runner then goes on to print.
    std::vector<const migration::Migration*> planned;
    store::ScriptStore store(out, table, std::move(history),
                             store::ScriptStore::AppliedBy::current_user);
    store.hold_until_first_change([&] {
        planned = planned_revisions(graph, store.read_history(store::HistoryColumns::state),
                                    direction, target);
        // Each of these lines is a SQL comment: whatever an argument, an option or the database
        // gave is printed with its control characters escaped, so that no newline in it can
        // end the comment and put SQL of its own into the script.
        using util::printable;
        out << "-- schemagate " << request.version << ": SQL for `" << verb << " "
            << printable(target.text()) << "`, printed by --sql; nothing was run\n"
            << "-- from: " << printable(from) << "\n"
            << "-- history table: " << printable(table.display()) << "\n"
            << "-- revisions: "
            << printable(planned.empty() ? std::string("none, already at the target")
                                         : joined_ids(planned))
            << "\n"
            << "-- run with: psql -X -v ON_ERROR_STOP=1 -f FILE. Each revision commits on "
               "its own: never\n"
            << "-- add -1 (transaction: none revisions cannot run in a transaction block) "
               "nor drop\n"
            << "-- ON_ERROR_STOP (later revisions would run after a failed one). The "
               "script takes no\n"
            << "-- migration lock and retries no lock timeout: don't run it while "
               "schemagate runs.\n\n";
    });
    lock::NoLock lock;
    util::SystemClock clock;
    runner::RunnerOptions options;
    options.timeouts = {ctx.config.ddl_lock_timeout, ctx.config.statement_timeout};
    options.lock_retries = 0; // nothing runs, so nothing fails
    options.allow = allowances(ctx.config);
    runner::Runner runner(graph, store, lock, clock, options);
    runner::RunReport report;
    try {
        report = direction == Direction::up ? runner.upgrade(target) : runner.downgrade(target);
        store.release(); // the header, when there was no step to print
    } catch (...) {
        if (store.released()) {
            out << k_incomplete_script;
            out.flush();
        }
        throw;
    }
    out.flush();
    if (!out) {
        throw MigrationFailed("cannot write the SQL to stdout; check the disk or the pipe it "
                              "goes to (what was written is incomplete)");
    }
    if (!same_ids(report.revisions, planned)) {
        throw std::logic_error("--sql printed revisions " + util::join(report.revisions, ", ") +
                               " under a header that lists " + joined_ids(planned));
    }
    spdlog::info("printed {} revision(s) as SQL; nothing was run", report.revisions.size());
}

} // namespace schemagate::app
