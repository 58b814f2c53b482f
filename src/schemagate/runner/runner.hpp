#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <schemagate/lock/lock.hpp>
#include <schemagate/migration/graph.hpp>
#include <schemagate/migration/target.hpp>
#include <schemagate/store/store.hpp>
#include <schemagate/util/clock.hpp>

namespace schemagate::runner {

// Which integrity problems a careful user has chosen to live with.
struct Allowances {
    bool drift = false;   // --allow-drift: applied revisions whose file changed
    bool unknown = false; // --allow-unknown: applied revisions no file declares (a rollback)
};

struct RunnerOptions {
    std::chrono::milliseconds lock_timeout{std::chrono::minutes(10)}; // the migration lock
    store::Timeouts timeouts{std::chrono::seconds(2), std::chrono::minutes(15)}; // per step
    int lock_retries = 10; // retries of a transactional step that hit lock_timeout
    std::chrono::milliseconds retry_backoff{500};
    std::chrono::milliseconds max_retry_backoff{std::chrono::seconds(30)};
    int reconnects = 5; // times a run reconnects and continues after losing the database
    Allowances allow;
    std::string applied_by; // host or pod name, recorded with each step
    // Names the request that this process is one copy or retry of; "" for none. With one, a
    // relative target is resolved once, by the first copy that holds the lock, and recorded.
    std::string run_id;
};

struct RunReport {
    std::vector<std::string> revisions; // run (or stamped) in order
    bool took_lock = false;
    // The history as read at the start, when the run found nothing to do: still the state.
    std::optional<std::vector<store::AppliedRevision>> history;
};

enum class RunningRows { tolerate, refuse };

// Everything wrong between the files and the history table, one line per problem:
// failed or interrupted steps (with how to repair them), applied revisions missing from the
// files, checksum drift, applied sets not closed under ancestors. Rows still `running` are
// problems only when `running` is refuse, that is under the lock, where no live copy can own
// them. Empty when consistent.
std::vector<std::string> integrity_problems(const migration::RevisionGraph& graph,
                                            const std::vector<store::AppliedRevision>& history,
                                            Allowances allow = {},
                                            RunningRows running = RunningRows::refuse);

// The revisions the database counts as applied: applied rows, and rows whose failed or
// interrupted step was a downgrade (the revision is still partly there).
migration::RevisionSet applied_ids(const std::vector<store::AppliedRevision>& history);

// A revision's section split into statements, ready for Store::run_step. Throws
// IntegrityError naming file and line when the section cannot be split.
store::Step prepare_step(const migration::Migration& m, migration::Direction direction,
                         store::Timeouts defaults = {});

enum class RepairMode { resume, rollback };

// What a run reports as it goes, for metrics and readiness. Every hook has a no-op default.
class Observer {
public:
    virtual ~Observer() = default;
    virtual void lock_waited(std::chrono::milliseconds /*waited*/) {}
    virtual void step_retried(const std::string& /*id*/) {}
    virtual void step_done(const std::string& /*id*/, migration::Direction /*direction*/,
                           std::chrono::milliseconds /*took*/) {}
};

// Runs upgrades, downgrades, stamps and repairs: reads the state without the lock, returns at
// once when there is nothing to do, else takes the lock, re-reads, and runs each step in order,
// retrying lock timeouts and reconnecting after a lost connection.
class Runner {
public:
    Runner(const migration::RevisionGraph& graph, store::Store& store, lock::Lock& lock,
           util::Clock& clock, RunnerOptions options);

    // Reports progress to `observer`, which must outlive the runner.
    void observe(Observer& observer) { m_observer = &observer; }

    // Throw IntegrityError, UsageError, LockTimeout, MigrationFailed, DatabaseUnreachable,
    // Interrupted.
    RunReport upgrade(const migration::Target& target);
    RunReport downgrade(const migration::Target& target);
    RunReport stamp(const migration::Target& target);
    // Continues (resume) or gives up (rollback) the failed `transaction: none` step of `id`.
    RunReport repair(std::string_view id, RepairMode mode);

private:
    RunReport run(migration::Direction direction, const migration::Target& target,
                  const migration::RevisionSet& applied);
    // The goal of `target` against `applied`, or the one a copy of this run recorded; nullopt
    // when only the first copy under the lock may say (a relative target with a run id, not yet
    // recorded). `locked`: we hold the lock, so resolve and record it now.
    std::optional<migration::Goal> goal_of(migration::Direction direction,
                                           const migration::Target& target,
                                           const migration::RevisionSet& applied, bool locked);
    std::vector<store::AppliedRevision> checked_history(RunningRows running);
    store::StepOutcome run_with_retries(const store::Step& step);
    void acquire_lock();

    const migration::RevisionGraph& m_graph;
    store::Store& m_store;
    lock::Lock& m_lock;
    util::Clock& m_clock;
    RunnerOptions m_options;
    Observer m_no_observer;
    Observer* m_observer = &m_no_observer;
};

} // namespace schemagate::runner
