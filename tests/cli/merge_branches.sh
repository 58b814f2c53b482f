# Two unmerged heads: `upgrade head` refuses (exit 4) naming both heads and suggesting merge;
# `merge` writes a revision whose parents are both heads, after which `upgrade head` works; a
# following `revision` takes the next zero-padded number with the merge as its parent.
. "$(dirname "$0")/lib.sh"
new_db
cp -a "$SOURCE_DIR/tests/fixtures/branches_unmerged" "$WORK/m"
dir="$WORK/m"

# The one file matching a glob pattern, or nothing when there are none or several.
only_file() {
  local files=("$@")
  [ "${#files[@]}" -eq 1 ] && [ -f "${files[0]}" ] && echo "${files[0]}"
}
# The parents listed on the file's '-- parents:' line, sorted, comma-separated.
parents_of() {
  sed -n 's/^-- parents:[[:space:]]*//p' "$1" | tr ',' '\n' | tr -d ' \t\r' | grep -v '^$' | sort | paste -sd, -
}

sg upgrade head --dir "$dir"
expect_rc 4
expect_err "002"
expect_err "003"
expect_err "merge"

sg heads --dir "$dir"; expect_rc 0
[ "$(grep -c . "$WORK/out")" = 2 ] || fail "heads should print two lines"
expect_out "002"
expect_out "003"

sg merge -m "join" --dir "$dir"; expect_rc 0
merge_file=$(only_file "$dir"/004_*.sql) || fail "merge did not write one 004_*.sql"
[ "$(parents_of "$merge_file")" = 002,003 ] || fail "merge file's parents are '$(parents_of "$merge_file")', not 002,003"

sg upgrade head --dir "$dir"; expect_rc 0
[ "$(sql "SELECT string_agg(revision, ',' ORDER BY revision) FROM schemagate_history")" = 001,002,003,004 ] \
  || fail "upgrade head after the merge did not apply 001..004"
sg current --dir "$dir"; expect_rc 0
expect_out "004 (head)"

sg revision -m "add x" --dir "$dir"; expect_rc 0
new_file=$(only_file "$dir"/005_*.sql) || fail "revision did not write one 005_*.sql"
[ "$(parents_of "$new_file")" = 004 ] || fail "the new revision's parent is not the merge 004"
echo "ok"
