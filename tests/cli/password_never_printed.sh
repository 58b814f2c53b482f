# With the real cluster password in the connection string (DATABASE_URL, --database-url, in
# key=value form, percent-encoded), no output of a successful run at trace level, a failing
# migration, status/current/history/heads/show, or any --help contains the password.
. "$(dirname "$0")/lib.sh"
new_db
cd "$SOURCE_DIR"
: "${PGTMP_PASSWORD:?}"
all="$WORK/all-output"
: >"$all"
collect() { cat "$WORK/out" "$WORK/err" >>"$all"; }

url=$DATABASE_URL
kv="host=$PGTMP_HOST port=$PGTMP_PORT user=$PGTMP_USER password=$PGTMP_PASSWORD dbname=$DB"
# The same password with its first character percent-encoded, as users do for special characters.
encoded_pw=$(printf '%%%02X%s' "'${PGTMP_PASSWORD:0:1}" "${PGTMP_PASSWORD:1}")
encoded_url="postgresql://$PGTMP_USER:$encoded_pw@$PGTMP_HOST:$PGTMP_PORT/$DB"

sg upgrade head --log-level trace; expect_rc 0; collect
sg downgrade -1 --log-level trace --database-url "$kv"; expect_rc 0; collect
sg upgrade head --log-level trace --database-url "$encoded_url"; expect_rc 0; collect
# A failing migration, recorded in its own history table so it does not meet the sample's.
sg upgrade head --log-level trace --dir tests/fixtures/bad_sql_error --history-table sqlerr_history
expect_rc 1; collect

for args in "status --json" "status" "current --json" "current" "history --verbose" "history --json" \
            "heads --json" "show 001"; do
  for conn in "$url" "$kv" "$encoded_url"; do
    # shellcheck disable=SC2086
    sg $args --log-level trace --database-url "$conn"; collect
    [ "$RC" -eq 0 ] || fail "$args exited $RC"
  done
done

sg --help; collect
for cmd in upgrade downgrade current history heads show status stamp revision merge; do
  sg "$cmd" --help; expect_rc 0; collect
  sg "$cmd" --help --database-url "$url"; expect_rc 0; collect
done

[ -s "$all" ] || fail "collected no output at all"
if grep -nF -- "$PGTMP_PASSWORD" "$all" >&2 || grep -nF -- "$encoded_pw" "$all" >&2; then
  fail "the password appears in the output above"
fi
echo "ok"
