# When `serve` loses its database, /readyz answers 503 and schemagate_schema_ready drops to 0
# with it: the probe and the gauge never disagree.
. "$(dirname "$0")/lib.sh"
new_db
fixture="$SOURCE_DIR/tests/fixtures/linear_chain"
sg upgrade head --dir "$fixture"; expect_rc 0

"$SCHEMAGATE" serve --dir "$fixture" --listen 127.0.0.1:0 --interval 1s >"$WORK/serve.out" 2>"$WORK/serve.err" &
server=$!
trap 'kill $server 2>/dev/null || true; cleanup' EXIT
port=$(listen_port "$WORK/serve.err")
get() { curl -s -o "$WORK/body" -w '%{http_code}' "http://127.0.0.1:$port$1"; }
for _ in $(seq 100); do [ "$(get /readyz)" = 200 ] && break; sleep 0.05; done
[ "$(get /readyz)" = 200 ] || fail "/readyz is not 200 at head"
get /metrics >/dev/null
grep -q '^schemagate_schema_ready 1$' "$WORK/body" || fail "schema_ready is not 1 at head"

PGPASSWORD=$PGTMP_PASSWORD psql -X -q -h "$PGTMP_HOST" -p "$PGTMP_PORT" -U "$PGTMP_USER" -d postgres \
  -c "DROP DATABASE \"$DB\" WITH (FORCE)" >/dev/null
for _ in $(seq 100); do [ "$(get /readyz)" = 503 ] && break; sleep 0.05; done
[ "$(get /readyz)" = 503 ] || fail "/readyz is not 503 once the database is gone"
grep -q "unreachable" "$WORK/body" || fail "/readyz does not say the database is unreachable: $(cat "$WORK/body")"
get /metrics >/dev/null
grep -q '^schemagate_schema_ready 0$' "$WORK/body" || fail "schema_ready is not 0 while /readyz says unreachable: $(grep schema_ready "$WORK/body")"
kill -TERM "$server"; wait "$server" || true
echo "ok"
