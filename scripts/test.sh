#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds with the tests, and runs them all with
# CTest. The database tests start their own throwaway PostgreSQL; nothing else is needed.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
build=${BUILD_DIR:-build}
werror=OFF
[ -n "${CI:-}" ] && werror=ON
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSCHEMAGATE_TESTS=ON -DSCHEMAGATE_WERROR="$werror"
cmake --build "$build" -j2
ctest --test-dir "$build" --output-on-failure -j2 "$@"
