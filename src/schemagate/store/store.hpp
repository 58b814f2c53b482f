#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <schemagate/migration/migration.hpp>
#include <schemagate/migration/planner.hpp>
#include <schemagate/migration/sql_splitter.hpp>
#include <schemagate/util/error.hpp>

namespace schemagate::store {

// A history row's state. Transactional revisions are only ever `applied`; a `transaction: none`
// revision is `running` while its statements run one by one, and `failed` when one failed or
// the run was interrupted between statements.
enum class RowState { applied, running, failed };

// One row of the history table.
struct AppliedRevision {
    std::string id;
    std::vector<std::string> parents;
    std::string checksum;
    std::string message;
    std::string applied_at; // ISO 8601, UTC
    std::int64_t duration_ms = 0;
    std::string applied_by;
    RowState state = RowState::applied;
    migration::Direction operation = migration::Direction::up; // of a running or failed step
    std::int64_t statements_done = 0;                          // of a running or failed step
    std::string error;                                         // of a failed step
};

// What read_history fetches. `state` is what runs and checks need: id, checksum, state,
// operation, statements_done and error (parents, message, applied_at, duration_ms and applied_by
// are left empty). `all` adds those, for display. The no-op upgrade at every pod start reads
// `state`: less than half the server's time and the client's memory.
enum class HistoryColumns { state, all };

// lock_timeout and statement_timeout for one step; zero means no limit.
struct Timeouts {
    std::chrono::milliseconds lock{0};
    std::chrono::milliseconds statement{0};
};

// Whether a `transaction: none` step starts afresh or resumes a failed or interrupted one
// (`repair --resume`).
enum class StepStart { fresh, resume };

// One step to run: a revision's section, already split into statements.
struct Step {
    const migration::Migration* migration = nullptr;
    migration::Direction direction = migration::Direction::up;
    std::vector<migration::Statement> statements;
    std::size_t first_statement = 0; // where a resumed `transaction: none` step starts
    Timeouts timeouts;
    StepStart start = StepStart::fresh;
    // The lock_timeout of each statement of a `transaction: none` step, where they differ
    // from timeouts.lock; empty when they do not.
    std::vector<std::chrono::milliseconds> lock_timeouts;
    // For StepStart::resume: the index that the interrupted first statement builds or drops
    // CONCURRENTLY, which shows how far it got.
    std::optional<migration::ConcurrentIndex> resumed_index;

    std::chrono::milliseconds lock_timeout_of(std::size_t statement) const {
        return statement < lock_timeouts.size() ? lock_timeouts[statement] : timeouts.lock;
    }
};

// A step's SQL failed. Carries the SQLSTATE so the runner can retry lock timeouts (55P03) and
// deadlocks (40P01),
// and the sessions that blocked it, when the store could see them.
class StepFailed : public MigrationFailed {
public:
    StepFailed(const std::string& message, std::string sqlstate, std::vector<std::string> blockers)
        : MigrationFailed(message), m_sqlstate(std::move(sqlstate)),
          m_blockers(std::move(blockers)) {}
    const std::string& sqlstate() const noexcept { return m_sqlstate; }
    const std::vector<std::string>& blockers() const noexcept { return m_blockers; }
    bool lock_timeout() const noexcept { return m_sqlstate == "55P03"; }
    // A lock timeout or a deadlock: the transaction rolled back whole and may simply be run
    // again once the competing session is done.
    bool retryable() const noexcept { return lock_timeout() || m_sqlstate == "40P01"; }

private:
    std::string m_sqlstate;
    std::vector<std::string> m_blockers;
};

// A relative target (+N, -N) of one run: `run_id` names the request, shared by its copies and
// the retries of its Job.
struct RunTarget {
    std::string run_id;
    migration::Direction direction = migration::Direction::up;
    std::string target;
};

// What run_step did: ran the step, or found that another session had just done it (one that
// lost the migration lock mid-step and finished anyway) and left it alone.
enum class StepOutcome { ran, done_elsewhere };

// Where the runner keeps its state. PgStore is the real one; tests use a recording fake.
class Store {
public:
    virtual ~Store() = default;

    // The history table's rows in the order applied, or none when the table does not exist.
    virtual std::vector<AppliedRevision> read_history(HistoryColumns columns) = 0;
    // Creates the history and audit tables (and schema) when missing. Call under the lock.
    virtual void ensure_tables() = 0;
    // Runs one step with its history and audit rows. A transactional step is one transaction;
    // a `transaction: none` step records its progress after each statement, starting at
    // step.first_statement. Throws StepFailed after rolling back what can be rolled back and
    // recording the failure, or Interrupted when a signal cancelled it. A step never runs in two
    // sessions at once: one that finds another session running the same revision waits for it
    // and returns done_elsewhere when that one succeeded.
    virtual StepOutcome run_step(const Step& step, const std::string& applied_by) = 0;
    // Records `add` as applied and `remove` as not applied without running their SQL, in one
    // transaction, each with an audit row.
    virtual void stamp(const std::vector<const migration::Migration*>& add,
                       const std::vector<std::string>& remove, const std::string& applied_by) = 0;
    // The revisions that a relative target of one run (a request named by --run-id) was
    // resolved to, as recorded by the first copy that held the lock; nullopt before that.
    virtual std::optional<migration::RevisionSet> read_run_target(const RunTarget& key) = 0;
    // Records what `key` resolved to, unless a copy recorded it first. Call under the lock.
    virtual void record_run_target(const RunTarget& key, const migration::RevisionSet& revisions,
                                   const std::string& applied_by) = 0;
    // Closes a failed or interrupted `transaction: none` step that the user cleaned up by hand:
    // a failed upgrade is recorded as not applied, a failed downgrade as still applied.
    virtual void abandon_step(const std::string& id, const std::string& applied_by) = 0;
    // Indexes left INVALID (by an interrupted CREATE INDEX CONCURRENTLY), schema-qualified.
    virtual std::vector<std::string> invalid_indexes() = 0;
    // Opens a new connection after the old one was lost, retrying with backoff for a bounded
    // time. Throws DatabaseUnreachable when the database stays away.
    virtual void reconnect() = 0;
};

} // namespace schemagate::store
