# A command that fails at once while serving --listen still exits, with its own code: stopping
# the HTTP server right after starting it must not hang (a cpp-httplib race).
. "$(dirname "$0")/lib.sh"
for i in $(seq 50); do
  set +e
  timeout -s KILL 10 "$SCHEMAGATE" upgrade --listen 127.0.0.1:0 \
    --database-url "postgresql://u:pw@127.0.0.1:1/db" --dir "$SOURCE_DIR/migrations" >/dev/null 2>&1
  rc=$?
  set -e
  [ "$rc" -eq 5 ] || fail "attempt $i exited $rc (137: it hung and was killed)"
done
echo "ok"
