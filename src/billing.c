/*
 * billing.c — builds each customer's invoice from the run and hands it to
 * the UBL writer.
 */
#include "billing.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "invoice.h"
#include "report.h"
#include "util.h"
#include "version.h"

char *ip_billing_number(const ip_run *r, uint32_t nr)
{
    return ip_xasprintf("%s%d-%" PRIu32, r->tariff->number_prefix, r->year, nr);
}

ip_err ip_billing_write(const ip_run *r, ip_outdir *o, size_t *count, ip_diag *d)
{
    size_t k, s;
    ip_err e;
    char *note = ip_xasprintf("internpris %s, indata sha256 %s", IP_VERSION, r->inputs_sha256);
    ip_invoice_line *lines = ip_xcalloc(r->nsvc, sizeof *lines);
    char **texts = ip_xcalloc(r->nsvc, sizeof *texts);
    char (*ids)[24] = ip_xcalloc(r->nsvc, sizeof *ids);

    *count = 0;
    if ((e = ip_outdir_mkdir(o, "invoices", d)))
        goto out;
    for (k = 0; k < r->ncust && !e; k++) {
        const ip_customer *c = ip_customers_at(r->customers, k);
        ip_invoice inv;
        size_t n = 0;
        char *number, *rel, *path;
        if (ip_run_customer_total(r, k) <= 0)
            continue;
        for (s = 0; s < r->nsvc; s++) {
            if (r->svc[s].items[k].fee <= 0)
                continue;
            texts[n] = ip_report_basis_words(r, s, k);
            snprintf(ids[n], sizeof ids[n], "%zu", n + 1);
            lines[n].id = ids[n];
            lines[n].name = r->svc[s].svc->name;
            lines[n].description = texts[n];
            lines[n].service_id = r->svc[s].svc->id;
            lines[n].amount_ore = r->svc[s].items[k].fee * 100;
            n++;
        }
        memset(&inv, 0, sizeof inv);
        number = ip_billing_number(r, c->nr);
        inv.number = number;
        inv.issue_date = r->tariff->issue_date;
        inv.due_date = ip_date_add_days(r->tariff->issue_date, r->tariff->due_days);
        inv.currency = r->tariff->currency;
        inv.note = note;
        inv.seller = &r->tariff->seller;
        inv.buyer = c;
        inv.group = c->group;
        inv.lines = lines;
        inv.nlines = n;
        /* Only digits name a file: the year and the customer number. */
        rel = ip_xasprintf("invoices/%d-%" PRIu32 ".xml", r->year, c->nr);
        path = ip_outdir_file(o, rel);
        e = ip_invoice_write(&inv, path, d);
        if (!e)
            (*count)++;
        ip_kill_point();
        free(path);
        free(rel);
        free(number);
        for (s = 0; s < n; s++) {
            free(texts[s]);
            texts[s] = NULL;
        }
    }
out:
    free(ids);
    free(texts);
    free(lines);
    free(note);
    return e;
}
