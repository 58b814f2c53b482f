# The migration connection terminated (pg_terminate_backend) at COMMIT, on a cluster of this
# test's own. The README: a COMMIT that got no answer is never assumed, its outcome is read back
# from the history; the run reconnects and continues. Every case must exit 0 with each revision
# applied exactly once, the schema of a clean run and a consistent history.
#
# 1. before the commit record: a deferred constraint trigger makes the COMMIT take a second;
#    terminated then, the transaction is lost, so the revision must be run again.
# 2. after the commit record: with synchronous_standby_names naming a standby that never
#    connects, a `SET LOCAL synchronous_commit = on` revision's COMMIT is written and then waits;
#    terminated then, the transaction is committed but the answer is lost, so the revision must
#    NOT be run again.
# 3. a sweep: the backend is terminated at increasing delays (0 to ~10ms, timed on the server)
#    after a marker statement ends, so the kill lands on the fast last statement, the history
#    insert, the COMMIT, or the next revision.
#
# Only the migration connection is terminated, never the lock connection: that one is `idle in
# transaction` after `SELECT pg_try_advisory_xact_lock(...)`; the migration connection is the
# one running the step's statements.
. "$(dirname "$0")/lib.sh"
start_own_cluster
fixtures="$SOURCE_DIR/tests/reliability/fixtures"
iterations=${SG_REL_COMMIT_ITERATIONS:-25}
step_us=${SG_REL_COMMIT_STEP_US:-300}

migration_backend() {   # the pid of $DB's schemagate backend whose active query is $1, if any
  sql "SELECT pid FROM pg_stat_activity WHERE datname = current_database()
         AND application_name = 'schemagate' AND state = 'active' AND query = '$1'"
}

terminate_when_active() {   # waits for a schemagate backend running query $1, terminates it
  local pid
  pid=$(poll_output 500 0.01 migration_backend "$1")
  [ -n "$pid" ] || fail "no schemagate backend ever ran '$1'"
  sql "SELECT wait_event FROM pg_stat_activity WHERE pid = $pid" > "$WORK/wait_event"
  [ "$(sql "SELECT pg_terminate_backend($pid)")" = t ] || fail "could not terminate pid $pid"
}

# 1. Terminated in a COMMIT that has not committed yet.
clean_reference "$fixtures/commit_deferred" "$WORK/ref-deferred.schema"
rel_db deferred
"$SCHEMAGATE" upgrade head --dir "$fixtures/commit_deferred" >"$WORK/out" 2>"$WORK/err" &
runner=$!
terminate_when_active "COMMIT"
set +e; wait "$runner"; RC=$?; set -e
expect_rc 0
expect_err "revision 001: the COMMIT got no answer"
expect_err "reconnecting"
[ "$(grep -c "upgrade base -> 001" "$WORK/err")" = 2 ] || fail "001 should have been run a second time"
assert_consistent "$fixtures/commit_deferred" "$WORK/ref-deferred.schema"
echo "1: terminated before the commit record: 001 rerun, exit 0, consistent" >&2

# 2. Terminated after the commit record, before the answer.
clean_reference "$fixtures/commit_sync_wait" "$WORK/ref-sync.schema"
psql_admin "ALTER SYSTEM SET synchronous_standby_names = 'sg_standby_that_never_connects'" >/dev/null
psql_admin "SELECT pg_reload_conf()" >/dev/null
rel_db syncwait
"$SCHEMAGATE" upgrade head --dir "$fixtures/commit_sync_wait" >"$WORK/out" 2>"$WORK/err" &
runner=$!
terminate_when_active "COMMIT"
set +e; wait "$runner"; RC=$?; set -e
psql_admin "ALTER SYSTEM RESET synchronous_standby_names" >/dev/null
psql_admin "SELECT pg_reload_conf()" >/dev/null
[ "$(cat "$WORK/wait_event")" = SyncRep ] || fail "the COMMIT was not waiting for the standby but for '$(cat "$WORK/wait_event")'"
expect_rc 0
expect_err "revision 001: the COMMIT got no answer"
[ "$(grep -c "upgrade base -> 001" "$WORK/err")" = 1 ] || fail "001 committed, yet was run again"
assert_consistent "$fixtures/commit_sync_wait" "$WORK/ref-sync.schema"
echo "2: terminated after the commit record: 001 kept, not rerun, exit 0, consistent" >&2

# 3. The sweep. Every iteration runs; the failures are listed at the end.
clean_reference "$fixtures/commit_race" "$WORK/ref-race.schema"
declare -A landed
failures=()
for n in $(seq 0 $((iterations - 1))); do
  rel_db "s$n"
  delay_us=$((n * step_us))
  # The killer runs on the server: it sees the marker end within microseconds and busy-waits
  # the delay, which a client polling pg_stat_activity could not time.
  psql -X -q -A -t -h "$PGTMP_SOCKET" -p "$PGTMP_PORT" -U "$PGTMP_USER" -d "$DB" >"$WORK/killer" 2>&1 <<SQL &
SET client_min_messages = warning;
DO \$\$
DECLARE
  p int;
  what text;
  until_ts timestamptz;
  deadline timestamptz := clock_timestamp() + interval '60 s';
BEGIN
  LOOP
    PERFORM pg_stat_clear_snapshot();
    SELECT pid INTO p FROM pg_stat_activity
     WHERE datname = current_database() AND application_name = 'schemagate'
       AND state = 'active' AND query = 'SELECT pg_sleep(0.21)';
    EXIT WHEN p IS NOT NULL;
    IF clock_timestamp() > deadline THEN RAISE EXCEPTION 'the marker statement never ran'; END IF;
    PERFORM pg_sleep(0.002);
  END LOOP;
  LOOP
    PERFORM pg_stat_clear_snapshot();
    EXIT WHEN NOT EXISTS (SELECT 1 FROM pg_stat_activity
                           WHERE pid = p AND state = 'active' AND query = 'SELECT pg_sleep(0.21)');
  END LOOP;
  until_ts := clock_timestamp() + make_interval(secs => $delay_us / 1e6);
  WHILE clock_timestamp() < until_ts LOOP END LOOP;
  PERFORM pg_stat_clear_snapshot();
  SELECT coalesce(state, '?') || ': ' || left(query, 30) INTO what FROM pg_stat_activity WHERE pid = p;
  IF pg_terminate_backend(p) THEN
    RAISE WARNING 'terminated while %', coalesce(what, 'gone');
  ELSE
    RAISE WARNING 'terminated while gone';
  END IF;
END
\$\$;
SQL
  killer=$!
  sleep 0.1
  sg upgrade head --dir "$fixtures/commit_race"
  wait "$killer" || { cat "$WORK/killer" >&2; fail "sweep $n: the killer failed"; }
  where=$(sed -n 's/.*terminated while //p' "$WORK/killer")
  landed[$where]=$(( ${landed[$where]:-0} + 1 ))
  outcome="exit $RC"
  grep -q "COMMIT got no answer" "$WORK/err" && outcome="$outcome, COMMIT read back"
  grep -q "reconnecting" "$WORK/err" && outcome="$outcome, reconnected"
  echo "sweep $n: terminated ${delay_us}µs after the marker, while $where: $outcome" >&2
  if [ "$RC" -ne 0 ]; then
    failures+=("${delay_us}µs, while $where: exit $RC after '$(grep -E ' (info|warning) ' "$WORK/err" | tail -1 | cut -d' ' -f3-)': $(grep 'error' "$WORK/err" | tail -1)")
    wait_sessions_gone
    sg upgrade head --dir "$fixtures/commit_race"
    [ "$RC" -eq 0 ] || fail "sweep $n: the rerun exited $RC"
  fi
  assert_consistent "$fixtures/commit_race" "$WORK/ref-race.schema"
done
echo "3: $iterations terminations; where they landed:" >&2
for key in "${!landed[@]}"; do echo "   ${landed[$key]}x $key" >&2; done
if [ "${#failures[@]}" -gt 0 ]; then
  printf '   %s\n' "${failures[@]}" >&2
  fail "${#failures[@]} of $iterations terminations did not end in exit 0 (listed above)"
fi
echo "ok"
