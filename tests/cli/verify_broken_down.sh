# `verify` catches down sections that don't undo their up sections: it names each revision,
# shows the schema diff, checks the rest, reports what downgrade base leaves, and exits 4.
. "$(dirname "$0")/lib.sh"
new_db
fixture="$SOURCE_DIR/tests/fixtures/verify_broken_down"

sg verify --dir "$fixture"; expect_rc 4
expect_out "001  reversible"
expect_out "002  NOT REVERSIBLE"
expect_out "    its down section does not restore the schema from before its up section"
expect_out "    --- schema before upgrading 002"
expect_out "    +++ schema after downgrading 002"
expect_out "    + index public.items_name_idx: CREATE INDEX items_name_idx ON public.items USING btree (name)"
expect_out "003  NOT REVERSIBLE"
expect_out "    + function public.price_with_tax(price numeric): returns numeric language sql immutable"
expect_out "004  reversible"
expect_out "downgrade base: NOT CLEAN"
expect_out "    +++ schema after downgrade base"
expect_out "2 not reversible (002, 003)"
expect_err "verify 002: not reversible"
# Only the function is left at base: the index went with its table.
[ "$(grep -c '^    + ' "$WORK/out")" = 3 ] || fail "expected exactly 3 diff lines"

sg verify --dir "$fixture" --json; expect_rc 4
expect_out '"ok": false'
expect_out '"not_reversible": ['
expect_out '"outcome": "not_reversible"'
expect_out '"+ index public.items_name_idx: CREATE INDEX items_name_idx ON public.items USING btree (name)"'
expect_out '"outcome": "leftovers"'
if command -v python3 >/dev/null; then
  python3 - "$WORK/out" <<'PY' || fail "verify --json does not hold the expected verdicts"
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["not_reversible"] == ["002", "003"], doc["not_reversible"]
assert [r["outcome"] for r in doc["revisions"]] == ["reversible", "not_reversible", "not_reversible", "reversible"]
assert doc["revisions"][1]["problems"][0]["diff"] == [
    "+ index public.items_name_idx: CREATE INDEX items_name_idx ON public.items USING btree (name)"]
assert doc["base"]["outcome"] == "leftovers"
PY
fi
echo "ok"
