/*
 * money.c — integer amounts (money.h): the one parser of "1234.50", the one
 * grouping of digits in threes, VAT, the period split and rounded division.
 *
 * Formatting builds the plain digits with snprintf() from integers and, for
 * the grouped forms, inserts the spaces in one pass (group()), so every
 * output that shows "1 234" groups the same way. Magnitudes go through
 * uint64_t so INT64_MIN prints without overflow.
 */
#include "money.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* --- parse and format öre ------------------------------------------------ */

int ip_money_parse(const char *s, size_t n, int64_t *ore)
{
    size_t i = 0, digits = 0;
    int64_t v = 0;
    int neg = 0;
    if (n > 0 && s[0] == '-') {
        neg = 1;
        i = 1;
    }
    /* at most 15 digits, so v * 100 + 99 < 10^17 cannot overflow */
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
        if (digits >= 15)
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    if (digits == 0 || i + 3 != n || s[i] != '.' || s[i + 1] < '0' || s[i + 1] > '9' ||
        s[i + 2] < '0' || s[i + 2] > '9')
        return -1;
    v = v * 100 + (s[i + 1] - '0') * 10 + (s[i + 2] - '0');
    *ore = neg ? -v : v;
    return 0;
}

/* |v| without overflow on INT64_MIN. */
static uint64_t magnitude(int64_t v)
{
    return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

const char *ip_money_fmt(int64_t ore, char buf[32])
{
    uint64_t u = magnitude(ore);
    snprintf(buf, 32, "%s%" PRIu64 ".%02u", ore < 0 ? "-" : "", u / 100, (unsigned)(u % 100));
    return buf;
}

/* Copies s to buf with a space before every third digit from the right of
 * its leading digits (after an optional '-'); what follows them (".47",
 * ",50") is copied as it is. Cuts at size, always NUL-terminated. */
static const char *group(const char *s, char *buf, size_t size)
{
    size_t n = 0, i, ndig;
    if (size == 0)
        return buf;
    if (*s == '-' && n + 1 < size)
        buf[n++] = *s++;
    ndig = strspn(s, "0123456789");
    for (i = 0; i < ndig; i++) {
        int sep = i > 0 && (ndig - i) % 3 == 0;
        if (n + (size_t)sep + 1 >= size)
            break;
        if (sep)
            buf[n++] = ' ';
        buf[n++] = s[i];
    }
    if (i == ndig) /* not cut: the decimals follow */
        for (s += ndig; *s && n + 1 < size; s++)
            buf[n++] = *s;
    buf[n] = '\0';
    return buf;
}

const char *ip_money_fmt_sv(int64_t ore, char *buf, size_t size)
{
    char plain[32];
    uint64_t u = magnitude(ore);
    snprintf(plain, sizeof plain, "%s%" PRIu64 ",%02u", ore < 0 ? "-" : "", u / 100,
             (unsigned)(u % 100));
    return group(plain, buf, size);
}

/* --- whole numbers and fractions ---------------------------------------- */

const char *ip_money_fmt_thousands(int64_t v, char *buf, size_t size)
{
    char plain[32];
    snprintf(plain, sizeof plain, "%s%" PRIu64, v < 0 ? "-" : "", magnitude(v));
    return group(plain, buf, size);
}

const char *ip_money_fmt_signed(int64_t v, char *buf, size_t size)
{
    return ip_money_fmt_wide_signed((ip_i128)v, buf, size);
}

/* The decimal digits of an unsigned 128-bit value into buf[40]. */
static const char *u128_digits(unsigned __int128 u, char buf[40])
{
    char *p = buf + 39;
    *p = '\0';
    do {
        *--p = (char)('0' + (unsigned)(u % 10));
        u /= 10;
    } while (u);
    return p;
}

const char *ip_money_fmt_wide(ip_i128 v, char *buf, size_t size)
{
    char digits[40], plain[48];
    unsigned __int128 u = v < 0 ? (unsigned __int128)0 - (unsigned __int128)v
                                : (unsigned __int128)v;
    snprintf(plain, sizeof plain, "%s%s", v < 0 ? "-" : "", u128_digits(u, digits));
    return group(plain, buf, size);
}

const char *ip_money_fmt_wide_signed(ip_i128 v, char *buf, size_t size)
{
    char tmp[56];
    ip_money_fmt_wide(v, tmp, sizeof tmp);
    snprintf(buf, size, "%s%s", v > 0 ? "+" : "", tmp);
    return buf;
}

ip_i128 ip_money_div_round(ip_i128 num, ip_i128 den)
{
    if (den < 0)
        num = -num, den = -den;
    if (num >= 0)
        return (num * 2 + den) / (den * 2);
    return -((-num * 2 + den) / (den * 2));
}

const char *ip_money_fmt_frac(ip_i128 num, ip_i128 den, int decimals, char *buf, size_t size)
{
    ip_i128 scale = 1, q;
    unsigned long long whole, frac;
    int i, neg;
    if (den < 0)
        num = -num, den = -den;
    neg = num < 0;
    for (i = 0; i < decimals; i++)
        scale *= 10;
    q = ip_money_div_round(neg ? -num * scale : num * scale, den);
    whole = (unsigned long long)(q / scale);
    frac = (unsigned long long)(q % scale);
    if (decimals > 0)
        snprintf(buf, size, "%s%llu.%0*llu", neg ? "-" : "", whole, decimals, frac);
    else
        snprintf(buf, size, "%s%llu", neg ? "-" : "", whole);
    return buf;
}

const char *ip_money_fmt_frac_thousands(ip_i128 num, ip_i128 den, int decimals, char *buf,
                                        size_t size)
{
    char plain[64];
    return group(ip_money_fmt_frac(num, den, decimals, plain, sizeof plain), buf, size);
}

const char *ip_money_fmt_frac_sv(ip_i128 num, ip_i128 den, int decimals, char *buf,
                                 size_t size)
{
    char plain[64], *p;
    const char *s = ip_money_fmt_frac(num, den, decimals, plain, sizeof plain);
    if (*s == '-' && strspn(s + 1, "0.") == strlen(s + 1))
        s++; /* rounds to zero: no sign */
    group(s, buf, size);
    if ((p = strchr(buf, '.')) != NULL)
        *p = ',';
    return buf;
}

/* --- arithmetic ---------------------------------------------------------- */

int ip_money_add(int64_t a, int64_t b, int64_t *out)
{
    return __builtin_add_overflow(a, b, out) ? -1 : 0;
}

int64_t ip_money_vat(int64_t net_ore, int percent)
{
    /* floor((net * percent + 50) / 100) without the product: with net =
     * a * 100 + b (C's division, so b has net's sign and |b| < 100) it is
     * a * percent + floor((b * percent + 50) / 100). |a * percent| <=
     * |net| for percent <= 100, the second term is within -99..99, and the
     * sum is the result itself, so nothing overflows, not even at INT64_MIN
     * at 100 %, and no 128-bit arithmetic is needed. */
    int64_t a = net_ore / 100, b = net_ore % 100;
    int64_t r = b * percent + 50; /* -9850..9950 */
    return a * percent + (r >= 0 ? r / 100 : -((-r + 99) / 100));
}

int64_t ip_money_period_part(int64_t annual_ore, int periods, int p)
{
    /* floor(A / P) each; the A mod P remaining öre one each to the last
     * periods, so that the parts add up to A exactly. */
    int64_t base = annual_ore / periods, rem = annual_ore % periods;
    return base + (p >= periods - rem ? 1 : 0);
}
