#!/usr/bin/env bash
# A run killed with SIGKILL at any moment leaves either the previous complete
# output or the new complete output, never a mix, and the next run cleans up
# after it. The run killed here is a correction run (--correct), so it writes
# both the year folder and the record of issued documents (ROOT/issued/Y):
# each is old or new, and the record is never behind the year folder.
#
# Two sweeps: (1) every kill point the program marks (after each file it
# writes, before and after the swap; IP_TEST_KILL_AT=n kills at the n-th),
# walked until a run completes, by the test-hooks build (the shipped program
# has no kill points) and each rerun by the shipped program; (2) the shipped
# program killed after a delay spread over the whole duration of a run, which
# also lands in the middle of writes.
source "$(dirname "$0")/lib.sh"
need_hooks
cd "$WORK"
cp -r "$SRC/input" in

# The previous output: the same year computed with another fee and issued,
# so that old and new differ in every file and the new run must correct.
cp -r in old_in
sed -i 's/fee="240000"/fee="250000"/' old_in/2025/tariff.xml
"$PROG" run --year 2025 --input old_in --output old >/dev/null
CORRECT=(--correct --issue-date 2025-03-03)
cp -r old new
"$PROG" run --year 2025 --input in --output new "${CORRECT[@]}" >/dev/null
OLD=$(tree_digest old/2025)
NEW=$(tree_digest new/2025)
OLD_REC=$(tree_digest old/issued/2025)
NEW_REC=$(tree_digest new/issued/2025)
check "old and new outputs differ" test "$OLD" != "$NEW"
check "old and new records differ" test "$OLD_REC" != "$NEW_REC"

state_ok() { # year folder and record: each old or new, the record never behind
  local y r; y=$(tree_digest "$1/2025"); r=$(tree_digest "$1/issued/2025")
  { [ "$y" = "$OLD" ] || [ "$y" = "$NEW" ]; } || return 1
  { [ "$r" = "$OLD_REC" ] || [ "$r" = "$NEW_REC" ]; } || return 1
  ! { [ "$y" = "$NEW" ] && [ "$r" = "$OLD_REC" ]; }
}
no_tmp() { # no temporary folder of a run is left in the root or the record
  [ -z "$(ls -A "$1" "$1/issued" | grep tmp || true)" ]
}

points=0
n=1
while :; do
  rm -rf t && cp -r old t
  set +e
  IP_TEST_KILL_AT=$n "$HOOKS_PROG" run --year 2025 --input in --output t "${CORRECT[@]}" >/dev/null 2>&1
  rc=$?
  set -e
  if [ $rc -eq 0 ]; then break; fi
  if [ $rc -ne 137 ]; then fail "kill point $n: exit $rc, expected SIGKILL (137)"; break; fi
  points=$((points + 1))
  state_ok t || fail "kill point $n leaves a mixed or missing output"
  "$PROG" run --year 2025 --input in --output t "${CORRECT[@]}" >/dev/null 2>&1 || fail "run after kill point $n"
  [ "$(tree_digest t/2025)" = "$NEW" ] || fail "run after kill point $n gives the new output"
  [ "$(tree_digest t/issued/2025)" = "$NEW_REC" ] || fail "run after kill point $n gives the new record"
  no_tmp t || fail "temporary folder left after the rerun at $n"
  n=$((n + 1))
  [ $n -le 500 ] || { fail "more than 500 kill points"; break; }
done
check "walked $points kill points (at least one per output file)" test "$points" -ge 5
echo "# kill points walked: $points"

# Timed kills spread over a run's duration.
start=$(date +%s%N)
cp -r old timing
"$PROG" run --year 2025 --input in --output timing "${CORRECT[@]}" >/dev/null
dur_us=$(( ($(date +%s%N) - start) / 1000 ))
timed=40
bad=0
for i in $(seq 1 $timed); do
  rm -rf t && cp -r old t
  "$PROG" run --year 2025 --input in --output t "${CORRECT[@]}" >/dev/null 2>&1 &
  pid=$!
  sleep "$(awk -v d="$dur_us" -v i="$i" -v n="$timed" 'BEGIN { printf "%.6f", d * i / n / 1e6 }')"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  state_ok t || bad=$((bad + 1))
done
check "$timed timed kills over a ${dur_us} us run leave old or new output" test $bad -eq 0
finish
