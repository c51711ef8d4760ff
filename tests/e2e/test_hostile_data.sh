#!/usr/bin/env bash
# Hostile data (issue 16): inputs whose text the outputs cannot carry,
# text that reads the same in another Unicode form, numbers at their limits, last year's fees.csv read with the same care as
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

# --- text the outputs cannot carry --------------------------------------------

# edit_field FILE NR COL BYTES: column COL (1-based) of the row of customer NR
# in customers.csv gets BYTES (a Python bytes literal) after its third byte.
edit_field() {
  py "$@" <<'PY'
import sys, ast
p, nr, col, ins = sys.argv[1], sys.argv[2].encode(), int(sys.argv[3]), ast.literal_eval(sys.argv[4])
L = open(p, "rb").read().split(b"\n")
for i, l in enumerate(L):
    c = l.split(b";")
    if c[0] == nr:
        c[col - 1] = c[col - 1][:3] + ins + c[col - 1][3:]
        L[i] = b";".join(c)
open(p, "wb").write(b"\n".join(L))
PY
}
L291=$(line_of $I/customers.csv '^291;')
sed -i 's/^291;Stockholms Stads Bostadsförmedling AB/291;Stockholms Stads Bostadsf\xef\xbf\xbermedling AB/' $I/customers.csv
both "U+FFFE in a name" 65 "in/2025/customers.csv:$L291: expected text XML can carry in column 'name', found U+FFFE at character 26"
edit_field $I/customers.csv 291 5 "b'\xef\xbf\xbf'"
both "U+FFFF in a reference" 65 "in/2025/customers.csv:$L291: expected text XML can carry in column 'reference', found U+FFFF at character 4"
for col in 2:name 5:reference 6:street 8:city; do
  edit_field $I/customers.csv 291 ${col%%:*} "b'\x01'"
  both "C0 control in ${col#*:}" 65 "in/2025/customers.csv:$L291: expected text without control characters in column '${col#*:}', found U+0001 at character 4"
done
edit_field $I/customers.csv 291 6 "b'\x1b[31m'"
both "escape sequence in a street" 65 "in/2025/customers.csv:$L291: expected text without control characters in column 'street', found U+001B at character 4"
py $I/customers.csv <<'PY'
import sys
p = sys.argv[1]; L = open(p, encoding="utf-8").read().split("\n")
L = [";".join([c[0], '"Bostadsförmedling\nAB"'] + c[2:]) if l.startswith("291;") else l for l in L for c in [l.split(";")]]
open(p, "w", encoding="utf-8").write("\n".join(L))
PY
both "line break in a name" 65 "in/2025/customers.csv:$L291: expected one line of text in column 'name', found a line break (U+000A) at character 18"
# The tariff: XML itself refuses C0 and U+FFFE; DEL by a character reference
# and a text longer than a workbook cell are the loader's.
sed -i 's/Fleminggatan 4/Fleminggatan \&#127;4/' $I/tariff.xml
both "DEL in the seller's street" 78 "in/2025/tariff.xml:$(line_of $I/tariff.xml 'Fleminggatan'): expected text without control characters in the 'street' attribute of <seller>, found U+007F at character 14"
py $I/tariff.xml <<'PY'
import sys
p = sys.argv[1]; s = open(p, encoding="utf-8").read()
open(p, "w", encoding="utf-8").write(s.replace("<description>", "<description>" + "\U0001F4DE" * 16384, 1))
PY
both "description past a cell's 32767 UTF-16 units" 78 "in/2025/tariff.xml:$(line_of $I/tariff.xml '<description>'): expected at most 32767 characters in <description> (a workbook cell's limit, in UTF-16 units), found $((32768 + $(py $I/tariff.xml <<'PY'
import sys, re
s = open(sys.argv[1], encoding="utf-8").read()
d = re.search(r"<description>(.*?)</description>", s, re.S).group(1)
print(len(" ".join(d.split()).encode("utf-16-le")) // 2 - 32768)
PY
)))"

# Invisible and bidirectional characters in an error line are escaped: the
# line reads as what the file holds.
L6=$(py $I/cases.csv <<'PY'
import sys
p = sys.argv[1]; L = open(p, "rb").read().split(b"\n")
c = L[5].split(b";"); c[2] = b"\xe2\x80\xae" + c[2]; L[5] = b";".join(c)
open(p, "wb").write(b"\n".join(L)); print(6)
PY
)
both "U+202E in an error line" 65 "in/2025/cases.csv:$L6: expected a customer number (digits), found '\\u202E$(sed -n "${L6}p" $I/cases.csv | cut -d';' -f3 | sed 's/^\xe2\x80\xae//')'"

# Lines past 65 535 (libxml2 keeps 16 bits of a node's line): an error on an
# element names its own line.
py $I/tariff.xml <<'PY'
import sys
p = sys.argv[1]; s = open(p, encoding="utf-8").read()
s = s.replace('  <service id="kcp" name="Förvaltning av kontaktcenterplattform"', "\n" * 65600 + '  <service id="kcp"', 1)
open(p, "w", encoding="utf-8").write(s)
PY
both "tariff error past line 65 535" 78 "in/2025/tariff.xml:$(line_of $I/tariff.xml '<service id="kcp"'): expected a 'name' attribute on <service>, found none"

# --- the same text in another Unicode form ---------------------------------

# run_ok NAME [grep pattern for stderr]: run --verbose exits 0 and its
# fees.csv is the good run's; the pattern (if any) is in stderr.
run_ok() {
  local name=$1 more=${2:-} rc
  rm -rf out
  set +e
  "$PROG" run --verbose --year 2025 --input in --output out >stdout.txt 2>stderr.txt
  rc=$?
  set -e
  if [ "$rc" != 0 ]; then
    fail "$name: exit $rc"; sed 's/^/#   /' stderr.txt
  elif ! cmp -s out/2025/fees.csv good/2025/fees.csv; then
    fail "$name: fees differ from the sample's"; { diff good/2025/fees.csv out/2025/fees.csv || true; } | head -5 | sed 's/^/#   /'
  elif [ -n "$more" ] && ! grep -q -- "$more" stderr.txt; then
    fail "$name: stderr lacks '$more'"; sed 's/^/#   /' stderr.txt
  else
    ok "$name"
  fi
  fresh
}
nfd_rows() { # nfd_rows ERE: the rows of cases.csv that match it in NFD
  py "$1" $I/cases.csv <<'PY'
import sys, re, unicodedata
p = sys.argv[2]; L = open(p, encoding="utf-8").read().split("\n")
L = [unicodedata.normalize("NFD", l) if re.search(sys.argv[1], l) else l for l in L]
open(p, "w", encoding="utf-8").write("\n".join(L))
PY
}
nfd_rows ';132;E-tjänstsupport;'
run_ok "statistics in NFD match the tariff's NFC values"
py $I/tariff.xml <<'PY'
import sys, unicodedata
p = sys.argv[1]; s = open(p, encoding="utf-8").read()
open(p, "w", encoding="utf-8").write(s.replace('values="E-tjänstsupport"', unicodedata.normalize("NFD", 'values="E-tjänstsupport"')))
PY
run_ok "tariff values in NFD match NFC statistics"
# A value that differs only in case, spaces or invisible characters is not
# counted, but the run says so (and the fees move: the sample's are not kept).
near() { # near NAME SED-REPLACEMENT
  local name=$1 rc
  sed -i "s/;132;E-tjänstsupport;/;132;$2;/" $I/cases.csv
  rm -rf out
  set +e
  "$PROG" run --verbose --year 2025 --input in --output out >stdout.txt 2>stderr.txt
  rc=$?
  set -e
  if [ "$rc" = 0 ] && grep -q "in/2025/cases.csv:[0-9]*: [0-9]* rows in the window of 'etjanst' hold '.*' in column 'queue', which differs from the tariff's 'E-tjänstsupport' only in case, spaces or invisible characters; they are not counted" stderr.txt &&
     grep -q "only in case, spaces or invisible" out/2025/report.txt; then
    ok "$name: a warning, in the report too"
  else
    fail "$name: rc=$rc"; sed 's/^/#   /' stderr.txt
  fi
  fresh
}
near "a queue in lower case" "e-tjänstsupport"
near "a queue with a trailing NBSP" 'E-tjänstsupport\xc2\xa0'
near "a queue with a BOM in front" '\xef\xbb\xbfE-tjänstsupport'
near "a queue with U+200B inside" 'E-tjänst\xe2\x80\x8bsupport'

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

# --- messages that tell the truth --------------------------------------------

# A basis of 0 says why: no rows in the window (the dates the file holds),
# or rows the filters all rejected (the <match>'s line, values the column holds).
sed -i 's/from="2023-07-01" to="2024-06-30"/from="2019-07-01" to="2020-06-30"/' $I/tariff.xml
read -r d0 d1 < <(py $I/cases.csv <<'PY'
import sys, csv
r = csv.DictReader(open(sys.argv[1], encoding="utf-8", newline=""), delimiter=";")
d = sorted(row["date"][:10] for row in r)
print(d[0], d[-1])
PY
)
both "no rows in the window" 65 "in/2025/cases.csv: expected ärenden in 2019-07-01–2020-06-30 for 'etjanst' (fee 240 000 kr), found no rows in the window: the file's dates in column 'date' run from $d0 to $d1"
sed -i 's/values="inkommande"/values="inkommand"/' $I/tariff.xml
held=$(py $I/cases.csv <<'PY'
import sys, csv
r = csv.DictReader(open(sys.argv[1], encoding="utf-8", newline=""), delimiter=";")
n, kinds = 0, []
for row in r:
    if not "2023-07-01" <= row["date"][:10] <= "2024-06-30":
        continue
    n += 1
    if row["queue"] == "E-tjänstsupport" and row["kind"] not in kinds and len(kinds) < 4:
        kinds.append(row["kind"])
print(f"{n:,}".replace(",", " ") + " in the window; the column holds " + ", ".join(f"'{k}'" for k in kinds) + (", …" if len(kinds) == 4 else ""))
PY
)
both "no row matching a filter" 65 "in/2025/tariff.xml:$(line_of $I/tariff.xml 'values="inkommand"'): expected rows of cases.csv in 2023-07-01–2024-06-30 matching the <match> on column 'kind' for 'etjanst' (fee 240 000 kr), found none of the $held"

# Advice that fits the fault: a backup or a copy beside the documents is
# moved out, not a reason to restore the record.
stray_case() { # stray_case NAME FILE "FIRST LINE"
  local name=$1 file=$2 first=$3 cmd rc line
  for cmd in check run; do
    rm -rf out && cp -r good out
    cp "out/$(dirname "$file")/2025-110.xml" "out/$file"
    set +e
    "$PROG" $cmd --year 2025 --input in --output out >stdout.txt 2>stderr.txt
    rc=$?
    set -e
    line=$(head -n 1 stderr.txt)
    if [ "$rc" = 65 ] && [ "$line" = "$first" ]; then ok "$name ($cmd)"
    else fail "$name ($cmd): rc=$rc"; echo "#   expected: $first"; echo "#   found:    $line"; fi
  done
}
stray_case "an editor's backup in the record" "issued/2025/invoices/2025-110.xml~" \
  "out/issued/2025/invoices/2025-110.xml~: expected only the documents listed in register.csv, found a file whose name is no document's (an editor's backup or a copy?); move it out of the record's folder"
stray_case "a copy in the year folder" "2025/invoices/2025-110 (kopia).xml" \
  "out/2025/invoices: expected only documents of the record (issued/2025/register.csv) in this folder, found 2025-110 (kopia).xml, whose name is no document's (an editor's backup or a copy?); move it out of the folder"

# An edited register row whose document is as issued (the digests left as
# they were): found when the record is loaded — by check as by run, and by a
# correction before it writes — naming the row's line, never a temporary
# path at write time.
reg_case() { # reg_case NAME SED "FIRST LINE"
  local name=$1 expr=$2 first=$3 cmd rc line
  for cmd in check run "run --correct --issue-date 2025-03-03"; do
    rm -rf out && cp -r good out
    sed -i "$expr" out/issued/2025/register.csv
    before=$(tree_digest out)
    if [ "$cmd" != check ] && [ "$cmd" != run ]; then
      sed -i 's/fee="240000" previous-fee/fee="250000" previous-fee/' in/2025/tariff.xml
    fi
    set +e
    # shellcheck disable=SC2086
    "$PROG" $cmd --year 2025 --input in --output out >stdout.txt 2>stderr.txt
    rc=$?
    set -e
    fresh
    line=$(head -n 1 stderr.txt)
    if [ "$rc" = 65 ] && [ "$line" = "$first" ] && [ "$(tree_digest out)" = "$before" ] &&
       [ -z "$(find out -name '.*.tmp-*')" ]; then ok "$name ($cmd)"
    else fail "$name ($cmd): rc=$rc"; echo "#   expected: $first"; echo "#   found:    $line"; fi
  done
}
R110=$(line_of good/issued/2025/register.csv '^KC2025-110;')
net110=$(grep '^KC2025-110;' good/issued/2025/register.csv | cut -d';' -f13)
reg_case "a register row's amounts edited" \
  "/^KC2025-110;/{s/;$net110;0.00;$net110;etjanst=[0-9.]*,/;365039.00;0.00;365039.00;etjanst=100000.00,/}" \
  "out/issued/2025/register.csv:$R110: expected net $net110 as document 'KC2025-110' (invoices/2025-110.xml, as issued: its SHA-256 matches) holds, found 365039.00; the register must not be edited: restore register.csv from a backup"
reg_case "a register row's lines edited" \
  "/^KC2025-110;/{s/;etjanst=\([0-9]*\)\.00,direkt=\([0-9]*\)\.00/;etjanst=\2.00,direkt=\1.00/}" \
  "out/issued/2025/register.csv:$R110: expected lines '$(grep '^KC2025-110;' good/issued/2025/register.csv | cut -d';' -f16)' as document 'KC2025-110' (invoices/2025-110.xml, as issued: its SHA-256 matches) holds, found '$(grep '^KC2025-110;' good/issued/2025/register.csv | cut -d';' -f16 | sed 's/etjanst=\([0-9]*\)\.00,direkt=\([0-9]*\)\.00/etjanst=\2.00,direkt=\1.00/')'; the register must not be edited: restore register.csv from a backup"
reg_case "a register row's customer edited" \
  "/^KC2025-110;/{s/^KC2025-110;invoice;110;/KC2025-110;invoice;111;/}" \
  "out/issued/2025/register.csv:$R110: expected customer 110 as document 'KC2025-110' (invoices/2025-110.xml, as issued: its SHA-256 matches) holds, found 111; the register must not be edited: restore register.csv from a backup"

# --- last year's fees.csv ---------------------------------------------------

# prev_case NAME STATUS "FIRST LINE" SED: last year's table (this year's as
# 2024) edited by SED; check and run exit STATUS with that first line (and
# with STATUS 0, the dry run shows what it shows without the edit).
rm -rf prev && mkdir prev && make_prev prev
run_prev() { # run_prev CMD: CMD on in/ with prev/ as the output root
  rm -rf out && cp -r prev out
  set +e
  "$PROG" $1 --year 2025 --input in --output out >stdout.txt 2>stderr.txt
  rc=$?
  set -e
}
run_prev "run --dry-run"; cp stdout.txt dry_good.txt
prev_case() {
  local name=$1 status=$2 first=$3 edit=$4 cmd line
  for cmd in check run; do
    sed -i -E "$edit" prev/2024/fees.csv
    run_prev $cmd
    line=$(head -n 1 stderr.txt)
    if [ "$rc" != "$status" ]; then
      fail "$name ($cmd): exit $rc, expected $status ($line)"
    elif [ "$line" != "$first" ]; then
      fail "$name ($cmd): first line of stderr"; echo "#   expected: $first"; echo "#   found:    $line"
    else
      ok "$name ($cmd)"
    fi
    rm -rf prev && mkdir prev && make_prev prev
  done
}
LE=$(line_of prev/2024/fees.csv '^2024;etjanst;110;')
prev_case "last year's fee above 10^12 kr" 65 "out/2024/fees.csv:$LE: expected a fee of at most 10^12 kr, found 1000000000000000" \
  's/^(2024;etjanst;110;[^;]*;[0-9]+;[0-9]+;)[0-9]+/\11000000000000000/'
prev_case "last year's basis above its basis_total" 65 "out/2024/fees.csv:$LE: expected a basis of at most the basis_total 5, found 999999" \
  's/^(2024;etjanst;110;[^;]*;)[0-9]+;[0-9]+;/\1999999;5;/'
L2E=$(line_of prev/2024/fees.csv '^2024;etjanst;')
T2E=$(sed -n "${L2E}p" prev/2024/fees.csv | cut -d';' -f6)
prev_case "last year's basis_total differing per row" 65 "out/2024/fees.csv:$LE: expected one basis_total for 'etjanst', found $((T2E + 1)) after $T2E (line $L2E)" \
  "s/^(2024;etjanst;110;[^;]*;[0-9]+;)[0-9]+;/\1$((T2E + 1));/"
# Bad rows of last year's table are listed as every reader lists them: the
# first, ten more, the total.
sed -i -E '3,14s/^2024;([^;]*;[0-9]+;[^;]*;)[0-9]+;/2024;\1x;/' prev/2024/fees.csv
run_prev check
if [ "$rc" = 65 ] && [ "$(wc -l <stderr.txt)" = 12 ] && [ "$(tail -n 1 stderr.txt)" = "12 rows with errors in all" ] &&
   [ "$(head -n 1 stderr.txt)" = "out/2024/fees.csv:3: expected a basis as a whole number of 0 or more, found 'x'" ]; then
  ok "last year's bad rows listed as everywhere"
else fail "last year's bad rows: rc=$rc"; sed 's/^/#   /' stderr.txt; fi
rm -rf prev && mkdir prev && make_prev prev
# A service id with spaces around it is the service (every field is trimmed).
sed -i 's/^2024;direkt;/2024; direkt ;/' prev/2024/fees.csv
run_prev "run --dry-run"
if [ "$rc" = 0 ] && cmp -s stdout.txt dry_good.txt; then ok "' direkt ' in last year's service column"
else fail "' direkt ' in last year's service column: rc=$rc"; { diff dry_good.txt stdout.txt || true; } | head -5 | sed 's/^/#   /'; fi
rm -rf prev

finish
