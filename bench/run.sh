#!/usr/bin/env bash
# Benchmarks schemagate against the floor (the same SQL sent by psql) and its peers (Alembic,
# sqitch) in one run, against one throwaway PostgreSQL 15, and prints a Markdown table.
#
#   bench/run.sh
#
# Installs what is missing (scripts/install-deps.sh, then Alembic and sqitch), builds schemagate
# in Release in $BENCH_BUILD_DIR (default build-bench), generates the workloads under /tmp, and
# leaves the raw results (one JSON per case from bench/timeit.py, and table.md) in $BENCH_OUT
# (default $BENCH_BUILD_DIR/bench-out). bench/RESULTS.md explains the cases and the choices.
#
# Environment: BENCH_RUNS (timed rounds per schemagate/floor case, default 5), BENCH_PEER_RUNS
# (Alembic and sqitch, default 3; sqitch applying 1000 takes BENCH_SQITCH_1000_RUNS, default 1),
# BENCH_NOOP_RUNS (default 20), BENCH_PEERS=0 skips Alembic and sqitch, BENCH_WAITERS (default
# 200), BENCH_PLAN_FILES (default 10000), BENCH_SCHEMAGATE_BIN (an existing binary, not built).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bench=$root/bench
cd "$root"

runs=${BENCH_RUNS:-5}
peer_runs=${BENCH_PEER_RUNS:-3}
noop_runs=${BENCH_NOOP_RUNS:-20}
peers=${BENCH_PEERS:-1}
waiters=${BENCH_WAITERS:-200}
plan_files=${BENCH_PLAN_FILES:-10000}
build=${BENCH_BUILD_DIR:-$root/build-bench}
out=${BENCH_OUT:-$build/bench-out}
py=/usr/bin/python3  # Debian's, which has the Alembic packages (not a pyenv shim)
# The real psql: Debian's /usr/bin/psql is postgresql-common's Perl wrapper, which alone costs
# about 50 ms per start and would flatter everything compared with the floor.
psql=${PG_BIN:-/usr/lib/postgresql/15/bin}/psql

log() { echo "bench: $*" >&2; }

# --- what the bench needs ------------------------------------------------------------------
bash scripts/install-deps.sh
packages=(python3 strace python3-psycopg2 alembic python3-alembic sqitch libdbd-pg-perl)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  log "installing ${missing[*]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ -n "${BENCH_SCHEMAGATE_BIN:-}" ]; then
  sg=$(realpath "$BENCH_SCHEMAGATE_BIN")
else
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSCHEMAGATE_TESTS=OFF >/dev/null
  cmake --build "$build" -j2
  sg=$build/schemagate
fi

# --- one throwaway cluster, workloads under /tmp ---------------------------------------------
work=$(mktemp -d /tmp/schemagate-bench.XXXXXX)
cleanup() {
  scripts/pg-tmp.sh stop "$work/pg" || true
  rm -rf "$work"
}
trap cleanup EXIT
scripts/pg-tmp.sh start "$work/pg"
# shellcheck disable=SC1091
. "$work/pg/env"
base_url="postgresql://$PGTMP_USER:$PGTMP_PASSWORD@$PGTMP_HOST:$PGTMP_PORT"
url_of() { echo "$base_url/$1"; }
admin_url=$(url_of postgres)
# Nothing below may pick up a database or an option from the environment by accident
# (schemagate reads every SCHEMAGATE_<OPTION> variable, and refuses unknown ones).
unset DATABASE_URL PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE PGSERVICE
while read -r v; do unset "$v"; done < <(env | sed -n 's/^\(SCHEMAGATE_[A-Za-z0-9_]*\)=.*/\1/p')

# freshdb NAME: drop and recreate database NAME from template0, then CHECKPOINT so that every
# timed run starts with no dirty buffers left by the previous one. Run outside the timings.
cat > "$work/freshdb" <<EOF
#!/bin/sh
PGOPTIONS="-c client_min_messages=warning" exec $psql -X -q -v ON_ERROR_STOP=1 -d '$admin_url' \
  -c "DROP DATABASE IF EXISTS \"\$1\" WITH (FORCE)" -c "CREATE DATABASE \"\$1\" TEMPLATE template0" \
  -c CHECKPOINT
EOF
chmod +x "$work/freshdb"

rm -rf "$out"
mkdir -p "$out"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
# The timer: fork + exec + wait4 from a 1 MB process, so that peak RSS is the command's own.
c++ -std=c++20 -O2 -o "$work/measure" "$bench/measure.cpp"

# signature DB: the user tables, indexes and columns the workload made, to check that every
# tool built the same schema.
signature() {
  "$psql" -X -qAt -d "$(url_of "$1")" -c "
    SELECT count(*) FILTER (WHERE c.relkind = 'r') || ' tables, ' ||
           count(*) FILTER (WHERE c.relkind = 'i') || ' indexes, ' ||
           coalesce(sum((SELECT count(*) FROM pg_attribute a WHERE a.attrelid = c.oid
                          AND a.attnum > 0 AND NOT a.attisdropped)) FILTER (WHERE c.relkind = 'r'), 0)
           || ' columns'
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relname ~ '^t[0-9]'"
}

# timeit OUT RUNS WARMUP PREPARE NAME CMD [NAME CMD...]: interleaved rounds (see timeit.py).
timeit() {
  local out_json=$1 n=$2 warm=$3 prep=$4
  shift 4
  local args=()
  while (($#)); do args+=(--cmd "$1" "$2"); shift 2; done
  "$py" "$bench/timeit.py" --measure "$work/measure" --out "$out_json" --runs "$n" --warmup "$warm" \
    ${prep:+--prepare "$prep"} "${args[@]}"
}
q() { printf '%q ' "$@"; }  # one command line, for timeit's shlex

export BENCH_SA_URL="postgresql+psycopg2://$PGTMP_USER:$PGTMP_PASSWORD@$PGTMP_HOST:$PGTMP_PORT/bench"
sqitch_base="db:pg://$PGTMP_USER:$PGTMP_PASSWORD@$PGTMP_HOST:$PGTMP_PORT"

# --- apply N migrations from empty -------------------------------------------------------------
for n in 100 1000; do
  w=$work/apply-$n
  "$py" "$bench/gen.py" apply "$n" "$w"
  db_url=$(url_of bench)
  sg_cmd=$(q "$sg" upgrade head --dir "$w/schemagate" --database-url "$db_url")
  floor_cmd=$(q "$psql" -X -q -v ON_ERROR_STOP=1 -d "$db_url" -f "$w/floor.sql")
  alembic_cmd=$(q alembic -c "$w/alembic/alembic.ini" upgrade head)
  sqitch_cmd=$(q sqitch -C "$w/sqitch" --quiet deploy --db-client "$psql" "$sqitch_base/bench")

  # Check once, untimed, that schemagate builds what the floor builds.
  "$work/freshdb" bench
  eval "$floor_cmd" >/dev/null
  want=$(signature bench)
  "$work/freshdb" bench
  eval "$sg_cmd" 2>/dev/null
  got=$(signature bench)
  rows=$("$psql" -X -qAt -d "$db_url" -c "SELECT count(*) FROM public.schemagate_history")
  [ "$got" = "$want" ] && [ "$rows" = "$n" ] \
    || { log "apply-$n: schemagate made '$got' with $rows history rows, the floor '$want'"; exit 1; }
  rounds=$runs
  ((n >= 1000)) || rounds=$((runs * 3))  # cheap, and the noisier of the two
  log "apply-$n: schemagate and the floor, $rounds rounds (every tool must make: $want)"
  timeit "$out/apply-$n.json" "$rounds" 1 "$work/freshdb bench" \
    schemagate "$sg_cmd" floor "$floor_cmd"

  if [ "$peers" = 1 ]; then
    # sqitch runs psql once per change: about a minute for 1000 here, so one run at that size.
    sqitch_runs=$peer_runs
    ((n < 1000)) || sqitch_runs=${BENCH_SQITCH_1000_RUNS:-1}
    log "apply-$n: Alembic ($peer_runs runs) and sqitch ($sqitch_runs)"
    timeit "$out/apply-$n-peers.json" "$peer_runs" 0 "$work/freshdb bench" alembic "$alembic_cmd"
    got=$(signature bench)
    [ "$got" = "$want" ] || { log "apply-$n: Alembic made '$got', the floor '$want'"; exit 1; }
    timeit "$out/apply-$n-sqitch.json" "$sqitch_runs" 0 "$work/freshdb bench" sqitch "$sqitch_cmd"
    got=$(signature bench)
    [ "$got" = "$want" ] || { log "apply-$n: sqitch made '$got', the floor '$want'"; exit 1; }
  fi
done

# --- round trips: what each tool sends to the server for 100 migrations -----------------------
# Deterministic where the timings are not: strace counts the client's sendto calls (one per
# query, or per connection handshake step; libpq sends each query in one call) and threads made.
w=$work/apply-100
for tool in schemagate floor alembic sqitch; do
  case $tool in
    schemagate) cmd=$(q "$sg" upgrade head --dir "$w/schemagate" --database-url "$(url_of bench)") ;;
    floor) cmd=$(q "$psql" -X -q -v ON_ERROR_STOP=1 -d "$(url_of bench)" -f "$w/floor.sql") ;;
    alembic) [ "$peers" = 1 ] || continue; cmd=$(q alembic -c "$w/alembic/alembic.ini" upgrade head) ;;
    sqitch) [ "$peers" = 1 ] || continue
      cmd=$(q sqitch -C "$w/sqitch" --quiet deploy --db-client "$psql" "$sqitch_base/bench") ;;
  esac
  "$work/freshdb" bench
  eval "strace -f -c -e trace=sendto,clone,clone3,execve -o $(q "$work/strace") $cmd" >/dev/null 2>&1
  printf '%s\t%s\t%s\t%s\n' "$tool" \
    "$(awk '$NF == "sendto" {print $4}' "$work/strace")" \
    "$(awk '$NF == "clone" || $NF == "clone3" {n += $4} END {print n + 0}' "$work/strace")" \
    "$(awk '$NF == "execve" {print $4}' "$work/strace")" >> "$out/messages.tsv"
done

# --- no-op upgrade at head ---------------------------------------------------------------------
for n in 100 1000; do
  w=$work/apply-$n
  "$work/freshdb" noop
  sg_cmd=$(q "$sg" upgrade head --dir "$w/schemagate" --database-url "$(url_of noop)")
  eval "$sg_cmd" 2>/dev/null
  log "noop-$n: $noop_runs rounds"
  timeit "$out/noop-$n.json" "$noop_runs" 3 "" \
    schemagate "$sg_cmd" floor "$(q "$psql" -X -d "$(url_of noop)" -c 'select 1')"
  if [ "$peers" = 1 ]; then
    a_cmd=$(q alembic -c "$w/alembic/alembic.ini" upgrade head)
    s_cmd=$(q sqitch -C "$w/sqitch" --quiet deploy --db-client "$psql" "$sqitch_base/noop_sqitch")
    "$work/freshdb" bench
    eval "$a_cmd" >/dev/null 2>&1
    "$work/freshdb" noop_sqitch
    eval "$s_cmd" >/dev/null
    log "noop-$n: Alembic and sqitch, $peer_runs rounds"
    timeit "$out/noop-$n-peers.json" "$peer_runs" 1 "" alembic "$a_cmd" sqitch "$s_cmd"
  fi
done

# --- wait: release latency for $waiters waiters --------------------------------------------------
if "$sg" wait --help >/dev/null 2>&1; then
  log "wait: $waiters waiters, 3 runs"
  w=$work/apply-100
  "$py" "$bench/wait_latency.py" "$work/measure" "$sg" "$w/schemagate" "$(url_of bench_wait)" "$(cat "$w/head")" \
    "$work/freshdb bench_wait" "$waiters" 3 "$out/wait.json"
else
  log "wait: skipped, \`schemagate wait\` does not exist yet"
  echo "\`schemagate wait --help\` fails: the command does not exist in this build" > "$out/wait.skipped"
fi

# --- parse and plan of $plan_files files, no database --------------------------------------------
p=$work/plan/files
"$py" "$bench/gen.py" plan "$plan_files" "$p"
if "$sg" upgrade --help 2>/dev/null | grep -q -- '--sql'; then
  plan_args=(upgrade --sql head --from base)
else
  plan_args=(history)
fi
printf '{"plan_command": "%s", "plan_files": %s}\n' "${plan_args[*]}" "$plan_files" > "$out/meta.json"
log "plan: schemagate ${plan_args[*]} over $plan_files files, 10 rounds"
# No database may be reached: libpq is pointed at nothing.
PGHOST=/nonexistent-schemagate-bench timeit "$out/plan.json" 10 2 "" \
  schemagate "$(q "$sg" "${plan_args[@]}" --dir "$p")" \
  floor "$(q find "$p" -name '*.sql' -exec cat '{}' +)"

# --- the table -----------------------------------------------------------------------------------
{
  echo "Machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -n 1)," \
    "$(free -g | awk '/^Mem:/ {print $2}') GiB RAM, kernel $(uname -r)," \
    "$("$psql" -X -qAt -d "$admin_url" -c 'SHOW server_version' | cut -d' ' -f1)" \
    "(fsync=off, synchronous_commit=off, as scripts/pg-tmp.sh starts it). Load average at the start: $load_start;" \
    "at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  "$py" "$bench/report.py" "$out"
} > "$out/table.md"
echo
cat "$out/table.md"
log "raw results in $out"
