# When the database is already at the target, `upgrade head` exits 0 without taking the
# migration lock, so it succeeds even while another session holds the lock.
. "$(dirname "$0")/lib.sh"
new_db
cd "$SOURCE_DIR"

sg upgrade head; expect_rc 0
sg status --json; expect_rc 0
key=$(sed -n 's/.*"lock_key": *\(-\{0,1\}[0-9]\{1,\}\).*/\1/p' "$WORK/out")
[ -n "$key" ] || fail "status --json has no lock_key"

PGPASSWORD=$PGTMP_PASSWORD psql -X -q -h "$PGTMP_HOST" -p "$PGTMP_PORT" -U "$PGTMP_USER" -d "$DB" \
  -c "BEGIN; SELECT pg_advisory_xact_lock($key); SELECT pg_sleep(3); COMMIT;" >/dev/null 2>&1 &
holder_job=$!
held=0
for _ in $(seq 1 50); do
  held=$(sql "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
              WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database()")
  [ "$held" = 1 ] && break
  sleep 0.1
done
[ "$held" = 1 ] || fail "the psql holder never took the lock"

sg upgrade head --lock-timeout 500ms
expect_rc 0
sql "SELECT pg_terminate_backend(l.pid) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
     WHERE l.locktype = 'advisory' AND d.datname = current_database()" >/dev/null
wait "$holder_job" || true
echo "ok"
