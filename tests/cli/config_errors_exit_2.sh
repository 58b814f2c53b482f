# Every configuration problem is a usage error (exit 2) that names the option and where its
# value came from (flag, environment variable, config file:line, config dir entry), never an
# "unexpected error", and never silently ignored: an unreadable or missing --config or
# --config-dir, a directory where a file is expected, an unreadable or broken entry in the
# config dir, and a bad value of each typed option. Nothing connects: DATABASE_URL points at a
# closed port (which would give exit 5), and `history` does not use the database at all.
. "$(dirname "$0")/lib.sh"
cd "$SOURCE_DIR"
export DATABASE_URL="postgresql://u:pw@127.0.0.1:1/db"
unset SCHEMAGATE_CONFIG SCHEMAGATE_CONFIG_DIR

# bad TEXT CMD...: CMD exits 2 with an error containing TEXT, and no "unexpected error". A
# command that could run forever on old code is bounded by `timeout`.
bad() {
  local text=$1; shift
  set +e; timeout 20 "$@" >"$WORK/out" 2>"$WORK/err"; RC=$?; set -e
  [ "$RC" -eq 2 ] || fail "$*: expected exit code 2, got $RC"
  grep -qF -- "schemagate: error: $text" "$WORK/err" || fail "$*: the error does not say: $text"
  if grep -qF "unexpected error" "$WORK/err"; then fail "$*: an unexpected error"; fi
}

conf="$WORK/sg.conf"
printf '# options\nlock-timeout = soon\n' > "$conf"
cm="$WORK/configmap"; mkdir "$cm"
printf 'forever\n' > "$cm/statement-timeout"
empty_cm="$WORK/empty-configmap"; mkdir "$empty_cm"

# The sources themselves.
bad "config (from flag --config): cannot read $WORK/missing.conf (No such file or directory)" \
  "$SCHEMAGATE" history --config "$WORK/missing.conf"
bad "config (from env SCHEMAGATE_CONFIG): $WORK is a directory" \
  env SCHEMAGATE_CONFIG="$WORK" "$SCHEMAGATE" history
bad "config-dir (from flag --config-dir): $WORK/missing cannot be read (No such file or directory)" \
  "$SCHEMAGATE" history --config-dir "$WORK/missing"
bad "config-dir (from env SCHEMAGATE_CONFIG_DIR): $conf is not a directory" \
  env SCHEMAGATE_CONFIG_DIR="$conf" "$SCHEMAGATE" history
mkdir "$empty_cm/lock-timeout"
bad "config dir $empty_cm/lock-timeout: not a file" "$SCHEMAGATE" history --config-dir "$empty_cm"
rmdir "$empty_cm/lock-timeout"
ln -s ..data/dir "$empty_cm/dir"
bad "config dir $empty_cm/dir: cannot read it (No such file or directory)" "$SCHEMAGATE" history --config-dir "$empty_cm"
rm "$empty_cm/dir"
bad "database-password-file (from flag --database-password-file): $WORK is a directory" \
  "$SCHEMAGATE" history --database-password-file "$WORK"

# Unreadable ones, as a user that cannot read them (root reads everything).
chmod 755 "$WORK"
locked="$WORK/locked-configmap"; mkdir "$locked"; printf '1s\n' > "$locked/linger"
secret="$WORK/secret-configmap"; mkdir "$secret"; printf '1s\n' > "$secret/linger"
as_user=(); if [ "$(id -u)" -eq 0 ]; then as_user=(runuser -u postgres --); fi
chmod 000 "$locked"; chmod 600 "$secret/linger"
if [ "$(id -u)" -ne 0 ] || id postgres >/dev/null 2>&1; then
  bad "config-dir (from flag --config-dir): cannot list $locked (Permission denied)" \
    "${as_user[@]}" "$SCHEMAGATE" history --config-dir "$locked"
  bad "config dir $secret/linger: cannot read $secret/linger (Permission denied)" \
    "${as_user[@]}" "$SCHEMAGATE" history --config-dir "$secret"
fi
chmod 755 "$locked"

# Bad values, one of each kind, from each kind of source.
bad "lock-timeout (from config file $conf:2): invalid duration 'soon'" "$SCHEMAGATE" history --config "$conf"
bad "statement-timeout (from config dir $cm/statement-timeout): invalid duration 'forever'" \
  "$SCHEMAGATE" history --config-dir "$cm"
bad "ddl-lock-timeout (from flag --ddl-lock-timeout): duration '9999h' is longer than a year" \
  "$SCHEMAGATE" history --ddl-lock-timeout 9999h
bad "lock-retries (from flag --lock-retries): '100000000000000000000' is too many; use at most 1000" \
  "$SCHEMAGATE" history --lock-retries 100000000000000000000
bad "lock-retries (from env SCHEMAGATE_LOCK_RETRIES): '-1' is not a whole number of retries" \
  env SCHEMAGATE_LOCK_RETRIES=-1 "$SCHEMAGATE" history
bad "allow-drift (from env SCHEMAGATE_ALLOW_DRIFT): 'maybe' is not true or false" \
  env SCHEMAGATE_ALLOW_DRIFT=maybe "$SCHEMAGATE" history
bad "log-level (from flag --log-level): 'loud' is not a log level" "$SCHEMAGATE" history --log-level loud
bad "log-level (from env SCHEMAGATE_LOG_LEVEL): 'INFO' is not a log level" \
  env SCHEMAGATE_LOG_LEVEL=INFO "$SCHEMAGATE" history
bad "log-format (from flag --log-format): 'xml' is not text or json" "$SCHEMAGATE" history --log-format xml
bad "listen (from flag --listen): '127.0.0.1:99999' is not ADDRESS:PORT" \
  "$SCHEMAGATE" history --listen 127.0.0.1:99999
bad "listen (from env SCHEMAGATE_LISTEN): '9090' is not ADDRESS:PORT" \
  env SCHEMAGATE_LISTEN=9090 "$SCHEMAGATE" history
bad "pushgateway (from flag --pushgateway): 'http://ops:***@gw' is not http://HOST:PORT" \
  "$SCHEMAGATE" history --pushgateway http://ops:PushPw9@gw
grep -qF PushPw9 "$WORK/err" && fail "the pushgateway password was printed"
bad "history-table (from flag --history-table):" "$SCHEMAGATE" history --history-table a.b.c

# The --interval floor, for both commands that use it.
bad "interval (from flag --interval): 1ms is below the floor of 1s" \
  "$SCHEMAGATE" wait --interval 1ms --timeout 2s
bad "interval (from flag --interval): 999ms is below the floor of 1s" \
  "$SCHEMAGATE" serve --interval 999ms --listen 127.0.0.1:0
bad "interval (from env SCHEMAGATE_INTERVAL): 0ms is below the floor of 1s" \
  env SCHEMAGATE_INTERVAL=0 "$SCHEMAGATE" wait --timeout 2s
echo "ok"
