#!/usr/bin/env bash
# Checks that each third-party library stays in its room: that no object file of src/ includes,
# directly or through any chain of headers, a library header that its module may not see.
#
#   dependency_rooms.sh --build DIR [--known FILE]    checks the objects of a Ninja build
#   dependency_rooms.sh --deps FILE [--known FILE]    checks a listing in `ninja -t deps` format
#
# The source of truth is Ninja's deps log: the headers each object's compilation actually read,
# recorded by the compiler at build time, so transitive includes count and nothing is compiled
# again. Other generators keep no such log: there the check says so and exits 77 (CTest's skip)
# rather than pass. An object's module is read from its path: src/schemagate/<module>/..., and
# src/main.cpp belongs to cli. Test objects are not checked: tests may use any library.
#
# A violation listed in --known (lines "OBJECT ROOM") is reported as known and does not fail; a
# listed one that no longer occurs fails, so the list can only shrink. For new violations the
# object's compile command runs again with -H to print the chain of includes that led there.
#
# Exit codes: 0 no new violation; 1 new violations or stale known entries; 2 the check could not
# run (usage, a missing or stale deps entry, an object of no known module); 77 not a Ninja build.
set -euo pipefail

# The rooms. A header whose path matches PATTERN (an extended regex) may be included only by
# objects of the MODULES listed; libpq is libpqxx's room. k8s is the Kubernetes client module.
rules=$(
  cat <<'EOF'
# room                  pattern                                       modules
libpqxx                 (^|/)include/pqxx/                            store lock
libpqxx                 (^|/)include/postgresql/                      store lock
cpp-httplib             (^|/)include/httplib\.h$                      http k8s
prometheus-cpp          (^|/)include/prometheus/                      metrics
boost-program-options   (^|/)include/boost/program_options(/|\.hpp$) cli
nlohmann-json           (^|/)include/nlohmann/                        util app cli
EOF
)

usage() {
  echo "usage: $0 (--build DIR | --deps FILE) [--known FILE]" >&2
  exit 2
}

build=""
deps_file=""
known=/dev/null
while (($# > 0)); do
  (($# >= 2)) || usage
  case $1 in
  --build) build=$2 ;;
  --deps) deps_file=$2 ;;
  --known) known=$2 ;;
  *) usage ;;
  esac
  shift 2
done
if { [ -n "$build" ] && [ -n "$deps_file" ]; } || { [ -z "$build" ] && [ -z "$deps_file" ]; }; then
  usage
fi
[ -r "$known" ] || {
  echo "dependency_rooms: cannot read the known violations file $known" >&2
  exit 2
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ -n "$build" ]; then
  generator=$(sed -n 's/^CMAKE_GENERATOR:INTERNAL=//p' "$build/CMakeCache.txt" 2>/dev/null || true)
  if [ "$generator" != Ninja ]; then
    echo "dependency_rooms: $build was configured with the '${generator:-unknown}' generator;" \
      "this check reads Ninja's deps log and runs only in a build configured with -G Ninja:" \
      "skipped, not passed" >&2
    exit 77
  fi
  ninja=$(sed -n 's/^CMAKE_MAKE_PROGRAM:[A-Z]*=//p' "$build/CMakeCache.txt")
  # Every object of src/ in the build graph, so that entries the deps log keeps for objects that
  # no longer exist are not read, and an object never built is noticed.
  mapfile -t objects < <("$ninja" -C "$build" -t targets all | sed -n 's/^\(src\/[^:]*\.o\): .*/\1/p')
  if ((${#objects[@]} == 0)); then
    echo "dependency_rooms: no object file of src/ in $build's build graph" >&2
    exit 2
  fi
  "$ninja" -C "$build" -t deps "${objects[@]}" >"$work/deps"
  deps_file=$work/deps
fi
[ -r "$deps_file" ] || {
  echo "dependency_rooms: cannot read $deps_file" >&2
  exit 2
}

# Reads the rules, the known list and the deps listing; prints one tab-separated record per
# finding: new/known OBJECT MODULE ROOM HEADER, unused OBJECT ROOM, broken OBJECT WHY, and a
# last line checked N.
printf '%s\n' "$rules" | grep -v '^#' >"$work/rules"
awk -v OFS='\t' '
  FILENAME == ARGV[1] {
    n_rules++
    room[n_rules] = $1
    pattern[n_rules] = $2
    allowed[n_rules] = " "
    for (i = 3; i <= NF; i++) allowed[n_rules] = allowed[n_rules] $i " "
    next
  }
  FILENAME == ARGV[2] {
    if ($0 ~ /^[ \t]*(#|$)/) next
    if (NF != 2) { print "broken", $0, "a known violation is written \"OBJECT ROOM\"" ; next }
    known[$1 SUBSEP $2] = 1
    known_order[++n_known] = $1 SUBSEP $2
    next
  }
  /^[^ \t]/ {
    object = ""
    if ($0 !~ /^src\//) next
    name = $0
    sub(/: (#deps|deps not found).*$/, "", name)
    if (name ~ /^src\/schemagate\/[^\/]+\//) {
      module = name
      sub(/^src\/schemagate\//, "", module)
      sub(/\/.*$/, "", module)
    } else if (name == "src/CMakeFiles/schemagate_cli.dir/main.cpp.o") {
      module = "cli"
    } else {
      print "broken", name, "an object of src/ outside src/schemagate/<module>/: say in tests/arch/dependency_rooms.sh which module it belongs to"
      next
    }
    checked++
    if ($0 ~ /: deps not found$/) {
      print "broken", name, "no entry in the deps log: build everything (cmake --build) first"
      next
    }
    if ($0 !~ /\(VALID\)$/) {
      print "broken", name, "its deps log entry is stale: build everything (cmake --build) first"
      next
    }
    object = name
    next
  }
  object != "" {
    header = $1
    for (r = 1; r <= n_rules; r++) {
      if (header !~ pattern[r] || index(allowed[r], " " module " ")) continue
      key = object SUBSEP room[r]
      if (key in seen) continue
      seen[key] = 1
      print (key in known ? "known" : "new"), object, module, room[r], header
    }
  }
  END {
    for (i = 1; i <= n_known; i++) {
      if (!(known_order[i] in seen)) {
        split(known_order[i], parts, SUBSEP)
        print "unused", parts[1], parts[2]
      }
    }
    print "checked", checked + 0
  }
' "$work/rules" "$known" "$deps_file" >"$work/findings"

# allowed_modules ROOM: the modules the rules let see ROOM, for the messages.
allowed_modules() {
  awk -v room="$1" '$1 == room { for (i = 3; i <= NF; i++) if (!seen[$i]++) out = out (out ? ", " : "") $i }
    END { print out }' "$work/rules"
}

# include_chain OBJECT ROOM: compiles OBJECT again with -H (syntax only) and prints the chain of
# includes to the first header of ROOM. Only for the first five new violations (a header that
# pulls a library in makes many), so the check stays cheap.
include_chain() {
  local object=$1 room=$2 command pattern source_dir chain
  [ -n "$build" ] || return 0
  command=$("$ninja" -C "$build" -t commands -s "$object" | tail -n 1)
  command=$(printf '%s\n' "$command" |
    sed -E 's/^[^ ]*ccache //; s/ -MT [^ ]+| -MF [^ ]+| -MD| -o [^ ]+//g')
  pattern=$(awk -v room="$room" '$1 == room { p = p (p ? "|" : "") "(" $2 ")" } END { print p }' \
    "$work/rules")
  source_dir=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$build/CMakeCache.txt")
  # awk stops reading at the first match: the compiler's SIGPIPE is expected, hence the || true.
  chain=$( (cd "$build" && eval "$command -fsyntax-only -H") 2>&1 >/dev/null |
    awk -v pattern="$pattern" -v prefix="$source_dir/" -v source="${command##* }" '
      function short(path) {
        return index(path, prefix) == 1 ? substr(path, length(prefix) + 1) : path
      }
      /^\.+ / {
        depth = index($0, " ") - 1
        chain[depth] = short($2)
        if ($2 ~ pattern) {
          line = short(source)
          for (i = 1; i <= depth; i++) line = line " -> " chain[i]
          print line
          exit
        }
      }') || true
  echo "    include chain: ${chain:-not found: run the compile command (ninja -t commands) with -H}"
}

new=0
known_count=0
unused=()
broken=0
checked=0
while IFS=$'\t' read -r kind a b c d; do
  case $kind in
  known)
    echo "dependency_rooms: known, to be removed (issue 11): $a (module $b) includes $d ($c)"
    ((++known_count))
    ;;
  new)
    echo "dependency_rooms: NEW violation: $a (module $b) includes $d; $c is for" \
      "$(allowed_modules "$c") only" >&2
    ((++new <= 5)) && include_chain "$a" "$c" >&2
    ;;
  unused)
    unused+=("dependency_rooms: $a no longer includes $b: remove \"$a $b\" from $known")
    ;;
  broken)
    ((++broken <= 5)) && echo "dependency_rooms: $a: $b" >&2
    ;;
  checked)
    checked=$a
    ;;
  esac
done <"$work/findings"
# An object that could not be read would make its known entries look unused: say only the first.
if ((broken > 0)); then
  ((broken <= 5)) || echo "dependency_rooms: and $((broken - 5)) more such objects" >&2
  exit 2
fi
if ((checked == 0)); then
  echo "dependency_rooms: no object file of src/ in the deps listing: nothing was checked" >&2
  exit 2
fi
((new <= 5)) || echo "dependency_rooms: include chains shown for the first 5 new violations" >&2
((${#unused[@]} == 0)) || printf '%s\n' "${unused[@]}" >&2
echo "dependency_rooms: checked $checked object files of src/: $new new violations," \
  "$known_count known, ${#unused[@]} known entries that no longer occur"
((new == 0 && ${#unused[@]} == 0)) || exit 1
exit 0
