# Passwords are hidden by where they stand (the password of a URI or of a key=value string),
# not by searching the output for them: a short password ("e", "1", '"') neither mangles the
# output nor breaks JSON, a password with a raw '/', '+', '=' or '@' never shows (libpq is not
# left to misread it as a host or port), an sslpassword is hidden too, and a connection string
# typed as a mistyped flag or as a revision is never echoed. Each case is checked in stdout,
# stderr (text and JSON logs, every JSON line parsed) and the termination message.
. "$(dirname "$0")/lib.sh"
new_db
cd "$SOURCE_DIR"
: "${PGTMP_PASSWORD:?}"
term="$WORK/termination-log"
roles=()
drop_roles() {
  for r in "${roles[@]}"; do sql "DROP ROLE IF EXISTS $r" >/dev/null 2>&1 || true; done
  cleanup
}
trap drop_roles EXIT

# json_lines FILE: every line of FILE is a JSON value.
json_lines() {
  python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]' "$1" \
    || fail "$1 is not valid JSON lines: $(cat "$1")"
}
# never_shows TEXT...: none of TEXT is in stdout, stderr or the termination message.
never_shows() {
  for t in "$@"; do
    if grep -qF -- "$t" "$WORK/out" "$WORK/err" "$term" 2>/dev/null; then
      fail "'$t' is printed (termination message: $(cat "$term" 2>/dev/null))"
    fi
  done
}
# role NAME PASSWORD: a login role that owns nothing, with CREATE on the scenario's database.
role() {
  sql "CREATE ROLE $1 LOGIN PASSWORD '$2'" >/dev/null
  roles+=("$1")
  sql "GRANT SELECT ON ALL TABLES IN SCHEMA public TO $1" >/dev/null
}
hostport="$PGTMP_HOST:$PGTMP_PORT"

sg upgrade head; expect_rc 0

# 1. Short passwords: the output is not mangled, and JSON stays JSON.
n=0
for pw in e 1 '"'; do
  n=$((n + 1))
  r="sg_short_${n}_$$"
  role "$r" "${pw//\'/\'\'}"
  enc=$(python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$pw")
  url="postgresql://$r:$enc@$hostport/$DB"
  rm -f "$term"
  sg status --json --log-format json --log-level trace --termination-log "$term" --database-url "$url"
  expect_rc 0
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["history_table"]=="public.schemagate_history", d; assert d["at_target"] is True, d' "$WORK/out" \
    || fail "password '$pw': status --json is mangled"
  json_lines "$WORK/err"
  json_lines "$term"
  grep -q '"outcome":"success"' "$term" || fail "password '$pw': termination message mangled: $(cat "$term")"
  sg config --database-url "$url"
  expect_rc 0
  expect_out "postgresql://$r:***@$hostport/$DB"
  expect_out "public.schemagate_history"
done

# 2. A base64 password (with '/', '+' and '=') and one with a raw '@', written raw in the URI:
# refused before libpq reads them (exit 2), no piece of them printed; percent-encoded they work.
role "sg_b64_$$" 'Zq9Kf/Xw+Kp7Lm=='
role "sg_at_$$" 'Pq7Vw@Rs5Tx'
for url in "postgresql://sg_b64_$$:Zq9Kf/Xw+Kp7Lm==@$hostport/$DB" \
           "postgresql://sg_at_$$:Pq7Vw@Rs5Tx@$hostport/$DB"; do
  for fmt in text json; do
    rm -f "$term"
    sg current --log-format "$fmt" --termination-log "$term" --database-url "$url"
    expect_rc 2
    expect_err "percent-encode"
    never_shows Zq9Kf Xw+Kp Kp7Lm Pq7Vw Rs5Tx
    [ "$fmt" = text ] || json_lines "$WORK/err"
    json_lines "$term"
  done
done
sg current --database-url "postgresql://sg_b64_$$:Zq9Kf%2FXw%2BKp7Lm%3D%3D@$hostport/$DB"
expect_rc 0
sg current --database-url "postgresql://sg_at_$$:Pq7Vw%40Rs5Tx@$hostport/$DB"
expect_rc 0

# 3. An sslpassword in a key=value string (libpq only uses it for an encrypted client key).
kv="host=$PGTMP_HOST port=$PGTMP_PORT user=$PGTMP_USER password=$PGTMP_PASSWORD dbname=$DB sslpassword=SslKeyPw9"
for args in "config" "config --json" "status --json"; do
  rm -f "$term"
  # shellcheck disable=SC2086
  sg $args --log-level trace --log-format json --termination-log "$term" --database-url "$kv"
  [ "$RC" -eq 0 ] || fail "$args exited $RC"
  never_shows SslKeyPw9 "$PGTMP_PASSWORD"
done
sg current --database-url "host=$PGTMP_HOST port=1 user=u password=KwPass5 sslpassword=SslKeyPw9 connect_timeout=1"
expect_rc 5
never_shows SslKeyPw9 KwPass5

# 4. A mistyped flag holding a URI: the option parser's message names the flag, not the value.
for tok in "--database_url=postgresql://u:FlagPw1@h/db" "--database-urll=postgresql://u:FlagPw1@h/db" \
           "--database_url=host=h password=FlagPw1"; do
  rm -f "$term"
  sg upgrade "$tok" --termination-log "$term"
  expect_rc 2
  never_shows FlagPw1
  expect_err "unrecognised option '--database"
done

# 5. A URI where a revision goes: refused as a connection string, never echoed.
for cmd in "upgrade" "downgrade" "show" "stamp" "status" "upgrade --sql" ; do
  for fmt in text json; do
    rm -f "$term"
    # shellcheck disable=SC2086
    sg $cmd "postgresql://u:RevPw42@h/db" --log-format "$fmt" --termination-log "$term"
    expect_rc 2
    never_shows RevPw42
    expect_err "looks like a connection string"
    [ "$fmt" = text ] || json_lines "$WORK/err"
    json_lines "$term"
    grep -q '"exit_code":2' "$term" || fail "$cmd: no exit code 2 in the termination message"
  done
done
echo "ok"
