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

#endif /* IP_REPORT_H */
