# Splitting then executing statement by statement gives the same database as `psql -1 -f` on
# the same up sections: schema and data, compared with pg_dump. Run over the sample project
# and a fixture of everything a splitter can get wrong.
. "$(dirname "$0")/lib.sh"
new_db
psql_admin() { PGPASSWORD=$PGTMP_PASSWORD psql -X -q -v ON_ERROR_STOP=1 -h "$PGTMP_HOST" -p "$PGTMP_PORT" -U "$PGTMP_USER" "$@"; }
# Rows stamped with now() and pg_dump's random \restrict key differ between any two runs.
dump() {
  PGPASSWORD=$PGTMP_PASSWORD pg_dump -h "$PGTMP_HOST" -p "$PGTMP_PORT" -U "$PGTMP_USER" --no-owner \
    --exclude-table='public.hist_*' "$1" \
    | grep -v -e '^--' -e '^$' -e '^\\restrict' -e '^\\unrestrict' \
    | sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:.]+\+00/TIMESTAMP/g'
}
twin="${DB}_psql"
psql_admin -d postgres -c "CREATE DATABASE \"$twin\"" >/dev/null
trap 'psql_admin -d postgres -c "DROP DATABASE IF EXISTS \"$twin\" WITH (FORCE)" >/dev/null 2>&1; cleanup' EXIT

for dir in "$SOURCE_DIR/migrations" "$SOURCE_DIR/tests/fixtures/splitter_torture"; do
  # Each project keeps its own history table.
  sg upgrade heads --dir "$dir" --history-table "hist_$(basename "$dir")"; expect_rc 0
  # The up sections in schemagate's order, each through psql in one transaction.
  sg history --dir "$dir"
  for rev in $(tac "$WORK/out" | sed -E 's/.*-> ([^ ,]+).*/\1/'); do
    file=$(ls "$dir"/"$rev"_*.sql)
    awk '/^-- migrate:up/{on=1; next} /^-- migrate:down/{on=0} on' "$file" > "$WORK/up.sql"
    psql_admin -d "$twin" -1 -f "$WORK/up.sql" >/dev/null 2>"$WORK/psql.err" \
      || { cat "$WORK/psql.err" >&2; fail "psql failed on $file"; }
  done
done
dump "$DB" > "$WORK/schemagate.dump"
dump "$twin" > "$WORK/psql.dump"
diff -u "$WORK/psql.dump" "$WORK/schemagate.dump" >&2 || fail "schemagate's database differs from psql's"
grep -q "rule" "$WORK/schemagate.dump" || fail "the rule's inserts are missing from the dump"
echo "ok"
