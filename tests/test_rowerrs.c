/*
 * test_rowerrs.c — the list of bad rows: the first error as the message,
 * at most ten more listed, the total when there is more than one (1, 2, 11,
 * 12 and 100 errors); a reading stopped by a record error, first or after
 * rows; long lines never crowd out the total.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rowerrs.h"
#include "util.h"

/* The list of n bad rows on lines 2, 3, ...: what the diag holds. */
static ip_err list_of(size_t n, ip_diag *d)
{
    ip_rowerrs re;
    size_t i;
    ip_diag_clear(d);
    ip_rowerrs_init(&re, d, "in/calls.csv");
    for (i = 0; i < n; i++)
        ip_rowerrs_add(&re, IP_ERR_DATA, (long)i + 2, "expected a date, found 'x%zu'", i);
    return ip_rowerrs_finish(&re);
}

/* What the extra lines must be for n bad rows. */
static char *expected_extra(size_t n)
{
    ip_buf b;
    size_t i;
    ip_buf_init(&b);
    for (i = 1; i < n && i <= 10; i++)
        ip_buf_addf(&b, "%sin/calls.csv:%zu: expected a date, found 'x%zu'", i > 1 ? "\n" : "",
                    i + 2, i);
    if (n > 1)
        ip_buf_addf(&b, "\n%zu rows with errors in all", n);
    return ip_buf_detach(&b);
}

static void test_rowerrs_lists_ten_after_the_first(void **state)
{
    static const size_t counts[] = {1, 2, 11, 12, 100};
    size_t k;
    (void)state;
    for (k = 0; k < IP_ARRAY_LEN(counts); k++) {
        ip_diag d;
        char line[IP_DIAG_MSG + 600], *want = expected_extra(counts[k]);
        assert_int_equal(list_of(counts[k], &d), IP_ERR_DATA);
        ip_diag_format(&d, line, sizeof line);
        assert_string_equal(line, "in/calls.csv:2: expected a date, found 'x0'");
        assert_string_equal(d.extra, want);
        free(want);
    }
}

static void test_rowerrs_exact_texts(void **state)
{
    ip_diag d;
    (void)state;
    list_of(2, &d);
    assert_string_equal(d.extra, "in/calls.csv:3: expected a date, found 'x1'\n"
                                 "2 rows with errors in all");
    list_of(12, &d);
    assert_non_null(strstr(d.extra, "in/calls.csv:12: expected a date, found 'x10'\n"
                                    "12 rows with errors in all"));
    assert_null(strstr(d.extra, "found 'x11'"));
    list_of(1, &d);
    assert_string_equal(d.extra, "");
}

static void test_rowerrs_empty_is_ok(void **state)
{
    ip_diag d;
    (void)state;
    assert_int_equal(list_of(0, &d), IP_OK);
    assert_int_equal(d.code, IP_OK);
    assert_string_equal(d.msg, "");
    assert_string_equal(d.extra, "");
}

/* The error that ends the reading: the whole diag when it is first (its
 * code, its extra lines), a listed row after others. */
static void test_rowerrs_stop(void **state)
{
    ip_diag d, stop;
    ip_rowerrs re;
    size_t i;
    (void)state;
    ip_diag_set(&stop, IP_ERR_DATA, "in/calls.csv", 9, "expected 3 fields as in the header, "
                                                       "found 4");
    ip_diag_add(&stop, "a note of the reader");

    ip_diag_clear(&d);
    ip_rowerrs_init(&re, &d, "in/calls.csv");
    ip_rowerrs_stop(&re, &stop);
    assert_int_equal(ip_rowerrs_finish(&re), IP_ERR_DATA);
    assert_int_equal(d.line, 9);
    assert_string_equal(d.msg, stop.msg);
    assert_string_equal(d.extra, "a note of the reader");

    ip_diag_clear(&d);
    ip_rowerrs_init(&re, &d, "in/calls.csv");
    ip_rowerrs_add(&re, IP_ERR_UNALLOCATABLE, 4, "first");
    ip_rowerrs_stop(&re, &stop);
    assert_int_equal(ip_rowerrs_finish(&re), IP_ERR_UNALLOCATABLE); /* the first's code */
    assert_string_equal(d.msg, "first");
    assert_string_equal(d.extra, "in/calls.csv:9: expected 3 fields as in the header, found 4 "
                                 "(reading stopped there)\n"
                                 "2 rows with errors in all");

    /* after ten listed it is counted, not listed */
    ip_diag_clear(&d);
    ip_rowerrs_init(&re, &d, "in/calls.csv");
    for (i = 0; i < 11; i++)
        ip_rowerrs_add(&re, IP_ERR_DATA, (long)i + 2, "row %zu", i);
    ip_rowerrs_stop(&re, &stop);
    ip_rowerrs_finish(&re);
    assert_null(strstr(d.extra, "reading stopped"));
    assert_non_null(strstr(d.extra, "in/calls.csv:12: row 10\n12 rows with errors in all"));
}

/* Lines too long for the extra text: those that do not fit are left out
 * whole, and the total is always there. */
static void test_rowerrs_long_lines_keep_the_total(void **state)
{
    char big[900];
    ip_diag d;
    ip_rowerrs re;
    size_t i;
    (void)state;
    memset(big, 'y', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    ip_diag_clear(&d);
    ip_rowerrs_init(&re, &d, "in/calls.csv");
    for (i = 0; i < 8; i++)
        ip_rowerrs_add(&re, IP_ERR_DATA, (long)i + 2, "found '%s'", big);
    ip_rowerrs_add(&re, IP_ERR_DATA, 10, "short");
    assert_int_equal(ip_rowerrs_finish(&re), IP_ERR_DATA);
    assert_true(strlen(d.extra) < sizeof d.extra - 1);
    assert_non_null(strstr(d.extra, "in/calls.csv:3: found 'yyy"));
    assert_non_null(strstr(d.extra, "in/calls.csv:4: found 'yyy"));
    assert_null(strstr(d.extra, "in/calls.csv:5:"));
    assert_non_null(strstr(d.extra, "\nin/calls.csv:10: short\n9 rows with errors in all"));
    {
        /* every listed line is whole */
        const char *p = d.extra;
        while ((p = strstr(p, "found '")) != NULL) {
            p += 7;
            assert_true(strncmp(p + sizeof big - 1, "'", 1) == 0);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rowerrs_lists_ten_after_the_first),
        cmocka_unit_test(test_rowerrs_exact_texts),
        cmocka_unit_test(test_rowerrs_empty_is_ok),
        cmocka_unit_test(test_rowerrs_stop),
        cmocka_unit_test(test_rowerrs_long_lines_keep_the_total),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
