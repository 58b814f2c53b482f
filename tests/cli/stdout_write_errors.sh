# What a command prints but cannot write is an error, for every command: to a full device
# (/dev/full) each exits 1 with "cannot write to stdout (...)"; to a pipe whose reader is gone,
# as in `schemagate history | head -1`, it exits 1 quietly, and is not killed by SIGPIPE.
. "$(dirname "$0")/lib.sh"
[ -c /dev/full ] || { echo "skipped: no /dev/full" >&2; exit 77; }
new_db
cd "$SOURCE_DIR"
sg upgrade head; expect_rc 0
rev=001 # the first revision of migrations/

full() { # full NAME ARGS...: runs ARGS with stdout on /dev/full
  local name=$1; shift
  set +e; "$SCHEMAGATE" "$@" >/dev/full 2>"$WORK/err"; RC=$?; set -e
  [ "$RC" -eq 1 ] || fail "$name > /dev/full: expected exit code 1, got $RC"
  grep -qF "schemagate: error: cannot write to stdout (No space left on device)" "$WORK/err" ||
    fail "$name > /dev/full: no 'cannot write to stdout' error"
  if grep -qF "unexpected error" "$WORK/err"; then fail "$name > /dev/full: an unexpected error"; fi
}
full history history
full "history --json" history --json
full "history --verbose" history --verbose
full heads heads
full "heads --json" heads --json
full show show "$rev"
full config config
full "config --json" config --json
full current current
full "current --json" current --json
full status status
full "status --json" status --json
full validate validate
full lint lint --json
full "lint --all" lint --all --json
full "lint --rules" lint --rules
full --help --help
full --version --version
full "history --help" history --help
# With --log-format json the error is a log line, as every error is.
set +e; "$SCHEMAGATE" history --log-format json >/dev/full 2>"$WORK/err"; RC=$?; set -e
[ "$RC" -eq 1 ] || fail "history --log-format json > /dev/full: expected exit code 1, got $RC"
grep -qF '"level":"error","msg":"cannot write to stdout (No space left on device)' "$WORK/err" ||
  fail "history --log-format json > /dev/full: no JSON error line"

# A pipe whose reader exited before anything was written: deterministic EPIPE.
exec 3> >(exit 0)
wait $! 2>/dev/null || true
set +e; "$SCHEMAGATE" history >&3 2>"$WORK/err"; RC=$?; set -e
exec 3>&-
[ "$RC" -ne 141 ] || fail "history to a closed pipe was killed by SIGPIPE"
[ "$RC" -eq 1 ] || fail "history to a closed pipe: expected exit code 1, got $RC"
[ ! -s "$WORK/err" ] || fail "history to a closed pipe printed an error: $(cat "$WORK/err")"
echo "ok"
