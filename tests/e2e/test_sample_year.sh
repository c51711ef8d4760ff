#!/usr/bin/env bash
# The bundled sample year end to end: run, exact sums, the SPEC's worked
# example, repeatability, check mode, dry run, last year's column, and every
# invoice through the UBL 2.1 / EN 16931 / PEPPOL BIS 3 validator.
source "$(dirname "$0")/lib.sh"
cd "$SRC"

out="$WORK/out"
check "run exits 0" "$PROG" run --year 2025 --input input --output "$out"
y="$out/2025"
for f in fees.csv report.txt prislista-2025.xlsx; do
  check "writes $f" test -s "$y/$f"
done
check "no temporary folder is left" bash -c "! ls -A '$out' | grep -q tmp"

# Every service's fees add up exactly to its fixed fee in the tariff.
check "fees sum exactly to every fixed fee" $PY - "$y/fees.csv" input/2025/tariff.xml <<'PY'
import csv, sys, xml.etree.ElementTree as ET
fees = {s.get("id"): int(s.get("fee")) for s in ET.parse(sys.argv[2]).getroot().iter("service")}
sums = {}
for row in csv.DictReader(open(sys.argv[1], encoding="utf-8"), delimiter=";"):
    sums[row["service"]] = sums.get(row["service"], 0) + int(row["fee"])
assert sums == fees, (sums, fees)
PY

# The SPEC's worked example (E-tjänstsupport 2025) is the sample's etjanst.
check "E-tjänstsupport matches the SPEC's worked example" $PY - "$y/fees.csv" <<'PY'
import csv, sys
want = {110: (1841, 155249), 113: (121, 10204), 115: (6, 506), 116: (9, 759),
        117: (47, 3963), 122: (23, 1940), 132: (363, 30611), 169: (2, 169),
        181: (184, 15517), 191: (49, 4132), 291: (201, 16950)}
got = {}
for row in csv.DictReader(open(sys.argv[1], encoding="utf-8"), delimiter=";"):
    if row["service"] == "etjanst" and int(row["basis"]) > 0:
        got[int(row["customer"])] = (int(row["basis"]), int(row["fee"]))
        assert row["basis_total"] == "2846", row
assert got == want, got
PY

# An independent implementation of SPEC sections 1-2 (the sample generator's
# read-back check, Python) must find the same basis and fee for every row.
$PY "$SRC/tests/gen_sample.py" --out "$WORK/regen" --fees >"$WORK/independent.txt"
check "the sample generator regenerates input/2025 byte for byte" diff -r -q "$WORK/regen" input/2025
check "fees equal an independent implementation's" $PY - "$y/fees.csv" "$WORK/independent.txt" <<'PY'
import csv, re, sys
ours = {}
for r in csv.DictReader(open(sys.argv[1], encoding="utf-8"), delimiter=";"):
    if int(r["basis"]) > 0 or int(r["fee"]) > 0:
        ours[(r["service"], int(r["customer"]))] = (int(r["basis"]), int(r["fee"]))
theirs, svc = {}, None
for line in open(sys.argv[2], encoding="utf-8"):
    m = re.match(r"^(\w+)\s+fee\s+\d+", line)
    if m:
        svc = m.group(1)
        continue
    m = re.match(r"^\s+(\d+) .*?\s(\d+)\s+[\d.]+\s+(\d+)$", line.rstrip())
    if m and svc:
        theirs[(svc, int(m.group(1)))] = (int(m.group(2)), int(m.group(3)))
assert len(theirs) > 90, len(theirs)
assert ours == theirs, set(ours.items()) ^ set(theirs.items())
PY

# Same inputs, byte-identical outputs.
"$PROG" run --year 2025 --input input --output "$WORK/again" >/dev/null
check "a second run is byte-identical" test "$(tree_digest "$y")" = "$(tree_digest "$WORK/again/2025")"

# Check mode and dry run write nothing.
before=$(tree_digest "$out")
check "check mode exits 0" "$PROG" check --year 2025 --input input --output "$out"
"$PROG" run --year 2025 --dry-run --input input --output "$out" >"$WORK/preview.txt"
check "dry run and check write nothing" test "$(tree_digest "$out")" = "$before"
check "a dry run after the first issue lists no invoice to write" bash -c \
  "! grep -q 'invoices that would be written' '$WORK/preview.txt' && grep -q '^invoices that would stand after the run' '$WORK/preview.txt' && grep -q 'would issue nothing new' '$WORK/preview.txt'"
"$PROG" run --year 2025 --dry-run --input input --output "$WORK/fresh" >"$WORK/preview.txt" 2>/dev/null
check "a dry run before the first issue previews fees and net invoices" \
  grep -q "^invoices that would be written (amounts including VAT):" "$WORK/preview.txt"
check "a new root gets nothing from a dry run" bash -c "'$PROG' run --year 2025 --dry-run --input input --output '$WORK/none' >/dev/null && test ! -e '$WORK/none'"

# Last year's fees.csv feeds the Y-1 column; without it the report says so.
check "report notes missing last-year fees" grep -q "not found" "$y/report.txt"
mkdir -p "$WORK/prev/2024"
$PY - "$y/fees.csv" "$WORK/prev/2024/fees.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8"), delimiter=";"))
with open(sys.argv[2], "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f, delimiter=";", lineterminator="\n")
    w.writerow(["year", "service", "customer", "name", "basis", "basis_total", "fee"])
    for r in rows:
        w.writerow(["2024", r["service"], r["customer"], r["name"], r["basis"], r["basis_total"],
                    int(r["fee"]) // 2])
PY
check "run with last year's fees" "$PROG" run --year 2025 --input input --output "$WORK/prev"
check "report says last year's fees were read" grep -q "fees.csv (read)" "$WORK/prev/2025/report.txt"

# A last year that does not add up, like the city's own 2024 list: its rows
# sum to 1 399 999 and 2 024 001 kr against previous-fee 1 400 000 and
# 2 024 000. A warning on stderr and in the report names both amounts.
mkdir -p "$WORK/odd/2024"
$PY "$SRC/tests/e2e/make_prev_fees.py" "$y/fees.csv" "$WORK/odd/2024/fees.csv" vaxel=1399999 kcp=2024001
"$PROG" run --year 2025 --input input --output "$WORK/odd" 2>"$WORK/odd.err"
for w in "vaxel: the fees of 2024 (2024/fees.csv) sum to 1 399 999 kr, the tariff's previous-fee is 1 400 000 kr" \
         "kcp: the fees of 2024 (2024/fees.csv) sum to 2 024 001 kr, the tariff's previous-fee is 2 024 000 kr"; do
  check "warning on stderr: ${w%%:*}" grep -qF "warning: $w" "$WORK/odd.err"
  check "warning in report.txt: ${w%%:*}" grep -qF "  $w" "$WORK/odd/2025/report.txt"
done
check "without last year's fees there is nothing to check" bash -c "! grep -q 'previous-fee is' '$y/report.txt'"
/usr/bin/python3 "$SRC/tests/xlsx_check.py" dump "$WORK/odd/2025/prislista-2025.xlsx" >"$WORK/odd.cells"
check "Avstämning has a line for each, with both amounts" bash -c \
  "grep -qF 'Telefonistöd, gemensam växel: förra årets avgifter summerar till 1 399 999 kr, tariffens fasta avgift 2024 är 1 400 000 kr (skillnad -1 kr).' '$WORK/odd.cells' &&
   grep -qF 'Förvaltning av kontaktcenterplattform: förra årets avgifter summerar till 2 024 001 kr, tariffens fasta avgift 2024 är 2 024 000 kr (skillnad +1 kr).' '$WORK/odd.cells'"
check "Avstämning lists the warnings in Swedish" bash -c \
  "grep -qP '^Avstämning\tA[0-9]+\ts\tvaxel: avgifterna 2024 \(2024/fees.csv\) summerar till 1 399 999 kr, tariffens previous-fee är 1 400 000 kr\t' '$WORK/odd.cells' &&
   grep -qP '^Avstämning\tA[0-9]+\ts\tcustomers.csv:[0-9]+: bolaget 232 Stiftelsen barnens dag saknar gatuadress i kundregistret' '$WORK/odd.cells' &&
   ! grep -qP '^Avstämning\tA[0-9]+\ts\t.*(the fees of|has no street)' '$WORK/odd.cells'"
check "each service sheet has a footnote on it" bash -c \
  "grep -qP '^Telefonistöd\tA[0-9]+\ts\tFörra årets avgifter \(fees.csv 2024\) summerar till 1 399 999 kr, inte till tariffens fasta avgift 2024 på 1 400 000 kr' '$WORK/odd.cells' &&
   grep -qP '^Kontaktcenterplattform\tA[0-9]+\ts\tFörra årets avgifter \(fees.csv 2024\) summerar till 2 024 001 kr' '$WORK/odd.cells'"

# Every invoice passes the official validation artefacts.
ls "$y"/invoices/*.xml >/dev/null 2>&1 && ok "invoices written" || fail "invoices written"
check "every invoice passes validate-ubl" "$VALIDATE" -q "$y"/invoices/*.xml
n_inv=$(ls "$y"/invoices/*.xml | wc -l)
n_billable=$($PY - "$y/fees.csv" <<'PY'
import csv, sys
tot = {}
for r in csv.DictReader(open(sys.argv[1], encoding="utf-8"), delimiter=";"):
    tot[r["customer"]] = tot.get(r["customer"], 0) + int(r["fee"])
print(sum(1 for v in tot.values() if v > 0))
PY
)
check "one invoice per customer with a fee ($n_inv)" test "$n_inv" = "$n_billable"

# Company invoices carry the seller's payment details and the register's
# endpoints; departments settle by the internal posting, without them.
check "company invoices pay to the bankgiro and the IBAN, departments' to neither; endpoints from the register" \
  $PY - input/2025 "$y/invoices" <<'PY'
import csv, glob, os, sys, xml.etree.ElementTree as ET
ns = {"cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
      "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}
tariff = ET.parse(os.path.join(sys.argv[1], "tariff.xml")).getroot()
inv = tariff.find("invoicing")
bankgiro, iban, bic = inv.get("bankgiro").replace("-", ""), inv.get("iban").replace(" ", ""), inv.get("bic")
reg = {int(r["nr"]): r for r in csv.DictReader(open(os.path.join(sys.argv[1], "customers.csv"), encoding="utf-8"), delimiter=";")}
companies = 0
for p in glob.glob(os.path.join(sys.argv[2], "*.xml")):
    root = ET.parse(p).getroot()
    party = root.find("cac:AccountingCustomerParty/cac:Party", ns)
    nr = int(party.find("cac:PartyIdentification/cbc:ID", ns).text)
    r = reg[nr]
    ep = party.find("cbc:EndpointID", ns)
    want = r["endpoint"].split(":") if r["endpoint"] else ["0007", r["org_nr"].replace("-", "")]
    assert [ep.get("schemeID"), ep.text] == want, (p, ep.get("schemeID"), ep.text, want)
    means = [(m.findtext("cbc:PaymentMeansCode", None, ns), m.findtext("cbc:PaymentID", None, ns),
              m.findtext("cac:PayeeFinancialAccount/cbc:ID", None, ns),
              m.findtext("cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID", None, ns))
             for m in root.findall("cac:PaymentMeans", ns)]
    number = root.findtext("cbc:ID", None, ns)
    if r["group"] == "bolag":
        companies += 1
        assert means == [("30", number, bankgiro, "SE:BANKGIRO"), ("30", number, iban, bic)], (p, means)
    else:
        assert means == [], (p, means)
assert companies > 5, companies
PY

check "check --verbose warns of the company without a street (232)" bash -c \
  "'$PROG' check --year 2025 --input input --output '$out' --verbose 2>&1 >/dev/null | grep -q 'warning: customers.csv:[0-9]*: company 232 Stiftelsen barnens dag has no street'"

# The internal postings: an SIE 4I file in PC8, read by a reader of its own
# (tests/e2e/sie_check.py) that also proves it refuses what is wrong.
SIE="$SRC/tests/e2e/sie_check.py"
si="$y/interndebitering-2025.si"
check "writes the SIE 4I file of the year" test -s "$si"
check "and the first issue's own file, the same postings" cmp -s "$si" "$y/interndebitering-2025-0.si"
check "the SIE reader accepts it: labels, PC8, braces, every verification balanced" $PY "$SIE" parse "$si"
check "one verification per department invoice, each department's debits = its fees = its standing invoices" \
  $PY "$SIE" year input/2025 "$y" "$out/issued/2025/register.csv"
check "å ä ö are CP437 bytes (Förskoleförvaltningen as F\\x94rskolef\\x94rvaltningen)" \
  grep -qa "$(printf 'F\224rskolef\224rvaltningen')" "$si"
mkdir -p "$WORK/bad"
iconv -f CP437 -t UTF-8 "$si" >"$WORK/bad/utf8.si"
check "the reader refuses the file written in UTF-8" bash -c "! $PY '$SIE' parse '$WORK/bad/utf8.si' 2>/dev/null"
tr -d '\r' <"$si" >"$WORK/bad/lf.si"
check "the reader refuses LF line ends" bash -c "! $PY '$SIE' parse '$WORK/bad/lf.si' 2>/dev/null"
sed '0,/ 155249.00 /s// 155248.00 /' "$si" >"$WORK/bad/unbalanced.si"
check "the reader refuses an unbalanced verification" bash -c "! $PY '$SIE' parse '$WORK/bad/unbalanced.si' 2>/dev/null"
sed '0,/^#DIM /s//#DIMM /' "$si" >"$WORK/bad/label.si"
check "the reader refuses a label out of place" bash -c "! $PY '$SIE' parse '$WORK/bad/label.si' 2>/dev/null"
sed '0,/ 155249.00 /s// 155249,00 /' "$si" >"$WORK/bad/comma.si"
check "the reader refuses a decimal comma" bash -c "! $PY '$SIE' parse '$WORK/bad/comma.si' 2>/dev/null"
sed '0,/^}\r$/{/^}\r$/d}' "$si" >"$WORK/bad/brace.si"
check "the reader refuses a missing brace" bash -c "! $PY '$SIE' parse '$WORK/bad/brace.si' 2>/dev/null"
mkdir -p "$WORK/noacc/2025"
cp input/2025/*.csv "$WORK/noacc/2025/"
sed '/<!-- Internal postings/,/<\/accounting>/d' input/2025/tariff.xml >"$WORK/noacc/2025/tariff.xml"
check "a tariff without <accounting> runs" "$PROG" run --year 2025 --input "$WORK/noacc" --output "$WORK/noacc-out"
check "writes no SIE file and says so once in the report" \
  $PY "$SIE" year "$WORK/noacc/2025" "$WORK/noacc-out/2025"

# The committed expected outputs (refreshed only by tests/e2e/refresh-expected.sh).
for f in fees.csv report.txt; do
  check "$f equals tests/e2e/expected/2025/$f" cmp -s "$y/$f" "tests/e2e/expected/2025/$f"
done
finish
