/*
 * test_money.c — the integer amounts of money.h: the strict parser and the
 * formats round-trip (and refuse every other shape), digits group in threes
 * the same way everywhere, VAT rounds half up without overflow at the int64
 * limits, the period split sums exactly on thousands of random fees, rounded
 * division and fractions round halves away from zero, and checked sums
 * report overflow.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "money.h"

/* --- parse and format öre ------------------------------------------------ */

static void test_money_amounts_format_and_parse(void **state)
{
    char buf[32];
    int64_t v;
    (void)state;
    assert_string_equal(ip_money_fmt(15524900, buf), "155249.00");
    assert_string_equal(ip_money_fmt(-1020450, buf), "-10204.50");
    assert_string_equal(ip_money_fmt(7, buf), "0.07");
    assert_int_equal(ip_money_parse("155249.00", 9, &v), 0);
    assert_int_equal(v, 15524900);
    assert_int_equal(ip_money_parse("-0.07", 5, &v), 0);
    assert_int_equal(v, -7);
    assert_int_equal(ip_money_parse("1.5", 3, &v), -1);
    assert_int_equal(ip_money_parse("1,50", 4, &v), -1);
    assert_int_equal(ip_money_parse(".50", 3, &v), -1);
    assert_int_equal(ip_money_parse("1.500", 5, &v), -1);
    assert_int_equal(ip_money_parse(" 1.50", 5, &v), -1);
    assert_int_equal(ip_money_parse("1234567890123456.00", 19, &v), -1);
}

/* Every shape but "-?D{1,15}.DD" is refused, and *ore is left alone. */
static void test_money_parse_is_strict(void **state)
{
    static const char *bad[] = {
        "", "-", ".", "-.00", "1", "1.", "1.0", "1.000", "+1.00", "1.00 ", " 1.00",
        "1 000.00", "1,000.00", "1e3.00", "--1.00", "1.-0", "1.0a", "0x1.00", "1..00",
        "1234567890123456.00", "-1234567890123456.00", "١.00",
    };
    size_t i;
    int64_t v = 42;
    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (ip_money_parse(bad[i], strlen(bad[i]), &v) != -1 || v != 42)
            fail_msg("accepted '%s'", bad[i]);
    /* the limits: 15 integer digits either sign, leading zeros, zero */
    assert_int_equal(ip_money_parse("999999999999999.99", 18, &v), 0);
    assert_int_equal(v, INT64_C(99999999999999999));
    assert_int_equal(ip_money_parse("-999999999999999.99", 19, &v), 0);
    assert_int_equal(v, -INT64_C(99999999999999999));
    assert_int_equal(ip_money_parse("000000000000001.00", 18, &v), 0);
    assert_int_equal(v, 100);
    assert_int_equal(ip_money_parse("0.00", 4, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(ip_money_parse("-0.00", 5, &v), 0);
    assert_int_equal(v, 0);
    /* reads only n bytes: "12.34" inside a longer text */
    assert_int_equal(ip_money_parse("12.345", 5, &v), 0);
    assert_int_equal(v, 1234);
    assert_int_equal(ip_money_parse("12.34", 4, &v), -1);
}

/* ip_money_fmt at the int64 limits, and the round trip wherever the parser
 * reaches (|v| < 10^17). */
static void test_money_fmt_limits_and_round_trip(void **state)
{
    static const int64_t round[] = {
        0, 1, -1, 9, 10, 99, 100, -100, 101, 12345, -12345, INT64_C(99999999999999999),
        -INT64_C(99999999999999999), INT64_C(100000000000000), INT64_C(1000000000000) * 100,
    };
    char buf[32];
    size_t i;
    int64_t v;
    (void)state;
    assert_string_equal(ip_money_fmt(0, buf), "0.00");
    assert_string_equal(ip_money_fmt(-7, buf), "-0.07");
    assert_string_equal(ip_money_fmt(INT64_MAX, buf), "92233720368547758.07");
    assert_string_equal(ip_money_fmt(INT64_MIN, buf), "-92233720368547758.08");
    for (i = 0; i < sizeof round / sizeof round[0]; i++) {
        ip_money_fmt(round[i], buf);
        assert_int_equal(ip_money_parse(buf, strlen(buf), &v), 0);
        assert_int_equal(v, round[i]);
    }
    /* past 15 integer digits the parser refuses what the formatter writes */
    ip_money_fmt(INT64_C(100000000000000000), buf);
    assert_string_equal(buf, "1000000000000000.00");
    assert_int_equal(ip_money_parse(buf, strlen(buf), &v), -1);
}

static void test_money_fmt_sv(void **state)
{
    char buf[40];
    (void)state;
    assert_string_equal(ip_money_fmt_sv(15524950, buf, sizeof buf), "155 249,50");
    assert_string_equal(ip_money_fmt_sv(0, buf, sizeof buf), "0,00");
    assert_string_equal(ip_money_fmt_sv(7, buf, sizeof buf), "0,07");
    assert_string_equal(ip_money_fmt_sv(100000, buf, sizeof buf), "1 000,00");
    assert_string_equal(ip_money_fmt_sv(99999, buf, sizeof buf), "999,99");
    assert_string_equal(ip_money_fmt_sv(-1207, buf, sizeof buf), "-12,07");
    assert_string_equal(ip_money_fmt_sv(-123456789, buf, sizeof buf), "-1 234 567,89");
    assert_string_equal(ip_money_fmt_sv(INT64_MAX, buf, sizeof buf),
                        "92 233 720 368 547 758,07");
    assert_string_equal(ip_money_fmt_sv(INT64_MIN, buf, sizeof buf),
                        "-92 233 720 368 547 758,08");
}

/* --- whole numbers and fractions ---------------------------------------- */

static void test_money_thousands(void **state)
{
    static const struct { int64_t v; const char *s; } cases[] = {
        {0, "0"}, {7, "7"}, {999, "999"}, {1000, "1 000"}, {-1000, "-1 000"},
        {12345, "12 345"}, {123456, "123 456"}, {1234567, "1 234 567"}, {-999, "-999"},
        {-1234567, "-1 234 567"}, {INT64_MAX, "9 223 372 036 854 775 807"},
        {INT64_MIN, "-9 223 372 036 854 775 808"},
    };
    char buf[32];
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_string_equal(ip_money_fmt_thousands(cases[i].v, buf, sizeof buf), cases[i].s);
    /* 27 bytes hold INT64_MIN; a shorter buffer gets a cut, terminated text */
    assert_string_equal(ip_money_fmt_thousands(INT64_MIN, buf, 27), "-9 223 372 036 854 775 808");
    assert_string_equal(ip_money_fmt_thousands(1234567, buf, 6), "1 234");
    assert_string_equal(ip_money_fmt_thousands(-5, buf, 2), "-");
    assert_string_equal(ip_money_fmt_thousands(5, buf, 1), "");
    assert_string_equal(ip_money_fmt_thousands(5, buf, 0), ""); /* untouched: buf still "" */

    assert_string_equal(ip_money_fmt_signed(1234, buf, sizeof buf), "+1 234");
    assert_string_equal(ip_money_fmt_signed(-1234, buf, sizeof buf), "-1 234");
    assert_string_equal(ip_money_fmt_signed(0, buf, sizeof buf), "0");
    assert_string_equal(ip_money_fmt_signed(INT64_MAX, buf, sizeof buf),
                        "+9 223 372 036 854 775 807");
    assert_string_equal(ip_money_fmt_signed(INT64_MIN, buf, sizeof buf),
                        "-9 223 372 036 854 775 808");
}

/* The 128-bit forms print what no int64_t holds, grouped and signed the
 * same way, the extremes included. */
static void test_money_wide_formats(void **state)
{
    const ip_i128 e20 = (ip_i128)100000000000 * 1000000000; /* 10^20 */
    const ip_i128 max = (ip_i128)(((unsigned __int128)1 << 127) - 1), min = -max - 1;
    char buf[56];
    (void)state;
    assert_string_equal(ip_money_fmt_wide(0, buf, sizeof buf), "0");
    assert_string_equal(ip_money_fmt_wide(-1234, buf, sizeof buf), "-1 234");
    assert_string_equal(ip_money_fmt_wide(INT64_MIN, buf, sizeof buf),
                        "-9 223 372 036 854 775 808");
    assert_string_equal(ip_money_fmt_wide((ip_i128)INT64_MAX + 1, buf, sizeof buf),
                        "9 223 372 036 854 775 808");
    assert_string_equal(ip_money_fmt_wide(e20, buf, sizeof buf), "100 000 000 000 000 000 000");
    assert_string_equal(ip_money_fmt_wide(max, buf, sizeof buf),
                        "170 141 183 460 469 231 731 687 303 715 884 105 727");
    assert_string_equal(ip_money_fmt_wide(min, buf, sizeof buf),
                        "-170 141 183 460 469 231 731 687 303 715 884 105 728");
    assert_string_equal(ip_money_fmt_wide_signed(e20, buf, sizeof buf),
                        "+100 000 000 000 000 000 000");
    assert_string_equal(ip_money_fmt_wide_signed(-e20, buf, sizeof buf),
                        "-100 000 000 000 000 000 000");
    assert_string_equal(ip_money_fmt_wide_signed(0, buf, sizeof buf), "0");
    assert_string_equal(ip_money_fmt_wide_signed(min, buf, sizeof buf),
                        "-170 141 183 460 469 231 731 687 303 715 884 105 728");
    assert_string_equal(ip_money_fmt_wide(1234567, buf, 6), "1 234");
}

static void test_money_div_round_halves_away_from_zero(void **state)
{
    (void)state;
    assert_true(ip_money_div_round(5, 2) == 3);
    assert_true(ip_money_div_round(-5, 2) == -3);
    assert_true(ip_money_div_round(5, -2) == -3);
    assert_true(ip_money_div_round(-5, -2) == 3);
    assert_true(ip_money_div_round(7, 3) == 2);
    assert_true(ip_money_div_round(8, 3) == 3);
    assert_true(ip_money_div_round(-7, 3) == -2);
    assert_true(ip_money_div_round(-8, 3) == -3);
    assert_true(ip_money_div_round(0, 7) == 0);
    assert_true(ip_money_div_round(1, 3) == 0);
    assert_true(ip_money_div_round(-1, 3) == 0);
    assert_true(ip_money_div_round(6, 3) == 2);
    /* the workbook's equal part: F * p / N with F = 10^12 kr, p = 100 */
    assert_true(ip_money_div_round((ip_i128)1000000000000 * 100, 3) == 33333333333333);
    /* past 64 bits: the allocation's products reach 10^35 */
    {
        ip_i128 m = (ip_i128)INT64_MAX * 1000, e35 = (ip_i128)INT64_C(100000000000000000) *
                                                      INT64_C(1000000000000000000);
        assert_true(ip_money_div_round(m + 499, 1000) == INT64_MAX);
        assert_true(ip_money_div_round(m + 500, 1000) == (ip_i128)INT64_MAX + 1);
        assert_true(ip_money_div_round(-(m + 499), 1000) == -(ip_i128)INT64_MAX);
        assert_true(ip_money_div_round(-(m + 500), 1000) == -(ip_i128)INT64_MAX - 1);
        assert_true(ip_money_div_round(e35 + 1, INT64_C(1000000000000000000)) ==
                    INT64_C(100000000000000000));
    }
    /* against floor(x + 1/2) for num >= 0 */
    {
        int64_t n, dd;
        for (dd = 1; dd < 50; dd++)
            for (n = 0; n < 500; n++)
                assert_true(ip_money_div_round(n, dd) == (2 * n + dd) / (2 * dd));
    }
}

static void test_money_frac_formats(void **state)
{
    char buf[64];
    (void)state;
    assert_string_equal(ip_money_fmt_frac(15524947, 100, 2, buf, sizeof buf), "155249.47");
    assert_string_equal(ip_money_fmt_frac(1, 3, 2, buf, sizeof buf), "0.33");
    assert_string_equal(ip_money_fmt_frac(2, 3, 2, buf, sizeof buf), "0.67");
    assert_string_equal(ip_money_fmt_frac(-2, 3, 2, buf, sizeof buf), "-0.67");
    assert_string_equal(ip_money_fmt_frac(2, -3, 2, buf, sizeof buf), "-0.67");
    assert_string_equal(ip_money_fmt_frac(-2, -3, 2, buf, sizeof buf), "0.67");
    assert_string_equal(ip_money_fmt_frac(0, 5, 2, buf, sizeof buf), "0.00");
    assert_string_equal(ip_money_fmt_frac(-1, 1000, 2, buf, sizeof buf), "-0.00");
    assert_string_equal(ip_money_fmt_frac(5, 1, 0, buf, sizeof buf), "5");
    assert_string_equal(ip_money_fmt_frac(999, 1000, 2, buf, sizeof buf), "1.00");
    assert_string_equal(ip_money_fmt_frac(1, 7, 6, buf, sizeof buf), "0.142857");
    /* 240 000 kr × 8 286 / 33 437 = 59 474.2351… */
    assert_string_equal(ip_money_fmt_frac((ip_i128)240000 * 8286, 33437, 2, buf, sizeof buf),
                        "59474.24");
    assert_string_equal(ip_money_fmt_frac((ip_i128)INT64_MAX * 100, 100, 2, buf, sizeof buf),
                        "9223372036854775807.00");

    assert_string_equal(ip_money_fmt_frac_thousands(15524947, 100, 2, buf, sizeof buf),
                        "155 249.47");
    assert_string_equal(ip_money_fmt_frac_thousands(-15524947, 100, 2, buf, sizeof buf),
                        "-155 249.47");
    assert_string_equal(ip_money_fmt_frac_thousands(99999, 100, 2, buf, sizeof buf), "999.99");
    assert_string_equal(ip_money_fmt_frac_thousands(100000, 100, 2, buf, sizeof buf),
                        "1 000.00");
    assert_string_equal(ip_money_fmt_frac_thousands(1234567, 1, 0, buf, sizeof buf),
                        "1 234 567");
    assert_string_equal(ip_money_fmt_frac_thousands(-1, 3, 2, buf, sizeof buf), "-0.33");

    /* the Swedish notation of the texts people read: no negative zero */
    assert_string_equal(ip_money_fmt_frac_sv(15524947, 100, 2, buf, sizeof buf), "155 249,47");
    assert_string_equal(ip_money_fmt_frac_sv(-123450, 100, 2, buf, sizeof buf), "-1 234,50");
    assert_string_equal(ip_money_fmt_frac_sv(6469, 100, 2, buf, sizeof buf), "64,69");
    assert_string_equal(ip_money_fmt_frac_sv(-1, 1000, 2, buf, sizeof buf), "0,00");
    assert_string_equal(ip_money_fmt_frac_sv(-1, 1400000, 1, buf, sizeof buf), "0,0");
    assert_string_equal(ip_money_fmt_frac_sv(-1, 3, 0, buf, sizeof buf), "0");
    assert_string_equal(ip_money_fmt_frac_sv(-2, 3, 0, buf, sizeof buf), "-1");
    assert_string_equal(ip_money_fmt_frac_sv(240000, 1, 0, buf, sizeof buf), "240 000");
    /* a cut integer part gets no decimals after it */
    assert_string_equal(ip_money_fmt_frac_thousands(15524947, 100, 2, buf, 6), "155 2");
    assert_string_equal(ip_money_fmt_frac_thousands(15524947, 100, 2, buf, 9), "155 249.");
    assert_string_equal(ip_money_fmt_sv(15524950, buf, 8), "155 249");
}

static void test_money_frac_rounds_half_up(void **state)
{
    char buf[64];
    (void)state;
    assert_string_equal(ip_money_fmt_frac(1, 8, 2, buf, sizeof buf), "0.13");
    assert_string_equal(ip_money_fmt_frac(1, 200, 2, buf, sizeof buf), "0.01");
    assert_string_equal(ip_money_fmt_frac(7, 2, 0, buf, sizeof buf), "4");
    assert_string_equal(ip_money_fmt_frac(-1, 4, 1, buf, sizeof buf), "-0.3");
}

/* --- arithmetic ---------------------------------------------------------- */

static void test_money_add_reports_overflow(void **state)
{
    int64_t v;
    (void)state;
    assert_int_equal(ip_money_add(1, 2, &v), 0);
    assert_int_equal(v, 3);
    assert_int_equal(ip_money_add(-5, 3, &v), 0);
    assert_int_equal(v, -2);
    assert_int_equal(ip_money_add(INT64_MAX, 0, &v), 0);
    assert_int_equal(v, INT64_MAX);
    assert_int_equal(ip_money_add(INT64_MAX - 1, 1, &v), 0);
    assert_int_equal(v, INT64_MAX);
    assert_int_equal(ip_money_add(INT64_MIN, 0, &v), 0);
    assert_int_equal(v, INT64_MIN);
    assert_int_equal(ip_money_add(INT64_MAX, INT64_MIN, &v), 0);
    assert_int_equal(v, -1);
    assert_int_equal(ip_money_add(INT64_MAX, 1, &v), -1);
    assert_int_equal(ip_money_add(1, INT64_MAX, &v), -1);
    assert_int_equal(ip_money_add(INT64_MIN, -1, &v), -1);
    assert_int_equal(ip_money_add(INT64_MAX, INT64_MAX, &v), -1);
    assert_int_equal(ip_money_add(INT64_MIN, INT64_MIN, &v), -1);
    /* the register's worst case: 93 amounts of 10^17 - 1 öre do not fit */
    {
        int64_t sum = 0;
        int i, over = 0;
        for (i = 0; i < 93 && !over; i++)
            over = ip_money_add(sum, INT64_C(99999999999999999), &sum) != 0;
        assert_int_equal(over, 1);
        assert_int_equal(i, 93);
    }
}

static void test_money_vat_rounds_half_up(void **state)
{
    int64_t net;
    static const int rates[] = {6, 12, 25};
    size_t k;
    (void)state;
    assert_int_equal(ip_money_vat(0, 25), 0);
    assert_int_equal(ip_money_vat(1, 25), 0);   /* 0.25 öre */
    assert_int_equal(ip_money_vat(2, 25), 1);   /* 0.5 öre: up */
    assert_int_equal(ip_money_vat(3, 25), 1);   /* 0.75 öre */
    assert_int_equal(ip_money_vat(6, 25), 2);   /* 1.5 öre: up */
    assert_int_equal(ip_money_vat(10, 25), 3);  /* 2.5 öre: up */
    assert_int_equal(ip_money_vat(133334, 25), 33334); /* 33 333.5 öre */
    assert_int_equal(ip_money_vat(133333, 25), 33333); /* 33 333.25 öre */
    assert_int_equal(ip_money_vat(4, 12), 0);   /* 0.48 */
    assert_int_equal(ip_money_vat(5, 12), 1);   /* 0.6 */
    assert_int_equal(ip_money_vat(25, 6), 2);   /* 1.5: up */
    assert_int_equal(ip_money_vat(24000000, 25), 6000000);
    /* XPath round() for negatives: floor(x + 0.5) */
    assert_int_equal(ip_money_vat(-2, 25), 0);  /* -0.5 → 0 */
    assert_int_equal(ip_money_vat(-3, 25), -1); /* -0.75 → -1 */
    assert_int_equal(ip_money_vat(-6, 25), -1); /* -1.5 → -1 */
    /* no overflow at the largest amounts: 10^15 kr = 10^17 öre at 100 % */
    assert_int_equal(ip_money_vat(INT64_C(100000000000000000), 25),
                     INT64_C(25000000000000000));
    assert_int_equal(ip_money_vat(INT64_C(100000000000000001), 100),
                     INT64_C(100000000000000001));
    assert_int_equal(ip_money_vat(INT64_MAX, 100), INT64_MAX);
    /* against the plain formula where it cannot overflow */
    for (k = 0; k < sizeof rates / sizeof rates[0]; k++)
        for (net = 0; net < 200000; net++)
            assert_int_equal(ip_money_vat(net, rates[k]), (net * rates[k] + 50) / 100);
}

/* VAT at the edges: 0 % and 100 %, negative amounts, the int64 limits. */
static void test_money_vat_edges(void **state)
{
    int64_t net;
    (void)state;
    assert_int_equal(ip_money_vat(15524900, 0), 0);
    assert_int_equal(ip_money_vat(-15524900, 0), 0);
    assert_int_equal(ip_money_vat(15524900, 100), 15524900);
    assert_int_equal(ip_money_vat(-15524900, 100), -15524900);
    assert_int_equal(ip_money_vat(15524900, 25), 3881225);
    assert_int_equal(ip_money_vat(-15524900, 25), -3881225);
    assert_int_equal(ip_money_vat(INT64_MIN, 100), INT64_MIN);
    assert_int_equal(ip_money_vat(INT64_MIN, 0), 0);
    assert_int_equal(ip_money_vat(INT64_MAX, 0), 0);
    /* INT64_MAX * 25 / 100 = 2305843009213693951.75 → ...952 */
    assert_int_equal(ip_money_vat(INT64_MAX, 25), INT64_C(2305843009213693952));
    /* INT64_MIN * 25 / 100 = -2305843009213693952 exactly */
    assert_int_equal(ip_money_vat(INT64_MIN, 25), -INT64_C(2305843009213693952));
    /* against floor((net * p + 50) / 100) for negative nets too */
    for (net = -20000; net < 20000; net++) {
        int64_t x = net * 25 + 50;
        int64_t want = x >= 0 ? x / 100 : -((-x + 99) / 100);
        assert_int_equal(ip_money_vat(net, 25), want);
    }
}

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint64_t rng(void)
{
    /* xorshift64*: deterministic, so a failure is reproducible */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Du;
}

static void check_split(int64_t annual, int periods)
{
    int64_t sum = 0, base = annual / periods, rem = annual % periods;
    int p;
    for (p = 0; p < periods; p++) {
        int64_t part = ip_money_period_part(annual, periods, p);
        /* floor(A / P) everywhere, one öre more in the last A mod P periods */
        assert_int_equal(part, base + (p >= periods - rem ? 1 : 0));
        if (p > 0)
            assert_true(part >= ip_money_period_part(annual, periods, p - 1));
        sum += part;
    }
    assert_int_equal(sum, annual);
}

static void test_money_split_sums_exactly_for_random_fees(void **state)
{
    static const int periods[] = {1, 4, 12};
    int i, k;
    (void)state;
    for (i = 0; i < 5000; i++) {
        /* whole kronor up to 10^12 (the tariff's bound) as öre, and odd
         * öre amounts too, so every remainder 0..P-1 occurs */
        int64_t kr = (int64_t)(rng() % 1000000000000u) + 1;
        int64_t ore = i % 2 ? kr * 100 : (int64_t)(rng() % 100000000000000u) + 1;
        for (k = 0; k < 3; k++)
            check_split(ore, periods[k]);
    }
    for (k = 0; k < 3; k++) {
        int64_t a;
        for (a = 1; a < 40; a++)
            check_split(a, periods[k]);
        check_split(INT64_C(100000000000000), periods[k]);
    }
}

static void test_money_split_remainder_goes_to_last_periods(void **state)
{
    int p;
    (void)state;
    /* 155 249 kr = 15 524 900 öre = 12 * 1 293 741 + 8: January to April get
     * 12 937.41 kr, May to December 12 937.42 kr */
    for (p = 0; p < 12; p++)
        assert_int_equal(ip_money_period_part(15524900, 12, p), p < 4 ? 1293741 : 1293742);
    /* 10 kr over quarters: 250.00 each, no remainder */
    for (p = 0; p < 4; p++)
        assert_int_equal(ip_money_period_part(1000, 4, p), 250);
    /* 1 kr and 3 öre over 4: 25, 26, 26, 26 */
    assert_int_equal(ip_money_period_part(103, 4, 0), 25);
    assert_int_equal(ip_money_period_part(103, 4, 1), 26);
    assert_int_equal(ip_money_period_part(103, 4, 3), 26);
    /* one period: the whole fee */
    assert_int_equal(ip_money_period_part(15524900, 1, 0), 15524900);
}

/* The split at the limits: zero, fewer öre than periods, the largest amount. */
static void test_money_split_edges(void **state)
{
    int p;
    (void)state;
    for (p = 0; p < 12; p++)
        assert_int_equal(ip_money_period_part(0, 12, p), 0);
    /* 5 öre over 12 months: nothing until August, then one öre each */
    for (p = 0; p < 12; p++)
        assert_int_equal(ip_money_period_part(5, 12, p), p >= 7 ? 1 : 0);
    check_split(INT64_MAX, 12);
    check_split(INT64_MAX, 4);
    check_split(INT64_MAX, 1);
    /* INT64_MAX = 12 * 768614336404564650 + 7 */
    assert_int_equal(ip_money_period_part(INT64_MAX, 12, 0), INT64_C(768614336404564650));
    assert_int_equal(ip_money_period_part(INT64_MAX, 12, 11), INT64_C(768614336404564651));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_money_amounts_format_and_parse),
        cmocka_unit_test(test_money_parse_is_strict),
        cmocka_unit_test(test_money_fmt_limits_and_round_trip),
        cmocka_unit_test(test_money_fmt_sv),
        cmocka_unit_test(test_money_thousands),
        cmocka_unit_test(test_money_wide_formats),
        cmocka_unit_test(test_money_div_round_halves_away_from_zero),
        cmocka_unit_test(test_money_frac_formats),
        cmocka_unit_test(test_money_frac_rounds_half_up),
        cmocka_unit_test(test_money_add_reports_overflow),
        cmocka_unit_test(test_money_vat_rounds_half_up),
        cmocka_unit_test(test_money_vat_edges),
        cmocka_unit_test(test_money_split_sums_exactly_for_random_fees),
        cmocka_unit_test(test_money_split_remainder_goes_to_last_periods),
        cmocka_unit_test(test_money_split_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
