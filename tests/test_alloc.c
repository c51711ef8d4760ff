/*
 * test_alloc.c — the allocation keys and largest-remainder rounding.
 *
 * The SPEC's worked example is a table test; thousands of random allocations
 * (odd fees, ties, one customer, zero bases, both keys) check the invariants
 * that make the fees trustworthy: they sum exactly to the fee, each is within
 * 1 kr of the exact share, and the remaining kronor went to the largest
 * remainders in the SPEC's tie-break order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "alloc.h"

static void test_alloc_spec_worked_example(void **state)
{
    static const struct { uint32_t nr; int64_t cases, fee; const char *exact; } rows[] = {
        {110, 1841, 155249, "155249.47"}, {113, 121, 10204, "10203.79"},
        {115, 6, 506, "505.97"},          {116, 9, 759, "758.96"},
        {117, 47, 3963, "3963.46"},       {122, 23, 1940, "1939.56"},
        {132, 363, 30611, "30611.38"},    {169, 2, 169, "168.66"},
        {181, 184, 15517, "15516.51"},    {191, 49, 4132, "4132.12"},
        {291, 201, 16950, "16950.11"},
    };
    ip_alloc_item items[11];
    ip_alloc_result res;
    ip_diag d;
    char buf[64];
    int64_t sum = 0;
    size_t i;
    (void)state;
    memset(items, 0, sizeof items);
    for (i = 0; i < 11; i++) {
        items[i].nr = rows[i].nr;
        items[i].basis = rows[i].cases;
    }
    assert_int_equal(ip_alloc_run(240000, 0, items, 11, &res, &d), IP_OK);
    assert_int_equal(res.total, 2846);
    for (i = 0; i < 11; i++) {
        assert_int_equal(items[i].fee, rows[i].fee);
        assert_string_equal(ip_money_fmt_frac(items[i].num, res.den, 2, buf, sizeof buf),
                            rows[i].exact);
        sum += items[i].fee;
    }
    assert_int_equal(sum, 240000);
}

/* Check every invariant of one allocation. */
static void check_allocation(int64_t fee, int p, const ip_alloc_item *it, size_t n,
                             const ip_alloc_result *res)
{
    int64_t sum = 0;
    size_t i, j, participants = 0;
    int64_t total = 0;
    for (i = 0; i < n; i++) {
        total += it[i].basis;
        participants += it[i].basis > 0;
    }
    assert_int_equal(res->total, total);
    assert_int_equal(res->participants, participants);
    for (i = 0; i < n; i++) {
        ip_i128 diff = (ip_i128)it[i].fee * res->den - it[i].num;
        sum += it[i].fee;
        assert_true(it[i].fee >= 0);
        /* |f_i - e_i| < 1 */
        assert_true(diff > -res->den && diff < res->den);
        if (p > 0 && it[i].basis == 0)
            assert_int_equal(it[i].fee, 0);
        /* The exact share itself, recomputed from the SPEC's formula as its own
         * fraction and compared by cross-multiplication (small cases only, so
         * the products stay inside 128 bits). */
        if (fee <= 100000000 && total <= 1000000 && it[i].basis > 0) {
            ip_i128 rnum, rden;
            if (p == 0) {
                rnum = (ip_i128)fee * it[i].basis;
                rden = total;
            } else {
                rnum = (ip_i128)fee * p * total + (ip_i128)fee * (100 - p) * it[i].basis * (ip_i128)participants;
                rden = (ip_i128)100 * (ip_i128)participants * total;
            }
            assert_true(it[i].num * rden == rnum * res->den);
            /* its two parts: F*p/(100 N) and F*(100-p)*w/(100 W) */
            if (p > 0)
                assert_true(it[i].num_equal * ((ip_i128)100 * (ip_i128)participants) ==
                            (ip_i128)fee * p * res->den);
            assert_true(it[i].num_prop * ((ip_i128)100 * total) ==
                        (ip_i128)fee * (100 - p) * it[i].basis * res->den);
        }
        assert_true(it[i].num_equal + it[i].num_prop == it[i].num);
        if (p == 0 || it[i].basis == 0)
            assert_true(it[i].num_equal == 0);
    }
    assert_int_equal(sum, fee);
    /* No customer without an extra krona ranks above one with it. */
    for (i = 0; i < n; i++) {
        ip_i128 ri = it[i].num % res->den;
        if (!it[i].got_extra)
            continue;
        for (j = 0; j < n; j++) {
            ip_i128 rj = it[j].num % res->den;
            if (it[j].got_extra || (p > 0 && it[j].basis == 0))
                continue;
            assert_true(ri > rj || (ri == rj && (it[i].basis > it[j].basis ||
                        (it[i].basis == it[j].basis && it[i].nr < it[j].nr))));
        }
    }
    /* The exposed order (the one explain prints) is this same order. */
    for (i = 0; i < n; i++)
        assert_true(it[i].rem == it[i].num % res->den);
    for (i = 0; i < n; i++) {
        size_t wrong = 0;
        for (j = 0; j < n; j++) {
            ip_i128 ri = it[i].rem, rj = it[j].rem;
            int before = ri > rj || (ri == rj && (it[i].basis > it[j].basis ||
                         (it[i].basis == it[j].basis && it[i].nr < it[j].nr)));
            int c = ip_alloc_rank_cmp(&it[i], &it[j]);
            wrong += i == j ? c != 0 : (c < 0) != before || (c == 0);
        }
        assert_int_equal(wrong, 0);
    }
}

/* The tie-break of SPEC section 1 on its own: remainder, basis, number, on
 * remainders beyond 64 bits. */
static void test_alloc_rank_cmp_follows_the_spec(void **state)
{
    const ip_i128 big = (ip_i128)1 << 100;
    ip_alloc_item a, b;
    (void)state;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    a.nr = 200, a.basis = 1, a.rem = big + 1;
    b.nr = 100, b.basis = 9, b.rem = big; /* 2^100 + 1 against 2^100 */
    assert_true(ip_alloc_rank_cmp(&a, &b) < 0);
    assert_true(ip_alloc_rank_cmp(&b, &a) > 0);
    a.rem = b.rem = big + ((ip_i128)1 << 64);
    assert_true(ip_alloc_rank_cmp(&b, &a) < 0); /* a tie: the larger basis */
    assert_true(ip_alloc_rank_cmp(&a, &b) > 0);
    a.basis = b.basis = 9;
    assert_true(ip_alloc_rank_cmp(&b, &a) < 0); /* then the lower number */
    assert_true(ip_alloc_rank_cmp(&a, &b) > 0);
    assert_int_equal(ip_alloc_rank_cmp(&a, &a), 0);
}

static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static uint64_t rnd(void)
{
    /* xorshift64*: deterministic, so a failure can be replayed */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717u;
}

static void test_alloc_random_sums_exact_within_one_krona(void **state)
{
    int round;
    (void)state;
    for (round = 0; round < 5000; round++) {
        size_t n = 1 + rnd() % 60, i;
        ip_alloc_item items[60];
        ip_alloc_result res;
        ip_diag d;
        int p = (round % 3 == 0) ? 20 : (round % 3 == 1 ? 0 : (int)(rnd() % 101));
        int64_t fee;
        int64_t maxb = (round % 5 == 0) ? 3 : (round % 5 == 1 ? 1000000000 : 5000);
        switch (round % 4) {
        case 0: fee = (int64_t)(rnd() % 1000) + 1; break;          /* small, odd */
        case 1: fee = (int64_t)(rnd() % 100000000) + 1; break;
        case 2: fee = 999999999999; break;                           /* near the limit */
        default: fee = (int64_t)n * 7 + 3; break;                    /* few kronor */
        }
        memset(items, 0, sizeof items);
        for (i = 0; i < n; i++) {
            items[i].nr = (uint32_t)(100 + i * 3);
            /* many zeros and many ties */
            items[i].basis = (rnd() % 4 == 0) ? 0 : (int64_t)(rnd() % (uint64_t)maxb);
        }
        items[rnd() % n].basis = 1 + (int64_t)(rnd() % (uint64_t)maxb);
        assert_int_equal(ip_alloc_run(fee, p, items, n, &res, &d), IP_OK);
        check_allocation(fee, p, items, n, &res);
    }
}

static void test_alloc_one_customer_gets_everything(void **state)
{
    ip_alloc_item it = {.nr = 110, .basis = 7};
    ip_alloc_result res;
    ip_diag d;
    (void)state;
    assert_int_equal(ip_alloc_run(600001, 20, &it, 1, &res, &d), IP_OK);
    assert_int_equal(it.fee, 600001);
    assert_int_equal(ip_alloc_run(5, 0, &it, 1, &res, &d), IP_OK);
    assert_int_equal(it.fee, 5);
}

static void test_alloc_ties_larger_basis_then_lower_number(void **state)
{
    /* 10 kr over bases 1,1,1: exact 3.33 each; one krona left, remainders tie
     * and bases tie, so the lowest customer number gets it. */
    ip_alloc_item it[3] = {{.nr = 300, .basis = 1}, {.nr = 120, .basis = 1}, {.nr = 200, .basis = 1}};
    /* Equal key 100 %: 10 kr over 3 participants regardless of basis: remainders tie
     * and the larger basis wins before the lower number. */
    ip_alloc_item eq[3] = {{.nr = 101, .basis = 5}, {.nr = 102, .basis = 9}, {.nr = 103, .basis = 9}};
    ip_alloc_result res;
    ip_diag d;
    (void)state;
    assert_int_equal(ip_alloc_run(10, 0, it, 3, &res, &d), IP_OK);
    assert_int_equal(it[0].fee, 3);
    assert_int_equal(it[1].fee, 4);
    assert_int_equal(it[2].fee, 3);
    assert_int_equal(res.remaining, 1);
    assert_int_equal(ip_alloc_run(10, 100, eq, 3, &res, &d), IP_OK);
    assert_int_equal(eq[0].fee, 3);
    assert_int_equal(eq[1].fee, 4);
    assert_int_equal(eq[2].fee, 3);
}

static void test_alloc_equal_part_only_among_participants(void **state)
{
    /* 600 000 kr, 20 % equally among the 2 with calls, 80 % by calls 1:3. */
    ip_alloc_item it[3] = {{.nr = 101, .basis = 0}, {.nr = 110, .basis = 100}, {.nr = 113, .basis = 300}};
    ip_alloc_result res;
    ip_diag d;
    (void)state;
    assert_int_equal(ip_alloc_run(600000, 20, it, 3, &res, &d), IP_OK);
    assert_int_equal(res.participants, 2);
    assert_int_equal(it[0].fee, 0);
    assert_int_equal(it[1].fee, 60000 + 120000);
    assert_int_equal(it[2].fee, 60000 + 360000);
}

/* The switchboard's sheet shows the equal and the proportional part of each
 * share: F = 1000 kr, 20 % equally among the two participants (100 kr each),
 * 80 % by basis 1 and 3 of W = 4 (200 and 600 kr). */
static void test_alloc_hands_out_equal_and_proportional_parts(void **state)
{
    ip_alloc_item it[3] = {{.nr = 101, .basis = 0}, {.nr = 110, .basis = 1}, {.nr = 113, .basis = 3}};
    static const int64_t equal[3] = {0, 100, 100}, prop[3] = {0, 200, 600};
    ip_alloc_result res;
    ip_diag d;
    size_t i;
    (void)state;
    assert_int_equal(ip_alloc_run(1000, 20, it, 3, &res, &d), IP_OK);
    for (i = 0; i < 3; i++) {
        assert_true(it[i].num_equal == (ip_i128)equal[i] * res.den);
        assert_true(it[i].num_prop == (ip_i128)prop[i] * res.den);
        assert_int_equal(it[i].fee, equal[i] + prop[i]);
    }
    /* the proportional key has no equal part */
    assert_int_equal(ip_alloc_run(1000, 0, it, 3, &res, &d), IP_OK);
    for (i = 0; i < 3; i++) {
        assert_true(it[i].num_equal == 0);
        assert_true(it[i].num_prop == it[i].num);
    }
    assert_true(it[2].num_prop == (ip_i128)750 * res.den);
}

static void test_alloc_zero_total_is_an_error(void **state)
{
    ip_alloc_item it[2] = {{.nr = 1, .basis = 0}, {.nr = 2, .basis = 0}};
    ip_alloc_result res;
    ip_diag d;
    (void)state;
    assert_int_equal(ip_alloc_run(240000, 0, it, 2, &res, &d), IP_ERR_UNALLOCATABLE);
    assert_string_equal(d.msg, "expected a basis above zero to share 240000 kr, found a total of 0");
    /* A zero fee over a zero basis is fine: everybody pays 0. */
    assert_int_equal(ip_alloc_run(0, 20, it, 2, &res, &d), IP_OK);
    assert_int_equal(it[0].fee + it[1].fee, 0);
}

static void test_alloc_limits_are_errors(void **state)
{
    ip_alloc_item it[2] = {{.nr = 1, .basis = IP_ALLOC_MAX_TOTAL}, {.nr = 2, .basis = 1}};
    ip_alloc_result res;
    ip_diag d;
    (void)state;
    assert_int_equal(ip_alloc_run(10, 0, it, 2, &res, &d), IP_ERR_UNALLOCATABLE);
    it[0].basis = 1;
    assert_int_equal(ip_alloc_run(IP_ALLOC_MAX_FEE + 1, 0, it, 2, &res, &d),
                     IP_ERR_UNALLOCATABLE);
    assert_int_equal(ip_alloc_run(-1, 0, it, 2, &res, &d), IP_ERR_UNALLOCATABLE);
    assert_int_equal(ip_alloc_run(10, 101, it, 2, &res, &d), IP_ERR_UNALLOCATABLE);
    it[1].basis = -1;
    assert_int_equal(ip_alloc_run(10, 0, it, 2, &res, &d), IP_ERR_UNALLOCATABLE);
}

static void test_alloc_extremes_do_not_overflow(void **state)
{
    /* Largest fee, largest total, equal key: products near 10^35. */
    ip_alloc_item it[3] = {{.nr = 1, .basis = IP_ALLOC_MAX_TOTAL - 2}, {.nr = 2, .basis = 1},
                           {.nr = 3, .basis = 1}};
    ip_alloc_result res;
    ip_diag d;
    (void)state;
    assert_int_equal(ip_alloc_run(IP_ALLOC_MAX_FEE, 37, it, 3, &res, &d), IP_OK);
    check_allocation(IP_ALLOC_MAX_FEE, 37, it, 3, &res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alloc_spec_worked_example),
        cmocka_unit_test(test_alloc_random_sums_exact_within_one_krona),
        cmocka_unit_test(test_alloc_one_customer_gets_everything),
        cmocka_unit_test(test_alloc_ties_larger_basis_then_lower_number),
        cmocka_unit_test(test_alloc_rank_cmp_follows_the_spec),
        cmocka_unit_test(test_alloc_equal_part_only_among_participants),
        cmocka_unit_test(test_alloc_hands_out_equal_and_proportional_parts),
        cmocka_unit_test(test_alloc_zero_total_is_an_error),
        cmocka_unit_test(test_alloc_limits_are_errors),
        cmocka_unit_test(test_alloc_extremes_do_not_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
