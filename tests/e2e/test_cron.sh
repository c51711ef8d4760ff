#!/usr/bin/env bash
# The cron job and the budget run: silence on success, one summary line,
# timestamped notes when stderr is not a terminal, a progress bar only on a
# terminal, a preview that writes
# nothing, a --diff that shows only what would change, and an installed
# program (cmake --install) with its man page and templates.
source "$(dirname "$0")/lib.sh"
need_hooks
cd "$WORK"
cp -r "$SRC/input" in

"$PROG" run --year 2025 --input in --output out >stdout.txt 2>stderr.txt
check "a plain run is silent on stdout" test ! -s stdout.txt
check "its warnings reach stderr without --verbose (cron logs them)" \
  grep -Eq '^[0-9T:-]+Z internpris: warning: no fees of 2024' stderr.txt
check "stderr holds the warnings and nothing else" \
  test "$(grep -vc ' internpris: warning: ' stderr.txt)" -eq 0
"$PROG" run --year 2025 --input in --output out --quiet >stdout.txt 2>stderr.txt
check "--quiet: silent on stdout" test ! -s stdout.txt
check "--quiet: silent on stderr" test ! -s stderr.txt

"$PROG" run --year 2025 --input in --output out --summary --quiet >stdout.txt 2>stderr.txt
check "--summary prints exactly one line" test "$(wc -l <stdout.txt)" -eq 1
check "the summary line names the total and the invoices" \
  grep -Eq '^internpris 2025: 4 services, 53 customers, 6 014 000 kr, 39 invoices, out/2025$' stdout.txt

"$PROG" run --year 2025 --input in --output out --verbose 2>stderr.txt
check "--verbose notes carry a UTC timestamp when stderr is not a terminal" \
  grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z internpris: read in/2025/cases.csv: 3434001 bytes, 47810 rows' stderr.txt
check "--verbose shows the warning about last year's fees" grep -q "internpris: warning: no fees of 2024" stderr.txt

before=$(tree_digest out)
"$PROG" run --year 2025 --input in --output out --dry-run --diff >diff.txt
check "--diff on unchanged inputs says so" grep -q "^no changes: the output folder already holds these fees" diff.txt
# One licence reading changes: only kcp rows move, and their invoices.
sed -i 's/^2024-06-15;113;\([0-9]*\)$/2024-06-15;113;99/' in/2025/licences.csv
"$PROG" run --year 2025 --input in --output out --dry-run --diff >diff.txt
check "--diff shows only the changed service" bash -c "grep -q '^kcp ' diff.txt && ! grep -Eq '^(etjanst|direkt|vaxel) ' diff.txt"
check "--diff lists the invoices that would change" \
  grep -q "^invoices that would change (amounts including VAT):" diff.txt
check "a preview writes nothing" test "$(tree_digest out)" = "$before"
"$PROG" run --year 2025 --input in --output out --dry-run >preview.txt
check "--dry-run previews every service" test "$(grep -Ec '^(etjanst|direkt|vaxel|kcp) ' preview.txt)" -eq 4
check "--diff needs --dry-run" bash -c "'$PROG' run --year 2025 --diff 2>/dev/null; test \$? -eq 64"
# The changed reading would change issued invoices: check (the pre-flight)
# fails as run would, until it is undone.
set +e; "$PROG" check --year 2025 --input in --output out 2>/dev/null; rc=$?; set -e
check "check fails where run would (issued invoices would change)" test "$rc" -eq 65
cp "$SRC/input/2025/licences.csv" in/2025/licences.csv

# The progress bar: only when stderr is a terminal and a file takes longer
# than the delay (1 s; in the test-hooks build IP_TEST_PROGRESS_MS=0 makes
# every file slow enough), erased when the file is read. stderr is a
# pseudo-terminal here.
IP_TEST_PROGRESS_MS=0 $PY "$SRC/tests/e2e/pty_run.py" stdout.txt tty.txt "$HOOKS_PROG" check --year 2025 --input in --output out --summary --quiet
check "on a terminal, a slow file gets a progress bar" \
  grep -Eq 'internpris: reading in/2025/cases.csv \[#* *\] +[0-9]+ % [0-9]+\.[0-9]/3\.4 MB' tty.txt
check "every statistics file gets one" bash -c \
  "grep -q 'reading in/2025/calls.csv \\[' tty.txt && grep -q 'reading in/2025/licences.csv \\[' tty.txt"
check "and it is erased when the file is read" $PY -c \
  "import sys; sys.exit(0 if open('tty.txt', 'rb').read().endswith(b'\r\x1b[K') else 1)"
check "stdout keeps only the summary line" test "$(wc -l <stdout.txt)" -eq 1
# A file read within the delay gets none: the delay is set to an hour, so the
# check does not depend on how fast this machine (or valgrind) reads.
IP_TEST_PROGRESS_MS=3600000 $PY "$SRC/tests/e2e/pty_run.py" stdout.txt tty.txt "$HOOKS_PROG" check --year 2025 --input in --output out --quiet
check "files read within the delay get no bar" test ! -s tty.txt
IP_TEST_PROGRESS_MS=0 "$HOOKS_PROG" check --year 2025 --input in --output out --quiet 2>stderr.txt
check "no bar when stderr is not a terminal (cron)" test ! -s stderr.txt

# Installed like a real tool.
build=${IP_BUILD_DIR:-$(dirname "$PROG")}
DESTDIR="$WORK/root" cmake --install "$build" --prefix /usr/local >/dev/null
check "installs the program" test -x root/usr/local/bin/internpris
check "the installed program is the shipped build, without test hooks" \
  cmp -s root/usr/local/bin/internpris "$REAL_PROG"
check "installs the man page" test -s root/usr/local/share/man/man1/internpris.1
check "installs the tariff schema" test -s root/usr/local/share/internpris/templates/tariff.xsd
check "the installed man page renders" bash -c "MANWIDTH=80 man -l root/usr/local/share/man/man1/internpris.1 2>/dev/null | grep -q 'EXIT STATUS'"
"$PROG" --version >version.txt
check "--version names the program and its libraries" bash -c "grep -q '^internpris ' version.txt && grep -q 'libxml2' version.txt && grep -q 'libxlsxwriter' version.txt"
finish
