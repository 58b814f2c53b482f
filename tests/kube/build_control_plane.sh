#!/usr/bin/env bash
# Prints the directory holding kube-apiserver and kube-controller-manager built from Debian
# bookworm's `kubernetes` source package, building them first when this machine has none yet.
#
# The binaries are cached per machine, outside any clone, under
#   ${SG_KUBE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/schemagate}/kube-<source version>/
# so a fresh clone (CI) reuses them. The first build takes about 5 minutes on 2 idle cores (more
# when the machine is busy). It happens in a temporary directory beside the cache entry, which is
# renamed into place only when both binaries are built; a lock file makes a second caller wait
# for the first instead of building again.
#
# The system's apt configuration is untouched: the deb-src entry, the package lists and apt's
# caches live under the cache directory (apt/). The mirror is the one the system already uses for
# bookworm main (override with SG_KUBE_MIRROR).
#
# Two fixes make Debian's 1.20 source build with Debian's Go 1.19:
#   - pkg/generated/openapi/zz_generated.openapi.go is not in the tarball; it is generated with the
#     vendored openapi-gen, as upstream's Makefile does;
#   - the vendored github.com/modern-go/reflect2 1.0.1 faults under Go >= 1.18 (the API server dies
#     with "fatal error: fault" the first time it encodes a map); it is replaced with Debian's
#     golang-github-modern-go-reflect2-dev (1.0.2).
# Exit codes: 0 built or cached, 1 a step failed (its output is on stderr).
set -euo pipefail

home=${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}
cache=${SG_KUBE_CACHE:-${XDG_CACHE_HOME:-$home/.cache}/schemagate}
reflect2=/usr/share/gocode/src/github.com/modern-go/reflect2
mkdir -p "$cache/apt/lists/partial" "$cache/apt/archives/partial"

log() { echo "build_control_plane: $*" >&2; }

mirror=${SG_KUBE_MIRROR:-$(apt-cache policy 2>/dev/null | awk '$3 == "bookworm/main" {print $2; exit}')}
if [ -z "$mirror" ]; then
  log "no apt source for bookworm main is configured; set SG_KUBE_MIRROR to a Debian mirror URL"
  exit 1
fi
printf 'deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s bookworm main\n' \
  "$mirror" >"$cache/apt/sources.list"
apt_opts=(
  -o "Dir::Etc::sourcelist=$cache/apt/sources.list"
  -o "Dir::Etc::sourceparts=-"
  -o "Dir::State::Lists=$cache/apt/lists"
  -o "Dir::Cache=$cache/apt"
  -o "Dir::Cache::archives=$cache/apt/archives"
  -o "APT::Get::List-Cleanup=0"
  -q
)

# The version of the source package, from the private lists (no network needed once a machine
# has built).
source_version() {
  apt-cache "${apt_opts[@]}" showsrc kubernetes 2>/dev/null | awk '/^Version:/ {print $2; exit}'
}
# '+' and ':' are fine in a path but awkward in shell globs and URLs; keep the key plain. The
# recipe number changes whenever this script builds differently, so a cache built by an older
# recipe is not reused.
recipe=2
set_key() {
  key=kube-${version//[^A-Za-z0-9.-]/_}-r$recipe
  out=$cache/$key
}
have() { [ -x "$out/kube-apiserver" ] && [ -x "$out/kube-controller-manager" ]; }

version=$(source_version || true)
if [ -n "$version" ]; then
  set_key
  if have; then
    echo "$out"
    exit 0
  fi
fi

exec 9>"$cache/build.lock"
if ! flock -n 9; then
  log "another build is running; waiting for it"
  flock 9
fi
# Building needs the network anyway: refresh the index first, so that a version the archive has
# since replaced is not asked for.
log "fetching the bookworm source index from $mirror"
apt-get "${apt_opts[@]}" update >&2
version=$(source_version || true)
[ -n "$version" ] || { log "bookworm has no kubernetes source package"; exit 1; }
set_key
if have; then
  echo "$out"
  exit 0
fi

[ -d "$reflect2" ] || { log "missing $reflect2: install golang-github-modern-go-reflect2-dev"; exit 1; }
for tool in go dpkg-source; do
  command -v "$tool" >/dev/null || { log "missing $tool: run scripts/install-deps.sh"; exit 1; }
done

work=$(mktemp -d "$cache/.build-$key.XXXXXX")
trap 'rm -rf "$work"' EXIT
start=$SECONDS
log "building kube-apiserver and kube-controller-manager $version in $work (about 5 minutes)"

# apt-get source unpacks into the current directory; it downloads as root without the _apt
# sandbox user, which only has rights to the system's own cache.
(cd "$work" && apt-get "${apt_opts[@]}" -o APT::Sandbox::User=root source "kubernetes=$version" >&2)
src=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'kubernetes-*' | head -n 1)
if [ -z "$src" ] || [ ! -d "$src/cmd/kube-apiserver" ]; then
  log "apt-get source gave no kubernetes tree"
  exit 1
fi

# GOPATH mode, as upstream 1.20 builds: the tree must be at $GOPATH/src/k8s.io/kubernetes and the
# go command run from that path, not the symlink's target.
export GOPATH=$work/gopath GOCACHE=$work/gocache GO111MODULE=off GOPROXY=off GOFLAGS='' CGO_ENABLED=0
mkdir -p "$GOPATH/src/k8s.io"
ln -s "$src" "$GOPATH/src/k8s.io/kubernetes"
cd "$GOPATH/src/k8s.io/kubernetes"

rm -rf vendor/github.com/modern-go/reflect2
mkdir -p vendor/github.com/modern-go/reflect2
cp "$reflect2"/*.go "$reflect2"/*.s vendor/github.com/modern-go/reflect2/
rm -f vendor/github.com/modern-go/reflect2/*_test.go

log "generating pkg/generated/openapi"
go build -o "$work/openapi-gen" ./vendor/k8s.io/kube-openapi/cmd/openapi-gen
# The packages that ask for OpenAPI definitions, found as upstream's Makefile.generated_files
# does: Go files with a +k8s:openapi-gen= tag outside vendor/, the staging repositories named by
# their vendor/ paths (vendor/k8s.io/api links to staging/src/k8s.io/api), code-generator and
# sample-apiserver left out.
inputs=$(find . \( -path ./vendor -o -path './_*' -o -path './.*' \) -prune -o -type f -name '*.go' -print0 |
  xargs -0 grep --color=never -l '^// *+k8s:' | xargs grep --color=never -l '+k8s:openapi-gen=' |
  sed -e 's|^\./||' -e 's|^staging/src/|vendor/|' |
  grep -v -e '^vendor/k8s.io/code-generator/' -e '^vendor/k8s.io/sample-apiserver/' |
  xargs -n1 dirname | LC_ALL=C sort -u | sed 's|^|k8s.io/kubernetes/|' | paste -sd, -)
"$work/openapi-gen" --logtostderr -i "$inputs" -p k8s.io/kubernetes/pkg/generated/openapi \
  -O zz_generated.openapi -h hack/boilerplate/boilerplate.generatego.txt \
  -r "$work/openapi-report.txt" >&2
[ -f pkg/generated/openapi/zz_generated.openapi.go ] || { log "openapi-gen wrote nothing"; exit 1; }

log "go build (this is the long part)"
mkdir -p "$work/bin"
# The version the binaries report, in both packages upstream's hack/lib/version.sh stamps
# (--version reads component-base, the API's /version client-go); upstream takes it from git,
# which a source package has not.
upstream=${version#*really}
upstream=${upstream%%-*}
ldflags="-s -w"
for vpkg in k8s.io/kubernetes/vendor/k8s.io/component-base/version k8s.io/kubernetes/vendor/k8s.io/client-go/pkg/version; do
  ldflags+=" -X $vpkg.gitVersion=v$upstream -X $vpkg.gitMajor=${upstream%%.*}"
  ldflags+=" -X $vpkg.gitMinor=$(echo "$upstream" | cut -d. -f2) -X $vpkg.gitTreeState=clean"
done
go build -tags notest,providerless -ldflags "$ldflags" -o "$work/bin/" \
  ./cmd/kube-apiserver ./cmd/kube-controller-manager
"$work/bin/kube-apiserver" --version >&2

# Rename, not copy: a reader sees either no directory or both binaries.
chmod 0755 "$work/bin"
mv -T "$work/bin" "$out"
log "built $key in $((SECONDS - start))s"
# Entries of the same source built by an older recipe are not used again.
for old in "$cache/kube-${version//[^A-Za-z0-9.-]/_}" "$cache/kube-${version//[^A-Za-z0-9.-]/_}"-r*; do
  if [ "$old" != "$out" ] && [ -d "$old" ]; then
    rm -rf "$old" "$old.lock"
  fi
done
echo "$out"
