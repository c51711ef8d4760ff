#!/usr/bin/env bash
# Signals (issue 16): SIGTERM, SIGINT and SIGHUP end a run cleanly — no
# temporary folder left, the output lock free, the year folder and the
# record each as before or (a signal after the record was committed) both
# complete — and the process ends by the signal (a shell sees 128 + n). The
# test-hooks build raises the signal at its n-th kill point
# (IP_TEST_KILL_AT, IP_TEST_KILL_SIGNAL), walked until a run completes; a
# signal sent from outside at a few moments must leave the same states.
source "$(dirname "$0")/lib.sh"
need_hooks
cd "$WORK"
cp -r "$SRC/input" in
"$PROG" run --year 2025 --input in --output orig >/dev/null
sed -i 's/fee="240000" previous-fee/fee="250000" previous-fee/' in/2025/tariff.xml
cp -a orig ref
"$PROG" run --year 2025 --input in --output ref --correct --issue-date 2025-03-03 >/dev/null
old="$(tree_digest orig/2025) $(tree_digest orig/issued/2025)"
new="$(tree_digest ref/2025) $(tree_digest ref/issued/2025)"
ARGS=(run --year 2025 --input in --output out --correct --issue-date 2025-03-03)

no_tmp() { ! find out out/issued -maxdepth 1 -name '.*.tmp-*' 2>/dev/null | grep -q .; }
lock_free() { flock -n out/.internpris.lock true; }
state() { echo "$(tree_digest out/2025) $(tree_digest out/issued/2025)"; }

# walk SIG STEP: raise SIG at kill points 1, 1+STEP, … until a run completes
walk() {
  local sig=$1 step=$2 n=1 rc bad=0 tried=0 newer=0
  while :; do
    rm -rf out; cp -a orig out
    # (the braces keep bash's "Terminated" notes out of the test's log)
    set +e; { IP_TEST_KILL_AT=$n IP_TEST_KILL_SIGNAL=$sig "$HOOKS_PROG" "${ARGS[@]}" 2>err.txt; } 2>/dev/null; rc=$?; set -e
    [ "$rc" -eq 0 ] && break
    tried=$((tried + 1))
    local st; st=$(state)
    if [ "$rc" -ne $((128 + sig)) ]; then echo "  point $n: status $rc"; bad=1; fi
    if ! no_tmp; then echo "  point $n: a temporary folder is left"; bad=1; fi
    if ! lock_free; then echo "  point $n: the lock is held"; bad=1; fi
    if [ "$st" = "$new" ]; then newer=$((newer + 1));
    elif [ "$st" != "$old" ]; then echo "  point $n: the output is neither as before nor complete"; bad=1; fi
    n=$((n + step))
    [ $n -gt 400 ] && { echo "  more than 400 points"; bad=1; break; }
  done
  check "signal $sig at $tried kill points: 128+$sig, nothing left, output as before or complete" test $bad -eq 0
  check "  the walk reached a complete run" test "$rc" -eq 0 -a "$(state)" = "$new"
  check "  most stops keep the output as before ($((tried - newer)) of $tried)" test $((tried - newer)) -gt $newer
}
walk 15 1
walk 2 3
walk 1 3

# the line a stopped run prints
rm -rf out; cp -a orig out
set +e; { IP_TEST_KILL_AT=3 IP_TEST_KILL_SIGNAL=15 "$HOOKS_PROG" "${ARGS[@]}" 2>err.txt; } 2>/dev/null; rc=$?; set -e
check "a stopped run says so" grep -q '^internpris: stopped by SIGTERM before the output was complete' err.txt
# a signal ignored when the program starts (nohup) stays ignored
rm -rf out; cp -a orig out
set +e; (trap '' HUP; IP_TEST_KILL_AT=3 IP_TEST_KILL_SIGNAL=1 exec "$HOOKS_PROG" "${ARGS[@]}") 2>err.txt; rc=$?; set -e
check "an ignored SIGHUP (nohup) is ignored: the run completes" test "$rc" -eq 0 -a "$(state)" = "$new"

# from outside, at a few moments (reading, writing, committing)
for t in 0.02 0.1 0.2 0.4 0.8; do
  for sig in TERM HUP; do
    rm -rf out; cp -a orig out
    # Python starts, signals and reaps the program: a signal that bash sent
    # to a child of its own before the exec could run this script's EXIT trap
    rc=$("$PY" -c '
import signal, subprocess, sys, time
p = subprocess.Popen(sys.argv[3:], stderr=open("err.txt", "w"))
time.sleep(float(sys.argv[1])); p.send_signal(getattr(signal, "SIG" + sys.argv[2]))
r = p.wait(); print(128 - r if r < 0 else r)' "$t" "$sig" "$PROG" "${ARGS[@]}")
    num=$(kill -l $sig); st=$(state)
    check "kill -$sig after ${t}s: 0 or 128+$num ($rc), nothing left, as before or complete" \
      bash -c "{ [ $rc -eq 0 ] || [ $rc -eq $((128 + num)) ]; } && [ '$st' = '$old' -o '$st' = '$new' ] &&
               ! find out out/issued -maxdepth 1 -name '.*.tmp-*' | grep -q . && flock -n out/.internpris.lock true"
  done
done
finish
