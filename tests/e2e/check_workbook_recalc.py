"""The workbook as LibreOffice recalculated it, for test_workbook_lo.sh.

usage: check_workbook_recalc.py XLSX CSVDIR FEES TARIFF PREV_FEES|-

CSVDIR holds LibreOffice's CSV export (one file per sheet, raw values,
sv-SE) of a copy of XLSX whose cached formula values were zeroed, so every
formula value there is LibreOffice's own. Checks (1) every formula's
recalculated value against the value internpris cached in XLSX; (2) every
service sheet's fees, bases, last year's fees and changes, Delsumma and
Totalt against FEES (fees.csv), PREV_FEES (last year's, or - for none) and
the tariff's fixed fees; "Per kund" per customer and service; (3) every
difference on "Avstämning" is 0. Prints the mismatches (at most 30) and
exits 1 when there is one.
"""
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
label = {s.get("id"): s.get("short-name") or s.get("name") for s in tariff.iter("service")}
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
    # a heading may break over two lines ("Årsavgift\n2025"): compared as words
    return r, {" ".join(v.split()): c for (rr, c), v in grid.items() if rr == r and isinstance(v, str)}

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
    if grid.get((hr, col)) != label[sid]:
        err(f"Per kund: column {col} is {grid.get((hr, col))!r}, want {label[sid]!r}")
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
