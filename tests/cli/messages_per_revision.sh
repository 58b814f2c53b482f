# What a run sends the server, counted as the client's sendto calls (libpq sends each query in
# one call): deterministic where timings are not, so CI catches a regression bench/ would only
# show. A transactional revision of one statement costs 4 messages, what psql -f pays for it
# (BEGIN with the SET LOCALs, the statement, the history row, COMMIT); a no-op upgrade costs
# the connection handshake and two queries.
. "$(dirname "$0")/lib.sh"
command -v strace >/dev/null || fail "strace is missing: scripts/install-deps.sh installs it"
if ! strace -qq -e trace=none true 2>/dev/null; then
  echo "skipped: strace cannot trace here (ptrace is not permitted)"
  exit 77
fi
new_db

# gen DIR PREFIX N: a chain of N revisions, each one CREATE TABLE.
gen() {
  mkdir -p "$1"
  local prev=base i
  for i in $(seq -w 1 "$3"); do
    printf -- '-- parents: %s\n-- message: %s%s\n\n-- migrate:up\nCREATE TABLE %s%s (id int);\n\n-- migrate:down\nDROP TABLE %s%s;\n' \
      "$prev" "$2" "$i" "$2" "$i" "$2" "$i" > "$1/${i}_$2.sql"
    prev=$i
  done
}
# messages ARGS...: runs schemagate ARGS under strace and prints how many sendto calls it made.
# In an ASan build, LeakSanitizer's exit check must be off: it stops the threads with ptrace,
# which strace already holds (the other scenarios check for leaks).
messages() {
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
    strace -f -qq -e trace=sendto -o "$WORK/strace" "$SCHEMAGATE" "$@" >"$WORK/out" 2>"$WORK/err" \
    || fail "schemagate $* failed"
  grep -c 'sendto(' "$WORK/strace"
}

gen "$WORK/ten" a 10
gen "$WORK/thirty" b 30
# Each run its own history table, so that both start from nothing.
ten=$(messages upgrade head --dir "$WORK/ten" --history-table hist_ten)
thirty=$(messages upgrade head --dir "$WORK/thirty" --history-table hist_thirty)
[ "$(sql "SELECT count(*) FROM hist_thirty")" = 30 ] || fail "the 30 revisions were not applied"
per_revision=$(((thirty - ten) / 20))
[ $((thirty - ten)) -eq 80 ] ||
  fail "20 more revisions cost $((thirty - ten)) more messages ($ten for 10, $thirty for 30);" \
    "each should cost 4: BEGIN with the SET LOCALs, its statement, its history row, COMMIT"

noop=$(messages upgrade head --dir "$WORK/thirty" --history-table hist_thirty)
# SSLRequest, the startup packet, two SCRAM messages; does the table exist, the history; Terminate
[ "$noop" -eq 7 ] ||
  fail "a no-op upgrade sent $noop messages; it should send 7: the handshake (4), two queries" \
    "(is there a history table, read it) and Terminate"
echo "ok: $per_revision messages per revision, $noop for a no-op"
