# Through PgBouncer in transaction pooling mode, with fewer server connections than clients,
# 10 copies started at once still apply every revision exactly once and leave no lock behind.
. "$(dirname "$0")/lib.sh"
new_db
cd "$SOURCE_DIR"

bouncer_dir=$(mktemp -d /tmp/schemagate-pgbouncer.XXXXXX)
stop_bouncer() {
  [ -f "$bouncer_dir/pgbouncer.pid" ] && kill "$(cat "$bouncer_dir/pgbouncer.pid")" 2>/dev/null || true
  rm -rf "$bouncer_dir"
  cleanup
}
trap stop_bouncer EXIT
start_pgbouncer "$bouncer_dir" "$DB = host=127.0.0.1 port=$PGTMP_PORT dbname=$DB" \
  "default_pool_size = 4" "max_client_conn = 100"
port=$BOUNCER_PORT

direct_url=$DATABASE_URL
export DATABASE_URL="postgresql://$PGTMP_USER:$PGTMP_PASSWORD@127.0.0.1:$port/$DB"
pids=()
for i in $(seq 10); do
  "$SCHEMAGATE" upgrade head >"$WORK/out.$i" 2>"$WORK/err.$i" &
  pids+=($!)
done
for i in "${!pids[@]}"; do
  wait "${pids[$i]}" || { cat "$WORK/err.$((i + 1))" >&2; cat "$bouncer_dir/pgbouncer.log" >&2; fail "copy $((i + 1)) failed"; }
done
export DATABASE_URL=$direct_url

[ "$(sql "SELECT count(*) FROM schemagate_history")" = 8 ] || fail "history does not hold 8 rows"
[ "$(sql "SELECT count(*) FROM schemagate_history_log WHERE operation = 'upgrade'")" = 8 ] \
  || fail "a revision was applied more than once"
# Pooled server connections stay open after the clients leave: none may keep an advisory lock.
[ "$(sql "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")" = 0 ] \
  || fail "an advisory lock was left behind on a pooled server connection"
echo "ok"
