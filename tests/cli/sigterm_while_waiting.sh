# SIGTERM while waiting for the lock ends the run promptly with exit 130 and changes nothing.
. "$(dirname "$0")/lib.sh"
new_db
cd "$SOURCE_DIR"

sg status --json
key=$(sed -n 's/.*"lock_key": \(-\{0,1\}[0-9]*\).*/\1/p' "$WORK/out")
[ -n "$key" ] || fail "status --json has no lock_key"
PGPASSWORD=$PGTMP_PASSWORD psql -X -q -h "$PGTMP_HOST" -p "$PGTMP_PORT" -U "$PGTMP_USER" -d "$DB" \
  -c "BEGIN; SELECT pg_advisory_xact_lock($key); SELECT pg_sleep(30); COMMIT;" >/dev/null 2>&1 &
holder=$!
for _ in $(seq 50); do
  [ "$(sql "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")" = 1 ] && break
  sleep 0.1
done

"$SCHEMAGATE" upgrade head --lock-timeout 60s >"$WORK/out" 2>"$WORK/err" &
runner=$!
sleep 1
kill -TERM "$runner"
set +e
wait "$runner"
RC=$?
set -e
kill "$holder" 2>/dev/null || true
sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()" >/dev/null
expect_rc 130
expect_err "interrupted"
[ "$(sql "SELECT to_regclass('public.accounts') IS NULL")" = t ] || fail "the interrupted run changed the schema"
echo "ok"
