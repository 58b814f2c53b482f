# Targets given as relative steps (+N, -N), as a unique prefix, as one branch's revision, as
# 'heads', and as a revision to downgrade to each apply or undo exactly the right revisions;
# an ambiguous prefix exits 4; steps past the ends and unknown revisions exit 2, changing nothing.
. "$(dirname "$0")/lib.sh"
new_db
cd "$SOURCE_DIR"

applied() { sql "SELECT coalesce(string_agg(revision, ',' ORDER BY revision), '') FROM schemagate_history"; }
expect_applied() {
  local now; now=$(applied)
  [ "$now" = "$1" ] || fail "after '$2': applied revisions are '$now', expected '$1'"
}

sg upgrade +2; expect_rc 0; expect_applied 001,002 "upgrade +2"

sg upgrade 00; expect_rc 4; expect_err "ambiguous"; expect_applied 001,002 "upgrade 00"

# 004 and 005 both branch from 003: upgrading to 004 applies its lineage only.
sg upgrade 004; expect_rc 0; expect_applied 001,002,003,004 "upgrade 004"
[ "$(sql "SELECT to_regclass('public.guild_events') IS NULL")" = t ] \
  || fail "upgrade 004 created guild_events of the other branch (005)"

sg downgrade -1; expect_rc 0; expect_applied 001,002,003 "downgrade -1"

sg upgrade 00; expect_rc 4; expect_applied 001,002,003 "upgrade 00"
sg upgrade 005; expect_rc 0; expect_applied 001,002,003,005 "upgrade 005"

sg upgrade heads; expect_rc 0; expect_applied 001,002,003,004,005,006,007,008 "upgrade heads"

sg downgrade 003; expect_rc 0; expect_applied 001,002,003 "downgrade 003"
[ "$(sql "SELECT to_regclass('public.guild_invites') IS NULL AND to_regclass('public.guild_ranks') IS NULL")" = t ] \
  || fail "downgrade 003 left tables of its descendants"

sg upgrade +99; expect_rc 2; expect_applied 001,002,003 "upgrade +99"
sg downgrade -99; expect_rc 2; expect_applied 001,002,003 "downgrade -99"
sg upgrade 999; expect_rc 2; expect_err "999"; expect_applied 001,002,003 "upgrade 999"
sg downgrade 999; expect_rc 2; expect_applied 001,002,003 "downgrade 999"
echo "ok"
