#!/usr/bin/env bash
# Paths and file types (issue 16): folders that coincide, nest or are
# reached through links and '..'; files that are not regular files; blank
# folder options; links out of the input folder; things at the output's
# names that a run did not make. Every refused case must leave the inputs
# and the earlier output byte for byte as they were, and no temporary
# folder behind; no case may wait for ever (each run has a timeout).
source "$(dirname "$0")/lib.sh"
cd "$WORK"
T=20 # seconds: a run that takes longer is taken to hang

# run_rc CMD...: runs the program with a timeout; rc and err.txt
run_rc() { set +e; timeout "$T" "$PROG" "$@" >out.txt 2>err.txt; rc=$?; set -e; }
fresh() { rm -rf "$WORK/c"; mkdir "$WORK/c"; cd "$WORK/c"; cp -r "$SRC/input" in; }
first_run() { "$PROG" run --year 2025 --input in --output out >/dev/null; }
no_tmp() { ! find "$@" -maxdepth 1 -name '.*.tmp-*' 2>/dev/null | grep -q .; }
change_fee() { sed -i 's/fee="240000" previous-fee/fee="250000" previous-fee/' "$1/2025/tariff.xml"; }

# ---- P1–P3: input and output overlap, in every spelling ----------------------
overlap_case() { # overlap_case DESCRIPTION ARGS... : 64, the input and output as before
  local what=$1; shift
  local before_in before_out
  before_in=$(tree_digest in); before_out=$(tree_digest out)
  run_rc "$@"
  check "$what: exits 64" test "$rc" -eq 64
  check "$what: says the folders must lie apart" \
    grep -q "^internpris: expected the folders a run reads and replaces to lie apart, found " err.txt
  check "$what: the input is as before" test "$(tree_digest in)" = "$before_in"
  check "$what: the output is as before" test "$(tree_digest out)" = "$before_out"
}
fresh
overlap_case "--input in --output in" run --year 2025 --input in --output in
overlap_case "./in and in/" run --year 2025 --input ./in --output in/
overlap_case "absolute and relative" run --year 2025 --input "$PWD/in" --output in
overlap_case "through '..'" run --year 2025 --input in --output in/2025/..
overlap_case "check refuses it too" check --year 2025 --input in --output in
overlap_case "explain refuses it too" explain --year 2025 --customer 110 --input in --output in
overlap_case "a dry run refuses it too" run --dry-run --year 2025 --input in --output in
overlap_case "--output inside the input year folder" run --year 2025 --input in --output in/2025
check "  and nothing was written among the inputs" test ! -e in/2025/2025 -a ! -e in/2025/issued
grep -q "holding the output year folder in/2025/2025" err.txt && ok "  the message names both" ||
  fail "  the message names both"
ln -s in out
overlap_case "--output a link to the input root" run --year 2025 --input in --output out
rm out

fresh; first_run
cp -r in/2025 out/2026; sed -i 's/year="2025"/year="2026"/' out/2026/tariff.xml
overlap_case "next year's inputs in the output root" run --year 2026 --input out --output out
mkdir -p out/2025/x; cp -r in/2025 out/2025/x/2025
overlap_case "the input inside the output year folder" run --year 2025 --input out/2025/x --output out
rm -rf out/2025/x out/2026
cp in/2025/* out/issued/2025/; change_fee out/issued
overlap_case "the input year folder is the record" \
  run --year 2025 --input out/issued --output out --correct --issue-date 2025-03-03
grep -q "the record of issued documents out/issued/2025" err.txt &&
  ok "  the message names the record" || fail "  the message names the record"

# last year's fees, the record and the output root may not lead into the
# year folder either
fresh; first_run
ln -s 2025 out/2024
overlap_case "last year's folder a link to this year's" run --year 2025 --input in --output out
rm out/2024
mv out/issued/2025 out/2025/rec; ln -s ../2025/rec out/issued/2025
overlap_case "the record a link into the year folder" run --year 2025 --input in --output out
fresh; first_run
cp "$SRC/templates/tariff.xsd" out/2025/
overlap_case "--templates inside the year folder" run --year 2025 --input in --output out --templates out/2025
rm -f out/2025/tariff.xsd

# ---- P4, P5: a linked year folder or record is followed ----------------------
fresh; first_run
mkdir real; mv out/2025 real/2025; ln -s ../real/2025 out/2025
sed -i 's/^110;Stadsledningskontoret/110;Stadsledningskontoret X/' in/2025/customers.csv
run_rc run --year 2025 --input in --output out
check "a linked year folder: the run succeeds" test "$rc" -eq 0
check "  the link stays a link" test -L out/2025
check "  its target holds the new output" grep -q 'Stadsledningskontoret X' real/2025/fees.csv
check "  no temporary folder beside the link or the target" bash -c "! ls -a out real | grep -q tmp"
rm out/2025; cp -r real/2025 out/2025; rm -rf real/2025
mv out/issued/2025 real/rec2025; ln -s ../../real/rec2025 out/issued/2025
change_fee in
run_rc run --year 2025 --input in --output out --correct --issue-date 2025-03-03
check "a linked record: the correction succeeds" test "$rc" -eq 0
check "  the record's link stays a link" test -L out/issued/2025
check "  the linked-to record holds the correction" grep -q '^KC2025-110-K1;' real/rec2025/register.csv
check "  the year folder and the record agree" \
  test "$(ls out/2025/invoices | sort)" = "$(ls real/rec2025/invoices | sort)"
rm out/issued/2025; ln -s nowhere out/issued/2025
before=$(tree_digest out)
run_rc run --year 2025 --input in --output out --correct --issue-date 2025-03-04
check "a record link to nothing: 65 or 73, never a new record" bash -c "[ $rc -eq 73 ] || [ $rc -eq 65 ]"
check "  nothing created where it leads" test ! -e out/issued/nowhere
check "  the output as before" test "$(tree_digest out)" = "$before"

# ---- P6: files that are not regular files -------------------------------------
special_case() { # special_case DESCRIPTION FILE ARGS...: 66 at once naming FILE
  local what=$1 file=$2; shift 2
  local before; before=$(tree_digest out)
  run_rc "$@"
  check "$what: exits 66 (not 124: it does not wait)" test "$rc" -eq 66
  check "$what: names the file and what it is" grep -q "^$file: expected .*regular file, found a" err.txt
  check "$what: the output is as before" test "$(tree_digest out)" = "$before"
  check "$what: no temporary folder" no_tmp out out/issued
}
for f in tariff.xml customers.csv cases.csv calls.csv licences.csv; do
  fresh; rm in/2025/$f; mkfifo in/2025/$f
  special_case "a named pipe as $f" "in/2025/$f" check --year 2025 --input in --output out
  run_rc run --year 2025 --input in --output out
  check "  and run: 66" test "$rc" -eq 66
done
fresh; rm in/2025/customers.csv; mkdir in/2025/customers.csv
special_case "a folder as customers.csv" in/2025/customers.csv check --year 2025 --input in --output out
fresh; rm in/2025/cases.csv
$PY -c "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])" in/2025/cases.csv
special_case "a socket as cases.csv" in/2025/cases.csv check --year 2025 --input in --output out
fresh; mkdir tpl; ln -s /dev/zero tpl/tariff.xsd
special_case "/dev/zero as tariff.xsd" tpl/tariff.xsd check --year 2025 --input in --output out --templates tpl
rm tpl/tariff.xsd; mkfifo tpl/tariff.xsd
special_case "a named pipe as tariff.xsd" tpl/tariff.xsd check --year 2025 --input in --output out --templates tpl
fresh; first_run; mkdir -p out/2024; mkfifo out/2024/fees.csv
special_case "a named pipe as last year's fees.csv" out/2024/fees.csv run --year 2025 --input in --output out
fresh; first_run; rm out/issued/2025/register.csv; mkfifo out/issued/2025/register.csv
special_case "a named pipe as the record's register.csv" out/issued/2025/register.csv \
  run --year 2025 --input in --output out
fresh; first_run; rm out/issued/2025/invoices/2025-110.xml; mkfifo out/issued/2025/invoices/2025-110.xml
special_case "a named pipe as a stored copy" out/issued/2025/invoices/2025-110.xml \
  run --year 2025 --input in --output out
fresh; first_run; mv out/issued/2025/register.csv out/issued/2025/register.real
ln -s register.real out/issued/2025/register.csv
special_case "a link as the record's register.csv" out/issued/2025/register.csv \
  run --year 2025 --input in --output out
fresh; first_run; mkdir -p out/2025; rm -f out/2025/fees.csv; mkfifo out/2025/fees.csv
special_case "a named pipe as this year's fees.csv (--diff)" out/2025/fees.csv \
  run --dry-run --diff --year 2025 --input in --output out

# ---- P7: blank folder options -----------------------------------------------
fresh
for opt in input output templates; do
  for v in '' ' ' $'\t'; do
    # the other folders as usual, each option once (a second one is 64 of its own)
    others=(--input in --output out)
    [ "$opt" = input ] && others=(--output out)
    [ "$opt" = output ] && others=(--input in)
    run_rc run --year 2025 "${others[@]}" "--$opt" "$v"
    check "--$opt '$(printf %q "$v")': exits 64" test "$rc" -eq 64
    check "--$opt '$(printf %q "$v")': says a folder is expected" \
      grep -q "^internpris: expected a folder after --$opt, found '" err.txt
  done
done
check "no folder named ' ' or a tab was created" test "$(ls -A | tr '\n' ' ')" = "err.txt in out.txt "
run_rc run --year 2025 --input in "--output="
check "--output= is blank too" test "$rc" -eq 64

# ---- P8: links out of the input folder ---------------------------------------
fresh; printf 'secret-token-ABC123;x\n' >"$WORK/secret.txt"
rm in/2025/calls.csv; ln -s "$WORK/secret.txt" in/2025/calls.csv
run_rc check --year 2025 --input in --output out
check "a link to a file outside the input folder: 66" test "$rc" -eq 66
check "  names the link and where it leads" \
  grep -q "^in/2025/calls.csv: expected a file inside in/2025, found a link to $WORK/secret.txt" err.txt
check "  quotes nothing of the file" bash -c "! grep -q secret-token err.txt"
rm in/2025/customers.csv; ln -s /etc/passwd in/2025/customers.csv
run_rc check --year 2025 --input in --output out
check "a link to /etc/passwd: 66 without its content" bash -c "[ $rc -eq 66 ] && ! grep -q root: err.txt"
fresh; mkdir in/2025/exports; mv in/2025/calls.csv in/2025/exports/calls-2025.csv
ln -s exports/calls-2025.csv in/2025/calls.csv
run_rc run --year 2025 --input in --output out
check "a link within the input folder is followed" test "$rc" -eq 0
fresh; mkdir other; mv in/2025 other/2025; ln -s ../other/2025 in/2025
run_rc run --year 2025 --input in --output out
check "a linked input year folder is followed" test "$rc" -eq 0
fresh; first_run; mkdir -p out/2024; ln -s "$WORK/secret.txt" out/2024/fees.csv
run_rc run --year 2025 --input in --output out
check "last year's fees.csv a link out of its folder: 66 without its content" \
  bash -c "[ $rc -eq 66 ] && ! grep -q secret-token err.txt"

# ---- P9: what a run did not make is not removed ------------------------------
fresh; mkdir out; echo "important notes" >out/2025
run_rc run --year 2025 --input in --output out
check "a regular file at OUT/Y: 73" test "$rc" -eq 73
check "  says what it found" grep -q "^out/2025: expected a folder to replace, found a regular file" err.txt
check "  the file is as it was" test "$(cat out/2025)" = "important notes"
fresh; mkdir -p out/.2025.tmp-my-backup out/issued/.2025.tmp-mine; echo keep >out/.2025.tmp-my-backup/keep.txt
echo mine >out/issued/.2025.tmp-mine/x
mkdir out/.2025.tmp-Ab3dE9; echo stale >out/.2025.tmp-Ab3dE9/fees.csv
run_rc run --year 2025 --input in --output out
check "a user's folder that looks like a temporary: the run succeeds" test "$rc" -eq 0
check "  and keeps it" test "$(cat out/.2025.tmp-my-backup/keep.txt)" = keep
check "  and the one beside the record" test "$(cat out/issued/.2025.tmp-mine/x)" = mine
check "  a killed run's temporary (six letters and digits) is removed" test ! -e out/.2025.tmp-Ab3dE9
# ---- P14, P10: one folder by another name than a spelling ----------------------
# mount_ok: bind and tmpfs mounts are allowed here (root outside a strict
# container); else the mount cases print SKIP
MNTS=()
trap 'for m in "${MNTS[@]}"; do umount "$m" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT
mount_ok() { mkdir -p "$WORK/mt-a" "$WORK/mt-b" && mount --bind "$WORK/mt-a" "$WORK/mt-b" 2>/dev/null &&
  umount "$WORK/mt-b"; }
if mount_ok; then
  fresh; mkdir data m1 m2; cp -r in/2025 data/
  mount --bind data m1; MNTS+=("$PWD/m1"); mount --bind data m2; MNTS+=("$PWD/m2")
  before=$(tree_digest data)
  for cmd in check run; do
    run_rc $cmd --year 2025 --input "$PWD/m1" --output "$PWD/m2"
    check "one folder mounted twice as input and output ($cmd): 64" test "$rc" -eq 64
    check "  says the folders must lie apart" grep -q "the input folder .* the same as the output year folder" err.txt
  done
  check "  the inputs are as before" test "$(tree_digest data)" = "$before"
  umount m1 m2; MNTS=()
else
  echo "SKIP - bind mounts not allowed here (one folder mounted twice)"
fi
fresh; mkdir deep; (
  cd deep; for i in $(seq 18); do d=$(printf 'd%.0s' $(seq 250)); mkdir "$d"; cd "$d"; done
  cp -r "$SRC/input" in; ln -s in lnk; before=$(tree_digest in)
  set +e; timeout "$T" "$PROG" run --year 2025 --input lnk --output in >/dev/null 2>"$WORK/c/err.txt"; echo $? >"$WORK/c/rc"
  [ "$(tree_digest in)" = "$before" ] && echo same >"$WORK/c/digest"; true)
check "below PATH_MAX's depth, --input a link to --output: 64" test "$(cat rc)" = 64
check "  the inputs are as before" test "$(cat digest 2>/dev/null)" = same
rm -rf deep

# ---- P15: a deep --output that does not exist -------------------------------------
fresh
run_rc check --year 2025 --input in --output "$($PY -c "print('x/' * 2000)")"
check "an --output of 2 000 missing parts: no crash (0, 64 or 73)" bash -c "[ $rc -eq 0 ] || [ $rc -eq 64 ] || [ $rc -eq 73 ]"

# ---- P12: a year folder that is a mount point ---------------------------------------
if mount_ok; then
  fresh; mkdir -p out/2025; mount -t tmpfs -o size=5m tmpfs out/2025; MNTS+=("$PWD/out/2025")
  for cmd in check run; do
    run_rc $cmd --year 2025 --input in --output out
    check "OUT/Y a mount point ($cmd): 73" test "$rc" -eq 73
    check "  says it cannot be swapped" grep -q "^out/2025: expected a folder the run can replace, found a mount point" err.txt
  done
  check "  nothing was committed to the record" test ! -e out/issued/2025
  check "  no temporary folder" no_tmp out out/issued
  umount out/2025; MNTS=()
  fresh; first_run; mkdir mx; mount -t tmpfs -o size=20m tmpfs mx; MNTS+=("$PWD/mx")
  rm -rf out/2025; ln -s "$PWD/mx" out/2025; before=$(tree_digest out/issued)
  run_rc check --year 2025 --input in --output out
  check "OUT/Y a link to a mount root (check): 73" test "$rc" -eq 73
  run_rc run --year 2025 --input in --output out
  check "OUT/Y a link to a mount root (run): 73" test "$rc" -eq 73
  check "  says where the link leads" grep -q "found a link to the mount point $PWD/mx" err.txt
  check "  the record as before" test "$(tree_digest out/issued)" = "$before"
  umount mx; MNTS=()
else
  echo "SKIP - mounts not allowed here (a year folder that is a mount point)"
fi

# ---- E2: a file system without RENAME_EXCHANGE (NFS, SMB), by strace ------------
if command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null; then
  # (LeakSanitizer cannot run under a tracer: off for these two runs)
  inj() { ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
    strace -f -o /dev/null -e trace=renameat2 -e inject=renameat2:error=EINVAL "$@"; }
  fresh; mkdir out
  set +e; inj "$PROG" check --year 2025 --input in --output out >/dev/null 2>err.txt; rc=$?; set -e
  check "no RENAME_EXCHANGE (check): 73" test "$rc" -eq 73
  check "  says what the file system lacks" grep -q "^out: expected a file system that can exchange two folders in one step" err.txt
  set +e; inj "$PROG" run --year 2025 --input in --output out >/dev/null 2>err.txt; rc=$?; set -e
  check "no RENAME_EXCHANGE (even the first run): 73" test "$rc" -eq 73
  check "  nothing was committed" test ! -e out/issued/2025 -a ! -e out/2025
  check "  no temporary folder" no_tmp out out/issued
else
  echo "SKIP - strace cannot trace here (a file system without RENAME_EXCHANGE)"
fi

# ---- F2: check sees what run cannot write --------------------------------------
fresh; first_run; rm -rf out/issued; ln -s /nonexistent-ip-record out/issued
run_rc check --year 2025 --input in --output out
check "OUT/issued a link to nothing (check): 73" test "$rc" -eq 73
check "  run's line" grep -q "^out/issued: cannot create a temporary folder" err.txt
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
  fresh; first_run; chmod -R a+rX "$WORK"; chmod a+rx "$WORK"
  set +e; setpriv --reuid=65534 --regid=65534 --clear-groups "$PROG" check --year 2025 --input in --output out >/dev/null 2>err.txt; rc=$?; set -e
  check "an output root the user cannot write (check): 73" test "$rc" -eq 73
  check "  run's line" grep -q "^out: cannot create a temporary folder: Permission denied" err.txt
else
  echo "SKIP - not root (an output root another user cannot write)"
fi
# ---- P13: links one level down are refused, not dropped --------------------------
link_below() { # link_below DESCRIPTION PATH-IN-OUT ARGS...: check and run 73, nothing changed
  local what=$1 at=$2; shift 2
  local before; before=$(tree_digest out; tree_digest elsewhere)
  run_rc check "$@"
  check "$what (check): 73" test "$rc" -eq 73
  check "  names the link" grep -q "^$at: expected a file or folder the run made, found a symbolic link" err.txt
  run_rc run "$@"
  check "$what (run): 73" test "$rc" -eq 73
  check "  the link stays" test -L "$at"
  check "  nothing changed" test "$(tree_digest out; tree_digest elsewhere)" = "$before"
}
fresh; first_run; change_fee in; mv out/issued/2025/invoices elsewhere; ln -s "$PWD/elsewhere" out/issued/2025/invoices
link_below "the record's invoices a link" out/issued/2025/invoices \
  --year 2025 --input in --output out --correct --issue-date 2025-03-03
fresh; first_run; mv out/2025/invoices elsewhere; ln -s "$PWD/elsewhere" out/2025/invoices
link_below "the year folder's invoices a link" out/2025/invoices --year 2025 --input in --output out
fresh; first_run; mkdir elsewhere; mv out/2025/ledger.csv elsewhere/; ln -s "$PWD/elsewhere/ledger.csv" out/2025/ledger.csv
link_below "the year folder's ledger.csv a link" out/2025/ledger.csv --year 2025 --input in --output out
# ---- P16: a tree deeper than PATH_MAX in the previous version --------------------
# deep DIR: DIR/junk holding 20 folders of 250-character names (5 020 bytes
# below DIR, made by mkdirat in a loop) and a file at the bottom
deep() { "$PY" - "$1" <<'PY'
import os, sys
os.mkdir(sys.argv[1] + "/junk")
fd = os.open(sys.argv[1] + "/junk", os.O_RDONLY | os.O_DIRECTORY)
for i in range(20):
    os.mkdir("d" * 250, dir_fd=fd)
    nfd = os.open("d" * 250, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
    os.close(fd)
    fd = nfd
os.close(os.open("leaf", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd))
os.close(fd)
PY
}
fresh; first_run; deep out/2025
run_rc run --year 2025 --input in --output out
check "a tree deeper than PATH_MAX in the year folder: the run succeeds" test "$rc" -eq 0
check "  the previous version is gone, no temporary folder is left" no_tmp out out/issued
check "  the new version is in place" test ! -e out/2025/junk -a -s out/2025/fees.csv
check "  and nothing is left to warn about" bash -c "! grep -q 'cannot remove' err.txt"
fresh; first_run; mkdir out/.2025.tmp-Ab3dE9 out/issued/.2025.tmp-Ab3dE9
deep out/.2025.tmp-Ab3dE9; deep out/issued/.2025.tmp-Ab3dE9
run_rc run --year 2025 --input in --output out
check "a killed run's temporary folder holding a tree deeper than PATH_MAX: the run succeeds" test "$rc" -eq 0
check "  and the temporary folders are gone" no_tmp out out/issued
if mount_ok; then
  # a share mounted inside the previous version: left with what it holds, and said
  fresh; first_run; mkdir out/2025/share; mount -t tmpfs -o size=1m tmpfs out/2025/share
  MNTS+=("$PWD/out/2025/share"); echo thesis >out/2025/share/chapter1.txt
  run_rc run --year 2025 --input in --output out
  tmp=$(find out -maxdepth 1 -name '.2025.tmp-*' | head -1)
  [ -n "$tmp" ] && MNTS=("$PWD/$tmp/share")
  check "a share mounted in the previous version: the run succeeds" test "$rc" -eq 0
  check "  the share and what it holds are left" test "$(cat "$tmp/share/chapter1.txt" 2>/dev/null)" = thesis
  check "  a warning names the folder that stays and why" \
    grep -q "internpris: warning: $tmp: cannot remove the previous version of out/2025: Device or resource busy; remove it by hand" err.txt
  umount "$tmp/share"; MNTS=()
  run_rc run --year 2025 --input in --output out
  check "  once the share is gone, the next run removes the folder" test "$rc" -eq 0
  check "  and leaves no temporary folder" no_tmp out out/issued
else
  echo "SKIP - mounts not allowed here (a share mounted in the previous version)"
fi
# ---- P11: a path from the command line cannot break an error line ---------------
fresh
run_rc check --year 2025 --input $'no\nsuch' --output o
check "--input with a newline: one error line" test "$(wc -l <err.txt)" -eq 1
check "  the newline shown as \\x0A" grep -q '^no\\x0Asuch/2025: ' err.txt
run_rc check --year 2025 --input $'no\e[31msuch' --output o
check "--input with an escape: 66, the escape shown as \\x1B" grep -q '^no\\x1B\[31msuch/2025: ' err.txt
check "  no escape byte on stderr" bash -c "! grep -q $'\e' err.txt"
# ---- P17: a link another user planted in a world-writable output root -------------
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
  fresh; (umask 000; first_run 2>/dev/null); chmod a+rx "$WORK" "$WORK/c"
  mkdir -p victim; echo thesis >victim/chapter1.txt
  setpriv --reuid=65534 --regid=65534 --clear-groups ln -s "$PWD/victim" out/2025.l
  rm -rf out/2025; mv out/2025.l out/2025
  for cmd in check run; do
    run_rc $cmd --year 2025 --input in --output out
    check "another user's OUT/Y link in a world-writable root ($cmd): 73" test "$rc" -eq 73
    check "  names the owner" grep -q "^out/2025: expected a link made by the run's user or root in a folder others may write, found one owned by user 65534" err.txt
  done
  check "  what it leads to is untouched" test "$(ls victim)" = chapter1.txt
  chmod 755 out; run_rc run --year 2025 --input in --output out
  check "  the same link in a root only its owner may write is followed" test "$rc" -eq 0
else
  echo "SKIP - not root (a link another user planted)"
fi
finish
