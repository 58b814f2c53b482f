# `upgrade --lint` lints exactly the revisions it would apply. Clean ones run; an error in any
# of them refuses the whole run with exit 4 before anything changes (history, audit log and
# schema stay as they were); warnings are logged and the run goes on.
. "$(dirname "$0")/lib.sh"
new_db
dir="$SOURCE_DIR/tests/fixtures/lint_dangerous"

sg upgrade --lint 001 --dir "$dir"
expect_rc 0
[ "$(sql "SELECT string_agg(revision, ',') FROM schemagate_history")" = "001" ] || fail "001 was not applied"

before=$(schema_snapshot)
log_rows=$(sql "SELECT count(*) FROM schemagate_history_log")
sg upgrade --lint --dir "$dir"
expect_rc 4
expect_err "002_dangerous_changes.sql:5: SG101 error: "
expect_err "002_dangerous_changes.sql:18: SG107 error: "
expect_err "upgrade refused before running anything: lint found 6 error(s)"
[ "$(sql "SELECT string_agg(revision, ',') FROM schemagate_history")" = "001" ] || fail "the history changed"
[ "$(sql "SELECT count(*) FROM schemagate_history_log")" = "$log_rows" ] || fail "the audit log changed"
[ "$(schema_snapshot)" = "$before" ] || fail "the schema changed"

# Warnings do not refuse: 002 of lint_warnings drops a column (SG106).
warn="$SOURCE_DIR/tests/fixtures/lint_warnings"
sg upgrade --lint 002 --dir "$warn" --history-table warn_history
expect_rc 0
expect_err "002_drop_legacy_code.sql:5: SG106 warning: "
[ "$(sql "SELECT count(*) FROM warn_history")" = 2 ] || fail "002 of lint_warnings was not applied"
echo "ok"
