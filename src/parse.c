/*
 * parse.c — strict parsers for dates, datetimes, whole numbers and Swedish
 * organisation numbers. A date's calendar checks come from date.c.
 *
 * Every parser looks at exactly the n bytes it is given (the CSV reader hands
 * out fields that are not NUL-terminated) and accepts only the shapes that
 * parse.h names: no locale, no sign, no leniency. ip_parse_date_or_datetime()
 * and ip_parse_uint() run once per row of a file of millions of rows, so they
 * are written as straight-line digit arithmetic.
 */
#include "parse.h"

#include <string.h>

/* Value of the ASCII digit c, or a number > 9 when c is not a digit. */
static unsigned digit(char c)
{
    return (unsigned)(unsigned char)c - '0';
}

/* The two digits at s as a number 0..99, or -1. */
static int two_digits(const char *s)
{
    unsigned a = digit(s[0]), b = digit(s[1]);
    if (a > 9 || b > 9)
        return -1;
    return (int)(a * 10 + b);
}

/* Eight bytes at s as one word, in memory order. */
static inline uint64_t load8(const char *s)
{
    uint64_t v;
    memcpy(&v, s, 8);
    return v;
}

#define ONES UINT64_C(0x0101010101010101)

/* Whether the eight bytes v match pattern: '0' in the pattern stands for a
 * digit, any other byte for itself. pattern and seps (0xFF where the pattern
 * has a separator) are loaded with load8() too, so byte order does not
 * matter. After the XOR a digit is 0-9 and a separator 0; adding 0x76 sets
 * the high bit of any byte above 9 (a carry out of a byte only happens when
 * that byte already failed). */
static inline int match8(uint64_t v, uint64_t pattern, uint64_t seps)
{
    uint64_t x = v ^ pattern;
    return (((x | (x + 0x76 * ONES)) & (0x80 * ONES)) | (x & seps)) == 0;
}

/* "YYYY-MM-DD" at s (exactly 10 bytes, the caller checked the length).
 * Runs once per row, so the shape is checked a word at a time. */
static inline int parse_date10(const char *s, ip_date *out)
{
    static const char pat_a[8] = {'0', '0', '0', '0', '-', '0', '0', '-'};
    static const char pat_b[8] = {'0', '0', '-', '0', '0', '-', '0', '0'};
    static const unsigned char sep_a[8] = {0, 0, 0, 0, 0xFF, 0, 0, 0xFF};
    static const unsigned char sep_b[8] = {0, 0, 0xFF, 0, 0, 0xFF, 0, 0};
    int year, month, day;
    if (!match8(load8(s), load8(pat_a), load8((const char *)sep_a)) ||
        !match8(load8(s + 2), load8(pat_b), load8((const char *)sep_b)))
        return -1;
    year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    month = (s[5] - '0') * 10 + (s[6] - '0');
    day = (s[8] - '0') * 10 + (s[9] - '0');
    if (year < 1900 || year > 2999 || month < 1 || month > 12 || day < 1)
        return -1;
    if (day > 28 && day > ip_days_in_month(year, month))
        return -1;
    *out = ip_date_of(year, month, day);
    return 0;
}

int ip_parse_date(const char *s, size_t n, ip_date *out)
{
    if (n != 10)
        return -1;
    return parse_date10(s, out);
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Spaces and tabs count as "surrounding spaces", as in ip_trim(). */
int ip_parse_date_or_datetime(const char *s, size_t n, ip_date *out)
{
    int hh, mm, ss;
    while (n && is_blank(*s))
        s++, n--;
    while (n && is_blank(s[n - 1]))
        n--;
    if (n == 10)
        return parse_date10(s, out);
    if (n != 16 && n != 19)
        return -1;
    if (s[10] != 'T' && s[10] != ' ')
        return -1;
    if (n == 19) {
        static const char pat[8] = {'0', '0', ':', '0', '0', ':', '0', '0'};
        static const unsigned char sep[8] = {0, 0, 0xFF, 0, 0, 0xFF, 0, 0};
        if (!match8(load8(s + 11), load8(pat), load8((const char *)sep)))
            return -1;
        ss = (s[17] - '0') * 10 + (s[18] - '0');
    } else {
        if (s[13] != ':' || two_digits(s + 11) < 0 || two_digits(s + 14) < 0)
            return -1;
        ss = 0;
    }
    hh = (s[11] - '0') * 10 + (s[12] - '0');
    mm = (s[14] - '0') * 10 + (s[15] - '0');
    if (hh > 23 || mm > 59 || ss > 60)
        return -1;
    return parse_date10(s, out);
}

int ip_parse_uint(const char *s, size_t n, int64_t *out)
{
    int64_t v = 0;
    size_t i;
    while (n && is_blank(*s))
        s++, n--;
    while (n && is_blank(s[n - 1]))
        n--;
    if (n == 0)
        return -1;
    for (i = 0; i < n; i++) {
        unsigned dg = digit(s[i]);
        if (dg > 9)
            return -1;
        /* v <= IP_INT_MAX before the step, so v * 10 + 9 cannot overflow. */
        v = v * 10 + (int64_t)dg;
        if (v > IP_INT_MAX)
            return -1;
    }
    *out = v;
    return 0;
}

/* Luhn over ten digits: the check digit makes the weighted sum a multiple of 10. */
static int luhn_ok(const char d[10])
{
    int sum = 0, i;
    for (i = 0; i < 10; i++) {
        int v = d[i] - '0';
        if (i % 2 == 0) {
            v *= 2;
            if (v > 9)
                v -= 9;
        }
        sum += v;
    }
    return sum % 10 == 0;
}

int ip_parse_orgnr(const char *s, size_t n, char out[11])
{
    char d[10];
    size_t i, k = 0;
    if (n != 10 && n != 11)
        return -1;
    for (i = 0; i < n; i++) {
        if (n == 11 && i == 6) {
            if (s[i] != '-')
                return -1;
            continue;
        }
        if (digit(s[i]) > 9)
            return -1;
        d[k++] = s[i];
    }
    if (!luhn_ok(d))
        return -2;
    for (i = 0; i < 10; i++)
        out[i] = d[i];
    out[10] = '\0';
    return 0;
}
