#!/usr/bin/env bash
# The shipped program carries no test hooks. Built from ipcore without
# IP_TESTING, it exports none of the internals IP_STATIC opens to the tests,
# holds none of the hooks' environment variable names and does not react
# when they are set. The same checks on the test-hooks build (built from
# ipcore_test) find every one, so they can tell the two apart.
source "$(dirname "$0")/lib.sh"
need_hooks
cd "$WORK"

# The functions IP_STATIC exports in the test build, and the kill point.
internals="$(sed -n 's/^IP_STATIC [^(]*[ *]\(ip_[a-z0-9_]*\)(.*/\1/p' "$SRC"/src/*.c | sort -u)
ip_kill_point"
check "the IP_STATIC functions of src/ were found" test "$(wc -w <<<"$internals")" -ge 2
hooks="IP_TEST_KILL_AT IP_TEST_PROGRESS_MS IP_CSV_SCAN IP_CSV_PORTABLE IP_DIGEST_THREADS"

exported() { nm --defined-only --extern-only "$1" | awk '{ print $3 }' | sort -u; }
absent() { ! grep -qx -- "$1" "$2"; } # absent LINE FILE

exported "$REAL_HOOKS_PROG" >hooks.syms
strings -a "$REAL_HOOKS_PROG" >hooks.strings
for f in $internals; do
  check "the test-hooks build exports $f" grep -qx "$f" hooks.syms
done
for h in $hooks; do
  check "the test-hooks build reads $h" grep -qx "$h" hooks.strings
done

exported "$REAL_PROG" >shipped.syms
strings -a "$REAL_PROG" >shipped.strings
check "nm lists the shipped program's own functions" grep -qx ip_cli_main shipped.syms
for f in $internals; do
  check "the shipped program exports no $f" absent "$f" shipped.syms
done
for h in $hooks; do
  check "the shipped program does not read $h" absent "$h" shipped.strings
done
check "no IP_TEST string in the shipped program" bash -c "! grep -q IP_TEST shipped.strings"

# Set, the hooks change nothing in the shipped program.
cp -r "$SRC/input" in
"$PROG" run --year 2025 --input in --output plain >/dev/null
set +e
IP_TEST_KILL_AT=1 "$HOOKS_PROG" run --year 2025 --input in --output hooked >/dev/null 2>&1
hooked=$?
IP_TEST_KILL_AT=1 IP_TEST_PROGRESS_MS=0 IP_CSV_SCAN=portable IP_DIGEST_THREADS=1 \
  "$PROG" run --year 2025 --input in --output shipped >/dev/null 2>&1
shipped=$?
IP_TEST_PROGRESS_MS=0 $PY "$SRC/tests/e2e/pty_run.py" stdout.txt tty.txt \
  "$PROG" check --year 2025 --input in --output plain --quiet
set -e
check "IP_TEST_KILL_AT=1 kills the test-hooks build (137)" test "$hooked" -eq 137
check "and not the shipped program" test "$shipped" -eq 0
check "whose output is the plain run's" test "$(tree_digest shipped)" = "$(tree_digest plain)"
check "IP_TEST_PROGRESS_MS=0 draws no bar in the shipped program" test ! -s tty.txt
finish
