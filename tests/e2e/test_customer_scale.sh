#!/usr/bin/env bash
# Customers and consolidations at scale (issue 13, "the workbook and the
# tariff at 5 000 customers and 50 services: no step quadratic"): a smoke
# test of the order of growth, not a timed test.
#
# 1. `check` on the sample year plus 90 000 customers, every one with cases,
#    calls and licences, and 45 000 of them consolidated in vaxel into the
#    other 45 000 (pairs): the pre-flight builds each of the 90 000 invoices
#    with its four lines as the writer would, so the words of every line
#    ("…, inkl. Kund 1 (300001) 7") are made for every customer. Before
#    commit "consolidation linear in customers" each line scanned every
#    customer: 360 000 × 90 000 steps.
# 2. `run` on the sample year plus 40 000 customers without statistics and
#    20 000 consolidations in pairs: the workbook's sheets hold 40 000 rows
#    each, 20 000 markers and footnotes in vaxel and 20 000 "ingår i <nr>"
#    formats on Per kund (a scan per row, and libxlsxwriter's search for a
#    format equal to one it has, per cell, were each N² here).
# Measured (Release, load 6–7 on 2 cores): check 3 s and run 7 s now; the
# program before those commits took 15 s for the check — its scans cost
# 0.4 ns a pair, vectorised, so they show as 5× the time, not as a timeout.
# The bound is minutes away from the expected time, for a loaded machine
# and sanitizer builds: what it catches is a step quadratic at a few
# nanoseconds a pair or more (a comparison of names, a lookup, a search per
# pair), which takes minutes at these sizes; scale.sh measures the growth.
source "$(dirname "$0")/lib.sh"
cd "$WORK"
N=${IP_CUSTOMER_SCALE_N:-90000}
M=${IP_CUSTOMER_SCALE_M:-40000}
BOUND=${IP_CUSTOMER_SCALE_BOUND:-300}

# year DIR N STATS: the sample year plus N customers 300000… (pairs 2i into
# 2i+1 in vaxel); STATS=1 gives each a case in both case services' windows,
# a month of calls and a licence reading on the snapshot date.
year() {
  rm -rf "$1"; mkdir -p "$1"; cp -r "$SRC/input" "$1/in"
  "$PY" - "$1/in/2025" "$2" "$3" <<'PY'
import os, sys
d, n, stats = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
p = os.path.join(d, "tariff.xml")
s = open(p, encoding="utf-8").read()
anchor = '    <consolidate from="101" into="110"/>\n'
assert anchor in s
cons = "".join(f'    <consolidate from="{300000 + i}" into="{300001 + i}"/>\n'
               for i in range(0, n - 1, 2))
open(p, "w", encoding="utf-8").write(s.replace(anchor, anchor + cons))
def add(name, rows):
    with open(os.path.join(d, name), "a", encoding="utf-8") as f:
        f.writelines(rows)
add("customers.csv", (f"{300000 + i};Kund {i};forvaltning;212000-0142;R{i};;;;C{i};\n"
                      for i in range(n)))
if stats:
    add("cases.csv", (f"KC-2024-{900000 + 2 * i + q};2024-02-01;{300000 + i};{queue};inkommande;Fråga\n"
                      for i in range(n) for q, queue in enumerate(("E-tjänstsupport", "Stockholm Direkt"))))
    add("calls.csv", (f"2024-03-01T00:00;{300000 + i};{1 + i % 13}\n" for i in range(n)))
    add("licences.csv", (f"2024-06-15;{300000 + i};{1 + i % 5}\n" for i in range(n)))
PY
}

# within WHAT RC COMMAND...: COMMAND ends with status RC inside the bound
within() {
  local what=$1 want=$2 rc=0 t0 t1; shift 2
  t0=$(date +%s)
  timeout "$BOUND" "$@" >"$WORK/out.txt" 2>"$WORK/err.txt" || rc=$?
  t1=$(date +%s)
  if [ "$rc" -eq 124 ]; then fail "$what: not done within ${BOUND} s"; return; fi
  check "$what: status $want (got $rc, $((t1 - t0)) s)" [ "$rc" -eq "$want" ]
}

year a "$N" 1
within "check, $N more customers with fees, $((N / 2)) consolidated in pairs" 0 \
  "$PROG" check --year 2025 --input a/in --output a/out
# the words of a consolidation-pair head's line name the customer counted in it
within "explain of one head of a pair" 0 \
  "$PROG" explain --customer $((300001 + N / 2 - N / 2 % 2)) --service vaxel --year 2025 --input a/in --output a/out
check "its basis adds the consolidated customer's calls" \
  grep -q "^consolidated: + .* of $((300000 + N / 2 - N / 2 % 2)) Kund $((N / 2 - N / 2 % 2)), rolled into $((300001 + N / 2 - N / 2 % 2))$" "$WORK/out.txt"

year b "$M" 0
within "run, $M more customers, $((M / 2)) consolidated in pairs" 0 \
  "$PROG" run --year 2025 --input b/in --output b/out
check "report.txt names every consolidation in vaxel" \
  [ "$(grep -c '^consolidated: ' b/out/2025/report.txt)" -eq $((M / 2 + 1)) ]
check "the workbook is written" test -s b/out/2025/prislista-2025.xlsx
finish
