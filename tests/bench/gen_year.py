#!/usr/bin/python3
"""Input years of any size for the document benchmark (tests/bench/docs.sh).

    gen_year.py make --customers N --periods P [--services S] [--seed S]
                     [--changed K] --out ROOT
    gen_year.py proposal --input ROOT --percent P --out FILE
    gen_year.py check --input ROOT --output OUT

make writes ROOT/2025/{tariff.xml,customers.csv,cases.csv,calls.csv,
licences.csv}: N customers (101 and 110 always among them, for the sample
tariff's consolidation; about 60 % departments with the city's org nr
212000-0142, the rest companies with their own valid org nr), invoiced in P
periods (1, 4 or 12). The tariff is the sample year's (tests/gen_sample.py:
the four services, their fees, windows, filters and the consolidation) with
`<invoicing periods="P">`. The statistics are small next to the documents: a
few dozen cases, thirteen monthly switchboard rows and three licence
readings per customer, with rows outside the windows and in other queues;
about 90 % of the customers have a fee. The same arguments always write
byte-identical files (standard library, fixed seeds).

--services S (default 4, the sample's four) adds S - 4 services to the
tariff, for the workbook and tariff benchmark (tests/bench/scale.sh): in
turn a count of cases with other queue and kind filters and windows, a
switchboard service (equal-and-proportional, 10-40 % equal), a licence
snapshot (value column), a count of cases with a kind filter only, and
another switchboard window; every second one consolidates N/50 customers
(into three heads, and a chain of three links ending in one of them), and
every tenth (the second, the twelfth, …) N/10 customers in pairs, each
into a customer of its own. Each
has its <posting>. The statistics are the same bytes at any S; with S = 4
the year is byte-identical to one made without the option.

proposal writes a copy of ROOT's tariff with every fixed fee scaled by
P percent (rounded down to whole kronor), for `scenario --tariff`.

--changed K writes the same year with K customers' E-tjänstsupport cases
handed to other customers: K pairs (a, b) where up to three of a's incoming
cases in the window become b's. Every other byte is the same, so a run on it
after a run on the unchanged year is a correction whose fees move for those
customers (and, through the remainders, perhaps a few more).

check compares OUT/2025/fees.csv with an independent computation from the
raw files: the basis per service and customer read from the tariff and the
CSV files (tests/e2e/random_year.py's reader), the fee by exact fractions
and the largest remainder (tests/gen_sample.py's allocation, SPEC section
1). Every fee must be equal, not merely within 1 kr. It also checks that
ledger.csv's net, per customer and service over all documents (credit notes
negative), equals the fee, and prints the number of documents.
"""

import argparse
import csv
import decimal
import os
import functools
import random
import re
import sys
import xml.etree.ElementTree as ET

# IP_GEN_TESTS names another tests/ folder to take the sample tariff and the
# reader from: docs.sh --rev sets it to that commit's, so that an older
# program gets the tariff it knows.
TESTS = os.environ.get("IP_GEN_TESTS") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, TESTS)
sys.path.insert(0, os.path.join(TESTS, "e2e"))
import gen_sample  # noqa: E402  (the sample tariff, check digits, allocation)
import random_year  # noqa: E402  (the reader of the raw files by the tariff)

# Each statistics file read once, however many services take their basis
# from it (the rows are not changed by the reader of the bases).
random_year.read_rows = functools.lru_cache(maxsize=None)(random_year.read_rows)

YEAR = gen_sample.YEAR
WINDOW_CASES = gen_sample.WINDOW_CASES
WINDOW_CALLS = gen_sample.WINDOW_CALLS
SNAPSHOT = gen_sample.SNAPSHOT

DEPT_WORDS = ["förvaltning", "nämnd", "kontor", "stadsdelsförvaltning", "enhet"]
COMPANY_WORDS = ["Bostäder AB", "Fastigheter AB", "Energi AB", "Hamn AB", "Stiftelsen",
                 "Parkering AB", "Vatten & Avfall AB"]
PLACES = ["Kungsholmen", "Södermalm", "Östermalm", "Bromma", "Skärholmen", "Farsta",
          "Hässelby", "Älvsjö", "Spånga", "Enskede", "Vällingby", "Norrmalm"]
STREETS = ["Fleminggatan", "Hantverkargatan", "Götgatan", "Sveavägen", "Ringvägen",
           "Karlavägen", "Drottninggatan", "Sankt Eriksgatan"]
SUBJECTS = ["Allmän fråga", "Synpunkt", "Öppettider", "Felanmälan", "Bygglov",
            "Förskolekö", "Parkering", 'Fråga om "avgift"; faktura']


def tariff(periods, extra=None):
    x = gen_sample.tariff_xml()
    x = x.replace("written by tests/gen_sample.py", "written by tests/bench/gen_year.py")
    old = 'number-prefix="KC"'
    assert x.count(old) == 1 and "periods=" not in x
    x = x.replace(old, 'number-prefix="KC" periods="%d"' % periods)
    if extra:
        services, accounts, postings = extra
        anchor = "\n  <!-- Internal postings"
        assert x.count(anchor) == 1
        x = x.replace(anchor, services + anchor)
        anchor = '    <posting '
        x = x.replace(anchor, accounts + anchor, 1)
        anchor = '  </accounting>'
        assert x.count(anchor) == 1
        x = x.replace(anchor, postings + anchor)
    return x


# The extra services' shapes, in turn: (file, date column, window or
# snapshot, value column, unit, matches, equal percent or None).
CASE_FILTERS = [
    [("queue", "E-tjänstsupport"), ("kind", "inkommande,generell")],
    [("queue", "Stockholm Direkt"), ("kind", "inkommande")],
    [("queue", "Stockholm Direkt,E-tjänstsupport"), ("kind", "generell,utgående,intern")],
    [("queue", "Stockholm Direkt"), ("kind", "generell")],
]
CASE_WINDOWS = [("2023-07-01", "2024-06-30"), ("2023-09-01", "2024-06-30"),
                ("2023-07-01", "2024-03-31"), ("2023-10-01", "2024-05-31")]
CALL_WINDOWS = [("2023-08-01", "2024-07-31"), ("2023-09-01", "2024-08-31"),
                ("2024-01-01", "2024-06-30")]
SERVICE_WORDS = ["Ärendestöd", "Kundtjänst", "Växeltjänst", "Licensförvaltning", "Handläggning",
                 "Telefonikö", "Chattstöd", "Kunskapsbank", "Samtalsinspelning", "Felanmälan"]


def extra_services(rng, nrs, count):
    """count more services for the tariff: (services XML, accounts XML,
    postings XML)."""
    sv, acc, post = [], [], []
    cons = max(1, len(nrs) // 50)
    for i in range(count):
        sid = "t%02d" % (i + 5)
        shape = i % 5
        word = SERVICE_WORDS[i % len(SERVICE_WORDS)]
        name = "%s %02d" % (word, i + 5)
        fee = rng.randrange(50000, 2000000)
        prev = rng.choice([0, fee, fee - rng.randrange(0, 40000)])
        o = ['', '  <service id="%s" name="%s" fee="%d" previous-fee="%d">' % (sid, name, fee, prev),
             "    <description>%s: en fast grundavgift fördelad efter underlaget "
             "(tjänst %d i belastningstestet).</description>" % (name, i + 5)]
        equal = None
        if shape in (0, 3):
            m = CASE_FILTERS[(i // 5) % len(CASE_FILTERS)]
            if shape == 3:
                m = [("kind", "inkommande")]
            w = CASE_WINDOWS[(i // 5) % len(CASE_WINDOWS)]
            b = '    <basis file="cases.csv" date-column="date" from="%s" to="%s" unit="ärenden"' % w
        elif shape in (1, 4):
            m = []
            w = CALL_WINDOWS[(i // 5) % len(CALL_WINDOWS)]
            b = '    <basis file="calls.csv" date-column="started_at" from="%s" to="%s" unit="anrop"' % w
            equal = 10 + 5 * ((i // 5) % 7)
        else:
            m = []
            snap = gen_sample.LICENCE_DATES[(i // 5) % len(gen_sample.LICENCE_DATES)]
            b = ('    <basis file="licences.csv" date-column="date" snapshot="%s"'
                 ' value-column="licences" unit="licenser"' % snap)
        if m:
            o.append(b + ">")
            for col, vals in m:
                o.append('      <match column="%s" values="%s"/>' % (col, gen_sample.xml_attr(vals)))
            o.append("    </basis>")
        else:
            o.append(b + "/>")
        if equal is None:
            o.append('    <key method="proportional"/>')
        else:
            o.append('    <key method="equal-and-proportional" equal-percent="%d"/>' % equal)
        if i % 10 == 1 and len(nrs) >= 12:
            # N/10 pairs: as many customers others are counted in, each
            # with its own marker and footnote on the sheet
            pick = rng.sample(nrs, 2 * max(1, len(nrs) // 10))
            for a, into in zip(pick[0::2], pick[1::2]):
                o.append('    <consolidate from="%d" into="%d"/>' % (a, into))
        elif i % 2 == 1 and len(nrs) >= 12:
            pick = rng.sample(nrs, min(len(nrs) - 1, cons + 6))
            heads, rest = pick[:3], pick[3:]
            chain = rest[:3]
            for k, a in enumerate(rest[3:]):
                o.append('    <consolidate from="%d" into="%d"/>' % (a, heads[k % 3]))
            for a, into in zip(chain, chain[1:] + [heads[0]]):
                o.append('    <consolidate from="%d" into="%d"/>' % (a, into))
        o.append("  </service>")
        sv.extend(o)
        revenue = "3%03d" % (700 + i)
        acc.append('    <account number="%s" name="Interna intäkter, %s"/>\n' % (revenue, name.lower()))
        post.append('    <posting service="%s" revenue-account="%s"/>\n' % (sid, revenue))
    return "\n".join(sv) + "\n", "".join(acc), "".join(post)


def customers(rng, n):
    nrs = set(rng.sample(range(111, 100000), n - 2)) | {101, 110}
    used = {"2120000142"}
    out = []
    for nr in sorted(nrs):
        dept = nr in (101, 110) or rng.random() < 0.6
        place = rng.choice(PLACES)
        if dept:
            name = "%s %s %d" % (place, rng.choice(DEPT_WORDS), nr)
            org = gen_sample.CITY_ORG_NR
        else:
            name = "%s %s %d" % (place, rng.choice(COMPANY_WORDS), nr)
            org = gen_sample.org_nr(rng, "556", used)
        street = "" if rng.random() < 0.05 else "%s %d" % (rng.choice(STREETS), rng.randint(1, 120))
        out.append([nr, name, "forvaltning" if dept else "bolag", org, "%d-KC" % nr, street,
                    "%03d %02d" % (rng.randint(100, 199), rng.randint(10, 99)), "Stockholm"])
    return out


def day(rng, first, last):
    a, b = gen_sample.d(first), gen_sample.d(last)
    return a + gen_sample.dt.timedelta(days=rng.randrange((b - a).days + 1))


def cases(rng, nrs):
    """[date, customer, queue, kind, subject] rows, unsorted."""
    rows = []
    for nr in nrs:
        if rng.random() < 0.7:  # E-tjänstsupport: incoming count, others do not
            for _ in range(rng.randint(1, 8)):
                rows.append([day(rng, *WINDOW_CASES), nr, "E-tjänstsupport", "inkommande"])
            for _ in range(rng.randint(0, 2)):
                rows.append([day(rng, *WINDOW_CASES), nr, "E-tjänstsupport",
                             rng.choice(["generell", "utgående"])])
        if rng.random() < 0.85:  # Stockholm Direkt: incoming and general count
            for _ in range(rng.randint(2, 20)):
                rows.append([day(rng, *WINDOW_CASES), nr, "Stockholm Direkt",
                             rng.choice(["inkommande", "inkommande", "generell"])])
            rows.append([day(rng, *WINDOW_CASES), nr, "Stockholm Direkt", "intern"])
            rows.append([day(rng, "2023-06-01", "2023-06-30"), nr, "Stockholm Direkt",
                         "inkommande"])  # outside the window
        if rng.random() < 0.1:
            rows.append([day(rng, "2023-06-01", "2024-07-31"), nr, "Felanmälan", "inkommande"])
    for r in rows:
        r.append(rng.choice(SUBJECTS))
    return rows


def numbered(rows, rng):
    keyed = sorted(((r[0], rng.random(), r) for r in rows), key=lambda t: (t[0], t[1]))
    out, seq, year = [], 0, None
    for x, _, r in keyed:
        if x.year != year:
            year, seq = x.year, 0
        seq += 1
        out.append(["KC-%d-%07d" % (x.year, seq), x.isoformat()] + r[1:])
    return out


def calls(rng, nrs):
    """Monthly switchboard counts, July 2023 to August 2024 (the first and
    the last month outside the window), for about half the customers."""
    months = [(2023, m) for m in range(7, 13)] + [(2024, m) for m in range(1, 9)]
    users = [nr for nr in nrs if rng.random() < 0.5]
    rows = []
    for y, m in months:
        for nr in users:
            rows.append(["%d-%02d-01T00:00" % (y, m), nr, rng.randint(0, 4000)])
    return rows


def licences(rng, nrs):
    rows = []
    held = {nr: rng.randint(1, 60) for nr in nrs if rng.random() < 0.75}
    for date in gen_sample.LICENCE_DATES:
        for nr, k in held.items():
            rows.append([date, nr, max(0, k + rng.randint(-3, 3))])
    return rows


def change(rng, rows, nrs, k):
    """Hands up to three of a's incoming E-tjänstsupport cases in the window
    to b, for k customers a that have some; returns the pairs."""
    have = sorted({r[1] for r in rows if r[2] == "E-tjänstsupport" and r[3] == "inkommande"})
    pairs = []
    for a in rng.sample(have, min(k, len(have))):
        b = rng.choice([x for x in nrs if x != a])
        moved = 0
        for r in rows:
            if r[1] == a and r[2] == "E-tjänstsupport" and r[3] == "inkommande" and moved < 3:
                r[1] = b
                moved += 1
        pairs.append((a, b))
    return pairs


def make(a):
    if a.customers < 2:
        sys.exit("gen_year.py: expected --customers 2 or more, found %d" % a.customers)
    if a.services < 4:
        sys.exit("gen_year.py: expected --services 4 or more, found %d" % a.services)
    if a.periods not in (1, 4, 12):
        sys.exit("gen_year.py: expected --periods 1, 4 or 12, found %d" % a.periods)
    out = os.path.join(a.out, str(YEAR))
    os.makedirs(out, exist_ok=True)
    base = a.seed * 1000
    cust = customers(random.Random(base + 1), a.customers)
    nrs = [c[0] for c in cust]
    rows = cases(random.Random(base + 2), nrs)
    if a.changed:
        pairs = change(random.Random(base + 9), rows, nrs, a.changed)
        print("changed: %s" % " ".join("%d->%d" % p for p in pairs), file=sys.stderr)
    with open(os.path.join(out, "tariff.xml"), "w", encoding="utf-8", newline="") as f:
        extra = None
        if a.services > 4:
            extra = extra_services(random.Random(base + 6), nrs, a.services - 4)
        f.write(tariff(a.periods, extra))
    gen_sample.write_csv(os.path.join(out, "customers.csv"),
                         ["nr", "name", "group", "org_nr", "reference", "street", "postcode",
                          "city"], cust)
    gen_sample.write_csv(os.path.join(out, "cases.csv"),
                         ["case_id", "date", "customer", "queue", "kind", "subject"],
                         numbered(rows, random.Random(base + 3)))
    gen_sample.write_csv(os.path.join(out, "calls.csv"), ["started_at", "customer", "count"],
                         calls(random.Random(base + 4), nrs))
    gen_sample.write_csv(os.path.join(out, "licences.csv"), ["date", "customer", "licences"],
                         licences(random.Random(base + 5), nrs))


def proposal(a):
    """The tariff with every fee scaled by a.percent %, rounded down."""
    src = open(os.path.join(a.input, str(YEAR), "tariff.xml"), encoding="utf-8").read()
    out = re.sub(r'(<service id="[^"]*" name="[^"]*"(?: short-name="[^"]*")? fee=")(\d+)"',
                 lambda m: '%s%d"' % (m.group(1), int(m.group(2)) * a.percent // 100), src)
    assert out.count("<service ") == src.count("<service ")
    with open(a.out, "w", encoding="utf-8", newline="") as f:
        f.write(out)
    return 0


def expected_fees(indir):
    """{service: {customer: fee}} for every customer with basis > 0, from the
    raw files, exactly."""
    t = ET.parse(os.path.join(indir, "tariff.xml")).getroot()
    out = {}
    for sid, (s, w) in random_year.bases(indir, t).items():
        key = s.find("key")
        svc = {"fee": int(s.get("fee")), "key": key.get("method"),
               "equal_percent": int(key.get("equal-percent") or 0)}
        _, fees = gen_sample.allocate(svc, w)
        out[sid] = fees
    return out


def check(a):
    indir = os.path.join(a.input, str(YEAR))
    ydir = os.path.join(a.output, str(YEAR))
    want = expected_fees(indir)
    got = {}
    for r in csv.DictReader(open(os.path.join(ydir, "fees.csv"), encoding="utf-8"), delimiter=";"):
        got.setdefault(r["service"], {})[int(r["customer"])] = int(r["fee"])
    bad = []
    for sid in sorted(set(want) | set(got)):
        w, g = want.get(sid, {}), got.get(sid, {})
        for nr in sorted(set(w) | set(g)):
            if w.get(nr, 0) != g.get(nr, 0):
                bad.append("%s %d: fees.csv %s, expected %d" % (sid, nr, g.get(nr), w.get(nr, 0)))
    owed = {}
    for sid, f in want.items():
        for nr, v in f.items():
            if v:
                owed[(nr, sid)] = decimal.Decimal(v)
    net, docs = {}, set()
    for r in csv.DictReader(open(os.path.join(ydir, "ledger.csv"), encoding="utf-8"), delimiter=";"):
        k = (int(r["customer"]), r["service"])
        net[k] = net.get(k, 0) + decimal.Decimal(r["net"])
        docs.add(r["number"])
    net = {k: v for k, v in net.items() if v}
    if net != owed:
        diff = sorted(set(net.items()) ^ set(owed.items()))[:5]
        bad.append("ledger.csv net per customer and service differs from the fees: %s" % diff)
    nfees = sum(len(f) for f in want.values())
    if bad:
        print("gen_year.py check: %d disagreements, first: %s" % (len(bad), "; ".join(bad[:5])),
              file=sys.stderr)
        return 1
    print("fees agree: %d fees of %d services, %d documents in ledger.csv"
          % (nfees, len(want), len(docs)))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("make")
    m.add_argument("--customers", type=int, required=True)
    m.add_argument("--periods", type=int, default=12)
    m.add_argument("--services", type=int, default=4)
    m.add_argument("--seed", type=int, default=1)
    m.add_argument("--changed", type=int, default=0, metavar="K")
    m.add_argument("--out", required=True)
    p = sub.add_parser("proposal")
    p.add_argument("--input", required=True)
    p.add_argument("--percent", type=int, required=True)
    p.add_argument("--out", required=True)
    c = sub.add_parser("check")
    c.add_argument("--input", required=True)
    c.add_argument("--output", required=True)
    a = ap.parse_args()
    if a.cmd == "make":
        make(a)
        return 0
    if a.cmd == "proposal":
        return proposal(a)
    return check(a)


if __name__ == "__main__":
    sys.exit(main())
