# `upgrade --listen` serves /readyz, which answers 503 while migrating and 200 once at the
# target, and /metrics, whose exposition after the run holds the documented metrics with the
# right values. With --linger the server outlives the run so the final state can be scraped.
. "$(dirname "$0")/lib.sh"
new_db
fixture="$SOURCE_DIR/tests/fixtures/slow_step"
get() { curl -s -o "$WORK/body" -w '%{http_code}' "http://127.0.0.1:$port$1"; }

"$SCHEMAGATE" upgrade --dir "$fixture" --listen 127.0.0.1:0 --linger 3s >"$WORK/out" 2>"$WORK/err" &
runner=$!
port=$(listen_port "$WORK/err")
for _ in $(seq 100); do [ "$(get /healthz)" = 200 ] && break; sleep 0.05; done
[ "$(get /healthz)" = 200 ] || fail "/healthz did not answer"
[ "$(get /readyz)" = 503 ] || fail "/readyz should be 503 while migrating"
grep -q '"ready":false' "$WORK/body" || fail "/readyz body does not say why"
for _ in $(seq 200); do [ "$(get /readyz)" = 200 ] && break; sleep 0.05; done
[ "$(get /readyz)" = 200 ] || fail "/readyz never became 200"
grep -q '"reason":"at target"' "$WORK/body" || fail "/readyz 200 body: $(cat "$WORK/body")"

[ "$(get /metrics)" = 200 ] || fail "/metrics did not answer"
metric() { awk -v name="$1" '$1 == name { print $2 }' "$WORK/body"; }
[ "$(metric 'schemagate_migrations_applied_total{direction="up"}')" = 2 ] || fail "applied_total up != 2"
[ "$(metric 'schemagate_migrations_applied_total{direction="down"}')" = 0 ] || fail "applied_total down != 0"
[ "$(metric schemagate_pending_migrations)" = 0 ] || fail "pending != 0"
[ "$(metric schemagate_schema_ready)" = 1 ] || fail "schema_ready != 1"
[ "$(metric 'schemagate_current_revision_info{revision="002"}')" = 1 ] || fail "current_revision_info missing"
[ "$(metric schemagate_migration_duration_seconds_count)" = 2 ] || fail "duration histogram count != 2"
[ "$(metric schemagate_lock_wait_seconds_count)" = 1 ] || fail "lock wait histogram count != 1"
[ "$(metric schemagate_lock_retries_total)" = 0 ] || fail "lock retries != 0"
grep -q '^schemagate_build_info{version="[0-9.]*"} 1$' "$WORK/body" || fail "build_info missing"
last=$(metric schemagate_last_success_timestamp_seconds)
[ -n "$last" ] && [ "$(( $(date +%s) - ${last%.*} ))" -lt 60 ] || fail "last_success_timestamp is not recent: $last"
for name in pending_migrations schema_ready migrations_applied_total migration_duration_seconds \
            lock_wait_seconds lock_retries_total last_success_timestamp_seconds \
            current_revision_info build_info; do
  grep -q "^# TYPE schemagate_$name " "$WORK/body" || fail "no TYPE line for schemagate_$name"
done
wait "$runner" || fail "the upgrade failed"
echo "ok"
