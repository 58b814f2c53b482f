# `upgrade --sql head --from base` connects to no database, and its output, run through psql on
# an empty database, gives the same schema, history rows and audit rows as a real `upgrade head`
# on another one.
. "$(dirname "$0")/lib.sh"
new_db
cd "$SOURCE_DIR"

# No database to be had: no DATABASE_URL, and libpq pointed at a closed port.
set +e
env -u DATABASE_URL PGHOST=127.0.0.1 PGPORT=1 PGCONNECT_TIMEOUT=2 \
  "$SCHEMAGATE" upgrade --sql head --from base >"$WORK/out" 2>"$WORK/err"
RC=$?
set -e
expect_rc 0
expect_out "-- schemagate "
expect_out "-- revisions: 001, 002, 003, 004, 005, 006, 007, 008"
cp "$WORK/out" "$WORK/script.sql"

PGPASSWORD=$PGTMP_PASSWORD psql -X -q -v ON_ERROR_STOP=1 -h "$PGTMP_HOST" -p "$PGTMP_PORT" \
  -U "$PGTMP_USER" -d "$DB" -f "$WORK/script.sql" >"$WORK/psql.out" 2>&1 \
  || { cat "$WORK/psql.out" >&2; fail "psql could not run the printed SQL"; }

history_rows() {
  sql "SELECT revision, array_to_string(parents, ','), checksum, message, state, statements_done
         FROM schemagate_history ORDER BY seq"
}
audit_rows() {
  sql "SELECT revision, operation, outcome FROM schemagate_history_log ORDER BY id"
}
script_schema=$(schema_snapshot)
script_history=$(history_rows)
script_audit=$(audit_rows)

# The same upgrade, run for real on a second database.
real="${DB}_real"
PGPASSWORD=$PGTMP_PASSWORD psql -X -q -v ON_ERROR_STOP=1 -h "$PGTMP_HOST" -p "$PGTMP_PORT" \
  -U "$PGTMP_USER" -d postgres -c "CREATE DATABASE \"$real\"" >/dev/null
trap 'PGPASSWORD=$PGTMP_PASSWORD psql -X -q -h "$PGTMP_HOST" -p "$PGTMP_PORT" -U "$PGTMP_USER" -d postgres -c "DROP DATABASE IF EXISTS \"$real\" WITH (FORCE)" >/dev/null 2>&1 || true; cleanup' EXIT
script_db=$DB
DB=$real
export DATABASE_URL="postgresql://$PGTMP_USER:$PGTMP_PASSWORD@$PGTMP_HOST:$PGTMP_PORT/$real"
sg upgrade head; expect_rc 0

[ "$(history_rows | wc -l)" = 8 ] || fail "the real upgrade did not record 8 revisions"
[ "$(schema_snapshot)" = "$script_schema" ] || {
  diff <(echo "$script_schema") <(schema_snapshot) >&2 || true
  fail "the printed SQL gave a different schema than a real upgrade"
}
[ "$(history_rows)" = "$script_history" ] || {
  diff <(echo "$script_history") <(history_rows) >&2 || true
  fail "the printed SQL recorded different history rows than a real upgrade"
}
[ "$(audit_rows)" = "$script_audit" ] || fail "the printed SQL wrote different audit rows"

# The real tool reads the script's history as its own: nothing left to do.
DB=$script_db
export DATABASE_URL="postgresql://$PGTMP_USER:$PGTMP_PASSWORD@$PGTMP_HOST:$PGTMP_PORT/$script_db"
sg status; expect_rc 0
sg validate; expect_rc 0
echo "ok"
