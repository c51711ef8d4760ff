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
  timeout 300 "$SOFFICE" -env:UserInstallation="file://$profile" --headless --norestore \
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
  $PY - "$xlsx" "$csvdir" "$fees" "$SRC/input/2025/tariff.xml" "$prev" <<'PY'
import csv, glob, os, re, sys
import xml.etree.ElementTree as ET
import openpyxl
from openpyxl.utils import column_index_from_string

xlsx, csvdir, fees_path, tariff_path, prev_path = sys.argv[1:6]
errors = []
def err(msg):
    if len(errors) < 30:
        print("mismatch:", msg)
    errors.append(msg)

wf = openpyxl.load_workbook(xlsx)                  # formulas
wv = openpyxl.load_workbook(xlsx, data_only=True)  # cached values

def lo_value(text):
    """A raw value as LibreOffice (sv-SE) exports it: 123, 297345,13, 54,5575%."""
    t = text.strip()
    if t == "":
        return None
    m = re.fullmatch(r"(-?[0-9]+(?:,[0-9]+)?(?:E[-+]?[0-9]+)?)(%?)", t)
    if not m:
        return t
    v = float(m.group(1).replace(",", "."))
    return v / 100 if m.group(2) else v

# LibreOffice's values, by sheet and cell.
lo = {}
base = os.path.splitext(os.path.basename(xlsx))[0]
for ws in wf.worksheets:
    path = os.path.join(csvdir, f"{base}-{ws.title}.csv")
    if not os.path.exists(path):
        err(f"no CSV for sheet {ws.title!r}")
        continue
    grid = {}
    with open(path, encoding="utf-8", newline="") as f:
        for r, row in enumerate(csv.reader(f, delimiter=";"), start=1):
            for c, text in enumerate(row, start=1):
                grid[(r, c)] = lo_value(text)
    lo[ws.title] = grid

# 1. Every formula: LibreOffice's value = the cached value.
nform = nonzero = 0
for ws in wf.worksheets:
    grid = lo.get(ws.title, {})
    for row in ws.iter_rows():
        for cell in row:
            if cell.data_type != "f":
                continue
            nform += 1
            cached = wv[ws.title][cell.coordinate].value
            got = grid.get((cell.row, cell.column))
            if not isinstance(got, float) or not isinstance(cached, (int, float)):
                err(f"{ws.title}!{cell.coordinate} {cell.value}: LibreOffice {got!r}, cached {cached!r}")
                continue
            if cached != 0:
                nonzero += 1
            whole = float(cached).is_integer()
            if (whole and got != cached) or abs(got - cached) > 1e-9 * max(1.0, abs(cached)):
                err(f"{ws.title}!{cell.coordinate} {cell.value}: LibreOffice {got!r}, cached {cached!r}")
print(f"{nform} formulas recalculated by LibreOffice, {nonzero} of them non-zero")
if nform < 100 or nonzero < 50:
    err("too few formulas to prove a recalculation")

# 2. fees.csv and the tariff.
tariff = ET.parse(tariff_path).getroot()
year = int(tariff.get("year"))
services = [(s.get("id"), s.get("name"), int(s.get("fee"))) for s in tariff.iter("service")]
previous_fee = {s.get("id"): int(s.get("previous-fee")) for s in tariff.iter("service")}
prev = {}
if prev_path != "-":
    for r in csv.DictReader(open(prev_path, encoding="utf-8"), delimiter=";"):
        prev[(r["service"], int(r["customer"]))] = int(r["fee"])
prev_services = {s for s, _ in prev}

def want_prev(sid, nr):
    """Last year's fee as the run must show it (SPEC 3; fees.c): '–' unknown."""
    if prev_path == "-":
        return "–"
    if sid in prev_services:
        return float(prev.get((sid, nr), 0))
    return 0.0 if previous_fee[sid] == 0 else "–"
fees, basis, total = {}, {}, {}
for r in csv.DictReader(open(fees_path, encoding="utf-8"), delimiter=";"):
    fees[(r["service"], int(r["customer"]))] = int(r["fee"])
    basis[(r["service"], int(r["customer"]))] = int(r["basis"])
    total[r["service"]] = int(r["basis_total"])

def find(grid, text, col=None):
    for (r, c), v in sorted(grid.items()):
        if v == text and (col is None or c == col):
            return r, c
    return None

def header(grid):
    r, _ = find(grid, "Nr", 1)
    return r, {v: c for (rr, c), v in grid.items() if rr == r and isinstance(v, str)}

names = {ws.title: ws["A1"].value for ws in wf.worksheets}
for sid, name, fixed in services:
    sheet = next((t for t, a1 in names.items() if a1 == name), None)
    if sheet is None:
        err(f"no sheet titled {name!r}")
        continue
    grid = lo[sheet]
    hr, cols = header(grid)
    fee_col = cols.get(f"Årsavgift {year}")
    prev_col = cols.get(f"Årsavgift {year - 1}")
    chg_col = cols.get("Förändring kr")
    cnt_col = next((c for h, c in cols.items() if h.startswith("Antal ")), None)
    if not fee_col or not cnt_col:
        err(f"{sheet}: no fee or count column in {sorted(cols)}")
        continue
    seen = set()
    for (r, c), v in grid.items():
        if c != 1 or r <= hr or not isinstance(v, float):
            continue
        nr = int(v)
        seen.add(nr)
        if grid.get((r, fee_col)) != fees.get((sid, nr)):
            err(f"{sheet} {nr}: fee {grid.get((r, fee_col))!r}, fees.csv {fees.get((sid, nr))!r}")
        wp = want_prev(sid, nr)
        if grid.get((r, prev_col)) != wp:
            err(f"{sheet} {nr}: last year {grid.get((r, prev_col))!r}, want {wp!r}")
        elif wp != "–" and (wp or fees[(sid, nr)]) and grid.get((r, chg_col)) != fees[(sid, nr)] - wp:
            err(f"{sheet} {nr}: change {grid.get((r, chg_col))!r}, want {fees[(sid, nr)] - wp}")
        shown = grid.get((r, cnt_col))
        want = basis.get((sid, nr))
        if isinstance(shown, float) and shown != want:
            err(f"{sheet} {nr}: basis {shown!r}, fees.csv {want!r}")
        if not isinstance(shown, float) and want:
            err(f"{sheet} {nr}: basis shown as {shown!r}, fees.csv {want!r}")
    want_nrs = {nr for (s, nr) in fees if s == sid}
    if seen != want_nrs:
        err(f"{sheet}: customers {sorted(seen ^ want_nrs)} differ from fees.csv")
    tr = find(grid, "Totalt", 2)
    if not tr or grid.get((tr[0], fee_col)) != fixed or grid.get((tr[0], cnt_col)) != total[sid]:
        err(f"{sheet}: Totalt {tr and grid.get((tr[0], fee_col))!r} / {tr and grid.get((tr[0], cnt_col))!r}, "
            f"want {fixed} / {total[sid]}")
    # Delsumma rows: the sum of the customer rows above them in the group.
    subs = sorted(r for (r, c), v in grid.items() if c == 2 and isinstance(v, str) and v.startswith("Delsumma "))
    start, acc = hr + 1, 0
    for sr in subs:
        acc_g = sum(fees[(sid, int(grid[(r, 1)]))] for r in range(start, sr)
                    if isinstance(grid.get((r, 1)), float))
        if grid.get((sr, fee_col)) != acc_g:
            err(f"{sheet} row {sr}: Delsumma {grid.get((sr, fee_col))!r}, customers sum {acc_g}")
        acc += acc_g
        start = sr + 1
    if acc != fixed:
        err(f"{sheet}: Delsumma rows sum to {acc}, fixed fee {fixed}")

# Per kund: every customer, every service.
grid = lo["Per kund"]
hr = find(grid, "Nr", 1)[0]
for i, (sid, name, fixed) in enumerate(services):
    col = 3 + i
    if grid.get((hr, col)) != name:
        err(f"Per kund: column {col} is {grid.get((hr, col))!r}, want {name!r}")
    for (r, c), v in grid.items():
        if c == 1 and r > hr and isinstance(v, float):
            if grid.get((r, col)) != fees[(sid, int(v))]:
                err(f"Per kund {int(v)} {sid}: {grid.get((r, col))!r}, fees.csv {fees[(sid, int(v))]}")
    tr = find(grid, "Totalt", 2)
    if grid.get((tr[0], col)) != fixed:
        err(f"Per kund Totalt {sid}: {grid.get((tr[0], col))!r}, want {fixed}")
tcol = 3 + len(services)
for (r, c), v in grid.items():
    if c == 1 and r > hr and isinstance(v, float):
        want = sum(fees[(sid, int(v))] for sid, _, _ in services)
        if grid.get((r, tcol)) != want:
            err(f"Per kund {int(v)}: total {grid.get((r, tcol))!r}, want {want}")
        p = [want_prev(sid, int(v)) for sid, _, _ in services]
        wp = "–" if "–" in p else sum(p)
        if grid.get((r, tcol + 1)) != wp:
            err(f"Per kund {int(v)}: last year's total {grid.get((r, tcol + 1))!r}, want {wp!r}")
if grid.get((find(grid, "Totalt", 2)[0], tcol)) != sum(f for _, _, f in services):
    err("Per kund: grand total")

# Avstämning: every difference is 0.
grid = lo["Avstämning"]
hr = find(grid, "Tjänst", 1)[0]
for (r, c), v in grid.items():
    if r > hr and grid.get((hr, c)) == "Differens" and isinstance(v, float) and v != 0:
        err(f"Avstämning row {r}: difference {v}")
print(f"{len(errors)} mismatches")
sys.exit(1 if errors else 0)
PY
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
    $PY - "$xlsx" "$pdf" "$pdfdir" <<'PY'
import os, re, subprocess, sys
import openpyxl
xlsx, pdf, outdir = sys.argv[1:4]
info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True).stdout
pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
footers = []
for p in range(1, pages + 1):
    text = subprocess.run(["pdftotext", "-f", str(p), "-l", str(p), "-layout", pdf, "-"],
                          capture_output=True, text=True, check=True).stdout
    footers.append(text)
bad = 0
sheets = openpyxl.load_workbook(xlsx, read_only=True).sheetnames
for i, name in enumerate(sheets):
    mark = f"{name} — prislista"
    mine = [p for p, t in enumerate(footers, start=1) if mark in t]
    if not mine:
        print(f"sheet {name!r}: no page with footer {mark!r}")
        bad += 1
        continue
    first = mine[0]
    safe = re.sub(r"[^0-9A-Za-zÅÄÖåäö-]+", "_", name).strip("_")
    png = os.path.join(outdir, f"{i + 1:02d}-{safe}")
    subprocess.run(["timeout", "120", "pdftoppm", "-r", "60", "-png", "-singlefile",
                    "-f", str(first), "-l", str(first), pdf, png], check=True)
    # Fit to one page wide: every page repeats the table's header row, so a
    # sheet split across would leave pages without its first or last heading.
    need = ["Tjänst", "bortfiltrerade"] if name == "Avstämning" else ["Kund", "Förändring"]
    for p in mine:
        flat = " ".join(footers[p - 1].split())
        missing = [w for w in need if w not in flat]
        if missing:
            print(f"sheet {name!r} page {p}: no {missing} (wider than one page?)")
            bad += 1
    print(f"{name}: {len(mine)} page(s) from page {first}, {png}.png")
sys.exit(1 if bad else 0)
PY
fi
finish
