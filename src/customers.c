/*
 * customers.c — the customer register, customers.csv (SPEC section 2.1).
 *
 * The register is read with the common CSV reader (csv.h), so it accepts
 * what the statistics files accept: any of the three delimiters, quoting,
 * a BOM, columns in any order. Every field is trimmed of surrounding spaces.
 *
 * A register is typed by hand or exported through Excel, so one run should
 * show as many of its mistakes as is useful: every row is checked and the
 * first problem of each wrong row goes to the list of bad rows (rowerrs.h:
 * the first is the diag's message, ten more are listed, then the total),
 * the same list the statistics files give. A broken CSV record (bad quoting,
 * wrong field count, bad UTF-8) stops the reading there.
 *
 * Customer numbers are at most six digits, so the number-to-slot lookup is a
 * plain array indexed by number (at most 4 MB, usually a few kilobytes since
 * it only reaches the largest number in use).
 */
#include "customers.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "digest.h"
#include "parse.h"
#include "rowerrs.h"
#include "utf8.h"
#include "util.h"

#define MAX_NR 999999u /* six digits */

struct ip_customers {
    ip_customer *items; /* sorted by nr */
    size_t n;
    int32_t *slot;      /* slot[nr] for nr < nslot, -1 where unused */
    size_t nslot;
};

static void customer_release(ip_customer *c)
{
    free(c->name);
    free(c->reference);
    free(c->street);
    free(c->postcode);
    free(c->city);
    free(c->cost_centre);
    free(c->endpoint_id);
}

int ip_customer_is_internal(const ip_customer *c, const ip_tariff *t)
{
    return t->seller.org_nr && strcmp(c->org_nr, t->seller.org_nr) == 0;
}

const char *ip_customer_cost_centre(const ip_customer *c, char *buf, size_t size)
{
    if (c->cost_centre)
        snprintf(buf, size, "%s", c->cost_centre);
    else
        snprintf(buf, size, "%" PRIu32, c->nr);
    return buf;
}

int ip_is_object_code(const char *s, size_t n)
{
    size_t i;
    if (n < 1 || n > 20)
        return 0;
    for (i = 0; i < n; i++) {
        char ch = s[i];
        int alnum = (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z');
        if (!alnum && !(i > 0 && (ch == '-' || ch == '_')))
            return 0;
    }
    return 1;
}

int ip_is_gln(const char *s, size_t n)
{
    size_t i;
    int sum = 0;
    if (n != 13)
        return 0;
    for (i = 0; i < 13; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    /* GS1: weights 3, 1, 3, … from the digit left of the check digit */
    for (i = 0; i < 12; i++)
        sum += (s[11 - i] - '0') * (i % 2 == 0 ? 3 : 1);
    return (10 - sum % 10) % 10 == s[12] - '0';
}

/* "0007:<org nr>" or "0088:<GLN>" into scheme[5] and a heap id; 0, or -1
 * with *why saying what is wrong. */
static int parse_endpoint(const char *s, size_t n, char scheme[5], char **id, const char **why)
{
    char digits[11];
    *why = "expected a PEPPOL endpoint 0007:<organisation number> or 0088:<GLN>";
    if (n < 6 || s[4] != ':')
        return -1;
    if (!memcmp(s, "0007", 4)) {
        int rc = ip_parse_orgnr(s + 5, n - 5, digits);
        if (rc == -2)
            *why = "expected an endpoint 0007:<organisation number> with a valid check digit";
        if (rc != 0)
            return -1;
        *id = ip_xstrdup(digits);
    } else if (!memcmp(s, "0088", 4)) {
        if (!ip_is_gln(s + 5, n - 5)) {
            *why = "expected an endpoint 0088:<GLN> of 13 digits with a valid check digit";
            return -1;
        }
        *id = ip_xstrndup(s + 5, n - 5);
    } else {
        return -1;
    }
    memcpy(scheme, s, 4);
    scheme[4] = '\0';
    return 0;
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

/* The register over rows[0..n) (taken over, n >= 1): sorted by number, with
 * the number-to-slot table. */
static ip_customers *index_rows(ip_customer *rows, size_t n)
{
    ip_customers *c = ip_xcalloc(1, sizeof *c);
    size_t i;
    qsort(rows, n, sizeof *rows, cmp_nr);
    c->items = rows;
    c->n = n;
    c->nslot = (size_t)c->items[c->n - 1].nr + 1;
    c->slot = ip_xmalloc(c->nslot * sizeof *c->slot);
    for (i = 0; i < c->nslot; i++)
        c->slot[i] = -1;
    for (i = 0; i < c->n; i++)
        c->slot[c->items[i].nr] = (int32_t)i;
    return c;
}

static char *copy_or_null(const char *s)
{
    return s ? ip_xstrdup(s) : NULL;
}

ip_customers *ip_customers_new(const ip_customer *list, size_t n)
{
    ip_customer *rows;
    size_t i, j;
    if (n == 0)
        IP_BUG("a register of no customers");
    rows = ip_xcalloc(n, sizeof *rows);
    for (i = 0; i < n; i++) {
        if (list[i].nr > MAX_NR || !list[i].name || !list[i].group)
            IP_BUG("customer %" PRIu32 " of a register made in memory", list[i].nr);
        for (j = 0; j < i; j++)
            if (list[j].nr == list[i].nr)
                IP_BUG("customer %" PRIu32 " twice in a register made in memory", list[i].nr);
        rows[i] = list[i];
        rows[i].name = ip_xstrdup(list[i].name);
        rows[i].reference = copy_or_null(list[i].reference);
        rows[i].street = copy_or_null(list[i].street);
        rows[i].postcode = copy_or_null(list[i].postcode);
        rows[i].city = copy_or_null(list[i].city);
        rows[i].cost_centre = copy_or_null(list[i].cost_centre);
        rows[i].endpoint_id = copy_or_null(list[i].endpoint_id);
    }
    return index_rows(rows, n);
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

static int cmp_cost_centre(const void *a, const void *b)
{
    const ip_customer *const *x = a, *const *y = b;
    char ba[24], bb[24];
    int c = strcmp(ip_customer_cost_centre(*x, ba, sizeof ba),
                   ip_customer_cost_centre(*y, bb, sizeof bb));
    if (c)
        return c;
    return (*x)->line < (*y)->line ? -1 : (*x)->line > (*y)->line;
}

/* The departments' cost centres (the given ones and the numbers standing in
 * for them) name one department each: they are the objects the internal
 * postings debit. */
static void unique_cost_centres(ip_rowerrs *re, ip_customer *rows, size_t n,
                                const ip_tariff *t)
{
    const ip_customer **v = ip_xcalloc(n + 1, sizeof *v);
    size_t m = 0, i;
    for (i = 0; i < n; i++)
        if (ip_customer_is_internal(&rows[i], t))
            v[m++] = &rows[i];
    qsort(v, m, sizeof *v, cmp_cost_centre);
    for (i = 1; i < m; i++) {
        char a[24], b[24];
        if (strcmp(ip_customer_cost_centre(v[i - 1], a, sizeof a),
                   ip_customer_cost_centre(v[i], b, sizeof b)))
            continue;
        ip_rowerrs_add(re, IP_ERR_DATA, v[i]->line,
                       "expected a cost centre of its own for each department, found '%s' "
                       "again (customer %" PRIu32 " on line %ld has it%s)",
                       b, v[i - 1]->nr, v[i - 1]->line,
                       v[i - 1]->cost_centre ? "" : " as its number");
    }
    free(v);
}

static char *opt_copy(const char *s, size_t n)
{
    return n ? ip_xstrndup(s, n) : NULL;
}

ip_err ip_customers_load(const char *path, const char *name, const ip_tariff *t,
                         ip_customers **out, ip_diag *d)
{
    return ip_customers_load_ex(path, name, t, out, NULL, NULL, d);
}

/* The reader's tap: every byte read goes to the digest. */
static void digest_feed(void *ctx, const unsigned char *p, size_t n)
{
    ip_digest_feed(ctx, p, n);
}

ip_err ip_customers_load_ex(const char *path, const char *name, const ip_tariff *t,
                            ip_customers **out, char sha256[65], uint64_t *bytes, ip_diag *d)
{
    enum { C_NR, C_NAME, C_GROUP, C_ORGNR, C_REF, C_STREET, C_POSTCODE, C_CITY, C_COSTC,
           C_ENDPOINT, NCOLS };
    static const char *const colnames[NCOLS] = {"nr",        "name",   "group",    "org_nr",
                                                "reference", "street", "postcode", "city",
                                                "cost_centre", "endpoint"};
    long col[NCOLS];
    ip_csv *csv = NULL;
    ip_customers *c = NULL;
    ip_customer *rows = NULL;
    size_t nrows = 0, alloc = 0, nseen = 0, i;
    uint32_t *seen = NULL;
    ip_rowerrs re;
    ip_buf groups;
    ip_digest *dg = sha256 ? ip_digest_new(0) : NULL;
    ip_csv_tap tap = {dg, digest_feed, NULL};
    ip_csv_opts opts;
    ip_err e;

    *out = NULL;
    ip_diag_clear(d);
    ip_rowerrs_init(&re, d, name);
    ip_buf_init(&groups);
    group_list(t, &groups);
    memset(&opts, 0, sizeof opts);
    opts.tap = dg ? &tap : NULL;

    if ((e = ip_csv_open_ex(path, name, &opts, &csv, d)))
        goto out;
    for (i = 0; i < NCOLS; i++)
        if ((e = ip_csv_column(csv, colnames[i], i < C_STREET, &col[i], d)))
            goto out;

    for (;;) {
        const ip_field *f;
        int eof;
        const char *s[NCOLS];
        size_t n[NCOLS];
        char q[200], orgnr[11], scheme[5], *endpoint_id;
        const char *why;
        int64_t nr;
        long line;
        const ip_group *g;
        ip_customer *cu;
        int rc;
        ip_diag cd;

        ip_diag_clear(&cd);
        if ((e = ip_csv_next(csv, &f, &eof, &cd))) {
            ip_rowerrs_stop(&re, &cd);
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

        /* the texts that reach the invoice, the workbook and report.txt:
         * what none of them can carry is refused here, not at write time */
        {
            static const int texts[] = {C_NAME, C_REF, C_STREET, C_POSTCODE, C_CITY};
            ip_text_fault tf;
            char where[40], msg[200];
            size_t x;
            for (x = 0; x < sizeof texts / sizeof texts[0]; x++)
                if (ip_utf8_text_check(s[texts[x]], n[texts[x]], 1, &tf))
                    break;
            if (x < sizeof texts / sizeof texts[0]) {
                snprintf(where, sizeof where, "column '%s'", colnames[texts[x]]);
                ip_rowerrs_add(&re, IP_ERR_DATA, line, "%s",
                               ip_utf8_text_msg(&tf, where, msg, sizeof msg));
                continue;
            }
        }
        /* fees.csv and ledger.csv carry the name as it is, and a spreadsheet
         * opening them takes a field that starts so for a formula (a live
         * link, a DDE command): no department's name starts so */
        if (n[C_NAME] && strchr("=+-@", s[C_NAME][0])) {
            ip_rowerrs_add(&re, IP_ERR_DATA, line,
                           "expected a name that does not start with '%c' (a spreadsheet "
                           "opening fees.csv or ledger.csv takes it for a formula), found '%s'",
                           s[C_NAME][0], ip_quote(s[C_NAME], n[C_NAME], q, sizeof q));
            continue;
        }
        if (ip_parse_uint(s[C_NR], n[C_NR], &nr) != 0) {
            ip_rowerrs_add(&re, IP_ERR_DATA, line,
                           "expected a customer number of digits, found '%s'",
                           ip_quote(s[C_NR], n[C_NR], q, sizeof q));
            continue;
        }
        if (nr > MAX_NR) {
            ip_rowerrs_add(&re, IP_ERR_DATA, line,
                           "expected a customer number of at most 6 digits, found '%s'",
                           ip_quote(s[C_NR], n[C_NR], q, sizeof q));
            continue;
        }
        grow_seen(&seen, &nseen, (uint32_t)nr);
        if (seen[nr]) {
            ip_rowerrs_add(&re, IP_ERR_DATA, line,
                           "expected a unique customer number, found %" PRId64
                           " again (first on line %" PRIu32 ")",
                           nr, seen[nr]);
            continue;
        }
        seen[nr] = line > 0 && line < (long)UINT32_MAX ? (uint32_t)line : UINT32_MAX;
        if (n[C_NAME] == 0) {
            ip_rowerrs_add(&re, IP_ERR_DATA, line,
                           "expected a customer name, found an empty field");
            continue;
        }
        g = NULL;
        for (i = 0; i < t->ngroups; i++)
            if (strlen(t->groups[i].id) == n[C_GROUP] &&
                !memcmp(t->groups[i].id, s[C_GROUP], n[C_GROUP]))
                g = &t->groups[i];
        if (!g) {
            ip_rowerrs_add(&re, IP_ERR_DATA, line,
                           "expected a group of the tariff (%s), found '%s'", groups.buf,
                           ip_quote(s[C_GROUP], n[C_GROUP], q, sizeof q));
            continue;
        }
        rc = ip_parse_orgnr(s[C_ORGNR], n[C_ORGNR], orgnr);
        if (rc == -2) {
            ip_rowerrs_add(&re, IP_ERR_DATA, line,
                           "expected an organisation number with a valid check digit, found '%s'",
                           ip_quote(s[C_ORGNR], n[C_ORGNR], q, sizeof q));
            continue;
        }
        if (rc != 0) {
            ip_rowerrs_add(&re, IP_ERR_DATA, line,
                           "expected an organisation number NNNNNN-NNNN, found '%s'",
                           ip_quote(s[C_ORGNR], n[C_ORGNR], q, sizeof q));
            continue;
        }
        if (n[C_REF] == 0) {
            ip_rowerrs_add(&re, IP_ERR_DATA, line,
                           "expected a buyer reference, found an empty field");
            continue;
        }
        if (n[C_COSTC] && !ip_is_object_code(s[C_COSTC], n[C_COSTC])) {
            ip_rowerrs_add(&re, IP_ERR_DATA, line,
                           "expected a cost centre of 1 to 20 letters, digits, '-' or '_', "
                           "found '%s'",
                           ip_quote(s[C_COSTC], n[C_COSTC], q, sizeof q));
            continue;
        }
        endpoint_id = NULL;
        if (n[C_ENDPOINT] &&
            parse_endpoint(s[C_ENDPOINT], n[C_ENDPOINT], scheme, &endpoint_id, &why) != 0) {
            ip_rowerrs_add(&re, IP_ERR_DATA, line, "%s, found '%s'", why,
                           ip_quote(s[C_ENDPOINT], n[C_ENDPOINT], q, sizeof q));
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
        cu->cost_centre = opt_copy(s[C_COSTC], n[C_COSTC]);
        if (endpoint_id) {
            memcpy(cu->endpoint_scheme, scheme, sizeof cu->endpoint_scheme);
            cu->endpoint_id = endpoint_id;
        }
        cu->line = line;
    }
    if (!re.count)
        unique_cost_centres(&re, rows, nrows, t);

    if ((e = ip_rowerrs_finish(&re)))
        goto out;
    if (nrows == 0) {
        e = ip_diag_set(d, IP_ERR_DATA, name, 0, "expected at least one customer, found none");
        goto out;
    }

    c = index_rows(rows, nrows);
    rows = NULL;
    *out = c;
    e = IP_OK;
    if (dg) { /* the file has been read to its end: the digest of what was used */
        ip_digest_final(dg, sha256);
        if (bytes)
            *bytes = ip_digest_bytes(dg);
    }
out:
    if (rows) {
        for (i = 0; i < nrows; i++)
            customer_release(&rows[i]);
        free(rows);
    }
    free(seen);
    ip_buf_release(&groups);
    ip_csv_free(csv);
    ip_digest_free(dg);
    return e;
}
