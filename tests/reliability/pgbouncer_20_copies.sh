# PgBouncer in transaction pooling mode in front of the database, with fewer server connections
# than clients: 20 copies of `upgrade head` started at once, in 3 rounds on fresh databases (the
# sample project, then a copy whose every revision sleeps so the copies queue on the lock). All
# exit 0, each revision is applied exactly once, and no advisory lock or open transaction stays
# behind on the server connections PgBouncer keeps open after the clients leave.
. "$(dirname "$0")/lib.sh"
copies=20
rounds=3

clean_reference "$SOURCE_DIR/migrations" "$WORK/ref.schema"
slow_copy "$SOURCE_DIR/migrations" "$WORK/slow" "SELECT pg_sleep(0.05);"

# The `*` entry routes every database name to the shared cluster, so each round gets a fresh one.
REL_BOUNCER_DIR=$(mktemp -d /tmp/schemagate-pgbouncer.XXXXXX)
start_pgbouncer "$REL_BOUNCER_DIR" "* = host=127.0.0.1 port=$PGTMP_PORT" \
  "default_pool_size = 5" "max_client_conn = 200" "server_idle_timeout = 600"
port=$BOUNCER_PORT

for round in $(seq "$rounds"); do
  dir="$SOURCE_DIR/migrations"
  [ $((round % 2)) -eq 0 ] && dir="$WORK/slow"
  rel_db "b$round"
  bounced="postgresql://$PGTMP_USER:$PGTMP_PASSWORD@127.0.0.1:$port/$DB"
  pids=()
  for i in $(seq "$copies"); do
    "$SCHEMAGATE" upgrade head --dir "$dir" --lock-timeout 120s --database-url "$bounced" \
      >"$WORK/out.$i" 2>"$WORK/err.$i" &
    pids+=($!)
  done
  failed=0
  for i in $(seq "$copies"); do
    if wait "${pids[$((i - 1))]}"; then rc=0; else rc=$?; fi
    if [ "$rc" -ne 0 ]; then
      echo "round $round: copy $i exited $rc; its stderr:" >&2; cat "$WORK/err.$i" >&2
      failed=$((failed + 1))
    fi
  done
  [ "$failed" -eq 0 ] || { tail -20 "$REL_BOUNCER_DIR/pgbouncer.log" >&2; fail "round $round: $failed of $copies copies did not exit 0"; }
  appliers=$(grep -l " upgrade .* -> " "$WORK"/err.* | wc -l)
  [ "$appliers" -eq 1 ] || fail "round $round: $appliers copies applied revisions (one should apply all)"
  [ "$(sql "SELECT count(*) FROM schemagate_history_log WHERE outcome <> 'succeeded'")" = 0 ] \
    || fail "round $round: the audit log holds failed steps"
  # PgBouncer keeps its server connections to this database open: none may hold a lock or sit
  # in a transaction. (They are not schemagate sessions to the server's eyes, so
  # assert_consistent's wait for those would wait forever; they are checked here instead.)
  servers=$(sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
  [ "$(advisory_locks)" = 0 ] || fail "round $round: an advisory lock is left on a pooled server connection ($servers open)"
  [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'")" = 0 ] \
    || fail "round $round: a pooled server connection was left in a transaction"
  # Close them, so the next checks and the database's drop see no other session.
  sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()" >/dev/null
  assert_consistent "$dir" "$WORK/ref.schema"
  echo "round $round ($(basename "$dir")): $copies copies through pgbouncer ($servers server connections kept), every revision applied once" >&2
done
echo "ok"
