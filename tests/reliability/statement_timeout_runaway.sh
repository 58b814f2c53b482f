# A runaway statement (`SELECT pg_sleep(5)`) stopped by statement_timeout, set either way the
# README offers, each case ending with the schema of a clean run and a consistent history:
#
# A. `--statement-timeout 1s`: exit 1 after about a second, SQLSTATE 57014 in the message,
#    nothing of that revision applied (no table, no history row), a failed audit row with
#    57014, no lock; a rerun with `--statement-timeout 10s` succeeds.
# B. the file directive `-- statement-timeout: 1s`, which overrides a larger flag: the same; the
#    rerun succeeds once the directive says 10s (directives are not part of the checksum).
# C. the directive on a `transaction: none` revision: exit 1, the statements before it stay
#    committed and the revision is recorded as failed there; after raising the directive,
#    `repair --resume` completes it.
. "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/flag"
cat > "$WORK/flag/001_base.sql" <<'SQL'
-- parents: base

-- migrate:up
CREATE TABLE before_runaway (id int PRIMARY KEY);

-- migrate:down
DROP TABLE before_runaway;
SQL
cat > "$WORK/flag/002_runaway.sql" <<'SQL'
-- parents: 001
-- message: a table, then a statement that runs away

-- migrate:up
CREATE TABLE runaway_items (id int PRIMARY KEY);
INSERT INTO runaway_items SELECT g FROM generate_series(1, 100) AS g;
SELECT pg_sleep(5);

-- migrate:down
DROP TABLE runaway_items;
SQL
mkdir -p "$WORK/directive"
cp "$WORK/flag/001_base.sql" "$WORK/directive/"
sed 's/^-- message:/-- statement-timeout: 1s\n-- message:/' "$WORK/flag/002_runaway.sql" > "$WORK/directive/002_runaway.sql"
mkdir -p "$WORK/none"
cp "$WORK/flag/001_base.sql" "$WORK/none/"
sed 's/^-- message:/-- transaction: none\n-- statement-timeout: 1s\n-- message:/' "$WORK/flag/002_runaway.sql" > "$WORK/none/002_runaway.sql"
grep -q "^-- statement-timeout: 1s" "$WORK/directive/002_runaway.sql" || fail "could not write the directive fixture"

clean_reference "$WORK/flag" "$WORK/ref.schema"
rel_db ref001
sg upgrade 001 --dir "$WORK/flag"; expect_rc 0
schema_dump > "$WORK/ref001.schema"

# The state after a rolled-back runaway: 001 only, its schema, a failed audit row with 57014.
assert_rolled_back() {
  local what=$1
  [ "$(sql "SELECT string_agg(revision, ',') FROM schemagate_history")" = 001 ] \
    || fail "$what: the history should hold 001 only"
  [ "$(sql "SELECT count(*) FROM schemagate_history_log WHERE revision = '002' AND outcome = 'failed' AND sqlstate = '57014'")" = 1 ] \
    || fail "$what: the audit log has no failed row with SQLSTATE 57014 for 002"
  [ "$(advisory_locks)" = 0 ] || fail "$what: the lock is still held"
  assert_schema "$WORK/ref001.schema"
}

# A.
rel_db a
start=$(ms_now)
sg upgrade head --dir "$WORK/flag" --statement-timeout 1s
elapsed=$(( $(ms_now) - start ))
expect_rc 1
expect_err "upgrade of revision 002 failed [SQLSTATE 57014]"
expect_err "canceling statement due to statement timeout"
expect_err "002_runaway.sql:7:"
[ "$elapsed" -lt 4000 ] || fail "A: the run took ${elapsed}ms: the 1s statement_timeout did not stop pg_sleep(5)"
assert_rolled_back A
sg upgrade head --dir "$WORK/flag" --statement-timeout 10s; expect_rc 0
assert_consistent "$WORK/flag" "$WORK/ref.schema"
echo "A: --statement-timeout 1s: exit 1 after ${elapsed}ms, 57014, rolled back; 10s: applied" >&2

# B.
rel_db b
start=$(ms_now)
sg upgrade head --dir "$WORK/directive" --statement-timeout 10s
elapsed=$(( $(ms_now) - start ))
expect_rc 1
expect_err "[SQLSTATE 57014]"
[ "$elapsed" -lt 4000 ] || fail "B: the run took ${elapsed}ms: the directive did not override --statement-timeout 10s"
assert_rolled_back B
sed -i 's/^-- statement-timeout: 1s/-- statement-timeout: 10s/' "$WORK/directive/002_runaway.sql"
sg upgrade head --dir "$WORK/directive"; expect_rc 0
assert_consistent "$WORK/directive" "$WORK/ref.schema"
echo "B: -- statement-timeout: 1s: exit 1 after ${elapsed}ms, 57014, rolled back; 10s: applied" >&2

# C.
rel_db c
sg upgrade head --dir "$WORK/none"
expect_rc 1
expect_err "[SQLSTATE 57014]"
expect_err "statements 1 to 2 of 3 are committed"
[ "$(sql "SELECT state || ' ' || statements_done FROM schemagate_history WHERE revision = '002'")" = "failed 2" ] \
  || fail "C: 002 should be recorded as failed after 2 statements"
[ "$(sql "SELECT count(*) FROM runaway_items")" = 100 ] || fail "C: the committed statements of 002 are gone"
[ "$(advisory_locks)" = 0 ] || fail "C: the lock is still held"
sed -i 's/^-- statement-timeout: 1s/-- statement-timeout: 10s/' "$WORK/none/002_runaway.sql"
sg repair 002 --resume --dir "$WORK/none"; expect_rc 0
assert_consistent "$WORK/none" "$WORK/ref.schema"
echo "C: transaction: none: exit 1, failed after 2 of 3 statements; resumed with 10s" >&2
echo "ok"
