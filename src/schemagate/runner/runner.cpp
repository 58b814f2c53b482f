#include <schemagate/runner/runner.hpp>

#include <algorithm>
#include <chrono>
#include <optional>
#include <random>

#include <spdlog/spdlog.h>

#include <schemagate/lint/lint.hpp>
#include <schemagate/migration/planner.hpp>
#include <schemagate/migration/sql_splitter.hpp>
#include <schemagate/util/duration.hpp>
#include <schemagate/util/error.hpp>
#include <schemagate/util/interrupt.hpp>
#include <schemagate/util/log.hpp>
#include <schemagate/util/strings.hpp>

namespace schemagate::runner {

namespace {

using migration::Direction;
using migration::Migration;
using store::RowState;

class LockGuard {
public:
    explicit LockGuard(lock::Lock& lock) : m_lock(lock) {}
    ~LockGuard() { m_lock.release(); }
    LockGuard(const LockGuard&) = delete;
    LockGuard& operator=(const LockGuard&) = delete;

private:
    lock::Lock& m_lock;
};

std::string describe_step(const Migration& m, Direction direction) {
    const std::string parents = m.parents.empty() ? "base" : util::join(m.parents, ", ");
    return direction == Direction::up ? parents + " -> " + m.id + " (" + m.message + ")"
                                      : m.id + " -> " + parents + " (" + m.message + ")";
}

// Where statement `index` of a revision's section is, for messages about a failed step.
std::string statement_where(const Migration& m, Direction direction, std::size_t index) {
    if (direction == Direction::down && !m.down) {
        return m.where(0);
    }
    const auto& section = direction == Direction::up ? m.up : *m.down;
    auto statements = migration::split_sql(m.try_sql(section).value_or(std::string()));
    if (!statements || index >= statements->size()) {
        return m.where(0);
    }
    return m.where(section.first_line + (*statements)[index].line);
}

std::string unfinished_step_problem(const migration::RevisionGraph& graph,
                                    const store::AppliedRevision& row) {
    const std::string op(migration::to_string(row.operation));
    const auto done = static_cast<std::size_t>(row.statements_done);
    std::string where = "revision " + row.id;
    if (graph.contains(row.id)) {
        where = statement_where(graph.at(row.id), row.operation, done) + ": revision " + row.id;
    }
    const std::string what = row.state == RowState::running
                                 ? "was interrupted during its " + op +
                                       " (transaction: none) after " + std::to_string(done) +
                                       " statements; the process died or lost its connection"
                                 : "failed during its " + op + " (transaction: none) after " +
                                       std::to_string(done) + " statements: " + row.error;
    return where + " " + what + ". Run `schemagate repair " + row.id +
           " --resume` to run it again from statement " + std::to_string(done + 1) +
           " (when that statement builds or drops an index CONCURRENTLY, resume first looks at "
           "the index: a build or drop that finished counts as done, and an INVALID index is "
           "dropped and built again; undo any other half-done statement by hand first), or undo "
           "the first " +
           std::to_string(done) + " statements by hand and run `schemagate repair " + row.id +
           " --rollback`";
}

// A statement PostgreSQL refuses inside a transaction block (CREATE INDEX CONCURRENTLY,
// VACUUM, ...) in a transactional file would fail half way through the run (lint's SG107), and
// transaction control in a `transaction: none` file would stop the bookkeeping from recording
// each statement (SG109): both stop the run before it starts.
void refuse_untransactable_statements(const std::vector<const Migration*>& steps,
                                      Direction direction) {
    const std::string_view section = direction == Direction::up ? "up" : "down";
    std::vector<std::string> problems;
    for (const Migration* m : steps) {
        const std::string_view rule =
            m->transaction == migration::TransactionMode::none ? "SG109" : "SG107";
        for (const auto& finding : lint::lint_migration(*m)) {
            if (finding.rule == rule && finding.section == section) {
                problems.push_back(lint::format(finding));
            }
        }
    }
    if (!problems.empty()) {
        throw IntegrityError("statements that would break the transaction a file runs in (or "
                             "the lack of one); nothing was run:\n  " +
                             util::join(problems, "\n  "));
    }
}

// A run that took no lock changed nothing: the history it started from is the state.
RunReport with_history(RunReport report, std::vector<store::AppliedRevision> history) {
    if (!report.took_lock) {
        report.history = std::move(history);
    }
    return report;
}

} // namespace

store::Step prepare_step(const Migration& m, Direction direction, store::Timeouts defaults) {
    const auto& section = direction == Direction::up ? m.up : *m.down;
    auto statements = migration::split_sql(m.sql(section));
    if (!statements) {
        throw IntegrityError(m.where(section.first_line + statements.error().line) + ": " +
                             statements.error().message);
    }
    store::Step step;
    step.migration = &m;
    step.direction = direction;
    step.statements = std::move(*statements);
    step.timeouts.lock = m.lock_timeout.value_or(defaults.lock);
    step.timeouts.statement = m.statement_timeout.value_or(defaults.statement);
    // --ddl-lock-timeout keeps a DDL statement from queueing application queries behind its
    // lock request. A CONCURRENTLY statement queues nobody: it waits for older transactions
    // (a report, a pg_dump), and a lock timeout would only make it fail and leave an INVALID
    // index behind. So without a `-- lock-timeout:` in the file, those wait without a limit.
    if (m.transaction == migration::TransactionMode::none && !m.lock_timeout) {
        step.lock_timeouts.reserve(step.statements.size());
        for (const auto& statement : step.statements) {
            step.lock_timeouts.push_back(lint::waits_without_blocking(statement.text)
                                             ? std::chrono::milliseconds(0)
                                             : step.timeouts.lock);
        }
    }
    return step;
}

migration::RevisionSet applied_ids(const std::vector<store::AppliedRevision>& history) {
    migration::RevisionSet out;
    for (const auto& row : history) {
        if (row.state == RowState::applied || row.operation == Direction::down) {
            out.insert(row.id);
        }
    }
    return out;
}

std::vector<std::string> integrity_problems(const migration::RevisionGraph& graph,
                                            const std::vector<store::AppliedRevision>& history,
                                            Allowances allow, RunningRows running) {
    std::vector<std::string> problems;
    const auto applied = applied_ids(history);
    for (const auto& row : history) {
        if (row.state == RowState::failed ||
            (row.state == RowState::running && running == RunningRows::refuse)) {
            problems.push_back(unfinished_step_problem(graph, row));
        }
        if (!graph.contains(row.id)) {
            if (!allow.unknown) {
                problems.push_back("revision " + row.id + " is applied (on " + row.applied_at +
                                   " by " + row.applied_by +
                                   ") but no migration file declares it; deploy its file, point "
                                   "--dir at the right migrations, or pass --allow-unknown when "
                                   "running an older release against a newer database");
            }
            continue;
        }
        const Migration& m = graph.at(row.id);
        if (m.checksum != row.checksum && row.state == RowState::applied && !allow.drift) {
            problems.push_back(m.path.string() + ": revision " + row.id +
                               " was changed after it was applied (checksum " +
                               row.checksum.substr(0, 12) + " recorded, " +
                               m.checksum.substr(0, 12) +
                               " now); revert the file and put the change in a new revision");
        }
        if (applied.count(row.id)) {
            for (const auto& parent : m.parents) {
                if (!applied.count(parent)) {
                    problems.push_back("revision " + row.id + " is applied but its parent " +
                                       parent +
                                       " is not; record the real state with `schemagate stamp`");
                }
            }
        }
    }
    return problems;
}

Runner::Runner(const migration::RevisionGraph& graph, store::Store& store, lock::Lock& lock,
               util::Clock& clock, RunnerOptions options)
    : m_graph(graph), m_store(store), m_lock(lock), m_clock(clock), m_options(std::move(options)) {}

std::vector<store::AppliedRevision> Runner::checked_history(RunningRows running) {
    auto history = m_store.read_history(store::HistoryColumns::state);
    auto problems = integrity_problems(m_graph, history, m_options.allow, running);
    if (!problems.empty()) {
        // Rare, and worth a second read: the messages name when and by whom a row was applied.
        history = m_store.read_history(store::HistoryColumns::all);
        problems = integrity_problems(m_graph, history, m_options.allow, running);
    }
    if (!problems.empty()) {
        const bool unfinished = std::any_of(history.begin(), history.end(), [](const auto& row) {
            return row.state != RowState::applied;
        });
        if (unfinished) {
            for (const auto& index : m_store.invalid_indexes()) {
                problems.push_back("index " + index +
                                   " is INVALID (left by an interrupted CREATE INDEX "
                                   "CONCURRENTLY); `repair --resume` drops it when the statement "
                                   "it resumes builds it, else drop it with DROP INDEX "
                                   "CONCURRENTLY");
            }
        }
        throw IntegrityError("the database and the migration files disagree; nothing was run:\n  " +
                             util::join(problems, "\n  "));
    }
    return history;
}

RunReport Runner::upgrade(const migration::Target& target) {
    auto history = checked_history(RunningRows::tolerate);
    auto report = run(Direction::up, target, applied_ids(history));
    return with_history(std::move(report), std::move(history));
}

RunReport Runner::downgrade(const migration::Target& target) {
    auto history = checked_history(RunningRows::tolerate);
    auto report = run(Direction::down, target, applied_ids(history));
    return with_history(std::move(report), std::move(history));
}

std::optional<migration::Goal> Runner::goal_of(Direction direction, const migration::Target& target,
                                               const migration::RevisionSet& applied, bool locked) {
    auto resolve = [&] {
        return direction == Direction::up ? migration::resolve_upgrade(m_graph, applied, target)
                                          : migration::resolve_downgrade(m_graph, applied, target);
    };
    if (!target.is(migration::Target::Kind::relative) || m_options.run_id.empty()) {
        // Without a run id, a relative target is resolved against the state read before the
        // lock: copies that read it before any of them moved the database move it once.
        return resolve();
    }
    const store::RunTarget key{m_options.run_id, direction, target.text()};
    if (auto recorded = m_store.read_run_target(key)) {
        return migration::Goal{direction, std::move(*recorded)};
    }
    if (!locked) {
        return std::nullopt;
    }
    // The first copy of this run to hold the lock: it resolves the target for every copy and
    // every retry, and records that before it runs anything.
    auto goal = resolve();
    m_store.record_run_target(key, goal.revisions, m_options.applied_by);
    spdlog::info("run {}: {} {} resolved to {} (recorded: its copies and retries go there too)",
                 m_options.run_id, migration::to_string(direction), target.text(),
                 goal.revisions.empty() ? std::string("nothing")
                                        : util::join(m_graph.ordered(goal.revisions), ", "));
    return goal;
}

void Runner::acquire_lock() {
    const auto started = m_clock.now();
    m_lock.acquire(m_options.lock_timeout);
    m_observer->lock_waited(
        std::chrono::duration_cast<std::chrono::milliseconds>(m_clock.now() - started));
}

store::StepOutcome Runner::run_with_retries(const store::Step& step) {
    auto backoff = m_options.retry_backoff;
    std::optional<std::mt19937> rng; // seeded on the first retry: random_device is not free
    for (int attempt = 1;; ++attempt) {
        try {
            return m_store.run_step(step, m_options.applied_by);
        } catch (const store::StepFailed& e) {
            // A transactional step that timed out waiting for a lock rolled back whole: run it
            // again later. A `transaction: none` step did not: it is recorded as failed.
            const bool retryable =
                e.retryable() && step.migration->transaction != migration::TransactionMode::none &&
                attempt <= m_options.lock_retries;
            if (!retryable) {
                throw;
            }
            const util::LogField sqlstate_field("sqlstate", e.sqlstate());
            std::uniform_int_distribution<long long> jitter(backoff.count() / 2, backoff.count());
            if (!rng) {
                rng.emplace(std::random_device{}());
            }
            const std::chrono::milliseconds sleep(jitter(*rng));
            spdlog::warn("revision {}: {} on attempt {} of {}; blocked by: {}; retrying in {}",
                         step.migration->id,
                         e.lock_timeout() ? "lock_timeout (" +
                                                util::format_duration(step.timeouts.lock) + ") hit"
                                          : std::string("deadlock"),
                         attempt, m_options.lock_retries + 1,
                         e.blockers().empty() ? "(not seen)" : util::join(e.blockers(), "; "),
                         util::format_duration(sleep));
            m_observer->step_retried(step.migration->id);
            m_clock.sleep_for(sleep);
            util::throw_if_interrupted();
            backoff = std::min(backoff * 2, m_options.max_retry_backoff);
        }
    }
}

RunReport Runner::run(Direction direction, const migration::Target& target,
                      const migration::RevisionSet& applied_before) {
    // Every section the plan may run is split and checked before any SQL runs, so a bad file
    // stops us first. The statements are not kept (for 10,000 revisions they are megabytes):
    // each step splits its section again, from the file as checked, when its turn comes.
    auto check_steps = [&](const std::vector<const Migration*>& steps) {
        for (const Migration* m : steps) {
            prepare_step(*m, direction, m_options.timeouts);
        }
        refuse_untransactable_statements(steps, direction);
    };
    auto goal = goal_of(direction, target, applied_before, false);
    if (goal) {
        const auto steps = migration::plan(m_graph, applied_before, *goal);
        if (steps.empty()) {
            spdlog::info("nothing to {}: the database is already at the target",
                         migration::to_string(direction));
            return {};
        }
        check_steps(steps);
    }

    RunReport report;
    acquire_lock();
    const LockGuard guard(m_lock);
    report.took_lock = true;
    for (int reconnects = 0;; ++reconnects) {
        try {
            // Again after a reconnect: a server that crashed may have lost a table creation
            // that was committed asynchronously (synchronous_commit = off).
            m_store.ensure_tables();
            // Another copy may have done some or all of the work while we waited, and rows
            // still `running` now belong to a copy that died.
            const auto applied = applied_ids(checked_history(RunningRows::refuse));
            const bool resolved_now = !goal;
            if (resolved_now) {
                goal = goal_of(direction, target, applied, true);
            }
            const auto steps = migration::plan(m_graph, applied, *goal);
            if (resolved_now) {
                check_steps(steps);
            }
            report.revisions.reserve(report.revisions.size() + steps.size());
            for (const Migration* m : steps) {
                util::throw_if_interrupted();
                m_lock.check_held();
                const store::Step step = prepare_step(*m, direction, m_options.timeouts);
                const util::LogField revision_field("revision", m->id);
                spdlog::info("{} {}", migration::to_string(direction),
                             describe_step(*m, direction));
                const auto started = m_clock.now();
                if (run_with_retries(step) == store::StepOutcome::done_elsewhere) {
                    continue;
                }
                const auto took =
                    std::chrono::duration_cast<std::chrono::milliseconds>(m_clock.now() - started);
                const util::LogField duration_field("duration_ms", std::to_string(took.count()),
                                                    util::LogField::Type::number);
                spdlog::info("{} {} done in {}", migration::to_string(direction), m->id,
                             util::format_duration(took));
                m_observer->step_done(m->id, direction, took);
                report.revisions.push_back(m->id);
            }
            return report;
        } catch (const DatabaseUnreachable& e) {
            if (reconnects >= m_options.reconnects) {
                throw;
            }
            // The outcome of the step in flight is read back from the history, never assumed.
            spdlog::warn("{}; reconnecting, then re-reading the history", e.what());
            m_lock.release();
            m_store.reconnect();
            acquire_lock();
        }
    }
}

RunReport Runner::repair(std::string_view id, RepairMode mode) {
    RunReport report;
    acquire_lock();
    const LockGuard guard(m_lock);
    report.took_lock = true;
    const auto history = m_store.read_history(store::HistoryColumns::state);
    const auto row =
        std::find_if(history.begin(), history.end(), [&](const auto& r) { return r.id == id; });
    if (row == history.end() || row->state == RowState::applied) {
        throw UsageError("revision " + std::string(id) +
                         " has no failed or interrupted step to repair; `schemagate validate` "
                         "lists what needs repair");
    }
    if (mode == RepairMode::rollback) {
        m_store.abandon_step(row->id, m_options.applied_by);
        spdlog::info("repair: the {} of {} is rolled back in the history: {}",
                     migration::to_string(row->operation), row->id,
                     row->operation == Direction::up ? "recorded as not applied"
                                                     : "recorded as still applied");
        report.revisions.push_back(row->id);
        return report;
    }
    if (!m_graph.contains(row->id)) {
        throw UsageError("revision " + row->id +
                         " is not in the migration files, so it cannot be resumed; point --dir "
                         "at the right migrations");
    }
    const Migration& m = m_graph.at(row->id);
    if (row->operation == Direction::down && !m.reversible()) {
        throw UsageError(m.path.string() + ": revision " + m.id + " has no down section to resume");
    }
    store::Step step = prepare_step(m, row->operation, m_options.timeouts);
    step.start = store::StepStart::resume;
    step.first_statement = static_cast<std::size_t>(row->statements_done);
    if (step.first_statement < step.statements.size()) {
        step.resumed_index = lint::concurrent_index(step.statements[step.first_statement].text);
    }
    if (step.first_statement > step.statements.size()) {
        throw IntegrityError(m.path.string() + ": revision " + m.id + " now has " +
                             std::to_string(step.statements.size()) + " statements but " +
                             std::to_string(step.first_statement) +
                             " were recorded as done; restore the file as it was");
    }
    m_lock.check_held();
    spdlog::info("repair: resuming the {} of {} at statement {} of {}",
                 migration::to_string(row->operation), m.id, step.first_statement + 1,
                 step.statements.size());
    run_with_retries(step);
    report.revisions.push_back(m.id);
    return report;
}

RunReport Runner::stamp(const migration::Target& target) {
    // No integrity check: stamp is how a user records a state they reached by hand.
    struct Change {
        std::vector<const Migration*> add;
        std::vector<std::string> remove;
        bool empty() const { return add.empty() && remove.empty(); }
    };
    auto compute = [&](const std::vector<store::AppliedRevision>& history) {
        const auto desired = migration::stamp_result(m_graph, applied_ids(history), target);
        // A failed or interrupted row is replaced by a clean one, or removed.
        Change change;
        migration::RevisionSet kept;
        for (const auto& row : history) {
            if (desired.count(row.id) && row.state == RowState::applied) {
                kept.insert(row.id);
            } else if (target.is(migration::Target::Kind::base) || m_graph.contains(row.id)) {
                change.remove.push_back(row.id);
            }
        }
        for (const auto& id : m_graph.ordered(desired)) {
            if (!kept.count(id)) {
                change.add.push_back(&m_graph.at(id));
            }
        }
        return change;
    };
    if (compute(m_store.read_history(store::HistoryColumns::state)).empty()) {
        spdlog::info("nothing to stamp: the history already records that state");
        return {};
    }
    RunReport report;
    acquire_lock();
    const LockGuard guard(m_lock);
    report.took_lock = true;
    m_store.ensure_tables();
    const Change change = compute(m_store.read_history(store::HistoryColumns::state));
    m_store.stamp(change.add, change.remove, m_options.applied_by);
    for (const auto& id : change.remove) {
        spdlog::info("stamp: {} recorded as not applied", id);
        report.revisions.push_back(id);
    }
    for (const Migration* m : change.add) {
        spdlog::info("stamp: {} recorded as applied", m->id);
        report.revisions.push_back(m->id);
    }
    return report;
}

} // namespace schemagate::runner
