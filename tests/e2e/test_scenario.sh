#!/usr/bin/env bash
# `internpris scenario` on the sample year: the decided tariff against
# proposals made from it by tests/e2e/scenario_check.py (a fee change, an
# equal-part change, a new service, a removed one, a window and filter
# change), alone and all at once; every printed figure checked against the
# independent computation there (exact fractions, largest remainder, from the
# raw files). A proposal that cannot be allocated fails as run would (65), a
# proposal with a tariff error names its file and line (78); the input root,
# the output root (with a year folder, the record of issued documents and
# last year's fees.csv) and the working folder are byte for byte and
# timestamp for timestamp as before. `explain --tariff` splits each
# difference into the fixed fee's part and the basis's part, checked for
# every customer against the same independent computation.
source "$(dirname "$0")/lib.sh"
cd "$SRC"

CHECK="$SRC/tests/e2e/scenario_check.py"
props="$WORK/proposals"
out="$WORK/out"
cwd="$WORK/cwd"
mkdir -p "$cwd"
$PY "$CHECK" make input/2025/tariff.xml "$props"
$PY "$CHECK" prev input/2025 "$out/2024/fees.csv"
# a year folder and a record of issued documents that must stay untouched
check "run writes the sample year" "$PROG" run --year 2025 --output "$out"

# names, sizes and modification times as well as contents
stamp() { (cd "$1" && find . -printf '%p %s %T@\n' | sort; tree_digest .); }
in_before=$(stamp input)
out_before=$(stamp "$out")

scenario() { # scenario OUTFILE ARGS...: runs from an empty working folder
  local o=$1; shift
  (cd "$cwd" && "$PROG" scenario --year 2025 --input "$SRC/input" --output "$out" "$@") >"$o"
}

for p in fee equal new removed window; do
  check "scenario $p exits 0" scenario "$WORK/$p.txt" --tariff "$props/$p.xml"
  check "scenario $p: every figure as computed independently" \
    $PY "$CHECK" text input/2025 "$out/2024/fees.csv" "$WORK/$p.txt" input/2025/tariff.xml "$props/$p.xml"
done

all=()
for p in fee equal new removed window; do all+=(--tariff "$props/$p.xml"); done
check "five proposals at once exit 0" scenario "$WORK/all.txt" "${all[@]}" --name "Budget 2025, fem förslag"
check "five proposals: every figure as computed independently" \
  $PY "$CHECK" text input/2025 "$out/2024/fees.csv" "$WORK/all.txt" input/2025/tariff.xml \
  "$props/fee.xml" "$props/equal.xml" "$props/new.xml" "$props/removed.xml" "$props/window.xml"
check "the name is printed first" grep -q "^Budget 2025, fem förslag: price year 2025" "$WORK/all.txt"
check "one column per proposal" grep -q "Förslag 1 .*Förslag 5" "$WORK/all.txt"

# each statistics file read once for every tariff (--verbose names each file once)
(cd "$cwd" && "$PROG" scenario --year 2025 --input "$SRC/input" --output "$out" "${all[@]}" --verbose) \
  >/dev/null 2>"$WORK/verbose.txt"
check "cases.csv read once for six tariffs" test "$(grep -c 'read .*cases.csv' "$WORK/verbose.txt")" -eq 1

# explain --tariff: every customer (under a wrapper such as valgrind, every
# seventh), every service and proposal: the fees, the difference, its split
# (the fixed fee's part computed here by allocating the proposed fee on the
# decided key and basis) and the totals
every=1; [ -z "${IP_WRAPPER:-}" ] || every=7
check "explain --tariff: fees, differences and their split as computed independently" \
  $PY "$CHECK" explain "$PROG" "$every" "$SRC/input" "$out" input/2025/tariff.xml \
  "$props/fee.xml" "$props/equal.xml" "$props/new.xml" "$props/removed.xml" "$props/window.xml"
"$PROG" explain --year 2025 --customer 110 --output "$out" --tariff "$props/window.xml" \
  --service direkt >"$WORK/explain.txt"
for line in \
  "Förslag − Beslutad: 55 553 − 50 872 = +4 681 kr (+9,2 %)" \
  "  (a) the fixed fee: 3 300 000 kr on the decided key and basis gives 53 294 kr (largest remainder), minus 50 872 kr = +2 422 kr" \
  "  (b) the key, window or filter: 55 553 − 53 294 = +2 259 kr" \
  "  (a) + (b) = +4 681 kr"; do
  check "explain --tariff shows '$line'" grep -qxF -- "$line" "$WORK/explain.txt"
done
check "explain --tariff --service shows one service" test "$(grep -c '^== ' "$WORK/explain.txt")" -eq 1
set +e
"$PROG" explain --year 2025 --customer 110 --output "$out" --tariff "$props/new.xml" --service telefon \
  >"$WORK/o.txt" 2>"$WORK/e.txt"
st=$?
"$PROG" explain --year 2025 --customer 999 --output "$out" --tariff "$props/new.xml" >/dev/null 2>&1
st2=$?
set -e
check "explain --tariff: an unknown service exits 64" test "$st" -eq 64
check "… listing the tariffs' services" grep -qF \
  "expected a service id of the tariffs (etjanst, direkt, vaxel, kcp, etjanst-gen), found 'telefon'" "$WORK/e.txt"
check "… and prints nothing" test ! -s "$WORK/o.txt"
check "explain --tariff: an unknown customer exits 64" test "$st2" -eq 64

# without last year's fees the Y-1 column shows –
check "scenario without last year exits 0" \
  bash -c "'$PROG' scenario --year 2025 --output '$WORK/none' --tariff '$props/fee.xml' >'$WORK/noprev.txt'"
check "without last year: every figure as computed independently" \
  $PY "$CHECK" text input/2025 - "$WORK/noprev.txt" input/2025/tariff.xml "$props/fee.xml"
check "no output root was made" test ! -e "$WORK/none"

# a proposal that cannot be allocated, a tariff error, a missing file
set +e
scenario "$WORK/fails.out" --tariff "$props/fee.xml" --tariff "$props/fails.xml" 2>"$WORK/fails.err"
st=$?
set -e
check "a proposal that cannot be allocated exits 65" test "$st" -eq 65
check "… with run's message" grep -qx "$SRC/input/2025/cases.csv: expected ärenden in 2019-01-01–2019-12-31 for 'etjanst' (fee 240 000 kr), found no rows in the window: the file's dates in column 'date' run from 2023-05-02 to 2024-08-30" "$WORK/fails.err"
check "… naming the proposal" grep -qx "under the tariff $props/fails.xml" "$WORK/fails.err"
check "… and prints no comparison" test ! -s "$WORK/fails.out"
line=$(grep -n 'fee="600 000"' "$props/bad.xml" | cut -d: -f1)
set +e
scenario "$WORK/bad.out" --tariff "$props/bad.xml" 2>"$WORK/bad.err"
st=$?
set -e
check "a proposal with a tariff error exits 78" test "$st" -eq 78
check "… with its file and line" grep -q "^$props/bad.xml:$line: expected a fee of 0 or more whole kronor, found '600 000'" "$WORK/bad.err"
set +e
scenario /dev/null --tariff "$props/none.xml" 2>"$WORK/missing.err"
st=$?
set -e
check "a missing proposal exits 66" test "$st" -eq 66
sed 's/year="2025"/year="2026"/' input/2025/tariff.xml >"$props/y2026.xml"
set +e
scenario /dev/null --tariff "$props/y2026.xml" 2>"$WORK/year.err"
st=$?
set -e
check "a proposal for another year exits 78" test "$st" -eq 78
set +e
"$PROG" scenario --year 2025 >/dev/null 2>&1
st=$?
"$PROG" run --year 2025 --tariff "$props/fee.xml" --output "$out" >/dev/null 2>&1
st2=$?
set -e
check "scenario without --tariff is a usage error" test "$st" -eq 64
set +e
"$PROG" scenario --year 2025 --output "$out" --tariff "$props/fee.xml" --workbook "$out/2025/cmp.xlsx" \
  >"$WORK/inout.txt" 2>"$WORK/inout.err"
st=$?
"$PROG" scenario --year 2025 --output "$out" --tariff "$props/fee.xml" --name "$(printf 'a\tb')" \
  >/dev/null 2>"$WORK/name.err"
st2=$?
set -e
check "a workbook inside the output root is a usage error" test "$st" -eq 64
check "… saying so" grep -q "^internpris: expected --workbook outside the output root, found $out/2025/cmp.xlsx" "$WORK/inout.err"
check "… and prints nothing" test ! -s "$WORK/inout.txt"
check "a name with a control character is a usage error" test "$st2" -eq 64
check "… quoted" grep -qF "expected printable UTF-8 text after --name, found 'a\x09b'" "$WORK/name.err"
check "--tariff does not go with run" test "$st2" -eq 64

check "the input root is as before" test "$(stamp input)" = "$in_before"
check "the output root (year folder, record, last year) is as before" test "$(stamp "$out")" = "$out_before"
check "nothing was written in the working folder" test -z "$(ls -A "$cwd")"
finish
