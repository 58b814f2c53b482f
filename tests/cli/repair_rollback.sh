# A `transaction: none` revision whose second statement fails is recorded as failed at that
# statement; after undoing the first statement by hand, `repair --rollback` records it as not
# applied, and a fixed file then applies cleanly.
. "$(dirname "$0")/lib.sh"
new_db
cp -a "$SOURCE_DIR/tests/fixtures/concurrent_index" "$WORK/m"
cat > "$WORK/m/002_index_items_name.sql" <<'SQL'
-- parents: 001
-- transaction: none

-- migrate:up
CREATE INDEX CONCURRENTLY items_name_idx ON items (name);
CREATE INDEX CONCURRENTLY items_missing_idx ON items (no_such_column);

-- migrate:down
DROP INDEX CONCURRENTLY items_name_idx;
SQL
sg upgrade head --dir "$WORK/m"; expect_rc 1
expect_err "002_index_items_name.sql:6:"
expect_err "42703"
expect_err "statements 1 to 1 of 2 are committed"
[ "$(sql "SELECT state || ':' || statements_done FROM schemagate_history WHERE revision = '002'")" = failed:1 ] \
  || fail "002 is not recorded as failed after statement 1"
sg upgrade head --dir "$WORK/m"; expect_rc 4
expect_err "schemagate repair 002 --rollback"

# Undo statement 1 by hand, as the message asks, then record the rollback.
sql "DROP INDEX items_name_idx" >/dev/null
sg repair 002 --rollback --dir "$WORK/m"; expect_rc 0
[ "$(sql "SELECT count(*) FROM schemagate_history WHERE revision = '002'")" = 0 ] || fail "002 still recorded"
sed -i '/items_missing_idx/d' "$WORK/m/002_index_items_name.sql"
sg upgrade head --dir "$WORK/m"; expect_rc 0
[ "$(sql "SELECT state FROM schemagate_history WHERE revision = '002'")" = applied ] || fail "002 not applied"
echo "ok"
