# Without --from, `upgrade --sql` reads the state from the database and prints only what is
# pending, writing nothing: no history table on an empty database, and afterwards the same
# history, audit log and schema as before.
. "$(dirname "$0")/lib.sh"
new_db
cd "$SOURCE_DIR"

sg upgrade --sql; expect_rc 0
expect_out "-- from: base, as public.schemagate_history recorded it when this was printed"
expect_out "-- revisions: 001, 002, 003, 004, 005, 006, 007, 008"
[ "$(sql "SELECT to_regclass('public.schemagate_history') IS NULL
              AND to_regclass('public.schemagate_history_log') IS NULL")" = t ] \
  || fail "upgrade --sql created the history table"
[ "$(sql "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")" = 0 ] \
  || fail "upgrade --sql created objects"

sg upgrade 004; expect_rc 0
history=$(sql "SELECT revision, checksum, applied_at, state FROM schemagate_history ORDER BY seq")
audit=$(sql "SELECT count(*) FROM schemagate_history_log")
schema=$(schema_snapshot)

sg upgrade --sql head; expect_rc 0
expect_out "-- from: 004, as public.schemagate_history recorded it when this was printed"
expect_out "-- revisions: 005, 006, 007, 008"
if grep -q "^-- upgrade 00[1-4] " "$WORK/out"; then fail "an applied revision was printed"; fi
cp "$WORK/out" "$WORK/script.sql"
[ "$(sql "SELECT revision, checksum, applied_at, state FROM schemagate_history ORDER BY seq")" = "$history" ] \
  || fail "upgrade --sql changed the history"
[ "$(sql "SELECT count(*) FROM schemagate_history_log")" = "$audit" ] || fail "upgrade --sql wrote to the audit log"
[ "$(schema_snapshot)" = "$schema" ] || fail "upgrade --sql changed the schema"

# The database side of a downgrade too: only applied revisions are undone.
sg downgrade --sql 002; expect_rc 0
expect_out "-- revisions: 004, 003"

PGPASSWORD=$PGTMP_PASSWORD psql -X -q -v ON_ERROR_STOP=1 -h "$PGTMP_HOST" -p "$PGTMP_PORT" \
  -U "$PGTMP_USER" -d "$DB" -f "$WORK/script.sql" >"$WORK/psql.out" 2>&1 \
  || { cat "$WORK/psql.out" >&2; fail "psql could not run the printed SQL"; }
sg status; expect_rc 0; expect_out "at target: yes"

# At the target there is nothing to print but the header.
sg upgrade --sql head; expect_rc 0
expect_out "-- revisions: none, already at the target"
if grep -q "^BEGIN;" "$WORK/out"; then fail "SQL printed although nothing is pending"; fi
echo "ok"
