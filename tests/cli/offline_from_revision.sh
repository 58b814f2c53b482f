# `upgrade --sql head --from 004` prints only what is pending after 004 and its ancestors
# (005 to 008), and that script completes a database a real `upgrade 004` left there.
. "$(dirname "$0")/lib.sh"
new_db
cd "$SOURCE_DIR"

set +e
env -u DATABASE_URL PGHOST=127.0.0.1 PGPORT=1 PGCONNECT_TIMEOUT=2 \
  "$SCHEMAGATE" upgrade --sql head --from 004 >"$WORK/out" 2>"$WORK/err"
RC=$?
set -e
expect_rc 0
expect_out "-- from: 004 and every ancestor applied (--from 004)"
expect_out "-- revisions: 005, 006, 007, 008"
for id in 005 006 007 008; do expect_out "-- upgrade $id (parents: "; done
for id in 001 002 003 004; do
  if grep -q "^-- upgrade $id " "$WORK/out"; then fail "revision $id is applied but was printed"; fi
  if grep -qF "VALUES ('$id'," "$WORK/out"; then fail "revision $id is recorded again"; fi
done
cp "$WORK/out" "$WORK/script.sql"

sg upgrade 004; expect_rc 0
PGPASSWORD=$PGTMP_PASSWORD psql -X -q -v ON_ERROR_STOP=1 -h "$PGTMP_HOST" -p "$PGTMP_PORT" \
  -U "$PGTMP_USER" -d "$DB" -f "$WORK/script.sql" >"$WORK/psql.out" 2>&1 \
  || { cat "$WORK/psql.out" >&2; fail "psql could not run the printed SQL"; }
sg status; expect_rc 0; expect_out "at target: yes"
sg validate; expect_rc 0
echo "ok"
