# While another session holds the migration lock, `upgrade head --lock-timeout 1s` gives up with
# exit 3, says which pid holds the lock, and changes nothing; once the holder ends, it succeeds.
. "$(dirname "$0")/lib.sh"
new_db
cd "$SOURCE_DIR"

sg status --json; expect_rc 6
key=$(sed -n 's/.*"lock_key": *\(-\{0,1\}[0-9]\{1,\}\).*/\1/p' "$WORK/out")
[ -n "$key" ] || fail "status --json has no lock_key"

PGPASSWORD=$PGTMP_PASSWORD psql -X -q -h "$PGTMP_HOST" -p "$PGTMP_PORT" -U "$PGTMP_USER" -d "$DB" \
  -c "BEGIN; SELECT pg_advisory_xact_lock($key); SELECT pg_sleep(3); COMMIT;" >/dev/null &
holder_job=$!
holder=""
for _ in $(seq 1 50); do
  holder=$(sql "SELECT l.pid FROM pg_locks l JOIN pg_database d ON d.oid = l.database
                WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database()")
  [ -n "$holder" ] && break
  sleep 0.1
done
[ -n "$holder" ] || fail "the psql holder never took the lock"

sg upgrade head --lock-timeout 1s
expect_rc 3
expect_err "pid $holder"
[ "$(sql "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" = 0 ] \
  || fail "the upgrade that did not get the lock changed the database"

wait "$holder_job" || fail "the psql holder failed"
sg upgrade head --lock-timeout 1s; expect_rc 0
[ "$(sql "SELECT count(*) FROM schemagate_history")" = 8 ] || fail "upgrade after the holder ended did not apply 8 revisions"
echo "ok"
