# SIGKILL at random points of a run, 24 times, each followed by recovery.
#
# Main loop (20 kills): the sample project with every up section slowed down, on a fresh
# database each time, killed after a random delay in [0, the time a clean run takes]. Right after
# each kill the database must be exactly as if the run had stopped between two revisions: the
# history holds the first K revisions in upgrade order, all `applied`, and the schema equals a
# clean run's after those K (as recorded by `upgrade +1` steps); no lock, no failed row. The next
# run must then exit 0 and leave the schema of a clean run and a consistent history.
#
# Second loop (4 kills): the same plus a `transaction: none` revision 009 (CREATE INDEX
# CONCURRENTLY), killed while 009 runs. The next run either exits 0 or refuses (exit 4) with the
# documented "was interrupted" message, and the test follows the documented repair: drop any
# INVALID index, `repair 009 --resume`.
. "$(dirname "$0")/lib.sh"
kills=${SG_REL_KILLS:-20}
none_kills=${SG_REL_NONE_KILLS:-4}

slow_copy "$SOURCE_DIR/migrations" "$WORK/slow" "SELECT pg_sleep(0.05);"
mapfile -t order < <(revisions_of "$WORK/slow")   # 001..008: also their topological order

# The schema after each prefix of the upgrade order, from a clean run one revision at a time.
rel_db prefixes
schema_dump > "$WORK/prefix.0"
for k in $(seq "${#order[@]}"); do
  sg upgrade +1 --dir "$WORK/slow"; expect_rc 0
  schema_dump > "$WORK/prefix.$k"
done
clean_reference "$SOURCE_DIR/migrations" "$WORK/ref.schema"
cmp -s "$WORK/prefix.${#order[@]}" "$WORK/ref.schema" \
  || fail "the slowed copy does not build the sample's schema"

# How long a clean run of the slowed copy takes, process start to exit.
rel_db timing
start=$(ms_now)
sg upgrade head --dir "$WORK/slow"; expect_rc 0
run_ms=$(( $(ms_now) - start ))
echo "a clean run takes ${run_ms}ms" >&2

# After a kill: the history is a prefix of the upgrade order and the schema matches it. Sets
# $k to the prefix's length.
assert_prefix_state() {
  local what=$1 got revs
  local locks="(SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
                 WHERE l.locktype = 'advisory' AND d.datname = current_database())"
  # Killed before it created the history table, the run left none.
  got=$(sql "SELECT (SELECT coalesce(string_agg(revision, ',' ORDER BY revision), '') FROM schemagate_history)
             || '|' || $locks" 2>/dev/null) || got=$(sql "SELECT '|' || $locks")
  revs=${got%|*}
  k=0
  [ -n "$revs" ] && k=$(echo "$revs" | tr ',' '\n' | wc -l)
  [ "$revs" = "$(printf '%s\n' "${order[@]:0:$k}" | paste -sd,)" ] \
    || fail "$what: the history ($revs) is not a prefix of the upgrade order"
  [ "${got#*|}" = 0 ] || fail "$what: the killed run left its lock"
  if [ "$k" -gt 0 ]; then
    [ "$(sql "SELECT (SELECT count(*) FROM schemagate_history WHERE state <> 'applied')
                   + (SELECT count(*) FROM schemagate_history_log WHERE outcome <> 'succeeded')")" = 0 ] \
      || fail "$what: an unfinished history row or a failed audit row"
  fi
  assert_schema "$WORK/prefix.$k"
}

histogram=()
for n in $(seq "$kills"); do
  rel_db "k$n"
  delay=$(( RANDOM * 32768 + RANDOM ))
  delay=$(( delay % (run_ms + 1) ))
  "$SCHEMAGATE" upgrade head --dir "$WORK/slow" >"$WORK/out" 2>"$WORK/err" &
  runner=$!
  sleep_ms "$delay"
  kill -KILL "$runner" 2>/dev/null || true
  wait "$runner" 2>/dev/null || true
  wait_sessions_gone
  assert_prefix_state "kill $n after ${delay}ms"
  histogram+=("$k")
  sg upgrade head --dir "$WORK/slow"
  [ "$RC" -eq 0 ] || fail "kill $n after ${delay}ms (${k} revisions applied): the next run exited $RC"
  assert_consistent "$WORK/slow" "$WORK/ref.schema"
  echo "kill $n after ${delay}ms: $k of ${#order[@]} applied, recovered" >&2
done
echo "revisions applied when killed: ${histogram[*]}" >&2

# The second loop: a `transaction: none` revision after the sample's eight.
cp -r "$WORK/slow" "$WORK/none"
cat > "$WORK/none/009_index_created_at.sql" <<'SQL'
-- parents: 008
-- transaction: none
-- message: index accounts and guilds by creation time

-- migrate:up
CREATE INDEX CONCURRENTLY IF NOT EXISTS accounts_created_at_idx ON accounts (created_at);
SELECT pg_sleep(0.2);
CREATE INDEX CONCURRENTLY IF NOT EXISTS guilds_created_at_idx ON guilds (created_at);
SELECT pg_sleep(0.2);

-- migrate:down
DROP INDEX CONCURRENTLY IF EXISTS guilds_created_at_idx;
DROP INDEX CONCURRENTLY IF EXISTS accounts_created_at_idx;
SQL
clean_reference "$WORK/none" "$WORK/ref-none.schema"

repaired=0
for n in $(seq "$none_kills"); do
  rel_db "n$n"
  sg upgrade 008 --dir "$WORK/none"; expect_rc 0
  "$SCHEMAGATE" upgrade head --dir "$WORK/none" >"$WORK/out" 2>"$WORK/err" &
  runner=$!
  for _ in $(seq 200); do
    [ "$(sql "SELECT count(*) FROM schemagate_history WHERE revision = '009'")" = 1 ] && break
    sleep 0.01
  done
  delay=$(( RANDOM % 300 ))
  sleep_ms "$delay"
  kill -KILL "$runner" 2>/dev/null || true
  wait "$runner" 2>/dev/null || true
  wait_sessions_gone
  [ "$(advisory_locks)" = 0 ] || fail "none kill $n: the killed run left its lock"
  state=$(sql "SELECT state FROM schemagate_history WHERE revision = '009'")

  sg upgrade head --dir "$WORK/none"
  if [ "$RC" -eq 4 ]; then
    [ "$state" = running ] || fail "none kill $n: exit 4 although 009's row was '$state'"
    expect_err "revision 009 was interrupted during its upgrade (transaction: none)"
    expect_err "schemagate repair 009 --resume"
    sg validate --dir "$WORK/none"; expect_rc 4
    expect_out "revision 009 was interrupted during its upgrade"
    # The documented repair: drop what an interrupted CREATE INDEX CONCURRENTLY left, resume.
    for index in $(sql "SELECT indexrelid::regclass FROM pg_index WHERE NOT indisvalid"); do
      sql "DROP INDEX CONCURRENTLY $index" >/dev/null
    done
    sg repair 009 --resume --dir "$WORK/none"
    [ "$RC" -eq 0 ] || fail "none kill $n: repair 009 --resume exited $RC"
    repaired=$((repaired + 1))
    sg upgrade head --dir "$WORK/none"
    [ "$RC" -eq 0 ] || fail "none kill $n: upgrade after the repair exited $RC"
  elif [ "$RC" -ne 0 ]; then
    fail "none kill $n after ${delay}ms (009 '$state'): the next run exited $RC"
  fi
  [ "$(sql "SELECT count(*) FROM pg_index WHERE NOT indisvalid")" = 0 ] \
    || fail "none kill $n: an INVALID index is left"
  assert_consistent "$WORK/none" "$WORK/ref-none.schema"
  echo "none kill $n after ${delay}ms into 009: row '$state', recovered" >&2
done
[ "$repaired" -gt 0 ] || fail "no kill landed inside the transaction: none revision"
echo "ok"
