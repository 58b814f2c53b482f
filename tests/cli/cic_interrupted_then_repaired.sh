# CREATE INDEX CONCURRENTLY (transaction: none) is killed midway, leaving an INVALID index.
# The next run refuses (exit 4) naming the revision, the statement's line, the INVALID index
# and both repairs; after dropping the index, `repair --resume` finishes the revision.
. "$(dirname "$0")/lib.sh"
new_db
fixture="$SOURCE_DIR/tests/fixtures/concurrent_index"
sg upgrade 001 --dir "$fixture"; expect_rc 0

# An old snapshot makes CREATE INDEX CONCURRENTLY wait in its last phase, after the INVALID
# index exists.
psql_db -c "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM items; SELECT pg_sleep(20); COMMIT;" >/dev/null 2>&1 &
snapshot=$!
sleep 0.3
"$SCHEMAGATE" upgrade head --dir "$fixture" >"$WORK/out" 2>"$WORK/err" &
runner=$!
for _ in $(seq 200); do
  [ "$(sql "SELECT count(*) FROM pg_class WHERE relname = 'items_name_idx'")" = 1 ] && break
  sleep 0.05
done
sleep 0.3
kill -KILL "$runner"
wait "$runner" 2>/dev/null || true
# The server notices the dead client within a second (client_connection_check_interval) and
# cancels the waiting CREATE INDEX CONCURRENTLY; only then may the old snapshot go away.
wait_for_schemagate_gone
kill "$snapshot" 2>/dev/null || true
sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()" >/dev/null
[ "$(sql "SELECT indisvalid FROM pg_index WHERE indexrelid = 'items_name_idx'::regclass")" = f ] \
  || fail "expected an INVALID index after the kill"

sg upgrade head --dir "$fixture"; expect_rc 4
expect_err "002_index_items_name.sql:5: revision 002 was interrupted during its upgrade"
expect_err "public.items_name_idx is INVALID"
expect_err "schemagate repair 002 --resume"
sg validate --dir "$fixture"; expect_rc 4
expect_out "public.items_name_idx is INVALID"

sql "DROP INDEX CONCURRENTLY items_name_idx" >/dev/null
sg repair 002 --resume --dir "$fixture"; expect_rc 0
[ "$(sql "SELECT indisvalid FROM pg_index WHERE indexrelid = 'items_name_idx'::regclass")" = t ] \
  || fail "repair --resume did not build a valid index"
sg validate --dir "$fixture"; expect_rc 0
sg status --dir "$fixture"; expect_rc 0
echo "ok"
