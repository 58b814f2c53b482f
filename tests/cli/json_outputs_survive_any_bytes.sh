# Every JSON writer survives text that is not UTF-8 and long errors: an error naming a database
# "caf\xe9" (Latin-1, from a percent-encoded URI) still exits 5 with a valid JSON termination
# message and /readyz answers 503 with JSON; an error over 3000 bytes is cut on a character
# boundary; `status --json` prints a Latin-1 message read back from a SQL_ASCII database.
. "$(dirname "$0")/lib.sh"
new_db
cd "$SOURCE_DIR"
term="$WORK/termination-log"
# valid_json FILE [ASSERTION]: FILE is one JSON document, or JSON lines (the last one is `d`),
# and the Python ASSERTION about `d` holds.
valid_json() {
  python3 -c 'import json,sys
text = open(sys.argv[1], encoding="utf-8").read()
try:
    d = json.loads(text)
except ValueError:
    d = [json.loads(l) for l in text.splitlines() if l.strip()][-1]
assert eval(sys.argv[2]), d' "$1" "${2:-True}" || fail "$1 is not the expected JSON: $(cat "$1")"
}

# 1. A Latin-1 database name in the error.
latin1_url="postgresql://$PGTMP_USER:$PGTMP_PASSWORD@$PGTMP_HOST:$PGTMP_PORT/caf%E9"
for fmt in text json; do
  rm -f "$term"
  sg current --database-url "$latin1_url" --termination-log "$term" --log-format "$fmt"
  expect_rc 5
  valid_json "$term" 'd["exit_code"] == 5 and "caf" in d["error"]'
  [ "$fmt" = text ] || valid_json "$WORK/err" 'd["level"] == "error"'
done
"$SCHEMAGATE" upgrade --database-url "$latin1_url" --listen 127.0.0.1:0 --linger 3s \
  --termination-log "$term" >"$WORK/out" 2>"$WORK/err" &
runner=$!
port=$(listen_port "$WORK/err")
ready=""
for _ in $(seq 100); do
  code=$(curl -s -o "$WORK/readyz" -w '%{http_code}' "http://127.0.0.1:$port/readyz" || true)
  if grep -q 'failed' "$WORK/readyz" 2>/dev/null; then ready=$code; break; fi
  sleep 0.05
done
wait "$runner" && rc=0 || rc=$?
[ "$rc" -eq 5 ] || fail "upgrade with --listen exited $rc, not 5"
[ "$ready" = 503 ] || fail "/readyz answered $ready: $(cat "$WORK/readyz")"
valid_json "$WORK/readyz" 'd["ready"] is False and "caf" in d["error"]'

# 2. An error of 5000 bytes of 3-byte characters: whatever the prefix, it is cut on a boundary.
for pad in "" x xx; do
  mkdir -p "$WORK/long$pad"
  cat >"$WORK/long$pad/001_long.sql" <<SQL
-- parents: base

-- migrate:up
DO \$\$BEGIN RAISE EXCEPTION '%', '$pad' || repeat('€', 1700); END\$\$;

-- migrate:down
SELECT 1;
SQL
  rm -f "$term"
  sg upgrade --dir "$WORK/long$pad" --history-table "long${#pad}_history" --termination-log "$term"
  expect_rc 1
  valid_json "$term" 'd["exit_code"] == 1 and len(d["error"].encode()) <= 3000 and "\ufffd" not in d["error"] and d["error"].endswith("€")'
done

# 3. A Latin-1 message read back from a SQL_ASCII database (which stores any bytes).
ascii_db="${DB}_ascii"
sql "CREATE DATABASE \"$ascii_db\" ENCODING 'SQL_ASCII' TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'" >/dev/null
drop_ascii() {
  PGPASSWORD=$PGTMP_PASSWORD psql -X -q -h "$PGTMP_HOST" -p "$PGTMP_PORT" -U "$PGTMP_USER" -d postgres \
    -c "DROP DATABASE IF EXISTS \"$ascii_db\" WITH (FORCE)" >/dev/null 2>&1 || true
  cleanup
}
trap drop_ascii EXIT
ascii_url="postgresql://$PGTMP_USER:$PGTMP_PASSWORD@$PGTMP_HOST:$PGTMP_PORT/$ascii_db"
sg upgrade head --database-url "$ascii_url"; expect_rc 0
PGPASSWORD=$PGTMP_PASSWORD psql -X -q -v ON_ERROR_STOP=1 -h "$PGTMP_HOST" -p "$PGTMP_PORT" -U "$PGTMP_USER" \
  -d "$ascii_db" -c "UPDATE schemagate_history SET message = E'caf\\351' WHERE revision = '001'" >/dev/null
sg status --json --database-url "$ascii_url"
expect_rc 0
valid_json "$WORK/out" 'any(r["message"] == "caf\ufffd" for r in d["applied"])'
sg status --database-url "$ascii_url"
expect_rc 0
expect_out 'caf\xe9'
echo "ok"
