/*
 * invoice.h — UBL 2.1 invoices and credit notes, PEPPOL BIS Billing 3.0,
 * written with libxml2's xmlTextWriter (never printf).
 *
 * ip_invoice describes one document independently of how it came about, so
 * the writer can be tested on its own. Amounts are öre (int64_t). The writer
 * computes the VAT breakdown (ip_money_vat) and the totals from the lines;
 * it refuses a document that would be invalid (no lines, a negative amount).
 */
#ifndef IP_INVOICE_H
#define IP_INVOICE_H

#include <stddef.h>
#include <stdint.h>

#include "customers.h"
#include "error.h"
#include "date.h"
#include "tariff.h"

typedef struct ip_invoice_line {
    const char *id;          /* "1", "2", … */
    const char *name;        /* service name */
    const char *description; /* basis in words: "8 286 av 33 437 ärenden 2023-07-01–2024-06-30, andel 24,78 %" */
    const char *service_id;  /* seller's item id, e.g. "etjanst" */
    int64_t amount_ore;      /* net line amount, >= 0 */
} ip_invoice_line;

typedef struct ip_invoice {
    int is_credit_note;      /* 1: a CreditNote (381) */
    const char *number;      /* "KC2025-110" */
    ip_date issue_date;
    ip_date due_date;
    const char *currency;    /* "SEK" */
    const char *note;        /* optional cbc:Note, e.g. program version and input digest */
    const ip_seller *seller;
    const ip_customer *buyer;
    const ip_group *group;   /* VAT category of the buyer's group */
    ip_date period_start, period_end; /* invoice period, 0 when none */
    const ip_payment *payment; /* invoice: the seller's accounts for cac:PaymentMeans, or
                                * NULL for none (credit notes never carry them) */
    const char *billing_ref; /* credit note: the number of the invoice it cancels, else NULL */
    ip_date billing_ref_date;
    const ip_invoice_line *lines;
    size_t nlines;
} ip_invoice;

/* Writes inv to path (created or truncated). Errors: IP_ERR_CANTCREAT,
 * IP_ERR_IO, IP_ERR_SOFTWARE for an invoice that cannot be valid. */
ip_err ip_invoice_write(const ip_invoice *inv, const char *path, ip_diag *d);

/* The document inv as ip_invoice_write would write it, built in memory and
 * written nowhere: *data (free it with ip_invoice_bytes_free) holds *len
 * bytes. Errors: IP_ERR_SOFTWARE as write's. Safe on any thread once
 * libxml2 has been initialised (xmlInitParser) on the main thread: each call
 * has a writer and a buffer of its own. */
ip_err ip_invoice_build(const ip_invoice *inv, char **data, size_t *len, ip_diag *d);
void ip_invoice_bytes_free(char *data);

/* Writes the len bytes at data to path (created or truncated), a file in a
 * stage (stage.h); a short write is an error and
 * the file is removed. Errors: IP_ERR_CANTCREAT (IP_ERR_IO for a full
 * disk), IP_ERR_IO; the file is named as ip_stage_shown names path. */
ip_err ip_invoice_save(const char *path, const char *data, size_t len, ip_diag *d);

/* What ip_invoice_write would refuse in inv, found without writing (check's
 * pre-flight): IP_ERR_SOFTWARE as write's. */
ip_err ip_invoice_check(const ip_invoice *inv, ip_diag *d);

/* A document read back from a file that ip_invoice_write wrote, e.g. a stored
 * invoice that a credit note must mirror line by line. inv.buyer, inv.group
 * and inv.lines point into this struct; inv.seller is NULL (the reader keeps
 * the buyer's side only) and inv.note is NULL. group has only vat and
 * vat_percent. Everything lives until ip_invoice_doc_free. */
typedef struct ip_invoice_doc {
    ip_invoice inv;
    ip_customer buyer;
    ip_group group;
    ip_invoice_line *lines;
    char **owned;            /* every string the struct points at */
    size_t nowned, owned_alloc;
} ip_invoice_doc;

/* Reads an Invoice or CreditNote at path: number, dates, period, billing
 * reference, buyer (number from PartyIdentification, name, organisation
 * number, reference, address, an EndpointID other than the organisation
 * number under 0007), VAT category and rate, lines (id, name,
 * description, seller's item id, amount). A file that is not such a document
 * is IP_ERR_DATA naming what is missing; an unreadable one IP_ERR_IO. */
ip_err ip_invoice_read(const char *path, ip_invoice_doc **out, ip_diag *d);

/* The same for the len bytes at data, the file at path as read already
 * (path names it in messages): IP_ERR_DATA as read's. */
ip_err ip_invoice_read_mem(const char *path, const char *data, size_t len, ip_invoice_doc **out,
                           ip_diag *d);

void ip_invoice_doc_free(ip_invoice_doc *doc);

#endif /* IP_INVOICE_H */
