# Outside Kubernetes the default termination log, /dev/termination-log, is not created, even as
# root; where it exists (the kubelet creates it in each container) it gets the outcome. Run in a
# mount namespace of its own with a scratch /dev, so that it neither depends on nor touches the
# machine's /dev. Skipped (77) where it cannot tell: not root, or no mount namespace.
. "$(dirname "$0")/lib.sh"
unset SCHEMAGATE_TERMINATION_LOG SCHEMAGATE_CONFIG SCHEMAGATE_CONFIG_DIR
export DATABASE_URL="postgresql://u:pw@127.0.0.1:1/db" # `history` never connects
if [ "$(id -u)" -ne 0 ]; then
  echo "skipped: as another user than root, /dev is not writable, so nothing can tell" >&2
  exit 77
fi
if ! unshare --mount --propagation private true 2>/dev/null; then
  echo "skipped: no mount namespace (unshare refused)" >&2
  exit 77
fi
mkdir "$WORK/dev"
# Prints "absent" or "created" for a run with the defaults in a /dev without the file, then
# what the file holds after a run with the defaults once it exists.
unshare --mount --propagation private bash -euc '
  dev=$1 sg=$2 dir=$3
  mount -t tmpfs tmpfs "$dev"
  for n in null zero full random urandom; do
    touch "$dev/$n"; mount --bind "/dev/$n" "$dev/$n"
  done
  mount --rbind "$dev" /dev
  "$sg" history --dir "$dir" >/dev/null
  if [ -e /dev/termination-log ]; then echo created; rm -f /dev/termination-log; else echo absent; fi
  : > /dev/termination-log
  "$sg" history --dir "$dir" >/dev/null
  cat /dev/termination-log
' _ "$WORK/dev" "$SCHEMAGATE" "$SOURCE_DIR/migrations" >"$WORK/out" 2>"$WORK/err" || fail "the namespaced runs failed"
[ "$(head -1 "$WORK/out")" = absent ] || fail "a run with the default --termination-log created /dev/termination-log"
expect_out '{"command":"history","exit_code":0,"outcome":"success"}'
echo "ok"
