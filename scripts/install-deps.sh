#!/usr/bin/env bash
# Installs what schemagate needs to build, test and run its demo, from Debian bookworm's packages.
# Idempotent: packages already installed are skipped, and apt is not touched when nothing is missing.
# tests/k8s's Node.js packages come from the npm registry, pinned by tests/k8s/package-lock.json.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libpqxx-dev libpq-dev libssl-dev
  libspdlog-dev libfmt-dev
  libboost-program-options-dev
  nlohmann-json3-dev libexpected-dev
  prometheus-cpp-dev libcpp-httplib-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  postgresql-15 postgresql-client-15 pgbouncer curl
  # tests/cli/messages_per_revision.sh counts what a run sends the server
  strace
  clang-format
  # the fuzz targets (tests/fuzz): clang, and libFuzzer with the sanitizer runtimes, which
  # clang-14 only recommends
  clang-14 libclang-rt-14-dev
  # tests/k8s: Go and the Go sources of sprig and sigs.k8s.io/yaml, from which the tests build
  # helmrender (the chart's templates rendered as helm renders them)
  golang-go golang-github-masterminds-sprig-dev golang-k8s-sigs-yaml-dev
  # tests/kube: etcd, and what tests/kube/build_control_plane.sh needs to build kube-apiserver and
  # kube-controller-manager from bookworm's kubernetes source package (apt-get source runs
  # dpkg-source; reflect2 1.0.2 replaces the vendored 1.0.1, which faults under Go 1.19);
  # openssl makes the control plane's throwaway certificates
  etcd-server dpkg-dev xz-utils openssl golang-github-modern-go-reflect2-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
# tests/k8s runs on Node.js with npm: Debian's, unless one is installed already (NodeSource's
# nodejs package bundles npm and conflicts with Debian's).
command -v npm >/dev/null || missing+=(nodejs npm)

if ((${#missing[@]} > 0)); then
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 2; }
    sudo=(sudo)
  fi
  echo "install-deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# tests/k8s's tools, pinned by its package-lock.json, into tests/k8s/node_modules (git-ignored);
# again only when the lockfile changed since the last install.
k8s=$(cd "$(dirname "$0")/../tests/k8s" && pwd)
if [ ! -f "$k8s/node_modules/.package-lock.json" ] || [ "$k8s/package-lock.json" -nt "$k8s/node_modules/.package-lock.json" ]; then
  echo "install-deps: npm ci in tests/k8s" >&2
  (cd "$k8s" && npm ci --no-audit --no-fund --loglevel=error)
fi
