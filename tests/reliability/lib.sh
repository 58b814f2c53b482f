# Shared helpers for the fault-injection scenarios. Builds on tests/cli/lib.sh (sg, sql, fail,
# expect_rc, expect_err, $WORK, ...) and adds what every scenario here asserts at its end: the
# schema equals a clean run's, and the history is consistent.
#
#   rel_db NAME             creates a database of this scenario (dropped at exit) and uses it
#   use_db DBNAME           points sql, sg and $DATABASE_URL at DBNAME
#   schema_dump             the schema of $DB as `pg_dump --schema-only`, history tables left
#                           out, comments, SETs and pg_dump's random \restrict keys removed
#   clean_reference DIR OUT upgrades a fresh database to head with DIR, dumps its schema to OUT
#   revisions_of DIR        the revision ids of DIR's files, one a line, sorted
#   slow_copy SRC DST SQL   copies SRC's migrations to DST with the line SQL appended to every
#                           up section (so a run lasts long enough to be interrupted)
#   wait_sessions_gone      waits until $DB has no schemagate backend (a killed client's
#                           backend ends within about a second)
#   advisory_locks          the advisory locks held in $DB
#   assert_history DIR      one `applied` row per revision of DIR, one succeeded upgrade per
#                           revision in the audit log, no advisory lock
#   assert_schema REF       schema_dump equals the file REF (the diff is printed if not)
#   assert_consistent DIR REF  the end-of-scenario check: no schemagate session left, validate
#                           exits 0, assert_history DIR, assert_schema REF
#   start_own_cluster       a throwaway cluster of this scenario's own (for restarts and server
#                           settings the shared one must not see); PGTMP_* then point at it
#   ms_now                  milliseconds since the epoch
#   sleep_ms N              sleeps N milliseconds
#
# Randomness comes from $RANDOM seeded with SG_REL_SEED (printed), so a failure can be replayed.
# shellcheck disable=SC1091
. "$(dirname "${BASH_SOURCE[0]}")/../cli/lib.sh"

REL_NAME=$(basename "$0" .sh)
REL_DBS=()
REL_CLUSTER=""
REL_BOUNCER_DIR=""
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
SG_REL_SEED=${SG_REL_SEED:-$(( $(date +%s) % 100000 + $$ ))}
RANDOM=$SG_REL_SEED
echo "$REL_NAME: seed SG_REL_SEED=$SG_REL_SEED" >&2

# Replaces cli/lib.sh's cleanup: ends the processes this script started and still runs (jobs
# of this shell only), its pgbouncer, its databases and its own cluster, then the scratch dir.
cleanup() {
  local pids
  pids=$(jobs -p 2>/dev/null || true)
  # shellcheck disable=SC2086
  if [ -n "$pids" ]; then kill -KILL $pids 2>/dev/null || true; fi
  if [ -n "$REL_BOUNCER_DIR" ] && [ -f "$REL_BOUNCER_DIR/pgbouncer.pid" ]; then
    kill "$(cat "$REL_BOUNCER_DIR/pgbouncer.pid")" 2>/dev/null || true
    sleep 0.2
  fi
  if [ -n "$REL_BOUNCER_DIR" ]; then rm -rf "$REL_BOUNCER_DIR"; fi
  if [ -n "$REL_CLUSTER" ]; then
    bash "$SOURCE_DIR/scripts/pg-tmp.sh" stop "$REL_CLUSTER" >/dev/null 2>&1 || true
  elif [ "${#REL_DBS[@]}" -gt 0 ]; then
    local drops=()
    for d in "${REL_DBS[@]}"; do drops+=(-c "DROP DATABASE IF EXISTS \"$d\" WITH (FORCE)"); done
    psql -X -q -h "$PGTMP_SOCKET" -p "$PGTMP_PORT" -U "$PGTMP_USER" -d postgres "${drops[@]}" \
      >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}

ms_now() { echo $(( $(date +%s%N) / 1000000 )); }
sleep_ms() { sleep "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))"; }

# psql and pg_dump go through the Unix socket (trusted: no SCRAM round trips, which cost more
# than the query on a loaded machine); schemagate itself always connects over TCP.
psql_admin() {
  psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$PGTMP_SOCKET" -p "$PGTMP_PORT" -U "$PGTMP_USER" \
    -d postgres -c "$1"
}

sql() {
  psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$PGTMP_SOCKET" -p "$PGTMP_PORT" -U "$PGTMP_USER" \
    -d "$DB" -c "$1"
}

use_db() {
  DB=$1
  export DATABASE_URL="postgresql://$PGTMP_USER:$PGTMP_PASSWORD@$PGTMP_HOST:$PGTMP_PORT/$DB"
}

rel_db() {
  local name="sg_rel_${REL_NAME}_$$_$1"
  psql_admin "CREATE DATABASE \"$name\"" >/dev/null
  REL_DBS+=("$name")
  use_db "$name"
}

schema_dump() {
  pg_dump -h "$PGTMP_SOCKET" -p "$PGTMP_PORT" -U "$PGTMP_USER" -d "$DB" \
    --schema-only --no-owner -T 'public.schemagate_history*' \
    | { grep -Ev '^(--|SET |SELECT pg_catalog\.set_config|\\(un)?restrict |$)' || true; }
}

clean_reference() {
  local dir=$1 out=$2 keep=$DB
  rel_db "ref$(basename "$out" | tr -cd 'a-z0-9')"
  sg upgrade head --dir "$dir"
  expect_rc 0
  schema_dump > "$out"
  [ -s "$out" ] || fail "the clean run of $dir dumped an empty schema"
  use_db "$keep"
}

revisions_of() {
  local f
  for f in "$1"/*.sql; do
    f=${f##*/}
    echo "${f%%_*}"
  done | sort
}

slow_copy() {
  local src=$1 dst=$2 line=$3 f
  mkdir -p "$dst"
  for f in "$src"/*.sql; do
    # The line goes last in the up section: before `-- migrate:down`, or at the end.
    awk -v line="$line" '
      /^-- migrate:down/ && !done { print line; print ""; done = 1 }
      { print }
      END { if (!done) print line }' "$f" > "$dst/$(basename "$f")"
  done
}

wait_sessions_gone() {
  for _ in $(seq 200); do
    [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'schemagate'")" = 0 ] && return 0
    sleep 0.05
  done
  sql "SELECT pid, state, left(query, 80) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'schemagate'" >&2
  fail "schemagate sessions are still open in $DB 10s after the clients ended"
}

advisory_locks() {
  sql "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
       WHERE l.locktype = 'advisory' AND d.datname = current_database()"
}

# The history of $DB holds exactly the revisions of DIR, once each, applied, and the audit log
# one succeeded upgrade per revision (retries after a rollback add failed rows, never a second
# success); no advisory lock is held in $DB. One query: psql's start-up costs more than it.
assert_history() {
  local dir=$1 expected got want
  expected=$(revisions_of "$dir" | paste -sd,)
  want="$(revisions_of "$dir" | sed 's/$/:applied/' | paste -sd,)|$(revisions_of "$dir" | sed 's/$/x1/' | paste -sd,)|0"
  got=$(sql "SELECT (SELECT string_agg(revision || ':' || state, ',' ORDER BY revision) FROM schemagate_history)
             || '|' || (SELECT string_agg(revision || 'x' || n, ',' ORDER BY revision) FROM (
                  SELECT revision, count(*) AS n FROM schemagate_history_log
                  WHERE operation = 'upgrade' AND outcome = 'succeeded' GROUP BY revision) s)
             || '|' || (SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
                        WHERE l.locktype = 'advisory' AND d.datname = current_database())")
  [ "$got" = "$want" ] || fail "$DB: expected each of $expected applied once (history|succeeded upgrades in the audit log|advisory locks: $want), got: $got"
}

assert_schema() {
  local ref=$1
  schema_dump > "$WORK/schema.now"
  if ! diff -u "$ref" "$WORK/schema.now" > "$WORK/schema.diff"; then
    head -60 "$WORK/schema.diff" >&2
    fail "the schema of $DB differs from the clean run's ($ref)"
  fi
}

assert_consistent() {
  local dir=$1 ref=$2
  wait_sessions_gone
  sg validate --dir "$dir"
  [ "$RC" -eq 0 ] || fail "validate exited $RC on $DB"
  assert_history "$dir"
  assert_schema "$ref"
}

start_own_cluster() {
  REL_CLUSTER=$WORK/pg
  bash "$SOURCE_DIR/scripts/pg-tmp.sh" start "$REL_CLUSTER" 2>"$WORK/pg-start.log" \
    || { cat "$WORK/pg-start.log" >&2; fail "could not start a cluster of our own"; }
  # shellcheck disable=SC1091
  . "$REL_CLUSTER/env"
}

# The options scripts/pg-tmp.sh starts the server with, for a restart with the same ones.
own_cluster_options() {
  echo "-p $PGTMP_PORT -k $PGTMP_SOCKET -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
}
