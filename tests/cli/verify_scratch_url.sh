# `verify --scratch-url` uses the given database instead of creating one: it refuses one that
# holds tables (exit 2, naming them), and on an empty one it leaves only the history tables,
# so it can run there again.
. "$(dirname "$0")/lib.sh"
new_db
cd "$SOURCE_DIR"
scratch_url=$DATABASE_URL
# --database-url points nowhere: with --scratch-url it is not used.
export DATABASE_URL="postgresql://nobody:nothing@127.0.0.1:1/none"

sg verify --scratch-url "$scratch_url"; expect_rc 0
expect_out "verify: 8 of 8 revision(s) reversible"
if grep -q "created scratch database" "$WORK/err"; then fail "verify created a database"; fi
[ "$(sql "SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace")" \
  = "schemagate_history,schemagate_history_log" ] || fail "verify left more than the history tables"
[ "$(sql "SELECT count(*) FROM schemagate_history")" = 0 ] || fail "history not empty after verify"
if grep -qF -- "$PGTMP_PASSWORD" "$WORK/out" "$WORK/err"; then fail "the password was printed"; fi

sg verify --scratch-url "$scratch_url" --json; expect_rc 0
expect_out '"scratch_created": false'
expect_out '"database": "postgresql://'
if grep -qF -- "$PGTMP_PASSWORD" "$WORK/out" "$WORK/err"; then fail "the password was printed"; fi

sql "CREATE TABLE precious (id integer); CREATE VIEW precious_view AS SELECT * FROM precious"
sg verify --scratch-url "$scratch_url"; expect_rc 2
expect_err "--scratch-url: the database is not empty, it holds public.precious, public.precious_view"
[ "$(sql "SELECT count(*) FROM schemagate_history_log")" = 64 ] || fail "the refused run wrote to the audit log"
if grep -qF -- "$PGTMP_PASSWORD" "$WORK/out" "$WORK/err"; then fail "the password was printed"; fi
echo "ok"
