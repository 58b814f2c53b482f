#pragma once

#include <memory>
#include <string>

#include <schemagate/store/connection.hpp>
#include <schemagate/store/history_table.hpp>
#include <schemagate/store/statement_watch.hpp>
#include <schemagate/store/store.hpp>

namespace schemagate::store {

// The Store on a real PostgreSQL database, on its own connection (not the lock's), plus one
// StatementWatch for all its steps: one thread, started by the first step, and a monitor
// connection opened when a step runs long or is interrupted.
class PgStore final : public Store {
public:
    // Connects at once; throws DatabaseUnreachable.
    PgStore(Conninfo conninfo, HistoryTable table);
    ~PgStore() override;

    std::vector<AppliedRevision> read_history(HistoryColumns columns) override;
    void ensure_tables() override;
    StepOutcome run_step(const Step& step, const std::string& applied_by) override;
    void stamp(const std::vector<const migration::Migration*>& add,
               const std::vector<std::string>& remove, const std::string& applied_by) override;
    std::optional<migration::RevisionSet> read_run_target(const RunTarget& key) override;
    void record_run_target(const RunTarget& key, const migration::RevisionSet& revisions,
                           const std::string& applied_by) override;
    void abandon_step(const std::string& id, const std::string& applied_by) override;
    std::vector<std::string> invalid_indexes() override;
    void reconnect() override;

    pqxx::connection& connection() { return m_conn->get(); }

private:
    bool table_exists(const std::string& qualified);
    StepOutcome run_transactional(const Step& step, const std::string& applied_by);
    StepOutcome run_autocommit(const Step& step, const std::string& applied_by);
    // Where a resumed `transaction: none` step really starts: past an interrupted index
    // statement that finished on the server anyway; an INVALID index it left is dropped.
    std::size_t resume_index(const Step& step);
    // Records a failed step in the audit log (and, for `transaction: none`, in its history
    // row), then throws StepFailed naming the file and line.
    [[noreturn]] void fail_step(const Step& step, const std::string& applied_by,
                                std::size_t statement, const pqxx::failure& e,
                                long long duration_ms, std::vector<std::string> blockers);
    void audit(const std::string& id, const std::string& operation, const std::string& outcome,
               long long duration_ms, const std::string& applied_by,
               const std::string& sqlstate = {}, const std::string& error = {});
    // After a COMMIT with no answer: reconnects and reads whether the step took effect.
    bool step_committed(const Step& step);

    Conninfo m_conninfo;
    HistoryTable m_table;
    std::unique_ptr<Connection> m_conn;
    StatementWatch m_watch;
};

} // namespace schemagate::store
