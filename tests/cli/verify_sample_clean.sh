# `verify` on the sample project: every revision is reversible, downgrade base is clean, exit 0.
# It works in a scratch database of its own, which is gone afterwards, and the database
# --database-url names is left untouched.
. "$(dirname "$0")/lib.sh"
new_db
cd "$SOURCE_DIR"
server_sql() {
  PGPASSWORD=$PGTMP_PASSWORD psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$PGTMP_HOST" -p "$PGTMP_PORT" \
    -U "$PGTMP_USER" -d postgres -c "$1"
}

sg verify; expect_rc 0
for rev in 001 002 003 004 005 006 007 008; do
  expect_out "$rev  reversible"
done
expect_out "downgrade base: clean"
expect_out "verify: 8 of 8 revision(s) reversible"
scratch=$(grep -oE 'created scratch database schemagate_verify_[0-9a-f]{12}' "$WORK/err" | awk '{print $4}')
[ -n "$scratch" ] || fail "stderr does not name the scratch database"
expect_err "dropped scratch database $scratch"
[ "$(server_sql "SELECT count(*) FROM pg_database WHERE datname = '$scratch'")" = 0 ] \
  || fail "scratch database $scratch still exists"
[ "$(sql "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")" = 0 ] \
  || fail "verify touched the --database-url database"
if grep -qF -- "$PGTMP_PASSWORD" "$WORK/out" "$WORK/err"; then fail "the password was printed"; fi

# The same with a key=value connection string (the scratch URL is built by libpq's parser).
export DATABASE_URL="host=$PGTMP_HOST port=$PGTMP_PORT user=$PGTMP_USER password='$PGTMP_PASSWORD' dbname=$DB"
sg verify --json; expect_rc 0
expect_out '"ok": true'
expect_out '"scratch_created": true'
expect_out '"outcome": "clean"'
if command -v python3 >/dev/null; then
  python3 -m json.tool "$WORK/out" >/dev/null || fail "verify --json is not valid JSON"
fi
if grep -qF -- "$PGTMP_PASSWORD" "$WORK/out" "$WORK/err"; then fail "the password was printed"; fi
echo "ok"
