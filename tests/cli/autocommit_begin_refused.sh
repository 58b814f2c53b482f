# BEGIN (or COMMIT) in a `transaction: none` file would make the next statements one block, and
# a failure in it could not be recorded: the run is refused before anything runs (SG109).
. "$(dirname "$0")/lib.sh"
new_db
fixture="$SOURCE_DIR/tests/fixtures/autocommit_begin"
sg upgrade head --dir "$fixture"; expect_rc 4
expect_err "001_items.sql:6: SG109 error: BEGIN"
expect_err "001_items.sql:9: SG109 error: COMMIT"
expect_err "nothing was run"
[ "$(sql "SELECT count(*) FROM pg_class WHERE relname = 'items'")" = 0 ] || fail "a statement ran"
sg lint --all --dir "$fixture"; expect_rc 4
expect_out "SG109"
echo "ok"
