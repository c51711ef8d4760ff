/*
 * test_date.c — the calendar arithmetic of date.h: leap years and month
 * lengths, day numbers against known dates (from Python's datetime, an
 * independent implementation), their inverse over every day of years
 * 0..9999, adding days across month and year ends, day and month counts,
 * and the epoch seconds the workbook's properties carry.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "date.h"

static void test_date_parts_round_trip(void **state)
{
    (void)state;
    assert_int_equal(ip_date_of(2024, 6, 15), 20240615);
    assert_int_equal(ip_date_of(1900, 1, 1), 19000101);
    assert_int_equal(ip_date_of(9999, 12, 31), 99991231);
    assert_int_equal(ip_date_year(20240615), 2024);
    assert_int_equal(ip_date_month(20240615), 6);
    assert_int_equal(ip_date_day(20240615), 15);
    assert_int_equal(ip_date_year(101), 0);
    assert_int_equal(ip_date_month(101), 1);
    assert_int_equal(ip_date_day(101), 1);
}

static void test_date_leap_years_follow_gregory(void **state)
{
    (void)state;
    assert_true(ip_is_leap_year(2024));
    assert_true(ip_is_leap_year(2000));
    assert_true(ip_is_leap_year(2400));
    assert_true(ip_is_leap_year(0));
    assert_false(ip_is_leap_year(2023));
    assert_false(ip_is_leap_year(1900));
    assert_false(ip_is_leap_year(2100));
    assert_false(ip_is_leap_year(2999));
}

static void test_date_days_in_month(void **state)
{
    static const int common[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int m;
    (void)state;
    for (m = 1; m <= 12; m++) {
        assert_int_equal(ip_days_in_month(2023, m), common[m - 1]);
        assert_int_equal(ip_days_in_month(2024, m), common[m - 1] + (m == 2));
    }
    assert_int_equal(ip_days_in_month(1900, 2), 28);
    assert_int_equal(ip_days_in_month(2000, 2), 29);
    assert_int_equal(ip_days_in_month(2100, 2), 28);
    assert_int_equal(ip_days_in_month(2023, 0), 0);
    assert_int_equal(ip_days_in_month(2023, 13), 0);
    assert_int_equal(ip_days_in_month(2023, -1), 0);
}

/* Day numbers of known dates: date(y, m, d).toordinal() - date(1970, 1,
 * 1).toordinal() in Python. */
static void test_date_days_of_known_dates(void **state)
{
    static const struct { ip_date d; int64_t days; } known[] = {
        {19700101, 0},         {19700102, 1},         {19691231, -1},
        {20000301, 11017},     {20250115, 20103},     {19000101, -25567},
        {29991231, 376199},    {21000301, 47541},     {20380119, 24855},
        {99991231, 2932896},   {10101, -719162},      {101, -719528},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (ip_date_days(known[i].d) != known[i].days)
            fail_msg("days of %d: %lld, expected %lld", (int)known[i].d,
                     (long long)ip_date_days(known[i].d), (long long)known[i].days);
        assert_int_equal(ip_date_from_days(known[i].days), known[i].d);
    }
}

/* Every day of years 0..9999: the day numbers count up by one, and the next
 * day's date, worked out with ip_days_in_month, is what ip_date_from_days
 * and ip_date_add_days give. */
static void test_date_days_walk_every_day(void **state)
{
    ip_date d = 101;
    int64_t z = ip_date_days(d), n = 0;
    (void)state;
    while (d < 99991231) {
        int y = ip_date_year(d), m = ip_date_month(d), day = ip_date_day(d);
        ip_date next;
        if (day < ip_days_in_month(y, m))
            next = ip_date_of(y, m, day + 1);
        else if (m < 12)
            next = ip_date_of(y, m + 1, 1);
        else
            next = ip_date_of(y + 1, 1, 1);
        z++;
        if (ip_date_days(next) != z || ip_date_from_days(z) != next)
            fail_msg("day %lld: %d", (long long)z, (int)next);
        if (ip_date_add_days(d, 1) != next || ip_date_add_days(next, -1) != d)
            fail_msg("add_days around %d", (int)next);
        d = next;
        n++;
    }
    /* 10 000 years: 2425 leap years (every 4th, not 100ths, but 400ths) */
    assert_int_equal(n + 1, 10000 * 365 + 2425);
}

static void test_date_add_days_across_ends(void **state)
{
    (void)state;
    assert_int_equal(ip_date_add_days(20250115, 30), 20250214);
    assert_int_equal(ip_date_add_days(20231231, 1), 20240101);
    assert_int_equal(ip_date_add_days(20240228, 1), 20240229);
    assert_int_equal(ip_date_add_days(20230228, 1), 20230301);
    assert_int_equal(ip_date_add_days(20240301, -1), 20240229);
    assert_int_equal(ip_date_add_days(20240101, -1), 20231231);
    assert_int_equal(ip_date_add_days(20240615, 0), 20240615);
    assert_int_equal(ip_date_add_days(20000101, 366), 20010101);
    assert_int_equal(ip_date_add_days(19000101, 365 * 100 + 24), 20000101);
    assert_int_equal(ip_date_add_days(20251231, 365), 20261231);
    assert_int_equal(ip_date_add_days(20241231, -366), 20231231);
    assert_int_equal(ip_date_add_days(21000228, 1), 21000301);
    assert_int_equal(ip_date_add_days(19700101, 2932896), 99991231);
}

static void test_date_days_between(void **state)
{
    (void)state;
    assert_int_equal(ip_date_days_between(20250115, 20250115), 0);
    assert_int_equal(ip_date_days_between(20250115, 20250214), 30);
    assert_int_equal(ip_date_days_between(20250214, 20250115), -30);
    assert_int_equal(ip_date_days_between(20231231, 20240101), 1);
    assert_int_equal(ip_date_days_between(20240101, 20250101), 366);
    assert_int_equal(ip_date_days_between(20230101, 20240101), 365);
    assert_int_equal(ip_date_days_between(20240201, 20240301), 29);
    assert_int_equal(ip_date_days_between(19000101, 20000101), 36524);
    assert_int_equal(ip_date_days_between(20000101, 21000101), 36525);
    assert_int_equal(ip_date_days_between(101, 99991231), 2932896 + 719528);
}

static void test_date_months(void **state)
{
    (void)state;
    assert_int_equal(ip_date_month_start(20240615), 20240601);
    assert_int_equal(ip_date_month_start(20241231), 20241201);
    assert_int_equal(ip_date_month_start(20240101), 20240101);

    assert_int_equal(ip_date_month_after(20241115, 0), 20241101);
    assert_int_equal(ip_date_month_after(20241115, 1), 20241201);
    assert_int_equal(ip_date_month_after(20241115, 2), 20250101);
    assert_int_equal(ip_date_month_after(20240131, 1), 20240201);
    assert_int_equal(ip_date_month_after(20240101, 13), 20250201);
    assert_int_equal(ip_date_month_after(20240101, -1), 20231201);
    assert_int_equal(ip_date_month_after(20240101, -12), 20230101);
    assert_int_equal(ip_date_month_after(20240101, -25), 20211201);
    assert_int_equal(ip_date_month_after(20241201, -11), 20240101);
    assert_int_equal(ip_date_month_after(101, 0), 101);
    assert_int_equal(ip_date_month_after(101, 11), 1201);

    assert_int_equal(ip_date_months_between(20240101, 20240131), 0);
    assert_int_equal(ip_date_months_between(20240131, 20240201), 1);
    assert_int_equal(ip_date_months_between(20240101, 20241231), 11);
    assert_int_equal(ip_date_months_between(20241215, 20250115), 1);
    assert_int_equal(ip_date_months_between(20250101, 20240101), -12);
    assert_int_equal(ip_date_months_between(20240601, 20240501), -1);
}

/* The workbook's creation time: the date at 00:00 UTC, what Python's
 * datetime(y, m, d, tzinfo=timezone.utc).timestamp() gives. */
static void test_date_epoch_is_utc_midnight(void **state)
{
    (void)state;
    assert_int_equal(ip_date_epoch(19700101), 0);
    assert_int_equal(ip_date_epoch(19691231), -86400);
    assert_int_equal(ip_date_epoch(20250115), 1736899200LL);
    assert_int_equal(ip_date_epoch(20240229), 1709164800LL);
    assert_int_equal(ip_date_epoch(20000301), 951868800LL);
    assert_int_equal(ip_date_epoch(20380119), 2147472000LL);  /* last midnight of 32-bit time_t */
    assert_int_equal(ip_date_epoch(29991231), 32503593600LL); /* past it: no wrap */
    assert_int_equal(ip_date_epoch(19000101), -2208988800LL);
}

static void test_date_str_has_fixed_width(void **state)
{
    char buf[11];
    (void)state;
    assert_string_equal(ip_date_str(20240615, buf), "2024-06-15");
    assert_string_equal(ip_date_str(19000101, buf), "1900-01-01");
    assert_string_equal(ip_date_str(99991231, buf), "9999-12-31");
    assert_string_equal(ip_date_str(101, buf), "0000-01-01");
    assert_string_equal(ip_date_str(0, buf), "0000-00-00");
    assert_string_equal(ip_date_str(-20240615, buf), "0000-00-00");
    assert_string_equal(ip_date_str(123456789, buf), "2345-67-89");
    assert_string_equal(ip_date_str(INT32_MAX, buf), "4748-36-47");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_date_parts_round_trip),
        cmocka_unit_test(test_date_leap_years_follow_gregory),
        cmocka_unit_test(test_date_days_in_month),
        cmocka_unit_test(test_date_days_of_known_dates),
        cmocka_unit_test(test_date_days_walk_every_day),
        cmocka_unit_test(test_date_add_days_across_ends),
        cmocka_unit_test(test_date_days_between),
        cmocka_unit_test(test_date_months),
        cmocka_unit_test(test_date_epoch_is_utc_midnight),
        cmocka_unit_test(test_date_str_has_fixed_width),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
