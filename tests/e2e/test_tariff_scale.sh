#!/usr/bin/env bash
# The tariff at scale (issue 16, S1 and S2): 200 000 <consolidate> elements —
# all into one customer, one chain through all of them, a chain that ends in
# a cycle, a second consolidation of one customer at the end — are read,
# checked and resolved in a few seconds. Each per-element check of the
# loader is a lookup, not a scan of every earlier element, and chains are
# followed once in all, so the run stays far inside the generous bound
# below; with a scan per element (n²/2 = 2·10^10 steps) it would not. A
# smoke test of the order of growth, not a timed test: the bound is minutes
# away from the expected time, for a loaded machine and sanitizer builds.
# A careless edit that breaks every element (S3: a 'from' of seven digits, a
# missing 'into', an attribute the schema does not know, on each of N) is
# reported by its first fault as fast: libxml2 raises one error per element,
# and each error once cost a walk over all earlier siblings.
source "$(dirname "$0")/lib.sh"
cd "$WORK"
N=${IP_TARIFF_SCALE_N:-200000}
BOUND=${IP_TARIFF_SCALE_BOUND:-60}

# year SHAPE: the sample year plus N customers 300000… and a consolidation
# of each in vaxel: flat (all into 110), chain (i into i+1, the last into
# 110), cycle (the last into the chain's middle), dup (flat, then the
# middle customer a second time), and the faulty shapes: invalid (every
# 'from' seven digits), missing (no 'into'), unknown (an attribute 'note').
year() {
  rm -rf "$WORK/y"; mkdir "$WORK/y"; cp -r "$SRC/input" "$WORK/y/in"
  "$PY" - "$WORK/y/in/2025" "$N" "$1" <<'PY'
import os, sys
d, n, shape = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def into(i):
    if shape in ("flat", "dup"):
        return 110
    if shape == "cycle" and i + 1 == n:
        return 300000 + n // 2
    return 300000 + i + 1 if i + 1 < n else 110
def elem(i):
    if shape == "invalid":
        return f'    <consolidate from="{3000000 + i}" into="110"/>\n'
    if shape == "missing":
        return f'    <consolidate from="{300000 + i}"/>\n'
    if shape == "unknown":
        return f'    <consolidate from="{300000 + i}" into="110" note="x"/>\n'
    return f'    <consolidate from="{300000 + i}" into="{into(i)}"/>\n'
cons = "".join(elem(i) for i in range(n))
if shape == "dup":
    cons += f'    <consolidate from="{300000 + n // 2}" into="110"/>\n'
p = os.path.join(d, "tariff.xml")
s = open(p, encoding="utf-8").read()
anchor = '    <consolidate from="101" into="110"/>\n'
assert anchor in s
open(p, "w", encoding="utf-8").write(s.replace(anchor, anchor + cons))
with open(os.path.join(d, "customers.csv"), "a", encoding="utf-8") as f:
    for i in range(n):
        f.write(f"{300000 + i};Kund {i};forvaltning;212000-0142;R{i};;;;C{i};\n")
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

year flat
within "flat, $N consolidations into 110" 0 "$PROG" check --year 2025 --input y/in --output y/out
year chain
# 101 goes into the chain's first customer instead of 110: its calls travel
# the whole chain to 110, whose fee is the sample year's.
sed -i 's|<consolidate from="101" into="110"/>|<consolidate from="101" into="300000"/>|' y/in/2025/tariff.xml
within "one chain of $N consolidations" 0 "$PROG" explain --customer 110 --year 2025 --input y/in --output y/out
sed -n '/^== vaxel/,/^== /p' "$WORK/out.txt" >"$WORK/vaxel.txt"
"$PROG" explain --customer 110 --year 2025 --input "$SRC/input" --output "$WORK/ref" 2>/dev/null |
  sed -n '/^== vaxel/,/^== /p' >"$WORK/vaxel-ref.txt"
check "the chain ends in 110: 101's calls and all $N links are rolled into it" \
  [ "$(grep -c '^consolidated: + .*, rolled into 110$' "$WORK/vaxel.txt")" -eq $((N + 1)) ]
# the basis line's total (its sum lists every link's 0) and the fee
totals() { grep -E '^basis w' "$1" | grep -oE '= [0-9 ]+ anrop$'; grep -E '^fee 2025' "$1"; }
check "110's basis and fee in vaxel are the sample year's" \
  cmp -s <(totals "$WORK/vaxel.txt") <(totals "$WORK/vaxel-ref.txt")
year cycle
within "a chain of $N ending in a cycle" 78 "$PROG" check --year 2025 --input y/in --output y/out
check "the cycle is named by the first customer whose chain does not end" \
  grep -q "expected consolidations without a cycle in 'vaxel', found one through 300000" "$WORK/err.txt"
year dup
within "a second consolidation after $N" 78 "$PROG" check --year 2025 --input y/in --output y/out
check "the second consolidation names the first one's line" \
  grep -q "expected one consolidate from $((300000 + N / 2)) in service 'vaxel', found a second (first on line" "$WORK/err.txt"

# the faulty shapes: 78 with the first faulty element's line, as for one fault
first=$(($(grep -n '<consolidate from="101" into="110"/>' "$SRC/input/2025/tariff.xml" | cut -d: -f1) + 1))
year invalid
within "$N consolidations, each 'from' seven digits" 78 "$PROG" check --year 2025 --input y/in --output y/out
check "  the first is named, line and value" \
  grep -qx "y/in/2025/tariff.xml:$first: expected a customer number of 1 to 6 digits, found '3000000'" "$WORK/err.txt"
year missing
within "$N consolidations, each without 'into'" 78 "$PROG" check --year 2025 --input y/in --output y/out
check "  the first is named" \
  grep -qx "y/in/2025/tariff.xml:$first: expected a 'into' attribute on <consolidate>, found none" "$WORK/err.txt"
year unknown
within "$N consolidations, each with an unknown attribute" 78 "$PROG" check --year 2025 --input y/in --output y/out
check "  the first is named" \
  grep -qx "y/in/2025/tariff.xml:$first: expected only the attributes of <consolidate> that the schema names, found 'note'" "$WORK/err.txt"
finish
