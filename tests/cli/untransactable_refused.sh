# A transactional file holding CREATE INDEX CONCURRENTLY is refused before anything runs, naming
# the file and line, even in a run that would first apply earlier, valid revisions.
. "$(dirname "$0")/lib.sh"
new_db
fixture="$SOURCE_DIR/tests/fixtures/untransactable"

sg upgrade head --dir "$fixture"; expect_rc 4
expect_err "002_index_items.sql:6: SG107"
expect_err "transaction: none"
[ "$(sql "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" = 0 ] \
  || fail "something ran before the refusal"
sg upgrade 001 --dir "$fixture"; expect_rc 0
echo "ok"
