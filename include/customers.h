/*
 * customers.h — the customer register, customers.csv (SPEC section 2.1).
 *
 * Required columns nr, name, group, org_nr, reference; optional street,
 * postcode, city, cost_centre, endpoint. Numbers are unique digits; groups
 * must exist in the tariff; organisation numbers must have a valid check
 * digit; reference must not be empty. cost_centre is an object code
 * ([A-Za-z0-9][A-Za-z0-9_-]{0,19}) and, with the customer number for those
 * without one, unique among the customers that carry the seller's
 * organisation number (they are the cost centres of the internal postings,
 * sie.h). endpoint is the customer's PEPPOL electronic address,
 * "0007:<organisation number>" or "0088:<GLN>" with valid check digits.
 * Every problem is reported with its line; when several rows are wrong they
 * are listed as rowerrs.h says: the first as the diag's message, ten more in
 * its extra lines, then the total.
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
    char *cost_centre;     /* NULL: the customer number is the cost centre */
    char endpoint_scheme[5]; /* "0007", "0088"; "" when absent */
    char *endpoint_id;     /* NULL when absent: the org nr under 0007 is used */
    long line;
} ip_customer;

typedef struct ip_customers ip_customers;

/* Loads path (display name name). t must outlive the register. */
ip_err ip_customers_load(const char *path, const char *name, const ip_tariff *t,
                         ip_customers **out, ip_diag *d);

/* The same, and the SHA-256 (lower-case hex) and size of the bytes the
 * register was read from (sha256 NULL: none), from the one read. */
ip_err ip_customers_load_ex(const char *path, const char *name, const ip_tariff *t,
                            ip_customers **out, char sha256[65], uint64_t *bytes, ip_diag *d);

/* A register of the n >= 1 customers list[0..n) made in memory, e.g. by a
 * test (their strings are copied, group is borrowed). The numbers must be
 * unique and at most six digits; nothing else is checked. */
ip_customers *ip_customers_new(const ip_customer *list, size_t n);

void ip_customers_free(ip_customers *c);

size_t ip_customers_count(const ip_customers *c);

/* Customer in slot i (0 <= i < count), valid until ip_customers_free. */
const ip_customer *ip_customers_at(const ip_customers *c, size_t slot);

/* Slot of customer number nr, or -1. O(1). */
long ip_customers_slot(const ip_customers *c, uint32_t nr);

/* 1 when c carries the seller's organisation number: one of the city's own
 * departments, whose documents are internal postings, not VAT invoices. */
int ip_customer_is_internal(const ip_customer *c, const ip_tariff *t);

/* The customer's cost centre: its cost_centre, else its number, into
 * buf[size] (at least 21 bytes); returns buf. */
const char *ip_customer_cost_centre(const ip_customer *c, char *buf, size_t size);

/* 1 when s (length n) is an object code [A-Za-z0-9][A-Za-z0-9_-]{0,19}. */
int ip_is_object_code(const char *s, size_t n);

/* 1 when the 13 digits of s are a GS1 GLN with a valid check digit. */
int ip_is_gln(const char *s, size_t n);

#endif /* IP_CUSTOMERS_H */
