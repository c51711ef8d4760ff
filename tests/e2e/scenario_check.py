#!/usr/bin/python3
"""Proposed tariffs for the scenario test (tests/e2e/test_scenario.sh) and an
independent check of what `internpris scenario` prints and writes.

    scenario_check.py make TARIFF DIR        writes DIR/{fee,equal,new,removed,
                                             window,fails,bad}.xml from TARIFF
    scenario_check.py prev INDIR FEES        writes a last year's fees.csv
    scenario_check.py text INDIR FEES OUT DECIDED PROPOSAL...
                                             checks the printed comparison OUT
    scenario_check.py zero XLSX COPY         COPY = XLSX with every cached
                                             formula value 0
    scenario_check.py book XLSX CSVDIR INDIR FEES NAME DECIDED PROPOSAL...
                                             checks the comparison workbook:
                                             LibreOffice's recalculation (CSV
                                             export of the zeroed copy in
                                             CSVDIR) against the cached values
                                             and every figure against the
                                             computation here
    scenario_check.py explain PROG EVERY INPUT OUTPUT DECIDED PROPOSAL...
                                             runs `explain --tariff` for every
                                             EVERY-th customer and checks each
                                             service's fees, difference and
                                             its split, and the totals
    scenario_check.py print XLSX PDF NAME PNGDIR
                                             every page of the printed
                                             workbook carries NAME, no sheet
                                             is wider than a page; each page
                                             rendered to PNGDIR

The expected fees are computed here from the raw files, not by the program:
the basis per service and customer by tests/e2e/random_year.py's reader of
the tariff and the CSV files, the fees by tests/gen_sample.py's allocation
(exact fractions, largest remainder, SPEC section 1). Every printed figure —
each fee, difference, per cent, the services' and customers' totals and
last year's — must be equal to the one computed here. The workbook's split
of each difference is computed here too: the fixed fee's part is the
proposed fixed fee allocated (by the same allocation) on the decided key and
basis minus the decided fee, the basis's part the rest.
"""

import copy
import csv
import glob
import os
import re
import subprocess
import sys
import zipfile
import xml.etree.ElementTree as ET
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, ".."))
import gen_sample  # noqa: E402  (the allocation)
import random_year  # noqa: E402  (the bases from the raw files)

YEAR = 2025


# --- the proposals ---------------------------------------------------------

def service(root, sid):
    return next(s for s in root.findall("service") if s.get("id") == sid)


def write(root, path):
    ET.ElementTree(root).write(path, encoding="UTF-8", xml_declaration=True)


def make(tariff, out):
    base = ET.parse(tariff).getroot()
    os.makedirs(out, exist_ok=True)

    t = copy.deepcopy(base)                      # a fee change
    service(t, "etjanst").set("fee", "260000")
    service(t, "kcp").set("fee", "1900001")
    write(t, os.path.join(out, "fee.xml"))

    t = copy.deepcopy(base)                      # an equal-part change
    service(t, "vaxel").find("key").set("equal-percent", "35")
    write(t, os.path.join(out, "equal.xml"))

    t = copy.deepcopy(base)                      # a new service (general cases of E-tjänst)
    new = copy.deepcopy(service(t, "etjanst"))
    new.set("id", "etjanst-gen")
    new.set("name", "E-tjänstsupport, generella ärenden")
    new.set("fee", "99999")
    new.find("basis").findall("match")[1].set("values", "generell")
    t.insert(list(t).index(service(t, "kcp")) + 1, new)
    acc = t.find("accounting")
    if acc is not None:
        post = ET.SubElement(acc, "posting")
        post.set("service", "etjanst-gen")
        post.set("revenue-account", "3631")
    write(t, os.path.join(out, "new.xml"))

    t = copy.deepcopy(base)                      # a removed service
    t.remove(service(t, "direkt"))
    acc = t.find("accounting")
    if acc is not None:
        acc.remove(next(p for p in acc.findall("posting") if p.get("service") == "direkt"))
    write(t, os.path.join(out, "removed.xml"))

    t = copy.deepcopy(base)                      # a window and a filter change, and a fee
    b = service(t, "direkt").find("basis")
    b.set("from", "2023-10-01")
    b.set("to", "2024-09-30")
    b.findall("match")[1].set("values", "inkommande")
    service(t, "direkt").set("fee", "3300000")
    service(t, "vaxel").find("basis").set("from", "2024-01-01")
    write(t, os.path.join(out, "window.xml"))

    t = copy.deepcopy(base)                      # cannot be allocated: no cases in the window
    b = service(t, "etjanst").find("basis")
    b.set("from", "2019-01-01")
    b.set("to", "2019-12-31")
    write(t, os.path.join(out, "fails.xml"))

    with open(tariff, encoding="utf-8") as f:    # a tariff error: a fee that is no number
        text = f.read()
    assert 'fee="600000"' in text
    with open(os.path.join(out, "bad.xml"), "w", encoding="utf-8") as f:
        f.write(text.replace('fee="600000"', 'fee="600 000"', 1))


# --- the independent computation -------------------------------------------

def fees_of(indir, tariff):
    """[(id, name, fixed fee, {customer: fee})] in the tariff's order."""
    root = ET.parse(tariff).getroot()
    out = []
    for sid, (s, w) in random_year.bases(indir, root).items():
        key = s.find("key")
        svc = {"fee": int(s.get("fee")), "key": key.get("method"),
               "equal_percent": int(key.get("equal-percent") or 0)}
        _, fees = gen_sample.allocate(svc, w) if svc["fee"] else ({}, {})
        out.append((sid, s.get("name"), svc["fee"], fees))
    return out


def register(indir):
    return [int(r["nr"]) for r in random_year.read_rows(os.path.join(indir, "customers.csv"))]


def prev(indir, path):
    """Last year's fees.csv: the decided fees less a tenth, rounded down, so
    that every change is visible."""
    rows = random_year.read_rows(os.path.join(indir, "customers.csv"))
    names = {int(r["nr"]): r["name"] for r in rows}
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";", lineterminator="\n")
        w.writerow(["year", "service", "customer", "name", "basis", "basis_total", "fee"])
        for sid, _, _, fees in fees_of(indir, os.path.join(indir, "tariff.xml")):
            for nr in sorted(names):
                w.writerow([YEAR - 1, sid, nr, names[nr], 0, 0, fees.get(nr, 0) * 9 // 10])


def read_prev(path):
    """{customer: last year's total} from a fees.csv."""
    tot = {}
    with open(path, encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter=";"):
            tot[int(r["customer"])] = tot.get(int(r["customer"]), 0) + int(r["fee"])
    return tot


def thousands(v):
    s = "{:,}".format(abs(v)).replace(",", " ")
    return "-" + s if v < 0 else s


def signed(v):
    return ("+" if v > 0 else "") + thousands(v)


def pct(diff, base):
    """diff in per cent of base, one decimal, halves away from zero."""
    if base == 0:
        return "–"
    q = abs(Fraction(diff * 100, base))
    tenths = (q * 10 + Fraction(1, 2)).__floor__()
    text = "%d,%d %%" % (tenths // 10, tenths % 10)
    return ("+" if diff > 0 else "-" if diff < 0 else "") + text


# --- the printed comparison ------------------------------------------------

def expected(indir, tariffs):
    """The scenario's services in order: (id, name, [fixed fee per tariff or
    None], [{customer: fee} per tariff])."""
    per = [fees_of(indir, t) for t in tariffs]
    order = []
    for p in per:
        for sid, name, _, _ in p:
            if sid not in [o[0] for o in order]:
                order.append((sid, name))
    out = []
    for sid, name in order:
        fixed, fees = [], []
        for p in per:
            hit = [x for x in p if x[0] == sid]
            fixed.append(hit[0][2] if hit else None)
            fees.append(hit[0][3] if hit else {})
        out.append((sid, name, fixed, fees))
    return out


def row_cells(line, n):
    """The cells of a table row: nr, name, then the decided amount and per
    proposal (fee, diff kr, diff %), then what follows (last year)."""
    nr, name = line[2:8].strip(), line[9:43].rstrip()
    cells = [line[43:56].strip()]
    pos = 56
    for _ in range(n - 1):
        cells += [line[pos:pos + 13].strip(), line[pos + 13:pos + 25].strip(),
                  line[pos + 25:pos + 35].strip()]
        pos += 35
    return nr, name, cells, line[pos:].strip()


def want_cells(vals):
    out = [thousands(vals[0])]
    for v in vals[1:]:
        out += [thousands(v), signed(v - vals[0]), pct(v - vals[0], vals[0])]
    return out


def text(indir, fees_csv, out_path, tariffs):
    lines = open(out_path, encoding="utf-8").read().split("\n")
    n = len(tariffs)
    nrs = register(indir)
    svcs = expected(indir, tariffs)
    errs = []
    checked = 0

    def expect(what, got, want):
        nonlocal checked
        checked += len(want) if isinstance(want, list) else 1
        if got != want:
            errs.append("%s: printed %r, expected %r" % (what, got, want))

    i = 0
    for sid, name, fixed, fees in svcs:
        head = "%s — %s" % (sid, name)
        if head not in lines:
            errs.append("no section '%s'" % head)
            continue
        i = lines.index(head)
        fx = lines[i + 1]
        for j, f in enumerate(fixed):
            want = "not in the tariff" if f is None else thousands(f) + " kr"
            expect("%s fixed fee %d" % (sid, j), want in fx.split(";")[j], True)
        rows = {}
        k = i + 3
        while not lines[k][2:8].strip() == "":
            nr, _, cells, _ = row_cells(lines[k], n)
            rows[int(nr)] = cells
            k += 1
        want_rows = {nr: [fees[j].get(nr, 0) for j in range(n)] for nr in nrs
                     if any(fees[j].get(nr, 0) for j in range(n))}
        expect("%s rows shown" % sid, sorted(rows), sorted(want_rows))
        for nr, vals in want_rows.items():
            expect("%s %d" % (sid, nr), rows.get(nr), want_cells(vals))
        _, label, cells, _ = row_cells(lines[k], n)
        expect("%s Totalt label" % sid, label, "Totalt")
        tot = [sum(fees[j].values()) for j in range(n)]
        expect("%s Totalt" % sid, cells, want_cells(tot))
        for j in range(n):
            expect("%s total = fixed fee %d" % (sid, j), tot[j], fixed[j] or 0)

    i = lines.index("per customer, every service")
    pv = read_prev(fees_csv) if fees_csv != "-" else None
    rows = {}
    k = i + 2
    while lines[k][2:8].strip() != "":
        nr, _, cells, rest = row_cells(lines[k], n)
        rows[int(nr)] = cells + [rest]
        k += 1
    want_rows, grand = {}, [0] * n
    for nr in nrs:
        vals = [sum(fees[j].get(nr, 0) for _, _, _, fees in svcs) for j in range(n)]
        p = pv.get(nr) if pv is not None else None
        for j in range(n):
            grand[j] += vals[j]
        if any(vals) or p:
            want_rows[nr] = want_cells(vals) + ["–" if p is None else thousands(p)]
    expect("customer rows shown", sorted(rows), sorted(want_rows))
    for nr, cells in want_rows.items():
        expect("customer %d" % nr, rows.get(nr), cells)
    nr, label, cells, rest = row_cells(lines[k], n)
    expect("customers' Totalt label", label, "Totalt")
    ptot = thousands(sum(pv.values())) if pv is not None else "–"
    expect("customers' Totalt", cells + [rest], want_cells(grand) + [ptot])
    fixed_sum = [sum(f[j] or 0 for _, _, f, _ in svcs) for j in range(n)]
    expect("customers' total = services' total", grand, fixed_sum)
    if errs:
        print("scenario_check: %d of %d figures differ, first: %s"
              % (len(errs), checked, "; ".join(errs[:5])), file=sys.stderr)
        return 1
    print("scenario_check: %d printed figures agree" % checked)
    return 0


# --- the workbook ----------------------------------------------------------

def zero(src, dst):
    n = 0
    with zipfile.ZipFile(src) as zi, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zo:
        for info in zi.infolist():
            data = zi.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                text, k = re.subn(r"(<f>[^<]*</f><v>)[^<]*(</v>)", r"\g<1>0\g<2>",
                                  data.decode("utf-8"))
                n += k
                data = text.encode("utf-8")
            zo.writestr(info, data)
    print("%d cached formula values zeroed" % n)
    return 0 if n > 100 else 1


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


def split_parts(indir, tariffs):
    """{(service, j, customer): fixed fee's part} computed here: the proposed
    fixed fee allocated on the decided key and basis, minus the decided fee
    (a new or removed service: all of the difference)."""
    roots = [ET.parse(t).getroot() for t in tariffs]
    dec = random_year.bases(indir, roots[0])
    out = {}
    for j, root in enumerate(roots[1:], start=1):
        pro = {s.get("id"): s for s in root.findall("service")}
        ids = list(dec) + [i for i in pro if i not in dec]
        for sid in ids:
            if sid in dec and sid in pro:
                s0, w0 = dec[sid]
                key = s0.find("key")
                f1 = int(pro[sid].get("fee"))
                d0 = {"fee": int(s0.get("fee")), "key": key.get("method"),
                      "equal_percent": int(key.get("equal-percent") or 0)}
                _, f0 = gen_sample.allocate(d0, w0) if d0["fee"] else ({}, {})
                c1 = dict(d0, fee=f1)
                _, cf = gen_sample.allocate(c1, w0) if f1 else ({}, {})
                for nr in set(f0) | set(cf):
                    out[(sid, j, nr)] = cf.get(nr, 0) - f0.get(nr, 0)
            else:
                out[(sid, j, None)] = "whole"
    return out


def book(xlsx, csvdir, indir, fees_csv, name, tariffs):
    import openpyxl
    n = len(tariffs)
    nrs = register(indir)
    svcs = expected(indir, tariffs)
    parts = split_parts(indir, tariffs)
    pv = read_prev(fees_csv) if fees_csv != "-" else None
    labels = ["Beslutad"] + (["Förslag"] if n == 2 else ["Förslag %d" % j for j in range(1, n)])
    errs = []
    checked = 0

    def expect(what, got, want):
        nonlocal checked
        checked += 1
        if isinstance(want, Fraction):
            ok = isinstance(got, float) and abs(got - float(want)) <= 1e-9 * max(1.0, abs(float(want)))
        else:
            ok = got == want
        if not ok:
            errs.append("%s: %r, expected %r" % (what, got, want))

    wf = openpyxl.load_workbook(xlsx)
    wv = openpyxl.load_workbook(xlsx, data_only=True)
    base = os.path.splitext(os.path.basename(xlsx))[0]
    lo = {}
    for ws in wf.worksheets:
        grid = {}
        with open(os.path.join(csvdir, "%s-%s.csv" % (base, ws.title)), encoding="utf-8",
                  newline="") as f:
            for r, row in enumerate(csv.reader(f, delimiter=";"), start=1):
                for c, t in enumerate(row, start=1):
                    grid[(r, c)] = lo_value(t)
        lo[ws.title] = grid
    # 1. every formula as LibreOffice recalculated it equals the cached value
    nform = 0
    for ws in wf.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type != "f":
                    continue
                nform += 1
                cached = wv[ws.title][cell.coordinate].value
                got = lo[ws.title].get((cell.row, cell.column))
                if not isinstance(got, float) or not isinstance(cached, (int, float)) or \
                        abs(got - cached) > 1e-9 * max(1.0, abs(cached)):
                    errs.append("%s!%s %s: LibreOffice %r, cached %r"
                                % (ws.title, cell.coordinate, cell.value, got, cached))
    expect("enough formulas", nform > 500, True)

    def table(grid):
        hr = next(r for (r, c), v in sorted(grid.items()) if c == 1 and v == "Nr")
        heads = [(c, v) for (r, c), v in sorted(grid.items()) if r == hr and c > 2]
        rows = {int(v): r for (r, c), v in grid.items() if c == 1 and r > hr and isinstance(v, float)}
        subs = sorted(r for (r, c), v in grid.items()
                      if c == 2 and isinstance(v, str) and v.startswith("Delsumma "))
        tot = next(r for (r, c), v in grid.items() if c == 2 and v == "Totalt" and r > hr)
        return hr, heads, rows, subs, tot

    def pct_of(diff, base):
        return Fraction(diff, base) if base else None

    def check_rows(sheet, grid, cols, value):
        """cols: [(header, kind, j)]; value(kind, j, nr) -> int or '–' or
        Fraction (per cent) or None (empty)."""
        hr, heads, rows, subs, tot = table(grid)
        expect("%s: headings" % sheet, [h for _, h in heads], [h for h, _, _ in cols])
        expect("%s: every customer" % sheet, sorted(rows), sorted(nrs))
        for (c, _), (h, kind, j) in zip(heads, cols):
            for nr, r in rows.items():
                want = value(kind, j, nr)
                got = grid.get((r, c))
                if isinstance(want, int):
                    want = float(want)
                expect("%s %d %s" % (sheet, nr, h), got, want)
            # Delsumma: the customers above; Totalt: all
            start = hr + 1
            acc_all = 0
            for sr in subs:
                group = [nr for nr, r in rows.items() if start < r < sr]
                vals = [value(kind, j, nr) for nr in group]
                start = sr + 1
                if kind in ("pct",):
                    continue
                if any(v == "–" for v in vals):
                    expect("%s Delsumma row %d %s" % (sheet, sr, h), grid.get((sr, c)), "–")
                    acc_all = None
                    continue
                ssum = sum(vals)
                expect("%s Delsumma row %d %s" % (sheet, sr, h), grid.get((sr, c)), float(ssum))
                if acc_all is not None:
                    acc_all += ssum
            if kind != "pct":
                expect("%s Totalt %s" % (sheet, h), grid.get((tot, c)),
                       "–" if acc_all is None else float(acc_all))
        return tot, heads

    # 2. Per kund
    def fee(sid_i, j, nr):
        return svcs[sid_i][3][j].get(nr, 0)

    def total(j, nr):
        return sum(fee(i, j, nr) for i in range(len(svcs)))

    def part(i, j, nr):
        sid = svcs[i][0]
        if (sid, j, None) in parts:
            return fee(i, j, nr) - fee(i, 0, nr)
        return parts.get((sid, j, nr), 0)

    cols = [("Beslutad %d" % YEAR, "total", 0)]
    for j in range(1, n):
        cols += [("%s %d" % (labels[j], YEAR), "total", j),
                 ("%s: skillnad kr" % labels[j], "diff", j),
                 ("%s: skillnad %%" % labels[j], "pct", j),
                 ("varav fast avgift", "part", j), ("varav fördelning", "rest", j)]
    cols.append(("Totalt %d" % (YEAR - 1), "prev", 0))

    def cust_value(kind, j, nr):
        if kind == "total":
            return total(j, nr)
        if kind == "diff":
            return total(j, nr) - total(0, nr)
        if kind == "pct":
            d, b = total(j, nr) - total(0, nr), total(0, nr)
            return pct_of(d, b) if b else (None if d == 0 else "–")
        if kind == "part":
            return sum(part(i, j, nr) for i in range(len(svcs)))
        if kind == "rest":
            return total(j, nr) - total(0, nr) - sum(part(i, j, nr) for i in range(len(svcs)))
        if kind == "prev":
            return "–" if pv is None else pv.get(nr, 0)
    check_rows("Per kund", lo["Per kund"], cols, cust_value)

    # 3. a sheet per service, found by its title
    titles = {ws.title: ws["A1"].value for ws in wf.worksheets}
    roots = [ET.parse(t).getroot() for t in tariffs]
    bases = [random_year.bases(indir, r) for r in roots]
    for i, (sid, sname, fixed, fees) in enumerate(svcs):
        sheet = next((t for t, a1 in titles.items() if a1 == sname), None)
        expect("a sheet for %s" % sid, sheet is not None, True)
        if sheet is None:
            continue
        cols = []
        for j in range(n):
            unit = bases[j][sid][0].find("basis").get("unit") if sid in bases[j] else "underlag"
            cols += [("%s: %s" % (labels[j], unit), "basis", j),
                     ("%s: avgift %d" % (labels[j], YEAR), "fee", j)]
            if j:
                cols += [("%s: skillnad kr" % labels[j], "diff", j),
                         ("%s: skillnad %%" % labels[j], "pct", j),
                         ("varav fast avgift", "part", j), ("varav fördelning", "rest", j)]

        def svc_value(kind, j, nr, i=i, sid=sid):
            if kind == "basis":
                return bases[j][sid][1].get(nr, 0) if sid in bases[j] else "–"
            if kind == "fee":
                return fee(i, j, nr)
            d, b = fee(i, j, nr) - fee(i, 0, nr), fee(i, 0, nr)
            if kind == "diff":
                return d
            if kind == "pct":
                return pct_of(d, b) if b else (None if d == 0 else "–")
            if kind == "part":
                return part(i, j, nr)
            if kind == "rest":
                return d - part(i, j, nr)
        check_rows(sheet, lo[sheet], cols, svc_value)
        text = " ".join(str(v) for (r, c), v in lo[sheet].items() if isinstance(v, str))
        for j in range(n):
            want = ("%s: fast avgift %s kr" % (labels[j], thousands(fixed[j]))
                    if fixed[j] is not None else "%s: tjänsten finns inte" % labels[j])
            expect("%s states %s" % (sheet, want), want in text, True)

    # 4. Tariffer: the fixed fees, their sums against Per kund, differences 0
    grid = lo["Tariffer"]
    rows = sorted((r, v) for (r, c), v in grid.items() if c == 2)
    for i, (sid, sname, fixed, _) in enumerate(svcs):
        r0 = next(r for (r, c), v in grid.items() if c == 1 and v == "%s (%s)" % (sname, sid))
        for j in range(n):
            expect("Tariffer %s fixed fee %d" % (sid, j), grid.get((r0 + 1, 3 + j)),
                   float(fixed[j] or 0))
    for label, want in (("Summa fasta avgifter", [sum(f[j] or 0 for _, _, f, _ in svcs) for j in range(n)]),
                        ("Summa i Per kund", [sum(total(j, nr) for nr in nrs) for j in range(n)]),
                        ("Differens", [0] * n)):
        r = next(r for r, v in rows if v == label)
        expect("Tariffer %s" % label, [grid.get((r, 3 + j)) for j in range(n)], [float(w) for w in want])
    for t in tariffs:
        expect("Tariffer names %s" % t, any(v == t or (isinstance(v, str) and v.endswith(t))
                                            for v in grid.values()), True)

    # 5. the name in every sheet's header and footer
    with zipfile.ZipFile(xlsx) as z:
        esc = name.replace("&", "&amp;&amp;").replace("<", "&lt;").replace(">", "&gt;")
        for f in sorted(z.namelist()):
            if f.startswith("xl/worksheets/sheet"):
                xml = z.read(f).decode("utf-8")
                expect("%s header" % f, "<oddHeader>&amp;C&amp;9%s</oddHeader>" % esc in xml, True)
                expect("%s footer" % f, ("— %s&amp;R" % esc) in xml, True)
    if errs:
        print("scenario_check book: %d of %d checks fail, first: %s"
              % (len(errs), checked, "; ".join(errs[:6])), file=sys.stderr)
        return 1
    print("scenario_check book: %d formulas recalculated, %d figures agree" % (nform, checked))
    return 0


def printed(xlsx, pdf, name, pngdir):
    import openpyxl
    info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    texts = [subprocess.run(["pdftotext", "-f", str(p), "-l", str(p), "-layout", pdf, "-"],
                            capture_output=True, text=True, check=True).stdout
             for p in range(1, pages + 1)]
    bad = 0
    for p, t in enumerate(texts, start=1):
        if name not in t:
            print("page %d: no %r" % (p, name))
            bad += 1
    sheets = openpyxl.load_workbook(xlsx, read_only=True).sheetnames
    for k, sheet in enumerate(sheets):
        mine = [p for p, t in enumerate(texts, start=1) if "%s — %s" % (sheet, name) in t]
        if not mine:
            print("sheet %r: no page with its footer" % sheet)
            bad += 1
            continue
        # one page wide: every page repeats the table's head, first and last heading
        need = ["Uppgift", "Förslag"] if sheet == "Tariffer" else ["Kund", "fördelning"]
        for p in mine:
            flat = " ".join(texts[p - 1].split())
            missing = [w for w in need if w not in flat]
            if missing:
                print("sheet %r page %d: no %s (wider than a page?)" % (sheet, p, missing))
                bad += 1
        safe = re.sub(r"[^0-9A-Za-zÅÄÖåäö-]+", "_", sheet).strip("_")
        for p in mine:
            subprocess.run(["timeout", "120", "pdftoppm", "-r", "60", "-png", "-singlefile",
                            "-f", str(p), "-l", str(p), pdf,
                            os.path.join(pngdir, "%02d-%s-p%d" % (k + 1, safe, p))], check=True)
        print("%s: pages %s" % (sheet, mine))
    return 1 if bad else 0


def explain(prog, every, inroot, outroot, tariffs):
    indir = os.path.join(inroot, str(YEAR))
    n = len(tariffs)
    nrs = register(indir)
    svcs = expected(indir, tariffs)
    parts = split_parts(indir, tariffs)
    labels = ["Beslutad"] + (["Förslag"] if n == 2 else ["Förslag %d" % j for j in range(1, n)])
    num = lambda t: int(t.replace(" ", "").replace("+", ""))
    errs, checked = [], 0

    def expect(what, got, want):
        nonlocal checked
        checked += 1
        if got != want:
            errs.append("%s: %r, expected %r" % (what, got, want))

    args = []
    for t in tariffs[1:]:
        args += ["--tariff", t]
    for nr in nrs[::every]:
        text = subprocess.run([prog, "explain", "--year", str(YEAR), "--customer", str(nr),
                               "--input", inroot, "--output", outroot] + args,
                              check=True, capture_output=True, text=True).stdout
        secs = text.split("\n== ")[1:]
        expect("%d: a section per service" % nr, [x.split(" ", 1)[0] for x in secs],
               [sid for sid, _, _, _ in svcs])
        tot_a = [0] * n
        for i, (sid, _, _, fees) in enumerate(svcs):
            sec = next((x for x in secs if x.startswith(sid + " ")), "")
            for j in range(1, n):
                f0, f1 = fees[0].get(nr, 0), fees[j].get(nr, 0)
                m = re.search(r"^%s − Beslutad: ([\d ]+) − ([\d ]+) = ([+-]?[\d ]+) kr \(" % labels[j],
                              sec, re.M)
                a = re.findall(r"^  \(a\) the fixed fee.*?([+-]?[\d ]+) kr$", sec, re.M)
                b = re.findall(r"^  \(b\) the key.*?([+-]?[\d ]+) kr$", sec, re.M)
                ab = re.findall(r"^  \(a\) \+ \(b\) = ([+-]?[\d ]+) kr$", sec, re.M)
                if not m or len(a) != n - 1 or len(b) != n - 1 or len(ab) != n - 1:
                    errs.append("%d %s: lines not found" % (nr, sid))
                    continue
                expect("%d %s %s fees" % (nr, sid, labels[j]), (num(m.group(1)), num(m.group(2))), (f1, f0))
                expect("%d %s %s difference" % (nr, sid, labels[j]), num(m.group(3)), f1 - f0)
                want_a = f1 - f0 if (sid, j, None) in parts else parts.get((sid, j, nr), 0)
                expect("%d %s %s (a)" % (nr, sid, labels[j]), num(a[j - 1].strip()), want_a)
                expect("%d %s %s (b)" % (nr, sid, labels[j]), num(b[j - 1].strip()), f1 - f0 - want_a)
                expect("%d %s %s (a)+(b)" % (nr, sid, labels[j]), num(ab[j - 1]), f1 - f0)
                tot_a[j] += want_a
        t0 = sum(f[0].get(nr, 0) for _, _, _, f in svcs)
        for j in range(1, n):
            t1 = sum(f[j].get(nr, 0) for _, _, _, f in svcs)
            m = re.search(r"^total %s: ([\d ]+) kr; difference ([+-]?[\d ]+) kr \(.*\) = \(a\) "
                          r"([+-]?[\d ]+) kr \+ \(b\) ([+-]?[\d ]+) kr$" % labels[j], text, re.M)
            if not m:
                errs.append("%d: no total line for %s" % (nr, labels[j]))
                continue
            expect("%d total %s" % (nr, labels[j]),
                   tuple(num(g) for g in m.groups()), (t1, t1 - t0, tot_a[j], t1 - t0 - tot_a[j]))
    if errs:
        print("scenario_check explain: %d of %d checks fail, first: %s"
              % (len(errs), checked, "; ".join(errs[:6])), file=sys.stderr)
        return 1
    print("scenario_check explain: %d checks agree" % checked)
    return 0


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "make":
        make(sys.argv[2], sys.argv[3])
    elif cmd == "prev":
        prev(sys.argv[2], sys.argv[3])
    elif cmd == "text":
        sys.exit(text(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]))
    elif cmd == "zero":
        sys.exit(zero(sys.argv[2], sys.argv[3]))
    elif cmd == "book":
        sys.exit(book(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[7:]))
    elif cmd == "explain":
        sys.exit(explain(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6:]))
    elif cmd == "print":
        sys.exit(printed(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]))
    else:
        sys.exit("unknown command " + cmd)
