# `show REV` prints the revision's SQL as it is in the file: each section marker on a line of its
# own, followed by that section's SQL on the next lines (so the output can be pasted back).
. "$(dirname "$0")/lib.sh"
cd "$SOURCE_DIR"

sg show 001; expect_rc 0
grep -qx -- '-- migrate:up' "$WORK/out" || fail "show 001: '-- migrate:up' is not on a line of its own"
grep -qx -- '-- migrate:down' "$WORK/out" || fail "show 001: '-- migrate:down' is not on a line of its own"
grep -qx -- 'CREATE TABLE accounts (' "$WORK/out" || fail "show 001: the up section's first statement does not start a line"
grep -qx -- 'DROP INDEX accounts_email_lower_key;' "$WORK/out" \
  || fail "show 001: the down section's first statement does not start a line"
echo "ok"
