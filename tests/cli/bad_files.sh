# Every kind of bad migration file (unknown directive, missing parents, duplicate revision,
# unknown parent, cycle, no up section, a directive inside a section, a down section that does
# not split, invalid UTF-8) makes `upgrade head` exit 4 with an error naming the file and line
# from the fixture's expect.txt, before anything touches the database.
. "$(dirname "$0")/lib.sh"
new_db

fixtures=0
for fixture in "$SOURCE_DIR"/tests/fixtures/bad_*; do
  name=$(basename "$fixture")
  [ "$name" = bad_sql_error ] && continue   # a valid file whose SQL fails: sql_error_rolls_back.sh
  fixtures=$((fixtures + 1))
  file=$(sed -n 1p "$fixture/expect.txt")
  line=$(sed -n 2p "$fixture/expect.txt")

  sg upgrade head --dir "$fixture"
  [ "$RC" -eq 4 ] || fail "$name: expected exit code 4, got $RC"
  grep -qF -- "schemagate: error:" "$WORK/err" || fail "$name: stderr has no 'schemagate: error:'"
  if [ "$line" -eq 0 ]; then
    # A whole-file error names the file without a line: "path/FILE: message".
    grep -qF -- "/$file: " "$WORK/err" || fail "$name: stderr does not name $file"
  else
    grep -qF -- "/$file:$line: " "$WORK/err" || fail "$name: stderr does not name $file:$line:"
  fi
  tables=$(sql "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
  [ "$tables" = 0 ] || fail "$name: the database was touched ($tables tables in public)"
done
[ "$fixtures" -ge 9 ] || fail "expected at least 9 bad-file fixtures, found $fixtures"
echo "ok"
