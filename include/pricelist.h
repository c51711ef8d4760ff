/*
 * pricelist.h — the price-list workbook prislista-Y.xlsx (SPEC sections 3
 * and 6). The only module that includes xlsxwriter.h.
 */
#ifndef IP_PRICELIST_H
#define IP_PRICELIST_H

#include "error.h"
#include "run.h"

/* Writes the workbook for r to path. Errors: IP_ERR_CANTCREAT / IP_ERR_IO. */
ip_err ip_pricelist_write(const ip_run *r, const char *path, ip_diag *d);

#endif /* IP_PRICELIST_H */
