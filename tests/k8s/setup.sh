#!/usr/bin/env bash
# The k8s tests' fixture: checks that `npm ci` installed their Node packages, and builds
# helmrender into OUT_DIR with Debian's Go toolchain and Go source packages (golang-go,
# golang-github-masterminds-sprig-dev, golang-k8s-sigs-yaml-dev) in GOPATH mode with the module
# proxy off. Nothing is downloaded.
set -euo pipefail
out=${1:?usage: setup.sh OUT_DIR}
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v node >/dev/null || [ ! -f "$here/node_modules/.package-lock.json" ]; then
  echo "setup: Node.js or the packages of tests/k8s/package-lock.json are missing: run scripts/install-deps.sh" >&2
  exit 1
fi
src=$here/helmrender
gopath=/usr/share/gocode
if ! command -v go >/dev/null || [ ! -d "$gopath/src/github.com/Masterminds/sprig" ] || [ ! -d "$gopath/src/sigs.k8s.io/yaml" ]; then
  echo "setup: Go or its sprig/yaml packages are missing: run scripts/install-deps.sh" >&2
  exit 1
fi
mkdir -p "$out"
cd "$src"
GO111MODULE=off GOPATH="$gopath" GOCACHE="$out/gocache" GOPROXY=off GOFLAGS= GOENV=off \
  go build -o "$out/helmrender" .
echo "setup: built $out/helmrender"
