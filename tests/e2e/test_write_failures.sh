#!/usr/bin/env bash
# Every write failure in one form (issue 16, M2): "FILE: cannot write:
# reason", FILE the path the person knows (out/2025/fees.csv, never the
# stage's out/.2025.tmp-XXXXXX/fees.csv nor a bare fees.csv), one line, and
# no line of libxlsxwriter's own. Each output file is made to fail in turn:
#
#   - a file-size limit (ulimit -f, SIGXFSZ ignored) between the sizes of
#     the files written before it and its own fails fees.csv, report.txt and
#     the workbook (the later files are smaller than the workbook);
#   - a full disk: the output root on a tmpfs of a size that holds exactly
#     the pages of the files written before the target and one more fails
#     an issued document (its record copy or its year-folder copy: both are
#     written from the same bytes, on two threads, so the last few land in
#     either order), ledger.csv, the internal postings and register.csv (a mount namespace
#     of its own: unshare -m as root, else unshare -rm; skipped when neither
#     is allowed);
#   - a full standard output (/dev/full) for explain and scenario:
#     "<stdout>: cannot write: No space left on device".
#
# Each run: 74, the one line, the earlier output (or none) as it was, no
# temporary folder left.
source "$(dirname "$0")/lib.sh"
cd "$WORK"
cp -r "$SRC/input" in
"$PROG" run --quiet --year 2025 --input in --output ref
# the files of a first run, in the order the run writes them
files_in_order() {
  (cd ref && {
    echo 2025/fees.csv; echo 2025/report.txt; echo 2025/prislista-2025.xlsx
    # each new document into the record and, from the same bytes, into the
    # year folder (built on two threads: the last few in either order)
    ls issued/2025/invoices | sed 's|^.*$|issued/2025/invoices/&\n2025/invoices/&|'
    echo 2025/ledger.csv; ls 2025 | grep '\.si$' | sed 's|^|2025/|'
    echo issued/2025/register.csv
  })
}
files_in_order >order.txt
size() { stat -c %s "ref/$1"; }

# one_line ERRFILE: the error is one line in the form, naming a final path
one_line() {
  [ "$(grep -vc '^$' "$1")" -eq 1 ] &&
    grep -Eq '^out/(2025|issued/2025)/[A-Za-z0-9./-]+: cannot write: (File too large|No space left on device)$' "$1" &&
    ! grep -q '\.tmp-\|libxlsxwriter\|\[ERROR\]' "$1"
}
left_clean() { # nothing staged left, nothing published
  [ -z "$(find out -name '.*.tmp-*' 2>/dev/null)" ] && [ ! -e out/2025 ] && [ ! -e out/issued/2025 ]
}

# --- a file-size limit: fees.csv, report.txt, the workbook -------------------
prev=0
for f in 2025/fees.csv 2025/report.txt 2025/prislista-2025.xlsx; do
  lim=$(( (prev + 1023) / 1024 )); [ "$lim" -ge 1 ] || lim=1
  if [ $((lim * 1024)) -ge "$(size "$f")" ]; then
    fail "$f: no file-size limit between the earlier files ($prev bytes) and it ($(size "$f"))"
    continue
  fi
  rm -rf out
  set +e
  bash -c 'trap "" XFSZ; ulimit -f "$1"; exec "$2" run --quiet --year 2025 --input in --output out' _ "$lim" "$PROG" 2>err.txt
  rc=$?; set -e
  check "ulimit -f $lim: 74" test "$rc" -eq 74
  check "  one line: out/$f: cannot write: File too large" grep -qx "out/$f: cannot write: File too large" err.txt
  check "  in the one form, nothing of libxlsxwriter's" one_line err.txt
  check "  nothing published, no temporary folder" left_clean
  [ "$rc" -eq 74 ] || cat err.txt
  s=$(size "$f"); [ "$s" -gt "$prev" ] && prev=$s
done

# --- a full disk: the record, the year folder's copies, ledger, postings, register
ns=""
if [ -z "${IP_WRAPPER:-}" ]; then
  for try in "unshare -m" "unshare -rm"; do
    if $try sh -c "mount -t tmpfs -o size=64k tmpfs '$WORK' && umount '$WORK'" 2>/dev/null; then ns=$try; break; fi
  done
fi
if [ -z "$ns" ]; then
  echo "ok - # skip: no tmpfs in a mount namespace of our own${IP_WRAPPER:+ (under $IP_WRAPPER)}"
else
  pages() { echo $(( ($(size "$1") + 4095) / 4096 )); }
  # target PATTERN WANT: a file of the group of order.txt that PATTERN
  # matches fails when the disk holds every page before the group and all
  # of the group's but one (the workbook's temporary files, freed when it
  # is written, need more than the first invoices would leave)
  target() {
    local pat=$1 want=$2 used=0 last f rc
    last=$(grep -En "$pat" order.txt | tail -1 | cut -d: -f1)
    while read -r f; do used=$((used + $(pages "$f"))); done < <(head -n "$last" order.txt)
    used=$((used - 1))
    rm -rf out; mkdir out
    set +e
    $ns sh -c 'mount -t tmpfs -o "size=$1" tmpfs out && exec "$2" run --quiet --year 2025 --input in --output out' _ \
      "$(( used * 4 ))k" "$PROG" 2>err.txt
    rc=$?; set -e
    check "full disk at $want: 74" test "$rc" -eq 74
    check "  one line naming it: $(head -c 120 err.txt)" grep -Eq "^out/$want: cannot write: No space left on device\$" err.txt
    check "  in the one form" one_line err.txt
    check "  nothing published, no temporary folder" left_clean
  }
  target '^2025/fees\.csv$' '2025/fees\.csv'
  target '^2025/prislista' '2025/prislista-2025\.xlsx'
  # the documents: the last record copy, or a year-folder copy written
  # beside it on the other thread
  target '^issued/2025/invoices/' '(issued/)?2025/invoices/2025-[0-9]+\.xml'
  target '^2025/invoices/' '(issued/)?2025/invoices/2025-[0-9]+\.xml'
  target '^2025/ledger\.csv$' '2025/ledger\.csv'
  target '\.si$' '2025/interndebitering-2025[-0-9]*\.si'
  target '^issued/2025/register\.csv$' 'issued/2025/register\.csv'
fi

# --- too few file descriptors: the workbooks' temporary files ----------------
# libxlsxwriter's constant_memory mode keeps a temporary file open per sheet
# until the workbook closes; under a descriptor limit (ulimit -n) one of them,
# or the close, fails. Each limit from 4 up to the first that suffices: 73
# (the sheet's temporary file) or 74 (the close), one line naming the
# workbook, nothing of libxlsxwriter's, nothing published or left; the
# comparison workbook likewise, its earlier file kept. A limit that fails
# something before the workbook (the program's libraries, an input, an
# earlier file) or leaves the stage too few descriptors to remove its
# temporary folder (its warning) is passed over (under a wrapper the
# wrapper's own descriptors count: skipped).
fd_line() { # fd_line ERRFILE PATH
  [ "$(grep -vc '^$' "$1")" -eq 1 ] &&
    grep -Eqx "$2: cannot (create the workbook|write): Too many open files" "$1" &&
    ! grep -q '\.tmp-\|libxlsxwriter\|\[ERROR\]' "$1"
}
if [ -n "${IP_WRAPPER:-}" ]; then
  echo "ok - # skip: descriptor limits under $IP_WRAPPER"
else
  for what in run scenario; do
    n=4 failed=0
    mkdir -p cmp
    "$PROG" scenario --year 2025 --input in --output ref --tariff in/2025/tariff.xml \
      --workbook cmp/cmp.xlsx --name earlier >/dev/null
    cp cmp/cmp.xlsx cmp.before
    while :; do
      [ "$n" -le 200 ] || { fail "$what: no descriptor limit up to 200 suffices"; break; }
      rm -rf out
      set +e
      if [ "$what" = run ]; then
        bash -c 'ulimit -n "$1"; exec "$2" run --quiet --year 2025 --input in --output out' _ "$n" \
          "$PROG" >/dev/null 2>err.txt
      else
        bash -c 'ulimit -n "$1"; exec "$2" scenario --year 2025 --input in --output ref --tariff "$3" \
          --workbook cmp/cmp.xlsx' _ "$n" "$PROG" in/2025/tariff.xml >/dev/null 2>err.txt
      fi
      rc=$?; set -e
      [ "$rc" -eq 0 ] && break
      if ! grep -q 'prislista\|cmp/cmp\.xlsx' err.txt || grep -q 'cannot remove the temporary folder' err.txt; then
        n=$((n + 1))
        continue
      fi
      failed=$((failed + 1))
      if [ "$what" = run ]; then
        check "$what, ulimit -n $n: 73 or 74" test "$rc" -eq 73 -o "$rc" -eq 74
        check "  one line naming the workbook: $(head -c 120 err.txt)" fd_line err.txt 'out/2025/prislista-2025\.xlsx'
        check "  nothing published, no temporary folder" left_clean
      else
        check "$what, ulimit -n $n: 73 or 74" test "$rc" -eq 73 -o "$rc" -eq 74
        check "  one line naming the workbook: $(head -c 120 err.txt)" fd_line err.txt 'cmp/cmp\.xlsx'
        check "  the earlier workbook kept, no temporary file" \
          bash -c 'cmp -s cmp/cmp.xlsx cmp.before && [ "$(ls -A cmp)" = cmp.xlsx ]'
      fi
      n=$((n + 1))
    done
    check "$what: some descriptor limit failed the workbook ($failed) before $n sufficed" test "$failed" -gt 0
  done
fi

# --- standard output full -----------------------------------------------------
if [ -w /dev/full ]; then
  "$PROG" run --quiet --year 2025 --input in --output out2
  for args in "explain --customer 110" "scenario --tariff in/2025/tariff.xml" "run --dry-run --quiet" "check --summary --quiet"; do
    set +e
    # shellcheck disable=SC2086
    "$PROG" $args --year 2025 --input in --output out2 >/dev/full 2>err.txt; rc=$?
    set -e
    check "$args to a full stdout: 74" test "$rc" -eq 74
    check "  one line: <stdout>: cannot write: No space left on device" \
      grep -qx '<stdout>: cannot write: No space left on device' err.txt
  done
else
  echo "ok - # skip: no /dev/full"
fi
finish
