/*
 * tariff.h — the price year's tariff.xml (SPEC section 2.5).
 *
 * The tariff is read with libxml2, refusing DTDs, entities and network
 * access, and validated against templates/tariff.xsd; every error names the
 * file and line. After the schema, the loader checks what a schema cannot:
 * unique service and group ids, from <= to, known groups and key methods,
 * fees within bounds, the check digits of the payment accounts, and an
 * <accounting> that names an account for every service (never half of one).
 *
 * The returned ip_tariff is read-only for everyone else: its fields are
 * public for reading, and everything in it lives until ip_tariff_free().
 */
#ifndef IP_TARIFF_H
#define IP_TARIFF_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "date.h"

typedef enum ip_vat_category {
    IP_VAT_O = 'O', /* outside the scope of VAT (the city invoicing itself) */
    IP_VAT_S = 'S'  /* standard rate, vat_percent */
} ip_vat_category;

typedef struct ip_group {
    char *id;      /* "forvaltning" */
    char *label;   /* "Nämnder och förvaltningar" */
    ip_vat_category vat;
    int vat_percent; /* 0 for O */
} ip_group;

typedef struct ip_seller {
    char *name, *org_nr /* 10 digits */, *vat_id, *street, *postcode, *city, *email;
} ip_seller;

/* The seller's payment details, attributes of <invoicing>: what a company
 * pays its invoices to (cac:PaymentMeans). Each is NULL when not given. */
typedef struct ip_payment {
    char *bankgiro; /* 7 or 8 digits, valid check digit (written without '-') */
    char *plusgiro; /* 2 to 8 digits, valid check digit */
    char *iban;     /* upper case, no spaces, valid ISO 13616 check digits */
    char *bic;      /* 8 or 11 characters; given exactly when iban is */
} ip_payment;

/* An account of the ledger's chart that the postings use. */
typedef struct ip_account {
    char *number; /* 4 to 6 digits, first 1-8 */
    char *name;   /* for #KONTO */
    long line;
} ip_account;

/* <accounting>: how the internal documents are posted (sie.h). Present
 * only complete: every service of the tariff has a revenue account and a
 * cost account (its own or the default), every account named is declared. */
typedef struct ip_accounting {
    char *seller_cost_centre; /* object code of the seller's cost centre */
    ip_account *accounts;     /* as declared, in order */
    size_t naccounts;
    const ip_account **revenue; /* per service (tariff order): class 3 */
    const ip_account **cost;    /* per service: class 4-7, the default applied */
    long line;                  /* of <accounting> */
} ip_accounting;

typedef struct ip_match {
    char *column;
    char **values; /* in NFC; a row's field matches one equal to it after trimming and NFC */
    size_t nvalues;
    long line;     /* of <match> in tariff.xml */
} ip_match;

typedef enum ip_key_method {
    IP_KEY_PROPORTIONAL,
    IP_KEY_EQUAL_AND_PROPORTIONAL
} ip_key_method;

typedef struct ip_consolidation {
    uint32_t from, into; /* customer numbers */
    long line;
} ip_consolidation;

typedef struct ip_service {
    char *id;            /* "etjanst" */
    char *name;          /* "E-tjänstsupport" */
    char *short_name;    /* optional short-name for sheet tabs, footers and column
                          * headings ("Telefonistöd"), at most 31 characters; NULL */
    char *description;   /* may be NULL */
    char *per_call_note; /* optional attribute per-call-price: printed text, may be NULL */
    int64_t fee;         /* whole kronor */
    int64_t previous_fee;
    /* <basis> */
    char *file;          /* relative to the input folder */
    char *date_column;
    char *value_column;  /* NULL: the 'count' column if present, else 1 per row */
    char *unit;          /* "ärenden" */
    int is_snapshot;
    ip_date from, to;    /* window, inclusive (when !is_snapshot) */
    ip_date snapshot;    /* when is_snapshot */
    ip_match *matches;
    size_t nmatches;
    /* <key> */
    ip_key_method method;
    int equal_percent;   /* 0..100, for IP_KEY_EQUAL_AND_PROPORTIONAL */
    ip_consolidation *consolidations;
    size_t nconsolidations;
    long line;           /* line of <service> in tariff.xml */
} ip_service;

typedef struct ip_tariff {
    int year;
    char *currency;      /* "SEK" */
    ip_seller seller;
    ip_date issue_date;
    int due_days;
    char *number_prefix; /* "KC" */
    int periods;         /* 1, 4 or 12 (default 1) */
    ip_payment payment;  /* from <invoicing>; all NULL when none is given */
    ip_group *groups;
    size_t ngroups;
    ip_service *services;
    size_t nservices;
    ip_accounting *accounting; /* NULL: the tariff has no <accounting> */
    char *path;          /* display name, e.g. "input/2025/tariff.xml" */
} ip_tariff;

/* Loads and checks path against the schema xsd_path. name is the display
 * name used in messages. Errors: IP_ERR_NOINPUT (missing file), IP_ERR_TARIFF
 * (not well-formed, DTD/entities, schema violation, inconsistent content). */
ip_err ip_tariff_load(const char *path, const char *name, const char *xsd_path,
                      ip_tariff **out, ip_diag *d);

/* The same, and the SHA-256 (lower-case hex) and size of the bytes parsed
 * (sha256 NULL: none), from the one read. */
ip_err ip_tariff_load_ex(const char *path, const char *name, const char *xsd_path,
                         ip_tariff **out, char sha256[65], uint64_t *bytes, ip_diag *d);

/* The same from bytes in memory (tests, fuzzing); xsd_path may be NULL to skip
 * the schema. */
ip_err ip_tariff_load_mem(const char *data, size_t len, const char *name,
                          const char *xsd_path, ip_tariff **out, ip_diag *d);

void ip_tariff_free(ip_tariff *t);

/* 1 when the tariff gives a bankgiro, plusgiro or IBAN. */
int ip_tariff_has_payment(const ip_tariff *t);

/* Group with that id, or NULL. */
const ip_group *ip_tariff_group(const ip_tariff *t, const char *id);

/* The dates an invoice of price year `year` may be issued on: from the
 * start of the year before to the end of the year after, and no later than a
 * due date (issue + due_days) the record can still read back (years up to
 * 2999). Both the tariff's issue-date and --issue-date must lie in it. */
void ip_tariff_issue_range(int year, int due_days, ip_date *from, ip_date *to);

#endif /* IP_TARIFF_H */
