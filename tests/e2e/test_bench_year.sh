#!/usr/bin/env bash
# The document benchmark's generator and fee checker (tests/bench/gen_year.py)
# on a tiny year: the same arguments write byte-identical files, the year is
# accepted, the checker agrees with the run's fees and ledger after a first
# run and after a correction of the changed twin, and it catches one krona
# moved between two customers. Not a timed test: docs.sh does the timing.
source "$(dirname "$0")/lib.sh"
cd "$WORK"
GEN="$PY $SRC/tests/bench/gen_year.py"
$GEN make --customers 12 --periods 4 --seed 3 --out a
$GEN make --customers 12 --periods 4 --seed 3 --out b
$GEN make --customers 12 --periods 4 --seed 3 --changed 2 --out c 2>changed.txt
check "the same arguments write byte-identical years" diff -r a b
check "the changed twin differs in cases.csv only" \
  test "$(diff -r -q a c | sed 's|.*/||; s| differ$||')" = "cases.csv"
check "12 customers, 101 and 110 among them" \
  bash -c "test \$(tail -n +2 a/2025/customers.csv | wc -l) -eq 12 && grep -q '^101;' a/2025/customers.csv && grep -q '^110;' a/2025/customers.csv"
check "periods=\"4\" in the tariff" grep -q 'periods="4"' a/2025/tariff.xml
check "the run accepts the year" "$PROG" run --year 2025 --input a --output out
check "the checker agrees with the first run's fees and ledger" \
  $GEN check --input a --output out
check "four invoices per billable customer" \
  test $(( $(ls out/2025/invoices | wc -l) % 4 )) -eq 0
cp -r out bad
$PY - bad/2025/fees.csv <<'PY'
import sys
p = sys.argv[1]
lines = open(p, encoding="utf-8").read().split("\n")
hit = [i for i, l in enumerate(lines) if l.split(";")[1:2] == ["kcp"] and l.split(";")[-1] not in ("", "0", "fee")][:2]
assert len(hit) == 2, hit
for i, d in zip(hit, (1, -1)):
    f = lines[i].split(";")
    f[-1] = str(int(f[-1]) + d)
    lines[i] = ";".join(f)
open(p, "w", encoding="utf-8").write("\n".join(lines))
PY
check "the checker catches one krona moved between two customers" \
  bash -c "! $GEN check --input a --output bad 2>/dev/null"
set +e
"$PROG" run --year 2025 --input c --output out 2>/dev/null; rc=$?
set -e
check "the changed twin needs a correction (65)" test $rc -eq 65
check "the correction exits 0" \
  "$PROG" run --year 2025 --input c --output out --correct --issue-date 2025-03-03
check "the checker agrees with the corrected fees and ledger" \
  $GEN check --input c --output out
check "the correction issued documents" test "$(ls out/2025/invoices | wc -l)" -gt "$(ls bad/2025/invoices | wc -l)"
finish
