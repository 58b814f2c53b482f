# A database that cannot be reached makes upgrade, status and current exit 5; a connection
# string that cannot be parsed exits 2; the password is never printed in either case.
. "$(dirname "$0")/lib.sh"
cd "$SOURCE_DIR"
unset DATABASE_URL
down="postgresql://u:CANARYPW@127.0.0.1:1/db"

no_canary() {
  ! grep -qF CANARYPW "$WORK/out" "$WORK/err" || fail "$1 printed the password"
}

for cmd in "upgrade head" "status" "current" "current --json" "status --json"; do
  # shellcheck disable=SC2086
  sg $cmd --database-url "$down"
  [ "$RC" -eq 5 ] || fail "$cmd on an unreachable database: expected exit code 5, got $RC"
  no_canary "$cmd"
done

# The same through DATABASE_URL; the error shows the host and port it tried.
export DATABASE_URL=$down
sg upgrade head
[ "$RC" -eq 5 ] || fail "upgrade head with DATABASE_URL unreachable: expected exit code 5, got $RC"
expect_err "127.0.0.1"
no_canary "upgrade head with DATABASE_URL"
unset DATABASE_URL

for bad in "postgresql://u:CANARYPW@[::1/db" "postgresql://u:CANARYPW@127.0.0.1:1/db?bogus=1" \
           "host=127.0.0.1 port=1 user=u password=CANARYPW junk"; do
  sg upgrade head --database-url "$bad"
  [ "$RC" -eq 2 ] || fail "malformed '$bad': expected exit code 2, got $RC"
  no_canary "upgrade head with a malformed connection string"
done
echo "ok"
