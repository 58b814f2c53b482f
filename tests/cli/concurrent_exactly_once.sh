# Ten copies of `upgrade head` started together on an empty database all exit 0, every revision
# is applied exactly once, and no advisory lock is left behind.
. "$(dirname "$0")/lib.sh"
new_db
cd "$SOURCE_DIR"

pids=()
for i in $(seq 1 10); do
  "$SCHEMAGATE" upgrade head --lock-timeout 60s >"$WORK/out.$i" 2>"$WORK/err.$i" &
  pids+=($!)
done
failed=0
for i in $(seq 1 10); do
  if wait "${pids[$((i - 1))]}"; then rc=0; else rc=$?; fi
  if [ "$rc" -ne 0 ]; then
    echo "copy $i exited $rc; its stderr:" >&2; cat "$WORK/err.$i" >&2
    failed=$((failed + 1))
  fi
done
[ "$failed" -eq 0 ] || fail "$failed of 10 copies did not exit 0"

[ "$(sql "SELECT count(*) FROM schemagate_history")" = 8 ] || fail "history does not hold exactly 8 rows"
[ "$(sql "SELECT count(*) FROM (SELECT DISTINCT revision FROM schemagate_history_log
                                  WHERE operation = 'upgrade' AND outcome = 'succeeded') r")" = 8 ] \
  || fail "the audit log does not cover the 8 revisions"
[ "$(sql "SELECT count(*) FROM schemagate_history_log WHERE operation = 'upgrade' AND outcome = 'succeeded'")" = 8 ] \
  || fail "the audit log holds more than one successful upgrade of some revision"
[ "$(sql "SELECT count(*) FROM schemagate_history_log WHERE outcome = 'failed'")" = 0 ] \
  || fail "the audit log holds failed steps"
[ "$(sql "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
          WHERE l.locktype = 'advisory' AND d.datname = current_database()")" = 0 ] \
  || fail "an advisory lock remains after every copy exited"
echo "ok"
