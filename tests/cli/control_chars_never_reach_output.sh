# Control characters from outside never reach the output raw. A history table name with a
# newline (or a carriage return) is refused with exit 2 from each of the four sources, so it
# cannot end the comment that names it in a --sql script and inject SQL. Text read back from
# the database (a history row's message) and a server's error message are printed with their
# control characters escaped: no forged log line, no terminal escape sequence.
. "$(dirname "$0")/lib.sh"
new_db
cd "$SOURCE_DIR"
esc=$(printf '\033')

# 1. --history-table with a newline, from a flag, the environment, a config file and a ConfigMap.
evil=$'hist\nDROP TABLE users;--'
check_refused() { # SOURCE-TEXT
  expect_rc 2
  [ ! -s "$WORK/out" ] || fail "SQL was printed"
  expect_err "history-table (from $1"
  expect_err "control character"
  [ "$(wc -l <"$WORK/err")" -eq 1 ] || fail "the error spans several lines"
}
sg upgrade --sql --from base --history-table "$evil"
check_refused "flag --history-table"
SCHEMAGATE_HISTORY_TABLE=$evil sg upgrade --sql --from base
check_refused "env SCHEMAGATE_HISTORY_TABLE"
# A config file is read line by line: a carriage return (which also ends a SQL comment in psql)
# is what can hide in one.
printf 'history-table = hist\rDROP TABLE users;--\n' >"$WORK/sg.conf"
sg upgrade --sql --from base --config "$WORK/sg.conf"
check_refused "config file $WORK/sg.conf:1"
mkdir -p "$WORK/configmap"
printf '%s\n' "$evil" >"$WORK/configmap/history-table"
sg upgrade --sql --from base --config-dir "$WORK/configmap"
check_refused "config dir $WORK/configmap/history-table"

# 2. A message read back from the history table, with an escape sequence and a newline.
sg upgrade head; expect_rc 0
sql "UPDATE schemagate_history SET message = E'evil\\x1b[2J\\nFORGED line' WHERE revision = '001'"
for args in "status" "status --json"; do
  # shellcheck disable=SC2086
  sg $args
  [ "$RC" -eq 0 ] || fail "$args exited $RC"
  ! grep -qF "$esc" "$WORK/out" "$WORK/err" || fail "$args printed a raw escape character"
  ! grep -q '^FORGED' "$WORK/out" "$WORK/err" || fail "$args printed a forged line"
done
expect_out 'evil\u001b[2J\nFORGED line'
sg status
expect_out 'evil\x1b[2J\nFORGED line'

# 3. A server error message with a newline and an escape sequence, in text and JSON logs.
mkdir -p "$WORK/forge"
cat >"$WORK/forge/001_forge.sql" <<'SQL'
-- parents: base

-- migrate:up
DO $$BEGIN RAISE EXCEPTION E'boom\n2026-01-01T00:00:00.000Z info forged line \x1b[2J'; END$$;

-- migrate:down
SELECT 1;
SQL
for fmt in text json; do
  sg upgrade --dir "$WORK/forge" --history-table forge_history --log-format "$fmt"
  expect_rc 1
  expect_err "boom"
  ! grep -qF "$esc" "$WORK/err" || fail "$fmt: a raw escape character reached stderr"
  ! grep -q '^2026-01-01T00:00:00.000Z info forged' "$WORK/err" || fail "$fmt: a log line was forged"
  if [ "$fmt" = json ]; then
    python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1]) if l.strip()]' "$WORK/err" \
      || fail "a JSON log line is not JSON"
  fi
done
echo "ok"
