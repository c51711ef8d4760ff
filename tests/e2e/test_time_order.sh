#!/usr/bin/env bash
# Documents in time order (issue 16): within one customer's period, every
# document is dated no earlier than the one before it in the record — a
# credit note no earlier than the invoice it cancels, a new invoice no
# earlier than the credit note of the invoice it replaces — also when a
# correction is dated before an earlier correction; so the ledger, sorted by
# date, never shows a period invoiced twice. `run --dry-run --diff` and
# `--dry-run` name the documents that really stand or would be written (a
# period's number, the replacement of a corrected invoice), never a base
# number that was not issued or has been cancelled.
source "$(dirname "$0")/lib.sh"
cd "$WORK"

fresh() { rm -rf "$WORK/c"; mkdir "$WORK/c"; cd "$WORK/c"; cp -r "$SRC/input" in; }
first_run() { "$PROG" run --year 2025 --input in --output out >/dev/null; }
set_fee() { sed -i "s/fee=\"$1\" previous-fee/fee=\"$2\" previous-fee/" in/2025/tariff.xml; }
quarterly() { sed -i 's/number-prefix="KC"/number-prefix="KC" periods="4"/' in/2025/tariff.xml; }

# in_order REGISTER: per customer and period, dates never go back in record
# order, and at the end of every date at most one invoice of the period stands
in_order() {
  "$PY" - "$1" <<'PY'
import csv, sys, collections
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8"), delimiter=";"))
by = collections.defaultdict(list)
for r in rows:
    by[(r["customer"], r["period_start"])].append(r)
bad = []
for key, docs in by.items():
    last = ""
    for r in docs:
        if r["issue_date"] < last:
            bad.append(f"{r['number']} dated {r['issue_date']} after a document of {last}")
        last = max(last, r["issue_date"])
    standing = 0
    dates = sorted({r["issue_date"] for r in docs})
    for day in dates:
        standing = sum(1 if r["kind"] == "invoice" else -1 for r in docs if r["issue_date"] <= day)
        if standing > 1:
            bad.append(f"customer {key[0]} period {key[1]}: {standing} invoices stand on {day}")
for b in bad[:5]:
    print(b)
sys.exit(1 if bad else 0)
PY
}

# ---- D1: a correction dated before an earlier correction ---------------------
for layout in yearly quarterly; do
  fresh; [ $layout = quarterly ] && quarterly; first_run
  set_fee 240000 250000
  "$PROG" run --year 2025 --input in --output out --correct --issue-date 2025-06-01 >/dev/null
  set_fee 250000 260000
  set +e; "$PROG" run --year 2025 --input in --output out --correct --issue-date 2025-03-01 2>err.txt; rc=$?; set -e
  check "$layout: the earlier-dated second correction runs" test "$rc" -eq 0
  check "$layout: every period's documents are in time order, one invoice standing" \
    in_order out/issued/2025/register.csv
done
# the replacement of KC2025-110-R1 (dated 2025-06-01) is dated with its
# credit note; a customer the first correction did not touch (108: no
# etjanst) gets the date asked for
fresh; first_run; set_fee 240000 250000
"$PROG" run --year 2025 --input in --output out --correct --issue-date 2025-06-01 >/dev/null
set_fee 2024000 2100000
"$PROG" run --year 2025 --input in --output out --correct --issue-date 2025-03-01 >/dev/null
check "R2 is dated as K2, which cancels R1 of 2025-06-01" bash -c \
  "grep -q '^KC2025-110-K2;credit;.*;2025-06-01;2025-07-01;KC2025-110-R1;2;' out/issued/2025/register.csv &&
   grep -q '^KC2025-110-R2;invoice;.*;2025-06-01;2025-07-01;;2;' out/issued/2025/register.csv"
check "a customer corrected for the first time gets the date asked for" bash -c \
  "grep -q '^KC2025-108-K1;credit;.*;2025-03-01;2025-03-31;KC2025-108;2;' out/issued/2025/register.csv &&
   grep -q '^KC2025-108-R1;invoice;.*;2025-03-01;2025-03-31;;2;' out/issued/2025/register.csv"
check "  in time order" in_order out/issued/2025/register.csv

# ---- D2: the dry run names the documents that stand --------------------------
fresh; first_run; set_fee 240000 250000
"$PROG" run --year 2025 --input in --output out --correct --issue-date 2025-06-01 >/dev/null
set_fee 250000 260000
"$PROG" run --year 2025 --input in --output out --dry-run --diff >diff.txt
sed -n '/^invoices that would change (/,$p' diff.txt >list.txt
check "--diff after a correction names the standing KC2025-110-R1" grep -q '^  KC2025-110-R1 ' list.txt
check "  not the cancelled KC2025-110" bash -c "! grep -q '^  KC2025-110 ' list.txt"
check "  and what it would get (K2, R2)" grep -q 'KC2025-110-K2.*KC2025-110-R2' list.txt

fresh; quarterly; "$PROG" run --year 2025 --input in --output out --dry-run >plain.txt
sed -n '/^invoices that would be written (/,$p' plain.txt >list.txt
check "--dry-run with periods names the period invoices (KC2025-110-01)" grep -q '^  KC2025-110-01 ' list.txt
check "  not a number that is never issued" bash -c "! grep -q '^  KC2025-110 ' list.txt"
check "  four periods of 110" test "$(grep -c '^  KC2025-110-0[1-4] ' list.txt)" -eq 4
first_run; set_fee 240000 250000
"$PROG" run --year 2025 --input in --output out --dry-run --diff >diff.txt
sed -n '/^invoices that would change (/,$p' diff.txt >list.txt
check "--diff with periods names the issued period invoices" grep -q '^  KC2025-110-01 ' list.txt
check "  not KC2025-110" bash -c "! grep -q '^  KC2025-110 ' list.txt"
check "every number listed is in the record" bash -c "
  for n in \$(sed -n 's/^  \(KC[^ ]*\) .*/\1/p' list.txt); do grep -q \"^\$n;\" out/issued/2025/register.csv || exit 1; done"
finish
