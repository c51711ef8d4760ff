/*
 * ledger.c — ledger.csv from the record of issued documents. The record's
 * lines are the documents' lines (service id and net amount), so
 * the ledger is derived from exactly what was issued, never recomputed from
 * this run's fees.
 */
#include "ledger.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "csv_write.h"
#include "money.h"
#include "stage.h"
#include "util.h"

static const ip_issued *sort_rec;

static int by_date_number(const void *a, const void *b)
{
    const ip_issued_doc *x = ip_issued_at(sort_rec, *(const size_t *)a);
    const ip_issued_doc *y = ip_issued_at(sort_rec, *(const size_t *)b);
    if (x->issue_date != y->issue_date)
        return x->issue_date < y->issue_date ? -1 : 1;
    return strcmp(x->number, y->number);
}

ip_err ip_ledger_write(const ip_issued *rec, FILE *f, const char *name, ip_diag *d)
{
    size_t n = ip_issued_count(rec), i, *order = ip_xcalloc(n ? n : 1, sizeof *order);
    for (i = 0; i < n; i++)
        order[i] = i;
    sort_rec = rec;
    qsort(order, n, sizeof *order, by_date_number);
    sort_rec = NULL;

    fputs("number;kind;customer;name;line;service;period_start;period_end;net;vat;total;"
          "issue_date;due_date;cancels\n", f);
    for (i = 0; i < n; i++) {
        const ip_issued_doc *x = ip_issued_at(rec, order[i]);
        const char *p = x->lines;
        char svc[128], ps[11], pe[11], is[11], ds[11], a[32], b[32], c[32];
        int64_t net, cum = 0, vat_before = 0, sign = x->is_credit ? -1 : 1, vat_sum = 0;
        int line = 0, r;
        while ((r = ip_issued_lines_next(&p, svc, sizeof svc, &net)) == 1) {
            int64_t vat_now;
            cum += net;
            vat_now = x->vat_category == 'S' ? ip_money_vat(cum, x->vat_percent) : 0;
            fprintf(f, "%s;%s;%" PRIu32 ";", x->number, x->is_credit ? "credit" : "invoice",
                    x->customer);
            ip_csv_put_field(f, x->name);
            fprintf(f, ";%d;%s;%s;%s;%s;%s;%s;%s;%s;%s\n", ++line, svc,
                    ip_date_str(x->period_start, ps), ip_date_str(x->period_end, pe),
                    ip_money_fmt(sign * net, a),
                    ip_money_fmt(sign * (vat_now - vat_before), b),
                    ip_money_fmt(sign * (net + vat_now - vat_before), c),
                    ip_date_str(x->issue_date, is), ip_date_str(x->due_date, ds),
                    x->cancels ? x->cancels : "");
            vat_sum += vat_now - vat_before;
            vat_before = vat_now;
        }
        if (r < 0 || cum != x->net || vat_sum != x->vat) {
            free(order);
            return ip_diag_set(d, IP_ERR_SOFTWARE, name, 0,
                               "document '%s': its lines do not add up to its amounts", x->number);
        }
    }
    free(order);
    if (ferror(f))
        return ip_write_failed(d, name, errno);
    return IP_OK;
}
