# A long transaction holds a lock on a busy table. The migration's ALTER TABLE gives up after
# its lock_timeout, logs who blocks it, and retries with backoff; meanwhile the application's
# queries on that table keep flowing: none waits much longer than one lock_timeout, where
# without the timeout each would queue behind the ALTER until the blocker ends (~5s).
. "$(dirname "$0")/lib.sh"
new_db
fixture="$SOURCE_DIR/tests/fixtures/alter_busy_table"
sg upgrade 001 --dir "$fixture"; expect_rc 0

# The blocker: a reporting job that read the table and then sits in its transaction for 5s.
psql_db -c "BEGIN; SELECT count(*) FROM accounts; SELECT pg_sleep(5); COMMIT;" >/dev/null &
blocker=$!
sleep 0.3

"$SCHEMAGATE" upgrade head --dir "$fixture" --ddl-lock-timeout 300ms --lock-retries 30 \
  >"$WORK/out" 2>"$WORK/err" &
runner=$!

# The application: one query at a time for 4 seconds, each timed.
worst=0
end=$(( $(date +%s) + 4 ))
while [ "$(date +%s)" -lt "$end" ]; do
  t0=$(date +%s%N)
  psql_db -c "SELECT count(*) FROM accounts" >/dev/null
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  [ "$ms" -gt "$worst" ] && worst=$ms
done
set +e; wait "$runner"; RC=$?; set -e
wait "$blocker" || true

expect_rc 0
grep -q "lock_timeout (300ms) hit on attempt 1" "$WORK/err" || fail "no retry was logged"
expect_err "blocked by: pid"
expect_err "(psql, active"
[ "$(sql "SELECT count(*) FROM information_schema.columns WHERE table_name = 'accounts' AND column_name = 'nickname'")" = 1 ] \
  || fail "the migration did not apply after the blocker ended"
echo "worst application query: ${worst}ms"
[ "$worst" -lt 2000 ] || fail "an application query waited ${worst}ms behind the migration"
echo "ok"
