# --from without --sql is a usage error (exit 2), and so are a --from or a target that does not
# resolve; a refused --sql prints no SQL at all, and SQL that cannot be written fails (exit 1).
. "$(dirname "$0")/lib.sh"
cd "$SOURCE_DIR"
export PGHOST=127.0.0.1 PGPORT=1 PGCONNECT_TIMEOUT=2
unset DATABASE_URL

sg upgrade head --from base; expect_rc 2; expect_err "--from only goes with --sql"
sg downgrade base --from head; expect_rc 2; expect_err "--from only goes with --sql"
sg upgrade --sql --from nosuch; expect_rc 2; expect_err "--from"
sg upgrade --sql --from +1; expect_rc 2
sg downgrade --sql head --from head; expect_rc 2
[ ! -s "$WORK/out" ] || fail "a refused --sql printed something"
sg downgrade --sql 009 --from head; expect_rc 2
[ ! -s "$WORK/out" ] || fail "a refused --sql printed something"
sg upgrade --sql --from 00; expect_rc 4
# An irreversible revision stops a printed downgrade as it stops a real one.
sg downgrade --sql base --from head --dir "$SOURCE_DIR/tests/fixtures/irreversible"; expect_rc 2
[ ! -s "$WORK/out" ] || fail "a refused --sql printed something"
# Output that cannot be written is a failure that says so, not an unexpected error.
set +e
"$SCHEMAGATE" upgrade --sql --from base >/dev/full 2>"$WORK/err"
RC=$?
set -e
expect_rc 1; expect_err "cannot write the SQL to stdout"
grep -q "unexpected" "$WORK/err" && fail "a full disk is reported as an unexpected error"
sg upgrade --help; expect_rc 0; expect_out "--sql"; expect_out "--from REV"
sg downgrade --help; expect_rc 0; expect_out "--sql"; expect_out "--from REV"
echo "ok"
