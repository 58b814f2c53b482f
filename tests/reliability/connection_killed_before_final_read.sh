# The migration connection is lost after the last revision committed, while schemagate reads the
# final state for /readyz and the metrics (--listen). Every revision is applied and recorded, so
# the run reached its target: it must exit 0 (reconnecting for the read), not 5, and leave the
# schema of a clean run and a consistent history.
#
# Made deterministic on a cluster of this test's own:
# 1. the only revision's COMMIT waits for a synchronous standby that never connects
#    (synchronous_standby_names), holding its lock on the history table;
# 2. a blocker then asks for an ACCESS EXCLUSIVE lock on the history table, and queues;
# 3. the standby requirement is lifted: the COMMIT returns, the blocker gets its lock, and
#    schemagate's read of the history queues behind it;
# 4. the test terminates schemagate's backend there, then ends the blocker.
. "$(dirname "$0")/lib.sh"
start_own_cluster
fixture="$SOURCE_DIR/tests/reliability/fixtures/last_step_waits"
clean_reference "$fixture" "$WORK/ref.schema"

rel_db run
psql_admin "ALTER SYSTEM SET synchronous_standby_names = 'sg_standby_that_never_connects'" >/dev/null
psql_admin "SELECT pg_reload_conf()" >/dev/null
lift_standby() {
  psql_admin "ALTER SYSTEM RESET synchronous_standby_names" >/dev/null
  psql_admin "SELECT pg_reload_conf()" >/dev/null
}

backend_waiting() {   # the pid of $DB's backend named $1 whose query is like $2, waiting on $3
  sql "SELECT pid FROM pg_stat_activity WHERE datname = current_database()
         AND application_name = '$1' AND query LIKE '$2' AND wait_event_type = '$3'"
}
await_backend() { poll_output 500 0.01 backend_waiting "$@"; }

"$SCHEMAGATE" upgrade head --dir "$fixture" --listen 127.0.0.1:0 >"$WORK/out.run" 2>"$WORK/err.run" &
runner=$!
[ -n "$(await_backend schemagate COMMIT IPC)" ] || { lift_standby; fail "the COMMIT never waited for the standby"; }

psql -X -q -h "$PGTMP_SOCKET" -p "$PGTMP_PORT" -U "$PGTMP_USER" -d "$DB" >/dev/null 2>&1 <<'SQL' &
SET application_name = 'sg_history_blocker';
BEGIN;
LOCK TABLE schemagate_history IN ACCESS EXCLUSIVE MODE;
SELECT pg_sleep(60);
SQL
blocker=$(await_backend sg_history_blocker 'LOCK TABLE%' Lock)
[ -n "$blocker" ] || { lift_standby; fail "the blocker never queued behind the COMMIT"; }

lift_standby
pid=$(await_backend schemagate 'SELECT revision%' Lock)
[ -n "$pid" ] || { sql "SELECT pg_terminate_backend($blocker)" >/dev/null; fail "the final read never waited behind the blocker"; }
# (The history table cannot be read now: the blocker holds it. The run's log says 001 is done.)
grep -q "upgrade 001 done" "$WORK/err.run" || fail "001 is not done although the final read is under way"
sql "SELECT pg_terminate_backend($pid)" >/dev/null
sql "SELECT pg_terminate_backend($blocker)" >/dev/null
set +e; wait "$runner"; run_rc=$?; set -e

# The database is at head whatever the exit code; check that first, so that a failure below is
# about the exit code alone.
assert_consistent "$fixture" "$WORK/ref.schema"
sg upgrade head --dir "$fixture"; expect_rc 0
expect_err "nothing to upgrade"

if [ "$run_rc" -ne 0 ]; then
  echo "--- stderr of the run that lost its connection:" >&2
  cat "$WORK/err.run" >&2
  fail "001 was applied, but the run that lost its connection after the last COMMIT exited $run_rc instead of 0"
fi
[ "$(grep -c "upgrade base -> 001" "$WORK/err.run")" = 1 ] || fail "001 was run more than once"
echo "ok"
