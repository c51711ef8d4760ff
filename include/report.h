/*
 * report.h — report.txt, the human-readable account of a run: what was read
 * (per file: rows, digest; per service: rows used, outside the window, not
 * matching, per-customer basis), what was consolidated, the exact shares and
 * fees, and the warnings; then what the plan of the documents (billing.h)
 * says about the year's invoices and corrections. Deterministic: no clock,
 * no host names.
 */
#ifndef IP_REPORT_H
#define IP_REPORT_H

#include <stdio.h>

#include "billing.h"
#include "error.h"
#include "run.h"

ip_err ip_report_write(const ip_run *r, FILE *f, const char *name, ip_diag *d);

/* The section on the issued documents, from plan b: numbering, every
 * correction of the year with its documents, and the standing invoices
 * against the fees. For report.txt (the plan's preview 0) it describes the
 * record as it stands after the run, whichever run issued what, so a re-run
 * is byte-identical; for a dry run (preview 1) it also says what the record
 * held and what the run would issue. Deterministic, no paths outside the
 * output folder. */
void ip_report_billing(const ip_billing *b, FILE *f);

/* "1 841 av 2 846 ärenden 2023-07-01–2024-06-30, andel 64,69 %": a service's
 * basis for one customer in words (heap string). */
char *ip_report_basis_words(const ip_run *r, size_t svc, size_t slot);

/* Share basis/total in percent with two decimals and a decimal comma
 * ("64,69"), into buf. */
const char *ip_report_share(int64_t basis, int64_t total, char *buf, size_t size);

#endif /* IP_REPORT_H */
