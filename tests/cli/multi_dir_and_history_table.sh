# The sample split across two --dir directories (one with a space in its name) upgrades as one
# graph, recording into a --history-table whose schema has a space and whose table has a double
# quote: that exact table exists, and the default public.schemagate_history does not.
. "$(dirname "$0")/lib.sh"
new_db
mkdir "$WORK/first" "$WORK/second dir"
cp "$SOURCE_DIR"/migrations/00[1-4]_*.sql "$WORK/first/"
cp "$SOURCE_DIR"/migrations/00[5-8]_*.sql "$WORK/second dir/"
table='sg meta.hist"ory'
set -- --dir "$WORK/first" --dir "$WORK/second dir" --history-table "$table"

sg upgrade head "$@"; expect_rc 0
sg status "$@"; expect_rc 0
[ "$(sql "SELECT count(*) FROM \"sg meta\".\"hist\"\"ory\"")" = 8 ] \
  || fail "the history table \"sg meta\".\"hist\"\"ory\" does not hold 8 rows"
[ "$(sql "SELECT to_regclass('public.schemagate_history') IS NULL")" = t ] \
  || fail "public.schemagate_history was created despite --history-table"
[ "$(sql "SELECT to_regclass('public.guild_invites') IS NOT NULL AND to_regclass('public.guild_audit_log') IS NOT NULL")" = t ] \
  || fail "the revisions of both directories were not all applied"
echo "ok"
