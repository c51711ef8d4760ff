#!/usr/bin/env bash
# Whole-program property test under hostile conditions (issue 16): random
# valid years (random_year.py) put through one damage each — input bytes,
# file types (named pipes, folders, devices, links in and out of the input
# folder), folder layouts (overlapping input and output, blank folder
# options, linked year folder and record, a file in the year folder's
# place), the record (extra, missing, damaged, a named pipe), last year's
# fees.csv, fee changes with and without --correct, a signal (SIGTERM,
# SIGINT, SIGHUP) at a random moment of a run that writes — and after every run the
# invariants of tests/e2e/hostile_property.py: no hang, a documented exit
# status, exit 0 only with a complete output whose invoices are well-formed
# (the first and last of each year through validate-ubl) and whose fees sum
# to the tariff's, any failure with the year folder and
# the record byte for byte as before and no temporary folder left.
# By default one case per damage kind (seeds 1…); IP_HOSTILE_CASES=N runs N
# cases, IP_HOSTILE_SEED=S starts at seed S, so a failure is rerun with the
# seed it prints.
source "$(dirname "$0")/lib.sh"
cd "$WORK"
args=(--seed "${IP_HOSTILE_SEED:-1}" --timeout 120)
if [ -x "$VALIDATE" ]; then args+=(--validator "$VALIDATE"); else echo "# validate-ubl not found at $VALIDATE"; fail "validator missing"; fi
[ -n "${IP_HOSTILE_CASES:-}" ] && args+=(--cases "$IP_HOSTILE_CASES")
set +e
"$PY" "$SRC/tests/e2e/hostile_property.py" "$PROG" "$WORK/cases" "${args[@]}" >log.txt 2>&1
rc=$?
set -e
cat log.txt
check "every case holds its invariants" test "$rc" -eq 0
check "every damage kind was tried" bash -c \
  "[ -n \"\${IP_HOSTILE_CASES:-}\" ] || [ \$(grep -c '^ok - ' log.txt) -eq \$('$PY' '$SRC/tests/e2e/hostile_property.py' --list | wc -l) ]"
finish
