/*
 * explain.h — `internpris explain`: how one customer's fee came about.
 *
 * For each service (or one), the explanation walks the computation of a run
 * in the order it happened: the service and its basis (file, window or
 * snapshot, filters), the rows counted for the customer per calendar month,
 * the consolidations, the basis total W (and N, p for the equal-and-
 * proportional key), the exact share as the formula with the numbers filled
 * in, its floor and remainder, whether the customer got one of the remaining
 * kronor by the largest-remainder rule and the remainder's rank, the fee, and
 * last year's fee with the change split into the customer's own volume and
 * the rest. Read-only: it prints what ip_run_compute() decided and never
 * recomputes a fee. Integer arithmetic only; the output is deterministic.
 */
#ifndef IP_EXPLAIN_H
#define IP_EXPLAIN_H

#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "run.h"

/* Writes the explanation for customer customer_nr to out: every service of
 * the tariff when service_id is NULL, else the service with that id (exact
 * match). Errors: IP_ERR_USAGE for a customer number that is not in
 * customers.csv or a service id that is not in tariff.xml (nothing is
 * written then); IP_ERR_IO when writing to out fails. */
ip_err ip_explain_write(const ip_run *r, uint32_t customer_nr, const char *service_id,
                        FILE *out, ip_diag *d);

#endif /* IP_EXPLAIN_H */
