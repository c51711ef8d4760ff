#!/usr/bin/env bash
# The includes point one way (README, "Source layout"): every module of src/
# and include/ belongs to one stage, and a file includes only headers of its
# own stage or an earlier one, so the computation and the plan include no
# writer. A new module must be given its stage here (an unplaced one fails).
# libxlsxwriter's header is included only by the workbook's files, and the
# private headers of src/ only by their module. The checker is also run on a
# made-up tree that breaks each rule, so it can tell a violation from none.
# The README's "Source layout" names every file of src/ and include/.
source "$(dirname "$0")/lib.sh"
cd "$SRC"

# stage: 0 the shared small modules, 1 read inputs, 2 measure and allocate,
# 3 plan the documents, 4 write the outputs, 5 the command line
declare -A STAGE=(
  [error]=0 [util]=0 [utf8]=0 [date]=0 [money]=0 [parse]=0 [files]=0 [digest]=0
  [rowerrs]=0 [signals]=0 [stage]=0 [rmtree]=0 [csv_write]=0 [version]=0
  [csv]=1 [csv_scan]=1 [tariff]=1 [customers]=1
  [basis]=2 [consolidate]=2 [alloc]=2 [run]=2
  [issued]=3 [billing]=3
  [wording]=4 [fees]=4 [report]=4 [explain]=4 [invoice]=4 [docwrite]=4 [ledger]=4
  [scenario]=4 [scenario_explain]=4 [cp437]=4 [sie]=4 [outdir]=4 [pricelist]=4 [pricelist_sheet]=4 [pricelist_cells]=4
  [pricelist_customers]=4 [pricelist_service]=4 [pricelist_check]=4 [pricelist_documents]=4 [compare_book]=4
  [cli]=5 [main]=5
)
# private headers of src/ and the files that may include them
declare -A PRIVATE=([csv_scan]="csv csv_scan" \
  [pricelist_sheet]="pricelist pricelist_cells pricelist_customers pricelist_service pricelist_check pricelist_documents compare_book")
# the scenario's comparison workbook (compare_book) is a second workbook of the same module
XLSX_FILES="pricelist pricelist_sheet pricelist_cells pricelist_customers pricelist_service pricelist_check pricelist_documents compare_book"

module() { local b; b=$(basename "$1"); b=${b%.in}; echo "${b%.*}"; }
has() { [[ " $1 " == *" $2 "* ]]; } # has LIST WORD

# layers DIR...: prints one line per broken rule in the .c/.h files of DIRs
layers() {
  local f m h inc
  for f in $(find "$@" -maxdepth 1 -type f \( -name '*.c' -o -name '*.h' -o -name '*.h.in' \) | sort); do
    m=$(module "$f")
    if [ -z "${STAGE[$m]+x}" ]; then
      echo "$f: module '$m' has no stage"
      continue
    fi
    while read -r inc; do
      h=${inc%.h}
      if [ -z "${STAGE[$h]+x}" ]; then
        echo "$f: includes '$inc', which has no stage"
      elif [ "${STAGE[$h]}" -gt "${STAGE[$m]}" ]; then
        echo "$f: stage ${STAGE[$m]} includes '$inc' of the later stage ${STAGE[$h]}"
      fi
      if [ -n "${PRIVATE[$h]+x}" ] && ! has "${PRIVATE[$h]}" "$m"; then
        echo "$f: includes the private header '$inc'"
      fi
    done < <(sed -n 's/^#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
    if grep -q '^#[[:space:]]*include[[:space:]]*<xlsxwriter' "$f" && ! has "$XLSX_FILES" "$m"; then
      echo "$f: includes libxlsxwriter outside the workbook"
    fi
  done
}

layers src include >"$WORK/broken.txt" || true
check "every file of src/ and include/ has a stage and includes only its own or earlier stages" \
  test ! -s "$WORK/broken.txt"
cat "$WORK/broken.txt"
check "the checker found the modules" test "$(ls src/*.c | wc -l)" -ge 30

# README's "Source layout" names every file of src/ and include/, and no other
awk '/^## Source layout/ { on = 1; next } /^## / { on = 0 } on' README.md |
  grep -o '`\(src\|include\)/[A-Za-z0-9_.]\+`' | tr -d '`' | sort -u >"$WORK/readme.txt"
ls src/* include/* | sort >"$WORK/tree.txt"
check "README's Source layout names every file of src/ and include/, and no other" \
  cmp -s "$WORK/readme.txt" "$WORK/tree.txt"
diff "$WORK/readme.txt" "$WORK/tree.txt" || true

# the checker on a tree that breaks each rule once
mkdir -p "$WORK/bad"
printf '#include "run.h"\n#include "report.h"\n' >"$WORK/bad/alloc.c"
printf '#include "pricelist_sheet.h"\n' >"$WORK/bad/report.c"
printf '#include <xlsxwriter.h>\n' >"$WORK/bad/cli.c"
printf '#include "util.h"\n' >"$WORK/bad/newthing.c"
printf '#include "nosuch.h"\n#include "csv_scan.h"\n' >"$WORK/bad/csv.c"
layers "$WORK/bad" >"$WORK/bad.txt" || true
check "a computation file including a writer header is found" \
  grep -q "alloc.c: stage 2 includes 'report.h' of the later stage 4" "$WORK/bad.txt"
check "a computation file including its own stage's header is allowed" \
  bash -c "! grep -q \"alloc.c: .*'run.h'\" '$WORK/bad.txt'"
check "a private header included elsewhere is found" \
  grep -q "report.c: includes the private header 'pricelist_sheet.h'" "$WORK/bad.txt"
check "libxlsxwriter outside the workbook is found" \
  grep -q "cli.c: includes libxlsxwriter outside the workbook" "$WORK/bad.txt"
check "a module without a stage is found" grep -q "newthing.c: module 'newthing' has no stage" "$WORK/bad.txt"
check "an unknown header is found" grep -q "csv.c: includes 'nosuch.h', which has no stage" "$WORK/bad.txt"
check "a private header in its own module is allowed" \
  bash -c "! grep -q 'csv.c: includes the private' '$WORK/bad.txt'"
finish
