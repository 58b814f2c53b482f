# 50 `wait` processes (the init containers of 50 pods) block while the schema is behind, and
# are all released within a fraction of a second of the runner finishing, by NOTIFY rather
# than by their polling interval (set to 60s here). Each costs one connection, and reads the
# state only at its start and once every pending revision was announced: not after 001, which
# is applied 4 seconds before 002 ends.
. "$(dirname "$0")/lib.sh"
new_db
fixture="$SOURCE_DIR/tests/fixtures/slow_step"

pids=()
for i in $(seq 50); do
  ( "$SCHEMAGATE" wait --dir "$fixture" --interval 60s --timeout 60s >/dev/null 2>"$WORK/wait.$i"
    echo "$? $(date +%s%N)" > "$WORK/done.$i" ) &
  pids+=($!)
done
for _ in $(seq 200); do
  [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'schemagate'")" -ge 50 ] && break
  sleep 0.05
done
connections=$(sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'schemagate'")
[ "$connections" -eq 50 ] || fail "50 waiters hold $connections connections, expected 50"
ls "$WORK"/done.* >/dev/null 2>&1 && fail "a waiter returned before any migration ran"

sg upgrade head --dir "$fixture"; expect_rc 0
for pid in "${pids[@]}"; do wait "$pid"; done
# The times are those of the log lines (ms), not of the processes' exits: 50 processes leaving
# at once on 2 cores (under ASan, each scanning for leaks) is not what is measured here.
ms_of() { [ -n "$1" ] || fail "a log line without a time"; date -d "$1" +%s%3N; }
finished=$(ms_of "$(grep "upgrade 002 done" "$WORK/err" | cut -d' ' -f1)") || exit 1
latest=0
for i in $(seq 50); do
  read -r rc _ < "$WORK/done.$i"
  [ "$rc" = 0 ] || { cat "$WORK/wait.$i" >&2; fail "waiter $i exited $rc"; }
  at=$(ms_of "$(grep "the schema is at" "$WORK/wait.$i" | cut -d' ' -f1)") || exit 1
  [ "$at" -gt "$latest" ] && latest=$at
  lines=$(grep -c "waiting for" "$WORK/wait.$i" || true)
  [ "$lines" = 1 ] || { cat "$WORK/wait.$i" >&2; fail "waiter $i logged $lines 'waiting for' lines: it read the state on a partial NOTIFY"; }
done
lag_ms=$((latest - finished))
echo "last waiter saw the schema at head ${lag_ms}ms after the runner's last revision"
[ "$lag_ms" -lt 1000 ] || fail "waiters were released ${lag_ms}ms after the runner finished"
echo "ok"
