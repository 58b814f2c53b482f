# `wait` exits 6 when the schema does not arrive in time, 0 at once when the database is past
# the target (an older image against a newer schema), and waits through a database that is not
# reachable yet instead of failing.
. "$(dirname "$0")/lib.sh"
new_db
fixture="$SOURCE_DIR/tests/fixtures/slow_step"

sg wait --dir "$fixture" --timeout 1s --interval 1s; expect_rc 6
expect_err "did not reach head within 1s"

sg upgrade head --dir "$fixture"; expect_rc 0
mkdir "$WORK/older"; cp "$fixture/001_base.sql" "$WORK/older/"
sg wait --dir "$WORK/older" --timeout 5s; expect_rc 0

sg wait --dir "$fixture" --timeout 2s --interval 1s --database-url "postgresql://u:CanaryPw9@127.0.0.1:1/db"
expect_rc 6
expect_err "retrying"
grep -q CanaryPw9 "$WORK/err" && fail "the password was printed"
sg wait --dir "$fixture" --target 999; expect_rc 2
echo "ok"
