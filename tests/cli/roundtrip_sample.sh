# The sample project goes up, down to base, and up again; the schema and history agree.
. "$(dirname "$0")/lib.sh"
new_db
cd "$SOURCE_DIR"

empty=$(schema_snapshot)
sg upgrade head; expect_rc 0
[ "$(sql "SELECT count(*) FROM schemagate_history")" = 8 ] || fail "expected 8 history rows"
at_head=$(schema_snapshot)
sg current; expect_rc 0; expect_out "008 (head)"
sg status; expect_rc 0; expect_out "at target: yes"

sg downgrade base; expect_rc 0
[ "$(schema_snapshot)" = "$empty" ] || fail "downgrade base left schema objects behind"
[ "$(sql "SELECT count(*) FROM schemagate_history")" = 0 ] || fail "history not empty at base"
sg status; expect_rc 6; expect_out "at target: no"

sg upgrade head; expect_rc 0
[ "$(schema_snapshot)" = "$at_head" ] || fail "second upgrade gave a different schema"
# Every step is in the audit log: 8 up, 8 down, 8 up.
[ "$(sql "SELECT count(*) FROM schemagate_history_log WHERE outcome = 'succeeded'")" = 24 ] \
  || fail "audit log does not hold 24 successful steps"
echo "ok"
