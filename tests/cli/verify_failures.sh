# `verify` drops its scratch database whatever happens: a down section whose leftovers make the
# up section fail again (exit 4, later revisions not verified), an up section that fails
# (exit 1), a role that may not create databases (exit 2), an unreachable server (exit 5).
. "$(dirname "$0")/lib.sh"
new_db
server_sql() {
  PGPASSWORD=$PGTMP_PASSWORD psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$PGTMP_HOST" -p "$PGTMP_PORT" \
    -U "$PGTMP_USER" -d postgres -c "$1"
}
expect_scratch_dropped() {
  local scratch
  scratch=$(grep -oE 'created scratch database schemagate_verify_[0-9a-f]{12}' "$WORK/err" | awk '{print $4}')
  [ -n "$scratch" ] || fail "stderr does not name the scratch database"
  [ "$(server_sql "SELECT count(*) FROM pg_database WHERE datname = '$scratch'")" = 0 ] \
    || fail "scratch database $scratch still exists"
}

sg verify --dir "$SOURCE_DIR/tests/fixtures/verify_reup_fails"; expect_rc 4
expect_out "002  NOT REVERSIBLE"
expect_out "    + column public.orders.quantity: integer not null default 1 position 3"
expect_out "    its up section fails when run again after its down section:"
expect_out "002_add_orders_quantity.sql:5: upgrade of revision 002 failed [SQLSTATE 42701]"
expect_out "003  not verified: stopped before it"
expect_out "downgrade base: not reached"
expect_scratch_dropped

sg verify --dir "$SOURCE_DIR/tests/fixtures/bad_sql_error"; expect_rc 1
expect_out "002  FAILED: its up section does not run"
expect_out "002_t2.sql:11:"
expect_scratch_dropped

role="sg_verify_nocreatedb_$$"
server_sql "CREATE ROLE $role LOGIN PASSWORD 'pw-$role'"
trap 'server_sql "DROP ROLE IF EXISTS $role" >/dev/null 2>&1 || true; cleanup' EXIT
sg verify --dir "$SOURCE_DIR/migrations" \
  --database-url "postgresql://$role:pw-$role@$PGTMP_HOST:$PGTMP_PORT/$DB"
expect_rc 2
expect_err "cannot create a scratch database"
expect_err "grant the role CREATEDB, or give an empty database with --scratch-url"
if grep -qF -- "pw-$role" "$WORK/out" "$WORK/err"; then fail "the password was printed"; fi

sg verify --dir "$SOURCE_DIR/migrations" --database-url "postgresql://u:topsecret@127.0.0.1:1/db"
expect_rc 5
if grep -qF -- "topsecret" "$WORK/out" "$WORK/err"; then fail "the password was printed"; fi
echo "ok"
