/*
 * ledger.h — ledger.csv, the year's documents for the ledger import: one row
 * per document and line, so the import can be reconciled with the invoices.
 *
 * Header (';', UTF-8, names quoted by RFC 4180 when needed):
 *
 *   number;kind;customer;name;line;service;period_start;period_end;
 *   net;vat;total;issue_date;due_date;cancels
 *
 * - Every document of the record (ip_issued), i.e. every file in the year
 *   folder's invoices/: originals still standing, cancelled originals, credit
 *   notes and their replacements.
 * - kind is invoice or credit. Credit notes carry NEGATIVE net, vat and total
 *   (the documents themselves hold positive amounts, as UBL wants), so the
 *   sum of a column over the file is what the year has invoiced in the end.
 * - Amounts are kronor with two decimals ("155249.00", "-10204.00").
 * - VAT is computed per document on the document's net (as on the invoice)
 *   and spread over its lines cumulatively: line i gets
 *   vat(net_1 + … + net_i) − vat(net_1 + … + net_{i−1}), so the lines' VAT sums
 *   exactly to the document's and each line is within 1 öre of its own share.
 *   Per document: Σ net = LineExtensionAmount, Σ vat = TaxAmount,
 *   Σ total = PayableAmount (with the sign of the kind).
 * - Rows are sorted by issue date, then document number (bytewise), then line.
 */
#ifndef IP_LEDGER_H
#define IP_LEDGER_H

#include <stdio.h>

#include "error.h"
#include "issued.h"

ip_err ip_ledger_write(const ip_issued *rec, FILE *f, const char *name, ip_diag *d);

#endif /* IP_LEDGER_H */
