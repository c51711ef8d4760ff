/*
 * test_fees.c — fees.csv written for year Y and read back as Y-1 (and as
 * the current table for --diff).
 *
 * A small model built by hand: the SPEC's tariff (tests/data/tariff/
 * valid.xml: etjanst new last year with previous-fee 0, direkt, vaxel, kcp),
 * three customers whose names need quoting or not, and fees per service that
 * sum to its fixed fee. The table is written and compared with the expected
 * text, read back into last year's columns value for value, read from a
 * partial table (a service absent, a customer absent, rows of services and
 * customers that no longer exist, columns in another order), and refused
 * with the line and the reason when the previous table is malformed.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "customers.h"
#include "fees.h"
#include "run.h"
#include "stage.h"
#include "tariff.h"
#include "util.h"

#define NSVC 4
#define NCUST 3

/* Per service (tariff order) and customer (number order: 101, 110, 291). */
static const int64_t basis_table[NSVC][NCUST] = {
    {0, 5, 3}, {2, 3, 2}, {0, 6, 2}, {10, 20, 10}};
static const int64_t fee_table[NSVC][NCUST] = {
    {0, 150000, 90000}, {900000, 1350000, 900000}, {0, 420000, 180000},
    {506000, 1012000, 506000}};

typedef struct model {
    char dir[64]; /* /tmp/ip-test-fees.XXXXXX */
    ip_tariff *t;
    ip_run r;
    ip_svc_result res[NSVC];
} model;

static void write_text_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
    model *m = ip_xcalloc(1, sizeof *m);
    ip_diag d;
    char *path;
    size_t s, k;
    snprintf(m->dir, sizeof m->dir, "/tmp/ip-test-fees.XXXXXX");
    if (!mkdtemp(m->dir))
        return -1;
    if (ip_tariff_load("tests/data/tariff/valid.xml", "tariff.xml", "templates/tariff.xsd",
                       &m->t, &d))
        return -1;
    path = ip_xasprintf("%s/customers.csv", m->dir);
    write_text_file(path, "nr;name;group;org_nr;reference\n"
                          "291;\"Bostad \"\"Hem\"\" AB\";bolag;556839-5270;KC-291\n"
                          "101;Finansförvaltningen;forvaltning;212000-0142;1010-KC\n"
                          "110;\"Stads; ledningskontoret\";forvaltning;212000-0142;1100-KC\n");
    if (ip_customers_load(path, "customers.csv", m->t, &m->r.customers, &d))
        return -1;
    free(path);
    assert_int_equal(m->t->nservices, NSVC);
    m->r.year = 2025;
    m->r.tariff = m->t;
    m->r.ncust = ip_customers_count(m->r.customers);
    assert_int_equal(m->r.ncust, NCUST);
    m->r.svc = m->res;
    m->r.nsvc = NSVC;
    for (s = 0; s < NSVC; s++) {
        ip_svc_result *sr = &m->res[s];
        sr->svc = &m->t->services[s];
        sr->basis = ip_xcalloc(NCUST, sizeof *sr->basis);
        sr->items = ip_xcalloc(NCUST, sizeof *sr->items);
        sr->prev_fee = ip_xcalloc(NCUST, sizeof *sr->prev_fee);
        sr->prev_basis = ip_xcalloc(NCUST, sizeof *sr->prev_basis);
        for (k = 0; k < NCUST; k++) {
            sr->basis[k] = basis_table[s][k];
            sr->items[k].nr = ip_customers_at(m->r.customers, k)->nr;
            sr->items[k].fee = fee_table[s][k];
            sr->alloc.total += basis_table[s][k];
        }
    }
    *state = m;
    return 0;
}

static int teardown(void **state)
{
    model *m = *state;
    size_t s;
    for (s = 0; s < NSVC; s++) {
        free(m->res[s].basis);
        free(m->res[s].items);
        free(m->res[s].prev_fee);
        free(m->res[s].prev_basis);
    }
    ip_customers_free(m->r.customers);
    ip_tariff_free(m->t);
    ip_rmtree(m->dir);
    free(m);
    return 0;
}

static char *fees_text(const ip_run *r)
{
    char *text = NULL;
    size_t len;
    ip_diag d;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    assert_int_equal(ip_fees_write(r, f, "fees.csv", &d), IP_OK);
    fclose(f);
    return text;
}

/* Writes r's table as fees.csv into the model's folder; returns the path. */
static char *write_fees(model *m, const char *file)
{
    char *path = ip_xasprintf("%s/%s", m->dir, file), *text = fees_text(&m->r);
    write_text_file(path, text);
    free(text);
    return path;
}

static void test_fees_write_is_the_spec_table(void **state)
{
    model *m = *state;
    static const char want[] =
        "year;service;customer;name;basis;basis_total;fee\n"
        "2025;etjanst;101;Finansförvaltningen;0;8;0\n"
        "2025;etjanst;110;\"Stads; ledningskontoret\";5;8;150000\n"
        "2025;etjanst;291;\"Bostad \"\"Hem\"\" AB\";3;8;90000\n"
        "2025;direkt;101;Finansförvaltningen;2;7;900000\n"
        "2025;direkt;110;\"Stads; ledningskontoret\";3;7;1350000\n"
        "2025;direkt;291;\"Bostad \"\"Hem\"\" AB\";2;7;900000\n"
        "2025;vaxel;101;Finansförvaltningen;0;8;0\n"
        "2025;vaxel;110;\"Stads; ledningskontoret\";6;8;420000\n"
        "2025;vaxel;291;\"Bostad \"\"Hem\"\" AB\";2;8;180000\n"
        "2025;kcp;101;Finansförvaltningen;10;40;506000\n"
        "2025;kcp;110;\"Stads; ledningskontoret\";20;40;1012000\n"
        "2025;kcp;291;\"Bostad \"\"Hem\"\" AB\";10;40;506000\n";
    char *text = fees_text(&m->r);
    assert_string_equal(text, want);
    free(text);
}

/* This year's table, read next year as last year's: every fee, basis and
 * total comes back. */
static void test_fees_read_back_as_last_year(void **state)
{
    model *m = *state;
    ip_diag d;
    int found = 0;
    size_t s, k;
    char *path;
    m->r.year = 2024;
    path = write_fees(m, "fees.csv");
    m->r.year = 2025;
    assert_int_equal(ip_fees_read_prev(&m->r, path, &found, &d), IP_OK);
    assert_int_equal(found, 1);
    for (s = 0; s < NSVC; s++) {
        const ip_svc_result *sr = &m->res[s];
        int64_t total = 0;
        for (k = 0; k < NCUST; k++) {
            assert_int_equal(sr->prev_fee[k], fee_table[s][k]);
            assert_int_equal(sr->prev_basis[k], basis_table[s][k]);
            total += fee_table[s][k];
        }
        assert_int_equal(sr->prev_total, total);
        assert_int_equal(sr->prev_total, sr->svc->fee);
        assert_int_equal(sr->prev_basis_total, sr->alloc.total);
    }
    free(path);
}

/* The current table for --diff: this year's fees, IP_NO_PREV where a row
 * is missing; a missing file is not an error. */
static void test_fees_read_current(void **state)
{
    model *m = *state;
    int64_t fee[NSVC * NCUST];
    ip_diag d;
    int found = 0;
    size_t s, k;
    char *path = write_fees(m, "fees.csv");
    assert_int_equal(ip_fees_read_current(&m->r, path, fee, &found, &d), IP_OK);
    assert_int_equal(found, 1);
    for (s = 0; s < NSVC; s++)
        for (k = 0; k < NCUST; k++)
            assert_int_equal(fee[s * NCUST + k], fee_table[s][k]);
    write_text_file(path, "year;service;customer;name;basis;basis_total;fee\n"
                          "2025;kcp;110;x;20;40;1000000\n");
    assert_int_equal(ip_fees_read_current(&m->r, path, fee, &found, &d), IP_OK);
    assert_int_equal(fee[3 * NCUST + 1], 1000000);
    assert_int_equal(fee[3 * NCUST + 0], IP_NO_PREV);
    assert_int_equal(fee[0], IP_NO_PREV);
    free(path);
    path = ip_xasprintf("%s/absent.csv", m->dir);
    assert_int_equal(ip_fees_read_current(&m->r, path, fee, &found, &d), IP_OK);
    assert_int_equal(found, 0);
    for (s = 0; s < NSVC * NCUST; s++)
        assert_int_equal(fee[s], IP_NO_PREV);
    free(path);
}

static void test_fees_missing_previous_table_is_unknown(void **state)
{
    model *m = *state;
    ip_diag d;
    int found = 1;
    size_t s, k;
    char *path = ip_xasprintf("%s/2024/fees.csv", m->dir);
    assert_int_equal(ip_fees_read_prev(&m->r, path, &found, &d), IP_OK);
    assert_int_equal(found, 0);
    for (s = 0; s < NSVC; s++) {
        for (k = 0; k < NCUST; k++) {
            assert_int_equal(m->res[s].prev_fee[k], IP_NO_PREV);
            assert_int_equal(m->res[s].prev_basis[k], IP_NO_PREV);
        }
        assert_int_equal(m->res[s].prev_total, IP_NO_PREV);
        assert_int_equal(m->res[s].prev_basis_total, IP_NO_PREV);
    }
    free(path);
}

/* A partial previous table: a customer absent from a service in the table
 * paid 0; a service absent is unknown unless its previous-fee is 0 (new last
 * year: everybody paid 0); rows of a service no longer in the tariff and of
 * a customer no longer in the register are skipped; columns are found by
 * name, the service id case-insensitively. */
static void test_fees_partial_previous_table(void **state)
{
    model *m = *state;
    ip_diag d;
    int found = 0;
    size_t k;
    char *path = ip_xasprintf("%s/fees.csv", m->dir);
    const ip_svc_result *etjanst = &m->res[0], *direkt = &m->res[1], *vaxel = &m->res[2],
                        *kcp = &m->res[3];
    write_text_file(path, "fee;customer;service;year;basis_total;basis;note\n"
                          "1300000;110;DIREKT;2024;7;3;x\n"
                          "5;110;gammal;2024;1;1;a service dropped\n"
                          "7;555;direkt;2024;7;1;a customer gone\n");
    assert_int_equal(ip_fees_read_prev(&m->r, path, &found, &d), IP_OK);
    assert_int_equal(found, 1);
    assert_int_equal(direkt->prev_fee[0], 0);
    assert_int_equal(direkt->prev_fee[1], 1300000);
    assert_int_equal(direkt->prev_fee[2], 0);
    assert_int_equal(direkt->prev_total, 1300000);
    assert_int_equal(direkt->prev_basis[1], 3);
    assert_int_equal(direkt->prev_basis[0], 0);
    assert_int_equal(direkt->prev_basis_total, 7);
    assert_int_equal(etjanst->svc->previous_fee, 0);
    for (k = 0; k < NCUST; k++) {
        assert_int_equal(etjanst->prev_fee[k], 0);
        assert_int_equal(etjanst->prev_basis[k], IP_NO_PREV);
        assert_int_equal(vaxel->prev_fee[k], IP_NO_PREV);
        assert_int_equal(kcp->prev_fee[k], IP_NO_PREV);
    }
    assert_int_equal(etjanst->prev_total, 0);
    assert_int_equal(etjanst->prev_basis_total, IP_NO_PREV);
    assert_int_equal(vaxel->prev_total, IP_NO_PREV);
    assert_int_equal(kcp->prev_basis_total, IP_NO_PREV);
    free(path);
}

/* A malformed previous table stops the run with its line and the reason,
 * instead of showing a wrong history. */
static void test_fees_malformed_previous_table_is_data_error(void **state)
{
    static const char header[] = "year;service;customer;name;basis;basis_total;fee\n";
    static const struct { const char *head, *rows; long line; const char *msg; } cases[] = {
        {header, "2024;etjanst;110;X;5;8;abc\n", 2,
         "expected a fee as a whole number of 0 or more, found 'abc'"},
        {header, "2024;etjanst;110;X;-5;8;1\n", 2,
         "expected a basis as a whole number of 0 or more, found '-5'"},
        {header, "2024;etjanst;110;X;5;;1\n", 2,
         "expected a basis total as a whole number of 0 or more, found ''"},
        {header, "2024;etjanst;11O;X;5;8;1\n", 2,
         "expected a customer number as a whole number of 0 or more, found '11O'"},
        {header, "24;etjanst;110;X;5;8;1\n", 2, "expected the year 2024, found 24"},
        {header, "2024;etjanst;110;X;5;8;1\n2025;etjanst;291;X;3;8;1\n", 3,
         "expected the year 2024, found 2025"},
        {header, "2024;etjanst;110;X;5;8;1\n2024;ETJANST;110;X;5;8;1\n", 3,
         "expected one row per service and customer, found 'ETJANST' 110 again"},
        {header, "2024;etjanst;110;X;5;8\n", 2, "fields"},
        {"year;service;customer;name;basis;basis_total\n", "2024;etjanst;110;X;5;8\n", 1,
         "'fee'"},
        /* values held to what a run writes */
        {header, "2024;etjanst;110;X;5;8;1000000000001\n", 2,
         "expected a fee of at most 10^12 kr, found 1000000000001"},
        {header, "2024;etjanst;110;X;999999;5;1\n", 2,
         "expected a basis of at most the basis_total 5, found 999999"},
        {header, "2024;etjanst;110;X;5;8;1\n2024;etjanst;291;X;3;9;1\n", 3,
         "expected one basis_total for 'etjanst', found 9 after 8 (line 2)"},
        {header, "2024;etjanst;110;X;5;8;600000000000\n2024; etjanst ;291;X;3;8;600000000000\n", 3,
         "expected the fees of 'etjanst' to add up to at most 10^12 kr, found more"},
        {header, "2024;etjanst;110;X;5;8;1\n2024; etjanst ;110;X;5;8;1\n", 3,
         "expected one row per service and customer, found 'etjanst' 110 again"},
    };
    model *m = *state;
    char *path = ip_xasprintf("%s/fees.csv", m->dir);
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *text = ip_xasprintf("%s%s", cases[i].head, cases[i].rows);
        ip_diag d;
        int found = 0;
        write_text_file(path, text);
        free(text);
        ip_diag_clear(&d);
        assert_int_equal(ip_fees_read_prev(&m->r, path, &found, &d), IP_ERR_DATA);
        assert_int_equal(found, 0);
        if (d.line != cases[i].line || !strstr(d.msg, cases[i].msg) ||
            strcmp(d.file, path) != 0)
            fail_msg("case %zu: %s:%ld: '%s' does not say '%s' at line %ld", i, d.file, d.line,
                     d.msg, cases[i].msg, cases[i].line);
    }
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_fees_write_is_the_spec_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fees_read_back_as_last_year, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fees_read_current, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fees_missing_previous_table_is_unknown, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_fees_partial_previous_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fees_malformed_previous_table_is_data_error,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
