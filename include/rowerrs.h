/*
 * rowerrs.h — the list of bad rows of one input file, as every reader of a
 * file with rows reports it (README, "Exit status"):
 *
 *   customers.csv:3: expected a customer number of digits, found 'x'
 *   customers.csv:5: expected a customer name, found an empty field
 *   ... (up to ten rows after the first)
 *   29 rows with errors in all
 *
 * The first error is the diag's message (its file, line and code), the next
 * ten are its extra lines, and when there was more than one the last extra
 * line gives the total. A record error that ends the reading (the CSV
 * reader's: bad quoting, a wrong field count, bad UTF-8) is the message when
 * it comes first and is otherwise listed as one more row, marked "(reading
 * stopped there)". A listed line that would not fit whole into the diag's
 * extra text with room left for the total is counted but not listed.
 *
 * Usage: ip_rowerrs_init() with the caller's diag, ip_rowerrs_add() per bad
 * row (the first problem of a row only), ip_rowerrs_stop() for the error
 * that ends the reading, then ip_rowerrs_finish(), which adds the total and
 * returns the first error's code or IP_OK when there was none. No memory is
 * held: the list is written into the diag as it grows.
 */
#ifndef IP_ROWERRS_H
#define IP_ROWERRS_H

#include <stddef.h>

#include "error.h"

/* Rows listed after the first. */
#define IP_ROWERRS_LISTED 10

typedef struct ip_rowerrs {
    ip_diag *d;       /* where the list goes; borrowed */
    const char *file; /* the file's display name; borrowed, outlives the list */
    size_t count;     /* rows with errors so far */
    ip_err code;      /* the first error's code (IP_OK: none yet) */
} ip_rowerrs;

/* Starts an empty list that writes into d for the file named file. */
void ip_rowerrs_init(ip_rowerrs *re, ip_diag *d, const char *file);

/* One bad row at line: the message when it is the first, listed while
 * fewer than IP_ROWERRS_LISTED follow the first, counted always. */
void ip_rowerrs_add(ip_rowerrs *re, ip_err code, long line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The error stop that ends the reading: copied whole into the diag when no
 * row came before it, else listed as "FILE:LINE: MSG (reading stopped
 * there)" like a row. */
void ip_rowerrs_stop(ip_rowerrs *re, const ip_diag *stop);

/* Ends the list: adds "N rows with errors in all" when N > 1. Returns the
 * first error's code, IP_OK when the list is empty. */
ip_err ip_rowerrs_finish(ip_rowerrs *re);

#endif /* IP_ROWERRS_H */
