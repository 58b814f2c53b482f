#!/usr/bin/env bash
# A throwaway Kubernetes 1.20 control plane for the tests: etcd, kube-apiserver,
# kube-controller-manager and the harness kubelet (tests/kube/kubelet.mjs), all on 127.0.0.1.
#
#   control_plane.sh start STATE_DIR SCHEMAGATE_BINARY   start everything; writes STATE_DIR/env
#   control_plane.sh stop STATE_DIR                      stop every process by PID, delete the data
#   control_plane.sh log STATE_DIR                       print every process's log
#
# STATE_DIR/env is shell-sourceable: KUBE_SERVER (https://127.0.0.1:PORT), KUBE_CA (the CA file
# the server's certificate is signed by), KUBE_TOKEN (a static token of user `admin` in group
# system:masters), KUBECONFIG (a kubeconfig with all three, for kubectl), KUBE_DATA (the data
# directory), KUBE_NODE (the harness kubelet's node name) and KUBE_POD_LOGS (where the harness
# kubelet writes each container's output as NAMESPACE_POD_CONTAINER.log).
#
# The binaries come from build_control_plane.sh (cached per machine; the first run builds them).
# The data lives in its own directory under /tmp; the processes' PIDs in STATE_DIR/pids.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cmd=${1:-}
state=${2:-}
if [ -z "$cmd" ] || [ -z "$state" ]; then
  echo "usage: $0 start STATE_DIR SCHEMAGATE_BINARY | stop STATE_DIR | log STATE_DIR" >&2
  exit 2
fi
log() { echo "control_plane: $*" >&2; }

port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# A port nothing listens on, away from the PostgreSQL fixture's range (20000-49999); a process
# that then fails to bind it is retried by its caller.
free_port() {
  local port
  while :; do
    port=$((50000 + RANDOM % 10000))
    port_free "$port" && { echo "$port"; return; }
  done
}

# Starts NAME in its own session with output to DATA/NAME.log, and records its PID; CTest waits
# for the pipes of a test's children, so nothing may keep them open.
spawn() {
  local name=$1
  shift
  setsid "$@" </dev/null >"$data/$name.log" 2>&1 &
  echo "$!" >"$state/pids/$name"
}

# Waits up to SECONDS for CHECK to succeed while NAME's process lives.
wait_for() {
  local name=$1 seconds=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  while ! "$@" >/dev/null 2>&1; do
    if ! kill -0 "$(cat "$state/pids/$name")" 2>/dev/null; then
      log "$name exited while starting; its log:"
      tail -n 60 "$data/$name.log" >&2
      return 1
    fi
    if ((SECONDS >= deadline)); then
      log "$name not ready after ${seconds}s; its log:"
      tail -n 60 "$data/$name.log" >&2
      return 1
    fi
    sleep 0.5
  done
}

certs() {
  local dir=$data/pki
  mkdir -p "$dir"
  (
    cd "$dir"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 \
      -subj /CN=schemagate-test-ca 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout apiserver.key -out apiserver.csr \
      -subj /CN=kube-apiserver 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default.svc\n' >san.ext
    openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
      -extfile san.ext -out apiserver.crt 2>/dev/null
    openssl genrsa -out sa.key 2048 2>/dev/null
    openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
    chmod 600 ./*.key
  )
}

token() { od -An -N16 -tx1 /dev/urandom | tr -d ' \n'; }

kubeconfig() {
  local file=$1 user=$2 token=$3
  cat >"$file" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: test
    cluster:
      server: https://127.0.0.1:$api_port
      certificate-authority: $data/pki/ca.crt
users:
  - name: $user
    user:
      token: $token
contexts:
  - name: test
    context:
      cluster: test
      user: $user
current-context: test
EOF
  chmod 600 "$file"
}

api() {
  curl -sf --cacert "$data/pki/ca.crt" -H "Authorization: Bearer $admin_token" "https://127.0.0.1:$api_port$1"
}

readyz() {
  api /readyz | grep -qx ok
}

# The serviceaccount controller has made the default namespace's `default` account: the
# controller manager is up and acting through the API.
controllers_acting() {
  api /api/v1/namespaces/default/serviceaccounts/default >/dev/null
}

start() {
  local schemagate=${3:-}
  [ -x "$schemagate" ] || { log "usage: $0 start STATE_DIR SCHEMAGATE_BINARY (got '${schemagate}')"; exit 2; }
  schemagate=$(cd "$(dirname "$schemagate")" && pwd)/$(basename "$schemagate")
  for tool in etcd openssl curl node; do
    command -v "$tool" >/dev/null || { log "missing $tool: run scripts/install-deps.sh"; exit 2; }
  done
  local bin
  bin=$(bash "$here/build_control_plane.sh")

  stop
  mkdir -p "$state/pids"
  state=$(cd "$state" && pwd)
  data=$(mktemp -d /tmp/schemagate-kube.XXXXXX)
  chmod 755 "$data"
  echo "$data" >"$state/data"
  certs

  local tries
  for tries in 1 2 3 4 5; do
    etcd_port=$(free_port)
    local peer_port
    peer_port=$(free_port)
    spawn etcd etcd --name test --data-dir "$data/etcd" \
      --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
      --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
      --initial-cluster "test=http://127.0.0.1:$peer_port" --log-level warn
    if wait_for etcd 30 curl -sf "http://127.0.0.1:$etcd_port/health"; then
      break
    fi
    kill "$(cat "$state/pids/etcd")" 2>/dev/null || true
    rm -rf "$data/etcd"
    ((tries < 5)) || exit 1
  done

  admin_token=$(token)
  local cm_token kubelet_token
  cm_token=$(token)
  kubelet_token=$(token)
  # token,user,uid,"groups": the harness kubelet acts as the admin would; it is test support
  # and needs to bind pods, read their Secrets and ConfigMaps and write their status.
  cat >"$data/pki/tokens.csv" <<EOF
$admin_token,admin,admin,"system:masters"
$cm_token,system:kube-controller-manager,system:kube-controller-manager
$kubelet_token,harness-kubelet,harness-kubelet,"system:masters"
EOF
  chmod 600 "$data/pki/tokens.csv"

  # TTLAfterFinished is alpha in 1.20: on, so the API server keeps the Job's
  # ttlSecondsAfterFinished (a gate that is off drops the field on create).
  local gates=TTLAfterFinished=true
  for tries in 1 2 3 4 5; do
    api_port=$(free_port)
    spawn kube-apiserver "$bin/kube-apiserver" \
      --etcd-servers "http://127.0.0.1:$etcd_port" \
      --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" --insecure-port 0 \
      --tls-cert-file "$data/pki/apiserver.crt" --tls-private-key-file "$data/pki/apiserver.key" \
      --client-ca-file "$data/pki/ca.crt" \
      --token-auth-file "$data/pki/tokens.csv" \
      --authorization-mode RBAC \
      --service-account-key-file "$data/pki/sa.pub" \
      --service-account-signing-key-file "$data/pki/sa.key" \
      --service-account-issuer https://kubernetes.default.svc \
      --api-audiences https://kubernetes.default.svc \
      --service-cluster-ip-range 10.96.0.0/24 \
      --endpoint-reconciler-type none \
      --feature-gates "$gates" \
      --profiling=false \
      --cert-dir "$data/pki"
    if wait_for kube-apiserver 120 readyz; then
      break
    fi
    kill "$(cat "$state/pids/kube-apiserver")" 2>/dev/null || true
    ((tries < 5)) || exit 1
  done

  kubeconfig "$data/admin.kubeconfig" admin "$admin_token"
  kubeconfig "$data/controller-manager.kubeconfig" system:kube-controller-manager "$cm_token"
  kubeconfig "$data/kubelet.kubeconfig" harness-kubelet "$kubelet_token"

  # Each controller acts as its own service account (system:serviceaccount:kube-system:
  # job-controller, ...), under RBAC's bootstrap roles, as in a real cluster.
  spawn kube-controller-manager "$bin/kube-controller-manager" \
    --kubeconfig "$data/controller-manager.kubeconfig" \
    --use-service-account-credentials \
    --controllers job,serviceaccount,serviceaccount-token,garbagecollector,deployment,replicaset \
    --service-account-private-key-file "$data/pki/sa.key" \
    --root-ca-file "$data/pki/ca.crt" \
    --leader-elect=false --port 0 --secure-port 0 \
    --feature-gates "$gates"
  wait_for kube-controller-manager 60 controllers_acting

  mkdir -p "$data/kubelet"
  cat >"$state/env" <<EOF
KUBE_SERVER=https://127.0.0.1:$api_port
KUBE_CA=$data/pki/ca.crt
KUBE_TOKEN=$admin_token
KUBECONFIG=$data/admin.kubeconfig
KUBE_DATA=$data
KUBE_NODE=harness
KUBE_POD_LOGS=$data/kubelet/logs
EOF
  # The harness kubelet gets its own token file, not the admin's.
  spawn kubelet env KUBE_SERVER="https://127.0.0.1:$api_port" KUBE_CA="$data/pki/ca.crt" \
    KUBE_TOKEN="$kubelet_token" KUBE_NODE=harness SG_KUBELET_DIR="$data/kubelet" \
    SG_KUBELET_SCHEMAGATE="$schemagate" \
    node "$here/kubelet.mjs"
  wait_for kubelet 30 test -f "$data/kubelet/ready"
  log "Kubernetes $("$bin/kube-apiserver" --version | cut -d' ' -f2) on https://127.0.0.1:$api_port (data in $data)"
}

# Stops one process: SIGTERM, then SIGKILL after 10 s. Only a PID whose command line still
# names our data directory or binaries is signalled, so a reused PID is left alone.
stop_one() {
  local name=$1 pidfile=$state/pids/$1
  [ -f "$pidfile" ] || return 0
  local pid
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -e "$data" -e "$name"; then
    kill -TERM "$pid" 2>/dev/null || true
    local tries=100
    while ((tries-- > 0)) && kill -0 "$pid" 2>/dev/null; do
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    # setsid made it a process group of its own: anything it started (the harness kubelet's
    # containers) goes with it.
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

stop() {
  [ -f "$state/data" ] || return 0
  data=$(cat "$state/data")
  # The kubelet first: it stops the pods' processes it started. The rest at once: each takes a
  # second or three to shut down.
  stop_one kubelet
  local name
  for name in kube-controller-manager kube-apiserver etcd; do
    stop_one "$name" &
  done
  wait
  case "$data" in
    /tmp/schemagate-kube.*) rm -rf "$data" ;;
  esac
  rm -f "$state/env" "$state/data"
}

print_logs() {
  [ -f "$state/data" ] || { log "no control plane in $state"; exit 0; }
  data=$(cat "$state/data")
  local f
  for f in "$data"/*.log "$data"/kubelet/logs/*.log; do
    [ -f "$f" ] || continue
    echo "===== $f (last 200 lines)"
    tail -n 200 "$f"
  done
}

case "$cmd" in
  start) start "$@" ;;
  stop) stop ;;
  log) print_logs ;;
  *) echo "usage: $0 start|stop|log STATE_DIR" >&2; exit 2 ;;
esac
