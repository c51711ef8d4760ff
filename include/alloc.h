/*
 * alloc.h — the allocation keys and exact largest-remainder rounding
 * (SPEC section 1). Pure functions: no I/O, no global state.
 *
 * Each customer's exact share is a fraction e_i = num_i / den with one common
 * denominator, handed out also as its two parts (the equal part and the
 * proportional part, num_i = num_equal_i + num_prop_i over the same den), so
 * that a writer shows them without computing a share of its own. Fees are f_i = floor(e_i); the F - sum f_i remaining kronor go
 * one each to the largest fractional parts (num_i mod den), ties broken by
 * larger basis, then lower customer number. So the fees always sum to F and
 * every |f_i - e_i| < 1. All arithmetic is integer (128-bit where products
 * need it); bounds are checked, never wrapped.
 */
#ifndef IP_ALLOC_H
#define IP_ALLOC_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "money.h"

/* Limits the inputs are checked against (errors, not wrap-around). */
#define IP_ALLOC_MAX_FEE INT64_C(1000000000000)   /* 10^12 kr */
#define IP_ALLOC_MAX_TOTAL INT64_C(1000000000000000) /* 10^15 units of basis */
#define IP_ALLOC_MAX_CUSTOMERS 1000000

/* One customer's input and result. */
typedef struct ip_alloc_item {
    uint32_t nr;     /* customer number, for the last tie-break */
    int64_t basis;   /* after consolidation, >= 0 */
    /* results */
    ip_i128 num;     /* exact share = num / den kronor */
    ip_i128 num_equal; /* its equal part (the equal-and-proportional key's
                        * F*p*W for a participant; 0 otherwise) */
    ip_i128 num_prop;  /* its proportional part: num - num_equal */
    ip_i128 rem;       /* num mod den: the fractional part is rem / den */
    int64_t floor;   /* floor(num / den) */
    int64_t fee;     /* floor, plus 1 when it got a remaining krona */
    int got_extra;   /* 1 when it got one of the remaining kronor */
} ip_alloc_item;

typedef struct ip_alloc_result {
    ip_i128 den;         /* common denominator of all exact shares */
    int64_t total;       /* W = sum of basis */
    size_t participants; /* N = customers with basis > 0 */
    int64_t remaining;   /* F - sum floor: kronor handed out by remainder */
} ip_alloc_result;

/* Allocates fee over items[0..n) in proportion to basis, or, when
 * equal_percent > 0, equal_percent % equally among the participants (basis >
 * 0) and the rest in proportion. Fills the result fields of every item.
 * Errors (IP_ERR_UNALLOCATABLE): W = 0 while fee > 0; a fee, basis or total
 * outside the limits above; equal_percent outside 0..100. With fee = 0 every
 * fee is 0. */
ip_err ip_alloc_run(int64_t fee, int equal_percent, ip_alloc_item *items, size_t n,
                    ip_alloc_result *res, ip_diag *d);

/* The order in which the remaining kronor are handed out (SPEC section 1):
 * < 0 when a comes before b, > 0 when after, 0 only for one customer. The
 * larger fractional part of the exact share first, then the larger basis,
 * then the lower customer number. a and b are items of one ip_alloc_run(),
 * after it. Exact: their fractional parts a->rem / den and b->rem / den
 * share the one denominator den > 0, so the cross-multiplied comparison
 * a->rem * den <=> b->rem * den is the comparison of the two 128-bit
 * remainders (nothing rounded, nothing multiplied that could overflow).
 * ip_alloc_run() hands out the kronor in this order; explain prints a
 * customer's rank in it. */
int ip_alloc_rank_cmp(const ip_alloc_item *a, const ip_alloc_item *b);

#endif /* IP_ALLOC_H */
