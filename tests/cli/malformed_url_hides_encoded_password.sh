# A connection string that libpq cannot parse exits 2, and the error never shows the password,
# also when the password is percent-encoded (as any password with special characters must be
# in a URI) or is itself the malformed part.
. "$(dirname "$0")/lib.sh"
cd "$SOURCE_DIR"
unset DATABASE_URL

for bad in "postgresql://u:CANARY%41PW@[::1/db" \
           "postgresql://u:CANARY%41PW@127.0.0.1:1/db?bogus=1" \
           "postgresql://u:CANARY%ZZPW@127.0.0.1:1/db" \
           "postgresql://u:CANARY%00PW@127.0.0.1:1/db" \
           "postgresql://u@127.0.0.1:1/db?password=CANARY%00PW"; do
  sg upgrade head --database-url "$bad"
  [ "$RC" -eq 2 ] || fail "'$bad': expected exit code 2, got $RC"
  ! grep -qF CANARY "$WORK/out" "$WORK/err" || fail "'$bad': the password is printed"
done
echo "ok"
