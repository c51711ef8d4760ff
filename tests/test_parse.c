/*
 * test_parse.c — the strict scalar parsers: dates with real calendars and
 * leap years, datetimes, whole numbers up to IP_INT_MAX, organisation numbers
 * with their Luhn check digit, and every date of 1900..2999 through
 * ip_date_str() and back (the calendar itself: test_date.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "parse.h"

static int date(const char *s, ip_date *out)
{
    return ip_parse_date(s, strlen(s), out);
}

static int datetime(const char *s, ip_date *out)
{
    return ip_parse_date_or_datetime(s, strlen(s), out);
}

static int uint_(const char *s, int64_t *out)
{
    return ip_parse_uint(s, strlen(s), out);
}

static int orgnr(const char *s, char out[11])
{
    return ip_parse_orgnr(s, strlen(s), out);
}

static void test_parse_date_accepts_calendar_dates(void **state)
{
    static const struct { const char *s; ip_date d; } ok[] = {
        {"2024-06-15", 20240615}, {"1900-01-01", 19000101}, {"2999-12-31", 29991231},
        {"2024-02-29", 20240229}, {"2000-02-29", 20000229}, {"2023-02-28", 20230228},
        {"2023-04-30", 20230430}, {"2023-01-31", 20230131}, {"2023-12-01", 20231201},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        ip_date d = 0;
        assert_int_equal(date(ok[i].s, &d), 0);
        assert_int_equal(d, ok[i].d);
    }
}

static void test_parse_date_rejects_non_dates(void **state)
{
    static const char *const bad[] = {
        "2023-02-29", /* not a leap year */
        "1900-02-29", /* divisible by 100, not by 400 */
        "2100-02-29", "2023-04-31", "2023-06-31", "2023-09-31", "2023-11-31",
        "2023-13-01", "2023-00-10", "2023-01-00", "2023-01-32",
        "1899-12-31", "3000-01-01", "0000-01-01",
        "2023-1-01", "2023-01-1", "23-01-01", "2023/01/01", "2023-01-01 ",
        " 2023-01-01", "2023-01-01T00:00", "20230101", "2023-0a-01", "2023-01-0x",
        "+023-01-01", "2023--1-01", "", "2023-01-01\n",
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ip_date d = 12345;
        if (date(bad[i], &d) != -1)
            fail_msg("accepted '%s'", bad[i]);
        assert_int_equal(d, 12345); /* untouched */
    }
}

static void test_parse_date_reads_only_n_bytes(void **state)
{
    ip_date d;
    (void)state;
    /* the field is the first 10 bytes of a longer buffer */
    assert_int_equal(ip_parse_date("2024-06-15;110", 10, &d), 0);
    assert_int_equal(d, 20240615);
    assert_int_equal(ip_parse_date("2024-06-15", 9, &d), -1);
}

static void test_parse_datetime_accepts_both_forms(void **state)
{
    static const struct { const char *s; ip_date d; } ok[] = {
        {"2023-08-01T08:03:12", 20230801}, {"2023-08-01 08:03:12", 20230801},
        {"2023-08-01T08:03", 20230801},    {"2023-08-01 23:59", 20230801},
        {"2023-08-01", 20230801},          {"  2023-08-01T00:00:00  ", 20230801},
        {"\t2024-02-29 12:00\t", 20240229}, {"2023-12-31T23:59:60", 20231231},
        {"2023-12-31T00:00:00", 20231231},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        ip_date d = 0;
        if (datetime(ok[i].s, &d) != 0)
            fail_msg("rejected '%s'", ok[i].s);
        assert_int_equal(d, ok[i].d);
    }
}

static void test_parse_datetime_rejects_bad_times(void **state)
{
    static const char *const bad[] = {
        "2023-08-01T24:00", "2023-08-01T12:60", "2023-08-01T12:00:61",
        "2023-08-01T1:00", "2023-08-01T12:0", "2023-08-01T12", "2023-08-01T",
        "2023-08-01T12:00:00Z", "2023-08-01T12:00:00.5", "2023-08-01T12:00+01:00",
        "2023-08-01X12:00", "2023-08-01  12:00", "2023-08-01T12-00",
        "2023-08-01T12:00:", "2023-08-01T12:00:0", "2023-02-29T12:00",
        "2023-08-01Taa:00", "2023-08-01T12:bb", "2023-08-01T12:00:cc", "",
        "   ", "2023-08-01 T12:00", "2023-08-01T12:00 :00",
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ip_date d;
        if (datetime(bad[i], &d) != -1)
            fail_msg("accepted '%s'", bad[i]);
    }
}

static void test_parse_uint_accepts_digits_and_spaces(void **state)
{
    static const struct { const char *s; int64_t v; } ok[] = {
        {"0", 0}, {"42", 42}, {"  42  ", 42}, {"\t7\t", 7}, {"007", 7},
        {"1000000000000000", IP_INT_MAX},
        {"0000000000000000000000000000001", 1}, /* zeros do not overflow */
        {"999999999999999", IP_INT_MAX - 1},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int64_t v = -1;
        if (uint_(ok[i].s, &v) != 0)
            fail_msg("rejected '%s'", ok[i].s);
        assert_int_equal(v, ok[i].v);
    }
}

static void test_parse_uint_rejects_the_rest(void **state)
{
    static const char *const bad[] = {
        "", " ", "\t", "-1", "+1", "1 000", "1,000", "1.0", "1e3", "0x10", "12a",
        "a12", "1000000000000001", "9999999999999999", "99999999999999999999",
        "18446744073709551616", "184467440737095516160000", "1\n", ("\xC2\xA0" "1"),
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t v = 77;
        if (uint_(bad[i], &v) != -1)
            fail_msg("accepted '%s'", bad[i]);
        assert_int_equal(v, 77);
    }
}

static void test_parse_uint_reads_only_n_bytes(void **state)
{
    int64_t v;
    (void)state;
    assert_int_equal(ip_parse_uint("123;456", 3, &v), 0);
    assert_int_equal(v, 123);
    assert_int_equal(ip_parse_uint("123", 0, &v), -1);
}

static void test_parse_orgnr_checks_luhn(void **state)
{
    char out[11];
    (void)state;
    assert_int_equal(orgnr("212000-0142", out), 0); /* Stockholms stad */
    assert_string_equal(out, "2120000142");
    assert_int_equal(orgnr("2120000142", out), 0);
    assert_string_equal(out, "2120000142");
    assert_int_equal(orgnr("5560360793", out), 0);
    assert_string_equal(out, "5560360793");
    assert_int_equal(orgnr("556036-0793", out), 0);
    assert_int_equal(orgnr("802002-4280", out), 0);
    assert_int_equal(orgnr("0000000000", out), 0);
    /* every wrong check digit is caught */
    assert_int_equal(orgnr("212000-0141", out), -2);
    assert_int_equal(orgnr("212000-0143", out), -2);
    assert_int_equal(orgnr("5560360790", out), -2);
    assert_int_equal(orgnr("2120000124", out), -2); /* swapped digits */
}

static void test_parse_orgnr_rejects_bad_shapes(void **state)
{
    static const char *const bad[] = {
        "", "212000-014", "212000-01420", "21200-00142", "2120000-142", "212000+0142",
        "212000 0142", " 212000-0142", "212000-0142 ", "21200001420", "212000014",
        "SE212000014201", "21200a-0142", "212000-01x2", "16212000-0142",
    };
    size_t i;
    char out[11];
    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (orgnr(bad[i], out) != -1)
            fail_msg("accepted the shape of '%s'", bad[i]);
}

/* Walking day by day through 1900..2999 agrees with ip_days_in_month and
 * with ip_parse_date, and add_days is its own inverse. */
static void test_parse_calendar_walk(void **state)
{
    ip_date d = 19000101;
    long n = 0;
    (void)state;
    while (d <= 29991231) {
        char buf[11];
        ip_date back;
        ip_date next = ip_date_add_days(d, 1);
        assert_int_equal(ip_parse_date(ip_date_str(d, buf), 10, &back), 0);
        assert_int_equal(back, d);
        if (ip_date_day(d) == ip_days_in_month(ip_date_year(d), ip_date_month(d)))
            assert_int_equal(ip_date_day(next), 1);
        else
            assert_int_equal(next, d + 1);
        assert_int_equal(ip_date_add_days(next, -1), d);
        d = next;
        n++;
    }
    assert_int_equal(n, 401767); /* 1100 years, 267 of them leap years */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_date_accepts_calendar_dates),
        cmocka_unit_test(test_parse_date_rejects_non_dates),
        cmocka_unit_test(test_parse_date_reads_only_n_bytes),
        cmocka_unit_test(test_parse_datetime_accepts_both_forms),
        cmocka_unit_test(test_parse_datetime_rejects_bad_times),
        cmocka_unit_test(test_parse_uint_accepts_digits_and_spaces),
        cmocka_unit_test(test_parse_uint_rejects_the_rest),
        cmocka_unit_test(test_parse_uint_reads_only_n_bytes),
        cmocka_unit_test(test_parse_orgnr_checks_luhn),
        cmocka_unit_test(test_parse_orgnr_rejects_bad_shapes),
        cmocka_unit_test(test_parse_calendar_walk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
