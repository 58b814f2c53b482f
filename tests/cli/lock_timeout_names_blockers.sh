# The statement that hits its lock_timeout starts late in its step: after a 1.7s statement,
# past the one point (3/4 of the 2s lock timeout) where blockers used to be sampled.
# Every attempt's warning and the final error still name the session in the way: the watch
# looks for blockers throughout the step, not once at a fixed point.
. "$(dirname "$0")/lib.sh"
new_db
fixture="$SOURCE_DIR/tests/fixtures/blocked_late"
sg upgrade 001 --dir "$fixture"; expect_rc 0

psql_db -c "BEGIN; SELECT count(*) FROM accounts; SELECT pg_sleep(30); COMMIT;" >/dev/null &
blocker=$!
trap 'kill $blocker 2>/dev/null || true; cleanup' EXIT
wait_for_sleeping_session "pg_sleep(30)"

sg upgrade head --dir "$fixture" --ddl-lock-timeout 2s --lock-retries 1
expect_rc 1
attempts=$(grep -c "hit on attempt 1 of 2; blocked by: pid" "$WORK/err" || true)
[ "$attempts" = 1 ] || fail "the retry warning does not name the blocking session"
grep -q "(not seen)" "$WORK/err" && fail "an attempt saw no blocker"
expect_err "SQLSTATE 55P03"
grep "SQLSTATE 55P03" "$WORK/err" | grep -q "blocked by:.*pid" \
  || fail "the final error does not name the blocking session"
expect_err "SELECT pg_sleep(30)"
[ "$(sql "SELECT count(*) FROM information_schema.columns WHERE table_name = 'accounts' AND column_name = 'nickname'")" = 0 ] \
  || fail "the column exists although every attempt timed out"
echo "ok"
