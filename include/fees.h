/*
 * fees.h — the fee table fees.csv: written for year Y, read back for Y-1.
 *
 * Format (SPEC section 3): header `year;service;customer;name;basis;basis_total;fee`,
 * one row per service (tariff order) and customer (number order); basis is
 * the customer's basis after consolidation, fees are whole kronor. Names are
 * quoted by RFC 4180 when they hold ';', '"' or a line break.
 */
#ifndef IP_FEES_H
#define IP_FEES_H

#include <stdio.h>

#include "error.h"
#include "run.h"

/* Writes r's fee table to f. Returns IP_ERR_IO when writing fails. */
ip_err ip_fees_write(const ip_run *r, FILE *f, const char *name, ip_diag *d);

/* Reads last year's fees.csv at path into r->svc[*].prev_fee and prev_total.
 * A missing file is not an error: every prev_fee stays IP_NO_PREV and
 * *found is 0. A file that exists must be well-formed (IP_ERR_DATA with its
 * line) and hold year r->year - 1. Customers not in this year's register are
 * skipped; a service missing from the file keeps IP_NO_PREV unless its
 * previous fee in the tariff is 0. */
ip_err ip_fees_read_prev(ip_run *r, const char *path, int *found, ip_diag *d);

/* Last year's table for r from output_root/(Y-1)/fees.csv: read as
 * ip_fees_read_prev() reads it and handed to the run (ip_run_set_prev()).
 * Errors as ip_fees_read_prev(). */
ip_err ip_fees_take_prev(ip_run *r, const char *output_root, ip_diag *d);

/* Reads the fee table of year r->year at path (the current output, for
 * `run --dry-run --diff`) into fee[s * ncust + slot]; rows absent from the
 * file get IP_NO_PREV. A missing file is not an error (*found = 0). */
ip_err ip_fees_read_current(const ip_run *r, const char *path, int64_t *fee, int *found,
                            ip_diag *d);


#endif /* IP_FEES_H */
