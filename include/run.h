/*
 * run.h — one price year's computation: the year's inputs read and hashed,
 * every service's basis measured (basis.h), consolidated (consolidate.h) and
 * allocated (alloc.h). The result is the model every writer (fees.csv,
 * report, workbook, invoices) reads; nothing here reads an output or writes
 * a file. Last year's fees come from the output folder, so the caller reads
 * them (fees.h: ip_fees_take_prev()) and hands them in.
 *
 * All per-customer arrays are indexed by register slot (see customers.h) and
 * have ip_customers_count() entries. Everything lives until ip_run_free().
 */
#ifndef IP_RUN_H
#define IP_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "alloc.h"
#include "basis.h"
#include "csv.h"
#include "customers.h"
#include "digest.h"
#include "error.h"
#include "tariff.h"

#define IP_NO_PREV INT64_C(-1) /* last year's fee is not known */

/* What was read from one input file. */
typedef struct ip_input_file {
    char *name;        /* "cases.csv" */
    char *path;        /* full path as opened */
    char sha256[65];   /* hex digest of the bytes read */
    uint64_t bytes;
    uint64_t rows;     /* data records (header excluded) */
} ip_input_file;

/* One service's measurement and allocation. */
typedef struct ip_svc_result {
    const ip_service *svc;   /* borrowed from the tariff */
    size_t file_index;       /* into ip_run.files */
    uint64_t rows_used;      /* rows in the window/snapshot and matching */
    uint64_t rows_outside;   /* rows outside the window (or not on the snapshot date) */
    uint64_t rows_filtered;  /* rows in the window that the match filters rejected */
    ip_date first_date, last_date; /* the dates the file's rows hold (basis.h), 0: none */
    size_t reject_match;     /* the first <match> no row got past (basis.h) */
    char rejected[IP_BASIS_SEEN][64]; /* values it rejected, nrejected of them */
    size_t nrejected;
    int64_t *raw;            /* measured basis per slot, before consolidation */
    int64_t *monthly;        /* [slot * nmonths + m]: raw basis per calendar month */
    size_t nmonths;          /* months from the window's first to its last (1 for a snapshot) */
    ip_date first_month;     /* YYYYMM01 of month 0 */
    int64_t *basis;          /* basis per slot after consolidation (allocation input) */
    long *into;              /* slot this customer's basis was rolled into, or -1 */
    size_t *within_start;    /* [ncust + 1]: within[within_start[k] .. within_start[k + 1]) */
    size_t *within;          /*   are the slots rolled into slot k, ascending (consolidate.h) */
    ip_alloc_item *items;    /* allocation per slot (fee, exact share) */
    ip_alloc_result alloc;   /* W, N, denominator */
    int64_t *prev_fee;       /* last year's fee per slot, or IP_NO_PREV */
    int64_t prev_total;      /* sum of prev_fee, or IP_NO_PREV */
    int64_t *prev_basis;     /* last year's basis per slot, or IP_NO_PREV */
    int64_t prev_basis_total;/* last year's basis total, or IP_NO_PREV */
} ip_svc_result;

typedef struct ip_run {
    int year;
    char *input_dir;         /* "input/2025" */
    ip_tariff *tariff;
    ip_customers *customers;
    size_t ncust;
    ip_svc_result *svc;      /* tariff->nservices entries, tariff order */
    size_t nsvc;
    ip_input_file *files;    /* tariff.xml, customers.csv, then each statistics file once */
    size_t nfiles;
    char inputs_sha256[65];  /* digest over the files' names and digests */
    int have_prev;           /* last year's fees.csv was found and read (ip_run_set_prev) */
    char *prev_path;         /* its path (also when not found); NULL until handed in */
    char **warnings;         /* one line each, no trailing newline */
    char **warnings_sv;      /* [nwarnings]: each in Swedish, for the workbook; NULL or a
                              * NULL entry: the workbook shows the English line */
    size_t nwarnings;
    ip_progress_fn progress; /* from the options, while computing */
    void *progress_ctx;
    ip_csv_opts csv;         /* from the options: the statistics files' reader (tap NULL) */
    ip_digest_threads digest_threads; /* from the options */
} ip_run;

/* Options of one computation. */
typedef struct ip_run_opts {
    int year;
    const char *input_root;   /* "input": reads input_root/year/ */
    const char *templates_dir;/* where tariff.xsd lives */
    ip_progress_fn progress;  /* NULL: none (basis.h) */
    void *progress_ctx;
    ip_csv_opts csv;          /* the statistics files' scanner and buffer size (zero: the
                                 defaults); the tap is the run's own, this one is ignored */
    ip_digest_threads digest_threads; /* the statistics files' SHA-256 on a thread (zero: by
                                         each file's size, digest.h) */
} ip_run_opts;

/* Reads and checks all inputs, measures, allocates. Last year is unknown
 * until it is handed in: every prev_* is IP_NO_PREV and have_prev 0. Errors
 * as the modules report them. */
ip_err ip_run_compute(const ip_run_opts *o, ip_run **out, ip_diag *d);

/* The same computation for n tariffs on one year's statistics (the
 * scenario: the decided tariff against proposals): out[i] is computed with
 * the tariff at tariffs[i], NULL for the input folder's tariff.xml (tariffs
 * NULL: every one). ip_run_compute() is this with n = 1. Each tariff and the
 * register are loaded and checked for each computation (the register's
 * groups are the tariff's); each statistics file is read once, in one pass
 * for every service of every tariff that takes its basis from it. On an
 * error, the first tariff's error first (tariffs and register before any
 * statistics), every out[i] is NULL. */
ip_err ip_run_compute_many(const ip_run_opts *o, const char *const *tariffs, size_t n,
                           ip_run **out, ip_diag *d);

/* Records last year's fee table at path once its reader has filled the
 * services' prev_* fields (ip_fees_read_prev()): have_prev is found, and
 * when it was not found the warning that the Y-1 columns show '–' goes
 * first in the list, before the register's. At most once per run. */
void ip_run_set_prev(ip_run *r, const char *path, int found);

void ip_run_free(ip_run *r);

/* Sum over services of the customer's fee this year, and last year's (or
 * IP_NO_PREV when unknown). */
int64_t ip_run_customer_total(const ip_run *r, size_t slot);
int64_t ip_run_customer_prev_total(const ip_run *r, size_t slot);

#endif /* IP_RUN_H */
