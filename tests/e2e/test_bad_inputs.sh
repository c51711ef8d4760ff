#!/usr/bin/env bash
# The catalogue of bad inputs: each case breaks one thing in a copy of the
# sample year and asserts the exit status (sysexits.h), the exact first line
# of stderr, and that the output folder, holding an earlier good run, is
# byte-for-byte as before.
source "$(dirname "$0")/lib.sh"
cd "$WORK"
"$PROG" run --year 2025 --input "$SRC/input" --output good >/dev/null
GOOD=$(tree_digest good)

# expect NAME STATUS "FIRST LINE" [extra grep pattern for the rest of stderr]
# Runs on in/2025 as the mutation left it, then restores a clean copy.
expect() {
  local name=$1 status=$2 first=$3 more=${4:-}
  rm -rf out && cp -r good out
  set +e
  "$PROG" run --year 2025 --input in --output out >stdout.txt 2>stderr.txt
  local rc=$?
  set -e
  local line; line=$(head -n 1 stderr.txt)
  if [ "$rc" != "$status" ]; then
    fail "$name: exit $rc, expected $status ($line)"
  elif [ "$line" != "$first" ]; then
    fail "$name: first line of stderr"; echo "#   expected: $first"; echo "#   found:    $line"
  elif [ -n "$more" ] && ! grep -q -- "$more" stderr.txt; then
    fail "$name: stderr lacks '$more'"; sed 's/^/#   /' stderr.txt
  elif [ "$(tree_digest out)" != "$GOOD" ]; then
    fail "$name: output folder changed"
  elif [ -s stdout.txt ]; then
    fail "$name: printed on stdout"
  else
    ok "$name"
  fi
  fresh
}
fresh() { rm -rf in && mkdir in && cp -r "$SRC/input/2025" in/2025; }
I=in/2025
py() { $PY - "$@"; }
# Where a case's line lies in the sample, found at test time:
line_of() { LC_ALL=C grep -naE -m1 -- "$2" "$1" | cut -d: -f1; } # line_of FILE ERE: first match
next_line() { echo $(($(wc -l <"$1") + 1)); }  # next_line FILE: the number of a line appended
field() { sed -n "$2p" "$1" | cut -d';' -f"$3"; } # field FILE LINE N: the N-th ;-field
fresh

. "$SRC/tests/e2e/bad_cases.sh"
finish
