# SIGKILL at many points of a `transaction: none` revision whose CREATE INDEX CONCURRENTLY takes
# about a second. Whatever the kill left (nothing, an INVALID index, or a VALID index that the
# server finished after its client died while the history still says the statement did not
# run), the recovery the error message prescribes works: `repair --resume`, then `upgrade`,
# reach head with one valid index and a consistent history.
. "$(dirname "$0")/lib.sh"
rel_db main
fixture="$SOURCE_DIR/tests/reliability/fixtures/cic_big"
sg upgrade 001 --dir "$fixture"; expect_rc 0

index_state() { sql "SELECT coalesce((SELECT CASE WHEN indisvalid THEN 'valid' ELSE 'invalid' END FROM pg_index WHERE indexrelid = to_regclass('items_name_idx')), 'none')"; }

# How long one uninterrupted build takes here.
start=$(ms_now)
sg upgrade head --dir "$fixture"; expect_rc 0
took=$(( $(ms_now) - start ))
echo "one build: ${took}ms" >&2
sg downgrade 001 --dir "$fixture"; expect_rc 0

seen=" "
for round in $(seq 10); do
  # Spread the kills over the build and a little past it; the server goes on for up to a
  # second after its client died (client_connection_check_interval).
  delay=$(( RANDOM % (took + 300) ))
  "$SCHEMAGATE" upgrade head --dir "$fixture" >"$WORK/out" 2>"$WORK/err" &
  runner=$!
  sleep_ms "$delay"
  kill -KILL "$runner" 2>/dev/null || true
  wait "$runner" 2>/dev/null || true
  wait_sessions_gone
  left=$(index_state)
  row=$(sql "SELECT state || '/' || statements_done FROM schemagate_history WHERE revision = '002'")
  seen="$seen$left:${row:-none} "
  echo "round $round: killed after ${delay}ms: index $left, history row ${row:-none}" >&2

  sg upgrade head --dir "$fixture"
  if [ "$RC" = 4 ]; then
    expect_err "schemagate repair 002 --resume"
    sg repair 002 --resume --dir "$fixture"
    [ "$RC" = 0 ] || fail "round $round: repair --resume after a kill that left the index $left exited $RC"
    sg upgrade head --dir "$fixture"
  fi
  [ "$RC" = 0 ] || fail "round $round: upgrade after the kill exited $RC"
  [ "$(index_state)" = valid ] || fail "round $round: the index is $(index_state) at head"
  sg validate --dir "$fixture"; expect_rc 0
  sg downgrade 001 --dir "$fixture"; expect_rc 0
done
echo "states seen: $seen" >&2
echo "ok"
