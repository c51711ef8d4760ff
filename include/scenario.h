/*
 * scenario.h — the budget run's what-if (`internpris scenario`): one price
 * year computed under the decided tariff (ROOT/Y/tariff.xml) and under one
 * or more proposed tariffs, on the same statistics, customer by customer.
 *
 * Every computation is ip_run_compute_many()'s (run.h): the same reading,
 * consolidation and allocation as `run`, each statistics file read once for
 * all the tariffs. Nothing here allocates a fee of its own except the one
 * allocation the explanation of a difference needs (below), which goes
 * through alloc.h like every other.
 *
 * Services are matched by id. The scenario's services are the decided
 * tariff's in its order, then those only proposals have, in the order the
 * first proposal naming them gives. A tariff without a service charges 0 kr
 * for it.
 *
 * The split of a difference. For customer i and service s, the decided fee
 * f0 = A(F0; K0, w0)_i (fixed fee F0 allocated by key K0 on basis w0: the
 * window, filters, value column and consolidations measured) and proposal
 * j's fee f1 = A(F1; K1, w1)_i differ by d = f1 - f0. With the counter-
 * factual fee c = A(F1; K0, w0)_i — the proposed fixed fee allocated by the
 * same largest-remainder rule on the decided key and basis —
 *     fee part   = c - f0   (what the changed fixed fee alone would do)
 *     basis part = f1 - c   (what the changed key, window or filter adds)
 * so fee part + basis part = d exactly, in whole kronor, and the per-service
 * and per-customer sums of each part add up the same way. Where the proposal
 * changes neither key nor basis, c = f1 and the basis part is 0; where it
 * keeps the fixed fee, c = f0 and the fee part is 0. A new service (not in
 * the decided tariff) or a removed one counts whole as a change of the fixed
 * fee (from or to nothing). When the decided basis is empty (W0 = 0, so F0
 * was 0) and the proposal charges a fee, c cannot be allocated: the whole
 * difference is the fee part.
 */
#ifndef IP_SCENARIO_H
#define IP_SCENARIO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "run.h"

/* How the difference of one service under one proposal is split. */
typedef enum ip_scn_split {
    IP_SCN_SPLIT_NONE = 0,    /* the decided tariff itself (j = 0), or no tariff has it */
    IP_SCN_SPLIT_BOTH,        /* both tariffs have the service: fee part c - f0, basis part f1 - c */
    IP_SCN_SPLIT_NEW,         /* only the proposal has it: all fee part */
    IP_SCN_SPLIT_REMOVED,     /* only the decided tariff has it: all fee part */
    IP_SCN_SPLIT_EMPTY_BASIS  /* both have it, the decided basis is empty: all fee part */
} ip_scn_split;

/* One service of the scenario. Arrays [j * ncust + slot] are per tariff j
 * (0 the decided one, 1..nruns-1 the proposals) and register slot. */
typedef struct ip_scn_svc {
    const char *id;        /* borrowed from the first tariff that has it */
    const char *name;
    long *at;              /* [nruns]: index into runs[j]->svc, -1 when tariff j lacks it */
    int64_t *fee;          /* fee of tariff j, 0 where it lacks the service */
    int64_t *counter;      /* c for j >= 1 (see above); the fee itself for j = 0 */
    ip_scn_split *split;   /* [nruns] */
    int *basis_changed;    /* [nruns]: 1 when tariff j's key or basis differs from the
                              decided one's (window, snapshot, filters, file, columns,
                              key, equal part, consolidations) */
} ip_scn_svc;

typedef struct ip_scenario {
    int year;
    char *name;            /* --name, or "Scenario Y" */
    ip_run **runs;         /* [nruns]: runs[0] the decided tariff */
    size_t nruns;
    char **labels;         /* [nruns]: "Beslutad", "Förslag 1", … */
    ip_scn_svc *svc;
    size_t nsvc;
    size_t ncust;          /* the register's (the same for every tariff) */
} ip_scenario;

/* Computes the year o->year under the decided tariff and proposals[0..n)
 * (n >= 1), last year's fees read from output_root (fees.h) for the decided
 * tariff's Y-1 column; name may be NULL. Writes nothing. Errors as
 * ip_run_compute() reports them (IP_ERR_TARIFF with the proposal's
 * file:line, IP_ERR_UNALLOCATABLE for a proposal that cannot be allocated,
 * …) and as ip_fees_take_prev(). */
ip_err ip_scenario_compute(const ip_run_opts *o, const char *const *proposals, size_t n,
                           const char *output_root, const char *name, ip_scenario **out,
                           ip_diag *d);

void ip_scenario_free(ip_scenario *s);

/* Fee of service si under tariff j for slot; 0 where the tariff lacks it. */
int64_t ip_scenario_fee(const ip_scenario *s, size_t si, size_t j, size_t slot);

/* The part of fee(j) - fee(0) that comes from the fixed fee (see above);
 * the rest, ip_scenario_basis_part(), from the key, window or filter. */
int64_t ip_scenario_fee_part(const ip_scenario *s, size_t si, size_t j, size_t slot);
int64_t ip_scenario_basis_part(const ip_scenario *s, size_t si, size_t j, size_t slot);

/* The fixed fee of service si in tariff j, 0 where it lacks the service. */
int64_t ip_scenario_fixed_fee(const ip_scenario *s, size_t si, size_t j);

/* Sum over the scenario's services of the customer's fee under tariff j. */
int64_t ip_scenario_customer_total(const ip_scenario *s, size_t j, size_t slot);

/* Tariff j's result for service si, or NULL where it lacks the service. */
const ip_svc_result *ip_scenario_result(const ip_scenario *s, size_t si, size_t j);

/* A difference in per cent of base, Swedish style with one decimal and a
 * sign: "+8,3 %", "-12,0 %", "0,0 %"; "–" when base is 0. Rounded half away
 * from zero, integer arithmetic. Returns buf. */
const char *ip_scenario_pct(int64_t diff, int64_t base, char *buf, size_t size);

/* The comparison as text on f: per service and customer the decided fee,
 * each proposal's fee and the difference in kr and %, with the service's
 * total; then per customer the totals and last year's. Rows that are 0 kr
 * under every tariff are left out (they add nothing to any total).
 * Errors: IP_ERR_IO when writing fails. */
ip_err ip_scenario_print(const ip_scenario *s, FILE *f, ip_diag *d);

/* `explain --tariff` (scenario_explain.c): for customer customer_nr, every
 * service (or the one with id service_id) under the decided tariff and each
 * proposal — fixed fee, key and basis, the customer's basis and the total —
 * and the difference split into the fixed fee's part and the key's or
 * basis's part as defined above, with the numbers; then the customer's
 * totals and the sums of the parts. Errors: IP_ERR_USAGE for a customer not
 * in the register or a service no tariff has (nothing written); IP_ERR_IO. */
ip_err ip_scenario_explain(const ip_scenario *s, uint32_t customer_nr, const char *service_id,
                           FILE *f, ip_diag *d);

/* The key, window or snapshot, filters and consolidations of svc in one
 * line of text (explain, the comparison workbook). Heap string. */
char *ip_scenario_basis_text(const ip_service *svc);

#endif /* IP_SCENARIO_H */
