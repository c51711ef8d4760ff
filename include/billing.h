/*
 * billing.h — the plan of the run's documents: from the run's fees, the
 * record of what was issued and the options, which invoices per customer and
 * invoicing period stand, which change, and which invoices and credit notes
 * this run issues, with their numbers, dates, amounts and lines.
 *
 * The plan is pure: it reads no file and writes none. The record is loaded
 * by the caller (issued.h) and handed in; the documents are written by
 * docwrite.h, which carries a plan out.
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

#include <stddef.h>
#include <stdint.h>

#include "date.h"
#include "error.h"
#include "issued.h"
#include "run.h"

typedef struct ip_billing_opts {
    int correct;             /* --correct: credit and re-invoice what changed */
    ip_date issue_date;      /* --issue-date of correction documents, 0 if not given */
    int preview;             /* dry run: changes without --correct are reported, not an error */
} ip_billing_opts;

typedef struct ip_billing ip_billing;

/* Decides what this run issues from the run's fees and the record's
 * documents docs[0..ndocs) in issue order (ip_issued_at; the plan keeps
 * copies). record_name names the record in messages ("ROOT/issued/Y/
 * register.csv"; docs[i] is its line i + 2). Errors: IP_ERR_DATA when the
 * record holds periods other than the tariff's; IP_ERR_DATA when issued
 * invoices would change without o->correct (unless o->preview); IP_ERR_USAGE
 * when a correction would issue documents without an issue date or with one
 * before the tariff's. r must outlive the plan. */
ip_err ip_billing_plan(const ip_run *r, const ip_issued_doc *const *docs, size_t ndocs,
                       const char *record_name, const ip_billing_opts *o, ip_billing **out,
                       ip_diag *d);

void ip_billing_free(ip_billing *b);

/* --- the documents of the year ----------------------------------------- */

/* Every document of the year after this run, in issue order: the record's
 * first (ip_billing_nrecorded of them), then this run's (*is_new = 1). Valid
 * until ip_billing_free. */
size_t ip_billing_ndocs(const ip_billing *b);
const ip_issued_doc *ip_billing_doc(const ip_billing *b, size_t i, int *is_new);
size_t ip_billing_nrecorded(const ip_billing *b);

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

/* --- what this run issues ---------------------------------------------- */

/* One line of an invoice this run issues. */
typedef struct ip_billing_line {
    size_t svc;              /* index into r->svc */
    int64_t amount_ore;      /* the period's part of the customer's fee (ip_money_period_part) */
} ip_billing_line;

/* A document this run issues; everything is owned by the plan. */
typedef struct ip_billing_new {
    ip_issued_doc doc;       /* as the record will hold it; sha256 is the writer's */
    int period;              /* 0-based */
    long slot;               /* invoice: the customer's register slot; credit: -1 */
    ip_billing_line *lines;  /* invoice: its lines in order (doc.lines in words); credit: NULL */
    size_t nlines;
    long cancels;            /* credit: index (ip_billing_doc) of the invoice it cancels; else -1 */
    char *replaces;          /* invoice: number of the invoice it replaces, or NULL */
} ip_billing_new;

/* The documents this run issues, j = 0 .. ip_billing_nnew - 1; new document
 * j is ip_billing_doc(b, ip_billing_nrecorded(b) + j). */
size_t ip_billing_nnew(const ip_billing *b);
const ip_billing_new *ip_billing_new_at(const ip_billing *b, size_t j);

/* The run the plan was made from. */
const ip_run *ip_billing_run(const ip_billing *b);

/* The options the plan was made with. */
const ip_billing_opts *ip_billing_options(const ip_billing *b);

/* 1 when the record held no document: this run issues the year's first
 * invoices. */
int ip_billing_first_issue(const ip_billing *b);

/* This run's run number in the record: 0 for the first issue, n for the
 * n-th correction. */
int ip_billing_run_no(const ip_billing *b);

/* The date this run's documents are issued from (see Dates above). */
ip_date ip_billing_base_date(const ip_billing *b);

/* The customers whose documents this run changes, ascending. */
size_t ip_billing_nchanged(const ip_billing *b);
uint32_t ip_billing_changed(const ip_billing *b, size_t i);

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
