#!/usr/bin/env bash
# The scenario's comparison workbook (`scenario --workbook`) as LibreOffice
# sees it, on the sample year with the proposals of scenario_check.py:
#
# 1. Recalculation: in a copy whose cached formula values are all 0,
#    LibreOffice (headless, private profile, recalculate on load, sv-SE)
#    recalculates every formula, and each value equals the one internpris
#    cached; every figure of every sheet — totals, fees, bases, differences
#    in kr and %, the split into the fixed fee's and the basis's part, last
#    year's totals, Delsumma and Totalt, the fixed fees and their sums on
#    "Tariffer" — equals scenario_check.py's computation from the raw files;
#    the scenario's name is in every sheet's header and footer.
# 2. Printing: the workbook as PDF, every page carrying the name, no sheet
#    wider than a page, every page rendered to PNG (IP_KEEP_DIR keeps them).
# 3. Writing: the same scenario gives a byte-identical file; an existing file
#    is replaced only on success (a failing proposal, a folder in the way
#    leave it and no temporary file); nothing but the workbook is written.
#
# Exit 77 when LibreOffice or poppler is not installed.
source "$(dirname "$0")/lib.sh"
cd "$SRC"

SOFFICE=$(command -v soffice || command -v libreoffice || true)
if [ -z "$SOFFICE" ] || ! command -v pdftoppm >/dev/null; then
  echo "SKIP - LibreOffice (soffice) or pdftoppm not installed"
  exit 77
fi
CHECK="$SRC/tests/e2e/scenario_check.py"
profile="$WORK/lo-profile"
mkdir -p "$profile/user"
cat >"$profile/user/registrymodifications.xcu" <<'XCU'
<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>sv-SE</value></prop></item>
</oor:items>
XCU
lo() { # lo OUTDIR CONVERT-TO FILE
  timeout 300 "$SOFFICE" -env:UserInstallation="file://$profile" --headless --norestore \
    --nolockcheck --convert-to "$2" --outdir "$1" "$3" >"$WORK/lo.log" 2>&1
}

props="$WORK/proposals"
out="$WORK/out"
$PY "$CHECK" make input/2025/tariff.xml "$props"
$PY "$CHECK" prev input/2025 "$out/2024/fees.csv"
stamp() { (cd "$1" && find . -printf '%p %s %T@\n' | sort; tree_digest .); }
in_before=$(stamp input)
out_before=$(stamp "$out")

check_book() { # check_book TAG NAME PREV-FEES|- ROOT PROPOSAL...
  local tag=$1 name=$2 prev=$3 root=$4; shift 4
  local dir="$WORK/$tag" args=() p
  mkdir -p "$dir/zero" "$dir/csv"
  for p in "$@"; do args+=(--tariff "$props/$p.xml"); done
  check "$tag: scenario --workbook exits 0" bash -c \
    "'$PROG' scenario --year 2025 --output '$root' ${args[*]} --workbook '$dir/cmp.xlsx' --name '$name' >'$dir/out.txt'"
  check "$tag: only the workbook in its folder" test "$(ls -A "$dir")" = "$(printf 'cmp.xlsx\ncsv\nout.txt\nzero')"
  check "$tag: cached values agree with the formulas (openpyxl)" $PY tests/xlsx_check.py verify "$dir/cmp.xlsx"
  check "$tag: a copy with every cached value 0" $PY "$CHECK" zero "$dir/cmp.xlsx" "$dir/zero/cmp.xlsx"
  if lo "$dir/csv" 'csv:Text - txt - csv (StarCalc):59,34,76,1,,0,false,true,false,false,false,-1' "$dir/zero/cmp.xlsx" &&
     ls "$dir/csv"/*.csv >/dev/null 2>&1; then
    ok "$tag: LibreOffice exported every sheet"
  else
    fail "$tag: LibreOffice CSV export"; cat "$WORK/lo.log"; return
  fi
  local tariffs=(input/2025/tariff.xml)
  for p in "$@"; do tariffs+=("$props/$p.xml"); done
  check "$tag: LibreOffice's recalculation and every figure as computed independently" \
    $PY "$CHECK" book "$dir/cmp.xlsx" "$dir/csv" input/2025 "$prev" "$name" "${tariffs[@]}"
}

check_book five "Budget 2025 & förslag <A–E>" "$out/2024/fees.csv" "$out" fee equal new removed window
check_book one "Budget 2025" - "$WORK/none" window
check "no output root was made" test ! -e "$WORK/none"

# 2. Printing
pdfdir="${IP_KEEP_DIR:-$WORK/pdf}"
mkdir -p "$pdfdir"
if lo "$pdfdir" pdf "$WORK/five/cmp.xlsx" && [ -s "$pdfdir/cmp.pdf" ]; then
  ok "LibreOffice printed the workbook to PDF"
  check "every page carries the name, no sheet wider than a page, every page rendered" \
    $PY "$CHECK" print "$WORK/five/cmp.xlsx" "$pdfdir/cmp.pdf" "Budget 2025 & förslag <A–E>" "$pdfdir"
else
  fail "PDF export"; cat "$WORK/lo.log"
fi

# 3. Writing
again="$WORK/again"
mkdir -p "$again"
"$PROG" scenario --year 2025 --output "$out" --tariff "$props/fee.xml" --tariff "$props/equal.xml" \
  --tariff "$props/new.xml" --tariff "$props/removed.xml" --tariff "$props/window.xml" \
  --workbook "$again/cmp.xlsx" --name "Budget 2025 & förslag <A–E>" >/dev/null
check "the same scenario gives a byte-identical workbook" cmp -s "$again/cmp.xlsx" "$WORK/five/cmp.xlsx"
set +e
"$PROG" scenario --year 2025 --output "$out" --tariff "$props/fails.xml" --workbook "$again/cmp.xlsx" \
  >/dev/null 2>&1
st=$?
set -e
check "a failing proposal exits 65" test "$st" -eq 65
check "… and leaves the existing workbook as it was" cmp -s "$again/cmp.xlsx" "$WORK/five/cmp.xlsx"
mkdir "$again/dir.xlsx"
set +e
"$PROG" scenario --year 2025 --output "$out" --tariff "$props/fee.xml" --workbook "$again/dir.xlsx" \
  >"$WORK/dir.out" 2>"$WORK/dir.err"
st=$?
"$PROG" scenario --year 2025 --output "$out" --tariff "$props/fee.xml" --workbook "$WORK/no/such/cmp.xlsx" \
  >/dev/null 2>"$WORK/nodir.err"
st2=$?
set -e
check "a folder in the workbook's place exits 73" test "$st" -eq 73
check "… with the workbook's path first" grep -q "^$again/dir.xlsx: cannot create the workbook: " "$WORK/dir.err"
check "… and prints no comparison" test ! -s "$WORK/dir.out"
check "a workbook in a missing folder exits 73" test "$st2" -eq 73
check "no temporary file is left" test "$(ls -A "$again")" = "$(printf 'cmp.xlsx\ndir.xlsx')"
"$PROG" scenario --year 2025 --output "$out" --tariff "$props/fee.xml" --workbook "$again/cmp.xlsx" >/dev/null
check "a successful run replaces the file" $PY tests/xlsx_check.py verify "$again/cmp.xlsx"
check "the input root is as before" test "$(stamp input)" = "$in_before"
check "the output root is as before" test "$(stamp "$out")" = "$out_before"
finish
