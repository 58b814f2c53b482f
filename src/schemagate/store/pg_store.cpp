#include <schemagate/store/pg_store.hpp>

#include <algorithm>
#include <chrono>
#include <optional>
#include <thread>

#include <pqxx/pqxx>
#include <spdlog/spdlog.h>

#include <schemagate/store/history_sql.hpp>
#include <schemagate/util/duration.hpp>
#include <schemagate/util/error.hpp>
#include <schemagate/util/interrupt.hpp>
#include <schemagate/util/strings.hpp>

namespace schemagate::store {

namespace {

using migration::Direction;
using Clock = std::chrono::steady_clock;

constexpr std::chrono::seconds k_reconnect_patience{60};
constexpr std::chrono::milliseconds k_first_reconnect_backoff{200};
constexpr std::chrono::milliseconds k_max_reconnect_backoff{5000};
constexpr std::chrono::milliseconds k_default_sample_every{1000};
constexpr std::chrono::milliseconds k_min_sample_every{100};
using history_sql::k_reset_session;

long long elapsed_ms(Clock::time_point since) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count();
}

std::string operation(Direction d) {
    return d == Direction::up ? "upgrade" : "downgrade";
}

const migration::Section& section_of(const Step& step) {
    return step.direction == Direction::up ? step.migration->up : *step.migration->down;
}

// The server's message with libpq's "ERROR:" prefix removed and DETAIL/HINT lines indented.
std::string server_message(const pqxx::failure& e) {
    std::string out;
    for (const auto& line : util::split_trimmed(describe(e), '\n')) {
        if (!line.empty()) {
            out += out.empty() ? line : "\n  " + line;
        }
    }
    return out;
}

// How often to look for blockers: a few times within the lock timeout, so that a statement
// that waits for all of it is seen waiting whenever in the step it starts.
std::chrono::milliseconds sample_every(const Timeouts& t) {
    if (t.lock.count() <= 0) {
        return k_default_sample_every;
    }
    return std::clamp(t.lock / 4, k_min_sample_every, k_default_sample_every);
}

std::string blockers_text(const std::vector<std::string>& blockers) {
    if (blockers.empty()) {
        return {};
    }
    return "\nblocked by:\n  " + util::join(blockers, "\n  ");
}

// A transaction block opened by hand on a nontransaction, so that BEGIN travels with the
// step's SET LOCALs in one round trip (pqxx::work sends BEGIN alone, which costs a round trip
// per revision that `psql -f` does not pay). Rolled back when left without commit().
class ManualBlock {
public:
    explicit ManualBlock(pqxx::connection_base& conn)
        : m_conn(conn), m_tx(std::make_unique<pqxx::nontransaction>(conn)) {}
    ~ManualBlock() {
        m_tx.reset(); // one transaction object per connection at a time
        if (m_open && m_conn.is_open()) {
            try {
                pqxx::nontransaction(m_conn).exec("ROLLBACK");
            } catch (...) {
                // The session is gone, and the block with it.
            }
        }
    }
    ManualBlock(const ManualBlock&) = delete;
    ManualBlock& operator=(const ManualBlock&) = delete;

    // Sends "BEGIN; <then>" and returns the last result.
    pqxx::result begin(const std::string& then) {
        m_open = true;
        return m_tx->exec("BEGIN; " + then);
    }
    pqxx::nontransaction& tx() { return *m_tx; }
    // False when COMMIT got no answer (the connection broke): the outcome is unknown, and
    // only the history table can tell. The server answers a COMMIT of a failed block with
    // ROLLBACK and no error, but the bookkeeping statement just before it succeeded, so the
    // block cannot have failed.
    bool commit() {
        m_open = false; // COMMIT ends the block, whether it succeeds or fails
        try {
            m_tx->exec("COMMIT");
        } catch (const pqxx::broken_connection&) {
            return false;
        }
        return true;
    }

private:
    pqxx::connection_base& m_conn;
    std::unique_ptr<pqxx::nontransaction> m_tx;
    bool m_open = false;
};

} // namespace

PgStore::PgStore(Conninfo conninfo, HistoryTable table)
    : m_conninfo(std::move(conninfo)), m_table(std::move(table)),
      m_conn(std::make_unique<Connection>(m_conninfo)), m_watch(m_conninfo) {}

PgStore::~PgStore() = default;

bool PgStore::table_exists(const std::string& qualified) {
    // One statement needs no transaction block: a read_transaction would add BEGIN and
    // ROLLBACK, two more round trips.
    pqxx::nontransaction ntx(m_conn->get());
    return ntx.exec_params1(history_sql::table_exists(), qualified)[0].as<bool>();
}

std::vector<AppliedRevision> PgStore::read_history(HistoryColumns columns) {
    try {
        if (!table_exists(m_table.qualified())) {
            return {};
        }
        // What a run needs, then (columns 6 to 10) what only status and validate show.
        constexpr std::string_view state_columns =
            "revision, checksum, state, operation, statements_done, error";
        constexpr std::string_view display_columns =
            ", array_to_string(parents, ','), message, to_char(applied_at AT TIME ZONE 'UTC', "
            "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), duration_ms, applied_by";
        const bool all = columns == HistoryColumns::all;
        std::string query = "SELECT ";
        query.append(state_columns).append(all ? display_columns : "");
        query.append(" FROM ").append(m_table.qualified()).append(" ORDER BY seq");
        pqxx::nontransaction ntx(m_conn->get()); // one statement: one snapshot
        const auto rows = ntx.exec(query);
        std::vector<AppliedRevision> out;
        out.reserve(rows.size());
        for (const auto& row : rows) {
            AppliedRevision& r = out.emplace_back();
            r.id = row[0].c_str();
            r.checksum = row[1].c_str();
            const std::string_view state = row[2].c_str();
            r.state = state == "running"  ? RowState::running
                      : state == "failed" ? RowState::failed
                                          : RowState::applied;
            r.operation =
                std::string_view(row[3].c_str()) == "downgrade" ? Direction::down : Direction::up;
            r.statements_done = row[4].as<std::int64_t>();
            r.error = row[5].c_str(); // "" for NULL
            if (all) {
                if (const std::string_view parents = row[6].c_str(); !parents.empty()) {
                    r.parents = util::split_trimmed(parents, ',');
                }
                r.message = row[7].c_str();
                r.applied_at = row[8].c_str();
                r.duration_ms = row[9].as<std::int64_t>();
                r.applied_by = row[10].c_str();
            }
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
            txn.exec_params1(history_sql::count_schemas(), m_table.schema)[0].as<int>() > 0;
        if (!schema_exists) {
            txn.exec(history_sql::create_schema(m_table));
        }
        txn.exec(history_sql::create_history_table(m_table));
        txn.exec(history_sql::create_log_table(m_table));
        txn.commit();
        spdlog::info("created history table {} and its audit log", m_table.display());
    } catch (const pqxx::broken_connection& e) {
        throw DatabaseUnreachable("lost the database connection: " + describe(e));
    } catch (const pqxx::sql_error& e) {
        throw MigrationFailed("cannot create the history table " + m_table.display() + ": " +
                              describe(e) + "; grant the role CREATE on the schema");
    }
}

StepOutcome PgStore::run_step(const Step& step, const std::string& applied_by) {
    try {
        return step.migration->transaction == migration::TransactionMode::none
                   ? run_autocommit(step, applied_by)
                   : run_transactional(step, applied_by);
    } catch (const pqxx::broken_connection& e) {
        throw DatabaseUnreachable("revision " + step.migration->id +
                                  ": lost the database connection: " + describe(e));
    }
}

StepOutcome PgStore::run_transactional(const Step& step, const std::string& applied_by) {
    const migration::Migration& m = *step.migration;
    const auto started = Clock::now();
    std::size_t current = step.statements.size(); // past the SQL: the bookkeeping
    std::optional<ArmedWatch> watch;
    try {
        bool answered = false;
        {
            ManualBlock block(m_conn->get());
            auto& txn = block.tx();
            // One round trip: BEGIN, this transaction's timeouts, and the backend to watch.
            std::string setup;
            for (const auto& set : history_sql::set_local_timeouts(step.timeouts)) {
                setup += set + "; ";
            }
            if (m_conn->get().server_version() >= 140000) {
                // If we are killed mid-statement, the server notices within a second and rolls
                // back, instead of running the statement (and holding its locks) to its end.
                setup += "SET LOCAL client_connection_check_interval = '1s'; ";
            }
            pqxx::result guarded;
            try {
                guarded = block.begin(setup + history_sql::step_guard(m_table, m.id));
            } catch (const pqxx::sql_error& e) {
                if (sqlstate_of(e) != "55P03") {
                    throw;
                }
                throw StepFailed("revision " + m.id +
                                     ": another session is still running this revision (it lost "
                                     "the migration lock mid-step); waiting for its outcome",
                                 "55P03", {});
            }
            const int pid = guarded[0][0].as<int>();
            const bool applied =
                !guarded[0][1].is_null() && std::string_view(guarded[0][1].c_str()) == "applied";
            if (applied == (step.direction == Direction::up)) {
                spdlog::info("revision {}: another session finished its {} a moment ago (it had "
                             "lost the migration lock); nothing to do",
                             m.id, operation(step.direction));
                return StepOutcome::done_elsewhere;
            }
            watch.emplace(m_watch, pid, sample_every(step.timeouts), CancelOnSignal::yes);
            for (std::size_t i = 0; i < step.statements.size(); ++i) {
                util::throw_if_interrupted();
                current = i;
                txn.exec(step.statements[i].text);
            }
            current = step.statements.size();
            util::throw_if_interrupted();
            const long long duration = elapsed_ms(started);
            // The bookkeeping also NOTIFYs the waiters, at COMMIT (history_sql).
            if (step.direction == Direction::up) {
                txn.exec_params(history_sql::record_upgrade(m_table), m.id,
                                util::join(m.parents, ","), m.checksum, m.message, duration,
                                applied_by);
            } else {
                const auto logged = txn.exec_params(history_sql::record_downgrade(m_table), m.id,
                                                    duration, applied_by);
                if (logged.affected_rows() != 1) {
                    throw IntegrityError("revision " + m.id + " vanished from " +
                                         m_table.display() +
                                         " during its downgrade; rolled back, check who else "
                                         "writes to the history table");
                }
            }
            watch.reset();
            answered = block.commit();
        }
        if (!answered) {
            // The COMMIT got no answer: never assume, read what the database kept (on a new
            // connection, so only once the block above is gone).
            spdlog::warn("revision {}: the COMMIT got no answer; reading the history table to "
                         "learn whether it took effect",
                         m.id);
            if (!step_committed(step)) {
                throw DatabaseUnreachable("revision " + m.id +
                                          ": the connection was lost at COMMIT and the "
                                          "revision did not take effect; run the command again");
            }
        }
        return StepOutcome::ran;
    } catch (const pqxx::broken_connection&) {
        throw;
    } catch (const pqxx::failure& e) {
        WatchReport seen = watch ? watch->disarm() : WatchReport{};
        watch.reset();
        if (seen.cancelled || util::interrupted()) {
            audit(m.id, operation(step.direction), "failed", elapsed_ms(started), applied_by,
                  sqlstate_of(e), "interrupted by a signal");
            throw Interrupted("interrupted by a signal: revision " + m.id +
                              " was rolled back and nothing of it was recorded; the lock is "
                              "released");
        }
        fail_step(step, applied_by, current, e, elapsed_ms(started), std::move(seen.blockers));
    } catch (const Interrupted&) {
        watch.reset();
        audit(m.id, operation(step.direction), "failed", elapsed_ms(started), applied_by, {},
              "interrupted by a signal");
        throw Interrupted("interrupted by a signal: revision " + m.id +
                          " was rolled back and nothing of it was recorded; the lock is "
                          "released");
    }
}

StepOutcome PgStore::run_autocommit(const Step& step, const std::string& applied_by) {
    const migration::Migration& m = *step.migration;
    const std::string& id = m.id;
    const auto started = Clock::now();
    auto& conn = m_conn->get();
    std::size_t current = step.first_statement;
    auto progress = [&](const std::string& sql, auto&&... params) {
        pqxx::nontransaction ntx(conn);
        return ntx.exec_params(sql, params...).affected_rows();
    };
    // Record that the step is under way before its first statement commits, so a crash at
    // any point leaves a row that says where to resume.
    const auto started_rows =
        step.direction == Direction::up
            ? progress(history_sql::start_autocommit_upgrade(m_table, step.start), id,
                       util::join(m.parents, ","), m.checksum, m.message, applied_by,
                       static_cast<long long>(step.first_statement))
            : progress(history_sql::start_autocommit_downgrade(m_table, step.start), id,
                       operation(step.direction), static_cast<long long>(step.first_statement),
                       applied_by);
    if (started_rows != 1) {
        // Planned under the migration lock as not started, yet the row says otherwise: a
        // session that lost the lock mid-run got to this revision first, and its statements
        // may be running now. Never run them twice: stop, and let a later run read its outcome.
        throw LockTimeout("revision " + id +
                          " (transaction: none) was started by another session a moment ago (one "
                          "that lost the migration lock); nothing of it was run here. Run again: "
                          "the next run reads its outcome, and `schemagate validate` shows it");
    }

    std::optional<ArmedWatch> watch;
    auto session_lock = step.lock_timeout_of(step.first_statement);
    try {
        int pid = 0;
        {
            // Session settings: behind a transaction-mode pooler they may land on another
            // server connection, so they are reset at the end (see README, "PgBouncer").
            pqxx::nontransaction setup(conn);
            const std::string check_client = conn.server_version() >= 140000
                                                 ? "SET client_connection_check_interval = "
                                                   "'1s'; "
                                                 : "";
            std::string settings;
            for (const auto& set :
                 history_sql::set_session_timeouts({session_lock, step.timeouts.statement})) {
                settings += set + "; ";
            }
            pid = setup.exec(settings + check_client + "SELECT pg_backend_pid()")[0][0].as<int>();
        }
        // A statement such as CREATE INDEX CONCURRENTLY is never cancelled half way (that would
        // leave an INVALID index); a signal stops the step between statements instead.
        watch.emplace(m_watch, pid, sample_every(step.timeouts), CancelOnSignal::no);
        const std::size_t first = resume_index(step);
        if (first > step.first_statement) {
            progress(history_sql::record_progress(m_table), id, static_cast<long long>(first));
        }
        for (std::size_t i = first; i < step.statements.size(); ++i) {
            current = i;
            if (util::interrupted()) {
                throw Interrupted("");
            }
            {
                pqxx::nontransaction ntx(conn);
                if (step.lock_timeout_of(i) != session_lock) {
                    session_lock = step.lock_timeout_of(i);
                    ntx.exec(history_sql::set_session_lock_timeout(session_lock));
                }
                ntx.exec(step.statements[i].text);
            }
            progress(history_sql::record_progress(m_table), id, static_cast<long long>(i + 1));
        }
        watch.reset();
        pqxx::nontransaction(conn).exec(k_reset_session);
        const long long duration = elapsed_ms(started);
        pqxx::work txn(conn);
        if (step.direction == Direction::up) {
            txn.exec_params(history_sql::finish_autocommit_upgrade(m_table), id, duration,
                            m.checksum);
        } else {
            txn.exec_params(history_sql::delete_revision(m_table), id);
        }
        txn.exec_params(history_sql::log_succeeded(m_table), id, operation(step.direction),
                        duration, applied_by);
        txn.commit();
        return StepOutcome::ran;
    } catch (const pqxx::broken_connection&) {
        throw;
    } catch (const pqxx::failure& e) {
        WatchReport seen = watch ? watch->disarm() : WatchReport{};
        watch.reset();
        fail_step(step, applied_by, current, e, elapsed_ms(started), std::move(seen.blockers));
    } catch (const Interrupted&) {
        watch.reset();
        const auto& st = step.statements[current];
        const std::string where = m.where(section_of(step).first_line + st.line);
        progress(history_sql::record_failure(m_table), id, static_cast<long long>(current),
                 "interrupted before statement " + std::to_string(current + 1) + " (" + where +
                     ")");
        audit(id, operation(step.direction), "failed", elapsed_ms(started), applied_by, {},
              "interrupted by a signal");
        throw Interrupted("interrupted by a signal: revision " + id + " (transaction: none) " +
                          "stopped after " + std::to_string(current) + " of " +
                          std::to_string(step.statements.size()) +
                          " statements; continue with `schemagate repair " + id + " --resume`");
    }
}

std::size_t PgStore::resume_index(const Step& step) {
    if (step.start != StepStart::resume || !step.resumed_index) {
        return step.first_statement;
    }
    // The interrupted statement may have finished on the server after its client died (a
    // short build), or stopped half way and left the index INVALID. Look before running it.
    const migration::ConcurrentIndex& index = *step.resumed_index;
    const std::string& id = step.migration->id;
    pqxx::nontransaction ntx(m_conn->get());
    const auto rows = ntx.exec_params(
        "SELECT i.indisvalid FROM pg_index i WHERE i.indexrelid = to_regclass($1)", index.name);
    const std::string where = "revision " + id + ", statement " +
                              std::to_string(step.first_statement + 1) + ": index " + index.name;
    if (index.kind == migration::ConcurrentIndex::Kind::create && !rows.empty() &&
        rows[0][0].as<bool>()) {
        spdlog::info("{} exists and is valid: the interrupted CREATE INDEX CONCURRENTLY finished; "
                     "counted as done",
                     where);
        return step.first_statement + 1;
    }
    if (index.kind == migration::ConcurrentIndex::Kind::create && !rows.empty()) {
        spdlog::info("{} is INVALID (the interrupted build stopped half way); dropping it "
                     "before building it again",
                     where);
        ntx.exec("DROP INDEX CONCURRENTLY IF EXISTS " + index.name);
    } else if (index.kind == migration::ConcurrentIndex::Kind::drop && rows.empty()) {
        spdlog::info("{} is gone: the interrupted DROP INDEX CONCURRENTLY finished; counted as "
                     "done",
                     where);
        return step.first_statement + 1;
    }
    return step.first_statement;
}

void PgStore::fail_step(const Step& step, const std::string& applied_by, std::size_t statement,
                        const pqxx::failure& e, long long duration_ms,
                        std::vector<std::string> blockers) {
    const migration::Migration& m = *step.migration;
    const std::string message = server_message(e);
    const std::string sqlstate = sqlstate_of(e);
    const bool autocommit = m.transaction == migration::TransactionMode::none;
    std::string where;
    if (statement < step.statements.size()) {
        where = m.where(section_of(step).first_line + step.statements[statement].line);
    } else {
        where = m.where(0) + ": recording the revision in " + m_table.display();
    }
    try {
        if (autocommit && statement < step.statements.size()) {
            auto record = [&] {
                pqxx::nontransaction ntx(m_conn->get());
                ntx.exec(k_reset_session);
                ntx.exec_params(history_sql::record_failure(m_table), m.id,
                                static_cast<long long>(statement),
                                where + ": [SQLSTATE " + sqlstate + "] " + message);
            };
            try {
                record();
            } catch (const pqxx::sql_error& aborted) {
                // The failed statement ran inside a transaction block that the file opened
                // (lint's SG109 refuses that before a run; this is the last line): end it, or
                // the failure could not be recorded at all.
                if (sqlstate_of(aborted) != "25P02") {
                    throw;
                }
                pqxx::nontransaction(m_conn->get()).exec("ROLLBACK");
                record();
            }
        }
    } catch (const std::exception& record_error) {
        spdlog::warn("could not record the failure of {} in {}: {}", m.id, m_table.display(),
                     describe(record_error));
    }
    audit(m.id, operation(step.direction), "failed", duration_ms, applied_by, sqlstate, message);

    std::string outcome;
    if (!autocommit) {
        outcome = "\nthe transaction was rolled back: nothing of revision " + m.id +
                  " was applied or recorded";
    } else if (statement < step.statements.size()) {
        outcome = "\nrevision " + m.id + " has 'transaction: none': statements 1 to " +
                  std::to_string(statement) + " of " + std::to_string(step.statements.size()) +
                  " are committed. Fix the cause (an INVALID index that the failed statement "
                  "left is dropped by --resume), then `schemagate repair " +
                  m.id + " --resume` to continue from statement " + std::to_string(statement + 1) +
                  ", or undo them by hand and `schemagate repair " + m.id + " --rollback`";
    }
    // Built before the throw: as arguments of one call, the text and the moved vector would be
    // evaluated in no set order, and GCC moves the vector out first.
    const std::string text = where + ": " + operation(step.direction) + " of revision " + m.id +
                             " failed [SQLSTATE " + sqlstate + "]: " + message +
                             blockers_text(blockers) + outcome;
    throw StepFailed(text, sqlstate, std::move(blockers));
}

void PgStore::audit(const std::string& id, const std::string& operation, const std::string& outcome,
                    long long duration_ms, const std::string& applied_by,
                    const std::string& sqlstate, const std::string& error) {
    // Best effort, in its own transaction: the audit log must not hide the real failure.
    try {
        pqxx::work txn(m_conn->get());
        txn.exec_params(history_sql::log_outcome(m_table), id, operation, outcome, duration_ms,
                        applied_by, sqlstate, error);
        txn.commit();
    } catch (const std::exception& e) {
        spdlog::warn("could not record {} of {} in the audit log: {}", operation, id, describe(e));
    }
}

bool PgStore::step_committed(const Step& step) {
    reconnect();
    pqxx::read_transaction txn(m_conn->get());
    const auto rows = txn.exec_params(
        "SELECT state FROM " + m_table.qualified() + " WHERE revision = $1", step.migration->id);
    const bool present = !rows.empty() && rows[0][0].as<std::string>() == "applied";
    return present == (step.direction == Direction::up);
}

void PgStore::stamp(const std::vector<const migration::Migration*>& add,
                    const std::vector<std::string>& remove, const std::string& applied_by) {
    try {
        pqxx::work txn(m_conn->get());
        const std::string log_insert = history_sql::log_stamp(m_table);
        for (const auto& id : remove) {
            txn.exec_params(history_sql::delete_revision(m_table), id);
            txn.exec_params(log_insert, id, applied_by);
        }
        for (const auto* m : add) {
            txn.exec_params(history_sql::stamp_insert(m_table), m->id, util::join(m->parents, ","),
                            m->checksum, m->message, applied_by);
            txn.exec_params(log_insert, m->id, applied_by);
        }
        txn.commit();
    } catch (const pqxx::broken_connection& e) {
        throw DatabaseUnreachable("lost the database connection during stamp: " + describe(e));
    } catch (const pqxx::sql_error& e) {
        throw MigrationFailed("stamp failed [SQLSTATE " + sqlstate_of(e) + "]: " + describe(e) +
                              "; nothing was recorded");
    }
}

std::optional<migration::RevisionSet> PgStore::read_run_target(const RunTarget& key) {
    try {
        if (!table_exists(m_table.run_qualified())) {
            return std::nullopt;
        }
        pqxx::nontransaction ntx(m_conn->get());
        const auto rows = ntx.exec_params(history_sql::read_run_target(m_table), key.run_id,
                                          operation(key.direction), key.target);
        if (rows.empty()) {
            return std::nullopt;
        }
        migration::RevisionSet out;
        if (const std::string_view ids = rows[0][0].c_str(); !ids.empty()) {
            for (auto& id : util::split_trimmed(ids, ',')) {
                out.insert(std::move(id));
            }
        }
        return out;
    } catch (const pqxx::broken_connection& e) {
        throw DatabaseUnreachable("lost the database connection: " + describe(e));
    } catch (const pqxx::sql_error& e) {
        throw IntegrityError("cannot read the run targets in " + m_table.run_qualified() + ": " +
                             describe(e));
    }
}

void PgStore::record_run_target(const RunTarget& key, const migration::RevisionSet& revisions,
                                const std::string& applied_by) {
    try {
        pqxx::work txn(m_conn->get());
        txn.exec(history_sql::create_run_table(m_table));
        txn.exec_params(
            history_sql::record_run_target(m_table), key.run_id, operation(key.direction),
            key.target,
            util::join(std::vector<std::string>(revisions.begin(), revisions.end()), ","),
            applied_by);
        txn.commit();
    } catch (const pqxx::broken_connection& e) {
        throw DatabaseUnreachable("lost the database connection: " + describe(e));
    } catch (const pqxx::sql_error& e) {
        throw MigrationFailed("cannot record the run's target in " + m_table.run_qualified() +
                              ": " + describe(e) + "; grant the role CREATE on the schema");
    }
}

void PgStore::abandon_step(const std::string& id, const std::string& applied_by) {
    try {
        pqxx::work txn(m_conn->get());
        const auto rows =
            txn.exec_params("SELECT state, coalesce(operation, 'upgrade') FROM " +
                                m_table.qualified() + " WHERE revision = $1 FOR UPDATE",
                            id);
        if (rows.empty() || rows[0][0].as<std::string>() == "applied") {
            throw UsageError("revision " + id +
                             " has no failed or interrupted step to roll back; "
                             "`schemagate validate` lists what needs repair");
        }
        if (rows[0][1].as<std::string>() == "upgrade") {
            txn.exec_params(history_sql::delete_revision(m_table), id);
        } else {
            txn.exec_params(history_sql::abandon_downgrade(m_table), id);
        }
        txn.exec_params(history_sql::log_repair(m_table), id, applied_by);
        txn.commit();
    } catch (const pqxx::broken_connection& e) {
        throw DatabaseUnreachable("lost the database connection during repair: " + describe(e));
    } catch (const pqxx::sql_error& e) {
        throw MigrationFailed("repair of " + id + " failed [SQLSTATE " + sqlstate_of(e) +
                              "]: " + describe(e));
    }
}

std::vector<std::string> PgStore::invalid_indexes() {
    try {
        pqxx::read_transaction txn(m_conn->get());
        std::vector<std::string> out;
        for (const auto& row :
             txn.exec("SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) "
                      "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                      "JOIN pg_namespace n ON n.oid = c.relnamespace "
                      "WHERE NOT i.indisvalid ORDER BY 1")) {
            out.push_back(row[0].as<std::string>());
        }
        return out;
    } catch (const pqxx::broken_connection& e) {
        throw DatabaseUnreachable("lost the database connection: " + describe(e));
    }
}

void PgStore::reconnect() {
    const auto deadline = Clock::now() + k_reconnect_patience;
    auto backoff = k_first_reconnect_backoff;
    m_watch.reset_monitor();
    while (true) {
        try {
            m_conn = std::make_unique<Connection>(m_conninfo);
            return;
        } catch (const DatabaseUnreachable& e) {
            if (Clock::now() + backoff > deadline) {
                throw DatabaseUnreachable(std::string(e.what()) + " (gave up reconnecting after " +
                                          util::format_duration(k_reconnect_patience) + ")");
            }
            spdlog::warn("database unreachable, retrying in {}: {}", util::format_duration(backoff),
                         e.what());
        }
        util::throw_if_interrupted();
        std::this_thread::sleep_for(backoff);
        backoff = std::min(backoff * 2, k_max_reconnect_backoff);
    }
}

} // namespace schemagate::store
