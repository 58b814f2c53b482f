# CREATE INDEX CONCURRENTLY in a `transaction: none` file waits for older transactions (here a
# 4s report) without a lock timeout: such waits block no application query, and a timeout
# would only fail the step and leave an INVALID index. --ddl-lock-timeout (2s by default) still
# binds every other statement, and a file's `-- lock-timeout:` binds them all.
. "$(dirname "$0")/lib.sh"
new_db
fixture="$SOURCE_DIR/tests/fixtures/concurrent_index"
sg upgrade 001 --dir "$fixture"; expect_rc 0

# upgrade_during_report SECONDS DIR: `upgrade head --dir DIR` while a report holds its
# transaction on items open for SECONDS.
upgrade_during_report() {
  psql_db -c "BEGIN; SELECT count(*) FROM items; SELECT pg_sleep($1); COMMIT;" >/dev/null &
  local report=$!
  wait_for_sleeping_session "pg_sleep($1)"
  sg upgrade head --dir "$2"
  wait "$report" || true
}

upgrade_during_report 4 "$fixture"
expect_rc 0
[ "$(sql "SELECT indisvalid FROM pg_index WHERE indexrelid = 'items_name_idx'::regclass")" = t ] \
  || fail "the index is not valid"

# A file's own lock timeout still wins.
sg downgrade 001 --dir "$fixture"; expect_rc 0
sed 's/^-- transaction: none$/-- transaction: none\n-- lock-timeout: 500ms/' \
  "$fixture/002_index_items_name.sql" > "$WORK/002_index_items_name.sql"
cp "$fixture/001_items.sql" "$WORK/"
upgrade_during_report 3 "$WORK"
expect_rc 1
expect_err "SQLSTATE 55P03"
echo "ok"
