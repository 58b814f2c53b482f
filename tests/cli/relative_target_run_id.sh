# Copies of one run (the same --run-id, as the pods of one Job share their controller-uid),
# started together, move a relative target exactly once whatever the interleaving, and so does
# a retry that comes after the first attempt committed. Runs without a run id each move.
. "$(dirname "$0")/lib.sh"
new_db
fixture="$SOURCE_DIR/tests/fixtures/linear_chain"
applied() { sql "SELECT string_agg(revision, ',' ORDER BY revision) FROM schemagate_history"; }
copies() { # copies N ARGS...: N copies at once; fails unless each exits 0
  local n=$1 pids=() i
  shift
  for i in $(seq "$n"); do "$SCHEMAGATE" "$@" --dir "$fixture" >"$WORK/out.$i" 2>"$WORK/err.$i" & pids+=($!); done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || { cat "$WORK/err.$((i + 1))" >&2; fail "copy $((i + 1)) of $* failed"; }
  done
}

sg upgrade head --dir "$fixture"; expect_rc 0
for round in 1 2 3; do
  copies 8 downgrade -1 --run-id "down-$round"
  expected=$(seq -s, -f '%03g' 1 $((6 - round)))
  [ "$(applied)" = "$expected" ] || fail "round $round: 8 copies of downgrade -1 left $(applied), expected $expected"
done
# The retried pod of round 3's Job: its first attempt committed, so it has nothing to do.
sg downgrade -1 --run-id down-3 --dir "$fixture"; expect_rc 0
[ "$(applied)" = "001,002,003" ] || fail "a retry of run down-3 moved again: $(applied)"
expect_err "nothing to downgrade"

copies 8 upgrade +2 --run-id up-1
[ "$(applied)" = "001,002,003,004,005" ] || fail "8 copies of upgrade +2 left $(applied)"
[ "$(sql "SELECT array_to_string(revisions, ',') FROM schemagate_history_run WHERE run_id = 'up-1'")" = "004,005" ] \
  || fail "the resolved target of run up-1 is not recorded"

# Without a run id each invocation is a request of its own.
sg downgrade -1 --dir "$fixture"; expect_rc 0
sg downgrade -1 --dir "$fixture"; expect_rc 0
[ "$(applied)" = "001,002,003" ] || fail "two downgrades -1 without a run id left $(applied)"

sg upgrade +1 --run-id "$(printf 'bad\tid')" --dir "$fixture"; expect_rc 2
expect_err "run-id"
echo "ok"
