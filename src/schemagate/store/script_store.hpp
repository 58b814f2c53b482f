#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <schemagate/store/history_table.hpp>
#include <schemagate/store/store.hpp>

namespace schemagate::store {

// The Store behind `--sql`: instead of running SQL it writes it to a stream, as a script for
// `psql -X -v ON_ERROR_STOP=1 -f -`, with the same transaction boundaries, timeouts and
// history and audit statements a PgStore would run, each as soon as it is known. It starts
// from the history it is given and keeps it up to date as steps "run", so the runner's
// re-plan sees the script's effect; for the revisions it records it keeps pointers to their
// migrations, which must outlive it (the graph's do). It never throws StepFailed: nothing runs.
class ScriptStore final : public Store {
public:
    // What the script records as applied_by: the runner's value, or the role that runs the
    // script (`current_user`), which says more than the host that wrote it.
    enum class AppliedBy { given, current_user };

    ScriptStore(std::ostream& out, HistoryTable table, std::vector<AppliedRevision> history,
                AppliedBy applied_by = AppliedBy::given);

    // Holds back what is written before the first step, stamp or repair (ensure_tables' DO
    // block), and at that first change calls `before` and then writes it: a run refused after
    // ensure_tables (the runner re-reads the history under the lock) writes nothing at all.
    void hold_until_first_change(std::function<void()> before);
    // Ends the holding without a change: calls `before` and writes what was held, if it has
    // not happened yet.
    void release();
    // Whether anything was written to the stream, or `before` was called.
    bool released() const { return !m_holding; }

    std::vector<AppliedRevision> read_history(HistoryColumns columns) override;
    // Writes a DO block that creates the schema and tables only when missing, as PgStore
    // checks first: a bare CREATE SCHEMA IF NOT EXISTS needs CREATE on the database, and
    // CREATE TABLE IF NOT EXISTS needs CREATE on the schema, even when they exist.
    void ensure_tables() override;
    StepOutcome run_step(const Step& step, const std::string& applied_by) override;
    void stamp(const std::vector<const migration::Migration*>& add,
               const std::vector<std::string>& remove, const std::string& applied_by) override;
    // Throws UsageError when `id` has no failed or interrupted step, as PgStore does.
    std::optional<migration::RevisionSet> read_run_target(const RunTarget& key) override;
    void record_run_target(const RunTarget& key, const migration::RevisionSet& revisions,
                           const std::string& applied_by) override;
    void abandon_step(const std::string& id, const std::string& applied_by) override;
    // Always empty: a script cannot look at the catalog.
    std::vector<std::string> invalid_indexes() override;
    void reconnect() override;

private:
    void run_transactional(const Step& step, const std::string& applied_by);
    void run_autocommit(const Step& step, const std::string& applied_by);
    // Writes one statement and its terminating semicolon.
    void statement(const std::string& sql);
    void comment(const std::string& text);
    void write(std::string_view text);
    std::string applied_by_sql(const std::string& given) const;
    void record_applied(const migration::Migration& m);
    void record_removed(const std::string& id);

    std::ostream& m_out;
    HistoryTable m_table;
    std::vector<AppliedRevision> m_history;              // as given, less what was removed
    std::vector<const migration::Migration*> m_recorded; // applied by the script, in order
    std::unordered_set<std::string> m_ids;               // the ids in both
    AppliedBy m_applied_by;
    bool m_holding = false;
    std::string m_held;
    std::function<void()> m_before;
};

} // namespace schemagate::store
