# A runner loses its migration-lock session while its step is still running. A second runner,
# waiting for the lock, takes it and reaches the same revision: it waits for the first one's
# step and sees it applied, rather than running it again and failing ("column already
# exists"). The first runner notices the lost lock before its next revision, reconnects and
# finds nothing left to do. Both exit 0; every revision ran exactly once.
. "$(dirname "$0")/lib.sh"
new_db
fixture="$SOURCE_DIR/tests/fixtures/step_outlives_lock"
sg upgrade 001 --dir "$fixture"; expect_rc 0

"$SCHEMAGATE" upgrade head --dir "$fixture" >"$WORK/a.out" 2>"$WORK/a.err" &
a=$!
wait_for_query "SELECT pg_sleep(4)" >/dev/null
"$SCHEMAGATE" upgrade head --dir "$fixture" >"$WORK/b.out" 2>"$WORK/b.err" &
b=$!
sleep 0.3
lock_pid=$(sql "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1 AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")
[ -n "$lock_pid" ] || fail "nobody holds the migration lock"
sql "SELECT pg_terminate_backend($lock_pid)" >/dev/null

set +e; wait "$b"; rc_b=$?; wait "$a"; rc_a=$?; set -e
cp "$WORK/b.err" "$WORK/err"
[ "$rc_b" = 0 ] || fail "the runner that took over exited $rc_b"
expect_err "another session finished its upgrade a moment ago"
cp "$WORK/a.err" "$WORK/err"
[ "$rc_a" = 0 ] || fail "the runner that lost its lock exited $rc_a"
expect_err "lost the migration lock"
[ "$(sql "SELECT count(*) FROM schemagate_history_log WHERE revision = '002' AND outcome = 'succeeded'")" = 1 ] \
  || fail "revision 002 was applied more than once: $(sql "SELECT * FROM schemagate_history_log WHERE revision = '002'")"
[ "$(sql "SELECT string_agg(revision, ',' ORDER BY revision) FROM schemagate_history")" = "001,002,003" ] \
  || fail "not at head"
echo "ok"
