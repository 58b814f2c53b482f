# SIGTERM and SIGINT as the README ("Signals") describes them, each case ending with the schema
# of a clean run and a consistent history:
#
# A. SIGTERM while a transactional revision (005 of the sample, made to sleep 4s) runs: exit 130
#    promptly (the statement is cancelled), 005 rolled back (history and schema exactly those of
#    001..004), a failed row in the audit log, no lock left. The rerun applies 005; meanwhile a
#    second copy waiting for the lock gets SIGTERM and exits 130 at once without disturbing it.
# B. one SIGTERM during a `transaction: none` statement (009, `SELECT pg_sleep(4)`): the
#    statement is not cancelled; the step stops after it, recorded as failed there, exit 130;
#    `repair 009 --resume` completes it.
# C. SIGTERM then SIGINT during that statement: the second signal exits at once (130, well under
#    the statement's length); validate shows the interrupted step; `repair 009 --resume`
#    completes it.
. "$(dirname "$0")/lib.sh"

# The sample with `SELECT pg_sleep(4);` at the end of 005's up section.
mkdir -p "$WORK/trans"
cp "$SOURCE_DIR"/migrations/*.sql "$WORK/trans/"
slow_copy "$SOURCE_DIR/migrations" "$WORK/slow005" "SELECT pg_sleep(4);"
cp "$WORK"/slow005/005_*.sql "$WORK/trans/"
# The sample plus a `transaction: none` revision that sleeps between two index builds.
mkdir -p "$WORK/none"
cp "$SOURCE_DIR"/migrations/*.sql "$WORK/none/"
cat > "$WORK/none/009_index_created_at.sql" <<'SQL'
-- parents: 008
-- transaction: none
-- message: index accounts and guilds by creation time

-- migrate:up
CREATE INDEX CONCURRENTLY IF NOT EXISTS accounts_created_at_idx ON accounts (created_at);
SELECT pg_sleep(4);
CREATE INDEX CONCURRENTLY IF NOT EXISTS guilds_created_at_idx ON guilds (created_at);

-- migrate:down
DROP INDEX CONCURRENTLY IF EXISTS guilds_created_at_idx;
DROP INDEX CONCURRENTLY IF EXISTS accounts_created_at_idx;
SQL

clean_reference "$SOURCE_DIR/migrations" "$WORK/ref.schema"
clean_reference "$WORK/none" "$WORK/ref-none.schema"
rel_db ref004
sg upgrade 004 --dir "$SOURCE_DIR/migrations"; expect_rc 0
schema_dump > "$WORK/ref004.schema"

wait_active() {   # waits until a schemagate backend of $DB runs the statement $1
  for _ in $(seq 300); do
    [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
                AND application_name = 'schemagate' AND state = 'active' AND query = '$1'")" = 1 ] && return 0
    sleep 0.02
  done
  fail "no schemagate backend ever ran '$1'"
}

# A.
rel_db a
"$SCHEMAGATE" upgrade head --dir "$WORK/trans" >"$WORK/out" 2>"$WORK/err" &
runner=$!
wait_active "SELECT pg_sleep(4)"
start=$(ms_now)
kill -TERM "$runner"
set +e; wait "$runner"; RC=$?; set -e
elapsed=$(( $(ms_now) - start ))
expect_rc 130
expect_err "revision 005 was rolled back"
[ "$elapsed" -lt 2500 ] || fail "A: SIGTERM took ${elapsed}ms: the statement was not cancelled"
[ "$(advisory_locks)" = 0 ] || fail "A: the lock is still held after exit 130"
wait_sessions_gone
[ "$(sql "SELECT string_agg(revision || ':' || state, ',' ORDER BY revision) FROM schemagate_history")" \
  = "001:applied,002:applied,003:applied,004:applied" ] || fail "A: the history is not exactly 001..004 after 005 was rolled back"
[ "$(sql "SELECT count(*) FROM schemagate_history_log WHERE revision = '005' AND outcome = 'failed' AND error LIKE 'interrupted%'")" = 1 ] \
  || fail "A: the audit log does not record 005's interrupted step"
assert_schema "$WORK/ref004.schema"
echo "A: SIGTERM in a transactional step: exit 130 after ${elapsed}ms, 005 rolled back" >&2

"$SCHEMAGATE" upgrade head --dir "$WORK/trans" >"$WORK/out.holder" 2>"$WORK/err.holder" &
holder=$!
wait_active "SELECT pg_sleep(4)"
"$SCHEMAGATE" upgrade head --dir "$WORK/trans" >"$WORK/out.waiter" 2>"$WORK/err.waiter" &
waiter=$!
sleep 0.5
start=$(ms_now)
kill -TERM "$waiter"
if wait "$waiter"; then rc=0; else rc=$?; fi
elapsed=$(( $(ms_now) - start ))
[ "$rc" -eq 130 ] || { cat "$WORK/err.waiter" >&2; fail "A: the waiting copy exited $rc on SIGTERM, expected 130"; }
[ "$elapsed" -lt 1500 ] || fail "A: the waiting copy took ${elapsed}ms to exit on SIGTERM"
if wait "$holder"; then rc=0; else rc=$?; fi
[ "$rc" -eq 0 ] || { cat "$WORK/err.holder" >&2; fail "A: the rerun exited $rc"; }
assert_consistent "$WORK/trans" "$WORK/ref.schema"
echo "A: the rerun applied 005; a waiting copy exited 130 on SIGTERM after ${elapsed}ms" >&2

# B.
rel_db b
sg upgrade 008 --dir "$WORK/none"; expect_rc 0
"$SCHEMAGATE" upgrade head --dir "$WORK/none" >"$WORK/out" 2>"$WORK/err" &
runner=$!
wait_active "SELECT pg_sleep(4)"
start=$(ms_now)
kill -TERM "$runner"
set +e; wait "$runner"; RC=$?; set -e
elapsed=$(( $(ms_now) - start ))
expect_rc 130
expect_err "continue with \`schemagate repair 009 --resume\`"
[ "$elapsed" -ge 2000 ] || fail "B: one SIGTERM ended the run after ${elapsed}ms: the statement was cancelled"
[ "$(sql "SELECT state || ' ' || statements_done FROM schemagate_history WHERE revision = '009'")" = "failed 2" ] \
  || fail "B: 009 should be recorded as failed after its 2nd statement, is '$(sql "SELECT state || ' ' || statements_done FROM schemagate_history WHERE revision = '009'")'"
[ "$(advisory_locks)" = 0 ] || fail "B: the lock is still held after exit 130"
sg validate --dir "$WORK/none"; expect_rc 4
expect_out "revision 009 failed during its upgrade (transaction: none) after 2 statements"
sg repair 009 --resume --dir "$WORK/none"; expect_rc 0
assert_consistent "$WORK/none" "$WORK/ref-none.schema"
echo "B: one SIGTERM in a transaction: none statement: it finished (${elapsed}ms), exit 130, resumed" >&2

# C.
rel_db c
sg upgrade 008 --dir "$WORK/none"; expect_rc 0
"$SCHEMAGATE" upgrade head --dir "$WORK/none" >"$WORK/out" 2>"$WORK/err" &
runner=$!
wait_active "SELECT pg_sleep(4)"
start=$(ms_now)
kill -TERM "$runner"; sleep 0.2; kill -INT "$runner"
set +e; wait "$runner"; RC=$?; set -e
elapsed=$(( $(ms_now) - start ))
expect_rc 130
[ "$elapsed" -lt 2000 ] || fail "C: the second signal took ${elapsed}ms to end the process"
wait_sessions_gone
[ "$(advisory_locks)" = 0 ] || fail "C: a lock is left after the process exited"
sg validate --dir "$WORK/none"; expect_rc 4
expect_out "revision 009 was interrupted during its upgrade (transaction: none) after 1 statements"
sg upgrade head --dir "$WORK/none"; expect_rc 4
expect_err "schemagate repair 009 --resume"
sg repair 009 --resume --dir "$WORK/none"; expect_rc 0
assert_consistent "$WORK/none" "$WORK/ref-none.schema"
echo "C: a second signal exited at once (${elapsed}ms); validate showed the step; resumed" >&2
echo "ok"
