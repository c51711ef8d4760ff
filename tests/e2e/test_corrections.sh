#!/usr/bin/env bash
# Issued invoices are never rewritten. The first run issues the invoices and
# creates the record beside the year folder (ROOT/issued/Y/); an unchanged
# re-run is byte-identical and issues nothing; a re-run whose amounts differ
# fails with exit 65 until it is asked for --correct, which issues exactly
# the credit notes and new invoices the change calls for (checked against
# the fee tables, file by file) and nothing else; every new document passes
# the validator; ledger.csv reconciles with the documents; repeating a
# correction issues nothing more. Then the same year invoiced monthly
# (periods="12"): every invoice valid, and each customer's twelve invoices
# add up exactly to the annual fees.
source "$(dirname "$0")/lib.sh"
cd "$WORK"
cp -r "$SRC/input" in

# Helpers in Python: the expected new files of a correction, and the
# reconciliation of ledger.csv with the documents.
cat >check.py <<'PY'
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
    """report.txt and the workbook's check sheet ("Avstämning") list every
    document of a correction run (run > 0 in the register), and only those,
    and the check sheet's standing invoices equal the year's fees."""
    import openpyxl
    want = [r["number"] for r in csv.DictReader(open(register, encoding="utf-8"), delimiter=";")
            if r["run"] != "0"]
    assert want, "no correction in the register"
    rep = open(os.path.join(year_dir, "report.txt"), encoding="utf-8").read()
    section = rep[rep.index("== issued documents"):]
    got = re.findall(r"^    (KC\S+) ", section, re.M)
    assert got == want, (got, want)
    year = os.path.basename(os.path.normpath(year_dir))
    ws = openpyxl.load_workbook(os.path.join(year_dir, "prislista-%s.xlsx" % year))["Avstämning"]
    rows = [r for r in ws.iter_rows(values_only=True)]
    head = next(i for i, r in enumerate(rows) if r[0] == "Dokument")
    got = [r[0] for r in rows[head + 1:] if r[0] and r[0].startswith("KC")]
    assert got == want, (got, want)
    for r in rows[head + 1:]:
        if r[0] and r[0].startswith("KC"):
            x = doc(os.path.join(year_dir, "invoices", r[0][2:] + ".xml"))
            assert D(str(r[2])) == (-1 if x["kind"] == "credit" else 1) * x["net"], r
            assert r[1] == ("kreditnota" if x["kind"] == "credit" else "faktura"), r
    row = next(r for r in rows if r[0] == "Gällande fakturor mot avgifterna")
    assert row[1] == row[2] and row[1] > 0, row

{"expected": expected, "ledger": ledger, "credits": credits, "listed": listed,
 "periods": lambda a, b, n: periods(a, b, int(n))}[sys.argv[1]](*sys.argv[2:])
PY

# --- first issue -------------------------------------------------------------
check "the first run exits 0" "$PROG" run --year 2025 --input in --output out
check "it creates the record beside the year folder" test -s out/issued/2025/register.csv
check "the year folder's invoices are the record's documents" diff -r out/2025/invoices out/issued/2025/invoices
check "it writes ledger.csv" test -s out/2025/ledger.csv
check "register rows: one per document" test "$(($(wc -l <out/issued/2025/register.csv) - 1))" -eq "$(ls out/2025/invoices | wc -l)"
check "ledger.csv reconciles with the invoices" $PY check.py ledger out/2025 out/2025/fees.csv
cp out/2025/fees.csv fees0.csv

# --- an unchanged re-run -------------------------------------------------------
Y0=$(tree_digest out/2025)
R0=$(tree_digest out/issued)
check "an unchanged re-run exits 0" "$PROG" run --year 2025 --input in --output out
check "and leaves the year folder byte-identical" test "$(tree_digest out/2025)" = "$Y0"
check "and the record byte-identical (nothing new issued)" test "$(tree_digest out/issued)" = "$R0"
"$PROG" run --year 2025 --input in --output "$WORK/elsewhere/deeper/root" >/dev/null
check "the year folder does not depend on where the output root lives" \
  test "$(tree_digest elsewhere/deeper/root/2025)" = "$Y0"

# A year folder with invoices but no record (written by an earlier version,
# or the record lost) is never taken for a first issue.
cp -r out norec && rm -rf norec/issued
before=$(tree_digest norec)
set +e
"$PROG" run --year 2025 --input in --output norec 2>err.txt; rc=$?
set -e
check "invoices without a record: exit 65" test $rc -eq 65
check "naming the folder and the missing record" grep -q \
  "^norec/2025/invoices: expected the record of issued documents (issued/2025/register.csv) for the invoices in this folder, found none" err.txt
check "and nothing is issued" test "$(tree_digest norec)" = "$before"

# A damaged record stops the run (65) with one line, and changes nothing:
# an edited or lost stored copy, a register row removed (its number could be
# issued again), the row and its copy removed (the year folder still shows
# the invoice), a change of the number of periods.
damaged() { # damaged DESCRIPTION EXPECTED-STDERR-LINE INPUT COMMAND-THAT-DAMAGES
  local what=$1 want=$2 input=$3; shift 3
  rm -rf dmg && cp -r out dmg && (cd dmg && eval "$*")
  local before rc; before=$(tree_digest dmg)
  set +e; "$PROG" run --year 2025 --input "$input" --output dmg 2>err.txt; rc=$?; set -e
  check "$what: exit 65" test $rc -eq 65
  check "$what: says so" test "$(head -1 err.txt)" = "$want"
  check "$what: changes nothing" test "$(tree_digest dmg)" = "$before"
}
damaged "an edited stored invoice" \
  "dmg/issued/2025/invoices/2025-110.xml: expected document 'KC2025-110' as issued (sha256 $(cut -d';' -f18 out/issued/2025/register.csv | sed -n 3p | cut -c1-12)…), found different bytes; the record of issued documents must not be edited" \
  in "sed -i 's/Stadsledningskontoret/Stadsledningskontor/' issued/2025/invoices/2025-110.xml"
damaged "a lost stored invoice" \
  "dmg/issued/2025/invoices/2025-110.xml: expected document 'KC2025-110' as issued (sha256 $(cut -d';' -f18 out/issued/2025/register.csv | sed -n 3p | cut -c1-12)…), found no readable file (No such file or directory); the record of issued documents must not be edited" \
  in "rm issued/2025/invoices/2025-110.xml"
damaged "a register row removed" \
  "dmg/issued/2025/invoices/2025-110.xml: expected only the documents listed in register.csv, found 1 file it does not list; the record of issued documents must not be edited: restore register.csv from a backup" \
  in "sed -i '/^KC2025-110;/d' issued/2025/register.csv"
damaged "a register row and its copy removed" \
  "dmg/2025/invoices: expected only documents of the record (issued/2025/register.csv) in this folder, found 2025-110.xml, which it does not list; restore the record from a backup" \
  in "sed -i '/^KC2025-110;/d' issued/2025/register.csv && rm issued/2025/invoices/2025-110.xml"
cp -r in inq && sed -i 's/number-prefix="KC"/number-prefix="KC" periods="4"/' inq/2025/tariff.xml
damaged "another number of periods after the first issue" \
  "dmg/issued/2025/register.csv:2: expected invoice periods of the tariff's periods=\"4\", found 'KC2025-108' for 2025-01-01–2025-12-31; the periods cannot change once invoices are issued" \
  inq "true"

# --- one statistics row changes ------------------------------------------------
# One incoming E-tjänstsupport case of the window moves from 113 (a
# department, VAT O) to 291 (a company, VAT S 25 %).
cp -r in in2
$PY - in2/2025/cases.csv <<'PY'
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
before=$(tree_digest out)
set +e
"$PROG" run --year 2025 --input in2 --output out >stdout.txt 2>err.txt; rc=$?
set -e
check "a changed re-run without --correct exits 65" test $rc -eq 65
check "with one line on stderr" test "$(wc -l <err.txt)" -eq 1
check "naming the record, how many customers and --correct" grep -Eq \
  "^out/issued/2025/register.csv: expected the issued invoices of 2025 to stand, found [0-9]+ customers whose invoices would change \(.*113.*291.*\); run with --correct --issue-date YYYY-MM-DD" err.txt
check "and changes nothing" test "$(tree_digest out)" = "$before"
set +e
"$PROG" run --year 2025 --input in2 --output out --correct 2>err.txt; rc=$?
set -e
check "--correct without --issue-date is a usage error (64)" test $rc -eq 64
check "that changes nothing either" test "$(tree_digest out)" = "$before"
set +e
"$PROG" run --year 2025 --input in2 --output out --correct --issue-date 2025-01-02 2>err.txt; rc=$?
set -e
check "an --issue-date before the tariff's is a usage error (64)" test $rc -eq 64
check "naming both dates" grep -qx "internpris: expected --issue-date on or after the tariff's issue date 2025-01-15, found 2025-01-02" err.txt
check "and changes nothing" test "$(tree_digest out)" = "$before"

# --- the correction --------------------------------------------------------------
ls out/2025/invoices >files0.txt
check "--correct --issue-date exits 0" \
  "$PROG" run --year 2025 --input in2 --output out --correct --issue-date 2025-03-03
ls out/2025/invoices >files1.txt
comm -13 files0.txt files1.txt >new1.txt
$PY check.py expected fees0.csv out/2025/fees.csv files0.txt >want1.txt
check "exactly the credit notes and new invoices the change calls for ($(wc -l <new1.txt) files)" \
  diff want1.txt new1.txt
check "among them 113's and 291's credit notes and new invoices" bash -c \
  "grep -qx 2025-113-K1.xml new1.txt && grep -qx 2025-113-R1.xml new1.txt && grep -qx 2025-291-K1.xml new1.txt && grep -qx 2025-291-R1.xml new1.txt"
check "nothing was removed from invoices/" test -z "$(comm -23 files0.txt files1.txt)"
check "the documents issued before are byte-identical" bash -c \
  "cd out/2025/invoices && for f in \$(cat '$WORK/files0.txt'); do cmp -s \$f '$WORK/out/issued/2025/invoices/'\$f || exit 1; done && diff -r . '$WORK/out/issued/2025/invoices' >/dev/null"
check "the originals of the first run are unchanged" bash -c \
  "cd '$WORK/elsewhere/deeper/root/2025/invoices' && for f in *.xml; do cmp -s \$f '$WORK/out/2025/invoices/'\$f || exit 1; done"
check "every new document passes validate-ubl" "$VALIDATE" -q $(sed 's|^|out/2025/invoices/|' new1.txt)
check "credit notes mirror the invoices they cancel (381, reference, date, lines)" \
  $PY check.py credits out/2025 "$(cat new1.txt)"
check "credit notes and new invoices carry the issue date" bash -c \
  "cd out/2025/invoices && grep -l '<cbc:IssueDate>2025-03-03</cbc:IssueDate>' \$(cat '$WORK/new1.txt') | wc -l | grep -qx $(wc -l <new1.txt)"
check "ledger.csv reconciles with every document after the correction" \
  $PY check.py ledger out/2025 out/2025/fees.csv
check "ledger.csv has credit notes negative" grep -Eq '^KC2025-113-K1;credit;113;[^;]*;1;etjanst;2025-01-01;2025-12-31;-10204\.00;' out/2025/ledger.csv
check "report.txt and the check sheet list every correction document" \
  $PY check.py listed out/2025 out/issued/2025/register.csv
cp out/2025/fees.csv fees1.txt

Y1=$(tree_digest out/2025)
R1=$(tree_digest out/issued)
check "re-running the correction exits 0" \
  "$PROG" run --year 2025 --input in2 --output out --correct --issue-date 2025-03-03
check "and issues nothing more" test "$(tree_digest out/issued)" = "$R1"
check "its year folder is byte-identical" test "$(tree_digest out/2025)" = "$Y1"
check "a plain run on the corrected inputs exits 0" "$PROG" run --year 2025 --input in2 --output out
check "and issues nothing either" test "$(tree_digest out/issued)" = "$R1"
check "the original inputs again would need a correction (65)" bash -c \
  "'$PROG' run --year 2025 --input in --output out 2>/dev/null; test \$? -eq 65"

# --- a second correction: a customer owes nothing, a new customer ---------------
# Every Stockholm Direkt case of 367 (which has no other fee) moves to 209
# (which had none): 367 gets only a credit note, 209 its first invoice.
cp -r in2 in3
sed -i 's/^\([^;]*;[^;]*;\)367;Stockholm Direkt;/\1209;Stockholm Direkt;/' in3/2025/cases.csv
check "the second correction exits 0" \
  "$PROG" run --year 2025 --input in3 --output out --correct --issue-date 2025-06-02
ls out/2025/invoices >files2.txt
comm -13 files1.txt files2.txt >new2.txt
$PY check.py expected fees1.txt out/2025/fees.csv files1.txt >want2.txt
check "exactly the documents the second change calls for ($(wc -l <new2.txt) files)" diff want2.txt new2.txt
check "367 owes nothing: only a credit note" bash -c "grep -qx 2025-367-K1.xml new2.txt && ! grep -q '^2025-367-R' new2.txt"
check "209 is new: its first invoice under the plain number" grep -qx 2025-209.xml new2.txt
check "the second correction's documents pass validate-ubl" "$VALIDATE" -q $(sed 's|^|out/2025/invoices/|' new2.txt)
check "and ledger.csv still reconciles" $PY check.py ledger out/2025 out/2025/fees.csv
check "the register numbers the runs 0, 1 and 2" bash -c \
  "cut -d';' -f10 out/issued/2025/register.csv | tail -n +2 | sort -u | tr '\n' ' ' | grep -qx '0 1 2 '"
check "report.txt and the check sheet list both corrections' documents" \
  $PY check.py listed out/2025 out/issued/2025/register.csv

# --- invoicing per month -------------------------------------------------------
cp -r in p12
sed -i 's/number-prefix="KC"/number-prefix="KC" periods="12"/' p12/2025/tariff.xml
check "a run with periods=\"12\" exits 0" "$PROG" run --year 2025 --input p12 --output out12
n12=$(ls out12/2025/invoices | wc -l)
n1=$(ls elsewhere/deeper/root/2025/invoices | wc -l)
check "twelve invoices per billable customer ($n12 = 12 x $n1)" test "$n12" -eq $((12 * n1))
check "each customer's 12 invoices sum exactly to the annual fees" \
  $PY check.py periods out12/2025 out12/2025/fees.csv 12
check "a later period is issued on its first day" \
  grep -q '<cbc:IssueDate>2025-07-01</cbc:IssueDate>' out12/2025/invoices/2025-110-07.xml
check "the first period on the tariff's issue date" \
  grep -q '<cbc:IssueDate>2025-01-15</cbc:IssueDate>' out12/2025/invoices/2025-110-01.xml
check "ledger.csv reconciles with the 12-period invoices" $PY check.py ledger out12/2025 out12/2025/fees.csv
check "every period invoice passes validate-ubl ($n12 files)" "$VALIDATE" -q out12/2025/invoices/*.xml

# The same one-row change, corrected in the monthly invoices.
cp out12/2025/fees.csv fees12.csv
ls out12/2025/invoices >files12.txt
cp in2/2025/cases.csv p12/2025/cases.csv
set +e
"$PROG" run --year 2025 --input p12 --output out12 2>/dev/null; rc=$?
set -e
check "monthly invoices: the change without --correct exits 65" test $rc -eq 65
check "monthly invoices: --correct exits 0" \
  "$PROG" run --year 2025 --input p12 --output out12 --correct --issue-date 2025-03-03
ls out12/2025/invoices | comm -13 files12.txt - >new12.txt
$PY check.py expected fees12.csv out12/2025/fees.csv files12.txt 12 >want12.txt
check "exactly the monthly credit notes and new invoices ($(wc -l <new12.txt) files)" diff want12.txt new12.txt
check "numbered per period (KC2025-113-07-K1)" grep -qx 2025-113-07-K1.xml new12.txt
check "a January replacement is issued on the correction date" \
  grep -q '<cbc:IssueDate>2025-03-03</cbc:IssueDate>' out12/2025/invoices/2025-113-01-R1.xml
check "a July replacement and its credit note on July 1" bash -c \
  "grep -q '<cbc:IssueDate>2025-07-01</cbc:IssueDate>' out12/2025/invoices/2025-113-07-R1.xml && grep -q '<cbc:IssueDate>2025-07-01</cbc:IssueDate>' out12/2025/invoices/2025-113-07-K1.xml"
check "the monthly corrections pass validate-ubl" "$VALIDATE" -q $(sed 's|^|out12/2025/invoices/|' new12.txt)
check "the monthly credit notes mirror their invoices" $PY check.py credits out12/2025 "$(cat new12.txt)"
check "and ledger.csv reconciles" $PY check.py ledger out12/2025 out12/2025/fees.csv
finish
