/*
 * compare_book.h — the scenario's comparison workbook (`internpris scenario
 * --workbook FILE.xlsx`), in the price list's style: its formats (Swedish
 * number formats, "- kr" for 0), table order (groups, Delsumma, Totalt),
 * print layout (A4 landscape, one page wide, header rows repeated), live
 * formulas with their values cached, names always as text.
 *
 * Sheets:
 *   "Per kund"  every customer: the decided total, each proposal's total,
 *               the difference in kr and %, its split into the fixed fee's
 *               part and the basis's part, last year's total ("–" unknown);
 *   one per service (the scenario's order): each tariff's basis and fee per
 *               customer, the differences and their split, each tariff's
 *               fixed fee, key and basis in words, the split's definition;
 *   "Tariffer"  per service and tariff the fixed fee, key, window or
 *               snapshot, filters, consolidations and basis total; the
 *               fixed fees' sums against "Per kund" (live, difference 0);
 *               each tariff's file and SHA-256, the statistics files.
 * The scenario's name stands in every page's header and footer.
 *
 * The file is written atomically: into a temporary file beside path, then
 * renamed over it, so an existing file is replaced only when the whole
 * workbook was written. The same scenario gives byte-identical files (the
 * creation time is the decided tariff's issue date).
 */
#ifndef IP_COMPARE_BOOK_H
#define IP_COMPARE_BOOK_H

#include "error.h"
#include "scenario.h"

/* Writes the comparison workbook of sc to path. Errors: IP_ERR_CANTCREAT
 * (the temporary file cannot be created beside path, or the rename fails),
 * IP_ERR_IO (writing failed), IP_ERR_SOFTWARE (a cell the library refused:
 * a bug). On an error nothing is left at the temporary path and path is as
 * it was. */
ip_err ip_compare_book_write(const ip_scenario *sc, const char *path, ip_diag *d);

/* 1 when path is a workbook this program wrote (a zip file whose
 * docProps/core.xml names internpris as its author): the only kind of
 * existing file --workbook may replace. */
int ip_compare_book_is_ours(const char *path);

#endif /* IP_COMPARE_BOOK_H */
