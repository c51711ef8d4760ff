#!/usr/bin/env bash
# The price-list workbook as a spreadsheet program sees it.
#
# Runs the sample year, then has LibreOffice (headless, private profile,
# "recalculate on load: always", Swedish locale) open prislista-2025.xlsx:
#
# 1. Recalculation. Every cached formula value in a copy of the workbook is
#    first overwritten with 0, so the values LibreOffice exports can only come
#    from its own recalculation. Each recalculated formula must equal the
#    value internpris cached (amounts exactly).
# 2. Agreement with fees.csv. On every service sheet each customer's fee and
#    basis, and every Delsumma/Totalt, equal fees.csv; the totals equal the
#    tariff's fixed fees; "Per kund" agrees per customer and service.
# 3. Printing. The workbook is converted to PDF; page 1 of every sheet is
#    rendered to PNG (pdftoppm) beside the outputs, and no sheet may be wider
#    than one page.
# 4. As a person reads it (check_workbook_shown.py). Every sheet is exported
#    as shown, in sv_SE.UTF-8: the figures must read "240 000 kr", the shown
#    parts and rows add up to the shown fees, Delsumma and Totalt on every
#    row and total, no cell shows a negative zero, every name cell is the
#    register's name, headings are frozen and a "–" is a number. On the
#    sample year, on a year whose last year does not add up (the city's own
#    2024 sums, 1 399 999 and 2 024 001 kr against previous-fee 1 400 000 and
#    2 024 000) and after a correction; every page of the sample year's and
#    the corrected year's workbook is rendered to PNG in the build folder
#    (workbook-pages/), for anyone to look at.
#
# Usage: test_workbook_lo.sh PATH/TO/internpris   (env IP_SOURCE_DIR = repository;
# IP_KEEP_DIR = a folder to keep the PDF and PNG pages in, optional).
# Exit 0 on success, 1 on a mismatch, 77 when LibreOffice is not installed.
source "$(dirname "$0")/lib.sh"
cd "$SRC"

SOFFICE=$(command -v soffice || command -v libreoffice || true)
if [ -z "$SOFFICE" ] || ! command -v pdftoppm >/dev/null; then
  echo "SKIP - LibreOffice (soffice) or pdftoppm not installed"
  exit 77
fi
CHECKER="$SRC/tests/xlsx_check.py"
# The Swedish locale LibreOffice runs in (.ci/deps --test generates it).
SV_LOCALE=$(locale -a 2>/dev/null | grep -ix 'sv_SE.utf-\?8' | head -1)
if [ -z "$SV_LOCALE" ]; then
  echo "SKIP - no sv_SE.UTF-8 locale (.ci/deps --test generates it)"
  exit 77
fi

# A private LibreOffice profile: always recalculate OOXML on load, Swedish
# locale (number formats print as the city's controllers see them).
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
  LC_ALL=$SV_LOCALE LANG=$SV_LOCALE timeout 300 "$SOFFICE" -env:UserInstallation="file://$profile" --headless --norestore \
    --nolockcheck --convert-to "$2" --outdir "$1" "$3" >"$WORK/lo.log" 2>&1
}

check_workbook() { # check_workbook XLSX FEES.CSV PREV-FEES.CSV|- TAG
# 1. A copy whose cached formula values are all 0.
local xlsx=$1 fees=$2 prev=$3 tag=$4
local blank="$WORK/$tag-blank/prislista-2025.xlsx" csvdir="$WORK/$tag-csv"
mkdir -p "$WORK/$tag-blank" "$csvdir"
$PY - "$xlsx" "$blank" <<'PY'
import re, sys, zipfile
src, dst = sys.argv[1:3]
n = 0
with zipfile.ZipFile(src) as zi, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zo:
    for info in zi.infolist():
        data = zi.read(info)
        if info.filename.startswith("xl/worksheets/sheet"):
            text, k = re.subn(r"(<f>[^<]*</f><v>)[^<]*(</v>)", r"\g<1>0\g<2>", data.decode("utf-8"))
            n += k
            data = text.encode("utf-8")
        zo.writestr(info, data)
print(f"{n} cached formula values zeroed")
assert n > 100, n
PY
# Text CSV, ';', '"', UTF-8, from line 1, raw values (not as shown), every
# sheet into its own file (the last token, -1: LibreOffice 7.2 and later).
if lo "$csvdir" 'csv:Text - txt - csv (StarCalc):59,34,76,1,,0,false,true,false,false,false,-1' "$blank" &&
   ls "$csvdir"/*.csv >/dev/null 2>&1; then
  ok "$tag: LibreOffice exported every sheet to CSV"
else
  fail "$tag: LibreOffice CSV export"; cat "$WORK/lo.log"; return
fi

check "$tag: LibreOffice's recalculation equals the cached values, fees.csv and the tariff" \
  $PY "$SRC/tests/e2e/check_workbook_recalc.py" "$xlsx" "$csvdir" "$fees" "$SRC/input/2025/tariff.xml" "$prev"
}

out="$WORK/out"
check "run exits 0" "$PROG" run --year 2025 --input "$SRC/input" --output "$out"
xlsx="$out/2025/prislista-2025.xlsx"
[ -s "$xlsx" ] || { fail "no workbook written"; finish; exit 1; }
check "cached values agree with the formulas (openpyxl)" $PY "$CHECKER" verify "$xlsx"
check_workbook "$xlsx" "$out/2025/fees.csv" - "no last year"

# Again with last year's fees.csv (made up from this year's: 10 % less for
# some, 20 % more for others, one service absent), so the Y-1 and change
# columns hold numbers and formulas too.
out2="$WORK/out2"
mkdir -p "$out2/2024"
$PY - "$out/2025/fees.csv" "$out2/2024/fees.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8"), delimiter=";"))
with open(sys.argv[2], "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f, delimiter=";", lineterminator="\n")
    w.writerow(["year", "service", "customer", "name", "basis", "basis_total", "fee"])
    for r in rows:
        if r["service"] == "etjanst":
            continue  # a new service last year: previous-fee 0 in the tariff
        fee = int(r["fee"]) * 9 // 10 if int(r["customer"]) % 3 else int(r["fee"]) * 12 // 10
        w.writerow([2024, r["service"], r["customer"], r["name"], 0, 0, fee])
PY
check "run with last year's fees exits 0" "$PROG" run --year 2025 --input "$SRC/input" --output "$out2"
check "cached values agree with the formulas, last year known (openpyxl)" \
  $PY "$CHECKER" verify "$out2/2025/prislista-2025.xlsx"
check_workbook "$out2/2025/prislista-2025.xlsx" "$out2/2025/fees.csv" "$out2/2024/fees.csv" \
  "last year known"

# 4. As shown, in sv_SE: the sample year, a last year that does not add up,
# and a correction.
shown() { # shown XLSX TAG [CUSTOMERS.csv]
  local dir="$WORK/$2-shown"
  mkdir -p "$dir"
  # token 9 true: every cell as shown (formatted), not its raw value
  if lo "$dir" 'csv:Text - txt - csv (StarCalc):59,34,76,1,,0,false,true,true,false,false,-1' "$1" &&
     ls "$dir"/*.csv >/dev/null 2>&1; then
    check "$2: every sheet as shown adds up, no negative zero, names as registered, frozen headings, numbers" \
      $PY "$SRC/tests/e2e/check_workbook_shown.py" "$1" "$dir" "${3:-$SRC/input/2025/customers.csv}"
  else
    fail "$2: LibreOffice CSV export as shown"; cat "$WORK/lo.log"
  fi
}
shown "$xlsx" "sample year"
check "in sv_SE the sample's totals read '240 000 kr' and '6 014 000 kr', not '240,000 kr'" \
  $PY -c 'import sys, re
t = open(sys.argv[1], encoding="utf-8").read()
t = re.sub("[\u00a0\u202f]", " ", t)
sys.exit(0 if ";240 000 kr;" in t and ";6 014 000 kr;" in t and "240,000" not in t else 1)' \
  "$WORK/sample year-shown/prislista-2025-Per kund.csv"
# The same year with more consolidations on the switchboard (108 and 113
# counted in 110 beside 101, 115 in 116) and last year's fees off by 1 kr.
odd="$WORK/odd"
cp -r "$SRC/input" "$WORK/in-cons"
sed -i 's|^    <consolidate from="101" into="110"/>$|&\n    <consolidate from="108" into="110"/>\n    <consolidate from="113" into="110"/>\n    <consolidate from="115" into="116"/>|' \
  "$WORK/in-cons/2025/tariff.xml"
check "the tariff has four consolidations" test "$(grep -c '<consolidate ' "$WORK/in-cons/2025/tariff.xml")" -eq 4
mkdir -p "$odd/2024"
$PY "$SRC/tests/e2e/make_prev_fees.py" "$out/2025/fees.csv" "$odd/2024/fees.csv" vaxel=1399999 kcp=2024001
check "run with consolidations and a last year that does not add up" \
  "$PROG" run --year 2025 --input "$WORK/in-cons" --output "$odd" --quiet
shown "$odd/2025/prislista-2025.xlsx" "last year off by 1 kr"
sw="$WORK/last year off by 1 kr-shown/prislista-2025-Telefonistöd.csv"
check "one marker per receiving customer, beside the name, on it and on those counted in it" \
  $PY - "$sw" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8"), delimiter=";"))
mark = {r[0]: r[2] for r in rows if len(r) > 3 and r[0].isdigit()}
want = {"110": "*", "101": "*", "108": "*", "113": "*", "116": "**", "115": "**"}
assert {k: mark.get(k) for k in want} == want, {k: mark.get(k) for k in want}
assert not [k for k, v in mark.items() if v and k not in want], mark
notes = [r[0] for r in rows if r and r[0].startswith("*")]
assert len(notes) == 2, notes
assert notes[0].startswith("* I Stadsledningskontorets antal (") and \
    "ingår Finansförvaltningen (" in notes[0] and ", Valnämnden (" in notes[0] and \
    " och Socialförvaltningen (" in notes[0], notes[0]
assert notes[1].startswith("** I Stadsbyggnadskontorets antal (") and \
    "ingår Kulturförvaltningen (" in notes[1], notes[1]
PY
check "its Totalt change of -1 kr shows 0,0 %, not -0,0 %" bash -c \
  "grep -h 'Totalt' '$WORK/last year off by 1 kr-shown/'*Kontaktcenterplattform.csv | grep -q ';-1 kr;0,0 %'"
# A correction: one case moves from 113 (a department) to 291 (a company).
cp -r "$SRC/input" "$WORK/in2"
$PY - "$WORK/in2/2025/cases.csv" <<'PY'
import sys
p = sys.argv[1]
lines = open(p, encoding="utf-8").read().split("\n")
for i, l in enumerate(lines):
    f = l.split(";")
    if len(f) > 4 and f[2] == "113" and f[3] == "E-tjänstsupport" and f[4] == "inkommande" \
            and "2023-07-01" <= f[1] <= "2024-06-30":
        f[2] = "291"
        lines[i] = ";".join(f)
        break
else:
    sys.exit("no row to move")
open(p, "w", encoding="utf-8").write("\n".join(lines))
PY
cp -r "$out" "$WORK/corr"
check "a correction runs" "$PROG" run --year 2025 --input "$WORK/in2" --output "$WORK/corr" --correct --issue-date 2025-03-01 --quiet
shown "$WORK/corr/2025/prislista-2025.xlsx" "after a correction"

# Years that are not in the repository (random_year.py; IP_LO_SEEDS to
# choose others): hostile names, odd fees, periods, a consolidation.
for seed in ${IP_LO_SEEDS:-11 42}; do
  $PY "$SRC/tests/e2e/random_year.py" make "$seed" "$WORK/rin$seed"
  if "$PROG" run --year 2025 --input "$WORK/rin$seed" --output "$WORK/rout$seed" --quiet; then
    shown "$WORK/rout$seed/2025/prislista-2025.xlsx" "random year $seed" "$WORK/rin$seed/2025/customers.csv"
  else
    fail "random year $seed: run"
  fi
done

# Every page of the sample year and of the corrected year, in the build
# folder.
pages="$(cd "$(dirname "$PROG")" && pwd)/workbook-pages"
for pair in "sample:$xlsx" "corrected:$WORK/corr/2025/prislista-2025.xlsx"; do
  tag=${pair%%:*} file=${pair#*:}
  rm -rf "$pages/$tag"
  mkdir -p "$pages/$tag"
  if lo "$pages/$tag" pdf "$file" && [ -s "$pages/$tag/prislista-2025.pdf" ]; then
    timeout 300 pdftoppm -r 80 -png "$pages/$tag/prislista-2025.pdf" "$pages/$tag/page"
    ok "$tag: $(ls "$pages/$tag"/page-*.png | wc -l) pages rendered to $pages/$tag"
  else
    fail "$tag: PDF export"; cat "$WORK/lo.log"
  fi
done

# 3. Printing: PDF, page 1 of every sheet as PNG.
pdfdir="${IP_KEEP_DIR:-$WORK/pdf}"
mkdir -p "$pdfdir"
if lo "$pdfdir" pdf "$xlsx" && [ -s "$pdfdir/prislista-2025.pdf" ]; then
  ok "LibreOffice printed the workbook to PDF"
else
  fail "PDF export"; cat "$WORK/lo.log"
fi
pdf="$pdfdir/prislista-2025.pdf"
if [ -s "$pdf" ]; then
  check "every sheet's page 1 rendered, no sheet wider than a page" \
    $PY "$SRC/tests/e2e/check_workbook_print.py" "$xlsx" "$pdf" "$pdfdir"
fi
finish
