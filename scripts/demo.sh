#!/usr/bin/env bash
# The demo: installs what is missing, builds schemagate, starts a throwaway PostgreSQL (unless
# DATABASE_URL is set), and walks the sample project in migrations/ up, down and up again.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
# A new build directory skips the tests, for speed. One that scripts/test.sh configured keeps
# them: turning them off there would leave stale test binaries for the next `ctest` to run.
tests=()
[ -f build/CMakeCache.txt ] || tests=(-DSCHEMAGATE_TESTS=OFF)
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${tests[@]}" >/dev/null
cmake --build build -j2

if [ -z "${DATABASE_URL:-}" ]; then
  state=$(mktemp -d)
  trap 'bash scripts/pg-tmp.sh stop "$state"; rm -rf "$state"' EXIT
  bash scripts/pg-tmp.sh start "$state"
  # shellcheck disable=SC1091
  . "$state/env"
  export DATABASE_URL=$PGTMP_URL
fi

step() {
  echo
  echo "\$ schemagate $*"
  ./build/schemagate "$@"
}
step upgrade head
step current
step history
step downgrade -1
step current
step upgrade head
step status
