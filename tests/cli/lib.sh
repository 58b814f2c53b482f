# Shared helpers for the black-box CLI scenarios. Each scenario sources this file, then calls
# new_db to get a database of its own in the throwaway cluster the CTest fixture started.
#
#   $SCHEMAGATE             the binary under test
#   $SOURCE_DIR             the repository root (fixtures, migrations)
#   $WORK                   a scratch directory, deleted at exit
#   sg ARGS...              runs the binary; stdout in $WORK/out, stderr in $WORK/err, code in $RC
#   expect_rc N             fails unless the last sg exited N
#   expect_err TEXT         fails unless the last sg's stderr contains TEXT (fixed string)
#   expect_out TEXT         the same for stdout
#   sql QUERY               runs QUERY in the scenario's database, prints unaligned tuples
#   psql_db ARGS...         psql in the scenario's database (e.g. a blocking session in the
#                           background: psql_db -c "BEGIN; ...; SELECT pg_sleep(5); COMMIT;" &)
#   wait_for_sleeping_session TEXT   waits (up to 5s) until another session whose query
#                           contains TEXT sleeps in pg_sleep (its earlier statements ran)
#   fail MESSAGE            ends the scenario as failed
#   poll_output N S CMD...  runs CMD up to N times, S seconds apart, until it prints something
#   as_owner CMD...         runs CMD as the cluster's owner (postgres) when root
#   start_pgbouncer DIR DATABASES [SETTING...]
#                           PgBouncer in transaction pooling mode on a free port ($BOUNCER_PORT)
set -euo pipefail

: "${SCHEMAGATE:?set by CTest}" "${SG_TEST_PGENV:?set by CTest}" "${SOURCE_DIR:?set by CTest}"
# shellcheck disable=SC1090
. "$SG_TEST_PGENV"

WORK=$(mktemp -d)
DB=""
RC=0

cleanup() {
  if [ -n "$DB" ]; then
    PGPASSWORD=$PGTMP_PASSWORD psql -X -q -h "$PGTMP_HOST" -p "$PGTMP_PORT" -U "$PGTMP_USER" -d postgres \
      -c "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  if [ -f "$WORK/out" ]; then echo "--- stdout of the last command:" >&2; cat "$WORK/out" >&2; fi
  if [ -f "$WORK/err" ]; then echo "--- stderr of the last command:" >&2; cat "$WORK/err" >&2; fi
  exit 1
}

new_db() {
  DB="sg_$(basename "$0" .sh)_$$"
  PGPASSWORD=$PGTMP_PASSWORD psql -X -q -v ON_ERROR_STOP=1 -h "$PGTMP_HOST" -p "$PGTMP_PORT" -U "$PGTMP_USER" \
    -d postgres -c "CREATE DATABASE \"$DB\"" >/dev/null
  export DATABASE_URL="postgresql://$PGTMP_USER:$PGTMP_PASSWORD@$PGTMP_HOST:$PGTMP_PORT/$DB"
}

sql() {
  PGPASSWORD=$PGTMP_PASSWORD psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$PGTMP_HOST" -p "$PGTMP_PORT" \
    -U "$PGTMP_USER" -d "$DB" -c "$1"
}

psql_db() {
  PGPASSWORD=$PGTMP_PASSWORD psql -X -q -A -t -h "$PGTMP_HOST" -p "$PGTMP_PORT" -U "$PGTMP_USER" -d "$DB" "$@"
}

sg() {
  set +e
  "$SCHEMAGATE" "$@" >"$WORK/out" 2>"$WORK/err"
  RC=$?
  set -e
}

expect_rc() {
  [ "$RC" -eq "$1" ] || fail "expected exit code $1, got $RC"
}

expect_err() {
  grep -qF -- "$1" "$WORK/err" || fail "stderr does not contain: $1"
}

expect_out() {
  grep -qF -- "$1" "$WORK/out" || fail "stdout does not contain: $1"
}

# poll_output TRIES SECONDS CMD...: runs CMD up to TRIES times, SECONDS apart, until it prints
# something, and prints that (nothing, when it never did).
poll_output() {
  local tries=$1 pause=$2 out=""
  shift 2
  for _ in $(seq "$tries"); do
    out=$("$@")
    [ -n "$out" ] && break
    sleep "$pause"
  done
  printf '%s\n' "$out"
}

# Waits (up to 5s) until a statement starting with TEXT runs in the scenario's database, and
# prints the pid of its backend.
wait_for_query() {
  local pid
  pid=$(poll_output 100 0.05 sql "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '$1%' LIMIT 1")
  [ -n "$pid" ] || fail "no statement starting with '$1' ever ran"
  echo "$pid"
}

# Sleeping, not just seen: a query string shows in pg_stat_activity before its first statement
# ran, so a session merely seen may not hold its locks or snapshot yet.
wait_for_sleeping_session() {
  [ -n "$(poll_output 100 0.05 sql "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event = 'PgSleep' AND query LIKE '%$1%' LIMIT 1")" ] \
    || fail "no session ever slept in a query containing '$1'"
}

# Waits (up to 7.5s) until no schemagate connection to the scenario's database remains, as
# after a kill, once the server has noticed the dead client.
wait_for_schemagate_gone() {
  local left=""
  for _ in $(seq 150); do
    left=$(sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'schemagate'")
    [ "$left" = 0 ] && return 0
    sleep 0.05
  done
  fail "$left schemagate connection(s) still open"
}

# The port a `--listen 127.0.0.1:0` server bound, read from its log in FILE (waits up to 5s).
logged_port() { sed -n 's|.*on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$1" | head -1; }
listen_port() {
  local port
  port=$(poll_output 100 0.05 logged_port "$1")
  [ -n "$port" ] || fail "no 'serving ... on http://127.0.0.1:PORT' line in $1"
  echo "$port"
}

# A catalog snapshot of the public schema: tables, columns, constraints, indexes, functions and
# triggers, in a stable order. Two equal snapshots mean equal schemas.
schema_snapshot() {
  sql "SELECT 'table ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '')
         FROM information_schema.columns WHERE table_schema = 'public' AND table_name NOT LIKE 'schemagate_history%'
       UNION ALL
       SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
         FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text NOT LIKE 'schemagate_history%'
       UNION ALL
       SELECT 'index ' || indexname || ' ' || indexdef FROM pg_indexes
         WHERE schemaname = 'public' AND tablename NOT LIKE 'schemagate_history%'
       UNION ALL
       SELECT 'function ' || p.oid::regprocedure FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
       UNION ALL
       SELECT 'trigger ' || tgname || ' on ' || tgrelid::regclass FROM pg_trigger WHERE NOT tgisinternal
       ORDER BY 1"
}

as_owner() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# start_pgbouncer DIR DATABASES [SETTING...]: starts PgBouncer in transaction pooling mode in
# front of the cluster, on a free port of 127.0.0.1 (in $BOUNCER_PORT), with its files in DIR.
# DATABASES is its [databases] line, each SETTING one more line of [pgbouncer]. The caller stops
# it: kill "$(cat DIR/pgbouncer.pid)". PgBouncer refuses to run as root; as root it runs as the
# postgres user, like the cluster.
start_pgbouncer() {
  local dir=$1 databases=$2 candidate pgbouncer=${PGBOUNCER:-/usr/sbin/pgbouncer}
  shift 2
  [ -x "$pgbouncer" ] || fail "pgbouncer not installed; run scripts/install-deps.sh"
  BOUNCER_PORT=0
  for _ in $(seq 20); do
    candidate=$((20000 + RANDOM % 30000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then BOUNCER_PORT=$candidate; break; fi
  done
  [ "$BOUNCER_PORT" -ne 0 ] || fail "no free port for pgbouncer"
  printf '"%s" "%s"\n' "$PGTMP_USER" "$PGTMP_PASSWORD" > "$dir/userlist.txt"
  {
    printf '[databases]\n%s\n[pgbouncer]\n' "$databases"
    printf '%s\n' "listen_addr = 127.0.0.1" "listen_port = $BOUNCER_PORT" "unix_socket_dir =" \
      "auth_type = scram-sha-256" "auth_file = $dir/userlist.txt" "pool_mode = transaction" \
      "ignore_startup_parameters = extra_float_digits" "logfile = $dir/pgbouncer.log" \
      "pidfile = $dir/pgbouncer.pid" "$@"
  } > "$dir/pgbouncer.ini"
  if [ "$(id -u)" -eq 0 ]; then chown -R postgres: "$dir"; fi
  as_owner "$pgbouncer" -d "$dir/pgbouncer.ini" || fail "pgbouncer did not start"
  for _ in $(seq 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$BOUNCER_PORT") 2>/dev/null && return 0
    sleep 0.1
  done
  fail "pgbouncer does not listen on port $BOUNCER_PORT"
}
