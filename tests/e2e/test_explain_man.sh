#!/usr/bin/env bash
# `internpris explain` on the sample year, the manual page and --help:
# explain shows the SPEC's worked example for customer 110 and the switchboard
# consolidation, splits the change against a last-year fees.csv so that
# (a) + (b) is the change, writes nothing and refuses unknown customers and
# services with status 64; docs/internpris.1 renders without warnings and has
# the sections an operator looks for; --help and the man page name every
# option of the option table in src/cli.c and every exit status.
source "$(dirname "$0")/lib.sh"
cd "$SRC"

out="$WORK/out"
ex="$WORK/explain.txt"

# ---- explain -----------------------------------------------------------------
check "explain exits 0" bash -c "'$PROG' explain --year 2025 --customer 110 --output '$out' >'$ex'"
for line in \
  "price year 2025, customer 110 Stadsledningskontoret (forvaltning), inputs input/2025" \
  "== etjanst — E-tjänstsupport" \
  "basis: ärenden in cases.csv, date column 'date', window 2023-07-01–2024-06-30" \
  "filters: queue in {E-tjänstsupport}, kind in {inkommande}" \
  "basis total W = 2 846 ärenden" \
  "exact share e = F × w / W = 240 000 × 1 841 / 2 846 = 155 249,47 kr" \
  "floor 155 249 kr, remainder 0,47 kr" \
  "fee 2025: 155 249 kr" \
  "== vaxel — Telefonistöd, gemensam växel" \
  "consolidated: + 7 423 anrop of 101 Finansförvaltningen, rolled into 110" \
  "fee 2024: unknown: no fees.csv for 2024" \
  "== kcp — Förvaltning av kontaktcenterplattform"; do
  check "explain shows '$line'" grep -qF -- "$line" "$ex"
done
check "explain lists 12 months for etjanst and their sum" $PY - "$ex" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
sec = text.split("== etjanst")[1].split("\n== ")[0]
months = re.findall(r"^  (\d{4}-\d\d) +([\d ]+)$", sec, re.M)
assert [m for m, _ in months] == ["2023-%02d" % m for m in range(7, 13)] + ["2024-%02d" % m for m in range(1, 7)], months
total = sum(int(v.replace(" ", "")) for _, v in months)
assert total == 1841, total
assert re.search(r"^  sum +1 841 \(raw basis\)$", sec, re.M), sec
PY
check "explain --service shows one service" bash -c \
  "'$PROG' explain --year 2025 --customer 110 --service vaxel --output '$out' >'$WORK/vaxel.txt' &&
   grep -c '^== ' '$WORK/vaxel.txt' | grep -qx 1 && grep -q '^== vaxel' '$WORK/vaxel.txt'"
check "explain shows 101 rolled into 110 with fee 0" bash -c \
  "'$PROG' explain --year 2025 --customer 101 --service vaxel --output '$out' |
   grep -q 'is rolled into 110 Stadsledningskontoret'"
check "explain is deterministic" bash -c \
  "'$PROG' explain --year 2025 --customer 110 --output '$out' | cmp -s - '$ex'"
check "explain writes nothing" test ! -e "$out"

# Every customer with a fee: the fee in the explanation equals fees.csv.
"$PROG" run --year 2025 --input input --output "$WORK/run" >/dev/null
# Every customer; under a wrapper such as valgrind (IP_WRAPPER), every
# seventh, which still covers both groups and both keys.
every=1; [ -z "${IP_WRAPPER:-}" ] || every=7
check "explain's fees equal fees.csv for every customer" $PY - "$PROG" "$WORK/run/2025/fees.csv" "$WORK/run" "$every" <<'PY'
import csv, re, subprocess, sys
prog, fees, root, every = sys.argv[1:]
want = {}
for r in csv.DictReader(open(fees, encoding="utf-8"), delimiter=";"):
    want.setdefault(r["customer"], {})[r["service"]] = int(r["fee"])
for nr, per in list(want.items())[::int(every)]:
    text = subprocess.run([prog, "explain", "--year", "2025", "--customer", nr, "--output", root],
                          check=True, capture_output=True, text=True).stdout
    for sec in text.split("\n== ")[1:]:
        svc = sec.split(" ", 1)[0]
        m = re.search(r"^fee 2025: (?:[\d ]+ \+ 1 = )?([\d ]+) kr$", sec, re.M)
        assert m and int(m.group(1).replace(" ", "")) == per[svc], (nr, svc, m and m.group(0))
PY

# Last year's fees.csv with the basis: (a) + (b) is the change.
mkdir -p "$WORK/prev/2024"
$PY - "$WORK/run/2025/fees.csv" "$WORK/prev/2024/fees.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8"), delimiter=";"))
with open(sys.argv[2], "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f, delimiter=";", lineterminator="\n")
    w.writerow(["year", "service", "customer", "name", "basis", "basis_total", "fee"])
    for r in rows:  # last year: every basis 10 % lower, fees a little lower
        w.writerow(["2024", r["service"], r["customer"], r["name"], int(r["basis"]) * 9 // 10,
                    int(r["basis_total"]) * 9 // 10, int(r["fee"]) * 7 // 8])
PY
check "explain splits the change into (a) and (b) that add up" $PY - "$PROG" "$WORK/prev" <<'PY'
import re, subprocess, sys
prog, root = sys.argv[1:]
text = subprocess.run([prog, "explain", "--year", "2025", "--customer", "110", "--output", root],
                      check=True, capture_output=True, text=True).stdout
num = lambda s: int(s.replace(" ", "").replace("+", ""))
secs = text.split("\n== ")[1:]
assert len(secs) == 4, text
for sec in secs:
    ch = re.search(r"^fee 2024: [\d ]+ kr; change ([+-]?[\d ]+) kr$", sec, re.M)
    a = re.search(r"^  \(a\) own volume: .* = ([+-]?[\d ]+) kr$", sec, re.M)
    b = re.search(r"^  \(b\) the fixed fee and everybody else's volume: ([+-]?[\d ]+) kr$", sec, re.M)
    assert ch and a and b, sec
    assert num(a.group(1)) + num(b.group(1)) == num(ch.group(1)), sec
PY

# Unknown customer or service: usage error, one line on stderr, nothing on stdout.
set +e
"$PROG" explain --year 2025 --customer 999 --output "$out" >"$WORK/o.txt" 2>"$WORK/e.txt"; rc=$?
set -e
check "unknown customer exits 64" test "$rc" = 64
check "unknown customer is named" grep -qxF "internpris: expected a customer number from customers.csv, found 999" "$WORK/e.txt"
check "unknown customer prints nothing on stdout" test ! -s "$WORK/o.txt"
set +e
"$PROG" explain --year 2025 --customer 110 --service telefon --output "$out" >/dev/null 2>"$WORK/e.txt"; rc=$?
set -e
check "unknown service exits 64" test "$rc" = 64
check "unknown service lists the ids" grep -qF "expected a service id from tariff.xml (etjanst, direkt, vaxel, kcp), found 'telefon'" "$WORK/e.txt"
set +e
"$PROG" explain --year 2025 >/dev/null 2>&1; rc=$?
set -e
check "explain without --customer exits 64" test "$rc" = 64

# ---- the manual page ----------------------------------------------------------
man_txt="$WORK/man.txt"
check "man page renders" bash -c "MANWIDTH=80 man -l docs/internpris.1 >'$man_txt' 2>'$WORK/man.err'"
check "man page renders without warnings" test ! -s "$WORK/man.err"
check "groff -ww finds nothing to warn about" bash -c \
  "groff -man -Tutf8 -ww -z docs/internpris.1 2>'$WORK/groff.err' && test ! -s '$WORK/groff.err'"
for sec in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS FILES "EXIT STATUS" ENVIRONMENT EXAMPLES "SEE ALSO"; do
  check "man page has $sec" grep -qx "$sec" "$man_txt"
done
for code in 0 64 65 66 70 71 73 74 75 78; do
  check "man page documents exit status $code" grep -qE "^ {7}$code( |$)" "$man_txt"
done
check "man page shows the cron line" grep -qF '15 6 * * 1-5 cd /srv/internpris && internpris run --year 2026 --summary' "$man_txt"

# ---- --help and the man page name every option --------------------------------
opts=$(sed -n 's/^ *{OPT_[A-Z_]*, "\([a-z-]*\)".*/\1/p' src/cli.c)
check "the option table in src/cli.c was found" test -n "$opts"
help=$("$PROG" --help)
for o in $opts; do
  check "--help lists --$o" grep -qE -- "^  --$o( |$)" <<<"$help"
  check "man page documents --$o" grep -qE -- "^ {7}--$o( |$)" "$man_txt"
done
for c in run check explain; do
  check "--help lists the $c command" grep -qE "^  $c " <<<"$help"
done
# The exit statuses come from the error table (src/error.c), the same ones
# the man page documents, each with its codes' messages.
for code in 0 64 65 66 70 71 73 74 75 78; do
  check "--help lists exit status $code" grep -qE "^ +$code  [a-z]" <<<"$help"
done
check "--help gives 65 both of its meanings" \
  grep -qE "^ +65  bad input data; fee cannot be allocated$" <<<"$help"
finish
