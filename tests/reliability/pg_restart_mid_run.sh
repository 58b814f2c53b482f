# PostgreSQL restarted (`pg_ctl restart -m immediate`: a crash and recovery) or stopped for a few
# seconds in the middle of a run, on a cluster of this test's own. The README ("Lost
# connection") says a run that loses its connection reconnects with backoff (up to a minute),
# takes the lock again, re-reads the history and continues: so a copy that was applying
# revisions must exit 0. A copy that was only waiting for the lock, or had not got that far, may
# instead exit 5 (unreachable, "retry: yes"), and then a rerun must succeed. Each case ends with
# the schema of a clean run and a consistent history.
#
# The cluster runs with synchronous_commit=off (as scripts/pg-tmp.sh starts it), so an immediate
# restart may also lose the last commits: the runner must find that out by re-reading the history
# rather than trust what it had applied, which this test checks too.
. "$(dirname "$0")/lib.sh"
start_own_cluster
slow_copy "$SOURCE_DIR/migrations" "$WORK/slow" "SELECT pg_sleep(0.3);"
clean_reference "$SOURCE_DIR/migrations" "$WORK/ref.schema"

pg_ctl_own() { as_owner "$PG_BIN/pg_ctl" -D "$PGTMP_DATA" -l "$PGTMP_LOG" -w -t 60 "$@" >/dev/null; }

wait_history_rows() {
  for _ in $(seq 500); do
    [ "$(sql "SELECT count(*) FROM schemagate_history" 2>/dev/null)" = "$1" ] && return 0
    sleep 0.02
  done
  fail "the run never recorded $1 revisions"
}

# Copy I's exit code was 0, or (when it never started a step) 5 and a rerun exits 0.
check_copy() {
  local what=$1 i=$2 rc=$3
  if [ "$rc" -eq 0 ]; then return 0; fi
  if grep -q " upgrade .* -> " "$WORK/err.$i"; then
    cat "$WORK/err.$i" >&2
    fail "$what: copy $i was applying revisions when the server went away and exited $rc instead of reconnecting"
  fi
  [ "$rc" -eq 5 ] || { cat "$WORK/err.$i" >&2; fail "$what: copy $i exited $rc (expected 0, or 5 before any step)"; }
  echo "$what: copy $i exited 5 before starting a step: $(grep -m1 'error' "$WORK/err.$i")" >&2
  sg upgrade head --dir "$WORK/slow"
  [ "$RC" -eq 0 ] || fail "$what: the rerun after copy $i's exit 5 exited $RC"
}

start_copies() {
  pids=()
  for i in $(seq "$1"); do
    "$SCHEMAGATE" upgrade head --dir "$WORK/slow" --lock-timeout 120s >"$WORK/out.$i" 2>"$WORK/err.$i" &
    pids+=($!)
  done
}

wait_copies() {
  local what=$1 i rc
  for i in $(seq "${#pids[@]}"); do
    if wait "${pids[$((i - 1))]}"; then rc=0; else rc=$?; fi
    check_copy "$what" "$i" "$rc"
  done
}

# A: three copies, restarted while the one holding the lock is on its fourth revision.
rel_db a
start_copies 3
wait_history_rows 3
pg_ctl_own -m immediate restart -o "$(own_cluster_options)"
wait_copies "restart with 3 copies"
grep -q "reconnecting" "$WORK"/err.* || fail "no copy logged that it reconnected"
assert_consistent "$WORK/slow" "$WORK/ref.schema"
echo "A: restart mid-run with 3 copies: consistent" >&2

# B: the server is down for 3 seconds while a statement runs: reconnection backs off and waits.
rel_db b
start_copies 1
wait_history_rows 4
for _ in $(seq 100); do
  [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND query LIKE 'SELECT pg_sleep(0.3)%'")" = 1 ] && break
  sleep 0.01
done
pg_ctl_own -m immediate stop
sleep 3
pg_ctl_own start -o "$(own_cluster_options)"
if wait "${pids[0]}"; then rc=0; else rc=$?; fi
[ "$rc" -eq 0 ] || { cat "$WORK/err.1" >&2; fail "B: the run exited $rc after the server was down for 3s"; }
grep -q "database unreachable, retrying" "$WORK/err.1" || fail "B: the run never retried connecting"
assert_consistent "$WORK/slow" "$WORK/ref.schema"
echo "B: server down 3s mid-statement: exit 0, consistent" >&2

# C: restarts at random points of a run, from its first instant to its last step. Not later:
# with synchronous_commit=off the server may lose the last commits of a run that has already
# reported them (PostgreSQL's trade-off, invisible to any client), so the restart comes at
# least 700 ms (the last revision's 300 ms step, and a margin for a faster run) before the end
# of a timed run.
rel_db timing
start=$(ms_now)
sg upgrade head --dir "$WORK/slow"; expect_rc 0
run_ms=$(( $(ms_now) - start ))
window_ms=$(( run_ms > 1400 ? run_ms - 700 : run_ms / 2 ))
for n in 1 2 3; do
  rel_db "c$n"
  delay=$(( (RANDOM * 32768 + RANDOM) % (window_ms + 1) ))
  start_copies 1
  sleep_ms "$delay"
  pg_ctl_own -m immediate restart -o "$(own_cluster_options)"
  wait_copies "restart $n after ${delay}ms"
  assert_consistent "$WORK/slow" "$WORK/ref.schema"
  echo "C$n: restart after ${delay}ms of a ${run_ms}ms run: consistent" >&2
done
echo "ok"
