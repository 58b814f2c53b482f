#pragma once

#include <memory>
#include <string>

#include <schemagate/store/connection.hpp>
#include <schemagate/store/history_table.hpp>
#include <schemagate/store/store.hpp>

namespace schemagate::store {

// The Store on a real PostgreSQL database, on its own connection (not the lock's).
class PgStore final : public Store {
public:
    // Connects at once; throws DatabaseUnreachable.
    PgStore(std::string conninfo, HistoryTable table);

    std::vector<AppliedRevision> read_history() override;
    void ensure_tables() override;
    void run_step(const Step& step, const std::string& applied_by) override;
    void stamp(const std::vector<const migration::Migration*>& add,
               const std::vector<std::string>& remove, const std::string& applied_by) override;

    pqxx::connection& connection() { return m_conn->get(); }

private:
    bool table_exists(const std::string& qualified);
    void record_failure(const Step& step, const std::string& applied_by, long long duration_ms,
                        const std::string& sqlstate, const std::string& error);
    // After a COMMIT with no answer: reconnects and reads whether the step took effect.
    bool step_committed(const Step& step);

    std::string m_conninfo;
    HistoryTable m_table;
    std::unique_ptr<Connection> m_conn;
};

}  // namespace schemagate::store
