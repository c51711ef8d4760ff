/*
 * sie.h — the internal postings: an SIE 4 file of type 4I ("transaktioner
 * för import", what a billing program hands to the ledger) from the record
 * of issued documents, and its reconciliation against the fees.
 *
 * Which documents. The city's departments share the seller's organisation
 * number: a charge between two of its units is an internal posting, not a
 * VAT invoice. Every document of the record (invoice, credit note, new
 * invoice of a correction; one per period when the year has periods) whose
 * customer carries the seller's organisation number in the register is
 * posted; a customer no longer in the register counts as internal when its
 * document has VAT category O (the category the run gives the city's own
 * departments), and its cost centre is then its number. Companies keep
 * their PEPPOL invoices and get no posting.
 *
 * The posting of a document. One verification (#VER) per document, dated
 * as the document, its text naming the document ("Faktura KC2025-110
 * Stadsledningskontoret", "Kreditnota KC2025-110-K1 krediterar KC2025-110
 * …"), series and number left empty ("" "") for the importing ledger to
 * assign. Per line of the document ("service=amount", issued.h), one pair
 * of #TRANS:
 *
 *   #TRANS <cost account of the service>    {1 "<buyer's cost centre>"}   amount
 *   #TRANS <revenue account of the service> {1 "<seller's cost centre>"} -amount
 *
 * with the accounts of the tariff's <accounting> (tariff.h) and the buyer's
 * cost centre from the register (customers.h: cost_centre, else the
 * customer number). A credit note posts the same pairs with the signs
 * turned, so it reverses what it credits exactly. Every verification sums
 * to 0; amounts are the document's, never recomputed from this run's fees.
 *
 * The file (bytes, in this order; every line ends CR LF):
 *
 *   #FLAGGA 0
 *   #PROGRAM "internpris" "<version>"
 *   #FORMAT PC8
 *   #GEN <YYYYMMDD>            the latest issue date of its documents
 *   #SIETYP 4
 *   #ORGNR <NNNNNN-NNNN>       the seller's
 *   #FNAMN "<seller's name>"
 *   #KONTO <nr> "<name>"       each account used, in chart order (a
 *                              sub-account 64120 after 6412, before 6419)
 *   #DIM 1 "Kostnadsställe"    dimension 1, the cost centre (SIE reserves it)
 *   #OBJEKT 1 "<code>" "<name>"  the seller's cost centre first, then the
 *                              buyers' in customer order
 *   #VER "" "" <date> "<text>" then "{", the #TRANS lines, "}"; in the
 *                              order of ledger.csv: issue date, number
 *
 * Texts are written in quotes in IBM PC8 (code page 437, cp437.h), with a
 * quote or backslash inside escaped by a backslash; amounts with a decimal
 * point and two decimals, a minus sign only when negative ("155249.00",
 * "-155249.00").
 *
 * Files. OUT/Y/interndebitering-Y.si holds every internal document of the
 * year (cumulative, like ledger.csv: what a ledger imports at the end of the
 * year or checks against), and OUT/Y/interndebitering-Y-<run>.si those that
 * run <run> issued (0 the first issue, n the n-th correction, the record's
 * run column): a ledger that imports as the year goes imports each run's
 * file once. A tariff without <accounting> writes none of them.
 */
#ifndef IP_SIE_H
#define IP_SIE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "customers.h"
#include "error.h"
#include "issued.h"
#include "run.h"
#include "stage.h"
#include "tariff.h"

/* What one file is made of. */
typedef struct ip_sie_src {
    const ip_tariff *tariff;          /* with accounting != NULL */
    const ip_customers *customers;
    const ip_issued_doc *const *docs; /* the year's documents, any order */
    size_t ndocs;
    int run;                          /* -1: every run; n: run n's documents only */
} ip_sie_src;

/* 1 when the document is posted (see above). */
int ip_sie_doc_internal(const ip_sie_src *s, const ip_issued_doc *doc);

/* Writes the file's bytes to f (display name name). Errors: IP_ERR_TARIFF
 * when a document has a service the tariff no longer posts (keep the
 * service, with fee="0", while its documents stand), IP_ERR_SOFTWARE for a
 * damaged lines text, IP_ERR_IO. */
ip_err ip_sie_write(const ip_sie_src *s, FILE *f, const char *name, ip_diag *d);

/* "interndebitering-Y.si" (run -1) or "interndebitering-Y-<run>.si"; heap. */
char *ip_sie_file_name(int year, int run);

/* Writes the year's file and one per run that has internal documents into
 * the staged year folder, from the record rec. Nothing when the tariff has
 * no <accounting>. */
ip_err ip_sie_write_year(const ip_run *r, const ip_issued *rec, ip_stage *year, ip_diag *d);

/* The reconciliation: per service (tariff order) and in total, what the
 * postings debit the departments' cost accounts (net of credit notes),
 * what they credit the seller's revenue accounts, the departments' fees of
 * this run and the net of their standing invoices (those no credit note
 * cancels), all in öre. When the record is up to date with the fees, all
 * four are equal. */
typedef struct ip_sie_totals {
    int configured;         /* the tariff has <accounting> */
    size_t nsvc;
    int64_t *debit, *credit, *fees, *standing;  /* [nsvc] */
    int64_t debit_total, credit_total, fees_total, standing_total;
    size_t nver, ninvoices, ncredits;           /* verifications, by kind */
    size_t unbalanced;      /* verifications that do not sum to 0 (none) */
    int unposted;           /* a document has a service without accounts */
} ip_sie_totals;

/* Counts the postings of docs (the record's and this run's documents). */
void ip_sie_totals_of(const ip_run *r, const ip_issued_doc *const *docs, size_t ndocs,
                      ip_sie_totals *t);
void ip_sie_totals_release(ip_sie_totals *t);

/* 1 when every service's four sums agree and every verification balances. */
int ip_sie_totals_equal(const ip_sie_totals *t);

/* The report's section on the internal postings: the files, the
 * reconciliation per service and in total; or, without <accounting>, the
 * one line that says no SIE file is written. */
void ip_sie_report(const ip_run *r, const ip_issued_doc *const *docs, size_t ndocs, FILE *f);

#endif /* IP_SIE_H */
