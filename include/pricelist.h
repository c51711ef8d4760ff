/*
 * pricelist.h — the price-list workbook prislista-Y.xlsx (SPEC sections 3
 * and 6). The only module that writes through libxlsxwriter: src/pricelist.c
 * (the workbook) and the sheet writers beside it, and the scenario's
 * comparison workbook (compare_book.c), which shares their formats, order
 * and cell helpers; nothing else includes the library's header (--version
 * asks ip_pricelist_lib_version()).
 *
 * Sheets: "Per kund" (every customer, every service, totals and change from
 * last year), one sheet per service laid out like the city's published list,
 * and "Avstämning" (fixed fee against allocated sum per service, input files
 * with their SHA-256). Amounts are numbers, sums are live formulas whose
 * cached values are the computed integers, and the file is byte-identical for
 * the same run (its creation time is the tariff's issue date, 00:00 UTC).
 */
#ifndef IP_PRICELIST_H
#define IP_PRICELIST_H

#include "billing.h"
#include "date.h"
#include "error.h"
#include "run.h"

/* Writes the workbook for r to path (libxlsxwriter's temporary files go to
 * the folder of path). r is only read. Errors: IP_ERR_CANTCREAT (the file
 * cannot be created), IP_ERR_IO (writing failed), IP_ERR_SOFTWARE (a cell the
 * library refused: a bug). A failed write may leave a partial file at path;
 * the caller's output folder is abandoned then. */
ip_err ip_pricelist_write(const ip_run *r, const ip_billing *bill, const char *path,
                          ip_diag *d);

/* The version of libxlsxwriter the workbook is written with (its
 * LXW_VERSION, e.g. "1.1.4"), for --version. A static string. */
const char *ip_pricelist_lib_version(void);

#ifdef IP_TESTING
/* Internals reached by tests/test_pricelist.c. */

/* A worksheet name for a service name: Excel's forbidden characters
 * ([]:*?/\) and control characters removed, no leading/trailing apostrophe,
 * at most 31 characters (cut with "…"), different (ASCII case-insensitively)
 * from taken[0..ntaken); fallback (e.g. the id) when nothing is left.
 * Returns a heap string. */
char *ip_pricelist_sheet_name(const char *name, const char *fallback,
                              const char *const *taken, size_t ntaken);

/* Swedish genitive of a customer name, for footnotes ("Finansförvaltningens").
 * Returns a heap string. */
char *ip_pricelist_genitive(const char *name);

#endif

#endif /* IP_PRICELIST_H */
