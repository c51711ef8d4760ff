/*
 * billing.h — turns a computed run into invoices: one UBL invoice per
 * customer whose yearly total is above zero, one line per service with a fee,
 * numbered <prefix><Y>-<nr> (e.g. KC2025-110) and written as
 * invoices/<Y>-<nr>.xml: no output path is built from input text except the
 * digits of a customer number.
 */
#ifndef IP_BILLING_H
#define IP_BILLING_H

#include "error.h"
#include "outdir.h"
#include "run.h"

/* Writes the invoices of r into the folder "invoices" of o. *count gets the
 * number written. */
ip_err ip_billing_write(const ip_run *r, ip_outdir *o, size_t *count, ip_diag *d);

/* The invoice number of a customer: heap string. */
char *ip_billing_number(const ip_run *r, uint32_t nr);

#endif /* IP_BILLING_H */
