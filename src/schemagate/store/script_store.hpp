#pragma once

#include <ostream>
#include <string>
#include <unordered_set>
#include <vector>

#include <schemagate/store/history_table.hpp>
#include <schemagate/store/store.hpp>

namespace schemagate::store {

// The Store behind `--sql`: instead of running SQL it writes it to a stream, as a script for
// `psql -X -v ON_ERROR_STOP=1 -f -`, with the same transaction boundaries, timeouts and
// history and audit statements a PgStore would run. It starts from the history it is given
// and keeps it up to date as steps "run", so the runner's re-plan sees the script's effect.
// It never throws StepFailed: nothing runs.
class ScriptStore final : public Store {
public:
    // What the script records as applied_by: the runner's value, or the role that runs the
    // script (`current_user`), which says more than the host that wrote it.
    enum class AppliedBy { given, current_user };

    ScriptStore(std::ostream& out, HistoryTable table, std::vector<AppliedRevision> history,
                AppliedBy applied_by = AppliedBy::given);

    std::vector<AppliedRevision> read_history() override;
    // Writes a DO block that creates the schema and tables only when missing, as PgStore
    // checks first: a bare CREATE SCHEMA IF NOT EXISTS needs CREATE on the database, and
    // CREATE TABLE IF NOT EXISTS needs CREATE on the schema, even when they exist.
    void ensure_tables() override;
    void run_step(const Step& step, const std::string& applied_by) override;
    void stamp(const std::vector<const migration::Migration*>& add,
               const std::vector<std::string>& remove, const std::string& applied_by) override;
    // Throws UsageError when `id` has no failed or interrupted step, as PgStore does.
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
    std::string applied_by_sql(const std::string& given) const;
    void record_applied(const migration::Migration& m);
    void record_removed(const std::string& id);

    std::ostream& m_out;
    HistoryTable m_table;
    std::vector<AppliedRevision> m_history;
    std::unordered_set<std::string> m_ids; // the ids in m_history
    AppliedBy m_applied_by;
};

} // namespace schemagate::store
