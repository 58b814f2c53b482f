# A file saved with a UTF-8 byte-order mark (as editors on Windows write it) reads as the same
# file without one: it applies, and its checksum is the same, so removing the mark later is
# not drift.
. "$(dirname "$0")/lib.sh"
new_db
dir="$WORK/migrations"
mkdir "$dir"
body='-- parents: base\n-- migrate:up\nCREATE TABLE t1 (id int);\n-- migrate:down\nDROP TABLE t1;\n'
printf -- "\xef\xbb\xbf$body" > "$dir/001_t1.sql"
sg upgrade head --dir "$dir"; expect_rc 0
[ "$(sql "SELECT string_agg(revision, ',') FROM schemagate_history")" = 001 ] \
  || fail "001 was not applied"

printf -- "$body" > "$dir/001_t1.sql"
sg validate --dir "$dir"; expect_rc 0
echo "ok"
