# A `transaction: none` revision prints CREATE INDEX CONCURRENTLY (and, down, DROP INDEX
# CONCURRENTLY) outside any BEGIN/COMMIT, with its progress bookkeeping as autocommit
# statements, and psql runs the script: the index is valid and the history says applied.
. "$(dirname "$0")/lib.sh"
new_db
fixture="$SOURCE_DIR/tests/fixtures/concurrent_index"

# Fails unless every line matching $1 in $WORK/out is outside BEGIN; ... COMMIT;
outside_transaction() {
  awk -v pat="$1" '
    /^BEGIN;$/ { open = 1 } /^COMMIT;$/ { open = 0 }
    $0 ~ pat { found = 1; if (open) bad = 1 }
    END { exit (found && !bad) ? 0 : 1 }' "$WORK/out"
}
apply() {
  PGPASSWORD=$PGTMP_PASSWORD psql -X -q -v ON_ERROR_STOP=1 -h "$PGTMP_HOST" -p "$PGTMP_PORT" \
    -U "$PGTMP_USER" -d "$DB" -f "$1" >"$WORK/psql.out" 2>&1 \
    || { cat "$WORK/psql.out" >&2; fail "psql could not run $1"; }
}

set +e
env -u DATABASE_URL PGHOST=127.0.0.1 PGPORT=1 PGCONNECT_TIMEOUT=2 \
  "$SCHEMAGATE" upgrade --sql --from base --dir "$fixture" >"$WORK/out" 2>"$WORK/err"
RC=$?
set -e
expect_rc 0
outside_transaction '^CREATE INDEX CONCURRENTLY items_name_idx' \
  || fail "CREATE INDEX CONCURRENTLY is missing or inside a transaction block"
outside_transaction "statements_done = 1 WHERE revision = '002'" \
  || fail "the progress bookkeeping is missing or inside a transaction block"
expect_out "SET lock_timeout = '0ms';" # CONCURRENTLY waits without one (README)
expect_out "RESET ALL;"
cp "$WORK/out" "$WORK/up.sql"
apply "$WORK/up.sql"
[ "$(sql "SELECT indisvalid FROM pg_index WHERE indexrelid = 'items_name_idx'::regclass")" = t ] \
  || fail "the index is missing or invalid"
[ "$(sql "SELECT string_agg(revision || ':' || state || ':' || statements_done, ',' ORDER BY seq)
           FROM schemagate_history")" = "001:applied:0,002:applied:1" ] \
  || fail "the history does not record 001 and 002 as applied"
sg status --dir "$fixture"; expect_rc 0

set +e
env -u DATABASE_URL PGHOST=127.0.0.1 PGPORT=1 PGCONNECT_TIMEOUT=2 \
  "$SCHEMAGATE" downgrade --sql base --from head --dir "$fixture" >"$WORK/out" 2>"$WORK/err"
RC=$?
set -e
expect_rc 0
outside_transaction '^DROP INDEX CONCURRENTLY items_name_idx' \
  || fail "DROP INDEX CONCURRENTLY is missing or inside a transaction block"
cp "$WORK/out" "$WORK/down.sql"
apply "$WORK/down.sql"
[ "$(sql "SELECT to_regclass('public.items') IS NULL")" = t ] || fail "the downgrade left the table"
[ "$(sql "SELECT count(*) FROM schemagate_history")" = 0 ] || fail "the history is not empty"
echo "ok"
