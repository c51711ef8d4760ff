/*
 * scenario_explain.c — `internpris explain --tariff FILE`: how one
 * customer's fee moves from the decided tariff to each proposal, service by
 * service, and the difference split into the part of the changed fixed fee
 * and the part of the changed key, window or filter (scenario.h defines the
 * split). Everything printed is read from the scenario; the parts are whole
 * kronor and add up to the printed difference.
 */
#include "scenario.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "customers.h"
#include "date.h"
#include "money.h"
#include "utf8.h"
#include "stage.h"
#include "util.h"

char *ip_scenario_basis_text(const ip_service *svc)
{
    ip_buf b;
    char x[11], y[11];
    size_t m, v;
    ip_buf_init(&b);
    ip_buf_addf(&b, "%s in %s (column '%s'", svc->unit, svc->file, svc->date_column);
    if (svc->value_column)
        ip_buf_addf(&b, ", value '%s'", svc->value_column);
    if (svc->is_snapshot)
        ip_buf_addf(&b, "), snapshot %s", ip_date_str(svc->snapshot, x));
    else
        ip_buf_addf(&b, "), window %s–%s", ip_date_str(svc->from, x), ip_date_str(svc->to, y));
    for (m = 0; m < svc->nmatches; m++) {
        ip_buf_addf(&b, "; %s in {", svc->matches[m].column);
        for (v = 0; v < svc->matches[m].nvalues; v++)
            ip_buf_addf(&b, "%s%s", v ? ", " : "", svc->matches[m].values[v]);
        ip_buf_addch(&b, '}');
    }
    for (m = 0; m < svc->nconsolidations; m++)
        ip_buf_addf(&b, "; %" PRIu32 " counted in %" PRIu32, svc->consolidations[m].from,
                    svc->consolidations[m].into);
    if (svc->method == IP_KEY_EQUAL_AND_PROPORTIONAL)
        ip_buf_addf(&b, "; key %d %% equally, %d %% by basis", svc->equal_percent,
                    100 - svc->equal_percent);
    else
        ip_buf_adds(&b, "; key by basis");
    return ip_buf_detach(&b);
}

/* The labels' column: as wide as the widest label, in characters. */
static size_t label_width(const ip_scenario *sc)
{
    size_t j, w = 0;
    for (j = 0; j < sc->nruns; j++) {
        size_t n = ip_utf8_count(sc->labels[j], strlen(sc->labels[j]));
        w = n > w ? n : w;
    }
    return w;
}

/* One tariff's side: fixed fee, basis and key, the customer's basis. */
static void write_side(const ip_scenario *sc, size_t si, size_t j, size_t slot, FILE *f)
{
    const ip_svc_result *sr = ip_scenario_result(sc, si, j);
    char a[32], b[32], c[32];
    char *text;
    size_t w = label_width(sc);
    ip_fput_col(f, sc->labels[j], w);
    if (!sr) {
        fprintf(f, " not in the tariff: 0 kr\n");
        return;
    }
    text = ip_scenario_basis_text(sr->svc);
    fprintf(f, " F = %s kr; %s\n", ip_money_fmt_thousands(sr->svc->fee, a, sizeof a), text);
    ip_fput_col(f, "", w);
    fprintf(f, " w = %s of W = %s %s%s; fee %s kr\n",
            ip_money_fmt_thousands(sr->basis[slot], b, sizeof b),
            ip_money_fmt_thousands(sr->alloc.total, c, sizeof c), sr->svc->unit,
            sr->into[slot] >= 0 ? " (counted in another customer)" : "",
            ip_money_fmt_thousands(sr->items[slot].fee, a, sizeof a));
    free(text);
}

static void write_split(const ip_scenario *sc, size_t si, size_t j, size_t slot, FILE *f)
{
    const ip_scn_svc *v = &sc->svc[si];
    int64_t f0 = ip_scenario_fee(sc, si, 0, slot), f1 = ip_scenario_fee(sc, si, j, slot);
    int64_t fp = ip_scenario_fee_part(sc, si, j, slot), bp = ip_scenario_basis_part(sc, si, j, slot);
    int64_t c = v->counter[j * sc->ncust + slot];
    char a[32], b[32], e[32], g[32];

    fprintf(f, "%s − %s: %s − %s = %s kr (%s)\n", sc->labels[j], sc->labels[0],
            ip_money_fmt_thousands(f1, a, sizeof a), ip_money_fmt_thousands(f0, b, sizeof b),
            ip_money_fmt_signed(f1 - f0, e, sizeof e), ip_scenario_pct(f1 - f0, f0, g, sizeof g));
    switch (v->split[j]) {
    case IP_SCN_SPLIT_BOTH:
        fprintf(f, "  (a) the fixed fee: %s kr on the decided key and basis gives %s kr "
                   "(largest remainder), minus %s kr = %s kr\n",
                ip_money_fmt_thousands(ip_scenario_fixed_fee(sc, si, j), a, sizeof a),
                ip_money_fmt_thousands(c, b, sizeof b), ip_money_fmt_thousands(f0, e, sizeof e),
                ip_money_fmt_signed(fp, g, sizeof g));
        if (v->basis_changed[j])
            fprintf(f, "  (b) the key, window or filter: %s − %s = %s kr\n",
                    ip_money_fmt_thousands(f1, a, sizeof a), ip_money_fmt_thousands(c, b, sizeof b),
                    ip_money_fmt_signed(bp, e, sizeof e));
        else
            fprintf(f, "  (b) the key, window or filter: unchanged, %s kr\n",
                    ip_money_fmt_signed(bp, e, sizeof e));
        break;
    case IP_SCN_SPLIT_NEW:
        fprintf(f, "  (a) the fixed fee: a new service, %s kr\n", ip_money_fmt_signed(fp, a, sizeof a));
        fprintf(f, "  (b) the key, window or filter: %s kr\n", ip_money_fmt_signed(bp, a, sizeof a));
        break;
    case IP_SCN_SPLIT_REMOVED:
        fprintf(f, "  (a) the fixed fee: the service is removed, %s kr\n",
                ip_money_fmt_signed(fp, a, sizeof a));
        fprintf(f, "  (b) the key, window or filter: %s kr\n", ip_money_fmt_signed(bp, a, sizeof a));
        break;
    case IP_SCN_SPLIT_EMPTY_BASIS:
        fprintf(f, "  (a) the fixed fee: the decided basis is empty, so the proposed fee "
                   "cannot be allocated on it: the whole %s kr\n",
                ip_money_fmt_signed(fp, a, sizeof a));
        fprintf(f, "  (b) the key, window or filter: %s kr\n", ip_money_fmt_signed(bp, a, sizeof a));
        break;
    case IP_SCN_SPLIT_NONE:
        fprintf(f, "  (a) the fixed fee: neither tariff has the service, %s kr\n",
                ip_money_fmt_signed(fp, a, sizeof a));
        fprintf(f, "  (b) the key, window or filter: %s kr\n", ip_money_fmt_signed(bp, a, sizeof a));
        break;
    }
    fprintf(f, "  (a) + (b) = %s kr\n", ip_money_fmt_signed(fp + bp, a, sizeof a));
}

ip_err ip_scenario_explain(const ip_scenario *sc, uint32_t customer_nr, const char *service_id,
                           FILE *f, ip_diag *d)
{
    const ip_run *r0 = sc->runs[0];
    long slot = ip_customers_slot(r0->customers, customer_nr);
    size_t s, j, want = sc->nsvc;
    const ip_customer *c;
    char a[32], b[32], e[32], g[32], h[32];

    if (slot < 0)
        return ip_diag_set(d, IP_ERR_USAGE, NULL, 0,
                           "expected a customer number from customers.csv, found %" PRIu32,
                           customer_nr);
    if (service_id) {
        for (s = 0; s < sc->nsvc; s++)
            if (strcmp(sc->svc[s].id, service_id) == 0)
                want = s;
        if (want == sc->nsvc) {
            ip_buf ids;
            char q[200];
            ip_buf_init(&ids);
            for (s = 0; s < sc->nsvc; s++)
                ip_buf_addf(&ids, "%s%s", s ? ", " : "", sc->svc[s].id);
            ip_diag_set(d, IP_ERR_USAGE, NULL, 0,
                        "expected a service id of the tariffs (%s), found '%s'", ids.buf,
                        ip_quote(service_id, strlen(service_id), q, sizeof q));
            ip_buf_release(&ids);
            return IP_ERR_USAGE;
        }
    }
    c = ip_customers_at(r0->customers, (size_t)slot);
    fprintf(f, "price year %d, customer %" PRIu32 " %s (%s), %s\n", sc->year, c->nr, c->name,
            c->group->id, sc->name);
    for (j = 0; j < sc->nruns; j++) {
        fputs("  ", f);
        ip_fput_col(f, sc->labels[j], label_width(sc));
        fprintf(f, " %s\n", sc->runs[j]->tariff->path);
    }
    fprintf(f, "the difference splits exactly into (a) the fixed fee: the proposed fixed fee\n"
               "allocated on the decided key and basis, minus the decided fee; and (b) the key,\n"
               "window or filter: the proposed fee minus that; whole kronor, (a) + (b) = the\n"
               "difference\n");
    for (s = 0; s < sc->nsvc; s++) {
        if (want != sc->nsvc && s != want)
            continue;
        fprintf(f, "\n== %s — %s\n", sc->svc[s].id, sc->svc[s].name);
        for (j = 0; j < sc->nruns; j++)
            write_side(sc, s, j, (size_t)slot, f);
        for (j = 1; j < sc->nruns; j++)
            write_split(sc, s, j, (size_t)slot, f);
    }
    if (want == sc->nsvc) {
        int64_t t0 = ip_scenario_customer_total(sc, 0, (size_t)slot);
        fprintf(f, "\ntotal %s: %s kr\n", sc->labels[0], ip_money_fmt_thousands(t0, a, sizeof a));
        for (j = 1; j < sc->nruns; j++) {
            int64_t t1 = ip_scenario_customer_total(sc, j, (size_t)slot), fp = 0, bp = 0;
            for (s = 0; s < sc->nsvc; s++) {
                fp += ip_scenario_fee_part(sc, s, j, (size_t)slot);
                bp += ip_scenario_basis_part(sc, s, j, (size_t)slot);
            }
            fprintf(f, "total %s: %s kr; difference %s kr (%s) = (a) %s kr + (b) %s kr\n",
                    sc->labels[j], ip_money_fmt_thousands(t1, a, sizeof a),
                    ip_money_fmt_signed(t1 - t0, b, sizeof b),
                    ip_scenario_pct(t1 - t0, t0, e, sizeof e),
                    ip_money_fmt_signed(fp, g, sizeof g), ip_money_fmt_signed(bp, h, sizeof h));
        }
    }
    if (fflush(f) != 0 || ferror(f))
        return ip_write_failed(d, f == stdout ? IP_STDOUT_NAME : NULL, errno);
    return IP_OK;
}
