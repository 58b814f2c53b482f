# The first SIGTERM lets a `transaction: none` statement finish (cancelling it could leave an
# INVALID index); a second signal exits at once with 130. The step is then recorded as
# interrupted, and `repair --resume` completes it.
. "$(dirname "$0")/lib.sh"
new_db
fixture="$SOURCE_DIR/tests/fixtures/slow_autocommit"

"$SCHEMAGATE" upgrade head --dir "$fixture" >"$WORK/out" 2>"$WORK/err" &
runner=$!
wait_for_query "SELECT pg_sleep(4)" >/dev/null
start=$(date +%s%N)
kill -TERM "$runner"; sleep 0.2; kill -TERM "$runner"
set +e; wait "$runner"; RC=$?; set -e
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect_rc 130
[ "$elapsed_ms" -lt 2000 ] || fail "the second signal took ${elapsed_ms}ms to end the process"

wait_for_schemagate_gone
sg validate --dir "$fixture"; expect_rc 4
expect_out "revision 002 was interrupted during its upgrade"
sg repair 002 --resume --dir "$fixture"; expect_rc 0
sg status --dir "$fixture"; expect_rc 0
echo "ok"
