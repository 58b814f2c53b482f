# The migration's connection is terminated in the middle of a step: schemagate reconnects,
# re-reads the history, runs the rolled-back step again, and exits 0 with everything applied
# exactly once.
. "$(dirname "$0")/lib.sh"
new_db
fixture="$SOURCE_DIR/tests/fixtures/slow_step"

"$SCHEMAGATE" upgrade head --dir "$fixture" >"$WORK/out" 2>"$WORK/err" &
runner=$!
pid=$(wait_for_query "SELECT pg_sleep(4)")
sql "SELECT pg_terminate_backend($pid)" >/dev/null
set +e; wait "$runner"; RC=$?; set -e
expect_rc 0
expect_err "reconnecting"
[ "$(sql "SELECT count(*) FROM slow_table")" = 1000 ] || fail "002 was not applied after reconnecting"
[ "$(sql "SELECT count(*) FROM schemagate_history_log WHERE revision = '002' AND outcome = 'succeeded'")" = 1 ] \
  || fail "002 was applied more than once"
echo "ok"
