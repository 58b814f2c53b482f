# A statement failing mid-migration exits 1, reports file:line, SQLSTATE and PostgreSQL's
# message, and rolls back: the earlier revision stays applied, the failed one leaves nothing
# behind except a 'failed' row in the audit log.
. "$(dirname "$0")/lib.sh"
new_db
fixture="$SOURCE_DIR/tests/fixtures/bad_sql_error"
file=$(sed -n 1p "$fixture/expect.txt")
line=$(sed -n 2p "$fixture/expect.txt")
sqlstate=$(tr -d '[:space:]' <"$fixture/sqlstate.txt")

sg upgrade head --dir "$fixture"
expect_rc 1
expect_err "schemagate: error:"
expect_err "/$file:$line:"
expect_err "$sqlstate"
expect_err 'duplicate key value violates unique constraint "t2_pkey"'

[ "$(sql "SELECT string_agg(revision, ',' ORDER BY revision) FROM schemagate_history")" = 001 ] \
  || fail "history should hold only 001"
[ "$(sql "SELECT to_regclass('public.t1') IS NOT NULL")" = t ] || fail "t1 of revision 001 is missing"
[ "$(sql "SELECT to_regclass('public.t2') IS NULL")" = t ] || fail "t2 of the failed revision 002 exists"
[ "$(sql "SELECT to_regclass('public.t3') IS NULL")" = t ] || fail "t3 of revision 003 exists"
[ "$(sql "SELECT count(*) FROM schemagate_history_log
          WHERE revision = '002' AND operation = 'upgrade' AND outcome = 'failed' AND sqlstate = '$sqlstate'")" = 1 ] \
  || fail "the audit log has no 'failed' row for 002 with SQLSTATE $sqlstate"
echo "ok"
