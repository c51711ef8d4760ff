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

# The checks of the documents in a year folder (tests/e2e/check_documents.py):
# the files a correction must add, ledger.csv against the documents, credit
# notes against their invoices, the period split, the lists of corrections.
CHECK="$SRC/tests/e2e/check_documents.py"
# The internal postings read by a reader of their own (tests/e2e/sie_check.py).
SIE="$SRC/tests/e2e/sie_check.py"

# --- first issue -------------------------------------------------------------
check "the first run exits 0" "$PROG" run --year 2025 --input in --output out
check "it creates the record beside the year folder" test -s out/issued/2025/register.csv
check "the year folder's invoices are the record's documents" diff -r out/2025/invoices out/issued/2025/invoices
check "it writes ledger.csv" test -s out/2025/ledger.csv
check "register rows: one per document" test "$(($(wc -l <out/issued/2025/register.csv) - 1))" -eq "$(ls out/2025/invoices | wc -l)"
check "ledger.csv reconciles with the invoices" $PY "$CHECK" ledger out/2025 out/2025/fees.csv
check "the SIE file posts every department's invoice" $PY "$SIE" year in/2025 out/2025 out/issued/2025/register.csv
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
sha_of() { # sha_of NUMBER: the first 12 digits of its sha256 in the register
  awk -F';' -v n="$1" '$1 == n { print substr($18, 1, 12) }' out/issued/2025/register.csv
}
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
  "dmg/issued/2025/invoices/2025-110.xml: expected document 'KC2025-110' as issued (sha256 $(sha_of KC2025-110)…), found different bytes; the record of issued documents must not be edited" \
  in "sed -i 's/Stadsledningskontoret/Stadsledningskontor/' issued/2025/invoices/2025-110.xml"
damaged "a lost stored invoice" \
  "dmg/issued/2025/invoices/2025-110.xml: expected document 'KC2025-110' as issued (sha256 $(sha_of KC2025-110)…), found no readable file (No such file or directory); the record of issued documents must not be edited" \
  in "rm issued/2025/invoices/2025-110.xml"
damaged "a register row removed" \
  "dmg/issued/2025/invoices/2025-110.xml: expected only the documents listed in register.csv, found 1 file it does not list; the record of issued documents must not be edited: restore register.csv from a backup" \
  in "sed -i '/^KC2025-110;/d' issued/2025/register.csv"
damaged "a register row and its copy removed" \
  "dmg/2025/invoices: expected only documents of the record (issued/2025/register.csv) in this folder, found 2025-110.xml, which it does not list; restore the record from a backup" \
  in "sed -i '/^KC2025-110;/d' issued/2025/register.csv && rm issued/2025/invoices/2025-110.xml"
cp -r in inq && sed -i 's/number-prefix="KC"/number-prefix="KC" periods="4"/' inq/2025/tariff.xml
damaged "another number of periods after the first issue" \
  "dmg/issued/2025/register.csv:2: expected invoice periods of the tariff's periods=\"4\", found '$(sed -n 2p out/issued/2025/register.csv | cut -d';' -f1)' for 2025-01-01–2025-12-31; the periods cannot change once invoices are issued" \
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
$PY "$CHECK" expected fees0.csv out/2025/fees.csv files0.txt >want1.txt
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
  $PY "$CHECK" credits out/2025 "$(cat new1.txt)"
check "credit notes and new invoices carry the issue date" bash -c \
  "cd out/2025/invoices && grep -l '<cbc:IssueDate>2025-03-03</cbc:IssueDate>' \$(cat '$WORK/new1.txt') | wc -l | grep -qx $(wc -l <new1.txt)"
check "ledger.csv reconciles with every document after the correction" \
  $PY "$CHECK" ledger out/2025 out/2025/fees.csv
check "ledger.csv has credit notes negative" grep -Eq '^KC2025-113-K1;credit;113;[^;]*;1;etjanst;2025-01-01;2025-12-31;-10204\.00;' out/2025/ledger.csv
check "the SIE files after the correction: 113's credit note reverses its invoice, its new invoice is posted, the debits still equal the fees" \
  $PY "$SIE" year in2/2025 out/2025 out/issued/2025/register.csv
check "the correction's own SIE file holds the correction's internal documents" bash -c \
  "test -s out/2025/interndebitering-2025-1.si && iconv -f CP437 -t UTF-8 out/2025/interndebitering-2025-1.si | grep -q '^#VER \"\" \"\" 20250303 \"Kreditnota KC2025-113-K1 krediterar KC2025-113 '"
check "report.txt and the check sheet list every correction document" \
  $PY "$CHECK" listed out/2025 out/issued/2025/register.csv
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
$PY "$CHECK" expected fees1.txt out/2025/fees.csv files1.txt >want2.txt
check "exactly the documents the second change calls for ($(wc -l <new2.txt) files)" diff want2.txt new2.txt
check "367 owes nothing: only a credit note" bash -c "grep -qx 2025-367-K1.xml new2.txt && ! grep -q '^2025-367-R' new2.txt"
check "209 is new: its first invoice under the plain number" grep -qx 2025-209.xml new2.txt
check "the second correction's documents pass validate-ubl" "$VALIDATE" -q $(sed 's|^|out/2025/invoices/|' new2.txt)
check "and ledger.csv still reconciles" $PY "$CHECK" ledger out/2025 out/2025/fees.csv
check "the SIE files after the second correction (companies only: no file for run 2)" bash -c \
  "$PY '$SIE' year in3/2025 out/2025 out/issued/2025/register.csv && test ! -e out/2025/interndebitering-2025-2.si"
check "the register numbers the runs 0, 1 and 2" bash -c \
  "cut -d';' -f10 out/issued/2025/register.csv | tail -n +2 | sort -u | tr '\n' ' ' | grep -qx '0 1 2 '"
check "report.txt and the check sheet list both corrections' documents" \
  $PY "$CHECK" listed out/2025 out/issued/2025/register.csv

# --- invoicing per month -------------------------------------------------------
cp -r in p12
sed -i 's/number-prefix="KC"/number-prefix="KC" periods="12"/' p12/2025/tariff.xml
check "a run with periods=\"12\" exits 0" "$PROG" run --year 2025 --input p12 --output out12
n12=$(ls out12/2025/invoices | wc -l)
n1=$(ls elsewhere/deeper/root/2025/invoices | wc -l)
check "twelve invoices per billable customer ($n12 = 12 x $n1)" test "$n12" -eq $((12 * n1))
check "each customer's 12 invoices sum exactly to the annual fees" \
  $PY "$CHECK" periods out12/2025 out12/2025/fees.csv 12
check "a later period is issued on its first day" \
  grep -q '<cbc:IssueDate>2025-07-01</cbc:IssueDate>' out12/2025/invoices/2025-110-07.xml
check "the first period on the tariff's issue date" \
  grep -q '<cbc:IssueDate>2025-01-15</cbc:IssueDate>' out12/2025/invoices/2025-110-01.xml
check "ledger.csv reconciles with the 12-period invoices" $PY "$CHECK" ledger out12/2025 out12/2025/fees.csv
check "every period invoice passes validate-ubl ($n12 files)" "$VALIDATE" -q out12/2025/invoices/*.xml
check "one verification per period invoice, each balanced" $PY "$SIE" year p12/2025 out12/2025 out12/issued/2025/register.csv

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
$PY "$CHECK" expected fees12.csv out12/2025/fees.csv files12.txt 12 >want12.txt
check "exactly the monthly credit notes and new invoices ($(wc -l <new12.txt) files)" diff want12.txt new12.txt
check "numbered per period (KC2025-113-07-K1)" grep -qx 2025-113-07-K1.xml new12.txt
check "a January replacement is issued on the correction date" \
  grep -q '<cbc:IssueDate>2025-03-03</cbc:IssueDate>' out12/2025/invoices/2025-113-01-R1.xml
check "a July replacement and its credit note on July 1" bash -c \
  "grep -q '<cbc:IssueDate>2025-07-01</cbc:IssueDate>' out12/2025/invoices/2025-113-07-R1.xml && grep -q '<cbc:IssueDate>2025-07-01</cbc:IssueDate>' out12/2025/invoices/2025-113-07-K1.xml"
check "the monthly corrections pass validate-ubl" "$VALIDATE" -q $(sed 's|^|out12/2025/invoices/|' new12.txt)
check "the monthly credit notes mirror their invoices" $PY "$CHECK" credits out12/2025 "$(cat new12.txt)"
check "and ledger.csv reconciles" $PY "$CHECK" ledger out12/2025 out12/2025/fees.csv
check "and the monthly SIE files: credit notes per period reverse their invoices" \
  $PY "$SIE" year p12/2025 out12/2025 out12/issued/2025/register.csv
finish
