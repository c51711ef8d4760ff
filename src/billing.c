/*
 * billing.c — the plan of the year's documents: splits each fee over the
 * invoicing periods, compares what each customer and period should be
 * invoiced with what the record of issued documents says stands, and plans
 * the invoices, credit notes and new invoices that this run issues (see
 * billing.h for the rules, issued.h for the record).
 *
 * Planning is apart from writing so that a run that must not issue anything
 * (changes without --correct) fails before a single file is written, so that
 * report.txt and the workbook, written before the invoices, can list what
 * this run issues, and so that the rules can be tested on records made by
 * hand. Nothing here reads or writes a file; report.txt says what the plan
 * decided through the accessors (report.h).
 */
#include "billing.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "money.h"
#include "util.h"

#define MAX_LISTED 10 /* customers named in the "would change" error */

struct ip_billing {
    const ip_run *r;
    ip_billing_opts o;
    ip_issued_doc *recorded; /* copies of the record's documents, in issue order */
    size_t nrecorded;
    int periods;
    int first_issue;     /* no document was issued before this run */
    int run_no;          /* 0: first issue, n: the n-th correction */
    ip_billing_new *plan;
    size_t nplan, plan_alloc;
    uint32_t *changed;   /* customers whose documents change, ascending */
    size_t nchanged, changed_alloc;
    unsigned char *standing; /* per document of the year (ip_billing_doc): 1 when it stands */
};

/* --- periods ------------------------------------------------------------ */

void ip_billing_period_dates(int year, int periods, int p, ip_date *start, ip_date *end)
{
    int months = 12 / periods, first = p * months + 1, last = first + months - 1;
    *start = ip_date_of(year, first, 1);
    *end = ip_date_of(year, last, ip_days_in_month(year, last));
}

/* --- change detection --------------------------------------------------- */

/* The amount of service svc in a lines text, or -1 when absent. */
static int64_t lines_amount(const char *lines, const char *svc)
{
    char s[128];
    int64_t ore;
    while (ip_issued_lines_next(&lines, s, sizeof s, &ore) == 1)
        if (strcmp(s, svc) == 0)
            return ore;
    return -1;
}

static size_t lines_count(const char *lines)
{
    char s[128];
    int64_t ore;
    size_t n = 0;
    while (ip_issued_lines_next(&lines, s, sizeof s, &ore) == 1)
        n++;
    return n;
}

int ip_billing_same_lines(const char *a, const char *b)
{
    const char *p = a;
    char s[128];
    int64_t ore;
    if (lines_count(a) != lines_count(b))
        return 0;
    while (ip_issued_lines_next(&p, s, sizeof s, &ore) == 1)
        if (lines_amount(b, s) != ore)
            return 0;
    return 1;
}

void ip_billing_decide(const ip_issued_doc *const *docs, size_t n, const char *lines,
                       char vat_category, int vat_percent, ip_billing_decision *out)
{
    size_t i, j;
    int ncredits = 0, ninvoices = 0, same;
    memset(out, 0, sizeof *out);
    out->standing = -1;
    for (i = 0; i < n; i++) {
        if (docs[i]->is_credit) {
            ncredits++;
            continue;
        }
        ninvoices++;
        for (j = 0; j < n; j++)
            if (docs[j]->is_credit && strcmp(docs[j]->cancels, docs[i]->number) == 0)
                break;
        if (j == n)
            out->standing = (long)i; /* the last one not cancelled */
    }
    if (out->standing < 0)
        same = lines == NULL;
    else
        same = lines != NULL && ip_billing_same_lines(docs[out->standing]->lines, lines) &&
               docs[out->standing]->vat_category == vat_category &&
               docs[out->standing]->vat_percent == vat_percent;
    if (same)
        return;
    out->credit = out->standing >= 0;
    out->invoice = lines != NULL;
    out->credit_seq = ncredits + 1;
    out->invoice_seq = ninvoices;
}

/* --- planning ----------------------------------------------------------- */

char *ip_billing_number(const ip_run *r, uint32_t nr)
{
    return ip_xasprintf("%s%d-%" PRIu32, r->tariff->number_prefix, r->year, nr);
}

/* "2025-110" or "2025-110-03": the file stem of a customer's period, digits
 * only; the number is the tariff's prefix before it. */
static char *file_stem(const ip_billing *b, uint32_t nr, int p)
{
    if (b->periods == 1)
        return ip_xasprintf("%d-%" PRIu32, b->r->year, nr);
    return ip_xasprintf("%d-%" PRIu32 "-%02d", b->r->year, nr, p + 1);
}

/* The lines of customer slot k in period p: as a text ("service=amount,…",
 * NULL when nothing is owed) and one ip_billing_line per service with a fee
 * into *out (heap, NULL when nothing is owed) and *nout. */
static char *period_lines(const ip_billing *b, long k, int p, ip_billing_line **out,
                          size_t *nout)
{
    const ip_run *r = b->r;
    ip_buf text;
    size_t s;
    *out = NULL;
    *nout = 0;
    if (k < 0 || ip_run_customer_total(r, (size_t)k) <= 0)
        return NULL;
    *out = ip_xcalloc(r->nsvc, sizeof **out);
    ip_buf_init(&text);
    for (s = 0; s < r->nsvc; s++) {
        int64_t fee = r->svc[s].items[k].fee, part;
        char a[32];
        if (fee <= 0)
            continue;
        part = ip_money_period_part(fee * 100, b->periods, p);
        ip_buf_addf(&text, "%s%s=%s", text.len ? "," : "", r->svc[s].svc->id,
                    ip_money_fmt(part, a));
        (*out)[*nout].svc = s;
        (*out)[(*nout)++].amount_ore = part;
    }
    return ip_buf_detach(&text);
}

static int64_t lines_sum(const char *lines)
{
    char s[128];
    int64_t ore, sum = 0;
    while (ip_issued_lines_next(&lines, s, sizeof s, &ore) == 1)
        sum += ore;
    return sum;
}

static ip_date max_date(ip_date a, ip_date b)
{
    return a > b ? a : b;
}

static ip_billing_new *add_plan(ip_billing *b)
{
    ip_billing_new *p;
    ip_xgrow((void **)&b->plan, &b->plan_alloc, b->nplan + 1, sizeof *b->plan);
    p = &b->plan[b->nplan++];
    memset(p, 0, sizeof *p);
    p->slot = -1;
    p->cancels = -1;
    return p;
}

static void note_changed(ip_billing *b, uint32_t nr)
{
    if (b->nchanged && b->changed[b->nchanged - 1] == nr)
        return; /* customers are visited in ascending order */
    ip_xgrow((void **)&b->changed, &b->changed_alloc, b->nchanged + 1, sizeof *b->changed);
    b->changed[b->nchanged++] = nr;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

ip_date ip_billing_base_date(const ip_billing *b)
{
    if (b->first_issue || !b->o.issue_date)
        return b->r->tariff->issue_date;
    return b->o.issue_date;
}

/* A recorded document by customer, period and place in the record, so that
 * each customer's period finds its documents as one run of a sorted index. */
typedef struct doc_key {
    uint32_t customer;
    int period;
    size_t i;
} doc_key;

static int cmp_doc_key(const void *a, const void *b)
{
    const doc_key *x = a, *y = b;
    if (x->customer != y->customer)
        return x->customer < y->customer ? -1 : 1;
    if (x->period != y->period)
        return x->period < y->period ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

static int cmp_str_ptr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Which documents of the year stand once the plan is carried out: the
 * invoices whose number no credit note cancels, found by a binary search of
 * the sorted cancelled numbers (n log n for the year, not n per document). */
static void mark_standing(ip_billing *b)
{
    size_t n = ip_billing_ndocs(b), i, nc = 0;
    const char **cancelled = ip_xcalloc(n + 1, sizeof *cancelled);
    b->standing = ip_xcalloc(n + 1, 1);
    for (i = 0; i < n; i++) {
        const ip_issued_doc *x = ip_billing_doc(b, i, NULL);
        if (x->is_credit && x->cancels)
            cancelled[nc++] = x->cancels;
    }
    qsort(cancelled, nc, sizeof *cancelled, cmp_str_ptr);
    for (i = 0; i < n; i++) {
        const ip_issued_doc *x = ip_billing_doc(b, i, NULL);
        b->standing[i] = !x->is_credit &&
                         !bsearch(&x->number, cancelled, nc, sizeof *cancelled, cmp_str_ptr);
    }
    free(cancelled);
}

/* Plans what customer nr's period p needs; docs are its documents in the
 * record, doc_index their indices there. */
static void plan_slot(ip_billing *b, uint32_t nr, long slot, int p,
                      const ip_issued_doc *const *docs, const long *doc_index, size_t ndocs)
{
    const ip_run *r = b->r;
    const ip_customer *c = slot >= 0 ? ip_customers_at(r->customers, (size_t)slot) : NULL;
    ip_billing_line *owed;
    size_t nowed;
    char *lines = period_lines(b, slot, p, &owed, &nowed), *stem, *file_stem_s;
    char vat_cat = 'O';
    int vat_pct = 0;
    ip_billing_decision dec;
    ip_date start, end, base = ip_billing_base_date(b), after = 0;
    size_t i;

    if (c && c->group->vat == IP_VAT_S) {
        vat_cat = 'S';
        vat_pct = c->group->vat_percent;
    }
    ip_billing_decide(docs, ndocs, lines, vat_cat, vat_pct, &dec);
    if (!dec.credit && !dec.invoice) {
        free(lines);
        free(owed);
        return;
    }
    note_changed(b, nr);
    ip_billing_period_dates(r->year, b->periods, p, &start, &end);
    /* Documents in time order: nothing new in this period is dated before
     * the period's last document, so a correction dated before an earlier
     * one never dates a replacement before what it replaces (the ledger,
     * sorted by date, never shows the period invoiced twice). */
    for (i = 0; i < ndocs; i++)
        after = max_date(after, docs[i]->issue_date);
    file_stem_s = file_stem(b, nr, p);
    stem = ip_xasprintf("%s%s", r->tariff->number_prefix, file_stem_s);
    if (dec.credit) {
        const ip_issued_doc *inv = docs[dec.standing];
        ip_billing_new *pl = add_plan(b);
        pl->period = p;
        pl->cancels = doc_index[dec.standing];
        pl->doc.number = ip_xasprintf("%s-K%d", stem, dec.credit_seq);
        pl->doc.file = ip_xasprintf("%s-K%d.xml", file_stem_s, dec.credit_seq);
        pl->doc.is_credit = 1;
        pl->doc.customer = nr;
        pl->doc.name = ip_xstrdup(inv->name);
        pl->doc.period_start = inv->period_start;
        pl->doc.period_end = inv->period_end;
        pl->doc.issue_date = max_date(base, after);
        pl->doc.due_date = ip_date_add_days(pl->doc.issue_date, r->tariff->due_days);
        after = pl->doc.issue_date;
        pl->doc.cancels = ip_xstrdup(inv->number);
        pl->doc.run = b->run_no;
        pl->doc.vat_category = inv->vat_category;
        pl->doc.vat_percent = inv->vat_percent;
        pl->doc.net = inv->net;
        pl->doc.vat = inv->vat;
        pl->doc.total = inv->total;
        pl->doc.lines = ip_xstrdup(inv->lines);
    }
    if (dec.invoice) {
        ip_billing_new *pl = add_plan(b);
        pl->slot = slot;
        pl->period = p;
        if (dec.invoice_seq == 0) {
            pl->doc.number = ip_xstrdup(stem);
            pl->doc.file = ip_xasprintf("%s.xml", file_stem_s);
        } else {
            pl->doc.number = ip_xasprintf("%s-R%d", stem, dec.invoice_seq);
            pl->doc.file = ip_xasprintf("%s-R%d.xml", file_stem_s, dec.invoice_seq);
        }
        if (dec.standing >= 0)
            pl->replaces = ip_xstrdup(docs[dec.standing]->number);
        pl->doc.customer = nr;
        pl->doc.name = ip_xstrdup(c->name);
        pl->doc.period_start = start;
        pl->doc.period_end = end;
        pl->doc.issue_date = max_date(p == 0 ? base : max_date(start, base), after);
        pl->doc.due_date = ip_date_add_days(pl->doc.issue_date, r->tariff->due_days);
        pl->doc.run = b->run_no;
        pl->doc.vat_category = vat_cat;
        pl->doc.vat_percent = vat_pct;
        pl->doc.net = lines_sum(lines);
        pl->doc.vat = vat_cat == 'S' ? ip_money_vat(pl->doc.net, vat_pct) : 0;
        pl->doc.total = pl->doc.net + pl->doc.vat;
        pl->doc.lines = lines;
        pl->lines = owed;
        pl->nlines = nowed;
        lines = NULL;
        owed = NULL;
    }
    free(lines);
    free(owed);
    free(stem);
    free(file_stem_s);
}

ip_err ip_billing_plan(const ip_run *r, const ip_issued_doc *const *rec_docs, size_t nd,
                       const char *record_name, const ip_billing_opts *o, ip_billing **out,
                       ip_diag *d)
{
    ip_billing *b = ip_xcalloc(1, sizeof *b);
    const ip_issued_doc **docs = NULL;
    long *doc_index = NULL;
    int *doc_period = NULL;
    uint32_t *nrs = NULL;
    doc_key *keys = NULL;
    size_t nnrs = 0, i, k, g = 0;
    int p, last_run = -1;
    ip_err e;

    *out = NULL;
    if (o->issue_date) {
        /* a date around the price year (tariff.h): 2999-12-31 would give a
         * due date the record cannot read back, and bricks the year */
        ip_date from, to;
        char a[11], c[11], x[11];
        ip_tariff_issue_range(r->year, r->tariff->due_days, &from, &to);
        if (o->issue_date < from || o->issue_date > to) {
            e = ip_diag_set(d, IP_ERR_USAGE, NULL, 0,
                            "expected --issue-date between %s and %s (around the price year "
                            "%d), found %s", ip_date_str(from, a), ip_date_str(to, c), r->year,
                            ip_date_str(o->issue_date, x));
            free(b);
            return e;
        }
    }
    b->r = r;
    b->o = *o;
    b->periods = r->tariff->periods;
    if (b->periods != 1 && b->periods != 4 && b->periods != 12)
        IP_BUG("periods=%d in a checked tariff", b->periods);
    b->recorded = ip_xcalloc(nd ? nd : 1, sizeof *b->recorded);
    for (i = 0; i < nd; i++) {
        ip_issued_doc_copy(&b->recorded[i], rec_docs[i]);
        if (rec_docs[i]->run > last_run)
            last_run = rec_docs[i]->run;
    }
    b->nrecorded = nd;
    b->first_issue = nd == 0;
    b->run_no = b->first_issue ? 0 : last_run + 1;

    /* Every issued document belongs to one of the tariff's periods: their
     * number cannot change once invoices are out (a quarter's number
     * KC2025-110-01 would come back as January's). */
    doc_period = ip_xcalloc(nd ? nd : 1, sizeof *doc_period);
    for (i = 0; i < nd; i++) {
        const ip_issued_doc *x = &b->recorded[i];
        for (p = 0; p < b->periods; p++) {
            ip_date s, t;
            ip_billing_period_dates(r->year, b->periods, p, &s, &t);
            if (s == x->period_start && t == x->period_end)
                break;
        }
        if (p == b->periods) {
            char a[11], c[11];
            e = ip_diag_set(d, IP_ERR_DATA, record_name, (long)i + 2,
                            "expected invoice periods of the tariff's periods=\"%d\", found "
                            "'%s' for %s–%s; the periods cannot change once invoices are "
                            "issued", b->periods, x->number, ip_date_str(x->period_start, a),
                            ip_date_str(x->period_end, c));
            goto fail;
        }
        doc_period[i] = p;
    }

    /* The customers to look at: everyone who owes something now and
     * everyone the record has documents for, ascending. */
    nrs = ip_xcalloc(r->ncust + nd + 1, sizeof *nrs);
    for (k = 0; k < r->ncust; k++)
        if (ip_run_customer_total(r, k) > 0)
            nrs[nnrs++] = ip_customers_at(r->customers, k)->nr;
    for (i = 0; i < nd; i++)
        nrs[nnrs++] = b->recorded[i].customer;
    qsort(nrs, nnrs, sizeof *nrs, cmp_u32);
    /* The record's documents by customer, period and issue order: every
     * customer looked at below is in it, ascending, so one pass over the
     * sorted keys hands each period its documents in issue order. */
    keys = ip_xcalloc(nd ? nd : 1, sizeof *keys);
    for (i = 0; i < nd; i++) {
        keys[i].customer = b->recorded[i].customer;
        keys[i].period = doc_period[i];
        keys[i].i = i;
    }
    qsort(keys, nd, sizeof *keys, cmp_doc_key);
    docs = ip_xcalloc(nd ? nd : 1, sizeof *docs);
    doc_index = ip_xcalloc(nd ? nd : 1, sizeof *doc_index);
    for (k = 0; k < nnrs; k++) {
        uint32_t nr = nrs[k];
        long slot = ip_customers_slot(r->customers, nr);
        if (k > 0 && nrs[k - 1] == nr)
            continue;
        for (p = 0; p < b->periods; p++) {
            size_t n = 0;
            for (; g < nd && keys[g].customer == nr && keys[g].period == p; g++) {
                docs[n] = &b->recorded[keys[g].i];
                doc_index[n++] = (long)keys[g].i;
            }
            plan_slot(b, nr, slot, p, docs, doc_index, n);
        }
    }
    if (g != nd)
        IP_BUG("%zu of %zu recorded documents planned", g, nd);

    if (!b->first_issue && b->nchanged > 0) {
        char list[256];
        size_t len = 0;
        list[0] = '\0';
        for (i = 0; i < b->nchanged && i < MAX_LISTED; i++)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%" PRIu32,
                                    i ? ", " : "", b->changed[i]);
        if (b->nchanged > MAX_LISTED)
            snprintf(list + len, sizeof list - len, " and %zu more", b->nchanged - MAX_LISTED);
        if (!o->correct && !o->preview) {
            e = ip_diag_set(d, IP_ERR_DATA, record_name, 0,
                            "expected the issued invoices of %d to stand, found %zu "
                            "customer%s whose invoices would change (%s); run with --correct "
                            "--issue-date YYYY-MM-DD to credit and re-invoice them",
                            r->year, b->nchanged, b->nchanged == 1 ? "" : "s", list);
            goto fail;
        }
        if (o->correct && !o->issue_date) {
            e = ip_diag_set(d, IP_ERR_USAGE, NULL, 0,
                            "expected --issue-date YYYY-MM-DD with --correct: the corrections "
                            "of %zu customer%s (%s) need the date they are issued",
                            b->nchanged, b->nchanged == 1 ? "" : "s", list);
            goto fail;
        }
        if (o->correct && o->issue_date < r->tariff->issue_date) {
            char a[11], c[11];
            e = ip_diag_set(d, IP_ERR_USAGE, NULL, 0,
                            "expected --issue-date on or after the tariff's issue date %s, "
                            "found %s", ip_date_str(r->tariff->issue_date, a),
                            ip_date_str(o->issue_date, c));
            goto fail;
        }
    }
    free(docs);
    free(doc_index);
    free(doc_period);
    free(nrs);
    free(keys);
    mark_standing(b);
    *out = b;
    return IP_OK;
fail:
    free(keys);
    free(docs);
    free(doc_index);
    free(doc_period);
    free(nrs);
    ip_billing_free(b);
    return e;
}

void ip_billing_free(ip_billing *b)
{
    size_t i;
    if (!b)
        return;
    for (i = 0; i < b->nrecorded; i++)
        ip_issued_doc_release(&b->recorded[i]);
    free(b->recorded);
    for (i = 0; i < b->nplan; i++) {
        ip_issued_doc_release(&b->plan[i].doc);
        free(b->plan[i].lines);
        free(b->plan[i].replaces);
    }
    free(b->plan);
    free(b->changed);
    free(b->standing);
    free(b);
}

/* --- what the plan says ------------------------------------------------- */

void ip_billing_totals_of(const ip_billing *b, ip_billing_totals *t)
{
    size_t n = ip_billing_ndocs(b), i;
    memset(t, 0, sizeof *t);
    for (i = 0; i < n; i++) {
        const ip_issued_doc *x = ip_billing_doc(b, i, NULL);
        if (x->is_credit)
            t->credits++;
        else
            t->invoices++;
        if (x->run > 0)
            t->corrections++;
        if (ip_billing_doc_standing(b, i)) {
            t->standing++;
            t->standing_net += x->net;
        }
    }
    for (i = 0; i < b->r->ncust; i++)
        t->fees += ip_run_customer_total(b->r, i);
}

size_t ip_billing_ndocs(const ip_billing *b)
{
    return b->nrecorded + b->nplan;
}

size_t ip_billing_nrecorded(const ip_billing *b)
{
    return b->nrecorded;
}

const ip_issued_doc *ip_billing_doc(const ip_billing *b, size_t i, int *is_new)
{
    if (i >= b->nrecorded + b->nplan)
        IP_BUG("document %zu of %zu", i, b->nrecorded + b->nplan);
    if (is_new)
        *is_new = i >= b->nrecorded;
    return i < b->nrecorded ? &b->recorded[i] : &b->plan[i - b->nrecorded].doc;
}

int ip_billing_doc_standing(const ip_billing *b, size_t i)
{
    if (i >= ip_billing_ndocs(b))
        IP_BUG("document %zu of %zu", i, ip_billing_ndocs(b));
    return b->standing[i];
}

size_t ip_billing_nnew(const ip_billing *b)
{
    return b->nplan;
}

const ip_billing_new *ip_billing_new_at(const ip_billing *b, size_t j)
{
    if (j >= b->nplan)
        IP_BUG("new document %zu of %zu", j, b->nplan);
    return &b->plan[j];
}

const ip_run *ip_billing_run(const ip_billing *b)
{
    return b->r;
}

const ip_billing_opts *ip_billing_options(const ip_billing *b)
{
    return &b->o;
}

int ip_billing_first_issue(const ip_billing *b)
{
    return b->first_issue;
}

int ip_billing_run_no(const ip_billing *b)
{
    return b->run_no;
}

size_t ip_billing_nchanged(const ip_billing *b)
{
    return b->nchanged;
}

uint32_t ip_billing_changed(const ip_billing *b, size_t i)
{
    if (i >= b->nchanged)
        IP_BUG("changed customer %zu of %zu", i, b->nchanged);
    return b->changed[i];
}
