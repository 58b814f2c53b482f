# 20 copies of `upgrade head` started at once, in 5 rounds on fresh databases (the sample
# project, then a copy whose every revision sleeps, so the copies really queue on the lock): all
# exit 0, each revision is applied exactly once, no failed step, no lock left behind, and the
# schema equals a clean run's.
. "$(dirname "$0")/lib.sh"
cd "$SOURCE_DIR"
copies=20
rounds=5

clean_reference "$SOURCE_DIR/migrations" "$WORK/ref.schema"
slow_copy "$SOURCE_DIR/migrations" "$WORK/slow" "SELECT pg_sleep(0.05);"

for round in $(seq "$rounds"); do
  dir="$SOURCE_DIR/migrations"
  [ $((round % 2)) -eq 0 ] && dir="$WORK/slow"
  rel_db "r$round"
  pids=()
  for i in $(seq "$copies"); do
    "$SCHEMAGATE" upgrade head --dir "$dir" --lock-timeout 120s >"$WORK/out.$i" 2>"$WORK/err.$i" &
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
  [ "$failed" -eq 0 ] || fail "round $round: $failed of $copies copies did not exit 0"
  # Right after the last copy exits, before any wait: the lock died with its transaction.
  [ "$(advisory_locks)" = 0 ] || fail "round $round: an advisory lock remains after every copy exited"
  appliers=$(grep -l " upgrade .* -> " "$WORK"/err.* | wc -l)
  [ "$appliers" -eq 1 ] || fail "round $round: $appliers copies applied revisions (one should apply all)"
  [ "$(sql "SELECT count(*) FROM schemagate_history_log WHERE outcome <> 'succeeded'")" = 0 ] \
    || fail "round $round: the audit log holds failed steps"
  assert_consistent "$dir" "$WORK/ref.schema"
  echo "round $round ($(basename "$dir")): $copies copies, every revision applied once" >&2
done
echo "ok"
