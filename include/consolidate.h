/*
 * consolidate.h — consolidation (SPEC section 1): a service may roll one
 * customer's basis into another's ("ingår i Stadsledningskontorets antal"),
 * before the allocation. Pure: no I/O, no global state.
 *
 * The basis of `from` is added to `into` and `from` keeps 0. Chains are
 * followed: `a into b` and `b into c` send a's basis to c (README,
 * "Consolidation chains"). Customers are register slots (customers.h): the
 * caller hands in the register's customer numbers in slot order, which is
 * ascending.
 */
#ifndef IP_CONSOLIDATE_H
#define IP_CONSOLIDATE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "tariff.h"

/* Applies svc's consolidations to the measured bases raw[0..n) of the
 * customers numbered nrs[0..n) (ascending). Fills basis[0..n), the bases the
 * allocation shares by, and into[0..n), the slot each customer's basis
 * finally went to, or -1 for a customer not consolidated. tariff_name names
 * the tariff in messages, with the line of the consolidation (or of the
 * service). Errors: IP_ERR_UNALLOCATABLE when from or into is not in the
 * register; IP_ERR_TARIFF for a second consolidation of one customer and for
 * a cycle. On an error basis and into are partial. */
ip_err ip_consolidate(const ip_service *svc, const char *tariff_name, const uint32_t *nrs,
                      size_t n, const int64_t *raw, int64_t *basis, long *into, ip_diag *d);

/* Who is counted in whom, the other way round: for into[0..n) as
 * ip_consolidate() fills it, (*members)[(*start)[k] .. (*start)[k + 1]) are
 * the slots whose basis went to slot k, ascending. *start has n + 1
 * entries; both are on the heap (free() them). One pass each way, so that a
 * writer asking for every customer's consolidated customers pays O(n) in
 * all instead of a scan of every slot per customer. */
void ip_consolidate_members(const long *into, size_t n, size_t **start, size_t **members);

#endif /* IP_CONSOLIDATE_H */
