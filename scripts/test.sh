#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds with the tests, and runs them all with
# CTest. The database tests start their own throwaway PostgreSQL; nothing else is needed.
#
# In CI (CI set), or with SG_TEST_FULL=1, two more stages run between the build and the tests:
#   sanitizers  the unit, pg and cli tests again, in a g++ build with ASan and UBSan
#               ($BUILD_DIR-sanitize);
#   fuzz        each libFuzzer target in tests/fuzz for SG_FUZZ_SECONDS (default 30), in a clang
#               build with ASan and UBSan ($BUILD_DIR-fuzz).
# The knobs are SG_*, not SCHEMAGATE_*: the binary reads every SCHEMAGATE_* variable as an option
# and refuses unknown ones, and the cli tests inherit this environment.
# The plain build's tests always run last, so the last CTest summary printed is theirs. A failed
# stage does not stop the later ones, but any failure makes the script exit non-zero. Extra
# arguments go to that last ctest only, e.g. `./scripts/test.sh -L unit`.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
build=${BUILD_DIR:-build}
werror=OFF
full=${SG_TEST_FULL:-}
if [ -n "${CI:-}" ]; then
  werror=ON
  full=1
fi
[ "$full" = 0 ] && full=

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSCHEMAGATE_TESTS=ON -DSCHEMAGATE_WERROR="$werror"
build_start=$SECONDS
cmake --build "$build" -j2
echo "test.sh: build took $((SECONDS - build_start))s" >&2

# Debug (-O0) builds in well under half the time of -O2 with ASan and keeps assert() on. Warnings
# are the plain build's job: GCC 12 reports false -Wmaybe-uninitialized in libstdc++ under ASan.
# shellcheck disable=SC2317  # called through stage()
sanitizers() {
  cmake -S . -B "$build-sanitize" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSCHEMAGATE_TESTS=ON \
    -DSCHEMAGATE_WERROR=OFF -DSCHEMAGATE_SANITIZERS=ON
  cmake --build "$build-sanitize" -j2
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp" \
    ctest --test-dir "$build-sanitize" --output-on-failure -j2 -L 'unit|pg|cli'
}

# shellcheck disable=SC2317  # called through stage()
fuzz() {
  CC=clang-14 CXX=clang++-14 cmake -S . -B "$build-fuzz" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSCHEMAGATE_TESTS=OFF -DSCHEMAGATE_FUZZ=ON \
    -DSCHEMAGATE_FUZZ_SECONDS="${SG_FUZZ_SECONDS:-30}"
  cmake --build "$build-fuzz" -j2 --target fuzzers
  ctest --test-dir "$build-fuzz" --output-on-failure -j2 -L fuzz
}

# Runs a stage in a subshell with errexit on (an `if` would switch it off), records a failure.
failed=()
stage() {
  local name=$1 start=$SECONDS status=0
  echo "test.sh: stage $name" >&2
  set +e
  (set -e; "$name")
  status=$?
  set -e
  if ((status == 0)); then
    echo "test.sh: stage $name passed in $((SECONDS - start))s" >&2
  else
    echo "test.sh: stage $name FAILED (exit $status) in $((SECONDS - start))s" >&2
    failed+=("$name")
  fi
}

if [ -n "$full" ]; then
  stage sanitizers
  stage fuzz
fi

status=0
ctest --test-dir "$build" --output-on-failure -j2 "$@" || status=$?
if ((${#failed[@]} > 0)); then
  echo "test.sh: failed stages: ${failed[*]}; their output is above" >&2
  ((status != 0)) || status=1
fi
exit "$status"
