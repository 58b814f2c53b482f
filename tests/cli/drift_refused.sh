# After the sample is applied, editing an applied file's up section makes `upgrade head` and
# `status` exit 4 naming the file and revision; deleting an applied file makes them exit 4
# naming the revision the files no longer declare. Nothing runs in either case.
. "$(dirname "$0")/lib.sh"
new_db
cp -a "$SOURCE_DIR/migrations" "$WORK/m"
dir="$WORK/m"

sg upgrade head --dir "$dir"; expect_rc 0
log_rows=$(sql "SELECT count(*) FROM schemagate_history_log")

# Change the up section of 002 (an index gains a column).
sed -i 's/^CREATE INDEX guilds_owner_id_idx ON guilds (owner_id);$/CREATE INDEX guilds_owner_id_idx ON guilds (owner_id, id);/' \
  "$dir/002_create_guilds.sql"
cmp -s "$dir/002_create_guilds.sql" "$SOURCE_DIR/migrations/002_create_guilds.sql" && fail "the edit did not change 002"
sg upgrade head --dir "$dir"
expect_rc 4
expect_err "002_create_guilds.sql"
expect_err "revision 002"
sg status --dir "$dir"; expect_rc 4

# Restore 002 and delete 008 instead.
cp "$SOURCE_DIR/migrations/002_create_guilds.sql" "$dir/"
sg status --dir "$dir"; expect_rc 0
rm "$dir/008_add_guild_audit_log.sql"
sg upgrade head --dir "$dir"
expect_rc 4
expect_err "revision 008"
sg status --dir "$dir"; expect_rc 4

[ "$(sql "SELECT count(*) FROM schemagate_history_log")" = "$log_rows" ] || fail "a refused run wrote to the audit log"
[ "$(sql "SELECT count(*) FROM schemagate_history")" = 8 ] || fail "a refused run changed the history"
echo "ok"
