/*
 * test_basis.c — one pass over one statistics file (basis.h): several
 * services measured from one read, windows and snapshots, filters, the value
 * column, the months, the file's rows, size and SHA-256, and the errors a
 * file can give (bad rows, unknown customers on counted rows only, a second
 * reading on the snapshot date, no reading at all).
 *
 * The services are the sample tariff's (input/2025/tariff.xml: etjanst and
 * direkt from cases.csv with filters, vaxel from calls.csv, kcp a snapshot
 * of licences.csv on 2024-06-15), the customers the sample register's; the
 * statistics are small files written here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "basis.h"
#include "csv.h"
#include "digest.h"
#include "util.h"

typedef struct fixture {
    ip_tariff *t;
    ip_customers *c;
    char path[64]; /* the statistics file of a test */
} fixture;

static int setup(void **state)
{
    fixture *fx = ip_xcalloc(1, sizeof *fx);
    ip_diag d;
    int fd;
    ip_diag_clear(&d);
    if (ip_tariff_load("input/2025/tariff.xml", "tariff.xml", "templates/tariff.xsd", &fx->t,
                       &d) ||
        ip_customers_load("input/2025/customers.csv", "customers.csv", fx->t, &fx->c, &d)) {
        ip_diag_print(&d, stderr, NULL);
        return -1;
    }
    strcpy(fx->path, "/tmp/test_basis_XXXXXX");
    fd = mkstemp(fx->path);
    if (fd < 0)
        return -1;
    close(fd);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    unlink(fx->path);
    ip_customers_free(fx->c);
    ip_tariff_free(fx->t);
    free(fx);
    return 0;
}

static const ip_service *service(const fixture *fx, const char *id)
{
    size_t i;
    for (i = 0; i < fx->t->nservices; i++)
        if (strcmp(fx->t->services[i].id, id) == 0)
            return &fx->t->services[i];
    fail_msg("no service '%s' in the sample tariff", id);
    return NULL;
}

static size_t slot(const fixture *fx, uint32_t nr)
{
    long s = ip_customers_slot(fx->c, nr);
    assert_true(s >= 0);
    return (size_t)s;
}

static void put(const fixture *fx, const char *text)
{
    FILE *f = fopen(fx->path, "wb");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* Measures the services ids[0..n) from the fixture's file. */
static ip_err measure_with(const fixture *fx, const char *const *ids, size_t n, ip_basis *b,
                           const ip_basis_opts *o, ip_basis_file *file, ip_diag *d)
{
    size_t i;
    ip_diag_clear(d);
    for (i = 0; i < n; i++)
        ip_basis_init(&b[i], service(fx, ids[i]), ip_customers_count(fx->c));
    return ip_basis_measure(fx->path, fx->c, b, n, o, file, d);
}

static ip_err measure(const fixture *fx, const char *const *ids, size_t n, ip_basis *b,
                      ip_basis_file *file, ip_diag *d)
{
    return measure_with(fx, ids, n, b, NULL, file, d);
}

static void release(ip_basis *b, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        ip_basis_release(&b[i]);
}

static const char CASES[] =
    "case_id;date;customer;queue;kind;count\n"
    "1;2023-06-30;110;E-tjänstsupport;inkommande;5\n"   /* before the window */
    "2;2023-07-01;110;E-tjänstsupport;inkommande;2\n"   /* first day: etjanst */
    "3;2023-07-15;110;Stockholm Direkt;generell;3\n"    /* direkt */
    "4;2023-08-01T10:15;113; E-tjänstsupport ;inkommande; 4\n" /* blanks trimmed */
    "5;2023-08-02;113;E-tjänstsupport;utgående;7\n"     /* kind filtered out */
    "6;2024-06-30 23:59:59;113;Stockholm Direkt;inkommande;1\n" /* last day */
    "7;2024-07-01;113;Stockholm Direkt;inkommande;9\n"  /* after the window */
    "8;2024-01-10;999;IT-support;inkommande;1\n"        /* unknown, but counted by none */
    "9;2023-07-20;110;E-tjänstsupport;inkommande;0\n";  /* a count of 0 still counts as a row */

static void test_basis_one_pass_for_two_services(void **state)
{
    fixture *fx = *state;
    static const char *const ids[] = {"etjanst", "direkt"};
    ip_basis b[2];
    ip_basis_file file;
    ip_diag d;
    char hex[65];
    uint64_t bytes;
    const size_t s110 = slot(fx, 110), s113 = slot(fx, 113);
    size_t k;
    int64_t sum = 0;

    put(fx, CASES);
    assert_int_equal(measure(fx, ids, 2, b, &file, &d), IP_OK);
    assert_int_equal(file.rows, 9);
    assert_int_equal(file.bytes, strlen(CASES));
    assert_int_equal(ip_digest_file(fx->path, hex, &bytes), 0);
    assert_int_equal(bytes, strlen(CASES));
    assert_string_equal(file.sha256, hex);

    /* etjanst: rows 2, 4 and 9; row 1 and 7 outside, 3, 5, 6 and 8 filtered */
    assert_int_equal(b[0].raw[s110], 2);
    assert_int_equal(b[0].raw[s113], 4);
    assert_int_equal(b[0].rows_used, 3);
    assert_int_equal(b[0].rows_outside, 2);
    assert_int_equal(b[0].rows_filtered, 4);
    /* direkt: rows 3 and 6 */
    assert_int_equal(b[1].raw[s110], 3);
    assert_int_equal(b[1].raw[s113], 1);
    assert_int_equal(b[1].rows_used, 2);
    assert_int_equal(b[1].rows_outside, 2);
    assert_int_equal(b[1].rows_filtered, 5);
    for (k = 0; k < ip_customers_count(fx->c); k++)
        sum += b[0].raw[k] + b[1].raw[k];
    assert_int_equal(sum, 10);

    /* months: July 2023 to June 2024 */
    assert_int_equal(b[0].nmonths, 12);
    assert_int_equal(b[0].first_month, 20230701);
    assert_int_equal(b[0].monthly[s110 * 12 + 0], 2);
    assert_int_equal(b[0].monthly[s113 * 12 + 1], 4);
    assert_int_equal(b[1].monthly[s110 * 12 + 0], 3);
    assert_int_equal(b[1].monthly[s113 * 12 + 11], 1);
    release(b, 2);
    assert_null(b[0].raw);
    assert_null(b[0].monthly);
}

/* The switchboard's file has no filters: the short path of ordinary rows
 * takes it, and must count what the general code counts. */
static void test_basis_fast_and_portable_agree(void **state)
{
    fixture *fx = *state;
    static const char *const ids[] = {"vaxel"};
    static const unsigned others[] = {113, 115, 116};
    ip_buf text;
    ip_basis fast, portable;
    ip_basis_file f1, f2;
    ip_basis_opts o;
    ip_diag d;
    size_t i, n = ip_customers_count(fx->c);
    int64_t in_window;
    ip_buf_init(&text);
    ip_buf_adds(&text, "call_id;started_at;customer;duration_s\n");
    for (i = 0; i < 3000; i++)
        ip_buf_addf(&text, "%zu;2023-%02zu-%02zuT%02zu:%02zu:00;%u;%zu\n", i, 7 + i / 600,
                    1 + i % 600 / 25, i % 24, i % 60, i % 7 == 0 ? 110u : others[i % 3], i);
    put(fx, text.buf);
    assert_int_equal(measure(fx, ids, 1, &fast, &f1, &d), IP_OK);
    memset(&o, 0, sizeof o);
    o.csv.scan = IP_CSV_SCAN_PORTABLE;
    o.csv.buffer_size = 1000;
    assert_int_equal(measure_with(fx, ids, 1, &portable, &o, &f2, &d), IP_OK);
    assert_string_equal(f1.sha256, f2.sha256);
    assert_int_equal(f1.rows, 3000);
    assert_int_equal(fast.rows_used, portable.rows_used);
    assert_int_equal(fast.rows_outside, portable.rows_outside);
    /* July 2023 is before the window (from 2023-08-01): 600 rows outside */
    assert_int_equal(fast.rows_outside, 600);
    assert_int_equal(fast.rows_used, 2400);
    assert_memory_equal(fast.raw, portable.raw, n * sizeof *fast.raw);
    assert_memory_equal(fast.monthly, portable.monthly, n * fast.nmonths * sizeof *fast.monthly);
    for (i = 600, in_window = 0; i < 3000; i++)
        in_window += i % 7 == 0;
    assert_int_equal(fast.raw[slot(fx, 110)], in_window);
    ip_basis_release(&fast);
    ip_basis_release(&portable);
    ip_buf_release(&text);
}

static void test_basis_snapshot_takes_its_date(void **state)
{
    fixture *fx = *state;
    static const char *const ids[] = {"kcp"};
    ip_basis b;
    ip_basis_file file;
    ip_diag d;
    put(fx, "date;customer;licences\n"
            "2024-03-15;110;38\n"
            "2024-06-15;110;40\n"
            "2024-06-15;113;7\n"
            "2024-06-16;113;8\n");
    assert_int_equal(measure(fx, ids, 1, &b, &file, &d), IP_OK);
    assert_int_equal(b.raw[slot(fx, 110)], 40);
    assert_int_equal(b.raw[slot(fx, 113)], 7);
    assert_int_equal(b.rows_used, 2);
    assert_int_equal(b.rows_outside, 2);
    assert_int_equal(b.nmonths, 1);
    assert_int_equal(b.first_month, 20240601);
    ip_basis_release(&b);
}

static void test_basis_snapshot_errors(void **state)
{
    fixture *fx = *state;
    static const char *const ids[] = {"kcp"};
    ip_basis b;
    ip_basis_file file;
    ip_diag d;
    char msg[256];

    put(fx, "date;customer;licences\n2024-06-15;110;40\n2024-06-15;110;41\n");
    assert_int_equal(measure(fx, ids, 1, &b, &file, &d), IP_ERR_DATA);
    snprintf(msg, sizeof msg, "expected one reading per customer on 2024-06-15, found a second "
                              "for 110 (first on line 2)");
    assert_string_equal(d.msg, msg);
    assert_int_equal(d.line, 3);
    release(&b, 1);

    put(fx, "date;customer;licences\n2024-06-14;110;40\n");
    assert_int_equal(measure(fx, ids, 1, &b, &file, &d), IP_ERR_DATA);
    assert_string_equal(d.msg, "expected readings on the snapshot date 2024-06-15 for 'kcp', "
                               "found none");
    release(&b, 1);
}

static void test_basis_unknown_customers_on_counted_rows(void **state)
{
    fixture *fx = *state;
    static const char *const ids[] = {"etjanst"};
    ip_basis b;
    ip_basis_file file;
    ip_diag d;
    put(fx, "date;customer;queue;kind\n"
            "2022-01-01;999;E-tjänstsupport;inkommande\n"  /* outside: not an error */
            "2023-09-01;998;IT-support;inkommande\n"       /* filtered: not an error */
            "2023-09-01;997;E-tjänstsupport;inkommande\n"
            "2023-09-02;996;E-tjänstsupport;inkommande\n"
            "2023-09-03;997;E-tjänstsupport;inkommande\n");
    assert_int_equal(measure(fx, ids, 1, &b, &file, &d), IP_ERR_UNALLOCATABLE);
    assert_int_equal(d.line, 4);
    assert_string_equal(d.msg, "expected customer numbers from customers.csv, found 2 unknown: "
                               "997 and others");
    assert_non_null(strstr(d.extra, ":4: unknown customer 997 on 2 counted rows"));
    assert_non_null(strstr(d.extra, ":5: unknown customer 996 on 1 counted row"));
    release(&b, 1);
}

static void test_basis_bad_rows_are_listed(void **state)
{
    fixture *fx = *state;
    static const char *const ids[] = {"etjanst", "direkt"};
    ip_basis b[2];
    ip_basis_file file;
    ip_diag d;
    put(fx, "date;customer;queue;kind;count\n"
            "2023-13-01;110;E-tjänstsupport;inkommande;1\n"
            "2023-08-01;11x;E-tjänstsupport;inkommande;1\n"
            "2023-08-01;110;E-tjänstsupport;inkommande;-1\n");
    assert_int_equal(measure(fx, ids, 2, b, &file, &d), IP_ERR_DATA);
    assert_int_equal(d.line, 2);
    assert_string_equal(d.msg, "expected a date YYYY-MM-DD in column 'date', found '2023-13-01'");
    assert_non_null(strstr(d.extra, ":3: expected a customer number (digits), found '11x'"));
    assert_non_null(strstr(d.extra, ":4: expected a whole number of 0 or more in column "
                                    "'count', found '-1'"));
    assert_non_null(strstr(d.extra, "3 rows with errors in all"));
    release(b, 2);

    put(fx, "date;customer;kind\n2023-08-01;110;inkommande\n");
    assert_int_equal(measure(fx, ids, 2, b, &file, &d), IP_ERR_DATA);
    assert_non_null(strstr(d.msg, "'queue'"));
    release(b, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_basis_one_pass_for_two_services, setup, teardown),
        cmocka_unit_test_setup_teardown(test_basis_fast_and_portable_agree, setup, teardown),
        cmocka_unit_test_setup_teardown(test_basis_snapshot_takes_its_date, setup, teardown),
        cmocka_unit_test_setup_teardown(test_basis_snapshot_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_basis_unknown_customers_on_counted_rows, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_basis_bad_rows_are_listed, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
