# `upgrade --sql --lint` lints the revisions it would print, without a database, and prints
# nothing (exit 4) when one has a lint error.
. "$(dirname "$0")/lib.sh"
export PGHOST=127.0.0.1 PGPORT=1 PGCONNECT_TIMEOUT=2
unset DATABASE_URL
dir="$SOURCE_DIR/tests/fixtures/lint_dangerous"

sg upgrade --sql --lint --from base 001 --dir "$dir"; expect_rc 0
expect_out "-- revisions: 001"
sg upgrade --sql --lint --from base --dir "$dir"; expect_rc 4
expect_err "002_dangerous_changes.sql:5: SG101 error: "
expect_err "no SQL printed: lint found"
[ ! -s "$WORK/out" ] || fail "SQL was printed despite lint errors"
echo "ok"
