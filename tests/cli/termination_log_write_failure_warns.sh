# A termination message that cannot be written (a full device, a missing directory) is a
# warning that says why, and leaves the command's exit code alone; an explicit path is created.
. "$(dirname "$0")/lib.sh"
[ -c /dev/full ] || { echo "skipped: no /dev/full" >&2; exit 77; }
cd "$SOURCE_DIR"
export DATABASE_URL="postgresql://u:pw@127.0.0.1:1/db" # `history` never connects

sg history --termination-log /dev/full; expect_rc 0
expect_err "could not write the termination message to /dev/full (No space left on device)"
SCHEMAGATE_TERMINATION_LOG=/dev/full sg show 001; expect_rc 0
expect_err "could not write the termination message to /dev/full (No space left on device)"
sg show 999 --termination-log /dev/full; expect_rc 2
expect_err "could not write the termination message to /dev/full"
sg history --termination-log "$WORK/no/such/dir/termination-log"; expect_rc 0
expect_err "could not write the termination message to $WORK/no/such/dir/termination-log (No such file or directory)"
sg history --termination-log "$WORK/termination-log"; expect_rc 0
grep -qF '{"command":"history","exit_code":0,"outcome":"success"}' "$WORK/termination-log" ||
  fail "an explicit --termination-log was not created"
echo "ok"
