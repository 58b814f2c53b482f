# Downgrading through a revision with no down section is refused with exit 2 before any SQL
# runs: the history and the schema stay as they were, and the error names the file.
. "$(dirname "$0")/lib.sh"
new_db
fixture="$SOURCE_DIR/tests/fixtures/irreversible"
file=$(sed -n 1p "$fixture/expect.txt")

sg upgrade head --dir "$fixture"; expect_rc 0
before=$(sql "SELECT string_agg(revision, ',' ORDER BY revision) FROM schemagate_history")
[ "$before" = 001,002,003 ] || fail "upgrade head gave history '$before'"

sg downgrade base --dir "$fixture"
expect_rc 2
expect_err "schemagate: error:"
expect_err "/$file"
[ "$(sql "SELECT string_agg(revision, ',' ORDER BY revision) FROM schemagate_history")" = "$before" ] \
  || fail "the refused downgrade changed the history"
# 003 is reversible and comes first in the downgrade order; it must not have been undone.
[ "$(sql "SELECT to_regclass('public.t3') IS NOT NULL")" = t ] || fail "t3 of revision 003 was dropped"
[ "$(sql "SELECT count(*) FROM schemagate_history_log WHERE operation = 'downgrade'")" = 0 ] \
  || fail "the audit log records a downgrade step"
echo "ok"
