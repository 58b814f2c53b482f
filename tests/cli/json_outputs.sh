# current, heads, history and status print valid JSON with --json, holding the expected values
# before and after `upgrade head` on the sample.
. "$(dirname "$0")/lib.sh"
new_db
cd "$SOURCE_DIR"

if command -v jq >/dev/null; then
  json_ok() { jq -e . "$WORK/out" >/dev/null; }
elif command -v python3 >/dev/null; then
  json_ok() { python3 -m json.tool "$WORK/out" >/dev/null; }
else
  echo "skipped: JSON syntax checks (neither jq nor python3 is installed); key checks still run"
  json_ok() { true; }
fi
# The number of lines of stdout that match a fixed string.
count_out() { grep -cF -- "$1" "$WORK/out" || true; }

sg status --json; expect_rc 6
json_ok || fail "status --json (pending) is not valid JSON"
expect_out '"at_target": false'
expect_out '"target": "head"'
expect_out '"history_table": "public.schemagate_history"'
grep -qE '"lock_key": -?[0-9]+' "$WORK/out" || fail "status --json has no numeric lock_key"
sg current --json; expect_rc 0
json_ok || fail "current --json (base) is not valid JSON"
expect_out '"current": []'

sg upgrade head; expect_rc 0

sg current --json; expect_rc 0
json_ok || fail "current --json is not valid JSON"
expect_out '"revision": "008"'
expect_out '"is_head": true'
[ "$(count_out '"revision": ')" = 1 ] || fail "current --json should hold one revision"

sg heads --json; expect_rc 0
json_ok || fail "heads --json is not valid JSON"
expect_out '"heads": ['
expect_out '"revision": "008"'
[ "$(count_out '"revision": ')" = 1 ] || fail "heads --json should hold one revision"

sg history --json; expect_rc 0
json_ok || fail "history --json is not valid JSON"
expect_out '"history": ['
[ "$(count_out '"revision": ')" = 8 ] || fail "history --json should hold 8 revisions"

sg status --json; expect_rc 0
json_ok || fail "status --json is not valid JSON"
expect_out '"at_target": true'
expect_out '"pending": []'
expect_out '"problems": []'
[ "$(count_out '"revision": ')" = 8 ] || fail "status --json should list 8 applied revisions"
echo "ok"
