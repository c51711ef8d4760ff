#!/usr/bin/env bash
# Property test: randomly drawn price years (tests/e2e/random_year.py: 1 to
# 60 customers, hostile names, odd fees, 1/4/12 periods, zeros, ties,
# consolidations, varying delimiters, BOM and line ends). For every year the
# run exits 0, the fees are checked against an independent computation from
# the raw files (exact sums, within 1 kr of the exact share), each
# customer's invoices add up to its fees, ledger.csv to the year's fees, the
# SIE files (tests/e2e/sie_check.py) post every department's document and
# reconcile with the fees (or, without <accounting>, are not written), and
# every invoice of every year passes validate-ubl.
# IP_RANDOM_YEARS=N draws N years (default 10); IP_RANDOM_SEED=S starts at
# seed S (default 1), so a failure is reproduced with the seed it prints.
# The validator takes about 0.1 s a file, so of a year invoiced in periods
# only the first and the last period's invoices are validated (the middle
# periods are the same documents with other dates and amounts, and their
# sums are checked above); IP_RANDOM_VALIDATE_ALL=1 validates every one.
source "$(dirname "$0")/lib.sh"
cd "$WORK"
n=${IP_RANDOM_YEARS:-10}
first=${IP_RANDOM_SEED:-1}
mkdir -p all
bad=0
written=0
sie=0
for seed in $(seq "$first" $((first + n - 1))); do
  $PY "$SRC/tests/e2e/random_year.py" make "$seed" "in$seed"
  if ! "$PROG" run --year 2025 --input "in$seed" --output "out$seed" 2>"err$seed.txt"; then
    fail "seed $seed: run failed: $(head -1 "err$seed.txt")"; bad=1; continue
  fi
  if ! $PY "$SRC/tests/e2e/random_year.py" check "in$seed" "out$seed" 2>"chk$seed.txt"; then
    fail "seed $seed: $(tail -1 "chk$seed.txt")"; bad=1; continue
  fi
  if ! $PY "$SRC/tests/e2e/sie_check.py" year "in$seed/2025" "out$seed/2025" \
       "out$seed/issued/2025/register.csv" >"sie$seed.txt" 2>&1; then
    fail "seed $seed: SIE: $(tail -1 "sie$seed.txt")"; bad=1; continue
  fi
  grep -q "all checks pass" "sie$seed.txt" && sie=$((sie + 1))
  last=$(ls "out$seed/2025/invoices" | sed -n 's/^2025-[0-9]*-\([0-9][0-9]\)\.xml$/\1/p' | sort -u | tail -1)
  written=$((written + $(ls "out$seed/2025/invoices" | wc -l)))
  for f in "out$seed"/2025/invoices/*.xml; do
    b=$(basename "$f")
    if [ -z "${IP_RANDOM_VALIDATE_ALL:-}" ] && [ -n "$last" ] && [[ $b != *-01.xml && $b != *-$last.xml ]]; then
      continue
    fi
    cp "$f" "all/s$seed-$b"
  done
done
check "$n random years: fees exact, within 1 kr of the exact share, invoices, ledger and SIE postings add up" test $bad -eq 0
echo "# $sie of the $n years have <accounting>: their SIE files read back and reconcile"
count=$(ls all | wc -l)
check "some invoices were written ($written)" test "$count" -gt 0
if [ -x "$VALIDATE" ]; then
  check "$count of the random years' $written invoices pass validate-ubl" "$VALIDATE" -q all/*.xml
else
  echo "# validate-ubl not found at $VALIDATE"; fail "validator missing"
fi
finish
