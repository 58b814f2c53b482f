# Revision ids are at most 128 characters, checked where an id enters: `revision --rev-id` and
# `merge --rev-id` are usage errors (exit 2) that state the limit and write no file, and a
# migration file whose id is longer is refused when loaded (exit 4), before any row is written.
. "$(dirname "$0")/lib.sh"
new_db
dir="$WORK/migrations"
long=$(printf 'a%.0s' $(seq 300))

sg revision -m "first" --rev-id "$long" --dir "$dir"; expect_rc 2
expect_err "at most 128 characters"
grep -qF "unexpected error" "$WORK/err" && fail "an unexpected error instead of a usage error"
[ -z "$(ls -A "$dir" 2>/dev/null)" ] || fail "a file was written"

sg revision -m "first" --rev-id "$(printf 'b%.0s' $(seq 128))" --dir "$dir"; expect_rc 0
sg revision -m "second" --rev-id 002 --dir "$dir"; expect_rc 0
sg revision -m "branch" --rev-id 003 --dir "$dir"; expect_rc 0
rm "$dir"/003_*.sql
printf -- '-- parents: %s\n-- migrate:up\nSELECT 1;\n' "$(printf 'b%.0s' $(seq 128))" > "$dir/003_branch.sql"
sg merge -m "join" --rev-id "$long" --dir "$dir"; expect_rc 2
expect_err "at most 128 characters"
[ "$(ls "$dir" | wc -l)" = 3 ] || fail "merge wrote a file"

# A 9000-character id in a file: refused at load, with the limit, and nothing is written.
rm "$dir"/003_*.sql
huge=$(printf 'c%.0s' $(seq 9000))
printf -- '-- parents: 002\n-- revision: %s\n-- migrate:up\nSELECT 1;\n' "$huge" > "$dir/003_huge.sql"
sg upgrade head --dir "$dir"; expect_rc 4
expect_err "$dir/003_huge.sql:2: invalid revision id"
expect_err "at most 128 characters"
[ "$(wc -c < "$WORK/err")" -lt 2000 ] || fail "the message repeats the whole id"
[ "$(sql "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" = 0 ] \
  || fail "something was written to the database"
echo "ok"
