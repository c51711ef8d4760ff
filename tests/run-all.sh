#!/usr/bin/env bash
# Builds internpris and runs every test: the cmocka unit tests, the
# end-to-end tests (sample year, workbook in LibreOffice, invoices through the
# UBL/PEPPOL validator, bad inputs), the fuzz corpus replay and a short
# libFuzzer run, then the whole suite again under AddressSanitizer and
# UndefinedBehaviorSanitizer. Warnings are errors.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)

# The validator compiles its rules once; do it before the tests start.
../shared/validation/validate-ubl --prepare >/dev/null

echo "== build (warnings are errors)"
cmake -S . -B build -DIP_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs" >/dev/null
echo "== tests"
ctest --test-dir build --output-on-failure -j"$jobs"

echo "== build with AddressSanitizer + UndefinedBehaviorSanitizer"
cmake -S . -B build-asan -DIP_WERROR=ON -DIP_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-asan -j"$jobs" >/dev/null
echo "== tests under ASan+UBSan"
# Other random years than the plain run's (seeds 101..), fewer of them.
IP_RANDOM_YEARS=4 IP_RANDOM_SEED=101 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs" -LE slow

echo "== valgrind: unit tests and end-to-end tests, no leaks, no errors"
# Every unit test, and every end-to-end test but test_kill (its runs end in
# SIGKILL, where there is nothing for valgrind to check), with every run of
# the program under valgrind; two at a time.
export VG="valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 -q"
vg_one() { # vg_one unit|e2e NAME
  local log="build/valgrind-$2.log"
  if [ "$1" = unit ]; then
    $VG "build/$2" >/dev/null 2>"$log" || { cat "$log"; echo "valgrind: $2 failed"; return 1; }
  else
    IP_RANDOM_YEARS=2 IP_RANDOM_SEED=201 IP_WRAPPER="$VG" IP_SOURCE_DIR="$PWD" \
      IP_BUILD_DIR="$PWD/build" bash "tests/e2e/$2.sh" build/internpris >"$log" 2>&1 ||
      { tail -40 "$log"; echo "valgrind: $2 failed"; return 1; }
  fi
  echo "valgrind: $2: $(tail -n 1 "$log")"
}
export -f vg_one
{
  for t in build/test_*; do [ -x "$t" ] && echo "unit $(basename "$t")"; done
  for t in tests/e2e/test_*.sh; do
    n=$(basename "$t" .sh); [ "$n" = test_kill ] || echo "e2e $n"
  done
} | xargs -P "$jobs" -L 1 bash -c 'vg_one "$0" "$1"' 

echo "== fuzz smoke: each libFuzzer target for a fixed number of runs (clang)"
CC=clang cmake -S . -B build-fuzz -DIP_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-fuzz -j"$jobs" --target fuzz_csv fuzz_parse fuzz_tariff fuzz_issued >/dev/null
ctest --test-dir build-fuzz --output-on-failure -L slow
