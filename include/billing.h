/*
 * billing.h — the run's documents for the ledger: UBL 2.1 / PEPPOL BIS
 * Billing 3.0 invoices per customer and invoicing period, and the
 * corrections of invoices that have already been issued.
 *
 * Periods. The tariff's <invoicing periods="P"> (1, 4 or 12) splits the year
 * Y into P calendar periods (the year, its quarters or its months). Every
 * customer whose yearly total is above zero gets one invoice per period,
 * cac:InvoicePeriod = the period's first and last day, one line per service
 * with a fee. Each line's annual fee in öre, A, is split so the parts sum
 * exactly to A: every period gets floor(A / P), and the A mod P remaining öre
 * (fewer than P) go one each to the LAST periods (so period p, 0-based, gets
 * one more when p >= P - A mod P; ip_money_period_part). A fee is whole
 * kronor, so a part is never 0.
 *
 * Numbers and files. Only digits and fixed letters name a file:
 *
 *   first invoice        <prefix>Y-<nr>        invoices/Y-<nr>.xml      (P = 1)
 *                        <prefix>Y-<nr>-<pp>   invoices/Y-<nr>-<pp>.xml (P > 1, pp 01..P)
 *   n-th credit note     <stem>-K<n>           invoices/<file stem>-K<n>.xml
 *   n-th new invoice     <stem>-R<n>           invoices/<file stem>-R<n>.xml
 *
 * where <stem> is the first invoice's number of that customer and period; n
 * counts the credit notes (K, "kreditnota") and the invoices after the first
 * (R, "rättad faktura") of that customer and period, so no number is ever
 * issued twice.
 *
 * Dates. A first issue (no record of the year yet) dates period 1 on the
 * tariff's issue-date and each later period on its first day, or on the
 * issue-date when that is later. Documents of a correction run use the
 * date of --issue-date the same way: a new invoice for period 1 on that date,
 * for a later period on max(first day of the period, that date); a credit
 * note on max(that date, the cancelled invoice's issue date). Due date =
 * issue date + the tariff's due-days. No clock is read: the same inputs and
 * options give the same documents.
 *
 * Corrections. The record of issued documents (issued.h) says what stands.
 * For every customer and period, the standing invoice is the last invoice
 * that no credit note cancels. It "changes" when this run's lines differ
 * from it (another service set, another amount of a service, or another VAT
 * category or rate); descriptions and names do not count. Then:
 *   - without --correct the run fails with IP_ERR_DATA (exit 65) naming how
 *     many customers' invoices would change, and writes nothing;
 *   - with --correct, it credits the standing invoice with a CreditNote
 *     (381) that mirrors it line by line and refers to it
 *     (BillingReference: its number and issue date), and issues a new
 *     invoice when the customer still owes something for the period. New
 *     customers get their first invoice; customers who owe nothing now get
 *     only the credit note; customers without changes get nothing new.
 * The year folder's invoices/ holds a copy of every document of the record:
 * the originals (also the cancelled ones), the credit notes and the new
 * invoices.
 */
#ifndef IP_BILLING_H
#define IP_BILLING_H

#include <stdio.h>

#include "error.h"
#include "issued.h"
#include "stage.h"
#include "run.h"

typedef struct ip_billing_opts {
    const char *output_root; /* the record is output_root/issued/Y/ */
    int correct;             /* --correct: credit and re-invoice what changed */
    ip_date issue_date;      /* --issue-date of correction documents, 0 if not given */
    int preview;             /* dry run: changes without --correct are reported, not an error */
} ip_billing_opts;

typedef struct ip_billing ip_billing;

/* Reads the record of year r->year and decides what this run issues. Call it
 * under the output lock when the plan will be written. Errors: the record's
 * (IP_ERR_DATA, IP_ERR_IO); IP_ERR_DATA when issued invoices would change
 * without o->correct; IP_ERR_USAGE when a correction would issue documents
 * without an issue date or with one before the tariff's; IP_ERR_DATA when the
 * record holds periods other than the tariff's. r must outlive the plan. */
ip_err ip_billing_plan(const ip_run *r, const ip_billing_opts *o, ip_billing **out, ip_diag *d);

/* Writes the planned documents into a staged record, copies every document
 * of the record into the year folder's invoices/, writes ledger.csv (see
 * ledger.h) into the year folder's stage and commits the record — the
 * caller then commits year. *count gets the number of documents in
 * invoices/. */
ip_err ip_billing_write(ip_billing *b, ip_stage *year, size_t *count, ip_diag *d);

void ip_billing_free(ip_billing *b);

/* The section on the issued documents: numbering, every correction of the
 * year with its documents, and the standing invoices against the fees.
 * For report.txt (o->preview 0) it describes the record as it stands after
 * the run, whichever run issued what, so a re-run is byte-identical; for a
 * preview (o->preview 1) it also says what the record held and what the run
 * would issue. Deterministic, no paths outside the output folder. */
void ip_billing_report(const ip_billing *b, FILE *f);

/* Every document of the year after this run, in issue order: the record's
 * first, then this run's (*is_new = 1). For the workbook's check sheet. */
size_t ip_billing_ndocs(const ip_billing *b);
const ip_issued_doc *ip_billing_doc(const ip_billing *b, size_t i, int *is_new);

/* 1 when document i is an invoice that no credit note (of the record or of
 * this run) cancels: the standing invoices' lines sum, per service, to the
 * service's fee once every change is corrected. */
int ip_billing_doc_standing(const ip_billing *b, size_t i);

/* The year's documents after this run, counted once for the report and the
 * check sheet. */
typedef struct ip_billing_totals {
    size_t invoices, credits;  /* documents of each kind */
    size_t corrections;        /* documents of correction runs (run > 0) */
    size_t standing;           /* invoices no credit note cancels */
    int64_t standing_net;      /* their net, öre */
    int64_t fees;              /* the year's fees over all customers, kronor */
} ip_billing_totals;

void ip_billing_totals_of(const ip_billing *b, ip_billing_totals *t);

/* The number stem of a customer's invoices: "<prefix>Y-<nr>" (heap string);
 * with periods the invoices are <stem>-01 … <stem>-PP. */
char *ip_billing_number(const ip_run *r, uint32_t nr);

/* --- pure helpers, exposed for the tests -------------------------------- */

/* First and last day of period p (0-based) of year when the year has
 * periods periods (1, 4 or 12). */
void ip_billing_period_dates(int year, int periods, int p, ip_date *start, ip_date *end);

/* 1 when two lines texts ("service=amount,…") hold the same services with
 * the same amounts, in whatever order. */
int ip_billing_same_lines(const char *a, const char *b);

/* What one customer's period needs. */
typedef struct ip_billing_decision {
    long standing;   /* index into docs of the standing invoice, or -1 */
    int credit;      /* 1: credit the standing invoice */
    int invoice;     /* 1: issue a new invoice */
    int credit_seq;  /* n of the credit note's -K<n> */
    int invoice_seq; /* 0: the first invoice (no suffix); n: -R<n> */
} ip_billing_decision;

/* Decides from docs[0..n) (the record's documents of one customer and period
 * in issue order) and the lines the period should have now (NULL: nothing
 * is owed) with their VAT category ('O', 'S') and rate. */
void ip_billing_decide(const ip_issued_doc *const *docs, size_t n, const char *lines,
                       char vat_category, int vat_percent, ip_billing_decision *out);

#endif /* IP_BILLING_H */
