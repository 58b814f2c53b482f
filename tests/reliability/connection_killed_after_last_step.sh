# The migration connection is lost right after the last revision committed, while schemagate
# announces it (NOTIFY), before it reads the final state for /readyz and the metrics. Every
# revision is applied and recorded, so the run reached its target: it must exit 0 (reconnecting
# if it still needs the database), not 5, and leave the schema of a clean run and a consistent
# history.
#
# Made deterministic on a cluster of this test's own. A NOTIFY takes a cluster-wide lock while
# its transaction commits; a blocker session holds that lock for as long as its own COMMIT
# waits for a synchronous standby (synchronous_standby_names names one that never connects). So
# schemagate's NOTIFY after its only revision waits on that lock, and the test terminates the
# backend there.
. "$(dirname "$0")/lib.sh"
start_own_cluster
fixture="$SOURCE_DIR/tests/reliability/fixtures/single_step"
clean_reference "$fixture" "$WORK/ref.schema"

rel_db run
psql_admin "ALTER SYSTEM SET synchronous_standby_names = 'sg_standby_that_never_connects'" >/dev/null
psql_admin "SELECT pg_reload_conf()" >/dev/null
# In the postgres database: the lock is cluster-wide. A commit waits for the standby only when
# its transaction wrote WAL, hence the temporary table.
psql -X -q -h "$PGTMP_SOCKET" -p "$PGTMP_PORT" -U "$PGTMP_USER" -d postgres >/dev/null 2>&1 <<'SQL' &
SET application_name = 'sg_notify_blocker';
BEGIN;
SET LOCAL synchronous_commit = on;
CREATE TEMPORARY TABLE blocker_wrote_wal (id int);
SELECT pg_notify('sg_notify_blocker', 'x');
COMMIT;
SQL
blocker=""
for _ in $(seq 200); do
  blocker=$(psql_admin "SELECT pid FROM pg_stat_activity
                          WHERE application_name = 'sg_notify_blocker' AND wait_event = 'SyncRep'")
  [ -n "$blocker" ] && break
  sleep 0.01
done
[ -n "$blocker" ] || fail "the blocker's COMMIT never waited for the standby"

release_blocker() {
  psql_admin "SELECT pg_cancel_backend($blocker)" >/dev/null
  psql_admin "ALTER SYSTEM RESET synchronous_standby_names" >/dev/null
  psql_admin "SELECT pg_reload_conf()" >/dev/null
}

"$SCHEMAGATE" upgrade head --dir "$fixture" >"$WORK/out.run" 2>"$WORK/err.run" &
runner=$!
pid=""
for _ in $(seq 200); do
  pid=$(sql "SELECT pid FROM pg_stat_activity WHERE datname = current_database()
               AND application_name = 'schemagate' AND query LIKE 'SELECT pg_notify%'
               AND wait_event_type = 'Lock'")
  [ -n "$pid" ] && break
  sleep 0.01
done
[ -n "$pid" ] || { release_blocker; fail "schemagate's NOTIFY never waited behind the blocker"; }
[ "$(sql "SELECT count(*) FROM schemagate_history WHERE revision = '001' AND state = 'applied'")" = 1 ] \
  || { release_blocker; fail "001 is not committed although its NOTIFY is under way"; }
sql "SELECT pg_terminate_backend($pid)" >/dev/null
set +e; wait "$runner"; run_rc=$?; set -e
release_blocker

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
echo "ok"
