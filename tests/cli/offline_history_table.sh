# `--sql` honours --history-table: the printed SQL creates and fills that table (in its own
# schema, names quoted), and a real run against that table then finds nothing to do.
. "$(dirname "$0")/lib.sh"
new_db
cd "$SOURCE_DIR"
table='sg meta.hist"ory'

sg upgrade --sql --from base --history-table "$table"; expect_rc 0
expect_out '-- history table: sg meta.hist"ory'
expect_out 'CREATE SCHEMA "sg meta";'
expect_out 'INSERT INTO "sg meta"."hist""ory" '
if grep -q 'schemagate_history' "$WORK/out"; then fail "the default history table is named"; fi
cp "$WORK/out" "$WORK/script.sql"
PGPASSWORD=$PGTMP_PASSWORD psql -X -q -v ON_ERROR_STOP=1 -h "$PGTMP_HOST" -p "$PGTMP_PORT" \
  -U "$PGTMP_USER" -d "$DB" -f "$WORK/script.sql" >"$WORK/psql.out" 2>&1 \
  || { cat "$WORK/psql.out" >&2; fail "psql could not run the printed SQL"; }
[ "$(sql "SELECT count(*) FROM \"sg meta\".\"hist\"\"ory\"")" = 8 ] || fail "the table does not hold 8 rows"
[ "$(sql "SELECT count(*) FROM \"sg meta\".\"hist\"\"ory_log\"")" = 8 ] || fail "the audit log does not hold 8 rows"
sg status --history-table "$table"; expect_rc 0
sg upgrade --history-table "$table"; expect_rc 0; expect_err "nothing to upgrade"
echo "ok"
