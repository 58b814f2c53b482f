# Every command's --help exits 0 and shows its usage; --version exits 0; an unknown command, an
# unknown option, a missing TARGET and no arguments at all are usage errors (exit 2), reported
# before any connection is attempted (DATABASE_URL points at a closed port, which would give 5).
. "$(dirname "$0")/lib.sh"
cd "$SOURCE_DIR"
export DATABASE_URL="postgresql://u:pw@127.0.0.1:1/db"

sg --help; expect_rc 0; expect_out "usage: schemagate"
for cmd in upgrade downgrade current history heads show status stamp revision merge; do
  sg "$cmd" --help
  [ "$RC" -eq 0 ] || fail "$cmd --help: expected exit code 0, got $RC"
  expect_out "usage: schemagate $cmd"
done
sg --version; expect_rc 0; expect_out "schemagate "

sg frobnicate; expect_rc 2; expect_err "schemagate: error:"; expect_err "frobnicate"
sg upgrade --no-such-option; expect_rc 2; expect_err "schemagate: error:"; expect_err "--no-such-option"
sg status --json --no-such-option; expect_rc 2
sg downgrade; expect_rc 2; expect_err "schemagate: error:"
sg show; expect_rc 2
sg upgrade head extra; expect_rc 2
sg revision; expect_rc 2      # -m is required
sg; expect_rc 2
echo "ok"
