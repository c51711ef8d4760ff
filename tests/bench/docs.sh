#!/usr/bin/env bash
# tests/bench/docs.sh [--quick] [--sizes "N …"] [--periods P] [--runs R]
#                     [--rev REV] —
# times the document path of internpris (invoices, the record of issued
# documents, corrections) on years of N customers invoiced in P periods,
# next to the floor for the same files.
#
#   1. builds internpris in Release into build-bench/ (as run.sh does); with
#      --rev REV, the program of that commit instead (git archive into the
#      scratch folder, built there), timed by this script and generator
#      (with that commit's sample tariff), to compare a version before a
#      change with one after;
#   2. per N (default 500 2000 5000, P = 12; --quick: 50 and 200, one run
#      each, unless --sizes or --runs say otherwise) first settles the
#      file system (see settle below: the previous size's trees removed,
#      then $IP_BENCH_SETTLE seconds, default 365, of waiting; 0 for a
#      quick look), so that every size starts from the same state; then writes an input year and its changed twin with
#      tests/bench/gen_year.py into the scratch folder ($IP_BENCH_DIR,
#      default /tmp/internpris-bench-docs): the changed year hands a few
#      customers' cases to others, so that some fees move;
#   3. times, warm (dropping caches is not possible here), each step R times
#      (default 3; a step whose one run took more than $IP_BENCH_LONG
#      seconds, default 60, is not repeated) and keeps the minimum:
#        first      `run` into an empty output root (the previous tree moved
#                   aside, then sync, before);
#        floor      `cp -a` of that run's output tree (year folder and
#                   record) into a fresh folder, then `sync`: what the file
#                   system needs for the same bytes and files;
#        re-run     `run` again on the same inputs and output (issues nothing:
#                   checked);
#        correction `run --correct --issue-date 2025-03-03` on the changed
#                   year, each time on a fresh copy of the first run's tree
#                   (copied and synced before, untimed);
#        eatmydata  the first run under eatmydata (fsync and sync are no-ops:
#                   the cost of the program without durability);
#      wall time from the shell, CPU time (user + system) and peak RSS
#      from /usr/bin/time (CPU of the run with the minimum wall time, RSS
#      the largest of the step's runs);
#   4. checks that every fee of the first run and of the correction equals
#      an independent computation from the raw files (gen_year.py check:
#      exact fractions, largest remainder, ledger.csv net per customer and
#      service), and that the re-run left the record as it was;
#   5. prints a markdown table: N, documents, each step's minimum and
#      median, ratio to the floor, time per document of the first run's
#      tree, growth from the previous N, CPU time, peak RSS; then the
#      issue's targets, each yes or NO: the first run within 1.5× of the
#      floor at N = 2 000, the first run's time per document constant from
#      the smallest to the largest N within 20 %, a re-run no slower than
#      the first run.
# Needs python3, cmake, a C compiler, eatmydata and /usr/bin/time (Debian
# packages eatmydata and time). The default takes about forty minutes on
# today's program (some twenty of it removing trees and waiting, most of
# the rest at N = 5000); the scratch folder keeps the trees of the size being
# timed (see aside below): about 15 trees of each N per run of a step,
# some 13 GB at N = 5000 (a tree is about 0.9 GB).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
SCRATCH=${IP_BENCH_DIR:-/tmp/internpris-bench-docs}
BUILD=$ROOT/build-bench
LONG=${IP_BENCH_LONG:-60}
GEN="python3 $ROOT/tests/bench/gen_year.py"
sizes="500 2000 5000" periods=12 runs=3 quick=0 rev="" sizes_arg="" runs_arg=""
usage() { echo "usage: $0 [--quick] [--sizes \"N …\"] [--periods 1|4|12] [--runs R] [--rev REV]" >&2; exit 64; }
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1 ;;
    --sizes) [ $# -ge 2 ] || usage; sizes_arg=$2; shift ;;
    --periods) [ $# -ge 2 ] || usage; periods=$2; shift ;;
    --runs) [ $# -ge 2 ] || usage; runs_arg=$2; shift ;;
    --rev) [ $# -ge 2 ] || usage; rev=$2; shift ;;
    -h|--help) sed -n '2,55p' "$0"; exit 0 ;;
    *) usage ;;
  esac
  shift
done
if [ $quick -eq 1 ]; then sizes="50 200" runs=1; fi
sizes=${sizes_arg:-$sizes} runs=${runs_arg:-$runs}
. "$ROOT/tests/bench/build.sh"
bench_build docs.sh "$rev"
[ -z "$rev" ] || export IP_GEN_TESTS=$SRCDIR/tests # its sample tariff, which it accepts

# No tree is removed while a size is timed: a tree a step replaces is moved
# aside into $TRASH (a rename frees no inode), and the trash is removed
# before the next size (settle) and at the end. On an ext4 without a
# journal (this VM's) the inode allocator skips every inode freed in the
# last 60 s — 360 s while its inode table block is dirty — one by one from
# the start of the group, for every file it creates (recently_deleted() in
# fs/ext4/ialloc.c): removing the previous 50 000 files right before a
# timed run made each file creation of the run (and of the floor's cp -a)
# scan them (perf: 88 % of a run's CPU in recently_deleted(), a floor's CPU
# per document 11 times its usual).
#
# settle: removes the trash, syncs and waits $IP_BENCH_SETTLE seconds
# (default 365: the kernel's longest window, 300 s + 60 s) before a size.
# 65 s after the sync was not enough here: twice the first run and the
# floor right after it still spent 25-48 % of their CPU in
# recently_deleted() (a floor at N = 2000: 482 and 882 µs of CPU per
# document against 77). The removal itself is slow (mount option discard:
# each freed extent waits for its discard; 300-1 700 inodes a second). Keeping every size's trees to the end instead (this
# script until 2026-12-01) timed N = 5000 in another state than N = 500:
# 6.5 GB of smaller trees and 13 GB of its own in the page cache of a
# 24 GB guest whose free memory the host takes back (DAMON pageout, free
# page reporting): a page the host must fault in costs 10-15 µs against
# 1.5-2.5 µs for one the guest holds, and a floor at N = 5000 in that state
# spent 32 % of its CPU in memcpy/memset filling pages (122 µs of CPU per
# document against 77 µs, same N, same program). Deletions by other work on
# a shared disk are not in this script's hands: a step that looks off is
# worth a `perf record -g` (recently_deleted, find_inode_bit).
TRASH=$SCRATCH/trash
SETTLE=${IP_BENCH_SETTLE:-365}
# It waits before the first size too: a run just before this one (another
# --rev, an interrupted run's trash) may have removed its trees there.
settle() {
  echo "== settling: removing $TRASH, then ${SETTLE} s for ext4 to stop skipping the freed inodes" >&2
  rm -rf "$TRASH"
  sync
  sleep "$SETTLE"
  mkdir -p "$TRASH"
}
mkdir -p "$TRASH"
aside() { if [ -e "$1" ]; then mv "$1" "$(mktemp -u "$TRASH/t.XXXXXX")"; fi; }

RES=$SCRATCH/results.tsv
: >"$RES"
echo "== internpris of $what ($("$PROG" --version | head -1)); $(date -u '+%Y-%m-%d %H:%M UTC'), $(lscpu | sed -n 's/^Model name:[[:space:]]*//p'), nproc $(nproc), periods $periods, up to $runs runs a step" >&2

# once N STEP PREPARE COMMAND...: runs PREPARE (untimed), then COMMAND with
# its wall time and peak RSS appended to the results.
once() {
  local n=$1 step=$2 prep=$3; shift 3
  eval "$prep"
  local t0 t1
  t0=$(date +%s%N)
  if ! /usr/bin/time -f '%M %U %S' -o "$SCRATCH/rss.txt" "$@" >"$SCRATCH/step.out" 2>"$SCRATCH/step.err"; then
    echo "docs.sh: N=$n $step failed: $*" >&2
    tail -3 "$SCRATCH/step.err" >&2
    exit 1
  fi
  t1=$(date +%s%N)
  local s rss cpu
  s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
  read -r rss cpu < <(tail -1 "$SCRATCH/rss.txt" | awk '{ printf "%s %.2f\n", $1, $2 + $3 }')
  printf '%s\t%s\t%s\t%s\t%s\n' "$n" "$step" "$s" "$rss" "$cpu" >>"$RES"
  echo "   N=$n $step: ${s} s, CPU ${cpu} s, $rss KiB" >&2
  LAST=$s
}
# step N STEP PREPARE COMMAND...: up to $runs times, fewer when slow.
step() {
  local i
  for i in $(seq "$runs"); do
    once "$@"
    awk -v s="$LAST" -v l="$LONG" 'BEGIN { exit !(s > l) }' && break
  done
  return 0
}

for n in $sizes; do
  d=$SCRATCH/n$n
  aside "$d"
  settle
  mkdir -p "$d"
  echo "== N=$n: generating the year and its changed twin" >&2
  $GEN make --customers "$n" --periods "$periods" --out "$d/in"
  $GEN make --customers "$n" --periods "$periods" --changed 5 --out "$d/chg" 2>"$d/changed.txt"
  run="$PROG run --year 2025 --input $d/in --output $d/out"

  step "$n" first "aside $d/out; sync" $run
  $GEN check --input "$d/in" --output "$d/out" >&2
  docs=$(ls "$d/out/2025/invoices" | wc -l)
  bytes=$(du -sb "$d/out" | cut -f1)
  files=$(find "$d/out" -type f | wc -l)
  printf '%s\tdocs\t%s\t%s\t%s\n' "$n" "$docs" "$bytes" "$files" >>"$RES"
  cp -a "$d/out" "$d/first"

  step "$n" floor "aside $d/floor; sync" sh -c "cp -a '$d/first' '$d/floor' && sync"
  aside "$d/floor"

  step "$n" re-run "sync" $run
  cmp -s "$d/out/issued/2025/register.csv" "$d/first/issued/2025/register.csv" ||
    { echo "docs.sh: N=$n: the re-run changed the record" >&2; exit 1; }
  [ "$(ls "$d/out/2025/invoices" | wc -l)" -eq "$docs" ] ||
    { echo "docs.sh: N=$n: the re-run changed the invoices" >&2; exit 1; }
  echo "   N=$n re-run: the record and invoices/ are as after the first run" >&2

  step "$n" correction "aside $d/out; cp -a $d/first $d/out; sync" \
    $PROG run --year 2025 --input "$d/chg" --output "$d/out" --correct --issue-date 2025-03-03
  $GEN check --input "$d/chg" --output "$d/out" >&2
  issued=$(( $(ls "$d/out/2025/invoices" | wc -l) - docs ))
  [ "$issued" -gt 0 ] || { echo "docs.sh: N=$n: the correction issued nothing" >&2; exit 1; }
  printf '%s\tissued\t%s\n' "$n" "$issued" >>"$RES"
  echo "   N=$n correction: $issued documents issued ($(cat "$d/changed.txt"))" >&2

  step "$n" eatmydata "aside $d/out; sync" eatmydata $run
  $GEN check --input "$d/in" --output "$d/out" >/dev/null
  aside "$d/out"
  aside "$d/first"
  sync
done
echo "== removing the trees the steps replaced ($TRASH)" >&2
rm -rf "$TRASH"

python3 - "$RES" "$periods" "$what" <<'EOF'
import statistics, sys
res, periods, what = sys.argv[1:4]
times, rss, cpu, docs, issued, sizes = {}, {}, {}, {}, {}, []
for line in open(res):
    f = line.rstrip("\n").split("\t")
    n = int(f[0])
    if n not in sizes:
        sizes.append(n)
    if f[1] == "docs":
        docs[n] = (int(f[2]), int(f[3]), int(f[4]))
    elif f[1] == "issued":
        issued[n] = int(f[2])
    else:
        k = (n, f[1])
        if k not in times or float(f[2]) < min(times[k]):
            cpu[k] = float(f[4])
        times.setdefault(k, []).append(float(f[2]))
        rss[k] = max(rss.get(k, 0), int(f[3]))
def t(x):
    return f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s"
steps = ["first", "floor", "re-run", "correction", "eatmydata"]
print(f"\ninternpris of {what}, {periods} periods; minimum (median) of the runs, warm page cache; ÷ floor and per "
      "document from the minimum; growth: this N's minimum over the previous N's; CPU: user + system "
      "of the run with the minimum.\n")
print("| N | documents | step | runs | min (median) | ÷ floor | per document | growth | CPU | peak RSS |")
print("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|")
prev = None
for n in sizes:
    d, b, files = docs[n]
    floor = min(times[(n, "floor")])
    for s in steps:
        xs = times[(n, s)]
        m = min(xs)
        grow = ""
        if prev is not None:
            grow = f"{m / min(times[(prev, s)]):.1f}× (N {n / prev:.1f}×)"
        what = {"first": f"first ({d} issued)", "re-run": "re-run (0 issued)",
                "correction": f"correction ({issued[n]} issued)",
                "floor": f"floor: cp -a + sync ({b / 1e6:.0f} MB, {files} files)",
                "eatmydata": "first under eatmydata"}[s]
        print(f"| {n} | {d} | {what} | {len(xs)} | {t(m)} ({t(statistics.median(xs))}) "
              f"| {m / floor:.2f} | {m / d * 1e6:.0f} µs | {grow} | {t(cpu[(n, s)])} "
              f"| {rss[(n, s)] / 1024:.1f} MiB |")
    prev = n

# the issue's targets (issue 13), each from this run's minima
def first(n):
    return min(times[(n, "first")])
print("\nTargets:\n")
for n in sizes:
    if n == 2000:
        r = first(n) / min(times[(n, "floor")])
        print(f"- first run within 1.5× of the floor at N = {n}: {'yes' if r <= 1.5 else 'NO'} ({r:.2f}×)")
per = {n: first(n) / docs[n][0] for n in sizes}
if len(sizes) > 1:
    lo, hi = sizes[0], sizes[-1]
    spread = max(per.values()) / min(per.values())
    print(f"- time per document constant {lo}→{hi} within 20 %: {'yes' if spread <= 1.2 else 'NO'} "
          f"({', '.join(f'{per[n] * 1e6:.0f} µs' for n in sizes)}; largest ÷ smallest {spread:.2f})")
for n in sizes:
    a, b = min(times[(n, "re-run")]), first(n)
    print(f"- re-run no slower than the first run at N = {n}: {'yes' if a <= b else 'NO'} "
          f"({t(a)} against {t(b)})")
EOF
