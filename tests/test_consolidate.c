/*
 * test_consolidate.c — consolidation: a customer's basis rolled into
 * another's, chains followed to their end, and the errors with their
 * messages and lines: an unknown from or into, a second consolidation of one
 * customer, a cycle.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "consolidate.h"

#define MAXC 8

typedef struct fixture {
    ip_service svc;
    ip_consolidation co[MAXC];
    int64_t basis[MAXC];
    long into[MAXC];
    ip_diag d;
} fixture;

static char id[] = "vaxel";

/* A service at line 33 with the consolidations from[i] into into[i], at
 * lines 40, 41, … */
static void make(fixture *fx, const uint32_t *from, const uint32_t *into, size_t n)
{
    size_t i;
    memset(fx, 0, sizeof *fx);
    fx->svc.id = id;
    fx->svc.line = 33;
    for (i = 0; i < n; i++) {
        fx->co[i].from = from[i];
        fx->co[i].into = into[i];
        fx->co[i].line = 40 + (long)i;
    }
    fx->svc.consolidations = fx->co;
    fx->svc.nconsolidations = n;
    ip_diag_clear(&fx->d);
}

static ip_err run(fixture *fx, const uint32_t *nrs, const int64_t *raw, size_t n)
{
    return ip_consolidate(&fx->svc, "tariff.xml", nrs, n, raw, fx->basis, fx->into, &fx->d);
}

static void test_consolidate_without_consolidations_keeps_the_bases(void **state)
{
    static const uint32_t nrs[] = {101, 110, 113};
    static const int64_t raw[] = {5, 0, 3};
    fixture fx;
    (void)state;
    make(&fx, NULL, NULL, 0);
    assert_int_equal(run(&fx, nrs, raw, 3), IP_OK);
    assert_memory_equal(fx.basis, raw, sizeof raw);
    assert_int_equal(fx.into[0], -1);
    assert_int_equal(fx.into[1], -1);
    assert_int_equal(fx.into[2], -1);
}

static void test_consolidate_rolls_from_into(void **state)
{
    static const uint32_t nrs[] = {101, 110, 113}, from[] = {101}, into[] = {110};
    static const int64_t raw[] = {5, 7, 3};
    fixture fx;
    (void)state;
    make(&fx, from, into, 1);
    assert_int_equal(run(&fx, nrs, raw, 3), IP_OK);
    assert_int_equal(fx.basis[0], 0);
    assert_int_equal(fx.basis[1], 12);
    assert_int_equal(fx.basis[2], 3);
    assert_int_equal(fx.into[0], 1);
    assert_int_equal(fx.into[1], -1);
    assert_int_equal(fx.into[2], -1);
}

/* a into b and b into c send a's basis to c, whichever is listed first;
 * two customers into one add up. */
static void test_consolidate_follows_chains(void **state)
{
    static const uint32_t nrs[] = {1, 2, 3, 4, 5};
    static const int64_t raw[] = {1, 2, 4, 8, 16};
    static const uint32_t from1[] = {1, 2, 5}, into1[] = {2, 3, 3};
    static const uint32_t from2[] = {2, 1, 5}, into2[] = {3, 2, 3};
    static const int64_t want[] = {0, 0, 23, 8, 0};
    fixture fx;
    (void)state;
    make(&fx, from1, into1, 3);
    assert_int_equal(run(&fx, nrs, raw, 5), IP_OK);
    assert_memory_equal(fx.basis, want, sizeof want);
    assert_int_equal(fx.into[0], 2);
    assert_int_equal(fx.into[1], 2);
    assert_int_equal(fx.into[2], -1);
    assert_int_equal(fx.into[3], -1);
    assert_int_equal(fx.into[4], 2);
    make(&fx, from2, into2, 3);
    assert_int_equal(run(&fx, nrs, raw, 5), IP_OK);
    assert_memory_equal(fx.basis, want, sizeof want);
    assert_int_equal(fx.into[0], 2);
    assert_int_equal(fx.into[1], 2);
    /* a long chain: 1 into 2 into 3 into 4 into 5 */
    {
        static const uint32_t from3[] = {1, 2, 3, 4}, into3[] = {2, 3, 4, 5};
        static const int64_t want3[] = {0, 0, 0, 0, 31};
        size_t k;
        make(&fx, from3, into3, 4);
        assert_int_equal(run(&fx, nrs, raw, 5), IP_OK);
        assert_memory_equal(fx.basis, want3, sizeof want3);
        for (k = 0; k < 4; k++)
            assert_int_equal(fx.into[k], 4);
    }
}

static void test_consolidate_cycle_is_a_tariff_error(void **state)
{
    static const uint32_t nrs[] = {1, 2, 3, 4};
    static const int64_t raw[] = {1, 2, 4, 8};
    static const uint32_t from1[] = {1, 2, 3}, into1[] = {2, 3, 1};
    static const uint32_t from2[] = {4, 2, 1}, into2[] = {1, 1, 2};
    fixture fx;
    (void)state;
    make(&fx, from1, into1, 3);
    assert_int_equal(run(&fx, nrs, raw, 4), IP_ERR_TARIFF);
    assert_string_equal(fx.d.file, "tariff.xml");
    assert_int_equal(fx.d.line, 40);
    assert_string_equal(fx.d.msg,
                        "expected consolidations without a cycle in 'vaxel', found one through 1");
    /* a chain that runs into a cycle: the first customer of the cycle in
     * slot order is named, at the line of its own consolidation */
    make(&fx, from2, into2, 3);
    assert_int_equal(run(&fx, nrs, raw, 4), IP_ERR_TARIFF);
    assert_int_equal(fx.d.line, 42);
    assert_string_equal(fx.d.msg,
                        "expected consolidations without a cycle in 'vaxel', found one through 1");
}

static void test_consolidate_unknown_customers(void **state)
{
    static const uint32_t nrs[] = {101, 110};
    static const int64_t raw[] = {5, 7};
    static const uint32_t from1[] = {101, 999}, into1[] = {110, 110};
    static const uint32_t from2[] = {101, 110}, into2[] = {110, 998};
    fixture fx;
    (void)state;
    make(&fx, from1, into1, 2);
    assert_int_equal(run(&fx, nrs, raw, 2), IP_ERR_UNALLOCATABLE);
    assert_string_equal(fx.d.file, "tariff.xml");
    assert_int_equal(fx.d.line, 41);
    assert_string_equal(fx.d.msg,
                        "expected a customer from customers.csv in consolidate from, found 999");
    make(&fx, from2, into2, 2);
    assert_int_equal(run(&fx, nrs, raw, 2), IP_ERR_UNALLOCATABLE);
    assert_int_equal(fx.d.line, 41);
    assert_string_equal(fx.d.msg,
                        "expected a customer from customers.csv in consolidate into, found 998");
    /* an empty register knows nobody */
    make(&fx, from1, into1, 1);
    assert_int_equal(run(&fx, nrs, raw, 0), IP_ERR_UNALLOCATABLE);
    assert_int_equal(fx.d.line, 40);
}

/* The tariff loader refuses a second <consolidate from> of one customer;
 * the consolidation checks it too, since its input is any service. */
static void test_consolidate_second_consolidation_of_one_customer(void **state)
{
    static const uint32_t nrs[] = {1, 2, 3};
    static const int64_t raw[] = {1, 2, 4};
    static const uint32_t from[] = {1, 1}, into[] = {2, 3};
    fixture fx;
    (void)state;
    make(&fx, from, into, 2);
    assert_int_equal(run(&fx, nrs, raw, 3), IP_ERR_TARIFF);
    assert_int_equal(fx.d.line, 41);
    assert_string_equal(fx.d.msg, "expected one consolidation of 1 in 'vaxel', found a second");
}

/* Bases at the per-customer limit rolled into one pass the allocation's
 * limit: refused with the consolidation's line, never wrapped; exactly at
 * the limit they are taken. */
static void test_consolidate_sum_past_the_limit_is_refused(void **state)
{
    static const uint32_t nrs[] = {100, 300, 301, 302}, from[] = {300, 301, 302},
                          into[] = {100, 100, 100};
    static const int64_t raw[] = {INT64_C(400000000000000), INT64_C(300000000000000),
                                  INT64_C(300000000000000), INT64_C(1)};
    static const int64_t at_limit[] = {INT64_C(400000000000000), INT64_C(300000000000000),
                                       INT64_C(300000000000000), 0};
    static char unit[] = "licenser", file[] = "licences.csv";
    fixture fx;
    (void)state;
    make(&fx, from, into, 3);
    fx.svc.unit = unit;
    fx.svc.file = file;
    assert_int_equal(run(&fx, nrs, at_limit, 4), IP_OK);
    assert_true(fx.basis[0] == INT64_C(1000000000000000));
    make(&fx, from, into, 3);
    fx.svc.unit = unit;
    fx.svc.file = file;
    assert_int_equal(run(&fx, nrs, raw, 4), IP_ERR_UNALLOCATABLE);
    assert_string_equal(fx.d.file, "tariff.xml");
    assert_int_equal(fx.d.line, 42);
    assert_string_equal(fx.d.msg, "expected the basis of 100 in 'vaxel' after consolidation to "
                                  "be at most 10^15 licenser, found more with 302's 1 from "
                                  "licences.csv added");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_consolidate_without_consolidations_keeps_the_bases),
        cmocka_unit_test(test_consolidate_rolls_from_into),
        cmocka_unit_test(test_consolidate_follows_chains),
        cmocka_unit_test(test_consolidate_cycle_is_a_tariff_error),
        cmocka_unit_test(test_consolidate_unknown_customers),
        cmocka_unit_test(test_consolidate_second_consolidation_of_one_customer),
        cmocka_unit_test(test_consolidate_sum_past_the_limit_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
