# Through PgBouncer in transaction pooling mode, with fewer server connections than clients,
# 10 copies started at once still apply every revision exactly once and leave no lock behind.
. "$(dirname "$0")/lib.sh"
new_db
cd "$SOURCE_DIR"

PGBOUNCER=${PGBOUNCER:-/usr/sbin/pgbouncer}
[ -x "$PGBOUNCER" ] || fail "pgbouncer not installed; run scripts/install-deps.sh"

# PgBouncer refuses to run as root; as root it runs as the postgres user, like the cluster.
as_owner() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
bouncer_dir=$(mktemp -d /tmp/schemagate-pgbouncer.XXXXXX)
[ "$(id -u)" -eq 0 ] && chown postgres: "$bouncer_dir"
port=0
for _ in $(seq 20); do
  candidate=$((20000 + RANDOM % 30000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then port=$candidate; break; fi
done
[ "$port" -ne 0 ] || fail "no free port for pgbouncer"
printf '"%s" "%s"\n' "$PGTMP_USER" "$PGTMP_PASSWORD" > "$bouncer_dir/userlist.txt"
cat > "$bouncer_dir/pgbouncer.ini" <<INI
[databases]
$DB = host=127.0.0.1 port=$PGTMP_PORT dbname=$DB
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $bouncer_dir/userlist.txt
pool_mode = transaction
default_pool_size = 4
max_client_conn = 100
ignore_startup_parameters = extra_float_digits
logfile = $bouncer_dir/pgbouncer.log
pidfile = $bouncer_dir/pgbouncer.pid
INI
[ "$(id -u)" -eq 0 ] && chown postgres: "$bouncer_dir"/*
as_owner "$PGBOUNCER" -d "$bouncer_dir/pgbouncer.ini" || fail "pgbouncer did not start"
stop_bouncer() {
  [ -f "$bouncer_dir/pgbouncer.pid" ] && kill "$(cat "$bouncer_dir/pgbouncer.pid")" 2>/dev/null || true
  rm -rf "$bouncer_dir"
  cleanup
}
trap stop_bouncer EXIT
for _ in $(seq 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done

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
