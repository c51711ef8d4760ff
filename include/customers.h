/*
 * customers.h — the customer register, customers.csv (SPEC section 2.1).
 *
 * Required columns nr, name, group, org_nr, reference; optional street,
 * postcode, city. Numbers are unique digits; groups must exist in the tariff;
 * organisation numbers must have a valid check digit; reference must not be
 * empty. Every problem is reported with its line; when several rows are
 * wrong the first ten are listed in the diag's extra lines with the total.
 *
 * Customers are kept sorted by number; a "slot" is the index in that order
 * and is what the other modules use to index per-customer arrays.
 */
#ifndef IP_CUSTOMERS_H
#define IP_CUSTOMERS_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "tariff.h"

typedef struct ip_customer {
    uint32_t nr;
    char *name;
    const ip_group *group; /* borrowed from the tariff */
    size_t group_index;    /* index of group in tariff->groups */
    char org_nr[11];       /* 10 digits */
    char *reference;
    char *street, *postcode, *city; /* NULL when absent or empty */
    long line;
} ip_customer;

typedef struct ip_customers ip_customers;

/* Loads path (display name name). t must outlive the register. */
ip_err ip_customers_load(const char *path, const char *name, const ip_tariff *t,
                         ip_customers **out, ip_diag *d);

void ip_customers_free(ip_customers *c);

size_t ip_customers_count(const ip_customers *c);

/* Customer in slot i (0 <= i < count), valid until ip_customers_free. */
const ip_customer *ip_customers_at(const ip_customers *c, size_t slot);

/* Slot of customer number nr, or -1. O(1). */
long ip_customers_slot(const ip_customers *c, uint32_t nr);

#endif /* IP_CUSTOMERS_H */
