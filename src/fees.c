/*
 * fees.c — writes this year's fees.csv and reads last year's.
 *
 * fees.csv is both the audit trail of a run and the "Y-1" column of the next
 * one, so the reader is as strict as any other input reader: a malformed
 * previous table stops the run instead of silently showing wrong history;
 * its bad rows are listed as every reader lists them (rowerrs.h).
 */
#include "fees.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv.h"
#include "csv_write.h"
#include "files.h"
#include "parse.h"
#include "rowerrs.h"
#include "stage.h"
#include "util.h"

ip_err ip_fees_write(const ip_run *r, FILE *f, const char *name, ip_diag *d)
{
    size_t s, k;
    fputs("year;service;customer;name;basis;basis_total;fee\n", f);
    for (s = 0; s < r->nsvc; s++) {
        const ip_svc_result *sr = &r->svc[s];
        for (k = 0; k < r->ncust; k++) {
            const ip_customer *c = ip_customers_at(r->customers, k);
            fprintf(f, "%d;%s;%" PRIu32 ";", r->year, sr->svc->id, c->nr);
            ip_csv_put_field(f, c->name);
            fprintf(f, ";%" PRId64 ";%" PRId64 ";%" PRId64 "\n", sr->basis[k],
                    sr->alloc.total, sr->items[k].fee);
        }
    }
    if (ferror(f))
        return ip_write_failed(d, name, errno);
    return IP_OK;
}

/* Reads one integer field or fails with the line. */
static ip_err prev_int(const ip_csv *c, const ip_field *fl, const char *what, int64_t *out,
                       ip_diag *d)
{
    char q[200];
    if (ip_parse_uint(fl->ptr, fl->len, out) == 0)
        return IP_OK;
    return ip_diag_set(d, IP_ERR_DATA, ip_csv_name(c), ip_csv_line(c),
                       "expected %s as a whole number of 0 or more, found '%s'", what,
                       ip_quote(fl->ptr, fl->len, q, sizeof q));
}

/* The largest fee the tariff allows (tariff.h), of one customer and of a
 * service's customers together. */
#define MAX_FEE INT64_C(1000000000000)

/* Reads a fees.csv of `year` into fee[] and basis[] (indexed s * ncust +
 * slot; rows absent from the file are left as the caller set them) and
 * basis_total[s]; seen_svc[s] tells which services the file holds. Every
 * row is held to what a run writes: fields trimmed, a fee of at most
 * 10^12 kr, a basis of at most its basis_total (numbers have at most 15
 * digits, parse.h), which is the same on every row of its service, and a service's fees adding up to
 * at most 10^12 kr. */
static ip_err read_table(const ip_run *r, const char *path, int year, int64_t *fee_out,
                         int64_t *basis_out, int64_t *basis_total, int *seen_svc, ip_diag *d)
{
    static const char *const cols[] = {"year", "service", "customer", "fee", "basis", "basis_total"};
    long idx[6];
    ip_csv *c = NULL;
    ip_err e;
    size_t s, i;
    unsigned char *seen_row = NULL;
    ip_rowerrs re;
    ip_diag rd;
    long *total_line = NULL; /* [s]: the line of the service's first row, 0 before */
    int64_t *fee_sum = NULL;

    /* a link may lead only within its folder (files.h), so no error line
     * quotes a file from elsewhere */
    if ((e = ip_files_check_link(path, path, d)))
        return e;
    e = ip_csv_open(path, path, &c, d);
    if (e)
        return e;
    for (i = 0; i < 6; i++)
        if ((e = ip_csv_column(c, cols[i], 1, &idx[i], d)))
            goto out;
    seen_row = ip_xcalloc(r->nsvc * r->ncust, 1);
    total_line = ip_xcalloc(r->nsvc ? r->nsvc : 1, sizeof *total_line);
    fee_sum = ip_xcalloc(r->nsvc ? r->nsvc : 1, sizeof *fee_sum);
    ip_rowerrs_init(&re, d, path);
    for (;;) {
        const ip_field *f;
        int eof;
        int64_t y, nr, fee, basis, total;
        const char *sv;
        size_t svn;
        char q[200];
        long slot, line;
        size_t at;
        ip_diag_clear(&rd);
        if ((e = ip_csv_next(c, &f, &eof, &rd))) {
            ip_rowerrs_stop(&re, &rd); /* a broken record ends the reading */
            break;
        }
        if (eof)
            break;
        if ((e = prev_int(c, &f[idx[0]], "a year", &y, &rd)) ||
            (e = prev_int(c, &f[idx[2]], "a customer number", &nr, &rd)) ||
            (e = prev_int(c, &f[idx[3]], "a fee", &fee, &rd)) ||
            (e = prev_int(c, &f[idx[4]], "a basis", &basis, &rd)) ||
            (e = prev_int(c, &f[idx[5]], "a basis total", &total, &rd)))
            goto bad;
        line = ip_csv_line(c);
        if (y != year) {
            e = ip_diag_set(&rd, IP_ERR_DATA, path, line, "expected the year %d, found %" PRId64,
                            year, y);
            goto bad;
        }
        if (fee > MAX_FEE) {
            e = ip_diag_set(&rd, IP_ERR_DATA, path, line,
                            "expected a fee of at most 10^12 kr, found %" PRId64, fee);
            goto bad;
        }
        if (basis > total) {
            e = ip_diag_set(&rd, IP_ERR_DATA, path, line,
                            "expected a basis of at most the basis_total %" PRId64
                            ", found %" PRId64, total, basis);
            goto bad;
        }
        sv = f[idx[1]].ptr;
        svn = f[idx[1]].len;
        ip_trim(&sv, &svn);
        for (s = 0; s < r->nsvc; s++)
            if (ip_strn_ieq(sv, svn, r->svc[s].svc->id))
                break;
        if (s == r->nsvc)
            continue; /* a service that is not in this year's tariff */
        if (total_line[s] && total != basis_total[s]) {
            e = ip_diag_set(&rd, IP_ERR_DATA, path, line,
                            "expected one basis_total for '%s', found %" PRId64 " after %" PRId64
                            " (line %ld)", r->svc[s].svc->id, total, basis_total[s],
                            total_line[s]);
            goto bad;
        }
        if (!total_line[s])
            total_line[s] = line;
        basis_total[s] = total;
        if (fee > MAX_FEE - fee_sum[s]) {
            e = ip_diag_set(&rd, IP_ERR_DATA, path, line,
                            "expected the fees of '%s' to add up to at most 10^12 kr, found more",
                            r->svc[s].svc->id);
            goto bad;
        }
        fee_sum[s] += fee;
        if (nr > UINT32_MAX || (slot = ip_customers_slot(r->customers, (uint32_t)nr)) < 0)
            continue; /* a customer no longer in the register */
        at = s * r->ncust + (size_t)slot;
        if (seen_row[at]) {
            e = ip_diag_set(&rd, IP_ERR_DATA, path, line,
                            "expected one row per service and customer, found '%s' %" PRId64
                            " again", ip_quote(sv, svn, q, sizeof q), nr);
            goto bad;
        }
        seen_row[at] = 1;
        seen_svc[s] = 1;
        fee_out[at] = fee;
        basis_out[at] = basis;
        continue;
    bad: /* the row's first problem, listed as every reader lists them */
        ip_rowerrs_add(&re, e, rd.line, "%s", rd.msg);
    }
    e = ip_rowerrs_finish(&re);
out:
    free(seen_row);
    free(total_line);
    free(fee_sum);
    ip_csv_free(c);
    return e;
}

ip_err ip_fees_read_prev(ip_run *r, const char *path, int *found, ip_diag *d)
{
    size_t s, k, n = r->nsvc * r->ncust;
    int64_t *fee = ip_xcalloc(n, sizeof *fee), *basis = ip_xcalloc(n, sizeof *basis);
    int64_t *total = ip_xcalloc(r->nsvc, sizeof *total);
    int *seen = ip_xcalloc(r->nsvc, sizeof *seen);
    ip_err e = IP_OK;

    *found = 0;
    for (s = 0; s < r->nsvc; s++) {
        for (k = 0; k < r->ncust; k++)
            r->svc[s].prev_fee[k] = r->svc[s].prev_basis[k] = IP_NO_PREV;
        r->svc[s].prev_total = r->svc[s].prev_basis_total = IP_NO_PREV;
    }
    if (access(path, F_OK) != 0)
        goto out;
    if ((e = read_table(r, path, r->year - 1, fee, basis, total, seen, d)))
        goto out;
    for (s = 0; s < r->nsvc; s++) {
        ip_svc_result *sr = &r->svc[s];
        if (!seen[s] && sr->svc->previous_fee != 0)
            continue; /* not in last year's table: unknown */
        /* In the table, an absent customer paid 0; a service absent from
         * the table with previous-fee 0 is new: everybody paid 0. */
        sr->prev_total = 0;
        sr->prev_basis_total = seen[s] ? total[s] : IP_NO_PREV;
        for (k = 0; k < r->ncust; k++) {
            sr->prev_fee[k] = fee[s * r->ncust + k];
            sr->prev_basis[k] = seen[s] ? basis[s * r->ncust + k] : IP_NO_PREV;
            sr->prev_total += sr->prev_fee[k];
        }
    }
    *found = 1;
out:
    free(fee);
    free(basis);
    free(total);
    free(seen);
    return e;
}

ip_err ip_fees_take_prev(ip_run *r, const char *output_root, ip_diag *d)
{
    char *path = ip_xasprintf("%s/%d/fees.csv", output_root, r->year - 1);
    int found;
    ip_err e = ip_fees_read_prev(r, path, &found, d);
    if (!e)
        ip_run_set_prev(r, path, found);
    free(path);
    return e;
}

ip_err ip_fees_read_current(const ip_run *r, const char *path, int64_t *fee, int *found,
                            ip_diag *d)
{
    size_t n = r->nsvc * r->ncust, i;
    int64_t *basis = ip_xcalloc(n, sizeof *basis);
    int64_t *total = ip_xcalloc(r->nsvc, sizeof *total);
    int *seen = ip_xcalloc(r->nsvc, sizeof *seen);
    ip_err e = IP_OK;
    *found = 0;
    for (i = 0; i < n; i++)
        fee[i] = IP_NO_PREV;
    if (access(path, F_OK) == 0) {
        e = read_table(r, path, r->year, fee, basis, total, seen, d);
        *found = !e;
    }
    free(basis);
    free(total);
    free(seen);
    return e;
}
