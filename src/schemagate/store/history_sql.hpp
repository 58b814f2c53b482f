#pragma once

// The SQL text of the history table and audit log bookkeeping, internal to `store`. PgStore
// runs these statements with $n parameters; ScriptStore prints the same text with each
// parameter rendered as a literal (bind_values()), so `--sql` output matches a real run word for
// word.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include <schemagate/store/history_table.hpp>
#include <schemagate/store/store.hpp>

namespace schemagate::store::history_sql {

// Undoes the session settings of a `transaction: none` step: RESET ALL returns every setting
// to the value the session started with (application_name stays) on any server version.
inline constexpr const char* k_reset_session = "RESET ALL";

// $1 qualified name: whether the table exists.
std::string table_exists();
// $1 schema name: how many schemas have that name.
std::string count_schemas();
std::string create_schema(const HistoryTable& t);
std::string create_history_table(const HistoryTable& t);
std::string create_log_table(const HistoryTable& t);

// The table of named runs' relative targets, and (with the history table's schema existing)
// the statement that creates it when missing.
std::string create_run_table(const HistoryTable& t);
// $1 run id, $2 operation, $3 target: the revisions recorded, joined with ','.
std::string read_run_target(const HistoryTable& t);
// $1 run id, $2 operation, $3 target, $4 revisions joined with ',', $5 resolved_by; nothing
// when a copy of the run recorded it first.
std::string record_run_target(const HistoryTable& t);

// A GUC value from a parsed duration, '2000ms': integers only, so splicing it is safe.
std::string guc_ms(std::chrono::milliseconds d);
// The SET LOCAL statements of a transactional step: each limit only when it is non-zero.
std::vector<std::string> set_local_timeouts(const Timeouts& t);
// The session SET statements of a `transaction: none` step: both limits, always.
std::vector<std::string> set_session_timeouts(const Timeouts& t);
// The session SET of lock_timeout alone, between statements of a `transaction: none` step.
std::string set_session_lock_timeout(std::chrono::milliseconds lock);

// The last statements of a transactional step's first round trip: waits for the table's step
// lock (the migration lock's key as two int4 halves: its own lock space, so it never meets the
// migration lock), then returns the backend's pid and the state of `revision`'s row (NULL when
// there is none), read after the lock so that it sees what a session that held it committed.
// Two sessions can only run one revision at once when one lost the migration lock mid-step;
// this makes the second wait for the first and see its outcome. Spliced, not $n: it travels
// with BEGIN in one simple query.
std::string step_guard(const HistoryTable& t, std::string_view revision);

// A transactional upgrade's history and audit rows, in its transaction after its SQL.
// $1 revision, $2 parents joined with ',', $3 checksum, $4 message, $5 duration_ms,
// $6 applied_by.
std::string record_upgrade(const HistoryTable& t);
// A transactional downgrade: deletes the history row and, only if there was one, writes the
// audit row. $1 revision, $2 duration_ms, $3 applied_by.
std::string record_downgrade(const HistoryTable& t);

// Before a `transaction: none` upgrade's first statement: its row, as running. A fresh step
// writes it only when there is none (no row means no other session started this revision),
// a resumed one takes over the failed or interrupted row: either affects one row or none.
// $1 revision, $2 parents joined with ',', $3 checksum, $4 message, $5 applied_by,
// $6 statements already done.
std::string start_autocommit_upgrade(const HistoryTable& t, StepStart start);
// Before a `transaction: none` downgrade's first statement; a fresh step only from an applied
// row. $1 revision, $2 operation, $3 statements already done, $4 applied_by.
std::string start_autocommit_downgrade(const HistoryTable& t, StepStart start);
// After each statement of a `transaction: none` step. $1 revision, $2 statements done.
std::string record_progress(const HistoryTable& t);
// A `transaction: none` step that stopped. $1 revision, $2 statements done, $3 error.
std::string record_failure(const HistoryTable& t);
// The end of a `transaction: none` upgrade. $1 revision, $2 duration_ms, $3 checksum.
std::string finish_autocommit_upgrade(const HistoryTable& t);
// Removes a revision's row (`transaction: none` downgrade, stamp). $1 revision.
std::string delete_revision(const HistoryTable& t);
// A succeeded step's audit row. $1 revision, $2 operation, $3 duration_ms, $4 applied_by.
std::string log_succeeded(const HistoryTable& t);
// An audit row for any outcome. $1 revision, $2 operation, $3 outcome, $4 duration_ms,
// $5 applied_by, $6 sqlstate ('' for none), $7 error ('' for none).
std::string log_outcome(const HistoryTable& t);

// A stamped revision's row. $1 revision, $2 parents joined with ',', $3 checksum, $4 message,
// $5 applied_by.
std::string stamp_insert(const HistoryTable& t);
// A stamp's audit row. $1 revision, $2 applied_by.
std::string log_stamp(const HistoryTable& t);
// `repair --rollback` of a downgrade: the revision is applied again. $1 revision.
std::string abandon_downgrade(const HistoryTable& t);
// `repair --rollback`'s audit row. $1 revision, $2 applied_by.
std::string log_repair(const HistoryTable& t);

// A SQL string literal as PostgreSQL's quote_literal() writes it: 'it''s', and E'a\\b' when
// the value holds a backslash, so it reads the same whatever standard_conforming_strings is.
std::string quote_literal(std::string_view value);

// `sql` with each $n outside quoted strings and identifiers replaced by values[n - 1], which
// must be SQL already (literals from quote_literal(), numbers, expressions). Throws
// std::out_of_range for a $n with no value.
std::string bind_values(std::string_view sql, const std::vector<std::string>& values);

} // namespace schemagate::store::history_sql
