#!/usr/bin/env bash
# The command line, the scenario's workbook and the tariff's XML loading
# under hostile use (issue 16, second probe): a <basis> naming the tariff or
# the register (C1), a --workbook naming an input (W1), an option without
# its value (U1), the command-line nits (U2: an option twice, --year's
# digits, a closed pipe, the lock file, --name's text), a schema that pulls
# in other files (X1) and a signal while the workbook is written (O3).
# Every refused case must leave the inputs as they were; no case may wait
# for ever (each run has a timeout).
source "$(dirname "$0")/lib.sh"
cd "$WORK"
T=20 # seconds: a run that takes longer is taken to hang

run_rc() { set +e; { timeout "$T" "$PROG" "$@" >out.txt 2>err.txt; } 2>/dev/null; rc=$?; set -e; }
fresh() { rm -rf "$WORK/c"; mkdir "$WORK/c"; cd "$WORK/c"; cp -r "$SRC/input" in; }
proposal() { cp in/2025/tariff.xml prop.xml; sed -i 's/fee="240000" previous-fee/fee="260000" previous-fee/' prop.xml; }

# ---- C1: a <basis file=…> naming the register or the tariff -----------------
for f in customers.csv tariff.xml; do
  fresh
  sed -i "s/file=\"licences.csv\"/file=\"$f\"/" in/2025/tariff.xml
  line=$(grep -n "file=\"$f\"" in/2025/tariff.xml | head -1 | cut -d: -f1)
  for cmd in check run; do
    run_rc "$cmd" --year 2025 --input in --output out
    check "C1 basis file=$f: $cmd exits 78 (no crash)" test "$rc" -eq 78
  done
  check "C1 basis file=$f: the line names the tariff's service and the file" \
    grep -q "^in/2025/tariff.xml:[0-9]*: expected a statistics file in <basis file=\"…\"> of service 'kcp', found $f, the " err.txt
  check "C1 basis file=$f: nothing was written" test ! -e out/2025
done

# ---- W1: scenario --workbook must not replace what the scenario reads -------
fresh; proposal
before_in=$(tree_digest in); before_prop=$(sha256sum <prop.xml)
w1() { # w1 DESCRIPTION WORKBOOK [MORE ARGS]: 64, the inputs and the proposal as before
  local what=$1 wb=$2; shift 2
  run_rc scenario --year 2025 --input in --output out --tariff prop.xml --workbook "$wb" "$@"
  check "W1 $what: exits 64" test "$rc" -eq 64
  check "W1 $what: prints no comparison" test ! -s out.txt
  check "W1 $what: the inputs are as before" test "$(tree_digest in)" = "$before_in"
  check "W1 $what: the proposal is as before" test "$(sha256sum <prop.xml)" = "$before_prop"
}
w1 "--workbook the proposal" prop.xml
grep -q "^internpris: expected --workbook FILE.xlsx, found 'prop.xml'" err.txt &&
  ok "W1   the message says FILE.xlsx" || fail "W1   the message says FILE.xlsx"
w1 "--workbook the decided tariff" in/2025/tariff.xml
w1 "--workbook inside the input year folder" in/2025/cmp.xlsx
check "W1   and nothing was written there" test ! -e in/2025/cmp.xlsx
cp prop.xml prop.xlsx
w1 "--workbook a --tariff file" prop.xlsx --tariff prop.xlsx
grep -q "one of the --tariff files" err.txt && ok "W1   the message names the --tariff file" ||
  fail "W1   the message names the --tariff file"
check "W1   and the proposal named .xlsx is as before" cmp -s prop.xml prop.xlsx
ln -s prop.xml link.xlsx
w1 "--workbook a link to the proposal" link.xlsx
mkdir tp; cp "$SRC/templates/tariff.xsd" tp/
w1 "--workbook in the templates folder" tp/cmp.xlsx --templates tp
check "W1   and the schema folder holds only the schema" test "$(ls tp)" = tariff.xsd
echo "notes of the budget meeting" >notes.xlsx
w1 "--workbook an existing file that is not a workbook" notes.xlsx
check "W1   and that file is as before" grep -qx "notes of the budget meeting" notes.xlsx
"$PY" -c "import zipfile; zipfile.ZipFile('other.xlsx', 'w').writestr('docProps/core.xml', '<dc:creator>someone</dc:creator>')"
cp other.xlsx other.before
w1 "--workbook a zip file internpris did not write" other.xlsx
check "W1   and that file is as before" cmp -s other.xlsx other.before
mkfifo fifo.xlsx
w1 "--workbook a named pipe" fifo.xlsx
check "W1   and it is still a named pipe" test -p fifo.xlsx
run_rc scenario --year 2025 --input in --output out --tariff prop.xml --workbook cmp.xlsx
check "W1 a new workbook is written" test "$rc" -eq 0 -a -s cmp.xlsx
ln -s cmp.xlsx link2.xlsx
w1 "--workbook a link to an earlier workbook" link2.xlsx
check "W1   and the link stays a link" test -L link2.xlsx
run_rc scenario --year 2025 --input in --output out --tariff prop.xml --workbook cmp.xlsx
check "W1 an earlier workbook is replaced" test "$rc" -eq 0
check "W1   and is a workbook" test "$(head -c 4 cmp.xlsx | od -An -tx1 | tr -d ' ')" = 504b0304
"$PROG" run --year 2025 --input in --output pl >/dev/null 2>&1
cp pl/2025/prislista-2025.xlsx price.xlsx
run_rc scenario --year 2025 --input in --output out --tariff prop.xml --workbook price.xlsx
check "W1 a price list internpris wrote may be replaced too" test "$rc" -eq 0

# ---- W1 by identity: the same folder by another name than a spelling --------
# a folder reached through a link below PATH_MAX's depth (realpath() fails,
# names alone say apart), and bind mounts of each folder the scenario reads
fresh; proposal; mkdir deep; (
  cd deep; for i in $(seq 18); do d=$(printf 'd%.0s' $(seq 250)); mkdir "$d"; cd "$d"; done
  cp -r "$WORK/c/in" in; cp "$WORK/c/prop.xml" .; ln -s in lnk
  set +e; timeout "$T" "$PROG" scenario --year 2025 --input in --output out --tariff prop.xml \
    --workbook lnk/2025/cmp.xlsx >/dev/null 2>"$WORK/c/err.txt"; echo $? >"$WORK/c/rc"
  [ -e in/2025/cmp.xlsx ] && echo written >"$WORK/c/written"; true)
check "W1 below PATH_MAX's depth, --workbook through a link into the input year folder: 64" \
  test "$(cat rc)" = 64
check "W1   says it must lie outside the input folder" \
  grep -q "^internpris: expected --workbook outside the input folder, found lnk/2025/cmp.xlsx in in/2025 " err.txt
check "W1   and nothing was written there" test ! -e written
rm -rf deep
MNTS=()
trap 'for m in "${MNTS[@]}"; do umount "$m" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT
mount_ok() { mkdir -p "$WORK/mt-a" "$WORK/mt-b" && mount --bind "$WORK/mt-a" "$WORK/mt-b" 2>/dev/null &&
  umount "$WORK/mt-b"; }
if mount_ok; then
  fresh; proposal; mkdir out tp; cp "$SRC/templates/tariff.xsd" tp/; cp prop.xml prop.xlsx
  before_in=$(tree_digest in); before_prop=$(sha256sum <prop.xml)
  mkdir m-in m-out m-tp; : >m-prop.xlsx
  mount --bind in/2025 m-in; MNTS+=("$PWD/m-in")
  mount --bind out m-out; MNTS+=("$PWD/m-out")
  mount --bind tp m-tp; MNTS+=("$PWD/m-tp")
  mount --bind prop.xlsx m-prop.xlsx; MNTS+=("$PWD/m-prop.xlsx")
  w1 "--workbook in a bind mount of the input year folder" m-in/cmp.xlsx
  check "W1   says it must lie outside the input folder" \
    grep -q "^internpris: expected --workbook outside the input folder, found m-in/cmp.xlsx in in/2025 " err.txt
  check "W1   and nothing was written there" test ! -e in/2025/cmp.xlsx
  w1 "--workbook in a bind mount of the output root" m-out/cmp.xlsx
  check "W1   says it must lie outside the output root" \
    grep -q "^internpris: expected --workbook outside the output root, found m-out/cmp.xlsx in out " err.txt
  check "W1   and nothing was written there" test -z "$(ls -A out)"
  w1 "--workbook in a bind mount of the templates folder" m-tp/cmp.xlsx --templates tp
  check "W1   and the schema folder holds only the schema" test "$(ls tp)" = tariff.xsd
  w1 "--workbook a bind mount of a --tariff file" m-prop.xlsx --tariff prop.xlsx
  check "W1   the message names the --tariff file" grep -q "one of the --tariff files" err.txt
  check "W1   and the proposal named .xlsx is as before" cmp -s prop.xml prop.xlsx
  for m in "${MNTS[@]}"; do umount "$m"; done; MNTS=()
else
  echo "SKIP - bind mounts not allowed here (--workbook in a folder mounted twice)"
fi

# ---- P11: a path from the command line cannot break a usage line ----------------
fresh; proposal; mkdir -p $'o\nx'
run_rc scenario --year 2025 --input in --output $'o\nx' --tariff prop.xml --workbook $'o\nx/c\e[31m.xlsx'
check "a newline in --output and --workbook: 64" test "$rc" -eq 64
check "  one line and the advice" test "$(wc -l <err.txt)" -eq 2
check "  the newline and the escape shown as \\x0A and \\x1B" \
  grep -q '^internpris: expected --workbook outside the output root, found o\\x0Ax/c\\x1B\[31m\.xlsx in o\\x0Ax ' err.txt
run_rc scenario --year 2025 --input in --output out --tariff prop.xml --workbook $'a\nb'
check "a newline in a --workbook without .xlsx: one line and the advice" test "$rc" -eq 64 -a "$(wc -l <err.txt)" -eq 2
run_rc scenario --year 2025 --input in --output out --tariff prop.xml --workbook $'in/2025/a\nb.xlsx'
check "a newline in a --workbook inside the input folder: one line and the advice" test "$rc" -eq 64 -a "$(wc -l <err.txt)" -eq 2
cp prop.xml $'p\nq.xlsx'
run_rc scenario --year 2025 --input in --output out --tariff $'p\nq.xlsx' --workbook $'p\nq.xlsx'
check "a newline in a --workbook that is a --tariff file: one line and the advice" test "$rc" -eq 64 -a "$(wc -l <err.txt)" -eq 2
for bad in "--customer=1"$'\n'"2" "--issue-date=2025"$'\n'"-01-01" $'--no\nsuch' $'wh\nat'; do
  run_rc explain --year 2025 --input in --output out "$bad"
  check "a newline in '${bad//$'\n'/\\n}': 64, one line and the advice" test "$rc" -eq 64 -a "$(wc -l <err.txt)" -eq 2
  check "  no escape or newline byte of the argument" grep -q '\\x0A' err.txt
done

# ---- U1: an option without its value does not swallow the next option -------
fresh
for opt in --output --input --templates; do
  run_rc run --year 2025 "$opt" --dry-run
  check "U1 '$opt --dry-run': exits 64" test "$rc" -eq 64
  check "U1 '$opt --dry-run': says the value is missing" \
    grep -q "^internpris: option '$opt' needs a value, found the option '--dry-run'" err.txt
done
run_rc run --year 2025 --input in --output --dry-run
check "U1 'run --output --dry-run': exits 64" test "$rc" -eq 64
check "U1 'run --output --dry-run': issues nothing" test ! -e ./--dry-run -a ! -e out
run_rc run --year 2025 --input in --output --correct --issue-date 2025-03-03
check "U1 '--output --correct': exits 64, nothing in ./--correct" test "$rc" -eq 64 -a ! -e ./--correct
run_rc check --year 2025 --input in --output=./--x
check "U1 a folder named --x is still given as --output=./--x" test "$rc" -eq 0
run_rc check --year --input in
check "U1 '--year --input': exits 64" test "$rc" -eq 64

# ---- U2: the command-line nits ------------------------------------------------
fresh
"$PROG" run --year 2025 --input in --output out >/dev/null 2>&1
u2_twice() { # u2_twice OPTION ARGS...
  local o=$1; shift
  run_rc "$@"
  check "U2 $o twice: exits 64" test "$rc" -eq 64
  check "U2 $o twice: says so" grep -q "^internpris: option '$o' given twice" err.txt
}
u2_twice --year check --year 2025 --year 2024 --input in --output out
u2_twice --output check --year 2025 --input in --output out --output elsewhere
u2_twice --input check --year 2025 --input in --input in --output out
u2_twice --customer explain --year 2025 --customer 110 --customer 113 --input in --output out
u2_twice --issue-date check --correct --issue-date 2025-03-03 --issue-date 2025-03-04 --year 2025 --input in --output out
for y in ' 2025' '2025 ' '+2025' '02025' '2025x' '0x7e9'; do
  run_rc check --year "$y" --input in --output out
  check "U2 --year '$y': exits 64" test "$rc" -eq 64
done
run_rc check --year 2025 --input in --output out
check "U2 --year 2025: exits 0" test "$rc" -eq 0
# a closed pipe: the documented 74 (a write error), not 141 (SIGPIPE). The
# pipe's reading end is closed before the program starts, so every write
# meets it (no race with a reader that has not gone yet).
closed_pipe() { # closed_pipe ARGS...: the status of the program writing into a closed pipe
  "$PY" - "$PROG" "$@" <<'PY'
import os, subprocess, sys
r, w = os.pipe()
os.close(r)
p = subprocess.run(sys.argv[1:], stdout=w, stderr=open('pipe.err', 'w'))
print(p.returncode if p.returncode >= 0 else 128 - p.returncode)
PY
}
rc=$(closed_pipe run --dry-run --year 2025 --input in --output out)
check "U2 a dry run into a closed pipe exits 74 (not 141)" test "$rc" -eq 74
check "U2   saying why" grep -q "^<stdout>: cannot write: Broken pipe" pipe.err
rc=$(closed_pipe explain --year 2025 --customer 110 --input in --output out)
check "U2 explain into a closed pipe exits 74" test "$rc" -eq 74
rc=$(closed_pipe check --summary --year 2025 --input in --output out)
check "U2 check --summary into a closed pipe exits 74" test "$rc" -eq 74
# the lock file: opened without following a link, a regular file only
outputs() { echo "$(tree_digest out/2025) $(tree_digest out/issued)"; }
before_out=$(outputs)
rm out/.internpris.lock; ln -s "$PWD/elsewhere.lock" out/.internpris.lock
sed -i 's/fee="240000" previous-fee/fee="250000" previous-fee/' in/2025/tariff.xml
for cmd in run check; do
  run_rc "$cmd" --correct --issue-date 2025-03-03 --year 2025 --input in --output out
  check "U2 a link at the lock's name: $cmd exits 73" test "$rc" -eq 73
  check "U2 a link at the lock's name: $cmd says so" \
    grep -q "^out: expected a regular file as the lock file .internpris.lock, found a symbolic link" err.txt
done
check "U2   the link's target is not created" test ! -e elsewhere.lock
check "U2   the output is as before" test "$(outputs)" = "$before_out"
rm out/.internpris.lock; mkfifo out/.internpris.lock
run_rc run --correct --issue-date 2025-03-03 --year 2025 --input in --output out
check "U2 a FIFO at the lock's name: run exits 73 at once" test "$rc" -eq 73
check "U2   the output is as before" test "$(outputs)" = "$before_out"
rm out/.internpris.lock
proposal
for name in "$(printf 'a\u202eb')" "$(printf 'a\u200bb')" "$(printf 'a\xc2\x85b')" "$(printf 'a\tb')"; do
  run_rc scenario --year 2025 --input in --output out --tariff prop.xml --name "$name"
  check "U2 --name $(printf %q "$name"): exits 64" test "$rc" -eq 64
done
run_rc scenario --year 2025 --input in --output out --tariff prop.xml --name "Budget 2025 – förslag A"
check "U2 --name with a dash and å ä ö: exits 0" test "$rc" -eq 0

# ---- X1: the schema is one self-contained file; nothing else is opened -------
fresh; mkfifo ff
x1_schema() { # x1_schema DESCRIPTION TEXT: TEXT put after <xs:schema …>; 70 at once
  local what=$1
  rm -rf tp; mkdir tp
  X="$2" "$PY" - "$SRC/templates/tariff.xsd" tp/tariff.xsd <<'PY'
import os, sys
s = open(sys.argv[1]).read()
i = s.index('<xs:schema'); j = s.index('>', i) + 1
open(sys.argv[2], 'w').write(s[:j] + os.environ['X'] + s[j:])
PY
  for cmd in check run; do
    run_rc "$cmd" --year 2025 --input in --output out --templates tp
    check "X1 $what: $cmd exits 70 (no hang)" test "$rc" -eq 70
  done
  check "X1 $what: says the schema must be self-contained" \
    grep -q "^tp/tariff.xsd: expected a self-contained schema, found a reference to " err.txt
  check "X1 $what: nothing was written" test ! -e out
}
x1_schema "xs:include of a FIFO" "<xs:include schemaLocation=\"$PWD/ff\"/>"
x1_schema "xs:include of /etc/passwd" '<xs:include schemaLocation="/etc/passwd"/>'
check "X1   no line of /etc/passwd is quoted" bash -c "! grep -q 'root:' err.txt"
x1_schema "xs:import over http" '<xs:import namespace="urn:x" schemaLocation="http://127.0.0.1:9/x.xsd"/>'
x1_schema "xs:redefine" '<xs:redefine schemaLocation="other.xsd"/>'
# an external entity in the schema (a DOCTYPE before <xs:schema>)
rm -rf tp; mkdir tp
"$PY" - "$SRC/templates/tariff.xsd" tp/tariff.xsd "$PWD/ff" <<'PY'
import sys
s = open(sys.argv[1]).read()
i = s.index('<xs:schema'); j = s.index('>', i) + 1
dt = '<!DOCTYPE xs:schema [<!ENTITY x SYSTEM "%s">]>\n' % sys.argv[3]
open(sys.argv[2], 'w').write(s[:i] + dt + s[i:j] + '<xs:annotation><xs:documentation>&x;</xs:documentation></xs:annotation>' + s[j:])
PY
run_rc check --year 2025 --input in --output out --templates tp
check "X1 an external entity of a FIFO in the schema: exits 70 (no hang)" test "$rc" -eq 70
# the tariff's own xsi:schemaLocation opens nothing either
cp -r in in3
sed -i "s|<tariff |<tariff xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:noNamespaceSchemaLocation=\"$PWD/ff\" |" in3/2025/tariff.xml
run_rc check --year 2025 --input in3 --output out
check "X1 a tariff with xsi:noNamespaceSchemaLocation of a FIFO: refused (78), no hang" test "$rc" -eq 78

# ---- O3: a signal while the comparison workbook is written -------------------
if [ -x "$REAL_HOOKS_PROG" ]; then
  fresh; proposal; mkdir wb
  for sig in 15 2 1; do
    set +e
    { IP_TEST_KILL_AT=1 IP_TEST_KILL_SIGNAL=$sig "$HOOKS_PROG" scenario --year 2025 --input in \
        --output out --tariff prop.xml --workbook wb/cmp.xlsx >/dev/null 2>&1; } 2>/dev/null
    rc=$?
    set -e
    check "O3 signal $sig while the workbook is written: ends by it ($((128 + sig)))" test "$rc" -eq $((128 + sig))
    check "O3 signal $sig: no temporary file is left beside the workbook" test -z "$(ls -A wb)"
  done
  "$PROG" scenario --year 2025 --input in --output out --tariff prop.xml --workbook wb/cmp.xlsx >/dev/null
  cp wb/cmp.xlsx before.xlsx
  set +e
  { IP_TEST_KILL_AT=1 IP_TEST_KILL_SIGNAL=15 "$HOOKS_PROG" scenario --year 2025 --input in \
      --output out --tariff prop.xml --workbook wb/cmp.xlsx >/dev/null 2>&1; } 2>/dev/null
  set -e
  check "O3 a signal leaves the earlier workbook as it was" cmp -s wb/cmp.xlsx before.xlsx
  check "O3   and no temporary file beside it" test "$(ls -A wb)" = cmp.xlsx
else
  fail "O3: no test-hooks build at $REAL_HOOKS_PROG"
fi

finish
