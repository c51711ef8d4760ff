/*
 * report.h — report.txt, the human-readable account of a run: what was read
 * (per file: rows, digest; per service: rows used, outside the window, not
 * matching, per-customer basis), what was consolidated, the exact shares and
 * fees, and the warnings. Deterministic: no clock, no host names.
 */
#ifndef IP_REPORT_H
#define IP_REPORT_H

#include <stdio.h>

#include "error.h"
#include "run.h"

ip_err ip_report_write(const ip_run *r, FILE *f, const char *name, ip_diag *d);

/* "1 841 av 2 846 ärenden 2023-07-01–2024-06-30, andel 64,69 %": a service's
 * basis for one customer in words (heap string). */
char *ip_report_basis_words(const ip_run *r, size_t svc, size_t slot);

/* Share basis/total in percent with two decimals and a decimal comma
 * ("64,69"), into buf. */
const char *ip_report_share(int64_t basis, int64_t total, char *buf, size_t size);

#endif /* IP_REPORT_H */
