#!/usr/bin/env bash
# Shows that dependency_rooms.sh fails when it should: runs it on a synthetic `ninja -t deps`
# listing and checks its exit code and message. One CTest per case:
#
#   dependency_rooms_selftest.sh CASE
set -euo pipefail

checker=$(dirname "$0")/dependency_rooms.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# entry OBJECT HEADER...: one object's entry in the deps log, its source first.
entry() {
  local object=$1
  shift
  echo "$object: #deps $#, deps mtime 1700000000000000000 (VALID)"
  printf '    %s\n' "$@"
}

# A tree that keeps to the rooms: each library seen only by its own modules.
clean_tree() {
  entry src/schemagate/store/CMakeFiles/sg_store.dir/pg_store.cpp.o \
    ../src/schemagate/store/pg_store.cpp ../src/schemagate/store/pg_store.hpp \
    /usr/include/pqxx/pqxx /usr/include/pqxx/connection.hxx /usr/include/postgresql/libpq-fe.h
  entry src/schemagate/lock/CMakeFiles/sg_lock.dir/pg_advisory_lock.cpp.o \
    ../src/schemagate/lock/pg_advisory_lock.cpp /usr/include/pqxx/pqxx
  entry src/schemagate/http/CMakeFiles/sg_http.dir/http_client.cpp.o \
    ../src/schemagate/http/http_client.cpp /usr/include/httplib.h
  entry src/schemagate/metrics/CMakeFiles/sg_metrics.dir/metrics.cpp.o \
    ../src/schemagate/metrics/metrics.cpp /usr/include/prometheus/counter.h
  entry src/schemagate/cli/CMakeFiles/sg_cli.dir/cli.cpp.o \
    ../src/schemagate/cli/cli.cpp /usr/include/boost/program_options.hpp \
    /usr/include/boost/program_options/options_description.hpp /usr/include/nlohmann/json.hpp
  entry src/schemagate/migration/CMakeFiles/sg_migration.dir/graph.cpp.o \
    ../src/schemagate/migration/graph.cpp ../src/schemagate/migration/graph.hpp \
    /usr/include/c++/12/string
  entry src/CMakeFiles/schemagate_cli.dir/main.cpp.o ../src/main.cpp
  # Tests may use any library.
  entry tests/unit/CMakeFiles/unit_tests.dir/metrics_test.cpp.o \
    ../tests/unit/metrics_test.cpp /usr/include/httplib.h /usr/include/pqxx/pqxx
}

# check EXPECTED_RC TEXT [ARGS...]: runs the checker on $work/deps with ARGS; fails unless it
# exits EXPECTED_RC and its output contains TEXT (a fixed string).
check() {
  local expected=$1 text=$2 rc=0
  shift 2
  bash "$checker" --deps "$work/deps" "$@" >"$work/out" 2>&1 || rc=$?
  cat "$work/out"
  ((rc == expected)) || fail "the checker exited $rc, expected $expected"
  grep -qF -- "$text" "$work/out" || fail "the checker's output lacks: $text"
}

case ${1:-} in
clean_tree_passes)
  clean_tree >"$work/deps"
  check 0 "checked 7 object files of src/: 0 new violations, 0 known"
  ;;
pqxx_in_migration_fails)
  {
    clean_tree
    entry src/schemagate/migration/CMakeFiles/sg_migration.dir/planner.cpp.o \
      ../src/schemagate/migration/planner.cpp ../src/schemagate/store/pg_store.hpp \
      /usr/include/pqxx/pqxx /usr/include/pqxx/connection.hxx
  } >"$work/deps"
  check 1 "NEW violation: src/schemagate/migration/CMakeFiles/sg_migration.dir/planner.cpp.o (module migration) includes /usr/include/pqxx/pqxx; libpqxx is for store, lock only"
  ;;
libpq_in_config_fails)
  {
    clean_tree
    entry src/schemagate/config/CMakeFiles/sg_config.dir/config.cpp.o \
      ../src/schemagate/config/config.cpp /usr/include/postgresql/libpq-fe.h
  } >"$work/deps"
  check 1 "(module config) includes /usr/include/postgresql/libpq-fe.h; libpqxx is for"
  ;;
httplib_in_metrics_fails)
  {
    clean_tree
    entry src/schemagate/metrics/CMakeFiles/sg_metrics.dir/push.cpp.o \
      ../src/schemagate/metrics/push.cpp /usr/include/httplib.h
  } >"$work/deps"
  check 1 "(module metrics) includes /usr/include/httplib.h; cpp-httplib is for http, k8s only"
  ;;
prometheus_in_cli_fails)
  {
    clean_tree
    entry src/schemagate/cli/CMakeFiles/sg_cli.dir/observability.cpp.o \
      ../src/schemagate/cli/observability.cpp ../src/schemagate/metrics/metrics.hpp \
      /usr/include/prometheus/registry.h
  } >"$work/deps"
  check 1 "(module cli) includes /usr/include/prometheus/registry.h; prometheus-cpp is for metrics only"
  ;;
program_options_in_config_fails)
  {
    clean_tree
    entry src/schemagate/config/CMakeFiles/sg_config.dir/config.cpp.o \
      ../src/schemagate/config/config.cpp /usr/include/boost/program_options/variables_map.hpp
  } >"$work/deps"
  check 1 "(module config) includes /usr/include/boost/program_options/variables_map.hpp"
  ;;
json_in_runner_fails)
  {
    clean_tree
    entry src/schemagate/runner/CMakeFiles/sg_runner.dir/runner.cpp.o \
      ../src/schemagate/runner/runner.cpp /usr/include/nlohmann/json.hpp
  } >"$work/deps"
  check 1 "(module runner) includes /usr/include/nlohmann/json.hpp; nlohmann-json is for util, app, cli only"
  ;;
pqxx_in_main_fails)
  {
    clean_tree | sed '/main\.cpp\.o:/,$d'
    entry src/CMakeFiles/schemagate_cli.dir/main.cpp.o ../src/main.cpp /usr/include/pqxx/pqxx
  } >"$work/deps"
  check 1 "NEW violation: src/CMakeFiles/schemagate_cli.dir/main.cpp.o (module cli)"
  ;;
known_violation_passes)
  {
    clean_tree
    entry src/schemagate/cli/CMakeFiles/sg_cli.dir/render.cpp.o \
      ../src/schemagate/cli/render.cpp /usr/include/pqxx/pqxx
  } >"$work/deps"
  echo "src/schemagate/cli/CMakeFiles/sg_cli.dir/render.cpp.o libpqxx" >"$work/known"
  check 0 "known, to be removed (issue 11): src/schemagate/cli/CMakeFiles/sg_cli.dir/render.cpp.o" \
    --known "$work/known"
  ;;
known_list_covers_only_its_room)
  {
    clean_tree
    entry src/schemagate/cli/CMakeFiles/sg_cli.dir/render.cpp.o \
      ../src/schemagate/cli/render.cpp /usr/include/pqxx/pqxx /usr/include/prometheus/gauge.h
  } >"$work/deps"
  echo "src/schemagate/cli/CMakeFiles/sg_cli.dir/render.cpp.o libpqxx" >"$work/known"
  check 1 "NEW violation: src/schemagate/cli/CMakeFiles/sg_cli.dir/render.cpp.o (module cli) includes /usr/include/prometheus/gauge.h" \
    --known "$work/known"
  ;;
fixed_known_violation_fails)
  clean_tree >"$work/deps"
  printf '%s\n' "# a comment" "" "src/schemagate/cli/CMakeFiles/sg_cli.dir/render.cpp.o libpqxx" >"$work/known"
  check 1 "src/schemagate/cli/CMakeFiles/sg_cli.dir/render.cpp.o no longer includes libpqxx: remove" \
    --known "$work/known"
  ;;
stale_entry_fails)
  clean_tree | sed 's/^\(src\/schemagate\/lock\/.*\)(VALID)$/\1(STALE)/' >"$work/deps"
  check 2 "pg_advisory_lock.cpp.o: its deps log entry is stale: build everything"
  ;;
unbuilt_object_fails)
  {
    clean_tree
    echo "src/schemagate/util/CMakeFiles/sg_util.dir/log.cpp.o: deps not found"
  } >"$work/deps"
  check 2 "log.cpp.o: no entry in the deps log: build everything"
  ;;
object_of_no_module_fails)
  {
    clean_tree
    entry src/CMakeFiles/other.dir/other.cpp.o ../src/other.cpp
  } >"$work/deps"
  check 2 "src/CMakeFiles/other.dir/other.cpp.o: an object of src/ outside src/schemagate/<module>/"
  ;;
empty_listing_fails)
  entry tests/unit/CMakeFiles/unit_tests.dir/util_test.cpp.o ../tests/unit/util_test.cpp >"$work/deps"
  check 2 "nothing was checked"
  ;;
other_generator_skips)
  mkdir "$work/build"
  echo "CMAKE_GENERATOR:INTERNAL=Unix Makefiles" >"$work/build/CMakeCache.txt"
  rc=0
  bash "$checker" --build "$work/build" >"$work/out" 2>&1 || rc=$?
  cat "$work/out"
  ((rc == 77)) || fail "the checker exited $rc, expected 77 (skipped)"
  grep -qF "'Unix Makefiles' generator" "$work/out" || fail "the checker does not name the generator"
  ;;
*)
  echo "usage: $0 CASE (see the case list in this file)" >&2
  exit 2
  ;;
esac
