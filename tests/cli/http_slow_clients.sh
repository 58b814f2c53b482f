# Twenty clients that send their request a byte a second hold no worker: /healthz and /readyz
# still answer within 2s while they trickle, and each trickler is cut off once the documented
# request deadline (5s from connecting) has passed, not before and not much after.
. "$(dirname "$0")/lib.sh"
new_db
deadline=5

"$SCHEMAGATE" upgrade --dir "$SOURCE_DIR/migrations" --listen 127.0.0.1:0 --linger 60s \
  >"$WORK/out" 2>"$WORK/err" &
runner=$!
trap 'kill "$runner" 2>/dev/null || true; cleanup' EXIT
port=$(listen_port "$WORK/err")
probe() { curl -s -m 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port$1" || true; }
for _ in $(seq 100); do [ "$(probe /readyz)" = 200 ] && break; sleep 0.05; done
[ "$(probe /readyz)" = 200 ] || fail "/readyz never became 200"

# Sends a request one byte a second, for at most 15s, and prints how many seconds passed until
# the server answered or closed, or "never".
trickle() {
  trap '' PIPE
  local request=$'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'
  local start=$EPOCHREALTIME i
  exec 3<>"/dev/tcp/127.0.0.1/$port" || { echo "no connection"; return; }
  for i in $(seq 0 14); do
    printf '%s' "${request:i:1}" >&3 2>/dev/null || break
    # read answers 0 (a line) or 1 (end of stream, or a reset) once the server gave up on us,
    # more than 128 when a second passed without either.
    if IFS= read -r -t 1 -u 3 _; then break; elif [ $? -le 128 ]; then break; fi
    [ "$i" -lt 14 ] || { echo never; return; }
  done
  echo "$start $EPOCHREALTIME" | awk '{ printf "%.1f\n", $2 - $1 }'
}
pids=()
for i in $(seq 20); do
  trickle >"$WORK/trickle.$i" 2>/dev/null &
  pids+=($!)
done

sleep 1
for round in $(seq 6); do
  started=$EPOCHREALTIME
  [ "$(probe /healthz)" = 200 ] || fail "/healthz did not answer within 2s with 20 slow clients (round $round)"
  [ "$(probe /readyz)" = 200 ] || fail "/readyz did not answer within 2s with 20 slow clients (round $round)"
  echo "round $round: probes answered in $(echo "$started $EPOCHREALTIME" | awk '{ printf "%.2f", $2 - $1 }')s"
  sleep 0.5
done

for pid in "${pids[@]}"; do wait "$pid" || true; done
echo "slow clients cut off after (s): $(cat "$WORK"/trickle.* | tr '\n' ' ')"
for i in $(seq 20); do
  took=$(cat "$WORK/trickle.$i")
  awk -v t="$took" -v d="$deadline" 'BEGIN { exit !(t + 0 == t && t >= d - 0.5 && t <= d + 2) }' ||
    fail "slow client $i was cut off after '$took' seconds, expected about ${deadline}s"
done
echo "ok"
