#include <schemagate/store/history_sql.hpp>

#include <cstdint>
#include <stdexcept>

namespace schemagate::store::history_sql {

std::string table_exists() {
    return "SELECT to_regclass($1) IS NOT NULL";
}

std::string count_schemas() {
    return "SELECT count(*) FROM pg_namespace WHERE nspname = $1";
}

std::string create_schema(const HistoryTable& t) {
    return "CREATE SCHEMA " + quote_ident(t.schema);
}

std::string create_history_table(const HistoryTable& t) {
    return "CREATE TABLE IF NOT EXISTS " + t.qualified() +
           " ("
           "revision text PRIMARY KEY, "
           "parents text[] NOT NULL, "
           "checksum text NOT NULL, "
           "message text NOT NULL, "
           "applied_at timestamptz NOT NULL DEFAULT now(), "
           "duration_ms bigint NOT NULL, "
           "applied_by text NOT NULL, "
           "state text NOT NULL DEFAULT 'applied' "
           "CHECK (state IN ('applied', 'running', 'failed')), "
           "operation text CHECK (operation IN ('upgrade', 'downgrade')), "
           "statements_done integer NOT NULL DEFAULT 0, "
           "error text, "
           "seq bigint GENERATED ALWAYS AS IDENTITY)";
}

std::string create_log_table(const HistoryTable& t) {
    return "CREATE TABLE IF NOT EXISTS " + t.log_qualified() +
           " ("
           "id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
           "revision text NOT NULL, "
           "operation text NOT NULL "
           "CHECK (operation IN ('upgrade', 'downgrade', 'stamp', 'repair')), "
           "outcome text NOT NULL CHECK (outcome IN ('succeeded', 'failed')), "
           "started_at timestamptz NOT NULL, "
           "finished_at timestamptz NOT NULL DEFAULT clock_timestamp(), "
           "duration_ms bigint NOT NULL, "
           "applied_by text NOT NULL, "
           "sqlstate text, "
           "error text)";
}

std::string create_run_table(const HistoryTable& t) {
    return "CREATE TABLE IF NOT EXISTS " + t.run_qualified() +
           " ("
           "run_id text NOT NULL, "
           "operation text NOT NULL CHECK (operation IN ('upgrade', 'downgrade')), "
           "target text NOT NULL, "
           "revisions text[] NOT NULL, "
           "resolved_at timestamptz NOT NULL DEFAULT now(), "
           "resolved_by text NOT NULL, "
           "PRIMARY KEY (run_id, operation, target))";
}

std::string read_run_target(const HistoryTable& t) {
    return "SELECT array_to_string(revisions, ',') FROM " + t.run_qualified() +
           " WHERE run_id = $1 AND operation = $2 AND target = $3";
}

std::string record_run_target(const HistoryTable& t) {
    return "INSERT INTO " + t.run_qualified() +
           " (run_id, operation, target, revisions, resolved_by) VALUES ($1, $2, $3, "
           "string_to_array($4, ','), $5) ON CONFLICT DO NOTHING";
}

std::string guc_ms(std::chrono::milliseconds d) {
    return "'" + std::to_string(d.count()) + "ms'";
}

std::vector<std::string> set_local_timeouts(const Timeouts& t) {
    std::vector<std::string> out;
    if (t.lock.count() > 0) {
        out.push_back("SET LOCAL lock_timeout = " + guc_ms(t.lock));
    }
    if (t.statement.count() > 0) {
        out.push_back("SET LOCAL statement_timeout = " + guc_ms(t.statement));
    }
    return out;
}

std::vector<std::string> set_session_timeouts(const Timeouts& t) {
    return {set_session_lock_timeout(t.lock), "SET statement_timeout = " + guc_ms(t.statement)};
}

std::string set_session_lock_timeout(std::chrono::milliseconds lock) {
    return "SET lock_timeout = " + guc_ms(lock);
}

std::string step_guard(const HistoryTable& t, std::string_view revision) {
    const auto key = static_cast<std::uint64_t>(t.lock_key());
    const auto high = static_cast<std::int32_t>(static_cast<std::uint32_t>(key >> 32));
    const auto low = static_cast<std::int32_t>(static_cast<std::uint32_t>(key & 0xffffffffU));
    return "SELECT pg_advisory_xact_lock(" + std::to_string(high) + ", " + std::to_string(low) +
           "); SELECT pg_backend_pid(), (SELECT state FROM " + t.qualified() +
           " WHERE revision = " + quote_literal(revision) + ")";
}

namespace {

// A CTE that NOTIFYs the table's channel with $1 (the revision) when the statement's main
// query reads it (`FROM n`). The notification goes out at COMMIT, and never for a step that
// rolled back, at no extra round trip.
std::string notify_cte(const HistoryTable& t) {
    return "n AS (SELECT pg_notify(" + quote_literal(t.channel()) + ", $1))";
}

} // namespace

std::string record_upgrade(const HistoryTable& t) {
    return "WITH h AS (INSERT INTO " + t.qualified() +
           " (revision, parents, checksum, message, duration_ms, applied_by) "
           "VALUES ($1, string_to_array($2, ','), $3, $4, $5, $6)), " +
           notify_cte(t) + " INSERT INTO " + t.log_qualified() +
           " (revision, operation, outcome, started_at, duration_ms, "
           "applied_by) SELECT $1, 'upgrade', 'succeeded', now(), $5, $6 FROM n";
}

std::string record_downgrade(const HistoryTable& t) {
    return "WITH h AS (DELETE FROM " + t.qualified() + " WHERE revision = $1 RETURNING 1), " +
           notify_cte(t) + " INSERT INTO " + t.log_qualified() +
           " (revision, operation, outcome, started_at, duration_ms, applied_by) "
           "SELECT $1, 'downgrade', 'succeeded', now(), $2, $3 FROM h, n";
}

std::string start_autocommit_upgrade(const HistoryTable& t, StepStart start) {
    return "INSERT INTO " + t.qualified() +
           " (revision, parents, checksum, message, duration_ms, applied_by, state, "
           "operation, statements_done) VALUES ($1, string_to_array($2, ','), $3, $4, "
           "0, $5, 'running', 'upgrade', $6) ON CONFLICT (revision) " +
           (start == StepStart::fresh
                ? std::string("DO NOTHING")
                : "DO UPDATE SET state = 'running', operation = 'upgrade', statements_done = $6, "
                  "error = NULL, applied_by = $5");
}

std::string start_autocommit_downgrade(const HistoryTable& t, StepStart start) {
    return "UPDATE " + t.qualified() +
           " SET state = 'running', operation = $2, statements_done = $3, error = NULL, "
           "applied_by = $4 WHERE revision = $1" +
           (start == StepStart::fresh ? " AND state = 'applied'" : "");
}

std::string record_progress(const HistoryTable& t) {
    return "UPDATE " + t.qualified() + " SET statements_done = $2 WHERE revision = $1";
}

std::string record_failure(const HistoryTable& t) {
    return "UPDATE " + t.qualified() +
           " SET state = 'failed', statements_done = $2, error = $3 WHERE revision = $1";
}

std::string finish_autocommit_upgrade(const HistoryTable& t) {
    return "UPDATE " + t.qualified() +
           " SET state = 'applied', error = NULL, duration_ms = $2, "
           "applied_at = now(), checksum = $3 WHERE revision = $1";
}

std::string delete_revision(const HistoryTable& t) {
    return "DELETE FROM " + t.qualified() + " WHERE revision = $1";
}

std::string log_succeeded(const HistoryTable& t) {
    return "WITH " + notify_cte(t) + " INSERT INTO " + t.log_qualified() +
           " (revision, operation, outcome, started_at, duration_ms, "
           "applied_by) SELECT $1, $2, 'succeeded', now(), $3, $4 FROM n";
}

std::string log_outcome(const HistoryTable& t) {
    return "INSERT INTO " + t.log_qualified() +
           " (revision, operation, outcome, started_at, duration_ms, applied_by, "
           "sqlstate, error) VALUES ($1, $2, $3, now(), $4, $5, NULLIF($6, ''), "
           "NULLIF($7, ''))";
}

std::string stamp_insert(const HistoryTable& t) {
    return "INSERT INTO " + t.qualified() +
           " (revision, parents, checksum, message, duration_ms, applied_by) "
           "VALUES ($1, string_to_array($2, ','), $3, $4, 0, $5)";
}

std::string log_stamp(const HistoryTable& t) {
    return "WITH " + notify_cte(t) + " INSERT INTO " + t.log_qualified() +
           " (revision, operation, outcome, started_at, duration_ms, applied_by) "
           "SELECT $1, 'stamp', 'succeeded', now(), 0, $2 FROM n";
}

std::string abandon_downgrade(const HistoryTable& t) {
    return "UPDATE " + t.qualified() +
           " SET state = 'applied', operation = NULL, statements_done = 0, "
           "error = NULL WHERE revision = $1";
}

std::string log_repair(const HistoryTable& t) {
    return "WITH " + notify_cte(t) + " INSERT INTO " + t.log_qualified() +
           " (revision, operation, outcome, started_at, duration_ms, applied_by, "
           "error) SELECT $1, 'repair', 'succeeded', now(), 0, $2, "
           "'rolled back by hand' FROM n";
}

std::string quote_literal(std::string_view value) {
    const bool backslash = value.find('\\') != std::string_view::npos;
    std::string out = backslash ? "E'" : "'";
    for (char c : value) {
        if (c == '\'' || c == '\\') {
            out += c;
        }
        out += c;
    }
    return out + "'";
}

std::string bind_values(std::string_view sql, const std::vector<std::string>& values) {
    // The statements above quote only with '...' and "..." (identifiers may hold anything,
    // '$1' included), so skipping those two is enough to find the real placeholders.
    std::string out;
    out.reserve(sql.size());
    char quote = 0;
    for (std::size_t i = 0; i < sql.size(); ++i) {
        const char c = sql[i];
        if (quote != 0) {
            out += c;
            if (c == quote) {
                quote = 0; // a doubled quote closes and reopens: same result
            }
            continue;
        }
        if (c == '\'' || c == '"') {
            quote = c;
            out += c;
            continue;
        }
        if (c == '$' && i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
            std::size_t n = 0;
            std::size_t j = i + 1;
            for (; j < sql.size() && sql[j] >= '0' && sql[j] <= '9'; ++j) {
                n = n * 10 + static_cast<std::size_t>(sql[j] - '0');
            }
            if (n == 0 || n > values.size()) {
                throw std::out_of_range("no value for $" + std::to_string(n) +
                                        " in: " + std::string(sql));
            }
            out += values[n - 1];
            i = j - 1;
            continue;
        }
        out += c;
    }
    return out;
}

} // namespace schemagate::store::history_sql
