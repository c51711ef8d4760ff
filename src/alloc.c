/*
 * alloc.c — allocation keys and largest-remainder rounding (SPEC section 1).
 *
 * With the common denominator den, every exact share is num_i / den:
 *   proportional:            den = W,          num_i = F * w_i
 *   equal (p %) + proportional:
 *                            den = 100 * N * W, num_i = F*p*W + F*(100-p)*w_i*N
 *                            for participants (w_i > 0), 0 for the others.
 * Because sum num_i = F * den exactly, the kronor left after flooring,
 * R = F - sum floor_i = (sum num_i mod den) / den, are fewer than the number of
 * customers with a non-zero remainder, and each such customer gets at most one.
 *
 * Bounds: F <= 10^12, W <= 10^15, N <= 10^6 keep every product below 10^35,
 * well inside a signed 128-bit integer (1.7 * 10^38).
 */
#include "alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int ip_alloc_rank_cmp(const ip_alloc_item *a, const ip_alloc_item *b)
{
    if (a->rem != b->rem)
        return a->rem > b->rem ? -1 : 1;
    if (a->basis != b->basis)
        return a->basis > b->basis ? -1 : 1;
    if (a->nr != b->nr)
        return a->nr < b->nr ? -1 : 1;
    return 0;
}

/* ip_alloc_rank_cmp() for qsort() over pointers to the items. */
static int rank_cmp(const void *a, const void *b)
{
    ip_alloc_item *const *x = a, *const *y = b;
    return ip_alloc_rank_cmp(*x, *y);
}

ip_err ip_alloc_run(int64_t fee, int equal_percent, ip_alloc_item *items, size_t n,
                    ip_alloc_result *res, ip_diag *d)
{
    int64_t total = 0, floors = 0, remaining;
    size_t i, participants = 0, nrank = 0;
    ip_i128 den;
    ip_alloc_item **rank;

    memset(res, 0, sizeof *res);
    if (fee < 0 || fee > IP_ALLOC_MAX_FEE)
        return ip_diag_set(d, IP_ERR_UNALLOCATABLE, NULL, 0,
                           "expected a fee between 0 and 10^12 kr, found %lld",
                           (long long)fee);
    if (equal_percent < 0 || equal_percent > 100)
        return ip_diag_set(d, IP_ERR_UNALLOCATABLE, NULL, 0,
                           "expected an equal part between 0 and 100 %%, found %d",
                           equal_percent);
    if (n > IP_ALLOC_MAX_CUSTOMERS)
        return ip_diag_set(d, IP_ERR_UNALLOCATABLE, NULL, 0,
                           "expected at most %d customers, found %zu",
                           IP_ALLOC_MAX_CUSTOMERS, n);
    for (i = 0; i < n; i++) {
        if (items[i].basis < 0 || items[i].basis > IP_ALLOC_MAX_TOTAL - total)
            return ip_diag_set(d, IP_ERR_UNALLOCATABLE, NULL, 0,
                               "expected a basis total of at most 10^15, found more");
        total += items[i].basis;
        participants += items[i].basis > 0;
        items[i].num = items[i].num_equal = items[i].num_prop = items[i].rem = 0;
        items[i].floor = items[i].fee = 0;
        items[i].got_extra = 0;
    }
    res->total = total;
    res->participants = participants;
    if (fee == 0) {
        res->den = 1;
        return IP_OK;
    }
    if (total == 0)
        return ip_diag_set(d, IP_ERR_UNALLOCATABLE, NULL, 0,
                           "expected a basis above zero to share %lld kr, found a total of 0",
                           (long long)fee);

    if (equal_percent == 0)
        den = total;
    else
        den = (ip_i128)100 * (ip_i128)participants * total;
    res->den = den;

    rank = ip_xcalloc(n, sizeof *rank);
    for (i = 0; i < n; i++) {
        ip_alloc_item *it = &items[i];
        if (it->basis == 0 && equal_percent > 0)
            continue; /* non-participant: 0 */
        if (equal_percent == 0) {
            it->num_prop = (ip_i128)fee * it->basis;
        } else {
            it->num_equal = (ip_i128)fee * equal_percent * total;
            it->num_prop = (ip_i128)fee * (100 - equal_percent) * it->basis * (ip_i128)participants;
        }
        it->num = it->num_equal + it->num_prop;
        it->floor = (int64_t)(it->num / den);
        it->fee = it->floor;
        floors += it->floor;
        it->rem = it->num % den;
        rank[nrank++] = it;
    }
    remaining = fee - floors;
    res->remaining = remaining;
    if (remaining < 0 || (size_t)remaining > nrank) {
        free(rank);
        IP_BUG("largest remainder: %lld kronor left for %zu customers",
               (long long)remaining, nrank);
    }
    qsort(rank, nrank, sizeof *rank, rank_cmp);
    for (i = 0; i < (size_t)remaining; i++) {
        if (rank[i]->rem == 0) {
            free(rank);
            IP_BUG("largest remainder: krona %zu goes to a zero remainder", i);
        }
        rank[i]->fee++;
        rank[i]->got_extra = 1;
    }
    free(rank);
    return IP_OK;
}
