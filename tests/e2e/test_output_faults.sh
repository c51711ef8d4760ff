#!/usr/bin/env bash
# Faults on the output side and hostile text: an output folder that cannot
# be created (73), a full disk (74, simulated with a file-size limit), a
# second run while one holds the lock (75) — each failing cleanly with the
# earlier output untouched and no partial files — and customer names that try
# formula injection or XML breakage.
source "$(dirname "$0")/lib.sh"
cd "$WORK"
cp -r "$SRC/input" in
"$PROG" run --year 2025 --input in --output out >/dev/null
GOOD=$(tree_digest out)

# Cannot create the output folder.
touch afile
set +e
"$PROG" run --year 2025 --input in --output afile/out 2>err.txt; rc=$?
set -e
check "unwritable output root exits 73" test $rc -eq 73
check "and says why" grep -q "^afile/out: cannot create the output folder: Not a directory" err.txt

# A full disk: every write beyond 16 KiB fails (EFBIG, SIGXFSZ ignored).
set +e
bash -c 'trap "" XFSZ; ulimit -f 16; exec "$0" run --year 2025 --input in --output out' "$PROG" 2>err.txt; rc=$?
set -e
check "full disk exits 74" test $rc -eq 74
check "and names the file as it will be found and the reason" grep -Eq "^out/2025/[a-z0-9./-]+: cannot write: File too large$" err.txt
check "  never the temporary folder" bash -c "! grep -q 'tmp-' err.txt"
check "full disk leaves the earlier output untouched" test "$(tree_digest out)" = "$GOOD"
check "full disk leaves no temporary folder" test -z "$(ls -A out | grep tmp || true)"

# Two runs at once: the second is refused while the first holds the lock.
# The holder keeps the lock until the run has ended, however slow it is
# (valgrind).
flock out/.internpris.lock sh -c 'touch held; while [ ! -e release ]; do sleep 0.05; done' &
holder=$!
while [ ! -e held ]; do sleep 0.05; done
set +e
"$PROG" run --year 2025 --input in --output out 2>err.txt; rc=$?
set -e
touch release
wait $holder
check "a second run exits 75" test $rc -eq 75
check "and says another run holds the lock" grep -q "^out: expected no other run on this output folder, found one holding its lock" err.txt
check "the locked-out run changed nothing" test "$(tree_digest out)" = "$GOOD"

# Hostile names: formula-like text in the workbook, XML specials in invoices.
# (A name that starts with '=', '+', '-' or '@' is refused by the register,
# test_hostile_reads; inside a name such text must stay text.)
$PY - in/2025/customers.csv <<'PY'
import sys
p = sys.argv[1]
lines = open(p, encoding="utf-8").read().split("\n")
out = []
for l in lines:
    if l.startswith("110;"):
        l = l.replace("Stadsledningskontoret", "Kontor =HYPERLINK(\"\"http://x\"\")", 1)
        f = l.split(";", 2)
        l = f[0] + ';"' + f[1] + '";' + f[2]
    if l.startswith("291;"):
        l = l.replace("Stockholms Stads Bostadsförmedling AB", "Bostad <&> \"\"AB\"\" 'x'", 1)
        f = l.split(";", 2)
        l = f[0] + ';"' + f[1] + '";' + f[2]
    if l.startswith("113;"):
        l = l.replace("Socialförvaltningen", "Social @SUM(1+1)", 1)
    if l.startswith("117;"):
        l = l.replace("Utbildningsnämnden", "Skola -2+3", 1)
    out.append(l)
open(p, "w", encoding="utf-8").write("\n".join(out))
PY
check "run with hostile names" "$PROG" run --year 2025 --input in --output hostile
check "formula-like names are text cells, never formulas" $PY - hostile/2025/prislista-2025.xlsx <<'PY'
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
seen = set()
for ws in wb.worksheets:
    for row in ws.iter_rows():
        for c in row:
            v = c.value
            if isinstance(v, str) and any(x in v for x in ("HYPERLINK", "@SUM", "-2+3")):
                assert c.data_type == "s", (ws.title, c.coordinate, v, c.data_type)
                seen.add(v)
assert all(any(x in s for s in seen) for x in ("HYPERLINK", "@SUM(1+1)", "-2+3")), seen
PY
check "XML specials come out escaped and intact in the invoice" $PY - hostile/2025/invoices/2025-291.xml <<'PY'
import sys, xml.etree.ElementTree as ET
ns = {"cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
      "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}
root = ET.parse(sys.argv[1]).getroot()
name = root.find("cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName", ns).text
assert name == "Bostad <&> \"AB\" 'x'", name
PY
check "hostile invoices pass validate-ubl" "$VALIDATE" -q hostile/2025/invoices/2025-291.xml hostile/2025/invoices/2025-110.xml
check "no output file is named from input text" bash -c "cd hostile/2025 && find . -type f | grep -Evq '^\./(fees\.csv|report\.txt|ledger\.csv|interndebitering-2025(-[0-9]+)?\.si|prislista-2025\.xlsx|invoices/2025-[0-9]+\.xml)$' && exit 1 || exit 0"
check "no record file is named from input text" bash -c "cd hostile/issued/2025 && find . -type f | grep -Evq '^\./(register\.csv|invoices/2025-[0-9]+\.xml)$' && exit 1 || exit 0"
finish
