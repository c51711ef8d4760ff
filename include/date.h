/*
 * date.h — the calendar: a date as the integer YYYYMMDD, and the arithmetic
 * every module does on it (day counts, adding days, months, the epoch).
 *
 * A date is a plain value, not a handle. All functions are pure and take
 * proleptic Gregorian dates with years 0..9999 (the parsers accept
 * 1900..2999); outside that range the results are unspecified but no
 * function overflows or reads outside its arguments. Parsing date text stays
 * with the other parsers (parse.h); it builds on these helpers.
 */
#ifndef IP_DATE_H
#define IP_DATE_H

#include <stdint.h>

/* A calendar date as the integer YYYYMMDD (20240615): orders like the date. */
typedef int32_t ip_date;

/* The date of year, month (1-12) and day (1-31); not checked. Inline, with
 * the three accessors, because the readers build and split a date per row. */
static inline ip_date ip_date_of(int year, int month, int day)
{
    return (ip_date)(year * 10000 + month * 100 + day);
}

/* Year, month (1-12), day of an ip_date. */
static inline int ip_date_year(ip_date d)
{
    return (int)(d / 10000);
}

static inline int ip_date_month(ip_date d)
{
    return (int)(d / 100 % 100);
}

static inline int ip_date_day(ip_date d)
{
    return (int)(d % 100);
}

/* 1 when year is a Gregorian leap year (divisible by 4, centuries only when
 * divisible by 400), else 0. */
int ip_is_leap_year(int year);

/* Days in a month of a year; 0 when month is not 1..12. */
int ip_days_in_month(int year, int month);

/* Days from 1970-01-01 to d (negative before it; H. Hinnant's
 * days_from_civil), and the date of such a day number (civil_from_days). */
int64_t ip_date_days(ip_date d);
ip_date ip_date_from_days(int64_t days);

/* The date n days after d (n may be negative). */
ip_date ip_date_add_days(ip_date d, int n);

/* Days from `from` to `to`: 0 on the same day, negative when to is earlier. */
int64_t ip_date_days_between(ip_date from, ip_date to);

/* The first of d's month (YYYYMM01). */
ip_date ip_date_month_start(ip_date d);

/* The first of the month n months after d's month (n may be negative). */
ip_date ip_date_month_after(ip_date d, int n);

/* Calendar months from `from`'s month to `to`'s month (the days do not
 * count): 0 within one month, 11 from January to December of a year,
 * negative when to's month is earlier. */
int ip_date_months_between(ip_date from, ip_date to);

/* Seconds since 1970-01-01 00:00 UTC of d at 00:00 UTC, what the workbook's
 * document properties take (no timegm(), which is not POSIX, and no
 * mktime(), which is local time). */
int64_t ip_date_epoch(ip_date d);

/* Writes "YYYY-MM-DD" and a NUL into buf[11]; returns buf. Always exactly ten
 * characters, even for a value that is not a date (each part is taken modulo
 * its width; a negative value prints as 0000-00-00). */
const char *ip_date_str(ip_date d, char buf[11]);

#endif /* IP_DATE_H */
