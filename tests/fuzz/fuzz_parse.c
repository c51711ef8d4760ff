/*
 * fuzz_parse.c — libFuzzer target for the scalar parsers (parse.h).
 *
 * Every parser gets the raw input (exactly size bytes, so ASan sees any read
 * past the end), and what it accepts is checked against an independent
 * reading of the text: a date prints back as the same ten characters, a
 * number as the same digits, an organisation number passes a Luhn check done
 * here; ip_date_add_days() is undone by its negative.
 *
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined -D_POSIX_C_SOURCE=200809L
 *        -DIP_TESTING -Iinclude tests/fuzz/fuzz_parse.c src/parse.c
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
    if (!ok)
        abort();
}

static int blank(char c)
{
    return c == ' ' || c == '\t';
}

static void check_date(ip_date d, const char *text10)
{
    char buf[11];
    int y = ip_date_year(d), m = ip_date_month(d);
    check(y >= 1900 && y <= 2999 && m >= 1 && m <= 12);
    check(ip_date_day(d) >= 1 && ip_date_day(d) <= ip_days_in_month(y, m));
    check(memcmp(ip_date_str(d, buf), text10, 10) == 0);
    check(ip_date_add_days(ip_date_add_days(d, 1), -1) == d);
    check(ip_date_add_days(ip_date_add_days(d, -400), 400) == d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    const char *t = s;
    size_t tn = size, i;
    ip_date d;
    int64_t v;
    char org[11];
    int r;

    while (tn && blank(*t))
        t++, tn--;
    while (tn && blank(t[tn - 1]))
        tn--;

    if (ip_parse_date(s, size, &d) == 0) {
        check(size == 10);
        check_date(d, s);
    }
    if (ip_parse_date_or_datetime(s, size, &d) == 0) {
        check(tn == 10 || tn == 16 || tn == 19);
        check_date(d, t);
        if (tn > 10)
            check(t[10] == 'T' || t[10] == ' ');
    }
    if (ip_parse_uint(s, size, &v) == 0) {
        char buf[32];
        size_t z = 0;
        check(v >= 0 && v <= IP_INT_MAX && tn > 0);
        while (z + 1 < tn && t[z] == '0')
            z++;
        snprintf(buf, sizeof buf, "%lld", (long long)v);
        check(strlen(buf) == tn - z && memcmp(buf, t + z, tn - z) == 0);
    }
    r = ip_parse_orgnr(s, size, org);
    if (r == 0 || r == -2) {
        int sum = 0;
        check(size == 10 || (size == 11 && s[6] == '-'));
        for (i = 0; i < size; i++)
            check((size == 11 && i == 6) || (s[i] >= '0' && s[i] <= '9'));
        if (r == 0) {
            check(strlen(org) == 10);
            for (i = 0; i < 10; i++) {
                int dg = (org[i] - '0') * (i % 2 ? 1 : 2);
                sum += dg > 9 ? dg - 9 : dg;
                check(org[i] == s[i < 6 || size == 10 ? i : i + 1]);
            }
            check(sum % 10 == 0);
        }
    } else {
        check(r == -1);
    }
    if (size >= 2) {
        /* a valid date and an offset from the input's first bytes */
        int n = (int)(int16_t)(data[0] | data[1] << 8);
        ip_date a = ip_date_add_days(20240229, n);
        char buf[11];
        check(ip_parse_date(ip_date_str(a, buf), 10, &d) == 0 && d == a);
        check(ip_date_add_days(a, -n) == 20240229);
    }
    return 0;
}
