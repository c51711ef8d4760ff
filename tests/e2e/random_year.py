#!/usr/bin/python3
"""Random price years for the property test (tests/e2e/test_random_years.sh).

    random_year.py make SEED DIR     writes DIR/2025/{tariff.xml,customers.csv,
                                     cases.csv,calls.csv,licences.csv}
    random_year.py check DIR OUT     checks OUT/2025 against DIR/2025

A year is drawn from SEED: 1 to 60 customers with numbers in the SPEC's
ranges, departments (VAT O) and companies (VAT S 25 %, org numbers with a
valid check digit), names and references with '&', '<', quotes, '=', '+',
'-' and '@' after a first word (never leading: the register refuses those), non-ASCII letters and lengths up to 150 characters; fees from 1 kr to
99 999 999 kr, often odd; 1, 4 or 12 invoicing periods or none said; a
random equal part for the switchboard; sometimes a consolidation; counts
with zeros, ties and one dominant customer; rows outside the windows and in
other queues. The delimiter, the BOM and CRLF line ends vary too.

check verifies, independently of the program: every service's fees sum
exactly to its fee; every fee is within 1 kr of the exact share (computed
here with fractions from the raw files); each customer's invoices add up,
per service and in öre, to its fees; a customer without fees gets no
invoice; ledger.csv's net over the year equals the fees.
"""

import csv
import datetime as dt
import decimal
import glob
import os
import random
import sys
import xml.etree.ElementTree as ET
from fractions import Fraction

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from gen_sample import gln, luhn_digit  # noqa: E402  (the sample year's check digits)

YEAR = 2025
CITY_ORG = "212000-0142"
WINDOW_CASES = (dt.date(2023, 7, 1), dt.date(2024, 6, 30))
WINDOW_CALLS = (dt.date(2023, 8, 1), dt.date(2024, 7, 31))
SNAPSHOT = dt.date(2024, 6, 15)
SERVICES = ["etjanst", "direkt", "vaxel", "kcp"]
NS = {"cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
      "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}


def org_nr(rng):
    nine = "556" + "".join(rng.choice("0123456789") for _ in range(6))
    ten = nine + luhn_digit(nine)
    return ten[:6] + "-" + ten[6:]


def name(rng, base):
    # also letters and signs code page 437 lacks (the SIE file substitutes
    # them) and a backslash (SIE escapes it)
    parts = [base, "AB", "& Co", "<Drift>", "\"Norr\"", "O'Brien", "Åkeri", "Östra", "Ünal",
             "=SUM(1)", "+46", "@hem", "-minus", "förvaltning", "Łódź", "Øresund", "Šťastný",
             "a–b", "5 €", "“citat”", "C:\\drift", "Œuvre"]
    s = " ".join(rng.choice(parts) for _ in range(rng.randint(1, 4)))
    if rng.random() < 0.3:
        s = base + " " + rng.choice(["=", "+", "-", "@"]) + s
    if rng.random() < 0.1:
        s = (s + " ") * (150 // (len(s) + 1)) + "slut"
    # a name may not start with a sign a spreadsheet reads as a formula
    # (the register refuses it): such parts stand after the first word
    s = s.strip()
    if s[0] in "=+-@":
        s = base + " " + s
    return s[:150]


def rand_date(rng, first, last):
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))


def counts(rng, nrs):
    """A count per customer: zeros, ties, sometimes one dominant customer;
    at least one above zero."""
    mode = rng.choice(["small", "wide", "ties", "dominant"])
    out = {}
    for nr in nrs:
        if rng.random() < 0.25:
            out[nr] = 0
        elif mode == "small":
            out[nr] = rng.randint(1, 5)
        elif mode == "ties":
            out[nr] = rng.choice([3, 7])
        else:
            out[nr] = rng.randint(1, 400)
    if mode == "dominant":
        out[rng.choice(nrs)] = 100000
    if not any(out.values()):
        out[rng.choice(nrs)] = rng.randint(1, 9)
    return out


def write_csv(path, header, rows, rng):
    delim = rng.choice([";", ",", "\t"])
    eol = rng.choice(["\n", "\r\n"])
    with open(path, "w", encoding="utf-8", newline="") as f:
        if rng.random() < 0.3:
            f.write("\ufeff")
        w = csv.writer(f, delimiter=delim, lineterminator=eol, quoting=csv.QUOTE_MINIMAL)
        cols = list(header)
        extra = rng.random() < 0.3
        if extra:
            cols.insert(rng.randint(0, len(cols)), "extra")
        order = cols[:]
        rng.shuffle(order)
        w.writerow(order)
        for r in rows:
            d = dict(zip(header, r))
            d["extra"] = "x;y,\"z\""
            w.writerow([d[c] for c in order])


def make(seed, root):
    rng = random.Random(seed)
    year_dir = os.path.join(root, str(YEAR))
    os.makedirs(year_dir, exist_ok=True)
    n = rng.randint(1, 60)
    pool = list(range(101, 193)) + list(range(200, 400)) + list(range(701, 725))
    nrs = sorted(rng.sample(pool, n))
    cust = []
    for nr in nrs:
        company = 200 <= nr < 400 if rng.random() < 0.9 else rng.random() < 0.5
        cust.append(dict(nr=nr, name=name(rng, "Kund %d" % nr),
                         group="bolag" if company else "forvaltning",
                         org_nr=org_nr(rng) if company else CITY_ORG,
                         reference=rng.choice(["%d-KC" % nr, "Ref <%d> & \"x\"" % nr, "Å%d" % nr]),
                         street=rng.choice(["", "Gatan 1", "Väg & Stig 2 <B>"]),
                         postcode=rng.choice(["104 20", "11122"]), city="Stockholm"))
    hdr = ["nr", "name", "group", "org_nr", "reference", "street", "postcode", "city"]
    # the optional cost centres (unique among the departments) and PEPPOL
    # endpoints, in some years
    if rng.random() < 0.6:
        hdr += ["cost_centre", "endpoint"]
        for c in cust:
            c["cost_centre"] = rng.choice(["", "", "A-%d" % c["nr"], "%d0" % c["nr"]])
            c["endpoint"] = rng.choice(["", "0088:" + gln("73%07d%03d" % (seed % 10000000, c["nr"])),
                                        "0007:" + c["org_nr"]])
    write_csv(os.path.join(year_dir, "customers.csv"), hdr,
              [[str(c[h]) for h in hdr] for c in cust], rng)

    # consolidation: sometimes one customer's rows count as another's
    cons = {}
    if n >= 2 and rng.random() < 0.4:
        a, b = rng.sample(nrs, 2)
        cons = {"from": a, "into": b}

    # statistics
    cases = []
    cid = 0
    for queue, svc in (("E-tjänstsupport", "etjanst"), ("Stockholm Direkt", "direkt")):
        c = counts(rng, nrs)
        for nr, k in c.items():
            for _ in range(k if k < 2000 else 2000):
                cid += 1
                kind = "inkommande" if svc == "etjanst" else rng.choice(["inkommande", "generell"])
                cases.append([str(cid), rand_date(rng, *WINDOW_CASES).isoformat(), str(nr), queue,
                              kind, rng.choice(["Ärende", "a;b", "x,\"y\"", "rad1\nrad2"])])
        for _ in range(rng.randint(0, 30)):  # outside the window or filtered out
            cid += 1
            d = rng.choice([dt.date(2023, 6, 30), dt.date(2024, 7, 1), dt.date(2022, 1, 5)])
            cases.append([str(cid), d.isoformat(), str(rng.choice(nrs)), queue, "inkommande", "ute"])
            cid += 1
            cases.append([str(cid), rand_date(rng, *WINDOW_CASES).isoformat(), str(rng.choice(nrs)),
                          rng.choice(["Annan kö", queue]), "utgående", "filtrerad"])
    rng.shuffle(cases)
    write_csv(os.path.join(year_dir, "cases.csv"),
              ["case_id", "date", "customer", "queue", "kind", "subject"], cases, rng)

    calls = []
    for nr, k in counts(rng, nrs).items():
        left = k
        while left > 0:
            part = min(left, rng.randint(1, 5000))
            left -= part
            t = rand_date(rng, *WINDOW_CALLS).isoformat() + "T%02d:%02d" % (rng.randint(0, 23), rng.randint(0, 59))
            calls.append([t, str(nr), str(part)])
    calls.append([dt.date(2024, 8, 1).isoformat() + "T00:00", str(rng.choice(nrs)), "999"])
    rng.shuffle(calls)
    write_csv(os.path.join(year_dir, "calls.csv"), ["started_at", "customer", "count"], calls, rng)

    lic = []
    for nr, k in counts(rng, nrs).items():
        lic.append([SNAPSHOT.isoformat(), str(nr), str(k)])
        lic.append(["2024-03-15", str(nr), str(rng.randint(0, 50))])
    rng.shuffle(lic)
    write_csv(os.path.join(year_dir, "licences.csv"), ["date", "customer", "licences"], lic, rng)

    def fee():
        return rng.choice([1, 3, 7, rng.randint(1, 999), rng.randint(1, 99999999) | 1,
                           rng.randint(1, 5000000)])

    periods = rng.choice(["", ' periods="1"', ' periods="4"', ' periods="12"'])
    issue = rand_date(rng, dt.date(2025, 1, 1), dt.date(2025, 3, 31)).isoformat()
    equal = rng.choice([0, 1, 20, 33, 50, 99])
    c = ('\n    <consolidate from="%d" into="%d"/>' % (cons["from"], cons["into"])) if cons else ""
    # payment details and the accounting configuration, in most years
    pay = rng.choice(["", ' bankgiro="5050-1055"', ' plusgiro="901234-5"',
                      ' bankgiro="50501055" iban="SE45 5000 0000 0583 9825 7466" bic="ESSESESS"'])
    accounting = ""
    if rng.random() < 0.75:
        revenue = {s: "36%02d" % rng.randint(10, 99) for s in SERVICES}
        cost = {s: rng.choice([None, "64%02d" % rng.randint(10, 99)]) for s in SERVICES}
        default = "6419" if rng.random() < 0.8 or None in cost.values() else None
        accs = sorted(set(revenue.values()) | {v for v in cost.values() if v} | ({default} - {None}))
        accounting = '  <accounting seller-cost-centre="%s"%s>\n' % (
            rng.choice(["1905", "KC-1", "190"]), ' cost-account="%s"' % default if default else "")
        accounting += "".join('    <account number="%s" name="Konto %s &amp; &lt;%s&gt; \\ Łå"/>\n'
                              % (a, a, rng.choice(["intäkt", "kostnad"])) for a in accs)
        accounting += "".join('    <posting service="%s" revenue-account="%s"%s/>\n'
                              % (sv, revenue[sv], ' cost-account="%s"' % cost[sv] if cost[sv] else "")
                              for sv in SERVICES)
        accounting += "  </accounting>\n"
    tariff = f'''<?xml version="1.0" encoding="UTF-8"?>
<tariff year="{YEAR}" currency="SEK">
  <seller name="Stockholms stad, Serviceförvaltningen" org-nr="212000-0142"
          vat-id="SE212000014201" street="Fleminggatan 4" postcode="104 20"
          city="Stockholm" email="kontaktcenter.faktura@stockholm.se"/>
  <invoicing issue-date="{issue}" due-days="{rng.randint(10, 60)}" number-prefix="KC"{periods}{pay}/>
  <group id="forvaltning" label="Nämnder &amp; förvaltningar" vat="O"/>
  <group id="bolag" label="Bolag och stiftelser" vat="S" vat-percent="25"/>
  <service id="etjanst" name="E-tjänstsupport" fee="{fee()}" previous-fee="{fee()}">
    <description>Slumpad &lt;beskrivning&gt; &amp; text.</description>
    <basis file="cases.csv" date-column="date" from="2023-07-01" to="2024-06-30" unit="ärenden">
      <match column="queue" values="E-tjänstsupport"/>
      <match column="kind" values="inkommande"/>
    </basis>
    <key method="proportional"/>
  </service>
  <service id="direkt" name="Stockholm Direkt" fee="{fee()}" previous-fee="0">
    <description>Slumpad.</description>
    <basis file="cases.csv" date-column="date" from="2023-07-01" to="2024-06-30" unit="ärenden">
      <match column="queue" values="Stockholm Direkt"/>
      <match column="kind" values="inkommande,generell"/>
    </basis>
    <key method="proportional"/>
  </service>
  <service id="vaxel" name="Telefonistöd, gemensam växel" fee="{fee()}" previous-fee="{fee()}">
    <description>Slumpad.</description>
    <basis file="calls.csv" date-column="started_at" from="2023-08-01" to="2024-07-31" unit="anrop"/>
    <key method="equal-and-proportional" equal-percent="{equal}"/>{c}
  </service>
  <service id="kcp" name="Förvaltning av kontaktcenterplattform" fee="{fee()}" previous-fee="0">
    <description>Slumpad.</description>
    <basis file="licences.csv" date-column="date" snapshot="2024-06-15" value-column="licences" unit="licenser"/>
    <key method="proportional"/>
  </service>
{accounting}</tariff>
'''
    with open(os.path.join(year_dir, "tariff.xml"), "w", encoding="utf-8") as f:
        f.write(tariff)


# --- the check -------------------------------------------------------------

def read_rows(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        head = f.readline()
        f.seek(0)
        if head.startswith("\ufeff"):
            f.read(1)
        delim = max([";", ",", "\t"], key=head.count)
        return list(csv.DictReader(f, delimiter=delim))


def bases(indir, tariff):
    """Basis per service and customer, straight from the raw files."""
    out = {}
    for s in tariff.findall("service"):
        b = s.find("basis")
        rows = read_rows(os.path.join(indir, b.get("file")))
        col, vc = b.get("date-column"), b.get("value-column")
        matches = [(m.get("column"), m.get("values").split(",")) for m in b.findall("match")]
        w = {}
        for r in rows:
            day = r[col][:10]
            if b.get("snapshot"):
                if day != b.get("snapshot"):
                    continue
            elif not (b.get("from") <= day <= b.get("to")):
                continue
            if any(r[c] not in vs for c, vs in matches):
                continue
            v = int(r[vc]) if vc else int(r["count"]) if "count" in r else 1
            nr = int(r["customer"])
            w[nr] = w.get(nr, 0) + v
        for c in s.findall("consolidate"):
            a, into = int(c.get("from")), int(c.get("into"))
            w[into] = w.get(into, 0) + w.pop(a, 0)
        out[s.get("id")] = (s, w)
    return out


def exact_shares(s, w):
    fee = int(s.get("fee"))
    key = s.find("key")
    total = sum(w.values())
    if key.get("method") == "proportional":
        return {nr: Fraction(fee * v, total) for nr, v in w.items()}
    pct = int(key.get("equal-percent"))
    users = [nr for nr, v in w.items() if v > 0]
    eq = Fraction(fee * pct, 100)
    return {nr: (eq / len(users) if v > 0 else 0) + (Fraction(fee) - eq) * Fraction(v, total)
            for nr, v in w.items()}


def check(indir, out):
    D = decimal.Decimal
    indir = os.path.join(indir, str(YEAR))
    outy = os.path.join(out, str(YEAR))
    tariff = ET.parse(os.path.join(indir, "tariff.xml")).getroot()
    fees = {}
    for r in csv.DictReader(open(os.path.join(outy, "fees.csv"), encoding="utf-8"), delimiter=";"):
        fees.setdefault(r["service"], {})[int(r["customer"])] = int(r["fee"])
    for sid, (s, w) in bases(indir, tariff).items():
        f = fees[sid]
        assert sum(f.values()) == int(s.get("fee")), (sid, sum(f.values()), s.get("fee"))
        for nr, share in exact_shares(s, w).items():
            assert abs(f.get(nr, 0) - share) < 1, (sid, nr, f.get(nr), float(share))
        for nr, v in f.items():
            if nr not in w:
                assert v == 0, (sid, nr, v)
    # invoices: per customer and service, the parts add up to the fee
    per = {}
    for p in glob.glob(os.path.join(outy, "invoices", "*.xml")):
        root = ET.parse(p).getroot()
        assert root.tag.endswith("}Invoice"), p
        nr = int(root.find("cac:AccountingCustomerParty/cac:Party/cac:PartyIdentification/cbc:ID", NS).text)
        for line in root.findall("cac:InvoiceLine", NS):
            sid = line.find("cac:Item/cac:SellersItemIdentification/cbc:ID", NS).text
            amt = D(line.find("cbc:LineExtensionAmount", NS).text)
            per.setdefault(nr, {}).setdefault(sid, D(0))
            per[nr][sid] += amt
    owed = {}
    for sid, f in fees.items():
        for nr, v in f.items():
            if v:
                owed.setdefault(nr, {})[sid] = D(v)
    assert per == owed, "invoices and fees differ"
    total = sum(D(r["net"]) for r in csv.DictReader(open(os.path.join(outy, "ledger.csv"), encoding="utf-8"), delimiter=";"))
    assert total == sum(sum(v.values()) for v in owed.values()), total


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(int(sys.argv[2]), sys.argv[3])
    else:
        check(sys.argv[2], sys.argv[3])
