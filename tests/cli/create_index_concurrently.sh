# A `transaction: none` revision runs CREATE INDEX CONCURRENTLY while 5 other copies wait for
# the lock: the waiters poll instead of blocking, so nothing deadlocks and the index is valid.
. "$(dirname "$0")/lib.sh"
new_db
fixture="$SOURCE_DIR/tests/fixtures/concurrent_index"

pids=()
for i in $(seq 6); do
  timeout 60 "$SCHEMAGATE" upgrade head --dir "$fixture" >"$WORK/out.$i" 2>"$WORK/err.$i" &
  pids+=($!)
done
for i in "${!pids[@]}"; do
  wait "${pids[$i]}" || { cat "$WORK/err.$((i + 1))" >&2; fail "copy $((i + 1)) failed or hung"; }
done
[ "$(sql "SELECT indisvalid FROM pg_index WHERE indexrelid = 'items_name_idx'::regclass")" = t ] \
  || fail "the index is missing or invalid"
[ "$(sql "SELECT count(*) FROM schemagate_history")" = 2 ] || fail "history does not hold 2 rows"

sg downgrade base --dir "$fixture"; expect_rc 0
[ "$(sql "SELECT to_regclass('public.items') IS NULL")" = t ] || fail "downgrade base left the table"
echo "ok"
