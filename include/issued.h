/*
 * issued.h — the record of the documents issued for a price year: what has
 * been sent to the ledger and must never be rewritten.
 *
 * The record lives beside the year's output folder, not in it, because the
 * year folder is replaced by an atomic swap on every run:
 *
 *   ROOT/issued/Y/register.csv        one row per issued document, in issue order
 *   ROOT/issued/Y/invoices/<file>     a byte copy of every issued document
 *   ROOT/issued/.Y.tmp-XXXXXX/        the next record while it is written
 *
 * register.csv (';', UTF-8, header row, name quoted by RFC 4180 when needed):
 *
 *   number;kind;customer;name;period_start;period_end;issue_date;due_date;
 *   cancels;run;vat_category;vat_percent;net;vat;total;lines;file;sha256
 *
 *   number        the document's cbc:ID, e.g. KC2025-110, KC2025-110-03-K1
 *   kind          invoice | credit
 *   customer      customer number; name as printed on the document
 *   period_*      the cac:InvoicePeriod, YYYY-MM-DD
 *   issue_date, due_date
 *   cancels       credit: the number of the invoice it cancels; invoice: empty
 *   run           0 for the first issue of the year, n for the n-th correction
 *   vat_category  O or S; vat_percent 0 for O
 *   net, vat, total  the document's amounts in kronor with two decimals,
 *                 positive also for credit notes (the ledger carries the sign)
 *   lines         the document's lines in their order (line 1, 2, …):
 *                 "service=amount" joined by ',' (e.g.
 *                 "etjanst=16950.00,direkt=24494.00"); a service at most once
 *   file          the document's file name in invoices/ (digits, '-', letters
 *                 K and R, ".xml": never input text)
 *   sha256        hex digest of the stored document
 *
 * Rows are only ever appended: a correction adds credit notes and new
 * invoices, it never changes a row or a stored document. Loading verifies
 * every stored document against its digest, and that invoices/ holds no
 * file the register does not list (a removed row), so an edited or missing
 * copy or row stops the run (IP_ERR_DATA) instead of a number being issued
 * again. That each row says what its document says is checked by the
 * caller, which can read documents (ip_docwrite_verify_record, docwrite.h):
 * this module is read before any writer and includes none.
 *
 * Writing happens only while the caller holds the output lock
 * (ip_outdir_begin .. commit/abort): ip_issued_stage() builds the next record
 * in a stage beside it (stage.h: copies of the stored documents, the new
 * documents written there by the caller), ip_issued_commit() writes the
 * register and commits the stage, which makes it durable and swaps it into
 * place, like the year folder. The caller commits the record before it
 * commits the year folder, so the record is never behind what a year folder
 * has shown; a run killed between the two leaves a record that the next
 * run's year folder is rebuilt from.
 */
#ifndef IP_ISSUED_H
#define IP_ISSUED_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "date.h"
#include "stage.h"

typedef struct ip_issued_doc {
    char *number;
    int is_credit;            /* 1: a credit note (381) */
    uint32_t customer;
    char *name;
    ip_date period_start, period_end;
    ip_date issue_date, due_date;
    char *cancels;            /* credit: number of the cancelled invoice; else NULL */
    int run;                  /* 0: first issue; n: n-th correction run */
    char vat_category;        /* 'O' or 'S' */
    int vat_percent;          /* 0 for 'O' */
    int64_t net, vat, total;  /* öre, >= 0 */
    char *lines;              /* the lines "service=amount,…" (see above) */
    char *file;               /* file name in invoices/ */
    char sha256[65];
} ip_issued_doc;

typedef struct ip_issued ip_issued;

/* Frees the strings of a document (not doc itself). */
void ip_issued_doc_release(ip_issued_doc *doc);

/* Makes *dst a copy of *src with strings of its own (release it with
 * ip_issued_doc_release). */
void ip_issued_doc_copy(ip_issued_doc *dst, const ip_issued_doc *src);

/* Loads ROOT/issued/Y/. A missing record is not an error: the record is
 * empty and ip_issued_exists() is 0. A malformed register or a stored
 * document that is missing or differs from its digest is IP_ERR_DATA. */
ip_err ip_issued_load(const char *root, int year, ip_issued **out, ip_diag *d);

/* What a caller does with each stored document's bytes as the load read
 * them for its digest, so that a document is read once (ctx as given;
 * rec complete, i the document, path its file; data NULL for a document too
 * large to keep in memory, which the callee reads itself). Only for a
 * document that matches its digest, each once; from a few hundred
 * documents on, with a second CPU, on two threads at once (every second
 * document on each, each thread's in record order): fn must be safe to
 * call so, and finds the first of several faults by i. */
typedef void (*ip_issued_read_fn)(void *ctx, const ip_issued *rec, size_t i, const char *path,
                                  const char *data, size_t len);

/* ip_issued_load, handing each stored document's bytes to fn. */
ip_err ip_issued_load_read(const char *root, int year, ip_issued_read_fn fn, void *ctx,
                           ip_issued **out, ip_diag *d);

/* The files of folder dir whose names end in suffix ("" for every name not
 * starting with '.') and that no document of the record names: *count of
 * them, and in *first (heap, NULL when none) the first by name. Returns -1
 * (errno set) when dir cannot be read, else 0. */
int ip_issued_unlisted(const ip_issued *rec, const char *dir, const char *suffix,
                       char **first, size_t *count);

/* Checks that the folder dir (the year folder's invoices/, whose documents
 * are copies of the record's) holds no .xml file the record does not list;
 * a missing folder holds nothing. IP_ERR_DATA names the first stray, or says
 * that the record is missing when it is empty. */
ip_err ip_issued_check_copies(const ip_issued *rec, const char *dir, ip_diag *d);

/* Frees the record; a staged but uncommitted next record is removed. NULL ok. */
void ip_issued_free(ip_issued *rec);

int ip_issued_exists(const ip_issued *rec);
size_t ip_issued_count(const ip_issued *rec);
/* Document i in issue order, valid until the next ip_issued_append or free. */
const ip_issued_doc *ip_issued_at(const ip_issued *rec, size_t i);
/* Index of the document numbered number, or -1. */
long ip_issued_find(const ip_issued *rec, const char *number);
/* The largest run number in the record, -1 when it is empty. */
int ip_issued_last_run(const ip_issued *rec);
/* The line of document i's row in register.csv as loaded (0 for a document
 * appended since), for messages. */
long ip_issued_line(const ip_issued *rec, size_t i);
/* "ROOT/issued/Y/register.csv", for messages. */
const char *ip_issued_register_path(const ip_issued *rec);

/* The folder where the documents are now: the staged invoices/ folder after
 * ip_issued_stage, else ROOT/issued/Y/invoices. */
const char *ip_issued_doc_dir(const ip_issued *rec);

/* Removes the temporary records of the year that a killed run left behind
 * (ROOT/issued/.Y.tmp-*, also a previous record left there by a run killed
 * right after its swap). Only under the output lock. */
void ip_issued_remove_stale(const ip_issued *rec);

/* Starts the next record (only under the output lock): begins the stage of
 * ROOT/issued/Y (which removes stale temporary records of the year), creates
 * invoices/ in it and copies every stored document there. Errors:
 * IP_ERR_CANTCREAT, IP_ERR_IO; after a failure the record is not staged. */
ip_err ip_issued_stage(ip_issued *rec, ip_diag *d);

/* Appends a document that the caller has written as
 * ip_issued_doc_dir(rec)/doc->file (only after ip_issued_stage). The record
 * copies doc's strings and computes the file's digest (doc->sha256 is
 * ignored). A number or file name already in the record is IP_ERR_SOFTWARE. */
ip_err ip_issued_append(ip_issued *rec, const ip_issued_doc *doc, ip_diag *d);

/* The same for a document whose bytes the caller wrote from memory and
 * digested itself: sha256 is the SHA-256 (lowercase hex) of exactly the
 * bytes written to ip_issued_doc_dir(rec)/doc->file, which is not read
 * again (doc->sha256 is ignored). */
ip_err ip_issued_append_written(ip_issued *rec, const ip_issued_doc *doc, const char *sha256,
                                ip_diag *d);

/* Writes register.csv into the staged record and commits the stage into
 * ROOT/issued/Y (ip_stage_commit). The record is no longer staged afterwards,
 * whatever the outcome; after a failure the previous record is still in
 * place. */
ip_err ip_issued_commit(ip_issued *rec, ip_diag *d);

/* Copies the record's first count documents (those it held before this
 * run appended any: a run writes a new document's year-folder copy itself,
 * from the same bytes) into the existing folder dir of the stage s (e.g.
 * the year folder's "invoices"). */
ip_err ip_issued_copy_all(const ip_issued *rec, ip_stage *s, const char *dir, size_t count,
                          ip_diag *d);

/* Writes register.csv's rows (with header) to f. */
ip_err ip_issued_write_register(const ip_issued *rec, FILE *f, const char *name, ip_diag *d);

/* --- amounts and lines ------------------------------------------------- */

/* The next "service=amount" of a lines text at *p: copies the service id
 * into svc (size bytes), the amount into *ore and advances *p. Returns 1, 0
 * at the end, -1 on bad syntax. */
int ip_issued_lines_next(const char **p, char *svc, size_t size, int64_t *ore);

#endif /* IP_ISSUED_H */
