#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <schemagate/migration/migration.hpp>
#include <schemagate/store/store.hpp>

#include <support/events.hpp>

namespace schemagate::testing {

// A Store that keeps the history in memory and records every call ("read_history",
// "ensure_tables", "run_step up 002", "stamp", "reconnect", ...). Its failure knobs make
// run_step or read_history throw what PgStore throws, so callers' handling can be tested.
class FakeStore final : public store::Store, public Recorder {
public:
    using Recorder::Recorder; // records to a list of its own, or to one it shares

    // State, as the database would hold it.
    std::vector<store::AppliedRevision> history;
    std::map<std::string, migration::RevisionSet> run_targets; // "<run id> <target>" -> revisions
    std::vector<std::string> invalid;                          // what invalid_indexes returns

    // Failure knobs.
    std::string fail_on;           // run_step throws MigrationFailed for this revision
    std::string done_elsewhere_on; // run_step finds this revision done by another session
    int lock_timeouts = 0;         // run_step throws a 55P03 StepFailed this many times first
    int deadlocks = 0;             // then a 40P01 StepFailed this many times
    int connection_losses = 0;     // run_step throws DatabaseUnreachable this many times first
    int unreachable_reads = 0;     // read_history throws DatabaseUnreachable this many times first

    // What was asked.
    struct StepCall {
        std::string id;
        migration::Direction direction = migration::Direction::up;
        std::vector<std::string> statements;
        std::string applied_by;
        std::size_t first_statement = 0;
        store::Timeouts timeouts;
        store::StepStart start = store::StepStart::fresh;
    };
    std::vector<StepCall> steps;
    std::vector<store::StepStart> starts; // of each run_step call
    struct StampCall {
        std::vector<std::string> add;
        std::vector<std::string> remove;
    };
    std::vector<StampCall> stamps;
    std::vector<std::string> abandoned;
    int read_history_calls = 0;
    int ensure_tables_calls = 0;
    int reconnect_calls = 0;

    // Puts `m` in the history as applied (by "other-host"), or takes `id` out of it.
    void apply(const migration::Migration& m);
    void unapply(const std::string& id);
    // The ids of the run_step calls, and of the history rows, in order.
    std::vector<std::string> step_ids() const;
    std::vector<std::string> history_ids() const;

    // As PgStore does, `state` leaves the display-only fields empty.
    std::vector<store::AppliedRevision> read_history(store::HistoryColumns columns) override;
    void ensure_tables() override;
    // Records the call, throws as the knobs say, else applies or unapplies the revision.
    store::StepOutcome run_step(const store::Step& step, const std::string& applied_by) override;
    void stamp(const std::vector<const migration::Migration*>& add,
               const std::vector<std::string>& remove, const std::string& applied_by) override;
    std::optional<migration::RevisionSet> read_run_target(const store::RunTarget& key) override;
    void record_run_target(const store::RunTarget& key, const migration::RevisionSet& revisions,
                           const std::string& applied_by) override;
    void abandon_step(const std::string& id, const std::string& applied_by) override;
    std::vector<std::string> invalid_indexes() override { return invalid; }
    void reconnect() override;
};

} // namespace schemagate::testing
