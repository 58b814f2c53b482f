# A NUL byte in a statement would make the server run only the text before it: `DELETE FROM t
# <NUL> WHERE id = 1` would delete every row. `upgrade` refuses the file (exit 4, naming its
# line) before anything runs: the rows stay, and the revision is not recorded.
. "$(dirname "$0")/lib.sh"
new_db
dir="$WORK/migrations"
mkdir "$dir"
printf -- '-- parents: base\n-- migrate:up\nCREATE TABLE t (id int);\nINSERT INTO t VALUES (1), (2), (3);\n' \
  > "$dir/001_t.sql"
sg upgrade head --dir "$dir"; expect_rc 0

printf -- '-- parents: 001\n-- migrate:up\nDELETE FROM t \0 WHERE id = 1;\n-- migrate:down\nSELECT 1;\n' \
  > "$dir/002_delete_one.sql"
sg upgrade head --dir "$dir"; expect_rc 4
expect_err "$dir/002_delete_one.sql:3: a NUL byte"
[ "$(sql "SELECT count(*) FROM t")" = 3 ] || fail "rows were deleted"
[ "$(sql "SELECT string_agg(revision, ',') FROM schemagate_history")" = 001 ] \
  || fail "002 was recorded"

# show, lint and history refuse it the same way: no command sees more than the server would run.
for cmd in "show 002" "lint --all" history; do
  # shellcheck disable=SC2086
  sg $cmd --dir "$dir"; expect_rc 4
  expect_err "$dir/002_delete_one.sql:3: a NUL byte"
done
echo "ok"
