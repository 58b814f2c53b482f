# `serve` answers /readyz 503 while the database is behind, flips to 200 as soon as another
# process migrates it (woken by NOTIFY, not its 60s polling interval), publishes the state in
# /metrics, and stops with exit 0 on SIGTERM.
. "$(dirname "$0")/lib.sh"
new_db
fixture="$SOURCE_DIR/tests/fixtures/slow_step"

"$SCHEMAGATE" serve --dir "$fixture" --listen 127.0.0.1:0 --interval 60s >"$WORK/serve.out" 2>"$WORK/serve.err" &
server=$!
port=$(listen_port "$WORK/serve.err")
get() { curl -s -o "$WORK/body" -w '%{http_code}' "http://127.0.0.1:$port$1"; }
for _ in $(seq 100); do grep -q '"pending":\["001","002"\]' "$WORK/body" 2>/dev/null && break; get /readyz >/dev/null; sleep 0.05; done
[ "$(get /readyz)" = 503 ] || fail "/readyz should be 503 on an empty database"
grep -q '"2 revision(s) pending"' "$WORK/body" || fail "/readyz does not say what is pending: $(cat "$WORK/body")"

sg upgrade head --dir "$fixture"; expect_rc 0
for _ in $(seq 40); do [ "$(get /readyz)" = 200 ] && break; sleep 0.05; done
[ "$(get /readyz)" = 200 ] || fail "/readyz did not flip to 200 within 2s of the upgrade"
get /metrics >/dev/null
grep -q '^schemagate_schema_ready 1$' "$WORK/body" || fail "schema_ready is not 1"
grep -q '^schemagate_current_revision_info{revision="002"} 1$' "$WORK/body" || fail "current revision missing"

kill -TERM "$server"
set +e; wait "$server"; RC=$?; set -e
expect_rc 0
echo "ok"
