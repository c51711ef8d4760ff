#!/usr/bin/env bash
# Hostile data (issue 16): inputs whose text the outputs cannot carry,
# numbers at their limits, last year's fees.csv read with the same care as
# every input, and messages that say what is true. Each case breaks a copy
# of the sample year and runs both `check` and `run`: the same exit status
# and the same first line of stderr from each (a pre-flight that passes
# where the run fails is a lie), and the output folder, holding an earlier
# good run, byte-for-byte as before.
source "$(dirname "$0")/lib.sh"
cd "$WORK"
"$PROG" run --year 2025 --input "$SRC/input" --output good >/dev/null
GOOD=$(tree_digest good)
I=in/2025
fresh() { rm -rf in && mkdir in && cp -r "$SRC/input/2025" in/2025; }
py() { $PY - "$@"; }
line_of() { LC_ALL=C grep -naE -m1 -- "$2" "$1" | cut -d: -f1; } # line_of FILE ERE

# both NAME STATUS "FIRST LINE" [grep pattern for the rest of stderr]:
# check and run on in/2025 as the case left it, then a clean copy again.
both() {
  local name=$1 status=$2 first=$3 more=${4:-} cmd rc line
  for cmd in check run; do
    rm -rf out && cp -r good out
    set +e
    "$PROG" $cmd --year 2025 --input in --output out >stdout.txt 2>stderr.txt
    rc=$?
    set -e
    line=$(head -n 1 stderr.txt)
    if [ "$rc" != "$status" ]; then
      fail "$name ($cmd): exit $rc, expected $status ($line)"
    elif [ "$line" != "$first" ]; then
      fail "$name ($cmd): first line of stderr"; echo "#   expected: $first"; echo "#   found:    $line"
    elif [ -n "$more" ] && ! grep -q -- "$more" stderr.txt; then
      fail "$name ($cmd): stderr lacks '$more'"; sed 's/^/#   /' stderr.txt
    elif [ "$(tree_digest out)" != "$GOOD" ]; then
      fail "$name ($cmd): output folder changed"
    elif [ -s stdout.txt ]; then
      fail "$name ($cmd): printed on stdout"
    else
      ok "$name ($cmd)"
    fi
  done
  fresh
}
fresh

# --- numbers at their limits -------------------------------------------------

# Two readings below the per-customer limit whose sum passes the basis
# limit: the message says the total it found, not "a total of 0".
total=$(py $I/licences.csv <<'PY'
import sys
rows = [l.rstrip("\n").split(";") for l in open(sys.argv[1], encoding="utf-8")][1:]
out = [";".join(r[:2] + ["600000000000000" if r[0] == "2024-06-15" and r[1] in ("110", "113") else r[2]]) for r in rows]
open(sys.argv[1], "w", encoding="utf-8").write("date;customer;licences\n" + "\n".join(out) + "\n")
t = sum(int(r[2]) if not (r[0] == "2024-06-15" and r[1] in ("110", "113")) else 600000000000000 for r in rows if r[0] == "2024-06-15")
print(f"{t:,}".replace(",", " "))
PY
)
both "basis total above 10^15" 65 "in/2025/licences.csv: expected a basis total of at most 10^15 licenser on 2024-06-15 for 'kcp', found $total"

# A year whose consolidated basis passes int64_t: 18 446 customers of 10^15
# rolled into one. Before, the sum wrapped to a plausible value and the run
# billed the independent customer 28 % of the fee.
gen_consolidated() { # gen_consolidated N: N customers of 10^15 into 100000
  rm -f $I/*
  py "$1" <<'PY'
import sys
n = int(sys.argv[1]); d = "in/2025"
cust = ["nr;name;group;org_nr;reference", "100000;Målkund;forvaltning;212000-0142;R1", "200000;Oberoende kund;forvaltning;212000-0142;R2"]
lic = ["date;customer;licences", "2024-06-15;100000;1000000000000000", "2024-06-15;200000;100000000000000"]
cons = []
for i in range(n):
    nr = 300000 + i
    cust.append(f"{nr};Kund {nr};forvaltning;212000-0142;R{nr}")
    lic.append(f"2024-06-15;{nr};1000000000000000")
    cons.append(f'  <consolidate from="{nr}" into="100000"/>')
open(d + "/customers.csv", "w").write("\n".join(cust) + "\n")
open(d + "/licences.csv", "w").write("\n".join(lic) + "\n")
open(d + "/tariff.xml", "w").write('''<?xml version="1.0" encoding="UTF-8"?>
<tariff year="2025" currency="SEK">
 <seller name="Stockholms stad" org-nr="212000-0142" vat-id="SE212000014201" street="Fleminggatan 4" postcode="104 20" city="Stockholm" email="a@example.org"/>
 <invoicing issue-date="2025-01-15" due-days="30" number-prefix="KC"/>
 <group id="forvaltning" label="Nämnder" vat="O"/>
 <service id="kcp" name="KCP" fee="1000000" previous-fee="0">
  <basis file="licences.csv" date-column="date" snapshot="2024-06-15" value-column="licences" unit="licenser"/>
  <key method="proportional"/>
''' + "\n".join(cons) + "\n </service>\n</tariff>\n")
PY
}
gen_consolidated 18446
both "consolidated basis past int64_t" 65 "in/2025/tariff.xml:9: expected the basis of 100000 in 'kcp' after consolidation to be at most 10^15 licenser, found more with 300000's 1000000000000000 from licences.csv added"
gen_consolidated 1
both "consolidated basis past 10^15" 65 "in/2025/tariff.xml:9: expected the basis of 100000 in 'kcp' after consolidation to be at most 10^15 licenser, found more with 300000's 1000000000000000 from licences.csv added"

# Fees whose sum no total downstream could hold.
sed -i 's/fee="600000" previous-fee/fee="999999999999" previous-fee/' $I/tariff.xml
both "fees adding up past 10^12 kr" 78 "in/2025/tariff.xml:$(line_of $I/tariff.xml 'id="vaxel"'): expected the fee of all services to add up to at most 10^12 kr, found more with service 'vaxel'"

# explain's own-volume figure (a) is exact however large: last year's basis
# total of 1 against this year's 100 000 000 licences.
make_prev() { # last year's fees.csv: this year's table as 2024
  "$PROG" run --year 2025 --input in --output p >/dev/null
  mkdir -p "$1/2024"; sed 's/^2025;/2024;/' p/2025/fees.csv >"$1/2024/fees.csv"; rm -rf p
}
rm -rf out && mkdir out && make_prev out
sed -i 's/fee="2024000" previous-fee="2024000"/fee="2024000" previous-fee="999995620000"/' $I/tariff.xml
sed -i -E 's/^(2024-06-15;110;)[0-9]+/\1100000000/' $I/licences.csv
py out/2024/fees.csv <<'PY'
import sys
p = sys.argv[1]; L = open(p, encoding="utf-8").read().split("\n")
for i, l in enumerate(L):
    c = l.split(";")
    if len(c) == 7 and c[1] == "kcp":
        c[4] = "1" if c[2] == "113" else "0"; c[5] = "1"; L[i] = ";".join(c)
open(p, "w", encoding="utf-8").write("\n".join(L))
PY
set +e
"$PROG" explain --year 2025 --customer 110 --service kcp --input in --output out >explain.txt 2>stderr.txt
rc=$?
set -e
a_line=$(grep -m1 -E '^  \(a\) own volume' explain.txt || true)
exp=$(py "$a_line" <<'PY'
import sys, re
a_line = sys.argv[1]
# (a) = F × (w − w') / W' with the figures explain printed, exact
m = re.search(r"= ([\d ]+) × \(([\d ]+) − ([\d ]+)\) / ([\d ]+) = ([+\-−]?[\d ]+) kr$", a_line)
if not m:
    print("no (a) figures in: " + a_line); sys.exit()
F, w, pw, W = (int(x.replace(" ", "")) for x in m.groups()[:4])
num, den = F * (w - pw), W
a = (2 * num + den) // (2 * den)
def fmt(v):
    s = f"{abs(v):,}".replace(",", " ")
    return ("+" if v > 0 else "-" if v < 0 else "") + s
print("ok" if m.group(5) == fmt(a) and a > 2**63 else f"(a) printed {m.group(5)}, exact {fmt(a)}")
PY
)
if [ "$rc" = 0 ] && [ "$exp" = ok ]; then ok "explain prints (a) exactly past int64_t"; else fail "explain (a): rc=$rc $exp"; sed 's/^/#   /' stderr.txt; fi
fresh

finish
