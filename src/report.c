/*
 * report.c — report.txt: the run's inputs, bases, shares, fees and
 * warnings, and the section on the issued documents from the plan
 * (billing.h), read through its accessors. Periods and shares are worded
 * as everywhere else (wording.h).
 */
#include "report.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "date.h"
#include "money.h"
#include "stage.h"
#include "util.h"
#include "version.h"
#include "wording.h"

static void write_service(const ip_run *r, size_t s, FILE *f)
{
    const ip_svc_result *sr = &r->svc[s];
    const ip_service *svc = sr->svc;
    char a[32], b[32], period[40], exact[64], share[32], fshare[32];
    int split = svc->method == IP_KEY_EQUAL_AND_PROPORTIONAL;
    size_t k, m, v;
    int64_t fee_sum = 0;

    ip_wording_period(svc, period, sizeof period);
    fprintf(f, "\n== %s — %s\n", svc->id, svc->name);
    fprintf(f, "fixed fee %s kr (previous %s kr)\n", ip_money_fmt_thousands(svc->fee, a, sizeof a),
            ip_money_fmt_thousands(svc->previous_fee, b, sizeof b));
    fprintf(f, "basis: %s, column '%s', %s %s", r->files[sr->file_index].name, svc->date_column,
            svc->is_snapshot ? "snapshot" : "window", period);
    fprintf(f, ", value %s", svc->value_column ? svc->value_column : "'count' column or 1 a row");
    for (m = 0; m < svc->nmatches; m++) {
        fprintf(f, ", %s in {", svc->matches[m].column);
        for (v = 0; v < svc->matches[m].nvalues; v++)
            fprintf(f, "%s%s", v ? ", " : "", svc->matches[m].values[v]);
        fputc('}', f);
    }
    fputc('\n', f);
    fprintf(f, "rows: %s used, %s %s, %s not matching the filters\n",
            ip_money_fmt_thousands((int64_t)sr->rows_used, a, sizeof a),
            ip_money_fmt_thousands((int64_t)sr->rows_outside, b, sizeof b),
            svc->is_snapshot ? "on other dates" : "outside the window",
            ip_money_fmt_thousands((int64_t)sr->rows_filtered, exact, sizeof exact));
    if (split) {
        fprintf(f, "key: %d %% equally among the %zu participants, %d %% by share of %s\n",
                svc->equal_percent, sr->alloc.participants, 100 - svc->equal_percent, svc->unit);
        /* the exact equal part, the same for every participant: the
         * workbook shows it rounded down to whole kronor */
        for (k = 0; k < r->ncust; k++)
            if (sr->basis[k] > 0 && sr->alloc.den > 0) {
                fprintf(f, "equal part: %s kr to each participant (exact); the rest of an "
                           "exact share is by %s\n",
                        ip_money_fmt_frac_sv(sr->items[k].num_equal, sr->alloc.den, 2, exact,
                                             sizeof exact),
                        svc->unit);
                break;
            }
    } else
        fprintf(f, "key: proportional to %s\n", svc->unit);
    for (k = 0; k < r->ncust; k++) {
        if (sr->into[k] >= 0) {
            const ip_customer *c = ip_customers_at(r->customers, k);
            const ip_customer *t = ip_customers_at(r->customers, (size_t)sr->into[k]);
            fprintf(f, "consolidated: %" PRIu32 " %s into %" PRIu32 " %s (%s %s)\n", c->nr,
                    c->name, t->nr, t->name, ip_money_fmt_thousands(sr->raw[k], a, sizeof a),
                    svc->unit);
        }
    }
    /* "% of basis": the share of the basis total; the split key's fee has
     * an equal part too, so its share of the fee stands beside it */
    fprintf(f, "%-6s %-40s %12s %12s %10s", "nr", "name", "measured", "basis", "% of basis");
    if (split)
        fprintf(f, " %8s", "% of fee");
    fprintf(f, " %18s %12s %12s\n", "exact share kr", "fee kr", "fee Y-1 kr");
    for (k = 0; k < r->ncust; k++) {
        const ip_customer *c = ip_customers_at(r->customers, k);
        char prev[32];
        if (sr->raw[k] == 0 && sr->items[k].fee == 0 &&
            (sr->prev_fee[k] == IP_NO_PREV || sr->prev_fee[k] == 0))
            continue;
        if (sr->prev_fee[k] == IP_NO_PREV)
            snprintf(prev, sizeof prev, "–");
        else
            ip_money_fmt_thousands(sr->prev_fee[k], prev, sizeof prev);
        fprintf(f, "%-6" PRIu32 " ", c->nr);
        ip_fput_col(f, c->name, 40);
        fprintf(f, " %12s %12s %10s", ip_money_fmt_thousands(sr->raw[k], a, sizeof a),
                ip_money_fmt_thousands(sr->basis[k], b, sizeof b),
                ip_wording_share(sr->basis[k], sr->alloc.total, share, sizeof share));
        if (split)
            fprintf(f, " %8s", ip_wording_share(sr->items[k].fee, svc->fee, fshare, sizeof fshare));
        fprintf(f, " %18s %12s%s %12s\n",
                ip_money_fmt_frac_sv(sr->items[k].num, sr->alloc.den, 2, exact, sizeof exact),
                ip_money_fmt_thousands(sr->items[k].fee, a, sizeof a),
                sr->items[k].got_extra ? "+" : " ", prev);
        fee_sum += sr->items[k].fee;
    }
    fprintf(f, "%-6s %-40s %12s %12s %10s", "", "total", "",
            ip_money_fmt_thousands(sr->alloc.total, a, sizeof a), "100,00");
    if (split)
        fprintf(f, " %8s", "100,00");
    fprintf(f, " %18s %12s  %12s\n",
            ip_money_fmt_frac_sv((ip_i128)svc->fee, 1, 2, exact, sizeof exact),
            ip_money_fmt_thousands(fee_sum, a, sizeof a),
            sr->prev_total == IP_NO_PREV ? "–"
                                         : ip_money_fmt_thousands(sr->prev_total, b, sizeof b));
    fprintf(f, "fees sum to %s kr = fixed fee %s kr: %s; %s kr handed out by largest remainder "
               "(marked +)\n",
            ip_money_fmt_thousands(fee_sum, a, sizeof a),
            ip_money_fmt_thousands(svc->fee, b, sizeof b), fee_sum == svc->fee ? "yes" : "NO",
            ip_money_fmt_thousands(sr->alloc.remaining, exact, sizeof exact));
}

ip_err ip_report_write(const ip_run *r, FILE *f, const char *name, ip_diag *d)
{
    size_t i;
    fprintf(f, "internpris %s — price list %d\n", IP_VERSION, r->year);
    fprintf(f, "inputs: %s\n", r->input_dir);
    fprintf(f, "inputs sha256: %s\n", r->inputs_sha256);
    /* Relative to the output folder, so that the report does not depend on
     * where the output root lives. */
    fprintf(f, "last year's fees: %d/fees.csv (%s)\n", r->year - 1,
            r->have_prev ? "read" : "not found");
    fprintf(f, "\nfiles read\n");
    for (i = 0; i < r->nfiles; i++)
    {
        char nb[32], nr[32];
        fprintf(f, "  %-16s %10s bytes %9s rows  sha256 %s\n", r->files[i].name,
                ip_money_fmt_thousands((int64_t)r->files[i].bytes, nb, sizeof nb),
                ip_money_fmt_thousands((int64_t)r->files[i].rows, nr, sizeof nr),
                r->files[i].sha256);
    }
    for (i = 0; i < r->nsvc; i++)
        write_service(r, i, f);
    fprintf(f, "\nwarnings: %zu\n", r->nwarnings);
    for (i = 0; i < r->nwarnings; i++)
        fprintf(f, "  %s\n", r->warnings[i]);
    if (ferror(f))
        return ip_write_failed(d, name, errno);
    return IP_OK;
}

/* --- the issued documents ------------------------------------------------ */

/* One document of a correction: number, kind, customer, net, date, what it
 * cancels. */
static void billing_doc(const ip_billing *b, FILE *f, const ip_issued_doc *x, int is_new)
{
    const ip_billing_opts *o = ip_billing_options(b);
    char a[32], amount[48], ds[11];
    fprintf(f, "    %-20s %-7s %-6" PRIu32 " ", x->number, x->is_credit ? "credit" : "invoice",
            x->customer);
    ip_fput_col(f, x->name, 34);
    snprintf(amount, sizeof amount, "%s%s kr", x->is_credit ? "-" : "",
             ip_money_fmt_sv(x->net, a, sizeof a));
    /* A preview without --issue-date does not know the correction's date. */
    fprintf(f, " %18s  %s", amount,
            is_new && !ip_billing_first_issue(b) && !o->issue_date
                ? "(--issue-date)"
                : ip_date_str(x->issue_date, ds));
    if (x->cancels)
        fprintf(f, "  cancels %s", x->cancels);
    fputc('\n', f);
}

static void count_kinds(const ip_billing *b, size_t from, size_t to, size_t *inv, size_t *cred)
{
    size_t i;
    *inv = *cred = 0;
    for (i = from; i < to; i++) {
        if (ip_billing_doc(b, i, NULL)->is_credit)
            (*cred)++;
        else
            (*inv)++;
    }
}

void ip_report_billing(const ip_billing *b, FILE *f)
{
    const ip_run *r = ip_billing_run(b);
    const ip_billing_opts *o = ip_billing_options(b);
    size_t n = ip_billing_ndocs(b), nrec = ip_billing_nrecorded(b), i, ninv, ncred;
    int periods = r->tariff->periods, first_issue = ip_billing_first_issue(b);
    int run_no = ip_billing_run_no(b);
    int run, last_run = -1;
    ip_billing_totals t;
    const char *verb;
    char a[32], c[32], ds[11];

    fprintf(f, "\n== issued documents (issued/%d/ beside the year folder)\n", r->year);
    if (periods == 1)
        fprintf(f, "invoicing: once a year; numbers %s%d-<nr>", r->tariff->number_prefix, r->year);
    else
        fprintf(f, "invoicing: %d periods a year; numbers %s%d-<nr>-<pp>", periods,
                r->tariff->number_prefix, r->year);
    fprintf(f, ", corrections -K<n> (credit note) and -R<n> (new invoice)\n");
    ip_billing_totals_of(b, &t);
    if (!o->preview) {
        /* report.txt: the state of the record after the run, the same
         * whichever run issued what, so a re-run stays byte-identical. */
        fprintf(f, "documents of the year: %zu invoices, %zu credit notes\n", t.invoices,
                t.credits);
    } else {
        count_kinds(b, 0, nrec, &ninv, &ncred);
        fprintf(f, "before this run: %zu invoices, %zu credit notes\n", ninv, ncred);
        count_kinds(b, nrec, n, &ninv, &ncred);
        verb = "this run would issue";
        if (ip_billing_nnew(b) == 0)
            fprintf(f, "%s nothing new: every standing invoice matches the fees\n", verb);
        else if (first_issue)
            fprintf(f, "%s the first invoices of the year: %zu invoices from %s\n", verb, ninv,
                    ip_date_str(ip_billing_base_date(b), ds));
        else if (!o->correct)
            fprintf(f, "this run fails without --correct: the invoices of %zu customers "
                       "changed; --correct would issue %zu credit notes and %zu new invoices\n",
                    ip_billing_nchanged(b), ncred, ninv);
        else
            fprintf(f, "%s correction %d, dated %s, for %zu customers: %zu credit notes, "
                       "%zu new invoices\n", verb, run_no,
                    ip_date_str(ip_billing_base_date(b), ds), ip_billing_nchanged(b), ncred, ninv);
    }

    for (i = 0; i < n; i++)
        if (ip_billing_doc(b, i, NULL)->run > last_run)
            last_run = ip_billing_doc(b, i, NULL)->run;
    if (last_run > 0)
        fprintf(f, "corrections of the year:\n");
    for (run = 1; run <= last_run; run++) {
        fprintf(f, "  correction %d%s\n", run,
                o->preview && run == run_no && ip_billing_nnew(b) && !first_issue ? " (this run)"
                                                                                  : "");
        for (i = 0; i < n; i++) {
            int is_new;
            const ip_issued_doc *x = ip_billing_doc(b, i, &is_new);
            if (x->run == run)
                billing_doc(b, f, x, is_new);
        }
    }

    /* Reconciliation: the standing invoices against this run's fees. */
    fprintf(f, "standing invoices: %zu, net %s kr; fees of the year %s kr%s\n", t.standing,
            ip_money_fmt_sv(t.standing_net, a, sizeof a),
            ip_money_fmt_thousands(t.fees, c, sizeof c),
            t.standing_net == t.fees * 100 ? " (equal)" : " (NOT equal: run with --correct)");
}
