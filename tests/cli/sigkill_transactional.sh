# SIGKILL in the middle of a long transactional migration leaves the database as if it never
# started (no table, no history row, no lock), and the next run applies it.
. "$(dirname "$0")/lib.sh"
new_db
fixture="$SOURCE_DIR/tests/fixtures/slow_step"

"$SCHEMAGATE" upgrade head --dir "$fixture" >"$WORK/out" 2>"$WORK/err" &
runner=$!
wait_for_query "SELECT pg_sleep(4)" >/dev/null
kill -KILL "$runner"
wait "$runner" 2>/dev/null || true

# The server notices the dead client (client_connection_check_interval) and rolls back.
wait_for_schemagate_gone
[ "$(sql "SELECT to_regclass('public.slow_table') IS NULL")" = t ] || fail "the killed migration left its table"
[ "$(sql "SELECT string_agg(revision, ',' ORDER BY seq) FROM schemagate_history")" = 001 ] \
  || fail "history should hold only 001 after the kill"
[ "$(sql "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")" = 0 ] \
  || fail "the killed run left its lock behind"

sg upgrade head --dir "$fixture"; expect_rc 0
[ "$(sql "SELECT count(*) FROM slow_table")" = 1000 ] || fail "the rerun did not apply 002"
echo "ok"
