#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <schemagate/migration/migration.hpp>
#include <schemagate/migration/planner.hpp>
#include <schemagate/migration/sql_splitter.hpp>

namespace schemagate::store {

// One row of the history table.
struct AppliedRevision {
    std::string id;
    std::vector<std::string> parents;
    std::string checksum;
    std::string message;
    std::string applied_at;  // ISO 8601, UTC
    std::int64_t duration_ms = 0;
    std::string applied_by;
};

// One step to run: a revision's section, already split into statements.
struct Step {
    const migration::Migration* migration = nullptr;
    migration::Direction direction = migration::Direction::up;
    std::vector<migration::Statement> statements;
};

// Where the runner keeps its state. PgStore is the real one; tests use a recording fake.
class Store {
public:
    virtual ~Store() = default;

    // The history table's rows in the order applied, or none when the table does not exist.
    virtual std::vector<AppliedRevision> read_history() = 0;
    // Creates the history and audit tables (and schema) when missing. Call under the lock.
    virtual void ensure_tables() = 0;
    // Runs the step's statements and its history and audit rows in one transaction.
    // Throws MigrationFailed (file, line, SQLSTATE, message) after rolling back and recording
    // the failure in the audit log.
    virtual void run_step(const Step& step, const std::string& applied_by) = 0;
    // Records `add` as applied and `remove` as not applied without running their SQL, in one
    // transaction, each with an audit row.
    virtual void stamp(const std::vector<const migration::Migration*>& add,
                       const std::vector<std::string>& remove, const std::string& applied_by) = 0;
};

}  // namespace schemagate::store
