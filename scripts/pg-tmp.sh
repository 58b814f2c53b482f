#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the demo and the tests.
#
#   pg-tmp.sh start STATE_DIR   initdb + start on a free 127.0.0.1 port; writes STATE_DIR/env
#   pg-tmp.sh stop STATE_DIR    stop the cluster and delete its data
#   pg-tmp.sh log STATE_DIR     print the server log
#
# STATE_DIR/env is shell-sourceable: PGTMP_HOST, PGTMP_PORT, PGTMP_USER, PGTMP_PASSWORD,
# PGTMP_SOCKET, PGTMP_DATA, PGTMP_URL (a URI to the "postgres" database, with the password).
# TCP connections need the password (scram-sha-256); the Unix socket in PGTMP_SOCKET trusts.
# initdb refuses to run as root, so as root the cluster belongs to the `postgres` user.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
cmd=${1:-}
state=${2:-}
[ -n "$cmd" ] && [ -n "$state" ] || { echo "usage: $0 start|stop|log STATE_DIR" >&2; exit 2; }

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start() {
  mkdir -p "$state"
  state=$(cd "$state" && pwd)
  [ -x "$PG_BIN/initdb" ] || { echo "pg-tmp: $PG_BIN/initdb not found; run scripts/install-deps.sh" >&2; exit 2; }
  # The data lives in its own directory under /tmp, owned by the cluster's user, so that a
  # checkout under a private home directory still works when the server runs as `postgres`.
  local data_root
  data_root=$(mktemp -d /tmp/schemagate-pg.XXXXXX)
  chmod 700 "$data_root"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$data_root"
  local password=${PGTMP_PASSWORD:-pw-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')}
  printf '%s\n' "$password" > "$data_root/pwfile"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$data_root/pwfile"
  local user
  user=$( [ "$(id -u)" -eq 0 ] && echo postgres || id -un )
  as_owner "$PG_BIN/initdb" -D "$data_root/data" -U "$user" --pwfile="$data_root/pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$data_root/initdb.log" 2>&1 \
    || { cat "$data_root/initdb.log" >&2; exit 1; }
  rm -f "$data_root/pwfile"

  local port tries=0
  while :; do
    port=$((20000 + RANDOM % 30000))
    if port_free "$port" && as_owner "$PG_BIN/pg_ctl" -D "$data_root/data" -l "$data_root/server.log" -w -t 30 \
         -o "-p $port -k $data_root -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
         start >/dev/null 2>&1; then
      break
    fi
    tries=$((tries + 1))
    if [ "$tries" -ge 10 ]; then
      echo "pg-tmp: could not start PostgreSQL; server log:" >&2
      cat "$data_root/server.log" >&2 || true
      exit 1
    fi
  done

  cat > "$state/env" <<ENV
PGTMP_HOST=127.0.0.1
PGTMP_PORT=$port
PGTMP_USER=$user
PGTMP_PASSWORD=$password
PGTMP_SOCKET=$data_root
PGTMP_DATA=$data_root/data
PGTMP_LOG=$data_root/server.log
PGTMP_URL=postgresql://$user:$password@127.0.0.1:$port/postgres
ENV
  echo "pg-tmp: PostgreSQL listening on 127.0.0.1:$port (data in $data_root)" >&2
}

stop() {
  [ -f "$state/env" ] || exit 0
  # shellcheck disable=SC1091
  . "$state/env"
  as_owner "$PG_BIN/pg_ctl" -D "$PGTMP_DATA" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$PGTMP_SOCKET"
  rm -f "$state/env"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  log) . "$state/env"; cat "$PGTMP_LOG" ;;
  *) echo "usage: $0 start|stop|log STATE_DIR" >&2; exit 2 ;;
esac
