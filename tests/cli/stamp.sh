# stamp records a state without running SQL: `stamp heads` on an empty database records all 8
# revisions and creates no application table; `stamp 003` and `stamp base` remove the rows past
# the target. After a real `upgrade 003`, `stamp heads` and back to `stamp 003`, `upgrade head`
# runs exactly 004..008 and creates their tables.
. "$(dirname "$0")/lib.sh"
new_db
cd "$SOURCE_DIR"

applied() { sql "SELECT coalesce(string_agg(revision, ',' ORDER BY revision), '') FROM schemagate_history"; }
app_tables() { sql "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'schemagate_history%'"; }

sg stamp heads; expect_rc 0
[ "$(applied)" = 001,002,003,004,005,006,007,008 ] || fail "stamp heads recorded '$(applied)'"
[ "$(app_tables)" = 0 ] || fail "stamp heads created application tables"
sg status; expect_rc 0     # stamped rows carry the files' checksums: at head, no drift

sg stamp 003; expect_rc 0
[ "$(applied)" = 001,002,003 ] || fail "stamp 003 left '$(applied)'"
sg stamp base; expect_rc 0
[ "$(applied)" = "" ] || fail "stamp base left '$(applied)'"
[ "$(app_tables)" = 0 ] || fail "stamp created application tables"

sg upgrade 003; expect_rc 0
sg stamp heads; expect_rc 0
[ "$(sql "SELECT to_regclass('public.guild_invites') IS NULL AND to_regclass('public.guild_audit_log') IS NULL")" = t ] \
  || fail "stamp heads ran the SQL of 004..008"
sg stamp 003; expect_rc 0
sg upgrade head; expect_rc 0
[ "$(applied)" = 001,002,003,004,005,006,007,008 ] || fail "upgrade head after stamp 003 recorded '$(applied)'"
[ "$(sql "SELECT string_agg(revision, ',' ORDER BY revision) FROM schemagate_history_log
          WHERE operation = 'upgrade' AND id > (SELECT max(id) FROM schemagate_history_log WHERE operation = 'stamp')")" \
  = 004,005,006,007,008 ] || fail "upgrade head after stamp 003 did not run exactly 004..008"
[ "$(sql "SELECT to_regclass('public.guild_invites') IS NOT NULL AND to_regclass('public.guild_audit_log') IS NOT NULL")" = t ] \
  || fail "upgrade head after stamp 003 did not create the tables of 004..008"
echo "ok"
