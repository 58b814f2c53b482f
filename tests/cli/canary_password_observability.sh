# A canary password never appears in logs (text and JSON), errors, /metrics, /readyz, the
# config command's output or the termination message.
. "$(dirname "$0")/lib.sh"
new_db
canary=$PGTMP_PASSWORD
term="$WORK/termination-log"
out_all="$WORK/all"
: > "$out_all"
collect() { cat "$WORK/out" "$WORK/err" >> "$out_all" 2>/dev/null || true; }

# Started in the background, so not through sg: its output goes to the same files.
"$SCHEMAGATE" upgrade head --dir "$SOURCE_DIR/migrations" --log-level trace --log-format json \
  --termination-log "$term" --listen 127.0.0.1:0 --linger 2s >"$WORK/out" 2>"$WORK/err" &
runner=$!
port=$(listen_port "$WORK/err")
for _ in $(seq 100); do curl -s "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.05; done
curl -s "http://127.0.0.1:$port/readyz" >> "$out_all"
curl -s "http://127.0.0.1:$port/metrics" >> "$out_all"
wait "$runner" || true
collect
grep -q '"outcome":"success"' "$term" || fail "no success in the termination log: $(cat "$term")"
cat "$term" >> "$out_all"

# A failing run, its error as a JSON log line and in the termination message.
sg upgrade head --dir "$SOURCE_DIR/tests/fixtures/bad_sql_error" --history-table other_history \
  --log-format json --termination-log "$term"
expect_rc 1
collect
grep -q '"level":"error"' "$WORK/err" || fail "the error is not a JSON log line"
grep -q '"exit_code":1' "$WORK/err" || fail "the JSON error has no exit_code"
grep -q '"outcome":"failure"' "$term" || fail "no failure in the termination log"
cat "$term" >> "$out_all"

sg config; collect
sg config --json; collect
sg status --json; collect
sg current --database-url "postgresql://u:$canary@127.0.0.1:1/db"; collect
[ -s "$out_all" ] || fail "collected no output at all"
grep -qF "$canary" "$out_all" && fail "the canary password appears in the output"
echo "ok"
