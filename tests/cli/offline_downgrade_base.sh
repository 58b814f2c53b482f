# `downgrade --sql base --from head`, printed without a database and run through psql after a
# real `upgrade head`, leaves an empty schema and an empty history, with each downgrade in the
# audit log.
. "$(dirname "$0")/lib.sh"
new_db
cd "$SOURCE_DIR"

empty=$(schema_snapshot)
sg upgrade head; expect_rc 0

set +e
env -u DATABASE_URL PGHOST=127.0.0.1 PGPORT=1 PGCONNECT_TIMEOUT=2 \
  "$SCHEMAGATE" downgrade --sql base --from head >"$WORK/out" 2>"$WORK/err"
RC=$?
set -e
expect_rc 0
expect_out "-- revisions: 008, 007, 006, 005, 004, 003, 002, 001"
expect_out "-- downgrade 008 (parents: 007)"
cp "$WORK/out" "$WORK/script.sql"

PGPASSWORD=$PGTMP_PASSWORD psql -X -q -v ON_ERROR_STOP=1 -h "$PGTMP_HOST" -p "$PGTMP_PORT" \
  -U "$PGTMP_USER" -d "$DB" -f "$WORK/script.sql" >"$WORK/psql.out" 2>&1 \
  || { cat "$WORK/psql.out" >&2; fail "psql could not run the printed SQL"; }

[ "$(schema_snapshot)" = "$empty" ] || fail "the printed downgrade left schema objects behind"
[ "$(sql "SELECT count(*) FROM schemagate_history")" = 0 ] || fail "the history is not empty"
[ "$(sql "SELECT string_agg(revision, ',' ORDER BY id) FROM schemagate_history_log
           WHERE operation = 'downgrade' AND outcome = 'succeeded'")" = "008,007,006,005,004,003,002,001" ] \
  || fail "the audit log does not hold the 8 downgrades, newest first"
sg current; expect_rc 0; expect_err "the database is at base"
echo "ok"
