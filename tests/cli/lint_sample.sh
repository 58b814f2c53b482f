# `lint --all` checks the sample project without a database. Revisions 001-006 and 008 are
# clean; 007 has two real findings (CREATE INDEX without CONCURRENTLY on the existing
# guild_members, and ADD COLUMN ... REFERENCES, which validates by scanning guild_members), so
# the command exits 4 naming exactly those two. Once the sample is applied, plain `lint` checks
# only pending revisions: none, exit 0. Without --all and without a database it exits 5 and
# points at --all.
. "$(dirname "$0")/lib.sh"
dir="$SOURCE_DIR/migrations"

sg lint --all --dir "$dir"
expect_rc 4
expect_out "migrations/007_add_guild_ranks.sql:25: SG104 error: "
expect_out "migrations/007_add_guild_ranks.sql:35: SG101 error: "
[ "$(wc -l <"$WORK/out")" -eq 2 ] || fail "expected exactly the two findings in 007"
expect_err "linted 8 revision(s): 2 error(s), 0 warning(s)"

sg lint --all 006 --dir "$dir"
expect_rc 0
[ -s "$WORK/out" ] && fail "revisions 001 to 006 should lint clean"

sg lint --all --json --dir "$dir"
expect_rc 4
expect_out '"errors": 2'
expect_out '"warnings": 0'
expect_out '"rule": "SG101"'
expect_out '"line": 35'
expect_out '"revision": "007"'

# Without --all, lint needs the history; an unreachable database says how to do without.
sg lint --dir "$dir" --database-url "postgresql://u:pw@127.0.0.1:1/db"
expect_rc 5
expect_err "lint --all"

sg lint --rules
expect_rc 0
for rule in SG100 SG101 SG102 SG103 SG104 SG105 SG106 SG107 SG108; do expect_out "$rule"; done

new_db
sg upgrade head --dir "$dir"
expect_rc 0
sg lint --dir "$dir"
expect_rc 0
expect_err "linted 0 pending revision(s)"
echo "ok"
