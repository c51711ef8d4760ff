/*
 * consolidate.c — rolls consolidated customers' bases into the customers
 * they are counted in, following chains and refusing cycles
 * (consolidate.h).
 */
#include "consolidate.h"

#include <inttypes.h>
#include <stdlib.h>

#include "alloc.h"
#include "util.h"

/* Slot of customer number nr in nrs[0..n) (ascending), or -1. */
static long slot_of(const uint32_t *nrs, size_t n, uint32_t nr)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (nrs[mid] == nr)
            return (long)mid;
        if (nrs[mid] < nr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

ip_err ip_consolidate(const ip_service *svc, const char *tariff_name, const uint32_t *nrs,
                      size_t n, const int64_t *raw, int64_t *basis, long *into, ip_diag *d)
{
    size_t i, k;
    unsigned char *state;
    long *path;
    for (k = 0; k < n; k++) {
        into[k] = -1;
        basis[k] = raw[k];
    }
    for (i = 0; i < svc->nconsolidations; i++) {
        const ip_consolidation *co = &svc->consolidations[i];
        long from = slot_of(nrs, n, co->from);
        long to = slot_of(nrs, n, co->into);
        if (from < 0)
            return ip_diag_set(d, IP_ERR_UNALLOCATABLE, tariff_name, co->line,
                               "expected a customer from customers.csv in consolidate from, "
                               "found %" PRIu32, co->from);
        if (to < 0)
            return ip_diag_set(d, IP_ERR_UNALLOCATABLE, tariff_name, co->line,
                               "expected a customer from customers.csv in consolidate into, "
                               "found %" PRIu32, co->into);
        if (into[from] >= 0)
            return ip_diag_set(d, IP_ERR_TARIFF, tariff_name, co->line,
                               "expected one consolidation of %" PRIu32 " in '%s', found a second",
                               co->from, svc->id);
        into[from] = to;
    }
    /* Resolve chains (a into b, b into c: a goes to c); a cycle is an error.
     * Each customer is walked once: the walk from k stops at the first
     * customer already resolved (its final slot is known) or at the end of
     * its chain, and everyone on the path gets that final slot, so chains
     * cost linear time in all. A walk that meets its own path has found a
     * cycle; customers are walked in slot order, so the message names the
     * same customer as following each chain to its end would. */
    state = ip_xcalloc(n ? n : 1, 1);   /* 0 open, 1 on the path, 2 resolved */
    path = ip_xmalloc((n ? n : 1) * sizeof *path);
    for (k = 0; k < n; k++) {
        size_t depth = 0, j;
        long cur = (long)k, final;
        if (state[k] == 2 || into[k] < 0)
            continue;
        while (state[cur] == 0 && into[cur] >= 0) {
            state[cur] = 1;
            path[depth++] = cur;
            cur = into[cur];
        }
        if (state[cur] == 1) {
            free(state);
            free(path);
            for (i = 0; i < svc->nconsolidations; i++)
                if (svc->consolidations[i].from == nrs[k])
                    break;
            return ip_diag_set(d, IP_ERR_TARIFF, tariff_name,
                               i < svc->nconsolidations ? svc->consolidations[i].line : svc->line,
                               "expected consolidations without a cycle in '%s', found one "
                               "through %" PRIu32, svc->id, nrs[k]);
        }
        /* cur ends a chain (into -1) or is resolved (into its final slot). */
        final = into[cur] >= 0 ? into[cur] : cur;
        for (j = 0; j < depth; j++) {
            into[path[j]] = final;
            state[path[j]] = 2;
        }
    }
    free(state);
    free(path);
    /* Each measured basis is at most 10^15 (basis.c), but many rolled into
     * one can pass any limit: the sum is checked, never wrapped. */
    for (k = 0; k < n; k++) {
        if (into[k] < 0)
            continue;
        if (raw[k] > IP_ALLOC_MAX_TOTAL - basis[into[k]]) {
            for (i = 0; i < svc->nconsolidations; i++)
                if (svc->consolidations[i].from == nrs[k])
                    break;
            return ip_diag_set(d, IP_ERR_UNALLOCATABLE, tariff_name,
                               i < svc->nconsolidations ? svc->consolidations[i].line : svc->line,
                               "expected the basis of %" PRIu32 " in '%s' after consolidation "
                               "to be at most 10^15 %s, found more with %" PRIu32 "'s %" PRId64
                               " from %s added",
                               nrs[into[k]], svc->id, svc->unit ? svc->unit : "", nrs[k], raw[k],
                               svc->file ? svc->file : "its file");
        }
        basis[into[k]] += raw[k];
        basis[k] = 0;
    }
    return IP_OK;
}

void ip_consolidate_members(const long *into, size_t n, size_t **start, size_t **members)
{
    size_t *st = ip_xcalloc(n + 1, sizeof *st), *fill, *m, k;
    for (k = 0; k < n; k++)
        if (into[k] >= 0)
            st[into[k] + 1]++;
    for (k = 0; k < n; k++)
        st[k + 1] += st[k];
    m = ip_xcalloc(st[n] ? st[n] : 1, sizeof *m);
    fill = ip_xcalloc(n ? n : 1, sizeof *fill);
    for (k = 0; k < n; k++)
        if (into[k] >= 0)
            m[st[into[k]] + fill[into[k]]++] = k;
    free(fill);
    *start = st;
    *members = m;
}
