/*
 * explain.c — `internpris explain`: one customer's fee, step by step.
 *
 * Everything printed here is read from the ip_run that ip_run_compute()
 * produced (the exact share and its equal and proportional parts as the
 * allocation handed them out); nothing is recomputed except what the
 * explanation adds on top: the rank of the customer's remainder in the
 * largest-remainder order (the same order as alloc.c: larger remainder,
 * larger basis, lower number), and the split of the change since last year
 * into the customer's own volume and the rest. Both are exact integer (128-bit) arithmetic; amounts are
 * rounded only when they are printed, and the printed (a) and (b) always add
 * up to the printed change.
 */
#include "explain.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "customers.h"
#include "date.h"
#include "money.h"
#include "tariff.h"
#include "stage.h"
#include "util.h"
#include "wording.h"

static const char *customer_label(const ip_run *r, size_t slot, char *buf, size_t size)
{
    const ip_customer *c = ip_customers_at(r->customers, slot);
    snprintf(buf, size, "%" PRIu32 " %s", c->nr, c->name);
    return buf;
}

static void write_basis(const ip_run *r, const ip_svc_result *sr, FILE *f)
{
    const ip_service *svc = sr->svc;
    char period[40];
    size_t m, v;
    fprintf(f, "basis: %s in %s, date column '%s', %s %s\n", svc->unit,
            r->files[sr->file_index].name, svc->date_column,
            svc->is_snapshot ? "snapshot" : "window", ip_wording_period(svc, period, sizeof period));
    if (svc->value_column)
        fprintf(f, "value: column '%s'\n", svc->value_column);
    else
        fprintf(f, "value: the 'count' column, or 1 a row\n");
    fprintf(f, "filters:");
    for (m = 0; m < svc->nmatches; m++) {
        fprintf(f, "%s %s in {", m ? "," : "", svc->matches[m].column);
        for (v = 0; v < svc->matches[m].nvalues; v++)
            fprintf(f, "%s%s", v ? ", " : "", svc->matches[m].values[v]);
        fputc('}', f);
    }
    fprintf(f, "%s\n", svc->nmatches ? "" : " none");
    if (svc->method == IP_KEY_EQUAL_AND_PROPORTIONAL)
        fprintf(f, "key: %d %% of the fee equally among the participants (basis above 0), "
                   "%d %% in proportion to the basis\n",
                svc->equal_percent, 100 - svc->equal_percent);
    else
        fprintf(f, "key: in proportion to the basis\n");
}

static void write_months(const ip_run *r, const ip_svc_result *sr, size_t slot, FILE *f)
{
    char a[32], day[11];
    size_t m;
    uint32_t nr = ip_customers_at(r->customers, slot)->nr;
    if (sr->svc->is_snapshot) {
        fprintf(f, "counted for %" PRIu32 " on %s: %s %s (raw basis)\n", nr,
                ip_date_str(sr->svc->snapshot, day),
                ip_money_fmt_thousands(sr->raw[slot], a, sizeof a), sr->svc->unit);
        return;
    }
    fprintf(f, "counted for %" PRIu32 " per month (%s):\n", nr, sr->svc->unit);
    for (m = 0; m < sr->nmonths; m++) {
        ip_date month = ip_date_month_after(sr->first_month, (int)m);
        fprintf(f, "  %04d-%02d %12s\n", ip_date_year(month), ip_date_month(month),
                ip_money_fmt_thousands(sr->monthly[slot * sr->nmonths + m], a, sizeof a));
    }
    fprintf(f, "  %-7s %12s (raw basis)\n", "sum",
            ip_money_fmt_thousands(sr->raw[slot], a, sizeof a));
}

/* Consolidations into slot; returns 1 when slot itself was rolled into
 * another customer (its fee is then 0 and there is nothing to allocate). */
static int write_consolidation(const ip_run *r, const ip_svc_result *sr, size_t slot, FILE *f)
{
    char a[32], b[32], who[300], whom[300];
    size_t k, n = 0;
    if (sr->into[slot] >= 0) {
        size_t to = (size_t)sr->into[slot];
        fprintf(f, "consolidated: the basis of %s (%s %s) is rolled into %s and counted there;\n"
                   "  %" PRIu32 " takes no part in the allocation and its fee is 0 kr\n",
                customer_label(r, slot, who, sizeof who),
                ip_money_fmt_thousands(sr->raw[slot], a, sizeof a), sr->svc->unit,
                customer_label(r, to, whom, sizeof whom), ip_customers_at(r->customers, slot)->nr);
        return 1;
    }
    for (k = 0; k < r->ncust; k++) {
        if (sr->into[k] != (long)slot)
            continue;
        fprintf(f, "consolidated: + %s %s of %s, rolled into %" PRIu32 "\n",
                ip_money_fmt_thousands(sr->raw[k], a, sizeof a), sr->svc->unit,
                customer_label(r, k, who, sizeof who), ip_customers_at(r->customers, slot)->nr);
        n++;
    }
    if (n == 0) {
        fprintf(f, "consolidated: none\n");
        fprintf(f, "basis w = %s %s\n", ip_money_fmt_thousands(sr->basis[slot], a, sizeof a),
                sr->svc->unit);
        return 0;
    }
    fprintf(f, "basis w = %s", ip_money_fmt_thousands(sr->raw[slot], a, sizeof a));
    for (k = 0; k < r->ncust; k++)
        if (sr->into[k] == (long)slot)
            fprintf(f, " + %s", ip_money_fmt_thousands(sr->raw[k], a, sizeof a));
    fprintf(f, " = %s %s\n", ip_money_fmt_thousands(sr->basis[slot], b, sizeof b), sr->svc->unit);
    return 0;
}

static void write_share(const ip_run *r, const ip_svc_result *sr, size_t slot, FILE *f)
{
    const ip_service *svc = sr->svc;
    const ip_alloc_item *it = &sr->items[slot];
    const ip_i128 den = sr->alloc.den;
    char a[64], b[64], c[64], e[64];
    ip_i128 rem = it->rem;
    size_t k, rank = 1, nrem = 0;
    int equal = svc->method == IP_KEY_EQUAL_AND_PROPORTIONAL;
    int64_t w = sr->basis[slot], W = sr->alloc.total, F = svc->fee;

    fprintf(f, "basis total W = %s %s", ip_money_fmt_thousands(W, a, sizeof a), svc->unit);
    if (equal)
        fprintf(f, "; participants N = %zu; equal part p = %d %%\n", sr->alloc.participants,
                svc->equal_percent);
    else
        fputc('\n', f);
    if (F == 0) {
        fprintf(f, "exact share: the fixed fee is 0 kr, so every share is 0.00 kr\n");
        return;
    }
    if (equal && w == 0) {
        fprintf(f, "exact share: not a participant (basis 0), so 0.00 kr\n");
    } else if (equal) {
        int p = svc->equal_percent;
        fprintf(f, "exact share e = F×p/(100 N) + F×(100−p)×w/(100 W)\n");
        fprintf(f, "  = %s×%d/(100×%zu) + %s×%d×%s/(100×%s)\n",
                ip_money_fmt_thousands(F, a, sizeof a), p, sr->alloc.participants,
                ip_money_fmt_thousands(F, b, sizeof b), 100 - p,
                ip_money_fmt_thousands(w, c, sizeof c), ip_money_fmt_thousands(W, e, sizeof e));
        /* the parts as the allocation handed them out, over its denominator */
        fprintf(f, "  equal part         %18s kr\n",
                ip_money_fmt_frac_sv(it->num_equal, den, 2, a, sizeof a));
        fprintf(f, "  proportional part  %18s kr\n",
                ip_money_fmt_frac_sv(it->num_prop, den, 2, a, sizeof a));
        fprintf(f, "  e                  %18s kr\n",
                ip_money_fmt_frac_sv(it->num, den, 2, a, sizeof a));
    } else {
        fprintf(f, "exact share e = F × w / W = %s × %s / %s = %s kr\n",
                ip_money_fmt_thousands(F, a, sizeof a), ip_money_fmt_thousands(w, b, sizeof b),
                ip_money_fmt_thousands(W, c, sizeof c),
                ip_money_fmt_frac_sv(it->num, den, 2, e, sizeof e));
    }
    fprintf(f, "floor %s kr, remainder %s kr\n", ip_money_fmt_thousands(it->floor, a, sizeof a),
            ip_money_fmt_frac_sv(rem, den, 2, b, sizeof b));

    for (k = 0; k < r->ncust; k++) {
        if (sr->items[k].rem != 0)
            nrem++;
        if (ip_alloc_rank_cmp(&sr->items[k], it) < 0)
            rank++;
    }
    fprintf(f, "largest remainder: %s kr − %s kr of floors leaves %s kr, one each to the "
               "largest remainders\n",
            ip_money_fmt_thousands(F, a, sizeof a),
            ip_money_fmt_thousands(F - sr->alloc.remaining, b, sizeof b),
            ip_money_fmt_thousands(sr->alloc.remaining, c, sizeof c));
    if (rem == 0)
        fprintf(f, "  the exact share is whole kronor: no remainder, no extra krona\n");
    else
        fprintf(f, "  this remainder ranks %zu of %zu (larger remainder, then larger basis, "
                   "then lower number first): %s\n",
                rank, nrem, it->got_extra ? "one extra krona" : "no extra krona");
}

/* Last year's fees that do not add up to the tariff's previous-fee. */
static void prev_fee_note(const ip_run *r, const ip_svc_result *sr, FILE *f)
{
    char a[32], b[32];
    if (sr->prev_total != IP_NO_PREV && sr->prev_total != sr->svc->previous_fee)
        fprintf(f, "  note: F%d is the tariff's previous-fee, %s kr; %d's fees.csv sums to %s kr "
                   "for the customers in this year's register\n",
                r->year - 1, ip_money_fmt_thousands(sr->svc->previous_fee, a, sizeof a),
                r->year - 1, ip_money_fmt_thousands(sr->prev_total, b, sizeof b));
}

/* Last year's fee, the change, and its split into own volume (a) and the
 * rest (b). */
static void write_change(const ip_run *r, const ip_svc_result *sr, size_t slot, FILE *f)
{
    const ip_service *svc = sr->svc;
    int64_t fee = sr->items[slot].fee, prev = sr->prev_fee[slot];
    int64_t pw = sr->prev_basis[slot], pW = sr->prev_basis_total, change;
    ip_i128 a_kr; /* (a) is exact in 128 bits: a tiny W of last year makes it huge */
    int p = svc->method == IP_KEY_EQUAL_AND_PROPORTIONAL ? svc->equal_percent : 0;
    int y = r->year, y1 = r->year - 1;
    char a[64], b[64], c[64], e[64], w[64];

    if (prev == IP_NO_PREV) {
        if (!r->have_prev)
            fprintf(f, "fee %d: unknown: no fees.csv for %d\n", y1, y1);
        else
            fprintf(f, "fee %d: unknown: %d's fees.csv has no rows for %s\n", y1, y1, svc->id);
        return;
    }
    change = fee - prev;
    fprintf(f, "fee %d: %s kr; change %s kr\n", y1, ip_money_fmt_thousands(prev, a, sizeof a),
            ip_money_fmt_signed(change, b, sizeof b));
    if (pw == IP_NO_PREV || pW == IP_NO_PREV) {
        fprintf(f, "  the change cannot be split: %d's basis is not known\n", y1);
        return;
    }
    fprintf(f, "  basis %d: w = %s of W = %s %s; %d: w = %s of W = %s\n", y1,
            ip_money_fmt_thousands(pw, a, sizeof a), ip_money_fmt_thousands(pW, b, sizeof b),
            svc->unit, y, ip_money_fmt_thousands(sr->basis[slot], c, sizeof c),
            ip_money_fmt_thousands(sr->alloc.total, e, sizeof e));
    if (pW == 0) {
        /* no basis last year: no own-volume effect to tell apart */
        fprintf(f, "  the change cannot be split into own volume and the rest: W %d was 0\n",
                y1);
        prev_fee_note(r, sr, f);
        return;
    }
    {
        ip_i128 num = (ip_i128)svc->previous_fee * (100 - p) * (sr->basis[slot] - pw);
        ip_i128 den = (ip_i128)100 * pW;
        a_kr = ip_money_div_round(num, den);
        if (p)
            fprintf(f, "  (a) own volume: F%d × (100−p)/100 × (w%d − w%d) / W%d"
                       " = %s × %d/100 × (%s − %s) / %s",
                    y1, y, y1, y1, ip_money_fmt_thousands(svc->previous_fee, a, sizeof a),
                    100 - p,
                    ip_money_fmt_thousands(sr->basis[slot], b, sizeof b),
                    ip_money_fmt_thousands(pw, c, sizeof c),
                    ip_money_fmt_thousands(pW, e, sizeof e));
        else
            fprintf(f, "  (a) own volume: F%d × (w%d − w%d) / W%d = %s × (%s − %s) / %s", y1, y, y1,
                    y1, ip_money_fmt_thousands(svc->previous_fee, a, sizeof a),
                    ip_money_fmt_thousands(sr->basis[slot], b, sizeof b),
                    ip_money_fmt_thousands(pw, c, sizeof c),
                    ip_money_fmt_thousands(pW, e, sizeof e));
        fprintf(f, " = %s kr\n", ip_money_fmt_wide_signed(a_kr, w, sizeof w));
    }
    fprintf(f, "  (b) the fixed fee and everybody else's volume: %s kr\n",
            ip_money_fmt_wide_signed(change - a_kr, w, sizeof w));
    fprintf(f, "  (a) + (b) = %s kr\n", ip_money_fmt_signed(change, a, sizeof a));
    prev_fee_note(r, sr, f);
}

static void explain_service(const ip_run *r, size_t s, size_t slot, FILE *f)
{
    const ip_svc_result *sr = &r->svc[s];
    const ip_service *svc = sr->svc;
    const ip_alloc_item *it = &sr->items[slot];
    char a[32], b[32];

    fprintf(f, "\n== %s — %s\n", svc->id, svc->name);
    fprintf(f, "fixed fee F: %s kr in %d (%s kr in %d)\n",
            ip_money_fmt_thousands(svc->fee, a, sizeof a), r->year,
            ip_money_fmt_thousands(svc->previous_fee, b, sizeof b), r->year - 1);
    write_basis(r, sr, f);
    write_months(r, sr, slot, f);
    if (!write_consolidation(r, sr, slot, f))
        write_share(r, sr, slot, f);
    if (it->got_extra)
        fprintf(f, "fee %d: %s + 1 = %s kr\n", r->year,
                ip_money_fmt_thousands(it->floor, a, sizeof a),
                ip_money_fmt_thousands(it->fee, b, sizeof b));
    else
        fprintf(f, "fee %d: %s kr\n", r->year, ip_money_fmt_thousands(it->fee, a, sizeof a));
    /* the workbook shows the parts of the rounded fee in whole kronor */
    if (svc->method == IP_KEY_EQUAL_AND_PROPORTIONAL && sr->basis[slot] > 0 &&
        sr->alloc.den > 0) {
        int64_t q = (int64_t)(it->num_equal / sr->alloc.den);
        char c[32];
        fprintf(f, "  on the price list: Lika del %s kr (the equal part rounded down, the same "
                   "for every participant) + Efter %s %s kr = %s kr\n",
                ip_money_fmt_thousands(q, a, sizeof a), svc->unit,
                ip_money_fmt_thousands(it->fee - q, b, sizeof b),
                ip_money_fmt_thousands(it->fee, c, sizeof c));
    }
    write_change(r, sr, slot, f);
}

ip_err ip_explain_write(const ip_run *r, uint32_t customer_nr, const char *service_id,
                        FILE *out, ip_diag *d)
{
    long slot = ip_customers_slot(r->customers, customer_nr);
    size_t s, want = r->nsvc;
    const ip_customer *c;
    char a[32], b[32];

    if (slot < 0)
        return ip_diag_set(d, IP_ERR_USAGE, NULL, 0,
                           "expected a customer number from customers.csv, found %" PRIu32,
                           customer_nr);
    if (service_id) {
        for (s = 0; s < r->nsvc; s++)
            if (strcmp(r->svc[s].svc->id, service_id) == 0)
                want = s;
        if (want == r->nsvc) {
            ip_buf ids;
            char q[200];
            ip_buf_init(&ids);
            for (s = 0; s < r->nsvc; s++)
                ip_buf_addf(&ids, "%s%s", s ? ", " : "", r->svc[s].svc->id);
            ip_diag_set(d, IP_ERR_USAGE, NULL, 0,
                        "expected a service id from tariff.xml (%s), found '%s'", ids.buf,
                        ip_quote(service_id, strlen(service_id), q, sizeof q));
            ip_buf_release(&ids);
            return IP_ERR_USAGE;
        }
    }

    c = ip_customers_at(r->customers, (size_t)slot);
    fprintf(out, "price year %d, customer %" PRIu32 " %s (%s), inputs %s\n", r->year, c->nr,
            c->name, c->group->id, r->input_dir);
    for (s = 0; s < r->nsvc; s++)
        if (want == r->nsvc || s == want)
            explain_service(r, s, (size_t)slot, out);
    if (want == r->nsvc) {
        int64_t prev = ip_run_customer_prev_total(r, (size_t)slot);
        fprintf(out, "\ntotal %d: %s kr over %zu services; %d: %s%s\n", r->year,
                ip_money_fmt_thousands(ip_run_customer_total(r, (size_t)slot), a, sizeof a),
                r->nsvc, r->year - 1,
                prev == IP_NO_PREV ? "unknown" : ip_money_fmt_thousands(prev, b, sizeof b),
                prev == IP_NO_PREV ? "" : " kr");
    }
    if (fflush(out) != 0 || ferror(out))
        return ip_write_failed(d, out == stdout ? IP_STDOUT_NAME : NULL, errno);
    return IP_OK;
}
