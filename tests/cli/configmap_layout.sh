# A directory laid out like a mounted Kubernetes ConfigMap (hidden timestamped folder, ..data
# symlink, top-level symlinks) yields each of its 3 revisions exactly once, and upgrades.
. "$(dirname "$0")/lib.sh"
new_db
fixture="$SOURCE_DIR/tests/fixtures/ok_configmap_layout"
[ -L "$fixture/..data" ] || fail "the fixture lost its ..data symlink"
[ -L "$fixture/001_x.sql" ] || fail "the fixture lost its top-level symlinks"

sg history --dir "$fixture"; expect_rc 0
[ "$(grep -c . "$WORK/out")" = 3 ] || fail "history should list exactly 3 revisions"
for rev in 001 002 003; do
  [ "$(grep -c -- "-> $rev\b" "$WORK/out")" = 1 ] || fail "history does not list $rev exactly once"
done

sg upgrade head --dir "$fixture"; expect_rc 0
[ "$(sql "SELECT string_agg(revision, ',' ORDER BY revision) FROM schemagate_history")" = 001,002,003 ] \
  || fail "upgrade head did not apply 001,002,003"
[ "$(sql "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename IN ('t1', 't2', 't3')")" = 3 ] \
  || fail "the tables t1..t3 were not created"
echo "ok"
