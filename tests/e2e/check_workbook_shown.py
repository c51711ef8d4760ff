"""The workbook as a person reads it, for test_workbook_lo.sh.

usage: check_workbook_shown.py XLSX CSVDIR CUSTOMERS.csv

CSVDIR holds LibreOffice's CSV export of XLSX with every cell *as shown*
(number formats applied, Swedish locale). Checks what a controller with a
calculator would:

1. the locale: the grand total on "Per kund" reads like "6 014 000 kr"
   (space as thousands separator), not "6,014,000 kr";
2. no cell shows a negative zero ("-0 kr", "−0,0 %", "-0,00");
3. every name cell (column B of a row with a customer number) is the
   register's name exactly, with no marker or note typed into it;
4. the shown figures add up: on every service sheet each customer row's
   shown parts ("Lika del" + "Efter …") are its shown fee, each Delsumma
   the sum of the shown rows above it, Totalt the sum of the Delsumma rows,
   in every amount column; on "Per kund" each row's services add up to its
   shown total, and the Delsumma and Totalt rows to their parts;
5. the headings are frozen (the pane below the table's heading row) and
   every cell that shows "–" or "- kr" in a table is a number, not text.

Prints the mismatches (at most 40) and exits 1 when there is one.
"""
import csv, os, re, sys
import openpyxl

xlsx, csvdir, register = sys.argv[1:4]
errors = []


def err(msg):
    if len(errors) < 40:
        print("mismatch:", msg)
    errors.append(msg)


SPACES = "\u00a0\u202f\u2009 "


def norm(text):
    for ch in SPACES:
        text = text.replace(ch, " ")
    return text.replace("\u2212", "-").strip()


def amount(text):
    """A shown amount or count as an int: '40 196 kr', '+1 kr', '- kr', '–' -> 0; else None."""
    t = norm(text)
    if t in ("–", "- kr", "-", "") or re.fullmatch(r"ingår i [0-9]+", t):
        return 0  # "ingår i 110": a fee of 0, counted in another's (Per kund)
    m = re.fullmatch(r"([+-]?)([0-9]{1,3}(?: [0-9]{3})*)(?: kr)?", t)
    if not m:
        return None
    v = int(m.group(2).replace(" ", ""))
    return -v if m.group(1) == "-" else v


names = {}
with open(register, encoding="utf-8-sig", newline="") as f:
    text = f.read()
head = text.split("\n", 1)[0]
delim = max(";,\t", key=lambda d: (head.count(d), d == ";"))  # as the reader chooses
for r in csv.DictReader(text.splitlines(), delimiter=delim):
    if r.get("nr") and r["nr"].strip().isdigit():
        names[int(r["nr"])] = r["name"]

wb = openpyxl.load_workbook(xlsx)
base = os.path.splitext(os.path.basename(xlsx))[0]
shown = {}
for ws in wb.worksheets:
    path = os.path.join(csvdir, f"{base}-{ws.title}.csv")
    if not os.path.exists(path):
        err(f"no CSV for sheet {ws.title!r}")
        continue
    grid = {}
    with open(path, encoding="utf-8", newline="") as f:
        for r, row in enumerate(csv.reader(f, delimiter=";"), start=1):
            for c, text in enumerate(row, start=1):
                if text != "":
                    grid[(r, c)] = text
    shown[ws.title] = grid

# 2. No negative zero anywhere.
negzero = re.compile(r"-\s*0(?:[,.]0+)?\s*(?:%|kr)?")
for title, grid in shown.items():
    for (r, c), text in grid.items():
        if negzero.fullmatch(norm(text)):
            err(f"{title}!R{r}C{c}: shows a negative zero {text!r}")


def head_row(grid):
    rows = [r for (r, c), v in grid.items() if c == 1 and v == "Nr"]
    return rows[0] if rows else None


def heading(grid, hr):
    return {" ".join(norm(v).split()): c for (r, c), v in grid.items() if r == hr}


def label(grid, r):
    return norm(grid.get((r, 2), ""))


for ws in wb.worksheets:
    title = ws.title
    grid = shown.get(title)
    if grid is None or title == "Avstämning":
        continue
    if title == "Dokument":
        # its own heading row, frozen; the name beside each customer number
        hr = next((r for (r, c), v in grid.items() if c == 1 and v == "Dokument"), None)
        if hr is None or ws.freeze_panes != f"A{hr + 1}":
            err(f"Dokument: heading row {hr}, frozen at {ws.freeze_panes!r}")
            continue
        for (r, c), v in grid.items():
            if r > hr and c == 3 and re.fullmatch(r"[0-9]+", norm(v)):
                nr = int(norm(v))
                if grid.get((r, 4)) != names.get(nr):
                    err(f"Dokument row {r}: name {grid.get((r, 4))!r}, register {names.get(nr)!r}")
        continue
    hr = head_row(grid)
    if hr is None:
        err(f"{title}: no table heading 'Nr'")
        continue
    cols = heading(grid, hr)
    # 5. frozen headings
    want = f"A{hr + 1}" if title != "Per kund" else f"C{hr + 1}"
    if ws.freeze_panes != want:
        err(f"{title}: frozen at {ws.freeze_panes!r}, want {want!r} (below the heading row {hr})")
    last = max(r for r, _ in grid)
    # last year's columns show "–" for unknown: text, since it is no number
    years = sorted({int(y) for h in cols for y in re.findall(r"\b(20[0-9]{2})\b", h)})
    unknown_ok = {c for h, c in cols.items()
                  if len(years) > 1 and (str(years[0]) in h or h.startswith("Förändring"))}
    # 3. names; 5. a dash is a number
    for r in range(hr + 1, last + 1):
        nr = grid.get((r, 1))
        if nr is None or not re.fullmatch(r"[0-9]+", norm(nr)):
            continue
        nr = int(norm(nr))
        if nr not in names:
            err(f"{title} row {r}: customer {nr} is not in the register")
        elif grid.get((r, 2)) != names[nr]:
            err(f"{title} row {r}: name cell {grid.get((r, 2))!r}, register {names[nr]!r}")
        for (rr, c), text in grid.items():
            if rr == r and c not in unknown_ok and norm(text) in ("–", "- kr") and \
                    ws.cell(r, c).data_type not in ("n", "f"):
                err(f"{title}!{ws.cell(r, c).coordinate}: shows {text!r} but holds text")

    # 4. the shown figures add up
    if title == "Per kund":
        svc_cols = [c for h, c in sorted(cols.items(), key=lambda x: x[1])
                    if c > 2 and not h.startswith("Totalt") and not h.startswith("Förändring")
                    and h != "Kundgrupp"]
        tot_col = next((c for h, c in cols.items() if h.startswith("Totalt ") and c > 2), None)
        if tot_col is None:
            err("Per kund: no 'Totalt Y' column")
            continue
        svc_cols = [c for c in svc_cols if c < tot_col]
        amount_cols = svc_cols + [tot_col]
        rows = {}
        for r in range(hr + 1, last + 1):
            vals = {c: amount(grid.get((r, c), "")) for c in amount_cols}
            if None in vals.values():
                continue
            rows[r] = vals
            if grid.get((r, 1)) or label(grid, r).startswith(("Delsumma", "Totalt")):
                s = sum(vals[c] for c in svc_cols)
                if s != vals[tot_col]:
                    err(f"Per kund row {r}: services show {s} in all, Totalt shows {vals[tot_col]}")
        group_col = cols.get("Kundgrupp")
        subs = [r for r in rows if label(grid, r).startswith("Delsumma ")]
        for r in subs:
            g = norm(grid.get((r, group_col), "")) if group_col else None
            members = [rr for rr in rows if grid.get((rr, 1)) and norm(grid.get((rr, group_col), "")) == g]
            for c in amount_cols:
                s = sum(rows[rr][c] for rr in members)
                if s != rows[r][c]:
                    err(f"Per kund {label(grid, r)} col {c}: shows {rows[r][c]}, its customers {s}")
        tot = [r for r in rows if label(grid, r) == "Totalt"]
        for r in tot:
            for c in amount_cols:
                s = sum(rows[rr][c] for rr in subs)
                if s != rows[r][c]:
                    err(f"Per kund Totalt col {c}: shows {rows[r][c]}, the Delsumma rows {s}")
        if not subs or not tot:
            err("Per kund: no Delsumma or Totalt rows")
        # 1. the locale
        if tot:
            t = norm(grid.get((tot[0], tot_col), ""))
            if not re.fullmatch(r"[0-9]{1,3}( [0-9]{3})* kr", t):
                err(f"Per kund Totalt shows {grid.get((tot[0], tot_col))!r}: not the Swedish "
                    f"notation '1 234 567 kr' (is LibreOffice in sv_SE?)")
        continue

    fee_col = next((c for h, c in cols.items() if h.startswith("Årsavgift ")), None)
    eq_col = next((c for h, c in cols.items() if h.startswith("Lika del")), None)
    var_col = next((c for h, c in cols.items() if h.startswith("Efter ")), None)
    cnt_col = next((c for h, c in cols.items() if h.startswith("Antal ")), None)
    if fee_col is None or cnt_col is None:
        err(f"{title}: no fee or count column in {sorted(cols)}")
        continue
    amount_cols = [c for c in (cnt_col, eq_col, var_col, fee_col) if c]
    start, acc, subs = hr + 1, {c: 0 for c in amount_cols}, []
    for r in range(hr + 1, last + 1):
        lab = label(grid, r)
        is_cust = bool(grid.get((r, 1)) and re.fullmatch(r"[0-9]+", norm(grid[(r, 1)])))
        if not (is_cust or lab.startswith("Delsumma ") or lab == "Totalt"):
            continue
        vals = {c: amount(grid.get((r, c), "")) for c in amount_cols}
        if eq_col and var_col and vals[eq_col] is not None and vals[var_col] is not None:
            if vals[eq_col] + vals[var_col] != vals[fee_col]:
                err(f"{title} row {r} ({lab}): parts {grid.get((r, eq_col))!r} + "
                    f"{grid.get((r, var_col))!r} != fee {grid.get((r, fee_col))!r}")
        if is_cust:
            for c in amount_cols:
                if vals[c] is not None:
                    acc[c] += vals[c]
        elif lab.startswith("Delsumma "):
            for c in amount_cols:
                if vals[c] != acc[c]:
                    err(f"{title} {lab} col {c}: shows {grid.get((r, c))!r}, its rows {acc[c]}")
            subs.append(vals)
            acc = {c: 0 for c in amount_cols}
        else:
            for c in amount_cols:
                s = sum(v[c] for v in subs)
                if vals[c] != s:
                    err(f"{title} Totalt col {c}: shows {grid.get((r, c))!r}, the Delsumma rows {s}")
    if not subs:
        err(f"{title}: no Delsumma rows")

print(f"{len(shown)} sheets read as shown, {len(errors)} mismatches")
sys.exit(1 if errors else 0)
