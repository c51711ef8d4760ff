#!/usr/bin/python3
"""Proposed tariffs for the scenario test (tests/e2e/test_scenario.sh) and an
independent check of what `internpris scenario` prints and writes.

    scenario_check.py make TARIFF DIR        writes DIR/{fee,equal,new,removed,
                                             window,fails,bad}.xml from TARIFF
    scenario_check.py prev INDIR FEES        writes a last year's fees.csv
    scenario_check.py text INDIR FEES OUT DECIDED PROPOSAL...
                                             checks the printed comparison OUT

The expected fees are computed here from the raw files, not by the program:
the basis per service and customer by tests/e2e/random_year.py's reader of
the tariff and the CSV files, the fees by tests/gen_sample.py's allocation
(exact fractions, largest remainder, SPEC section 1). Every printed figure —
each fee, difference, per cent, the services' and customers' totals and
last year's — must be equal to the one computed here.
"""

import copy
import csv
import os
import sys
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


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "make":
        make(sys.argv[2], sys.argv[3])
    elif cmd == "prev":
        prev(sys.argv[2], sys.argv[3])
    elif cmd == "text":
        sys.exit(text(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]))
    else:
        sys.exit("unknown command " + cmd)
