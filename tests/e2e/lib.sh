# Shared helpers for the end-to-end tests (sourced). Each test gets the built
# program as $1 (the shipped build, without test hooks) and runs from the
# source tree. A test that needs a hook (IP_TEST_KILL_AT, IP_TEST_PROGRESS_MS)
# runs $HOOKS_PROG, the same program built from the test core: ctest names it
# in IP_TESTHOOKS_PROG, else it is internpris-testhooks beside $1.
set -euo pipefail
# The signals the program handles reach a test at their default action, as
# ctest (libuv) hands them to it: under nohup, or as an asynchronous command
# of a shell without job control, SIGHUP or SIGINT arrive ignored, the
# program rightly keeps them ignored, and a check of how a signal ends a run
# would fail for the wrong reason. bash cannot undo a signal ignored at its
# start; Python can, and runs this test again.
if [ -z "${IP_E2E_SIGNALS_RESET:-}" ] &&
   (( 16#$(awk '/^SigIgn:/ { print $2 }' /proc/$$/status) & 0x4003 )); then
  export IP_E2E_SIGNALS_RESET=1
  exec /usr/bin/python3 -c 'import os, signal, sys
for s in (signal.SIGHUP, signal.SIGINT, signal.SIGTERM):
    signal.signal(s, signal.SIG_DFL)
os.execv("/bin/bash", ["bash"] + sys.argv[1:])' "$0" "$@"
fi
PROG=${1:?usage: $0 PATH/TO/internpris}
PROG=$(readlink -f "$PROG")
HOOKS_PROG=${IP_TESTHOOKS_PROG:-$(dirname "$PROG")/internpris-testhooks}
# The binaries themselves, also when a wrapper runs them (for nm and strings).
REAL_PROG=$PROG
REAL_HOOKS_PROG=$HOOKS_PROG
SRC=${IP_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
PY=/usr/bin/python3
VALIDATE="$SRC/../shared/validation/validate-ubl"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ip-e2e.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# IP_WRAPPER runs every invocation of the program under a tool, e.g.
# IP_WRAPPER="valgrind --leak-check=full --error-exitcode=99 -q".
if [ -n "${IP_WRAPPER:-}" ]; then
  PROG="$WORK/wrapped-internpris"
  printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$IP_WRAPPER" "$REAL_PROG" >"$PROG"
  HOOKS_PROG="$WORK/wrapped-internpris-testhooks"
  printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$IP_WRAPPER" "$REAL_HOOKS_PROG" >"$HOOKS_PROG"
  chmod +x "$PROG" "$HOOKS_PROG"
fi
fails=0
passes=0
need_hooks() { # the test-hooks build must be there: a missing one is a failure
  [ -x "$REAL_HOOKS_PROG" ] || { echo "FAIL - no test-hooks build at $REAL_HOOKS_PROG"; exit 1; }
}

ok()   { passes=$((passes + 1)); echo "ok - $*"; }
fail() { fails=$((fails + 1)); echo "FAIL - $*"; }
check() { # check DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@"; then ok "$what"; else fail "$what"; fi
}
finish() {
  echo "$passes passed, $fails failed"
  [ "$fails" -eq 0 ]
}
# A digest of every file under a folder (names and contents), to prove a
# folder is byte-for-byte as before.
tree_digest() {
  if [ -d "$1" ]; then (cd "$1" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum | sha256sum); else echo none; fi
}
