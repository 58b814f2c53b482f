# A real upgrade configured the Kubernetes way: the URL without its password and the options
# from a ConfigMap-style directory, the password from a Secret-style file, one option from the
# environment. `config` shows each value's source and never the password.
. "$(dirname "$0")/lib.sh"
new_db
unset DATABASE_URL
cm="$WORK/configmap"
mkdir -p "$cm/..2026_11_21_00_00_00.1"
printf 'postgresql://%s@%s:%s/%s\n' "$PGTMP_USER" "$PGTMP_HOST" "$PGTMP_PORT" "$DB" > "$cm/..2026_11_21_00_00_00.1/database-url"
printf '%s\n' "$SOURCE_DIR/migrations" > "$cm/..2026_11_21_00_00_00.1/dir"
printf 'ops.history\n' > "$cm/..2026_11_21_00_00_00.1/history-table"
ln -s ..2026_11_21_00_00_00.1 "$cm/..data"
for key in database-url dir history-table; do ln -s "..data/$key" "$cm/$key"; done
printf '%s\n' "$PGTMP_PASSWORD" > "$WORK/password"

export SCHEMAGATE_CONFIG_DIR=$cm SCHEMAGATE_DATABASE_PASSWORD_FILE=$WORK/password
sg upgrade head --lock-timeout 30s; expect_rc 0
[ "$(sql "SELECT count(*) FROM ops.history")" = 8 ] || fail "the upgrade did not use the ConfigMap's options"

sg config; expect_rc 0
expect_out "history-table           ops.history"
grep -q "history-table .*config dir $cm/history-table" "$WORK/out" || fail "no source for history-table"
grep -q "lock-timeout .*30s .*flag --lock-timeout" "$WORK/out" && fail "config saw a flag it was not given"
grep -q "database-password-file .*env SCHEMAGATE_DATABASE_PASSWORD_FILE" "$WORK/out" || fail "no source for the password file"
sg config --json; expect_rc 0
expect_out '"source": "default"'
for f in "$WORK/out" "$WORK/err"; do
  grep -qF "$PGTMP_PASSWORD" "$f" && fail "the password appears in the output of config"
done

SCHEMAGATE_LOCK_TIMEOUT=soon sg status; expect_rc 2
expect_err "lock-timeout (from env SCHEMAGATE_LOCK_TIMEOUT)"
SCHEMAGATE_LOK_TIMEOUT=1s sg status; expect_rc 2
expect_err "SCHEMAGATE_LOK_TIMEOUT"
echo "ok"
