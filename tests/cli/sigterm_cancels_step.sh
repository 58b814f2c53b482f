# SIGTERM during a long transactional migration cancels the running statement, rolls the
# revision back, releases the lock and exits 130 promptly.
. "$(dirname "$0")/lib.sh"
new_db
fixture="$SOURCE_DIR/tests/fixtures/slow_step"

"$SCHEMAGATE" upgrade head --dir "$fixture" >"$WORK/out" 2>"$WORK/err" &
runner=$!
wait_for_query "SELECT pg_sleep(4)" >/dev/null
start=$(date +%s%N)
kill -TERM "$runner"
set +e; wait "$runner"; RC=$?; set -e
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect_rc 130
expect_err "revision 002 was rolled back"
# pg_sleep(4) had ~4s left: exiting well before that shows the statement was cancelled.
[ "$elapsed_ms" -lt 3000 ] || fail "SIGTERM took ${elapsed_ms}ms: the statement was not cancelled"
[ "$(sql "SELECT to_regclass('public.slow_table') IS NULL")" = t ] || fail "the cancelled migration left its table"
[ "$(sql "SELECT count(*) FROM schemagate_history WHERE revision = '002'")" = 0 ] || fail "002 was recorded"
[ "$(sql "SELECT count(*) FROM schemagate_history_log WHERE revision = '002' AND outcome = 'failed'")" = 1 ] \
  || fail "the audit log does not record the interrupted step"
echo "ok"
