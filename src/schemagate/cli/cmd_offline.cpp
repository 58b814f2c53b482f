// `upgrade --sql` and `downgrade --sql`: print the SQL a run would execute instead of running
// it, as Alembic's offline mode does.
#include <algorithm>
#include <iostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <boost/program_options.hpp>
#include <spdlog/spdlog.h>

#include <schemagate/cli/command.hpp>
#include <schemagate/lint/lint.hpp>
#include <schemagate/lock/no_lock.hpp>
#include <schemagate/migration/planner.hpp>
#include <schemagate/runner/runner.hpp>
#include <schemagate/store/script_store.hpp>
#include <schemagate/util/clock.hpp>
#include <schemagate/util/error.hpp>
#include <schemagate/util/strings.hpp>

namespace po = boost::program_options;

namespace schemagate::cli {

namespace {

using migration::Direction;

// The history `--from REV` stands for: REV and its ancestors applied, as `stamp REV` records
// on an empty database.
std::vector<store::AppliedRevision> assumed_history(const migration::RevisionGraph& graph,
                                                    const std::string& from) {
    if (!from.empty() && (from[0] == '+' || from[0] == '-')) {
        throw UsageError("--from takes a revision, head, heads or base, not '" + from + "'");
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
                  const std::string& target) {
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

void offline_options(po::options_description& d) {
    d.add_options()("sql", "print the SQL this would run, for psql, instead of running it")(
        "from", po::value<std::string>()->value_name("REV"),
        "with --sql: start from REV and its ancestors applied (or base) instead of reading the "
        "database, and connect to none");
}

// Prints the script for `upgrade|downgrade TARGET` to stdout as it is made, from the first
// step on, so an error found before (any refusal) leaves stdout empty. Throws UsageError for
// --from without --sql, and what Runner::upgrade / downgrade throw.
int cmd_offline(const Invocation& inv, Direction direction, const std::string& target,
                std::string_view version) {
    const std::string verb(migration::to_string(direction));
    if (!inv.flag("sql")) {
        throw UsageError(verb + ": --from only goes with --sql (it says where the printed SQL " +
                         "starts); add --sql, or leave --from out to run against the database");
    }
    const auto graph = load_graph(inv.config);
    const auto& table = inv.config.history_table;
    std::vector<store::AppliedRevision> history;
    std::string from;
    if (inv.flag("from")) {
        history = assumed_history(graph, inv.value("from"));
        from = history.empty()
                   ? "base, nothing applied (--from " + inv.value("from") + ")"
                   : state_text(graph, history) + " and every ancestor applied (--from " +
                         inv.value("from") + ")";
    } else {
        // Read only: two SELECTs, no lock, no table created.
        history = open_store(inv.config)->read_history(store::HistoryColumns::state);
        from = state_text(graph, history) + ", as " + table.display() +
               " recorded it when this was printed";
    }
    if (direction == Direction::up && inv.flag("lint")) {
        refuse_on_lint_errors(graph, runner::applied_ids(history), target, "no SQL printed");
    }

    // The script goes to stdout as the runner makes it (for 10,000 revisions it is megabytes),
    // starting with the runner's first step: the checks and refusals all come before, so on an
    // error nothing is printed. The header lists the revisions the runner then goes on to print.
    std::vector<const migration::Migration*> planned;
    store::ScriptStore store(std::cout, table, std::move(history),
                             store::ScriptStore::AppliedBy::current_user);
    store.hold_until_first_change([&] {
        planned = planned_revisions(graph, store.read_history(store::HistoryColumns::state),
                                    direction, target);
        // Each of these lines is a SQL comment: whatever an argument, an option or the database
        // gave is printed with its control characters escaped, so that no newline in it can
        // end the comment and put SQL of its own into the script.
        using util::printable;
        std::cout << "-- schemagate " << version << ": SQL for `" << verb << " "
                  << printable(target) << "`, printed by --sql; nothing was run\n"
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
    options.timeouts = {inv.config.ddl_lock_timeout, inv.config.statement_timeout};
    options.lock_retries = 0; // nothing runs, so nothing fails
    options.allow = {inv.config.allow_drift, inv.config.allow_unknown};
    runner::Runner runner(graph, store, lock, clock, options);
    runner::RunReport report;
    try {
        report = direction == Direction::up ? runner.upgrade(target) : runner.downgrade(target);
        store.release(); // the header, when there was no step to print
    } catch (...) {
        if (store.released()) {
            std::cout << k_incomplete_script;
            std::cout.flush();
        }
        throw;
    }
    std::cout.flush();
    if (!std::cout) {
        throw MigrationFailed("cannot write the SQL to stdout; check the disk or the pipe it "
                              "goes to (what was written is incomplete)");
    }
    if (!same_ids(report.revisions, planned)) {
        throw std::logic_error("--sql printed revisions " + util::join(report.revisions, ", ") +
                               " under a header that lists " + joined_ids(planned));
    }
    spdlog::info("printed {} revision(s) as SQL; nothing was run", report.revisions.size());
    return 0;
}

} // namespace schemagate::cli
