/*
 * parse.h — strict parsers for the scalar values in the input files: dates,
 * datetimes, non-negative integers, Swedish organisation numbers.
 *
 * All parsers take a (pointer, length) pair that need not be NUL-terminated,
 * never read outside it, and return 0 on success or -1 when the text is not
 * exactly what the contract allows. They do not print; callers build the
 * "expected …, found …" message. A date is an ip_date (date.h), which also
 * holds the calendar arithmetic.
 */
#ifndef IP_PARSE_H
#define IP_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "date.h"

/* Largest integer the inputs may hold (basis values, counts, fees): 10^15. */
#define IP_INT_MAX INT64_C(1000000000000000)

/* "YYYY-MM-DD" exactly (a real calendar date, years 1900..2999). */
int ip_parse_date(const char *s, size_t n, ip_date *out);

/* A date, or a datetime "YYYY-MM-DDThh:mm[:ss]" / "YYYY-MM-DD hh:mm[:ss]"
 * (hh 00-23, mm 00-59, ss 00-60); surrounding spaces allowed. The time of day
 * is validated and dropped: *out is the date. */
int ip_parse_date_or_datetime(const char *s, size_t n, ip_date *out);

/* ASCII digits with optional surrounding spaces/tabs, value <= IP_INT_MAX.
 * No sign, no inner spaces, no thousands separators. */
int ip_parse_uint(const char *s, size_t n, int64_t *out);

/* A Swedish organisation number "NNNNNN-NNNN" or "NNNNNNNNNN" with a valid
 * Luhn check digit; writes the 10 digits and a NUL into out[11].
 * Returns 0, -1 on bad shape, -2 on a bad check digit. */
int ip_parse_orgnr(const char *s, size_t n, char out[11]);

#endif /* IP_PARSE_H */
