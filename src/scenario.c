/*
 * scenario.c — the budget run's what-if: the year under the decided tariff
 * and under the proposals, computed by run.c in one call on the same
 * statistics, matched service by service (by id) and customer by customer
 * (by register slot), each difference split into the part of the fixed fee
 * and the part of the key and basis (scenario.h), and the comparison
 * printed as text.
 *
 * The only allocation made here is the counterfactual of the split — the
 * proposed fixed fee on the decided key and basis — and it is ip_alloc_run()
 * on a copy of the decided allocation's items, so it follows the same
 * largest-remainder rule to the krona.
 */
#include "scenario.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "customers.h"
#include "fees.h"
#include "money.h"
#include "utf8.h"
#include "stage.h"
#include "util.h"

static int str_eq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

/* 1 when b measures or keys differently from a. */
static int basis_differs(const ip_service *a, const ip_service *b)
{
    size_t i, v;
    if (!str_eq(a->file, b->file) || !str_eq(a->date_column, b->date_column) ||
        !str_eq(a->value_column, b->value_column) || a->is_snapshot != b->is_snapshot ||
        a->method != b->method || a->nmatches != b->nmatches ||
        a->nconsolidations != b->nconsolidations)
        return 1;
    if (a->is_snapshot ? a->snapshot != b->snapshot : (a->from != b->from || a->to != b->to))
        return 1;
    if (a->method == IP_KEY_EQUAL_AND_PROPORTIONAL && a->equal_percent != b->equal_percent)
        return 1;
    for (i = 0; i < a->nmatches; i++) {
        if (!str_eq(a->matches[i].column, b->matches[i].column) ||
            a->matches[i].nvalues != b->matches[i].nvalues)
            return 1;
        for (v = 0; v < a->matches[i].nvalues; v++)
            if (!str_eq(a->matches[i].values[v], b->matches[i].values[v]))
                return 1;
    }
    for (i = 0; i < a->nconsolidations; i++)
        if (a->consolidations[i].from != b->consolidations[i].from ||
            a->consolidations[i].into != b->consolidations[i].into)
            return 1;
    return 0;
}

static long find_service(const ip_run *r, const char *id)
{
    size_t s;
    for (s = 0; s < r->nsvc; s++)
        if (strcmp(r->svc[s].svc->id, id) == 0)
            return (long)s;
    return -1;
}

/* The union of the tariffs' services by id: the decided order, then what
 * only the proposals have. */
static void match_services(ip_scenario *sc)
{
    size_t j, s, n = 0, cap = 0;
    for (j = 0; j < sc->nruns; j++) {
        const ip_run *r = sc->runs[j];
        for (s = 0; s < r->nsvc; s++) {
            size_t t, known = 0;
            for (t = 0; t < n && !known; t++)
                known = strcmp(sc->svc[t].id, r->svc[s].svc->id) == 0;
            if (known)
                continue;
            ip_xgrow((void **)&sc->svc, &cap, n + 1, sizeof *sc->svc);
            memset(&sc->svc[n], 0, sizeof sc->svc[n]);
            sc->svc[n].id = r->svc[s].svc->id;
            sc->svc[n].name = r->svc[s].svc->name;
            n++;
        }
    }
    sc->nsvc = n;
}

/* Fees, the counterfactual and the kind of split of service si. */
static ip_err fill_service(ip_scenario *sc, size_t si, ip_diag *d)
{
    ip_scn_svc *v = &sc->svc[si];
    size_t nc = sc->ncust, j, k;
    const ip_svc_result *dec;
    v->at = ip_xcalloc(sc->nruns, sizeof *v->at);
    v->fee = ip_xcalloc(sc->nruns * nc + 1, sizeof *v->fee);
    v->counter = ip_xcalloc(sc->nruns * nc + 1, sizeof *v->counter);
    v->split = ip_xcalloc(sc->nruns, sizeof *v->split);
    v->basis_changed = ip_xcalloc(sc->nruns, sizeof *v->basis_changed);
    for (j = 0; j < sc->nruns; j++) {
        v->at[j] = find_service(sc->runs[j], v->id);
        if (v->at[j] >= 0)
            for (k = 0; k < nc; k++)
                v->fee[j * nc + k] = sc->runs[j]->svc[v->at[j]].items[k].fee;
    }
    dec = v->at[0] >= 0 ? &sc->runs[0]->svc[v->at[0]] : NULL;
    for (k = 0; k < nc; k++)
        v->counter[k] = v->fee[k];
    for (j = 1; j < sc->nruns; j++) {
        const ip_svc_result *pro = v->at[j] >= 0 ? &sc->runs[j]->svc[v->at[j]] : NULL;
        int64_t *c = &v->counter[j * nc];
        if (!dec && !pro) {
            v->split[j] = IP_SCN_SPLIT_NONE; /* both 0: nothing to split */
            continue;
        }
        if (!dec || !pro) {
            v->split[j] = dec ? IP_SCN_SPLIT_REMOVED : IP_SCN_SPLIT_NEW;
            v->basis_changed[j] = 0;
            for (k = 0; k < nc; k++)
                c[k] = v->fee[j * nc + k]; /* the whole difference is the fee part */
            continue;
        }
        v->basis_changed[j] = basis_differs(dec->svc, pro->svc);
        if (dec->alloc.total == 0 && pro->svc->fee > 0) {
            v->split[j] = IP_SCN_SPLIT_EMPTY_BASIS;
            for (k = 0; k < nc; k++)
                c[k] = v->fee[j * nc + k];
            continue;
        }
        v->split[j] = IP_SCN_SPLIT_BOTH;
        {
            ip_alloc_item *items = ip_xcalloc(nc + 1, sizeof *items);
            ip_alloc_result res;
            ip_err e;
            for (k = 0; k < nc; k++) {
                items[k].nr = dec->items[k].nr;
                items[k].basis = dec->items[k].basis;
            }
            e = ip_alloc_run(pro->svc->fee,
                             dec->svc->method == IP_KEY_EQUAL_AND_PROPORTIONAL
                                 ? dec->svc->equal_percent
                                 : 0,
                             items, nc, &res, d);
            if (e) { /* the decided basis took F0; F1 is within the same limits */
                char msg[IP_DIAG_MSG];
                free(items);
                snprintf(msg, sizeof msg, "%s", d->msg);
                return ip_diag_set(d, e, sc->runs[j]->tariff->path, pro->svc->line,
                                   "service '%s': the proposed fee on the decided basis: %s",
                                   v->id, msg);
            }
            for (k = 0; k < nc; k++)
                c[k] = items[k].fee;
            free(items);
        }
    }
    return IP_OK;
}

ip_err ip_scenario_compute(const ip_run_opts *o, const char *const *proposals, size_t n,
                           const char *output_root, const char *name, ip_scenario **out,
                           ip_diag *d)
{
    ip_scenario *sc = ip_xcalloc(1, sizeof *sc);
    const char **paths = ip_xcalloc(n + 1, sizeof *paths);
    size_t j, s;
    ip_err e;

    *out = NULL;
    if (n == 0)
        IP_BUG("a scenario without a proposal");
    sc->year = o->year;
    sc->name = name && *name ? ip_xstrdup(name) : ip_xasprintf("Scenario %d", o->year);
    sc->nruns = n + 1;
    sc->runs = ip_xcalloc(sc->nruns, sizeof *sc->runs);
    sc->labels = ip_xcalloc(sc->nruns, sizeof *sc->labels);
    paths[0] = NULL; /* the decided tariff.xml of the input folder */
    for (j = 0; j < n; j++)
        paths[j + 1] = proposals[j];
    e = ip_run_compute_many(o, paths, sc->nruns, sc->runs, d);
    free(paths);
    if (!e)
        e = ip_fees_take_prev(sc->runs[0], output_root, d);
    if (e) {
        ip_scenario_free(sc);
        return e;
    }
    sc->ncust = sc->runs[0]->ncust;
    sc->labels[0] = ip_xstrdup("Beslutad");
    for (j = 1; j < sc->nruns; j++)
        sc->labels[j] = n == 1 ? ip_xstrdup("Förslag") : ip_xasprintf("Förslag %zu", j);
    match_services(sc);
    for (s = 0; s < sc->nsvc; s++)
        if ((e = fill_service(sc, s, d))) {
            ip_scenario_free(sc);
            return e;
        }
    *out = sc;
    return IP_OK;
}

void ip_scenario_free(ip_scenario *sc)
{
    size_t i;
    if (!sc)
        return;
    for (i = 0; i < sc->nsvc; i++) {
        free(sc->svc[i].at);
        free(sc->svc[i].fee);
        free(sc->svc[i].counter);
        free(sc->svc[i].split);
        free(sc->svc[i].basis_changed);
    }
    free(sc->svc);
    for (i = 0; i < sc->nruns; i++) {
        ip_run_free(sc->runs[i]);
        if (sc->labels)
            free(sc->labels[i]);
    }
    free(sc->runs);
    free(sc->labels);
    free(sc->name);
    free(sc);
}

int64_t ip_scenario_fee(const ip_scenario *sc, size_t si, size_t j, size_t slot)
{
    return sc->svc[si].fee[j * sc->ncust + slot];
}

int64_t ip_scenario_fee_part(const ip_scenario *sc, size_t si, size_t j, size_t slot)
{
    return sc->svc[si].counter[j * sc->ncust + slot] - sc->svc[si].fee[slot];
}

int64_t ip_scenario_basis_part(const ip_scenario *sc, size_t si, size_t j, size_t slot)
{
    return sc->svc[si].fee[j * sc->ncust + slot] - sc->svc[si].counter[j * sc->ncust + slot];
}

int64_t ip_scenario_fixed_fee(const ip_scenario *sc, size_t si, size_t j)
{
    long at = sc->svc[si].at[j];
    return at < 0 ? 0 : sc->runs[j]->svc[at].svc->fee;
}

int64_t ip_scenario_customer_total(const ip_scenario *sc, size_t j, size_t slot)
{
    int64_t t = 0;
    size_t s;
    for (s = 0; s < sc->nsvc; s++)
        t += ip_scenario_fee(sc, s, j, slot);
    return t;
}

const ip_svc_result *ip_scenario_result(const ip_scenario *sc, size_t si, size_t j)
{
    long at = sc->svc[si].at[j];
    return at < 0 ? NULL : &sc->runs[j]->svc[at];
}

const char *ip_scenario_pct(int64_t diff, int64_t base, char *buf, size_t size)
{
    char num[48], *p;
    int n;
    if (base == 0) {
        snprintf(buf, size, "–");
        return buf;
    }
    ip_money_fmt_frac((ip_i128)diff * 100, (ip_i128)base, 1, num, sizeof num);
    for (p = num; *p; p++)
        if (*p == '.')
            *p = ',';
    /* a sign on every change; "-0,0" (a change too small to show) stays signed */
    n = snprintf(buf, size, "%s%s %%", diff > 0 ? "+" : "", diff == 0 ? "0,0" : num);
    if (n < 0 || (size_t)n >= size) /* fees are at most 10^12 kr: 22 bytes */
        IP_BUG("a percentage of %d bytes for a buffer of %zu", n, size);
    return buf;
}

/* ---- the text ------------------------------------------------------------ */

/* " " and text right-aligned in width characters (labels and "–" are
 * UTF-8, so printf's byte widths would not line up). */
static void put_right(FILE *f, const char *text, size_t width)
{
    size_t n = ip_utf8_count(text, strlen(text));
    fputc(' ', f);
    for (; n < width; n++)
        fputc(' ', f);
    fputs(text, f);
}

static void print_head(const ip_scenario *sc, FILE *f, const char *first)
{
    size_t j;
    fprintf(f, "  %-6s %-34s", "nr", first);
    put_right(f, sc->labels[0], 12);
    for (j = 1; j < sc->nruns; j++) {
        put_right(f, sc->labels[j], 12);
        fprintf(f, " %11s %9s", "diff kr", "diff %");
    }
}

/* The columns of one row: the decided amount, then each proposal's with its
 * difference. */
static void print_amounts(const ip_scenario *sc, FILE *f, const int64_t *v)
{
    char a[32], b[32], c[32];
    size_t j;
    fprintf(f, " %12s", ip_money_fmt_thousands(v[0], a, sizeof a));
    for (j = 1; j < sc->nruns; j++) {
        fprintf(f, " %12s %11s", ip_money_fmt_thousands(v[j], a, sizeof a),
                ip_money_fmt_signed(v[j] - v[0], b, sizeof b));
        put_right(f, ip_scenario_pct(v[j] - v[0], v[0], c, sizeof c), 9);
    }
}

static void print_service(const ip_scenario *sc, size_t si, FILE *f, int64_t *row,
                          int64_t *tot)
{
    const ip_scn_svc *v = &sc->svc[si];
    char a[32];
    size_t j, k;
    fprintf(f, "\n%s — %s\n  fixed fee:", v->id, v->name);
    for (j = 0; j < sc->nruns; j++) {
        if (v->at[j] < 0)
            fprintf(f, "%s %s not in the tariff", j ? ";" : "", sc->labels[j]);
        else
            fprintf(f, "%s %s %s kr", j ? ";" : "", sc->labels[j],
                    ip_money_fmt_thousands(ip_scenario_fixed_fee(sc, si, j), a, sizeof a));
        if (j && v->basis_changed[j])
            fprintf(f, " (another key or basis)");
    }
    fputc('\n', f);
    print_head(sc, f, "customer");
    fputc('\n', f);
    for (j = 0; j < sc->nruns; j++)
        tot[j] = 0;
    for (k = 0; k < sc->ncust; k++) {
        const ip_customer *cu = ip_customers_at(sc->runs[0]->customers, k);
        int any = 0;
        for (j = 0; j < sc->nruns; j++) {
            row[j] = ip_scenario_fee(sc, si, j, k);
            tot[j] += row[j];
            any |= row[j] != 0;
        }
        if (!any)
            continue;
        fprintf(f, "  %-6" PRIu32 " ", cu->nr);
        ip_fput_col(f, cu->name, 34);
        print_amounts(sc, f, row);
        fputc('\n', f);
    }
    fprintf(f, "  %-6s %-34s", "", "Totalt");
    print_amounts(sc, f, tot);
    fputc('\n', f);
}

ip_err ip_scenario_print(const ip_scenario *sc, FILE *f, ip_diag *d)
{
    int64_t *row = ip_xcalloc(sc->nruns, sizeof *row);
    int64_t *tot = ip_xcalloc(sc->nruns, sizeof *tot);
    int64_t *all = ip_xcalloc(sc->nruns, sizeof *all);
    int64_t prev_all = 0;
    int prev_known = sc->runs[0]->have_prev;
    const ip_run *r0 = sc->runs[0];
    char a[32];
    size_t j, k, s;

    fprintf(f, "%s: price year %d, statistics %s\n", sc->name, sc->year, r0->input_dir);
    for (j = 0; j < sc->nruns; j++)
        fprintf(f, "  %s: %s (sha256 %.12s…)\n", sc->labels[j], sc->runs[j]->tariff->path,
                sc->runs[j]->files[0].sha256);
    for (s = 0; s < sc->nsvc; s++)
        print_service(sc, s, f, row, tot);

    fprintf(f, "\nper customer, every service\n");
    print_head(sc, f, "customer");
    fprintf(f, " %12d\n", sc->year - 1);
    for (k = 0; k < sc->ncust; k++) {
        const ip_customer *cu = ip_customers_at(r0->customers, k);
        int64_t prev = ip_run_customer_prev_total(r0, k);
        int any = prev != IP_NO_PREV && prev != 0;
        for (j = 0; j < sc->nruns; j++) {
            row[j] = ip_scenario_customer_total(sc, j, k);
            all[j] += row[j];
            any |= row[j] != 0;
        }
        if (prev == IP_NO_PREV)
            prev_known = 0;
        else
            prev_all += prev;
        if (!any)
            continue;
        fprintf(f, "  %-6" PRIu32 " ", cu->nr);
        ip_fput_col(f, cu->name, 34);
        print_amounts(sc, f, row);
        put_right(f, prev == IP_NO_PREV ? "–" : ip_money_fmt_thousands(prev, a, sizeof a), 12);
        fputc('\n', f);
    }
    fprintf(f, "  %-6s %-34s", "", "Totalt");
    print_amounts(sc, f, all);
    put_right(f, prev_known ? ip_money_fmt_thousands(prev_all, a, sizeof a) : "–", 12);
    fputc('\n', f);
    free(row);
    free(tot);
    free(all);
    if (fflush(f) != 0 || ferror(f))
        return ip_write_failed(d, f == stdout ? IP_STDOUT_NAME : NULL, errno);
    return IP_OK;
}
