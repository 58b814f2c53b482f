# CREATE INDEX CONCURRENTLY in a `transaction: none` file waits for older transactions (here a
# 4s report) without a lock timeout: such waits block no application query, and a timeout
# would only fail the step and leave an INVALID index. --ddl-lock-timeout (2s by default) still
# binds every other statement, and a file's `-- lock-timeout:` binds them all.
. "$(dirname "$0")/lib.sh"
new_db
fixture="$SOURCE_DIR/tests/fixtures/concurrent_index"
sg upgrade 001 --dir "$fixture"; expect_rc 0

psql_db() { PGPASSWORD=$PGTMP_PASSWORD psql -X -q -A -t -h "$PGTMP_HOST" -p "$PGTMP_PORT" -U "$PGTMP_USER" -d "$DB" "$@"; }
psql_db -c "BEGIN; SELECT count(*) FROM items; SELECT pg_sleep(4); COMMIT;" >/dev/null &
report=$!
running() { poll_output 100 0.05 sql "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%pg_sleep($1)%' AND pid <> pg_backend_pid()"; }
[ -n "$(running 4)" ] || fail "the report did not start"
sg upgrade head --dir "$fixture"
wait "$report" || true
expect_rc 0
[ "$(sql "SELECT indisvalid FROM pg_index WHERE indexrelid = 'items_name_idx'::regclass")" = t ] \
  || fail "the index is not valid"

# A file's own lock timeout still wins.
sg downgrade 001 --dir "$fixture"; expect_rc 0
sed 's/^-- transaction: none$/-- transaction: none\n-- lock-timeout: 500ms/' \
  "$fixture/002_index_items_name.sql" > "$WORK/002_index_items_name.sql"
cp "$fixture/001_items.sql" "$WORK/"
psql_db -c "BEGIN; SELECT count(*) FROM items; SELECT pg_sleep(3); COMMIT;" >/dev/null &
report=$!
[ -n "$(running 3)" ] || fail "the report did not start"
sg upgrade head --dir "$WORK"
wait "$report" || true
expect_rc 1
expect_err "SQLSTATE 55P03"
echo "ok"
