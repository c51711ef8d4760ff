"""The documents of a year folder checked against the fee tables, for
tests/e2e/test_corrections.sh. Each command exits non-zero (an assertion)
on the first mismatch.

usage: check_documents.py expected OLD_FEES NEW_FEES EXISTING [PERIODS]
           print the files a correction from OLD_FEES to NEW_FEES must add
           to the invoices/ listed in EXISTING (one name a line)
       check_documents.py ledger YEAR_DIR FEES
           ledger.csv against every document and the year's fees
       check_documents.py credits YEAR_DIR "NAMES"
           each credit note among NAMES mirrors the invoice it cancels
       check_documents.py periods YEAR_DIR FEES PERIODS
           each customer's PERIODS invoices add up to the annual fees
       check_documents.py listed YEAR_DIR REGISTER
           report.txt and the check sheet list every correction document
"""
import csv, decimal, glob, os, re, sys, xml.etree.ElementTree as ET
NS = {"cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
      "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}
D = decimal.Decimal

def fees(path):
    out = {}
    for r in csv.DictReader(open(path, encoding="utf-8"), delimiter=";"):
        if int(r["fee"]):
            out.setdefault(int(r["customer"]), {})[r["service"]] = int(r["fee"])
    return out

def part(annual, n, p):
    # the SPEC'd split, independently: floor(A / P) each, the A mod P
    # remaining öre one each to the last periods
    return annual // n + (1 if p >= n - annual % n else 0)

def expected(old_fees, new_fees, existing, n="1"):
    """The files a correction must add: per customer and period whose lines
    changed, a credit note -K<k+1> when an invoice stands, and a new invoice
    when the customer still owes something: -R<r+1>, or the plain number if
    none was ever issued for that period."""
    old, new, have, n = fees(old_fees), fees(new_fees), set(open(existing).read().split()), int(n)
    want = []
    for c in sorted(set(old) | set(new)):
        for p in range(n):
            lo = {s: part(f * 100, n, p) for s, f in old.get(c, {}).items()}
            ln = {s: part(f * 100, n, p) for s, f in new.get(c, {}).items()}
            if lo == ln:
                continue
            stem = "2025-%d" % c if n == 1 else "2025-%d-%02d" % (c, p + 1)
            k = sum(1 for f in have if re.fullmatch(re.escape(stem) + r"-K\d+\.xml", f))
            r = sum(1 for f in have if re.fullmatch(re.escape(stem) + r"-R\d+\.xml", f))
            if lo:
                want.append("%s-K%d.xml" % (stem, k + 1))
            if ln:
                want.append(stem + ".xml" if stem + ".xml" not in have else "%s-R%d.xml" % (stem, r + 1))
    if want:
        print("\n".join(sorted(want)))

def doc(path):
    root = ET.parse(path).getroot()
    kind = "credit" if root.tag.endswith("CreditNote") else "invoice"
    line_tag = "cac:CreditNoteLine" if kind == "credit" else "cac:InvoiceLine"
    lines = [(l.find("cac:Item/cac:SellersItemIdentification/cbc:ID", NS).text,
              D(l.find("cbc:LineExtensionAmount", NS).text)) for l in root.findall(line_tag, NS)]
    t = root.find("cac:LegalMonetaryTotal", NS)
    return dict(kind=kind, number=root.find("cbc:ID", NS).text, root=root, lines=lines,
                net=D(t.find("cbc:LineExtensionAmount", NS).text),
                vat=D(root.find("cac:TaxTotal/cbc:TaxAmount", NS).text),
                total=D(t.find("cbc:PayableAmount", NS).text),
                customer=int(root.find("cac:AccountingCustomerParty/cac:Party/cac:PartyIdentification/cbc:ID", NS).text),
                issue=root.find("cbc:IssueDate", NS).text,
                start=root.find("cac:InvoicePeriod/cbc:StartDate", NS).text,
                end=root.find("cac:InvoicePeriod/cbc:EndDate", NS).text,
                ref=root.findtext("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", None, NS),
                ref_date=root.findtext("cac:BillingReference/cac:InvoiceDocumentReference/cbc:IssueDate", None, NS))

def ledger(year_dir, fees_path):
    """Every document has its rows in ledger.csv and nothing else does; per
    document the rows sum to its totals (credit notes negative); the lines
    match service by service; over the year the net equals the fees."""
    docs = {}
    for p in glob.glob(os.path.join(year_dir, "invoices", "*.xml")):
        x = doc(p)
        docs[x["number"]] = x
    rows = list(csv.DictReader(open(os.path.join(year_dir, "ledger.csv"), encoding="utf-8"), delimiter=";"))
    by = {}
    for r in rows:
        by.setdefault(r["number"], []).append(r)
    assert set(by) == set(docs), set(by) ^ set(docs)
    key = [(r["issue_date"], r["number"].encode(), int(r["line"])) for r in rows]
    assert key == sorted(key), "ledger rows are not sorted"
    for n, x in docs.items():
        rs, sign = by[n], (-1 if x["kind"] == "credit" else 1)
        assert all(r["kind"] == x["kind"] and int(r["customer"]) == x["customer"] and
                   r["issue_date"] == x["issue"] and r["period_start"] == x["start"] and
                   r["period_end"] == x["end"] for r in rs), n
        assert [(r["service"], sign * D(r["net"])) for r in rs] == x["lines"], (n, rs, x["lines"])
        for col in ("net", "vat", "total"):
            assert sum(D(r[col]) for r in rs) == sign * x[col], (n, col)
        assert all(D(r["net"]) + D(r["vat"]) == D(r["total"]) for r in rs), n
        if x["kind"] == "credit":
            assert all(r["cancels"] == x["ref"] for r in rs), n
    year = sum(D(r["net"]) for r in rows)
    want = sum(sum(v.values()) for v in fees(fees_path).values())
    assert year == want, (year, want)

def credits(year_dir, names):
    """A credit note mirrors the invoice it cancels: reference and its issue
    date, customer, period, lines and totals."""
    all_docs = {}
    for p in glob.glob(os.path.join(year_dir, "invoices", "*.xml")):
        x = doc(p)
        all_docs[x["number"]] = x
    for name in names.split():
        if "-K" not in name:
            continue
        c = doc(os.path.join(year_dir, "invoices", name))
        i = all_docs.get(c["ref"])
        assert c["kind"] == "credit" and i and i["kind"] == "invoice", name
        assert c["root"].findtext("cbc:CreditNoteTypeCode", None, NS) == "381", name
        assert c["ref_date"] == i["issue"], name
        for f in ("customer", "start", "end", "lines", "net", "vat", "total"):
            assert c[f] == i[f], (name, f)

def periods(year_dir, fees_path, n):
    """Each customer's n invoices: one per calendar period, numbered
    KC2025-<nr>-01..n, and per service they add up exactly to the fee, with
    the remaining öre in the last periods."""
    per = {}
    for p in glob.glob(os.path.join(year_dir, "invoices", "*.xml")):
        x = doc(p)
        assert x["kind"] == "invoice"
        per.setdefault(x["customer"], []).append(x)
    f = fees(fees_path)
    assert set(per) == set(f), set(per) ^ set(f)
    for c, xs in per.items():
        xs.sort(key=lambda x: x["start"])
        assert [x["number"] for x in xs] == ["KC2025-%d-%02d" % (c, i + 1) for i in range(n)], c
        assert xs[0]["start"] == "2025-01-01" and xs[-1]["end"] == "2025-12-31", c
        assert all(a["end"] < b["start"] for a, b in zip(xs, xs[1:])), c
        for svc, fee in f[c].items():
            parts = [dict(x["lines"])[svc] for x in xs]
            assert sum(parts) == fee, (c, svc, sum(parts), fee)
            assert max(parts) - min(parts) <= D("0.01") and parts == sorted(parts), (c, svc, parts)

def listed(year_dir, register):
    """report.txt lists every document of a correction run (run > 0 in the
    register), and only those; the workbook's "Dokument" sheet lists every
    document of the year, under its own heading row, with the run it came
    from, net, VAT and total as the stored documents have them; the check
    sheet's standing invoices equal the year's fees."""
    import openpyxl
    reg = list(csv.DictReader(open(register, encoding="utf-8"), delimiter=";"))
    want = [r["number"] for r in reg if r["run"] != "0"]
    assert want, "no correction in the register"
    rep = open(os.path.join(year_dir, "report.txt"), encoding="utf-8").read()
    section = rep[rep.index("== issued documents"):]
    got = re.findall(r"^    (KC\S+) ", section, re.M)
    assert got == want, (got, want)
    year = os.path.basename(os.path.normpath(year_dir))
    wb = openpyxl.load_workbook(os.path.join(year_dir, "prislista-%s.xlsx" % year))
    ws = wb["Dokument"]
    rows = [r for r in ws.iter_rows(values_only=True)]
    head = next(i for i, r in enumerate(rows) if r[0] == "Dokument")
    assert list(rows[head][:13]) == ["Dokument", "Typ", "Kund", "Namn", "Period från",
                                     "Period till", "Fakturadatum", "Förfallodatum", "Netto",
                                     "Moms", "Totalt", "Krediterar", "Korrigering"], rows[head]
    assert ws.freeze_panes == "A%d" % (head + 2), ws.freeze_panes
    assert ws.auto_filter.ref.startswith("A%d:" % (head + 1)), ws.auto_filter.ref
    assert ws.print_title_rows == "$%d:$%d" % (head + 1, head + 1), ws.print_title_rows
    docs = [r for r in rows[head + 1:] if r[0] and str(r[0]).startswith("KC")]
    assert [r[0] for r in docs] == [r["number"] for r in reg], ([r[0] for r in docs], reg)
    runs = {r["number"]: r["run"] for r in reg}
    for r in docs:
        x = doc(os.path.join(year_dir, "invoices", r[0][2:] + ".xml"))
        sign = -1 if x["kind"] == "credit" else 1
        assert D(str(r[8])) == sign * x["net"], r
        assert r[1] == ("kreditnota" if x["kind"] == "credit" else "faktura"), r
        assert r[12] == ("–" if runs[r[0]] == "0" else runs[r[0]]), r
        assert (r[11] is not None) == (x["kind"] == "credit"), r
    ws = wb["Avstämning"]
    rows = [r for r in ws.iter_rows(values_only=True)]
    row = next(r for r in rows if r[0] == "Gällande fakturor mot avgifterna")
    assert row[1] == row[2] and row[1] > 0, row
    assert not [r for r in rows if r[0] and str(r[0]).startswith("KC")], "documents on Avstämning"

COMMANDS = {"expected": expected, "ledger": ledger, "credits": credits, "listed": listed,
            "periods": lambda a, b, n: periods(a, b, int(n))}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    COMMANDS[sys.argv[1]](*sys.argv[2:])
