/*
 * money.h — amounts as integers: strict parsing of "1234.50", the formats
 * the outputs print, VAT, the split of a year's fee into periods, rounded
 * division and checked sums.
 *
 * Amounts are int64_t öre (1 kr = 100 öre) or, where the name says kr, whole
 * kronor; no function here touches a double. Exact shares from the
 * allocation stay fractions num/den of 128-bit integers (ip_i128) and are
 * rounded only when printed. Every function is pure: no I/O, no global
 * state, and none reads or writes past the buffer size it is given (a short
 * buffer gets a cut, NUL-terminated text).
 */
#ifndef IP_MONEY_H
#define IP_MONEY_H

#include <stddef.h>
#include <stdint.h>

__extension__ typedef __int128 ip_i128;

/* --- parse and format öre ------------------------------------------------ */

/* Strict "-?D+.DD" with 1 to 15 integer digits (what ip_money_fmt writes,
 * leading zeros allowed) to öre in *ore: 0, or -1 with *ore untouched. No
 * spaces, no '+', no thousands separators, exactly two decimals. */
int ip_money_parse(const char *s, size_t n, int64_t *ore);

/* "155249.00", "-12.50", "0.07" from öre (the UBL documents, the record,
 * ledger.csv), into buf[32]; returns buf. Any int64_t, INT64_MIN included. */
const char *ip_money_fmt(int64_t ore, char buf[32]);

/* Öre in Swedish notation for running text: "155 249,50", "-12,07". */
const char *ip_money_fmt_sv(int64_t ore, char *buf, size_t size);

/* --- whole numbers and fractions ---------------------------------------- */

/* A whole number (kronor, or a count) with a space as thousands separator:
 * "1 234 567", "-1 234", "0". 27 bytes hold any int64_t. Returns buf. */
const char *ip_money_fmt_thousands(int64_t v, char *buf, size_t size);

/* As ip_money_fmt_thousands with a sign on every change but none: "+1 234",
 * "-1 234", "0". */
const char *ip_money_fmt_signed(int64_t v, char *buf, size_t size);

/* ip_money_fmt_thousands() and ip_money_fmt_signed() of a 128-bit value
 * (the exact figures explain prints, a basis total past int64_t): any
 * ip_i128, the most negative included; 56 bytes hold every one. */
const char *ip_money_fmt_wide(ip_i128 v, char *buf, size_t size);
const char *ip_money_fmt_wide_signed(ip_i128 v, char *buf, size_t size);

/* num/den (den != 0) rounded to the nearest integer, halves away from zero:
 * 5/2 = 3, -5/2 = -3, 7/3 = 2. |num| and |den| below 2^125. */
ip_i128 ip_money_div_round(ip_i128 num, ip_i128 den);

/* num/den as a decimal with `decimals` places (0..18), rounded as
 * ip_money_div_round does: "155249.47", "-0.30", "4"; a negative value keeps
 * its sign when it rounds to zero ("-0.00"). |num| * 10^decimals below
 * 2^125, and the result below 2^64 in magnitude. Returns buf. */
const char *ip_money_fmt_frac(ip_i128 num, ip_i128 den, int decimals, char *buf, size_t size);

/* As ip_money_fmt_frac with a space as thousands separator in the integer
 * part: "155 249.47". */
const char *ip_money_fmt_frac_thousands(ip_i128 num, ip_i128 den, int decimals, char *buf,
                                        size_t size);

/* num/den in the Swedish notation of everything people read (report.txt,
 * explain, the dry run, invoice text): a space as thousands separator and a
 * decimal comma, "155 249,47", "64,69", "-1 234,50"; a value that rounds to
 * zero has no sign ("0,00", never "-0,00"). Limits as ip_money_fmt_frac. */
const char *ip_money_fmt_frac_sv(ip_i128 num, ip_i128 den, int decimals, char *buf,
                                 size_t size);

/* --- arithmetic ---------------------------------------------------------- */

/* *out = a + b: 0, or -1 when the sum does not fit an int64_t (then *out is
 * unspecified). For sums of amounts read from files. */
int ip_money_add(int64_t a, int64_t b, int64_t *out);

/* VAT in öre of a net amount in öre at percent (0..100): net * percent / 100
 * rounded half up to the öre, floor(x + 1/2), as the EN 16931 rules and
 * XPath's round() compute it (so -0.5 öre rounds to 0). Exact for every
 * int64_t net: no intermediate product overflows. */
int64_t ip_money_vat(int64_t net_ore, int percent);

/* Period p's (0-based) part of an annual amount in öre split into periods
 * parts (periods > 0, annual_ore >= 0): floor(A / P) each, and the A mod P
 * remaining öre one each to the last periods, so the parts add up to A
 * exactly and never decrease. */
int64_t ip_money_period_part(int64_t annual_ore, int periods, int p);

#endif /* IP_MONEY_H */
