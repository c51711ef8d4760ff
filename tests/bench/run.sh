#!/usr/bin/env bash
# tests/bench/run.sh [--scaling] — times internpris on a year of switchboard
# calls side by side with the reference programs of ../shared/bench.
#
#   1. builds internpris in Release into build-bench/;
#   2. generates calls.csv with 1 M and 10 M rows (and 30 M with --scaling)
#      with ../shared/bench/gen_calls.py into the scratch folder
#      ($IP_BENCH_DIR, default /tmp/internpris-bench; files already there are
#      reused: the generator is deterministic);
#   3. builds memchr_count and agg_c from ../shared/bench/src into
#      build-bench/ref/ (never inside ../shared);
#   4. makes an input year per size: input/2025 with calls.csv replaced by the
#      generated file (a hard link when possible);
#   5. warms the file, then times in one hyperfine run per size, with
#      $IP_BENCH_RUNS repetitions (default 10): memchr_count, agg_c,
#      agg_c -t 2, mawk with agg.awk, `internpris run` (the whole run into a
#      fresh output folder: workbook, invoices, everything) and
#      `internpris check` (read and compute only); and, to show where the
#      time goes, sha256sum, `openssl dgst -sha256` (the digest floor: the
#      SHA-256 every output carries, as an auditor's tool computes it),
#      tests/bench/csv_scan.c's SHA-256 alone (OpenSSL,
#      as the run uses it), the CSV reader alone, and the reader with the
#      digest on the same thread and on a second one;
#   6. checks that every program's per-customer counts are the generator's
#      (internpris: the 'measured' column of the vaxel section of report.txt);
#   7. measures peak RSS (/usr/bin/time -v: mapped file pages count) of every
#      program at every size;
#   8. prints a markdown table per size: min and median time, GB/s, ratios to
#      agg_c and memchr_count, peak RSS; with --scaling also internpris's time
#      and RSS at 1, 10 and 30 M rows.
# IP_BENCH_SIZES="1M" limits the sizes (a quick try). Needs python3,
# hyperfine, mawk, cmake, pkg-config and a C compiler. The default takes
# about three minutes, plus one for generating the data the first time;
# --scaling about ten more. Results of a run: tests/bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
SHARED=${IP_BENCH_SHARED:-$ROOT/../shared/bench}
SCRATCH=${IP_BENCH_DIR:-/tmp/internpris-bench}
RUNS=${IP_BENCH_RUNS:-10}
BUILD=$ROOT/build-bench
scaling=0
for a in "$@"; do
  case $a in
    --scaling) scaling=1 ;;
    -h|--help) sed -n '2,34p' "$0"; exit 0 ;;
    *) echo "usage: $0 [--scaling]" >&2; exit 64 ;;
  esac
done
for tool in python3 hyperfine mawk cmake cc openssl; do
  command -v "$tool" >/dev/null || { echo "run.sh: needs $tool" >&2; exit 69; }
done
[ -x /usr/bin/time ] || { echo "run.sh: needs /usr/bin/time (Debian package time)" >&2; exit 69; }

sizes=${IP_BENCH_SIZES:-1M 10M}
[ $scaling -eq 1 ] && sizes="1M 10M 30M"
rows_of() { case $1 in 1M) echo 1000000 ;; 10M) echo 10000000 ;; 30M) echo 30000000 ;; esac; }

echo "== build (Release) into build-bench/" >&2
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DIP_TESTS=OFF >/dev/null
cmake --build "$BUILD" -j"$(nproc)" >/dev/null
PROG=$BUILD/internpris

echo "== reference programs into build-bench/ref/" >&2
mkdir -p "$BUILD/ref"
cc -O2 -Wall -Wextra -o "$BUILD/ref/memchr_count" "$SHARED/src/memchr_count.c"
cc -O2 -Wall -Wextra -pthread -o "$BUILD/ref/agg_c" "$SHARED/src/agg_c.c"
# the cost breakdown tool, against the library just built
cc -O2 -Wall -Wextra -std=c11 -D_POSIX_C_SOURCE=200809L -Iinclude -o "$BUILD/ref/csv_scan" \
  tests/bench/csv_scan.c "$BUILD/libipcore.a" $(pkg-config --libs libcrypto) -pthread
SCAN=$BUILD/ref/csv_scan

mkdir -p "$SCRATCH"
for s in $sizes; do
  data=$SCRATCH/calls-$s.csv counts=$SCRATCH/counts-$s.txt
  if [ ! -s "$data" ] || [ ! -s "$counts" ]; then
    echo "== generating $s rows into $data" >&2
    python3 "$SHARED/gen_calls.py" --rows "$(rows_of "$s")" --seed 1 --out "$data.tmp" \
      --counts "$counts.tmp"
    mv "$counts.tmp" "$counts"
    mv "$data.tmp" "$data"
  fi
  year=$SCRATCH/year-$s
  rm -rf "$year"
  mkdir -p "$year"
  cp -r input/2025 "$year/2025"
  rm -f "$year/2025/calls.csv"
  ln "$data" "$year/2025/calls.csv" 2>/dev/null || cp "$data" "$year/2025/calls.csv"
done

# Per-customer counts of each program must be the generator's.
check_counts() { # label file-with-counts expected
  if ! diff -q "$2" "$3" >/dev/null; then
    echo "run.sh: $1 disagrees with the generator's counts ($2 vs $3)" >&2
    diff "$2" "$3" | head -5 >&2
    exit 1
  fi
  echo "   $1: counts agree" >&2
}
vaxel_measured() { # report.txt -> customer;count for measured > 0, ascending
  # fixed columns: nr (6), name (40 code points), measured (12, with
  # thousands spaces)
  python3 -c '
import sys
on = False
for line in open(sys.argv[1], encoding="utf-8"):
    if line.startswith("== "):
        on = line.startswith("== vaxel")
        continue
    nr = line[:6].strip()
    if on and nr.isdigit():
        n = int(line[48:60].replace(" ", ""))
        if n > 0:
            print(f"{nr};{n}")' "$1" | sort -t';' -k1,1n
}

results=$SCRATCH/results
rm -rf "$results"
mkdir -p "$results"
for s in $sizes; do
  data=$SCRATCH/calls-$s.csv counts=$SCRATCH/counts-$s.txt year=$SCRATCH/year-$s
  out=$SCRATCH/out-$s
  rm -rf "$out"
  echo "== $s rows: counts" >&2
  "$BUILD/ref/agg_c" "$data" 2>/dev/null >"$results/agg_c-$s.txt"
  check_counts "agg_c $s" "$results/agg_c-$s.txt" "$counts"
  "$BUILD/ref/agg_c" -t 2 "$data" 2>/dev/null >"$results/agg_c2-$s.txt"
  check_counts "agg_c -t 2 $s" "$results/agg_c2-$s.txt" "$counts"
  mawk -F';' -f "$SHARED/agg.awk" "$data" | sort -t';' -k1,1n >"$results/mawk-$s.txt"
  check_counts "mawk $s" "$results/mawk-$s.txt" "$counts"
  # the digest of the run is the file's
  want=$(sha256sum "$data" | cut -d' ' -f1)
  for m in sha parse-sha parse-sha-thread; do
    "$SCAN" $m "$data" | grep -q "sha256 $want" ||
      { echo "run.sh: csv_scan $m gives another SHA-256" >&2; exit 1; }
  done
  openssl dgst -sha256 "$data" | grep -q "= $want\$" ||
    { echo "run.sh: openssl dgst -sha256 gives another SHA-256" >&2; exit 1; }
  lines=$("$BUILD/ref/memchr_count" "$data")
  [ "$lines" -eq $(( $(rows_of "$s") + 1 )) ] || { echo "run.sh: memchr_count found $lines lines" >&2; exit 1; }
  "$PROG" run --year 2025 --input "$year" --output "$out" >/dev/null
  vaxel_measured "$out/2025/report.txt" >"$results/internpris-$s.txt"
  check_counts "internpris run $s" "$results/internpris-$s.txt" "$counts"
  grep -q "calls.csv .* sha256 $want" "$out/2025/report.txt" ||
    { echo "run.sh: report.txt does not give calls.csv's SHA-256 $want" >&2; exit 1; }
  echo "   internpris run $s: calls.csv SHA-256 in report.txt is sha256sum's" >&2
  "$PROG" check --year 2025 --input "$year" --output "$out" >/dev/null

  echo "== $s rows: peak RSS" >&2
  rss() { # label command...
    local label=$1; shift
    /usr/bin/time -f '%M' -o "$results/rss.tmp" "$@" >/dev/null 2>&1
    echo "$label;$(tail -1 "$results/rss.tmp")" >>"$results/rss-$s.txt"
  }
  : >"$results/rss-$s.txt"
  rss memchr_count "$BUILD/ref/memchr_count" "$data"
  rss agg_c "$BUILD/ref/agg_c" "$data"
  rss "agg_c -t 2" "$BUILD/ref/agg_c" -t 2 "$data"
  rss mawk mawk -F';' -f "$SHARED/agg.awk" "$data"
  rm -rf "$out"
  rss "internpris run" "$PROG" run --year 2025 --input "$year" --output "$out"
  rss "internpris check" "$PROG" check --year 2025 --input "$year" --output "$out"
  rss sha256sum sha256sum "$data"
  rss "openssl dgst -sha256" openssl dgst -sha256 "$data"
  for m in sha parse parse-sha parse-sha-thread; do rss "csv_scan $m" "$SCAN" $m "$data"; done
  /usr/bin/time -v "$PROG" check --year 2025 --input "$year" --output "$out" 2>&1 >/dev/null |
    grep -E 'Maximum resident|Elapsed' | sed 's/^\s*/   /' >&2

  echo "== $s rows: timing ($RUNS runs each, warm file)" >&2
  cat "$data" >/dev/null
  # one --prepare per command: the run starts from an empty output folder
  hyperfine -N --style basic --warmup 1 --runs "$RUNS" --export-json "$results/time-$s.json" \
    --prepare true --prepare true --prepare true --prepare true --prepare "rm -rf $out" \
    --prepare true --prepare true --prepare true --prepare true --prepare true --prepare true \
    --prepare true \
    -n memchr_count "$BUILD/ref/memchr_count $data" \
    -n agg_c "$BUILD/ref/agg_c $data" \
    -n "agg_c -t 2" "$BUILD/ref/agg_c -t 2 $data" \
    -n mawk "mawk -F; -f $SHARED/agg.awk $data" \
    -n "internpris run" "$PROG run --year 2025 --input $year --output $out" \
    -n "internpris check" "$PROG check --year 2025 --input $year --output $out" \
    -n sha256sum "sha256sum $data" \
    -n "openssl dgst -sha256" "openssl dgst -sha256 $data" \
    -n "csv_scan sha" "$SCAN sha $data" \
    -n "csv_scan parse" "$SCAN parse $data" \
    -n "csv_scan parse-sha" "$SCAN parse-sha $data" \
    -n "csv_scan parse-sha-thread" "$SCAN parse-sha-thread $data" >&2
  stat -c %s "$data" >"$results/bytes-$s.txt"
  rm -rf "$out"
done

python3 - "$results" $sizes <<'EOF'
import json, os, statistics, sys
res, sizes = sys.argv[1], sys.argv[2:]
def rss(s):
    out = {}
    for line in open(os.path.join(res, f"rss-{s}.txt")):
        k, v = line.rstrip("\n").rsplit(";", 1)
        out[k] = int(v)
    return out
def mib(kb):
    return f"{kb / 1024:.1f} MiB"
def t(x):
    return f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s"
scal = []
for s in sizes:
    data = json.load(open(os.path.join(res, f"time-{s}.json")))["results"]
    size = int(open(os.path.join(res, f"bytes-{s}.txt")).read())
    r = rss(s)
    mins = {d["command"]: min(d["times"]) for d in data}
    print(f"\n### {s} rows ({size / 1e6:.1f} MB), {len(data[0]['times'])} runs each, warm page cache\n")
    print("| program | min | median | GB/s | ÷ agg_c | ÷ agg_c -t 2 | ÷ memchr_count | peak RSS |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for d in data:
        name, m = d["command"], min(d["times"])
        med = statistics.median(d["times"])
        print(f"| {name} | {t(m)} | {t(med)} | {size / m / 1e9:.2f} | {m / mins['agg_c']:.2f} "
              f"| {m / mins['agg_c -t 2']:.2f} | {m / mins['memchr_count']:.2f} | {mib(r[name])} |")
        if name.startswith("internpris"):
            scal.append((s, name, m, med, r[name]))
if len(sizes) > 2:
    print("\n### Scaling (internpris)\n")
    print("| rows | program | min | median | peak RSS |")
    print("|---|---|---:|---:|---:|")
    for s, name, m, med, kb in scal:
        print(f"| {s} | {name} | {t(m)} | {t(med)} | {mib(kb)} |")
EOF
