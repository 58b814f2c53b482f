# An entry that looks like a migration but cannot be read as one (a directory, a FIFO, a
# dangling symlink or a symlink loop named *.sql, a name ending in .SQL, a file that cannot be
# read) makes `upgrade` (or `history`) exit 4 naming it, and apply nothing: skipping it would exit 0 without that revision. A FIFO
# is never opened, so nothing blocks. Names starting with '.' and other endings (editor
# backups) stay ignored, as does a ConfigMap's layout (configmap_layout.sh).
. "$(dirname "$0")/lib.sh"
new_db
first='-- parents: base\n-- migrate:up\nCREATE TABLE t1 (id int);\n-- migrate:down\nDROP TABLE t1;\n'

# check NAME WHAT MAKE...: a directory holding 001 and the entry NAME made by MAKE (run in the
# directory) is refused, naming NAME and saying WHAT, and nothing is applied.
check() {
  local name=$1 what=$2 dir="$WORK/check_$1"
  shift 2
  mkdir "$dir"
  printf -- "$first" > "$dir/001_t1.sql"
  (cd "$dir" && "$@")
  # A FIFO that was opened would block the read: timeout turns that into a failure.
  set +e
  timeout 20 "$SCHEMAGATE" upgrade head --dir "$dir" >"$WORK/out" 2>"$WORK/err"
  RC=$?
  set -e
  [ "$RC" -ne 124 ] || fail "$name: upgrade blocked"
  [ "$RC" -eq 4 ] || fail "$name: expected exit code 4, got $RC"
  expect_err "$dir/$name: $what"
  [ "$(sql "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" = 0 ] \
    || fail "$name: something was applied"
}

check 002_dir.sql "a directory" mkdir 002_dir.sql
check 002_fifo.sql "a FIFO" mkfifo 002_fifo.sql
check 002_dangling.sql "a dangling symlink" ln -s nowhere/002.sql 002_dangling.sql
check 002_loop.sql "a symlink loop" ln -s 002_loop.sql 002_loop.sql
check 002_upper.SQL "a migration's name must end in '.sql', in lower case; rename it to 002_upper.sql" \
  touch 002_upper.SQL
check 002_mixed.Sql "a migration's name must end in '.sql'" touch 002_mixed.Sql

# A regular file that cannot be read is refused the same way. Root reads it anyway, so as root
# this runs as the cluster's owner, when that user may run the binary here.
dir="$WORK/unreadable"
mkdir "$dir"
chmod 755 "$WORK" "$dir"
printf -- "$first" > "$dir/001_t1.sql"
printf -- '-- parents: 001\n-- migrate:up\nSELECT 1;\n' > "$dir/002_t2.sql"
chmod 000 "$dir/002_t2.sql"
if as_owner test -x "$SCHEMAGATE"; then
  set +e
  as_owner "$SCHEMAGATE" history --dir "$dir" >"$WORK/out" 2>"$WORK/err"
  RC=$?
  set -e
  expect_rc 4
  expect_err "$dir/002_t2.sql: cannot be read (Permission denied)"
else
  echo "note: the unreadable-file check is skipped: the cluster's owner cannot run $SCHEMAGATE"
fi

# Ignored on purpose: hidden names, editor backups and other endings.
dir="$WORK/ignored"
mkdir "$dir"
printf -- "$first" > "$dir/001_t1.sql"
for name in .002_hidden.sql 001_t1.sql~ 001_t1.sql.bak .001_t1.sql.swp notes.txt; do
  printf 'not a migration\n' > "$dir/$name"
done
mkdir "$dir/.git"
sg upgrade head --dir "$dir"; expect_rc 0
[ "$(sql "SELECT string_agg(revision, ',') FROM schemagate_history")" = 001 ] \
  || fail "upgrade did not apply exactly 001"
echo "ok"
