#!/usr/bin/env bash
# tests/bench/scale.sh [--quick] [--sizes "N …"] [--services "S …"] [--runs R]
#                      [--rev REV] —
# times the whole computation and its writers (reading, basis, allocation,
# consolidation, fees.csv, report.txt, the workbook with its sheets per
# service, Per kund, Dokument and Avstämning, the SIE file, the ledger) at
# N customers and S services, to show that no step grows faster than
# N × S, and that memory grows at most linearly.
#
#   1. builds internpris in Release into build-bench/ (as run.sh and docs.sh
#      do); with --rev REV, the program of that commit instead (git archive
#      into the scratch folder, built there);
#   2. per S (default 4 50) and N (default 1000 5000 20000; --quick: 200
#      and 1000, S 4 and 50) writes a year with tests/bench/gen_year.py
#      (--periods 1: one invoice per customer, the documents are docs.sh's
#      business; S = 4 is the sample's four services, S = 50 adds 46 of the
#      kinds the tariff allows — counts of cases with filters, the
#      switchboard's equal-and-proportional split, licence snapshots — and
#      consolidations: N/50 in every second service, N/10 pairs in every
#      tenth) and two proposals (every fee +5 % and −3 %) into the scratch
#      folder ($IP_BENCH_DIR, default /tmp/internpris-bench-scale);
#   3. times, warm, each step R times (default 1) and keeps the minimum:
#        check      `check` (every input read and checked, the allocation,
#                   the documents planned, nothing written);
#        run        `run` into an empty output root (rm -rf before);
#        run-eatmydata  the same under eatmydata (fsync a no-op: the
#                   program's own cost, free of the disk's);
#        explain    `explain --customer 110` (every service);
#        scenario   `scenario` with the two proposals and --workbook;
#      wall time from the shell, CPU time (user + system) and peak RSS from
#      /usr/bin/time -f '%M %U %S';
#   4. checks that every fee of the run equals an independent computation
#      from the raw files (gen_year.py check: exact fractions, largest
#      remainder, ledger.csv net per customer and service);
#   5. prints a markdown table: S, N, step, wall and CPU time, peak RSS, and
#      the growth of CPU time and of peak RSS from the previous N (same S)
#      and from the previous S (same N), each beside the linear expectation
#      (the ratio of N, or of S).
# Needs python3, cmake, a C compiler, eatmydata and /usr/bin/time. The
# default takes about five minutes here (most of it N = 20 000, S = 50);
# the scratch folder needs about 1 GB.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
SCRATCH=${IP_BENCH_DIR:-/tmp/internpris-bench-scale}
BUILD=$ROOT/build-bench
GEN="python3 $ROOT/tests/bench/gen_year.py"
sizes="1000 5000 20000" services="4 50" runs=1 rev="" sizes_arg="" svc_arg=""
usage() { echo "usage: $0 [--quick] [--sizes \"N …\"] [--services \"S …\"] [--runs R] [--rev REV]" >&2; exit 64; }
while [ $# -gt 0 ]; do
  case $1 in
    --quick) sizes="200 1000" ;;
    --sizes) [ $# -ge 2 ] || usage; sizes_arg=$2; shift ;;
    --services) [ $# -ge 2 ] || usage; svc_arg=$2; shift ;;
    --runs) [ $# -ge 2 ] || usage; runs=$2; shift ;;
    --rev) [ $# -ge 2 ] || usage; rev=$2; shift ;;
    -h|--help) sed -n '2,44p' "$0"; exit 0 ;;
    *) usage ;;
  esac
  shift
done
sizes=${sizes_arg:-$sizes} services=${svc_arg:-$services}
. "$ROOT/tests/bench/build.sh"
bench_build scale.sh "$rev"

RES=$SCRATCH/results.tsv
: >"$RES"
echo "== internpris of $what ($("$PROG" --version | head -1)); $(date -u '+%Y-%m-%d %H:%M UTC'), $(lscpu | sed -n 's/^Model name:[[:space:]]*//p'), nproc $(nproc), load $(cut -d' ' -f1-3 /proc/loadavg), up to $runs runs a step" >&2

# step S N STEP PREPARE COMMAND...: runs PREPARE (untimed), then COMMAND, R
# times; each run's wall time and peak RSS appended to the results.
step() {
  local s=$1 n=$2 st=$3 prep=$4 i t0 t1 secs; shift 4
  for i in $(seq "$runs"); do
    eval "$prep"
    t0=$(date +%s%N)
    if ! /usr/bin/time -f '%M %U %S' -o "$SCRATCH/rss.txt" "$@" >"$SCRATCH/step.out" 2>"$SCRATCH/step.err"; then
      echo "scale.sh: S=$s N=$n $st failed: $*" >&2
      tail -3 "$SCRATCH/step.err" >&2
      exit 1
    fi
    t1=$(date +%s%N)
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
    read -r kib usr sys < <(tail -1 "$SCRATCH/rss.txt")
    cpu=$(awk -v u="$usr" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$s" "$n" "$st" "$secs" "$kib" "$cpu" >>"$RES"
    echo "   S=$s N=$n $st: ${secs} s, CPU ${cpu} s, ${kib} KiB" >&2
  done
}

for s in $services; do
  for n in $sizes; do
    d=$SCRATCH/s$s-n$n
    rm -rf "$d"
    mkdir -p "$d"
    echo "== S=$s N=$n: generating the year and two proposals (load $(cut -d' ' -f1 /proc/loadavg))" >&2
    $GEN make --customers "$n" --periods 1 --services "$s" --out "$d/in"
    $GEN proposal --input "$d/in" --percent 105 --out "$d/a.xml"
    $GEN proposal --input "$d/in" --percent 97 --out "$d/b.xml"
    y="--year 2025 --input $d/in --output $d/out"
    step "$s" "$n" check "rm -rf $d/out" "$PROG" check $y
    step "$s" "$n" run "rm -rf $d/out; sync" "$PROG" run $y
    $GEN check --input "$d/in" --output "$d/out" >&2
    step "$s" "$n" run-eatmydata "rm -rf $d/out" eatmydata "$PROG" run $y
    $GEN check --input "$d/in" --output "$d/out" >/dev/null
    step "$s" "$n" explain "" "$PROG" explain $y --customer 110
    grep -q '^== vaxel' "$SCRATCH/step.out" ||
      { echo "scale.sh: S=$s N=$n: explain printed no vaxel section" >&2; exit 1; }
    step "$s" "$n" scenario "rm -f $d/cmp.xlsx" "$PROG" scenario $y --tariff "$d/a.xml" \
      --tariff "$d/b.xml" --workbook "$d/cmp.xlsx" --name "Skala $s × $n"
    [ -s "$d/cmp.xlsx" ] || { echo "scale.sh: S=$s N=$n: no comparison workbook" >&2; exit 1; }
    wb=$(stat -c %s "$d/out/2025/prislista-2025.xlsx")
    printf '%s\t%s\tworkbook\t%s\n' "$s" "$n" "$wb" >>"$RES"
    rm -rf "$d/out"
  done
done

python3 - "$RES" "$what" <<'EOF'
import sys
res, what = sys.argv[1:3]
t, cpu, rss, wb, Ss, Ns = {}, {}, {}, {}, [], []
for line in open(res):
    f = line.rstrip("\n").split("\t")
    s, n = int(f[0]), int(f[1])
    if s not in Ss:
        Ss.append(s)
    if n not in Ns:
        Ns.append(n)
    if f[2] == "workbook":
        wb[(s, n)] = int(f[3])
        continue
    k = (s, n, f[2])
    t[k] = min(t.get(k, 1e99), float(f[3]))
    cpu[k] = min(cpu.get(k, 1e99), float(f[5]))
    rss[k] = max(rss.get(k, 0), int(f[4]))
def ft(x):
    return f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s"
def grow(a, b, want):
    return f"{b / a:.2f}× ({want:g}×)" if a > 0 else "–"
steps = ["check", "run", "run-eatmydata", "explain", "scenario"]
print(f"\ninternpris of {what}; minimum wall time and CPU time (user + system) of the "
      "runs, largest peak RSS; growth of CPU time and of peak RSS: this size's figure over "
      "the previous N's (same S) and the previous S's (same N), the linear expectation in "
      "brackets. CPU time is what a loaded machine disturbs least.\n")
print("| S | N | step | wall | CPU | peak RSS | CPU ÷ prev N | RSS ÷ prev N | CPU ÷ prev S | RSS ÷ prev S |")
print("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|")
for si, s in enumerate(Ss):
    for ni, n in enumerate(Ns):
        for st in steps:
            k = (s, n, st)
            if k not in t:
                continue
            gn = gr = sn = sr = ""
            if ni > 0 and (s, Ns[ni - 1], st) in t:
                p = (s, Ns[ni - 1], st)
                gn, gr = grow(cpu[p], cpu[k], n / Ns[ni - 1]), grow(rss[p], rss[k], n / Ns[ni - 1])
            if si > 0 and (Ss[si - 1], n, st) in t:
                p = (Ss[si - 1], n, st)
                sn, sr = grow(cpu[p], cpu[k], s / Ss[si - 1]), grow(rss[p], rss[k], s / Ss[si - 1])
            print(f"| {s} | {n} | {st} | {ft(t[k])} | {ft(cpu[k])} | {rss[k] / 1024:.1f} MiB | {gn} | {gr} | {sn} | {sr} |")
print("\nworkbook (prislista-2025.xlsx) bytes: " +
      ", ".join(f"S={s} N={n}: {wb[(s, n)] / 1e6:.1f} MB" for s in Ss for n in Ns if (s, n) in wb))
EOF
