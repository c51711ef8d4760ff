#!/usr/bin/env bash
# A run killed with SIGKILL at any moment leaves either the previous complete
# output or the new complete output, never a mix, and the next run cleans up
# after it.
#
# Two sweeps: (1) every kill point the program marks (after each file it
# writes, before and after the swap; IP_TEST_KILL_AT=n kills at the n-th),
# walked until a run completes; (2) kills after a delay spread over the
# whole duration of a run, which also lands in the middle of writes.
source "$(dirname "$0")/lib.sh"
cd "$WORK"
cp -r "$SRC/input" in

# The previous output: the same year computed with another fee, so that old
# and new differ in every file.
cp -r in old_in
sed -i 's/fee="240000"/fee="250000"/' old_in/2025/tariff.xml
"$PROG" run --year 2025 --input old_in --output old >/dev/null
"$PROG" run --year 2025 --input in --output new >/dev/null
OLD=$(tree_digest old/2025)
NEW=$(tree_digest new/2025)
check "old and new outputs differ" test "$OLD" != "$NEW"

state_ok() { # the output root holds exactly the old or the new output
  local got; got=$(tree_digest "$1/2025")
  [ "$got" = "$OLD" ] || [ "$got" = "$NEW" ]
}

points=0
n=1
while :; do
  rm -rf t && cp -r old t
  set +e
  IP_TEST_KILL_AT=$n "$PROG" run --year 2025 --input in --output t >/dev/null 2>&1
  rc=$?
  set -e
  if [ $rc -eq 0 ]; then break; fi
  if [ $rc -ne 137 ]; then fail "kill point $n: exit $rc, expected SIGKILL (137)"; break; fi
  points=$((points + 1))
  state_ok t || fail "kill point $n leaves a mixed or missing output"
  "$PROG" run --year 2025 --input in --output t >/dev/null 2>&1 || fail "run after kill point $n"
  [ "$(tree_digest t/2025)" = "$NEW" ] || fail "run after kill point $n gives the new output"
  [ -z "$(ls -A t | grep tmp || true)" ] || fail "temporary folder left after the rerun at $n"
  n=$((n + 1))
  [ $n -le 500 ] || { fail "more than 500 kill points"; break; }
done
check "walked $points kill points (at least one per output file)" test "$points" -ge 5
echo "# kill points walked: $points"

# Timed kills spread over a run's duration.
start=$(date +%s%N)
"$PROG" run --year 2025 --input in --output timing >/dev/null
dur_us=$(( ($(date +%s%N) - start) / 1000 ))
timed=40
bad=0
for i in $(seq 1 $timed); do
  rm -rf t && cp -r old t
  "$PROG" run --year 2025 --input in --output t >/dev/null 2>&1 &
  pid=$!
  sleep "$(awk -v d="$dur_us" -v i="$i" -v n="$timed" 'BEGIN { printf "%.6f", d * i / n / 1e6 }')"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  state_ok t || bad=$((bad + 1))
done
check "$timed timed kills over a ${dur_us} us run leave old or new output" test $bad -eq 0
finish
