# The catalogue of bad inputs, sourced by test_bad_inputs.sh. Each case
# breaks a copy of the sample year (in/2025, $I) and states what the operator
# must see. Exit statuses: 65 bad data, 66 missing input, 73 cannot create
# output, 74 I/O error, 75 locked, 78 bad tariff. Where a line number or a
# value depends on where tests/gen_sample.py put a row, the case finds it at
# test time (line_of, next_line, field): no case pins the sample's layout.

# --- files
rm $I/cases.csv
expect "missing file" 66 "in/2025/cases.csv: cannot open the statistics file of service 'etjanst': No such file or directory"

: > $I/cases.csv
expect "empty file" 65 "in/2025/cases.csv: expected a header line, found an empty file"

head -n 1 $I/cases.csv > c && mv c $I/cases.csv
expect "header only" 65 "in/2025/cases.csv: expected ärenden in 2023-07-01–2024-06-30 for 'etjanst' (fee 240 000 kr), found no rows: the file has none"

sed -i '1s/customer/kund/' $I/calls.csv
expect "missing required column" 65 "in/2025/calls.csv:1: expected a column named 'customer' in the header, found 'started_at', 'kund', 'count'"

sed -i '1s/count/customer/' $I/calls.csv
expect "duplicated column" 65 "in/2025/calls.csv:1: expected one column named 'customer', found 2 (columns 2 and 3)"

n=$(next_line $I/calls.csv)
printf '2023-09-01T08:00;110;"3\n' >> $I/calls.csv
expect "unterminated quote" 65 "in/2025/calls.csv:$n: expected a closing quote for the field that starts on this line, found the end of the file"

sed -i '5s/;\([0-9]\)\([0-9]*\);/;\1"\2;/' $I/calls.csv
expect "stray quote in an unquoted field" 65 "in/2025/calls.csv:5: expected no quote inside an unquoted field, found '$(field $I/calls.csv 5 2)'"

sed -i '7s/$/;extra/' $I/calls.csv
expect "wrong number of fields" 65 "in/2025/calls.csv:7: expected 3 fields as in the header, found 4"

n=$(next_line $I/calls.csv)
printf '2023-09-01T08:00;110;\xff\xfe\n' >> $I/calls.csv
expect "invalid UTF-8" 65 "in/2025/calls.csv:$n: expected UTF-8 text, found byte 0xFF (the file looks like Latin-1 / Windows-1252; save it as UTF-8)"

# The first line with a letter outside ASCII, and that letter's Latin-1 byte.
read -r n byte < <(py $I/customers.csv <<'PY'
import sys
p = sys.argv[1]
data = open(p, encoding="utf-8").read()
open(p, "wb").write(data.encode("latin-1"))
i = next(i for i, ch in enumerate(data) if ord(ch) > 0x7F)
print(data.count("\n", 0, i) + 1, "%02X" % ord(data[i]))
PY
)
expect "Latin-1 file from an old export" 65 "in/2025/customers.csv:$n: expected UTF-8 text, found byte 0x$byte (the file looks like Latin-1 / Windows-1252; save it as UTF-8)"

n=$(next_line $I/calls.csv)
printf '2023-09-01T08:00;110;1\0\n' >> $I/calls.csv
expect "NUL byte" 65 "in/2025/calls.csv:$n: expected text, found a NUL byte"

n=$(next_line $I/calls.csv)
py $I/calls.csv <<'PY'
import sys
open(sys.argv[1], "a").write("2023-09-01T08:00;110;" + "1" * (10 * 1024 * 1024) + "\n")
PY
expect "a line of 10 MB" 65 "in/2025/calls.csv:$n: expected a record of at most 1048576 bytes, found a longer one"

# --- dates and numbers
sed -i '3s/^[^;]*/2024-02-30T00:00/' $I/calls.csv
expect "bad date 2024-02-30" 65 "in/2025/calls.csv:3: expected a date YYYY-MM-DD in column 'started_at', found '2024-02-30T00:00'"
sed -i '3s/^[^;]*/2024-13-01T00:00/' $I/calls.csv
expect "bad date 2024-13-01" 65 "in/2025/calls.csv:3: expected a date YYYY-MM-DD in column 'started_at', found '2024-13-01T00:00'"
sed -i '3s/^[^;]*/24-06-15T00:00/' $I/calls.csv
expect "bad date 24-06-15" 65 "in/2025/calls.csv:3: expected a date YYYY-MM-DD in column 'started_at', found '24-06-15T00:00'"
sed -i '2s/;[0-9]*$/;1 841/' $I/calls.csv
expect "bad number 1 841" 65 "in/2025/calls.csv:2: expected a whole number of 0 or more in column 'count', found '1 841'"
sed -i '2s/;[0-9]*$/;12a/' $I/calls.csv
expect "bad number 12a" 65 "in/2025/calls.csv:2: expected a whole number of 0 or more in column 'count', found '12a'"
sed -i '2s/;[0-9]*$/;-3/' $I/calls.csv
expect "negative count -3" 65 "in/2025/calls.csv:2: expected a whole number of 0 or more in column 'count', found '-3'"
sed -i '2s/;[0-9]*$/;99999999999999999999/' $I/calls.csv
expect "huge number" 65 "in/2025/calls.csv:2: expected a whole number of 0 or more in column 'count', found '99999999999999999999'"

# Several bad rows: the first, ten more and the count.
sed -i '2,30s/;\([0-9]*\)$/;x\1/' $I/calls.csv
expect "several bad rows are listed" 65 "in/2025/calls.csv:2: expected a whole number of 0 or more in column 'count', found '$(field $I/calls.csv 2 3)'" "29 rows with errors in all"
# The list's shape in stderr.txt: rows of FILE listed (the first included),
# the total, other lines.
list_shape() {
  awk -v f="in/2025/$1:" 'index($0, f) == 1 { r++; next }
    /^[0-9]+ rows with errors in all$/ { t = t $1; next } { o++ }
    END { printf "%d rows, %s in all, %d other lines\n", r, t, o }' stderr.txt
}
calls_shape=$(list_shape calls.csv)
# The register lists the same way: the first, ten more, the total (every
# department's group is wrong, more than eleven rows).
n=$(line_of $I/customers.csv ';forvaltning;') bad=$(grep -c ';forvaltning;' $I/customers.csv)
sed -i 's/;forvaltning;/;avdelning;/' $I/customers.csv
expect "several bad register rows are listed" 65 "in/2025/customers.csv:$n: expected a group of the tariff ('forvaltning' or 'bolag'), found 'avdelning'" "$bad rows with errors in all"
customers_shape=$(list_shape customers.csv)
if [ "$calls_shape" = "11 rows, 29 in all, 0 other lines" ] && [ "$bad" -gt 11 ] &&
   [ "$customers_shape" = "11 rows, $bad in all, 0 other lines" ]; then
  ok "bad rows of calls.csv and customers.csv are listed alike"
else
  fail "bad rows listed alike: calls.csv '$calls_shape', customers.csv '$customers_shape'"
fi

# --- customers
sed -i 's/^\(2023-0[89]-..T00:00\);110;/\1;999;/; s/^\(2023-10-0.T00:00\);113;/\1;998;/' $I/calls.csv
expect "unknown customer numbers" 65 "in/2025/calls.csv:$(line_of $I/calls.csv '^2023-08-..T00:00;999;'): expected customer numbers from customers.csv, found 2 unknown: 999 and others" "unknown customer 998 on $(grep -c ';998;' $I/calls.csv) counted rows"

# 110 (Stadsledningskontoret, a department) is broken; 101 comes before it.
n=$(line_of $I/customers.csv '^110;')
sed -i "${n}s/^110;/101;/" $I/customers.csv
expect "duplicate customer in the register" 65 "in/2025/customers.csv:$n: expected a unique customer number, found 101 again (first on line $(line_of $I/customers.csv '^101;'))"

sed -i "${n}s/212000-0142/212000-0143/" $I/customers.csv
expect "invalid org number check digit" 65 "in/2025/customers.csv:$n: expected an organisation number with a valid check digit, found '212000-0143'"

sed -i "${n}s/;1100-KC;/;;/" $I/customers.csv
expect "missing reference" 65 "in/2025/customers.csv:$n: expected a buyer reference, found an empty field"

sed -i "${n}s/;forvaltning;/;avdelning;/" $I/customers.csv
expect "unknown group" 65 "in/2025/customers.csv:$n: expected a group of the tariff ('forvaltning' or 'bolag'), found 'avdelning'"

sed -i "${n}s/;1100;0088:/;11 00;0088:/" $I/customers.csv
expect "bad cost centre" 65 "in/2025/customers.csv:$n: expected a cost centre of 1 to 20 letters, digits, '-' or '_', found '11 00'"

m=$(line_of $I/customers.csv '^113;')
sed -i "${m}s/;1130;/;1100;/" $I/customers.csv
expect "two departments on one cost centre" 65 "in/2025/customers.csv:$m: expected a cost centre of its own for each department, found '1100' again (customer 110 on line $n has it)"

sed -i "${n}s/;0088:7300009001101\$/;0088:7300009001100/" $I/customers.csv
expect "endpoint with a bad GLN" 65 "in/2025/customers.csv:$n: expected an endpoint 0088:<GLN> of 13 digits with a valid check digit, found '0088:7300009001100'"

sed -i "${n}s/;0088:7300009001101\$/;9955:SE2120000142/" $I/customers.csv
expect "endpoint of another scheme" 65 "in/2025/customers.csv:$n: expected a PEPPOL endpoint 0007:<organisation number> or 0088:<GLN>, found '9955:SE2120000142'"

# --- licences
sed -i 's/^2024-06-15;/2024-06-14;/' $I/licences.csv
expect "no licence reading on the snapshot date" 65 "in/2025/licences.csv: expected readings on the snapshot date 2024-06-15 for 'kcp', found none"
n=$(next_line $I/licences.csv)
grep '^2024-06-15;110;' $I/licences.csv > extra.csv && cat extra.csv >> $I/licences.csv
expect "two readings for one customer" 65 "in/2025/licences.csv:$n: expected one reading per customer on 2024-06-15, found a second for 110 (first on line $(line_of $I/licences.csv '^2024-06-15;110;'))"

# --- tariff
sed -i 's/values="E-tjänstsupport"/values="E-tjanstsupport"/' $I/tariff.xml
expect "a service whose filters match no row" 65 "in/2025/tariff.xml:$(line_of $I/tariff.xml 'values="E-tjanstsupport"'): expected rows of cases.csv in 2023-07-01–2024-06-30 matching the <match> on column 'queue' for 'etjanst' (fee 240 000 kr), found none of the 43 071 in the window; the column holds 'Växel', 'Felanmälan', 'Stockholm Direkt', 'E-tjänstsupport', …"
sed -i 's/into="110"/into="999"/' $I/tariff.xml
expect "consolidation into an unknown customer" 65 "in/2025/tariff.xml:$(line_of $I/tariff.xml 'into="999"'): expected a customer from customers.csv in consolidate into, found 999"
sed -i 's|<consolidate from="101" into="110"/>|<consolidate from="101" into="110"/><consolidate from="110" into="101"/>|' $I/tariff.xml
expect "consolidation in a cycle" 78 "in/2025/tariff.xml:$(line_of $I/tariff.xml '<consolidate from="101"'): expected consolidations without a cycle in 'vaxel', found one through 101"
sed -i 's|</tariff>|</tarif>|' $I/tariff.xml
expect "tariff not well-formed" 78 "in/2025/tariff.xml:$(line_of $I/tariff.xml '</tarif>'): expected well-formed XML, found: Opening and ending tag mismatch: tariff line 3 and tarif"
sed -i 's|<key method="proportional"/>|<key method="proportionell"/>|' $I/tariff.xml
expect "tariff fails the schema" 78 "in/2025/tariff.xml:$(line_of $I/tariff.xml 'proportionell'): expected method 'proportional' or 'equal-and-proportional', found 'proportionell'"
sed -i 's/from="2023-07-01" to="2024-06-30"/from="2024-06-30" to="2023-07-01"/' $I/tariff.xml
expect "window from after to" 78 "in/2025/tariff.xml:$(line_of $I/tariff.xml 'from="2024-06-30"'): expected from on or before to in service 'etjanst', found from=\"2024-06-30\" after to=\"2023-07-01\""
sed -i 's/fee="240000"/fee="-240000"/' $I/tariff.xml
expect "negative fee" 78 "in/2025/tariff.xml:$(line_of $I/tariff.xml 'fee="-240000"'): expected a fee of 0 or more whole kronor, found '-240000'"
first=$(line_of $I/tariff.xml 'id="etjanst"')
n=$(line_of $I/tariff.xml 'id="direkt"')
sed -i 's/id="direkt"/id="etjanst"/' $I/tariff.xml
expect "duplicate service id" 78 "in/2025/tariff.xml:$n: expected a unique service id, found 'etjanst' again (first on line $first)"
sed -i 's/year="2025"/year="2024"/' $I/tariff.xml
expect "tariff of another year" 78 "in/2025/tariff.xml: expected a tariff for price year 2025, found year=\"2024\""
py $I/tariff.xml <<'PY'
import sys
p = sys.argv[1]
s = open(p, encoding="utf-8").read()
s = s.replace('<tariff ', '<!DOCTYPE tariff [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<tariff ', 1)
s = s.replace('number-prefix="KC"', 'number-prefix="&xxe;"')
open(p, "w", encoding="utf-8").write(s)
PY
expect "external entity (XXE)" 78 "in/2025/tariff.xml:$(line_of $I/tariff.xml '<!DOCTYPE'): expected a plain XML document, found a DOCTYPE declaration (DTDs and entities are refused)"
py $I/tariff.xml <<'PY'
import sys
p = sys.argv[1]
s = open(p, encoding="utf-8").read()
lol = '<!DOCTYPE tariff [<!ENTITY a "aaaaaaaaaa">' + ''.join(
    '<!ENTITY %s "%s">' % (chr(98 + i), ('&%s;' % chr(97 + i)) * 10) for i in range(9)) + ']>\n'
s = s.replace('<tariff ', lol + '<tariff ', 1).replace('name="E-tjänstsupport"', 'name="&j;"')
open(p, "w", encoding="utf-8").write(s)
PY
expect "entity expansion (billion laughs)" 78 "in/2025/tariff.xml:$(line_of $I/tariff.xml '<!DOCTYPE'): expected a plain XML document, found a DOCTYPE declaration (DTDs and entities are refused)"
sed -i 's/revenue-account="3632"/revenue-account="3699"/' $I/tariff.xml
expect "posting to an undeclared account" 78 "in/2025/tariff.xml:$(line_of $I/tariff.xml '"3699"'): expected an account declared by <account> in revenue-account of service 'direkt', found '3699'"
sed -i 's/account number="6412"/account number="641"/' $I/tariff.xml
expect "bad account number" 78 "in/2025/tariff.xml:$(line_of $I/tariff.xml '"641"'): expected an account number of 4 to 6 digits, found '641'"
sed -i 's/revenue-account="3633" cost-account="6412"/revenue-account="6412" cost-account="3633"/' $I/tariff.xml
expect "revenue on a cost account" 78 "in/2025/tariff.xml:$(line_of $I/tariff.xml 'revenue-account="6412"'): expected a revenue account of class 3 (3xxx) for service 'vaxel', found '6412'"
sed -i 's/posting service="kcp"/posting service="kcpp"/' $I/tariff.xml
expect "unknown service in the accounting" 78 "in/2025/tariff.xml:$(line_of $I/tariff.xml '"kcpp"'): expected a service of the tariff in <posting service>, found 'kcpp'"
sed -i '/posting service="kcp"/d' $I/tariff.xml
expect "half an accounting configuration" 78 "in/2025/tariff.xml:$(line_of $I/tariff.xml '<accounting '): expected a <posting> for every service in <accounting>, found none for 'kcp'"
sed -i 's/ seller-cost-centre="1905"//' $I/tariff.xml
expect "accounting without the seller's cost centre" 78 "in/2025/tariff.xml:$(line_of $I/tariff.xml '<accounting '): expected a 'seller-cost-centre' attribute on <accounting>, found none"
sed -i 's/ bankgiro="5050-1055"/ bankgiro="5050-1056"/' $I/tariff.xml
expect "bankgiro with a bad check digit" 78 "in/2025/tariff.xml:$(line_of $I/tariff.xml '<invoicing '): expected a bankgiro number with a valid check digit, found '5050-1056'"
sed -i 's/ bic="ESSESESS"//' $I/tariff.xml
expect "IBAN without a BIC" 78 "in/2025/tariff.xml:$(line_of $I/tariff.xml '<invoicing '): expected a bic with iban on <invoicing>, found none"
rm $I/tariff.xml
expect "missing tariff" 66 "in/2025/tariff.xml: cannot open: No such file or directory"

# --- last year's fees.csv
mkdir -p good/2024
printf 'year;service;customer;name;basis;basis_total;fee\n2024;etjanst;110;Stadsledningskontoret;1841;2846;abc\n' > good/2024/fees.csv
GOOD=$(tree_digest good)
expect "malformed previous-year fees.csv" 65 "out/2024/fees.csv:2: expected a fee as a whole number of 0 or more, found 'abc'"
rm -rf good/2024
GOOD=$(tree_digest good)
