/*
 * docwrite.h — carries out a plan of the year's documents (billing.h): the
 * invoices and credit notes the plan issues are written into the record of
 * issued documents (issued.h) and, from the same bytes, into the year
 * folder's invoices/, every earlier document of the record is copied there,
 * ledger.csv (ledger.h) and the internal
 * postings (sie.h) are written beside them, and the record is committed.
 *
 * An invoice is built from the plan: its number, dates, buyer and period,
 * one line per planned line with the service's name and the basis in words
 * (wording.h). A credit note mirrors the invoice it cancels as stored: the
 * stored document is read back (ip_invoice_read) and written again as a
 * CreditNote (381) line by line, referring to it (BillingReference: its
 * number and issue date). invoice.h writes one document; this module decides
 * which files there are and in which order.
 *
 * Order, for a crash at any moment (stage.h, the kill test): each new
 * document is built once in memory, its SHA-256 taken from those bytes, and
 * written into the staged record and into the year folder's stage (from 16
 * new documents on, with a second CPU, by two build threads, each taking
 * the next document of the plan), then appended to the record strictly in
 * plan order by the calling thread, which checks for a signal before each
 * and passes a kill point after each; an error is the first failing
 * document's in plan order, as on one thread; then the copies of the
 * earlier documents, ledger.csv and the internal postings
 * go into the year folder's stage (a kill point after them); then the record is committed, so
 * the record is never behind what a year folder has shown. The caller
 * commits the year folder afterwards.
 */
#ifndef IP_DOCWRITE_H
#define IP_DOCWRITE_H

#include <stddef.h>

#include "billing.h"
#include "error.h"
#include "issued.h"
#include "stage.h"

/* Carries out plan b: rec is the record the plan was made from (loaded
 * under the output lock; it is staged, appended to and committed here),
 * year the stage of the year folder. Removes what a killed run left of the
 * record first. *count gets the number of documents in invoices/. Errors:
 * the record's and the stage's (IP_ERR_CANTCREAT, IP_ERR_IO), the invoice
 * writer's, IP_ERR_DATA when a stored invoice to credit is not the one the
 * register lists. */
ip_err ip_docwrite_apply(const ip_billing *b, ip_issued *rec, ip_stage *year, size_t *count,
                         ip_diag *d);

/* What carrying out plan b would find of the record without writing
 * anything (check's pre-flight): every new invoice of the plan is built and
 * checked as the writer would (ip_invoice_check), and every stored invoice a
 * credit note of the plan cancels is read back from rec (loaded, not staged)
 * and must be the one the register lists. Errors: the invoice writer's and
 * reader's, IP_ERR_DATA as apply's. */
ip_err ip_docwrite_check(const ip_billing *b, const ip_issued *rec, ip_diag *d);

/* Every row of the register (rec, loaded) against the stored document it
 * names, read back (ip_invoice_read): number, kind, customer, name, period,
 * issue and due date, the invoice a credit note cancels, VAT, net, VAT and
 * total, the lines. The document's bytes are as issued (the load checked
 * its SHA-256), so a row that says something else was edited: IP_ERR_DATA
 * "register.csv:LINE: expected COLUMN X as document 'N' … holds, found Y",
 * the first such column of the first such row. The run column, which no
 * document holds, is read against the rows around it first (run 0 first,
 * then run by run; a credit note after the invoice it cancels). Called
 * wherever the record is loaded for a plan, so check finds it as run does,
 * before anything is written. Errors also the reader's. */
ip_err ip_docwrite_verify_record(const ip_issued *rec, ip_diag *d);

/* The same with each document read once: ip_docwrite_load_record loads the
 * record (ip_issued_load: rows, digests, strays) and reads every row
 * against its document from the bytes the load read for the digest; what
 * it finds waits in *rows (NULL after an error) for
 * ip_docwrite_verify_rows, which reports the run column's fault first,
 * then the first row's, as ip_docwrite_verify_record does, and frees rows.
 * Between the two the caller may check what must come before (the year
 * folder's copies, ip_issued_check_copies); a caller that stops before
 * ip_docwrite_verify_rows frees rows with ip_docwrite_rows_free (NULL ok).
 * The rows are read on two threads for a large record (ip_issued_load_read). */
typedef struct ip_docwrite_rows ip_docwrite_rows;
ip_err ip_docwrite_load_record(const char *root, int year, ip_issued **rec,
                               ip_docwrite_rows **rows, ip_diag *d);
ip_err ip_docwrite_verify_rows(const ip_issued *rec, ip_docwrite_rows *rows, ip_diag *d);
void ip_docwrite_rows_free(ip_docwrite_rows *rows);

#endif /* IP_DOCWRITE_H */
