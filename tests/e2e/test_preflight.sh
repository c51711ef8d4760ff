#!/usr/bin/env bash
# Pre-flight honesty (issue 16): `check` exits with the status `run` would
# for every data problem — the record, the year folder's copies, the plan of
# the documents (changes without --correct, periods, dates), the stored
# invoices a correction would credit, what sits at the output's names — and
# writes nothing. A cron job that runs check first never sees check pass and
# run fail on the same inputs and options.
source "$(dirname "$0")/lib.sh"
cd "$WORK"
T=60

run_rc() { set +e; timeout "$T" "$PROG" "$@" >out.txt 2>err.txt; rc=$?; set -e; }
fresh() { rm -rf "$WORK/c"; mkdir "$WORK/c"; cd "$WORK/c"; cp -r "$SRC/input" in; }
first_run() { "$PROG" run --year 2025 --input in --output out >/dev/null; }
change_fee() { sed -i 's/fee="240000" previous-fee/fee="250000" previous-fee/' "$1/2025/tariff.xml"; }

# same_as_run WHAT [OPTIONS...]: check and run (same options) exit alike,
# non-zero; check writes nothing and says the same first line
same_as_run() {
  local what=$1; shift
  local before crc cerr
  before=$(tree_digest out)
  run_rc check --year 2025 --input in --output out "$@"
  crc=$rc; cerr=$(head -1 err.txt)
  check "$what: check writes nothing" test "$(tree_digest out)" = "$before"
  run_rc run --year 2025 --input in --output out "$@"
  check "$what: run fails ($rc)" test "$rc" -ne 0
  check "$what: check exits as run ($crc = $rc)" test "$crc" -eq "$rc"
  # the line may name a temporary folder in run; compare it without the path
  check "$what: check says what run says" \
    test "$(sed 's/^[^:]*: //' <<<"$cerr")" = "$(head -1 err.txt | sed 's/^[^:]*: //')"
}

fresh; first_run; change_fee in
same_as_run "fees changed without --correct"
fresh; first_run; echo junk >>out/issued/2025/invoices/2025-110.xml
same_as_run "a damaged issued copy"
fresh; first_run; rm -rf out/issued
same_as_run "a year folder without its record"
fresh; first_run; sed -i 's/number-prefix="KC"/number-prefix="KC" periods="4"/' in/2025/tariff.xml
same_as_run "periods changed after issue"
fresh; first_run; cp out/issued/2025/invoices/2025-110.xml out/issued/2025/invoices/2025-110.xml~
same_as_run "a stray file in the record"
fresh; first_run
"$PY" -c "
p='out/issued/2025/register.csv'; L=open(p,encoding='utf-8').read().split('\n')
c=L[2].split(';'); c[7]='3000-01-30'; L[2]=';'.join(c)
open(p,'w',encoding='utf-8').write('\n'.join(L))"
same_as_run "a due date in year 3000 in the record"
# amounts of one register row edited, its hash kept: a correction would
# credit a document that is not the one the register lists
fresh; first_run
sed -i 's/^KC2025-110;\(.*\);420288.00;0.00;420288.00;etjanst=155249.00,/KC2025-110;\1;365039.00;0.00;365039.00;etjanst=100000.00,/' out/issued/2025/register.csv
grep -q '365039.00' out/issued/2025/register.csv || fail "the register row was not edited (test setup)"
same_as_run "an edited register row, with --correct" --correct --issue-date 2025-03-03
fresh; first_run; change_fee in
same_as_run "a correction dated before the tariff's issue date" --correct --issue-date 2025-01-01
# text the invoice writer would refuse (a control character in a name):
# check builds every new invoice as run would
fresh; "$PY" -c "
p='in/2025/customers.csv'; L=open(p,'rb').read().split(b'\n')
L=[l.replace(b'Stockholms Stads', b'Stockholms\x01 Stads', 1) if l.startswith(b'291;') else l for l in L]
open(p,'wb').write(b'\n'.join(L))"
grep -q $'Stockholms\x01' in/2025/customers.csv || fail "no control character in the name (test setup)"
mkdir out
same_as_run "a control character in a customer's name"
fresh; mkdir out; echo notes >out/2025
same_as_run "a regular file at OUT/Y"
check "  it is 73" test "$rc" -eq 73
fresh; echo notes >out
same_as_run "a regular file as the output root"

# what run accepts, check accepts, with the same options
fresh; first_run; change_fee in
before=$(tree_digest out)
run_rc check --year 2025 --input in --output out --correct --issue-date 2025-03-03
check "check --correct --issue-date passes where run --correct will" test "$rc" -eq 0
check "  and writes nothing" test "$(tree_digest out)" = "$before"
run_rc run --year 2025 --input in --output out --correct --issue-date 2025-03-03
check "  run --correct passes" test "$rc" -eq 0
run_rc check --year 2025 --input in --output out
check "check after the correction passes" test "$rc" -eq 0
fresh
run_rc check --year 2025 --input in --output out
check "check before the first run passes" test "$rc" -eq 0
check "  and creates no output folder" test ! -e out
run_rc check --year 2025 --input in --output out --correct
check "check --correct without --issue-date is a usage error" test "$rc" -eq 64
finish
