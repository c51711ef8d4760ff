#!/usr/bin/env bash
# Dates of the record (issue 16): the tariff's issue-date (78) and
# --issue-date (64) lie around the price year — from the start of the year
# before to the end of the year after, and never so late that the due date
# is one the record cannot read back — so a typing error (2999-12-31,
# 1900-01-01, 2100-01-01) is refused by check and run before anything is
# issued, and never bricks the year.
source "$(dirname "$0")/lib.sh"
cd "$WORK"

run_rc() { set +e; "$PROG" "$@" >out.txt 2>err.txt; rc=$?; set -e; }
fresh() { rm -rf "$WORK/c"; mkdir "$WORK/c"; cd "$WORK/c"; cp -r "$SRC/input" in; }
first_run() { "$PROG" run --year 2025 --input in --output out >/dev/null; }
change_fee() { sed -i 's/fee="240000" previous-fee/fee="250000" previous-fee/' in/2025/tariff.xml; }

fresh; first_run; change_fee in
before=$(tree_digest out)
for d in 2999-12-31 2100-01-01 2027-01-01 2023-12-31 1900-01-01; do
  for cmd in check run; do
    run_rc $cmd --year 2025 --input in --output out --correct --issue-date $d
    check "$cmd --issue-date $d: 64" test "$rc" -eq 64
  done
  check "  says the range" grep -q "^internpris: expected --issue-date between 2024-01-01 and 2026-12-31 (around the price year 2025), found $d$" err.txt
done
check "the output and the record are as before" test "$(tree_digest out)" = "$before"
run_rc run --year 2025 --input in --output out --correct --issue-date 2026-12-31
check "a correction on the last day of the range runs" test "$rc" -eq 0
check "  its due date is in the record" grep -q ';2026-12-31;2027-01-30;' out/issued/2025/register.csv
run_rc run --year 2025 --input in --output out
check "  and the record reads back: the next run is 0" test "$rc" -eq 0
run_rc check --year 2025 --input in --output out
check "  check too" test "$rc" -eq 0

for d in 2999-12-20 1900-01-01 2023-12-31 2027-01-01; do
  fresh; sed -i "s/issue-date=\"2025-01-15\"/issue-date=\"$d\"/" in/2025/tariff.xml
  for cmd in check run; do
    run_rc $cmd --year 2025 --input in --output out
    check "tariff issue-date $d, $cmd: 78" test "$rc" -eq 78
  done
  check "  names the line and the range" grep -Eq "^in/2025/tariff.xml:[0-9]+: expected issue-date between 2024-01-01 and 2026-12-31 \(around the price year 2025\), found $d$" err.txt
  check "  nothing written" test ! -e out/issued
done

# the last price year: no due date past 2999-12-31
fresh; mv in/2025 in/2999; sed -i 's/year="2025"/year="2999"/; s/issue-date="2025-01-15"/issue-date="2999-12-20"/' in/2999/tariff.xml
run_rc check --year 2999 --input in --output out
check "price year 2999, issue-date 2999-12-20 with 30 days to pay: 78" test "$rc" -eq 78
check "  the range ends 30 days before 2999-12-31" grep -q "expected issue-date between 2998-01-01 and 2999-12-01 (around the price year 2999), found 2999-12-20" err.txt
finish
