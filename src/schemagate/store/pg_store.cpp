#include <schemagate/store/pg_store.hpp>

#include <chrono>

#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include <schemagate/util/error.hpp>
#include <schemagate/util/strings.hpp>

namespace schemagate::store {

namespace {

using migration::Direction;

long long elapsed_ms(std::chrono::steady_clock::time_point since) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 since)
        .count();
}

std::string operation(Direction d) { return d == Direction::up ? "upgrade" : "downgrade"; }

const migration::Section& section_of(const Step& step) {
    return step.direction == Direction::up ? step.migration->up : *step.migration->down;
}

// The server's message with libpq's "ERROR:" prefix removed and DETAIL/HINT lines indented.
std::string server_message(const pqxx::sql_error& e) {
    const auto lines = util::split_trimmed(describe(e), '\n');
    std::string out;
    for (const auto& line : lines) {
        if (line.empty()) {
            continue;
        }
        out += out.empty() ? line : "\n  " + line;
    }
    return out;
}

}  // namespace

PgStore::PgStore(std::string conninfo, HistoryTable table)
    : m_conninfo(std::move(conninfo)), m_table(std::move(table)),
      m_conn(std::make_unique<Connection>(m_conninfo)) {}

bool PgStore::table_exists(const std::string& qualified) {
    pqxx::read_transaction txn(m_conn->get());
    return txn.exec_params1("SELECT to_regclass($1) IS NOT NULL", qualified)[0].as<bool>();
}

std::vector<AppliedRevision> PgStore::read_history() {
    try {
        if (!table_exists(m_table.qualified())) {
            return {};
        }
        pqxx::read_transaction txn(m_conn->get());
        const auto rows = txn.exec(
            "SELECT revision, array_to_string(parents, ','), checksum, message, "
            "to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
            "duration_ms, applied_by FROM " +
            m_table.qualified() + " ORDER BY seq");
        std::vector<AppliedRevision> out;
        out.reserve(rows.size());
        for (const auto& row : rows) {
            AppliedRevision r;
            r.id = row[0].as<std::string>();
            const auto parents = row[1].as<std::string>();
            if (!parents.empty()) {
                r.parents = util::split_trimmed(parents, ',');
            }
            r.checksum = row[2].as<std::string>();
            r.message = row[3].as<std::string>();
            r.applied_at = row[4].as<std::string>();
            r.duration_ms = row[5].as<std::int64_t>();
            r.applied_by = row[6].as<std::string>();
            out.push_back(std::move(r));
        }
        return out;
    } catch (const pqxx::broken_connection& e) {
        throw DatabaseUnreachable("lost the database connection: " + describe(e));
    } catch (const pqxx::sql_error& e) {
        throw IntegrityError("cannot read the history table " + m_table.display() + ": " +
                             describe(e) + "; is it a schemagate history table?");
    }
}

void PgStore::ensure_tables() {
    try {
        if (table_exists(m_table.qualified()) && table_exists(m_table.log_qualified())) {
            return;
        }
        pqxx::work txn(m_conn->get());
        const bool schema_exists =
            txn.exec_params1("SELECT count(*) FROM pg_namespace WHERE nspname = $1",
                             m_table.schema)[0]
                .as<int>() > 0;
        if (!schema_exists) {
            txn.exec("CREATE SCHEMA " + quote_ident(m_table.schema));
        }
        txn.exec("CREATE TABLE IF NOT EXISTS " + m_table.qualified() +
                 " ("
                 "revision text PRIMARY KEY, "
                 "parents text[] NOT NULL, "
                 "checksum text NOT NULL, "
                 "message text NOT NULL, "
                 "applied_at timestamptz NOT NULL DEFAULT now(), "
                 "duration_ms bigint NOT NULL, "
                 "applied_by text NOT NULL, "
                 "seq bigint GENERATED ALWAYS AS IDENTITY)");
        txn.exec("CREATE TABLE IF NOT EXISTS " + m_table.log_qualified() +
                 " ("
                 "id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
                 "revision text NOT NULL, "
                 "operation text NOT NULL CHECK (operation IN ('upgrade', 'downgrade', 'stamp')), "
                 "outcome text NOT NULL CHECK (outcome IN ('succeeded', 'failed')), "
                 "started_at timestamptz NOT NULL, "
                 "finished_at timestamptz NOT NULL DEFAULT clock_timestamp(), "
                 "duration_ms bigint NOT NULL, "
                 "applied_by text NOT NULL, "
                 "sqlstate text, "
                 "error text)");
        txn.commit();
        spdlog::info("created history table {} and its audit log", m_table.display());
    } catch (const pqxx::broken_connection& e) {
        throw DatabaseUnreachable("lost the database connection: " + describe(e));
    } catch (const pqxx::sql_error& e) {
        throw MigrationFailed("cannot create the history table " + m_table.display() + ": " +
                              describe(e) + "; grant the role CREATE on the schema");
    }
}

void PgStore::run_step(const Step& step, const std::string& applied_by) {
    const migration::Migration& m = *step.migration;
    const migration::Section& section = section_of(step);
    const auto started = std::chrono::steady_clock::now();
    const bool autocommit = m.transaction == migration::TransactionMode::none;
    std::size_t current = step.statements.size();  // past the SQL: the bookkeeping
    try {
        if (autocommit) {
            // Statements such as CREATE INDEX CONCURRENTLY cannot run inside a transaction:
            // each commits on its own, and only the bookkeeping below is one transaction.
            for (std::size_t i = 0; i < step.statements.size(); ++i) {
                current = i;
                pqxx::nontransaction ntx(m_conn->get());
                ntx.exec(step.statements[i].text);
            }
        }
        pqxx::work txn(m_conn->get());
        for (std::size_t i = 0; !autocommit && i < step.statements.size(); ++i) {
            current = i;
            txn.exec(step.statements[i].text);
        }
        current = step.statements.size();
        const long long duration = elapsed_ms(started);
        if (step.direction == Direction::up) {
            txn.exec_params("INSERT INTO " + m_table.qualified() +
                                " (revision, parents, checksum, message, duration_ms, applied_by) "
                                "VALUES ($1, string_to_array($2, ','), $3, $4, $5, $6)",
                            m.id, util::join(m.parents, ","), m.checksum, m.message, duration,
                            applied_by);
        } else {
            const auto deleted = txn.exec_params(
                "DELETE FROM " + m_table.qualified() + " WHERE revision = $1", m.id);
            if (deleted.affected_rows() != 1) {
                throw IntegrityError("revision " + m.id + " vanished from " + m_table.display() +
                                     " during its downgrade; rolled back, check who else "
                                     "writes to the history table");
            }
        }
        txn.exec_params("INSERT INTO " + m_table.log_qualified() +
                            " (revision, operation, outcome, started_at, duration_ms, applied_by) "
                            "VALUES ($1, $2, 'succeeded', now(), $3, $4)",
                        m.id, operation(step.direction), duration, applied_by);
        try {
            txn.commit();
        } catch (const pqxx::in_doubt_error&) {
            // The COMMIT got no answer: never assume, read what the database kept.
            spdlog::warn("revision {}: the COMMIT got no answer; reading the history table to "
                         "learn whether it took effect",
                         m.id);
            if (!step_committed(step)) {
                throw DatabaseUnreachable("revision " + m.id +
                                          ": the connection was lost at COMMIT and the "
                                          "revision did not take effect; run the command again");
            }
        }
    } catch (const pqxx::broken_connection& e) {
        throw DatabaseUnreachable("revision " + m.id + ": lost the database connection: " +
                                  describe(e) + "; the transaction was rolled back, run again");
    } catch (const pqxx::sql_error& e) {
        const std::string message = server_message(e);
        record_failure(step, applied_by, elapsed_ms(started), e.sqlstate(), message);
        std::string where;
        if (current < step.statements.size()) {
            where = m.where(section.first_line + step.statements[current].line) + ": ";
        } else {
            where = m.where(0) + ": recording the revision in " + m_table.display() + ": ";
        }
        const std::string outcome =
            autocommit && current > 0 && current < step.statements.size()
                ? "\nrevision " + m.id + " has 'transaction: none': its first " +
                      std::to_string(current) +
                      " statements were committed and are not undone; clean up by hand, then "
                      "run again"
                : "\nthe transaction was rolled back: nothing of revision " + m.id +
                      " was applied or recorded";
        throw MigrationFailed(where + operation(step.direction) + " of revision " + m.id +
                              " failed [SQLSTATE " + e.sqlstate() + "]: " + message + outcome);
    }
}

void PgStore::record_failure(const Step& step, const std::string& applied_by,
                             long long duration_ms, const std::string& sqlstate,
                             const std::string& error) {
    // Best effort, in its own transaction: the audit log must not hide the real failure.
    try {
        pqxx::work txn(m_conn->get());
        txn.exec_params("INSERT INTO " + m_table.log_qualified() +
                            " (revision, operation, outcome, started_at, duration_ms, applied_by, "
                            "sqlstate, error) VALUES ($1, $2, 'failed', now(), $3, $4, $5, $6)",
                        step.migration->id, operation(step.direction), duration_ms, applied_by,
                        sqlstate, error);
        txn.commit();
    } catch (const std::exception& e) {
        spdlog::warn("could not record the failure of {} in the audit log: {}",
                     step.migration->id, describe(e));
    }
}

bool PgStore::step_committed(const Step& step) {
    m_conn = std::make_unique<Connection>(m_conninfo);
    pqxx::read_transaction txn(m_conn->get());
    const bool present =
        txn.exec_params1("SELECT count(*) FROM " + m_table.qualified() + " WHERE revision = $1",
                         step.migration->id)[0]
            .as<int>() > 0;
    return present == (step.direction == Direction::up);
}

void PgStore::stamp(const std::vector<const migration::Migration*>& add,
                    const std::vector<std::string>& remove, const std::string& applied_by) {
    try {
        pqxx::work txn(m_conn->get());
        const std::string log_insert =
            "INSERT INTO " + m_table.log_qualified() +
            " (revision, operation, outcome, started_at, duration_ms, applied_by) "
            "VALUES ($1, 'stamp', 'succeeded', now(), 0, $2)";
        for (const auto& id : remove) {
            txn.exec_params("DELETE FROM " + m_table.qualified() + " WHERE revision = $1", id);
            txn.exec_params(log_insert, id, applied_by);
        }
        for (const auto* m : add) {
            txn.exec_params("INSERT INTO " + m_table.qualified() +
                                " (revision, parents, checksum, message, duration_ms, applied_by) "
                                "VALUES ($1, string_to_array($2, ','), $3, $4, 0, $5)",
                            m->id, util::join(m->parents, ","), m->checksum, m->message,
                            applied_by);
            txn.exec_params(log_insert, m->id, applied_by);
        }
        txn.commit();
    } catch (const pqxx::broken_connection& e) {
        throw DatabaseUnreachable("lost the database connection during stamp: " + describe(e));
    } catch (const pqxx::sql_error& e) {
        throw MigrationFailed("stamp failed [SQLSTATE " + e.sqlstate() + "]: " + describe(e) +
                              "; nothing was recorded");
    }
}

}  // namespace schemagate::store
