# A fixture with one of each dangerous change: `lint --all` exits 4 and names every rule with
# file:line, and nothing in the safe first revision (keywords in strings and comments, an index
# on a table created in the same file). Warnings alone exit 0; `-- lint-disable` switches a rule
# off for one file, and a typo in it is an error. With a database, `lint` checks only the
# pending revisions.
. "$(dirname "$0")/lib.sh"
dir="$SOURCE_DIR/tests/fixtures/lint_dangerous"
file="002_dangerous_changes.sql"

sg lint --all --dir "$dir"
expect_rc 4
expect_out "$file:5: SG101 error: "
expect_out "$file:7: SG102 error: "
expect_out "$file:9: SG103 error: "
expect_out "$file:12: SG104 error: "
expect_out "$file:14: SG105 error: "
expect_out "$file:16: SG106 warning: "
expect_out "$file:18: SG107 error: "
[ "$(wc -l <"$WORK/out")" -eq 7 ] || fail "expected exactly 7 findings"
grep -q "001_create_orders" "$WORK/out" && fail "001 should lint clean"
expect_err "linted 2 revision(s): 6 error(s), 1 warning(s)"

sg lint --all --json --dir "$dir"
expect_rc 4
expect_out '"errors": 6'
expect_out '"rule": "SG107"'
expect_out '"line": 18'

warn="$SOURCE_DIR/tests/fixtures/lint_warnings"
sg lint --all 003 --dir "$warn"
expect_rc 0
expect_out "002_drop_legacy_code.sql:5: SG106 warning: "
grep -q "SG101" "$WORK/out" && fail "'-- lint-disable: SG101' in 003 was ignored"

sg lint --all --dir "$warn"
expect_rc 4
expect_out "004_typo_in_directive.sql: SG100 error: '-- lint-disable' names unknown rule 'SG1O1'"
expect_out "004_typo_in_directive.sql:6: SG101 error: "

# Pending only: with 001 and 002 applied, the warning in 002 is no longer reported.
new_db
sg upgrade 002 --dir "$warn"
expect_rc 0
sg lint --dir "$warn"
expect_rc 4
expect_err "linted 2 pending revision(s): 2 error(s), 0 warning(s)"
grep -q "002_drop_legacy_code" "$WORK/out" && fail "an applied revision was linted"
expect_out "004_typo_in_directive.sql:6: SG101 error: "
echo "ok"
