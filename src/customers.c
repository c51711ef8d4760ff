/*
 * customers.c — the customer register, customers.csv (SPEC section 2.1).
 *
 * The register is read with the common CSV reader (csv.h), so it accepts
 * what the statistics files accept: any of the three delimiters, quoting,
 * a BOM, columns in any order. Every field is trimmed of surrounding spaces.
 *
 * A register is typed by hand or exported through Excel, so one run should
 * show as many of its mistakes as is useful: every row is checked, the first
 * problem of each wrong row is kept, the first one becomes the diag's message
 * and the next ten its extra lines ("customers.csv:9: ..."), followed by
 * "and N more rows with errors" when there were more and "M rows with errors
 * in all". A broken CSV record (bad quoting, wrong field count, bad UTF-8)
 * stops the reading there.
 *
 * Customer numbers are at most six digits, so the number-to-slot lookup is a
 * plain array indexed by number (at most 4 MB, usually a few kilobytes since
 * it only reaches the largest number in use).
 */
#include "customers.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "parse.h"
#include "util.h"

#define MAX_NR 999999u      /* six digits */
#define LISTED_PROBLEMS 10  /* extra lines after the first problem */

struct ip_customers {
    ip_customer *items; /* sorted by nr */
    size_t n;
    int32_t *slot;      /* slot[nr] for nr < nslot, -1 where unused */
    size_t nslot;
};

/* The problems found so far, and where to report them. */
typedef struct problems {
    ip_diag *d;
    const char *name;
    size_t count; /* rows with errors */
} problems;

static void problem(problems *p, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void problem(problems *p, long line, const char *fmt, ...)
{
    char msg[IP_DIAG_MSG];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (p->count == 0)
        ip_diag_set(p->d, IP_ERR_DATA, p->name, line, "%s", msg);
    else if (p->count <= LISTED_PROBLEMS)
        ip_diag_add(p->d, "%s:%ld: %s", p->name, line, msg);
    p->count++;
}

static void problems_finish(problems *p)
{
    if (p->count > LISTED_PROBLEMS + 1)
        ip_diag_add(p->d, "and %zu more rows with errors", p->count - LISTED_PROBLEMS - 1);
    if (p->count > 1)
        ip_diag_add(p->d, "%zu rows with errors in all", p->count);
}

static void customer_release(ip_customer *c)
{
    free(c->name);
    free(c->reference);
    free(c->street);
    free(c->postcode);
    free(c->city);
}

void ip_customers_free(ip_customers *c)
{
    size_t i;
    if (!c)
        return;
    for (i = 0; i < c->n; i++)
        customer_release(&c->items[i]);
    free(c->items);
    free(c->slot);
    free(c);
}

size_t ip_customers_count(const ip_customers *c)
{
    return c->n;
}

const ip_customer *ip_customers_at(const ip_customers *c, size_t slot)
{
    if (slot >= c->n)
        IP_BUG("customer slot %zu of %zu", slot, c->n);
    return &c->items[slot];
}

long ip_customers_slot(const ip_customers *c, uint32_t nr)
{
    if (nr >= c->nslot)
        return -1;
    return c->slot[nr];
}

static int cmp_nr(const void *a, const void *b)
{
    const ip_customer *x = a, *y = b;
    return x->nr < y->nr ? -1 : x->nr > y->nr;
}

/* "'forvaltning' or 'bolag'" for the unknown-group message. */
static void group_list(const ip_tariff *t, ip_buf *b)
{
    size_t i;
    for (i = 0; i < t->ngroups; i++)
        ip_buf_addf(b, "%s'%s'", i == 0 ? "" : i + 1 == t->ngroups ? " or " : ", ",
                    t->groups[i].id);
}

/* Grows the number-to-line table (0 = unused, else the line where the
 * number first occurs) so that index nr exists. */
static void grow_seen(uint32_t **seen, size_t *len, uint32_t nr)
{
    size_t n = *len ? *len : 1024;
    if (nr < *len)
        return;
    while (n <= nr)
        n *= 2;
    if (n > (size_t)MAX_NR + 1)
        n = (size_t)MAX_NR + 1;
    *seen = ip_xrealloc(*seen, n * sizeof **seen);
    memset(*seen + *len, 0, (n - *len) * sizeof **seen);
    *len = n;
}

static char *opt_copy(const char *s, size_t n)
{
    return n ? ip_xstrndup(s, n) : NULL;
}

ip_err ip_customers_load(const char *path, const char *name, const ip_tariff *t,
                         ip_customers **out, ip_diag *d)
{
    enum { C_NR, C_NAME, C_GROUP, C_ORGNR, C_REF, C_STREET, C_POSTCODE, C_CITY, NCOLS };
    static const char *const colnames[NCOLS] = {"nr",        "name",   "group",    "org_nr",
                                                "reference", "street", "postcode", "city"};
    long col[NCOLS];
    ip_csv *csv = NULL;
    ip_customers *c = NULL;
    ip_customer *rows = NULL;
    size_t nrows = 0, alloc = 0, nseen = 0, i;
    uint32_t *seen = NULL;
    problems p;
    ip_buf groups;
    ip_err e;

    *out = NULL;
    ip_diag_clear(d);
    p.d = d;
    p.name = name;
    p.count = 0;
    ip_buf_init(&groups);
    group_list(t, &groups);

    if ((e = ip_csv_open(path, name, &csv, d)))
        goto out;
    for (i = 0; i < NCOLS; i++)
        if ((e = ip_csv_column(csv, colnames[i], i < C_STREET, &col[i], d)))
            goto out;

    for (;;) {
        const ip_field *f;
        int eof;
        const char *s[NCOLS];
        size_t n[NCOLS];
        char q[200], orgnr[11];
        int64_t nr;
        long line;
        const ip_group *g;
        ip_customer *cu;
        int rc;
        ip_diag cd;

        ip_diag_clear(&cd);
        if ((e = ip_csv_next(csv, &f, &eof, &cd))) {
            char buf[IP_DIAG_MSG + 600];
            if (p.count == 0) {
                *d = cd;
                goto out;
            }
            ip_diag_format(&cd, buf, sizeof buf);
            if (p.count <= LISTED_PROBLEMS)
                ip_diag_add(d, "%s (reading stopped there)", buf);
            p.count++;
            break;
        }
        if (eof)
            break;
        line = ip_csv_line(csv);
        for (i = 0; i < NCOLS; i++) {
            if (col[i] < 0) {
                s[i] = "";
                n[i] = 0;
                continue;
            }
            s[i] = f[col[i]].ptr;
            n[i] = f[col[i]].len;
            ip_trim(&s[i], &n[i]);
        }

        if (ip_parse_uint(s[C_NR], n[C_NR], &nr) != 0) {
            problem(&p, line, "expected a customer number of digits, found '%s'",
                    ip_quote(s[C_NR], n[C_NR], q, sizeof q));
            continue;
        }
        if (nr > MAX_NR) {
            problem(&p, line, "expected a customer number of at most 6 digits, found '%s'",
                    ip_quote(s[C_NR], n[C_NR], q, sizeof q));
            continue;
        }
        grow_seen(&seen, &nseen, (uint32_t)nr);
        if (seen[nr]) {
            problem(&p, line,
                    "expected a unique customer number, found %" PRId64
                    " again (first on line %" PRIu32 ")",
                    nr, seen[nr]);
            continue;
        }
        seen[nr] = line > 0 && line < (long)UINT32_MAX ? (uint32_t)line : UINT32_MAX;
        if (n[C_NAME] == 0) {
            problem(&p, line, "expected a customer name, found an empty field");
            continue;
        }
        g = NULL;
        for (i = 0; i < t->ngroups; i++)
            if (strlen(t->groups[i].id) == n[C_GROUP] &&
                !memcmp(t->groups[i].id, s[C_GROUP], n[C_GROUP]))
                g = &t->groups[i];
        if (!g) {
            problem(&p, line, "expected a group of the tariff (%s), found '%s'", groups.buf,
                    ip_quote(s[C_GROUP], n[C_GROUP], q, sizeof q));
            continue;
        }
        rc = ip_parse_orgnr(s[C_ORGNR], n[C_ORGNR], orgnr);
        if (rc == -2) {
            problem(&p, line,
                    "expected an organisation number with a valid check digit, found '%s'",
                    ip_quote(s[C_ORGNR], n[C_ORGNR], q, sizeof q));
            continue;
        }
        if (rc != 0) {
            problem(&p, line, "expected an organisation number NNNNNN-NNNN, found '%s'",
                    ip_quote(s[C_ORGNR], n[C_ORGNR], q, sizeof q));
            continue;
        }
        if (n[C_REF] == 0) {
            problem(&p, line, "expected a buyer reference, found an empty field");
            continue;
        }
        ip_xgrow((void **)&rows, &alloc, nrows + 1, sizeof *rows);
        cu = &rows[nrows++];
        memset(cu, 0, sizeof *cu);
        cu->nr = (uint32_t)nr;
        cu->name = ip_xstrndup(s[C_NAME], n[C_NAME]);
        cu->group = g;
        cu->group_index = (size_t)(g - t->groups);
        memcpy(cu->org_nr, orgnr, sizeof cu->org_nr);
        cu->reference = ip_xstrndup(s[C_REF], n[C_REF]);
        cu->street = opt_copy(s[C_STREET], n[C_STREET]);
        cu->postcode = opt_copy(s[C_POSTCODE], n[C_POSTCODE]);
        cu->city = opt_copy(s[C_CITY], n[C_CITY]);
        cu->line = line;
    }

    if (p.count) {
        problems_finish(&p);
        e = IP_ERR_DATA;
        goto out;
    }
    if (nrows == 0) {
        e = ip_diag_set(d, IP_ERR_DATA, name, 0, "expected at least one customer, found none");
        goto out;
    }

    qsort(rows, nrows, sizeof *rows, cmp_nr);
    c = ip_xcalloc(1, sizeof *c);
    c->items = rows;
    c->n = nrows;
    rows = NULL;
    c->nslot = (size_t)c->items[c->n - 1].nr + 1;
    c->slot = ip_xmalloc(c->nslot * sizeof *c->slot);
    for (i = 0; i < c->nslot; i++)
        c->slot[i] = -1;
    for (i = 0; i < c->n; i++)
        c->slot[c->items[i].nr] = (int32_t)i;
    *out = c;
    e = IP_OK;
out:
    if (rows) {
        for (i = 0; i < nrows; i++)
            customer_release(&rows[i]);
        free(rows);
    }
    free(seen);
    ip_buf_release(&groups);
    ip_csv_free(csv);
    return e;
}
