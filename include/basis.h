/*
 * basis.h — one pass over one statistics file: the <basis> of each service
 * that takes its basis from that file, measured per customer (SPEC sections
 * 1, 2 and 2.5).
 *
 * A file is read once however many services take their basis from it
 * (cases.csv feeds two): every row is offered to each of them. A service
 * counts the rows of its window (both dates inclusive) or of its snapshot
 * date that match all its <match> filters (a field matches a value when the
 * two are equal after trimming and Unicode normalisation, NFC; one equal
 * only when case, spaces and invisible characters are ignored is counted in
 * rows_near for a warning), adding its value column (the
 * 'count' column when it names none, 1 a row when the file has neither) to
 * the customer's basis and to the basis of the row's calendar month.
 *
 * Every row is validated in full — date, customer number, value — also rows
 * outside the window, because a malformed row means a broken export
 * wherever it lies; the bad rows are listed as rowerrs.h says. A customer
 * number missing from the register is an error only on rows that count
 * toward a basis (an old export may hold customers that no longer exist):
 * the unknown numbers are listed each with its first line and its number of
 * counted rows. A snapshot with no reading on its date, and a second reading
 * of one customer on that date, are errors. The file's SHA-256 and size come
 * from the same read (digest.h).
 *
 * Memory does not grow with the rows. The pass has no life beyond one call,
 * so where STYLE.md suggests an opaque handle for the basis there is a
 * function and plain, caller-owned results: one ip_basis per service
 * (ip_basis_init / ip_basis_release, as git means them), whose arrays the
 * caller may also keep (then it frees them itself and does not release).
 */
#ifndef IP_BASIS_H
#define IP_BASIS_H

#include <stddef.h>
#include <stdint.h>

#include "csv.h"
#include "customers.h"
#include "date.h"
#include "digest.h"
#include "error.h"
#include "tariff.h"

/* Progress of reading one statistics file: called on the reading thread
 * after each block the reader reads (done bytes of total, total 0 when the
 * size is unknown), and once more with finished 1 when the file is read or
 * its reading stopped. Must be cheap: a few thousand calls per GB. */
typedef void (*ip_progress_fn)(void *ctx, const char *file, uint64_t done, uint64_t total,
                               int finished);

/* One service's basis as the pass measures it. Arrays are indexed by
 * register slot (customers.h). */
typedef struct ip_basis {
    const ip_service *svc;   /* the <basis> applied; borrowed from the tariff */
    int64_t *raw;            /* [ncust] measured basis per slot */
    int64_t *monthly;        /* [slot * nmonths + m]: basis per calendar month */
    size_t nmonths;          /* months from the window's first to its last (1 for a snapshot) */
    ip_date first_month;     /* YYYYMM01 of month 0 */
    uint64_t rows_used;      /* rows in the window/snapshot and matching */
    uint64_t rows_outside;   /* rows outside the window (or not on the snapshot date) */
    uint64_t rows_filtered;  /* rows in the window that the match filters rejected */
    /* Of rows_filtered, those whose field differs from a value of the
     * <match> that rejected it only in case, spaces or invisible characters
     * (ip_utf8_loose(): 'e-tjänstsupport', a trailing U+00A0, a U+200B) —
     * not counted, but worth a warning; the first of them: */
    uint64_t rows_near;
    long near_line;          /* its line */
    size_t near_match;       /* its <match> (svc->matches) */
    size_t near_value;       /* the value of that <match> it resembles */
    char near_found[200];    /* its field, quoted (ip_quote) */
    /* For the message of a basis of 0: the earliest and latest date the
     * file's rows hold in the date column (0 when it has no rows), the
     * first <match> that no row in the window got past (the first <match>
     * when each let some through) and up to IP_BASIS_SEEN of the different
     * values it rejected (their first 63 bytes, trimmed). */
    ip_date first_date, last_date;
    size_t reject_match;
    char rejected[4][64];
    size_t nrejected;
} ip_basis;
#define IP_BASIS_SEEN 4

/* What the pass read of its file. */
typedef struct ip_basis_file {
    uint64_t bytes;          /* bytes read */
    uint64_t rows;           /* data records (header excluded) */
    char sha256[65];         /* lowercase hex digest of the bytes read */
} ip_basis_file;

/* How a pass reads its file. */
typedef struct ip_basis_opts {
    ip_csv_opts csv;         /* the reader's scanner and buffer size (zero: the defaults);
                                its tap is the pass's own, this one is ignored */
    ip_digest_threads digest_threads; /* the file's SHA-256 on a thread (zero: by its size) */
    ip_progress_fn progress; /* NULL: none */
    void *progress_ctx;
} ip_basis_opts;

/* An empty basis of svc (borrowed, outlives b) for ncust customers: zeroed
 * arrays, its months from the window (or the snapshot's month). */
void ip_basis_init(ip_basis *b, const ip_service *svc, size_t ncust);

/* Frees b's arrays and leaves them NULL. */
void ip_basis_release(ip_basis *b);

/* Reads the statistics file at path (also its name in messages) once and
 * measures into bases[0..n) the basis of each bases[i].svc, which all name
 * this file; customers is the register whose slots index the arrays. Fills
 * *file on success. o (NULL: the defaults) chooses the reader and the progress
 * report.
 * Errors: IP_ERR_NOINPUT / IP_ERR_IO (the file cannot be opened or read),
 * IP_ERR_DATA (a missing column, bad rows, a snapshot date without readings,
 * two readings of a customer), IP_ERR_UNALLOCATABLE (unknown customers on
 * counted rows). On an error the counts are partial. */
ip_err ip_basis_measure(const char *path, const ip_customers *customers, ip_basis *bases,
                        size_t n, const ip_basis_opts *o, ip_basis_file *file, ip_diag *d);

#endif /* IP_BASIS_H */
