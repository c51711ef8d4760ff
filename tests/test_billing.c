/*
 * test_billing.c — the plan of the year's documents, on years and records
 * made by hand; nothing here touches the disk.
 *
 * The period dates are the calendar's quarters and months (the split of the
 * amounts is money's, tested in test_money.c). Change detection is a table
 * of histories (first issue, unchanged, reordered lines, changed amount,
 * changed VAT, nothing owed any more, a second correction, an invoice after
 * a credit). The plan itself runs on a hand-made year of three customers
 * and two services: the first issue (numbers, dates, VAT, lines), monthly
 * periods (the split, the issue dates), a re-run that issues nothing, the
 * errors of changes without --correct or a date, a correction and a second
 * one (credit notes that mirror, new invoices that replace), customers who
 * owe nothing or left the register, and a record whose periods the tariff
 * no longer has. The record of issued documents has tests of its own
 * (test_issued.c), writing the documents is docwrite's (e2e).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "billing.h"
#include "customers.h"
#include "date.h"
#include "issued.h"
#include "run.h"
#include "tariff.h"
#include "util.h"

/* --- the period dates --------------------------------------------------- */

static void test_billing_period_dates_are_calendar_periods(void **state)
{
    ip_date s, e;
    (void)state;
    ip_billing_period_dates(2025, 1, 0, &s, &e);
    assert_int_equal(s, 20250101);
    assert_int_equal(e, 20251231);
    ip_billing_period_dates(2025, 4, 1, &s, &e);
    assert_int_equal(s, 20250401);
    assert_int_equal(e, 20250630);
    ip_billing_period_dates(2025, 4, 3, &s, &e);
    assert_int_equal(s, 20251001);
    assert_int_equal(e, 20251231);
    ip_billing_period_dates(2024, 12, 1, &s, &e);
    assert_int_equal(s, 20240201);
    assert_int_equal(e, 20240229);
    ip_billing_period_dates(2025, 12, 1, &s, &e);
    assert_int_equal(e, 20250228);
    ip_billing_period_dates(2025, 12, 11, &s, &e);
    assert_int_equal(s, 20251201);
    assert_int_equal(e, 20251231);
}

/* --- lines compared ----------------------------------------------------- */

static void test_billing_lines_compare(void **state)
{
    (void)state;
    /* the same services and amounts in any order are the same lines */
    assert_true(ip_billing_same_lines("a=1.00,b=2.00", "b=2.00,a=1.00"));
    assert_false(ip_billing_same_lines("a=1.00,b=2.00", "a=1.00,b=2.01"));
    assert_false(ip_billing_same_lines("a=1.00,b=2.00", "a=1.00"));
    assert_false(ip_billing_same_lines("a=1.00", "a=1.00,b=2.00"));
    assert_false(ip_billing_same_lines("a=1.00,b=2.00", "a=1.00,c=2.00"));
}

/* --- change detection --------------------------------------------------- */

static char n_orig[] = "KC2025-113", n_k1[] = "KC2025-113-K1", n_r1[] = "KC2025-113-R1";
static char l_old[] = "etjanst=10204.00,direkt=141310.00";
static char l_new[] = "etjanst=10119.00,direkt=141310.00";

static ip_issued_doc mkdoc(char *number, int credit, char *cancels, char *lines, char vat,
                           int pct)
{
    ip_issued_doc x;
    memset(&x, 0, sizeof x);
    x.number = number;
    x.is_credit = credit;
    x.customer = 113;
    x.cancels = cancels;
    x.lines = lines;
    x.vat_category = vat;
    x.vat_percent = pct;
    return x;
}

static void test_billing_decide_first_issue_and_unchanged(void **state)
{
    ip_issued_doc inv = mkdoc(n_orig, 0, NULL, l_old, 'O', 0);
    const ip_issued_doc *docs[] = {&inv};
    ip_billing_decision dec;
    (void)state;
    /* nothing issued, something owed: the first invoice, no suffix */
    ip_billing_decide(NULL, 0, l_old, 'O', 0, &dec);
    assert_int_equal(dec.credit, 0);
    assert_int_equal(dec.invoice, 1);
    assert_int_equal(dec.invoice_seq, 0);
    /* nothing issued, nothing owed */
    ip_billing_decide(NULL, 0, NULL, 'O', 0, &dec);
    assert_int_equal(dec.credit + dec.invoice, 0);
    /* unchanged, also with the lines in another order */
    ip_billing_decide(docs, 1, l_old, 'O', 0, &dec);
    assert_int_equal(dec.credit + dec.invoice, 0);
    assert_int_equal(dec.standing, 0);
    ip_billing_decide(docs, 1, "direkt=141310.00,etjanst=10204.00", 'O', 0, &dec);
    assert_int_equal(dec.credit + dec.invoice, 0);
}

static void test_billing_decide_changed_amount_credits_and_reinvoices(void **state)
{
    ip_issued_doc inv = mkdoc(n_orig, 0, NULL, l_old, 'O', 0);
    const ip_issued_doc *docs[] = {&inv};
    ip_billing_decision dec;
    (void)state;
    ip_billing_decide(docs, 1, l_new, 'O', 0, &dec);
    assert_int_equal(dec.standing, 0);
    assert_int_equal(dec.credit, 1);
    assert_int_equal(dec.credit_seq, 1);
    assert_int_equal(dec.invoice, 1);
    assert_int_equal(dec.invoice_seq, 1);
    /* the same amounts under another VAT category or rate are a change */
    ip_billing_decide(docs, 1, l_old, 'S', 25, &dec);
    assert_int_equal(dec.credit, 1);
    assert_int_equal(dec.invoice, 1);
    /* a service more or less is a change */
    ip_billing_decide(docs, 1, "etjanst=10204.00", 'O', 0, &dec);
    assert_int_equal(dec.credit, 1);
    /* nothing owed any more: only the credit note */
    ip_billing_decide(docs, 1, NULL, 'O', 0, &dec);
    assert_int_equal(dec.credit, 1);
    assert_int_equal(dec.invoice, 0);
}

static void test_billing_decide_follows_the_history(void **state)
{
    ip_issued_doc inv = mkdoc(n_orig, 0, NULL, l_old, 'O', 0);
    ip_issued_doc k1 = mkdoc(n_k1, 1, n_orig, l_old, 'O', 0);
    ip_issued_doc r1 = mkdoc(n_r1, 0, NULL, l_new, 'O', 0);
    const ip_issued_doc *corrected[] = {&inv, &k1, &r1};
    const ip_issued_doc *credited[] = {&inv, &k1};
    ip_billing_decision dec;
    (void)state;
    /* after one correction the replacement stands */
    ip_billing_decide(corrected, 3, l_new, 'O', 0, &dec);
    assert_int_equal(dec.standing, 2);
    assert_int_equal(dec.credit + dec.invoice, 0);
    /* back to the original amounts: a second correction, K2 and R2 */
    ip_billing_decide(corrected, 3, l_old, 'O', 0, &dec);
    assert_int_equal(dec.standing, 2);
    assert_int_equal(dec.credit, 1);
    assert_int_equal(dec.credit_seq, 2);
    assert_int_equal(dec.invoice, 1);
    assert_int_equal(dec.invoice_seq, 2);
    /* credited to nothing: nothing stands, and nothing owed is no change */
    ip_billing_decide(credited, 2, NULL, 'O', 0, &dec);
    assert_int_equal(dec.standing, -1);
    assert_int_equal(dec.credit + dec.invoice, 0);
    /* owed again: a new invoice R1 (the original number is never reused) */
    ip_billing_decide(credited, 2, l_old, 'O', 0, &dec);
    assert_int_equal(dec.credit, 0);
    assert_int_equal(dec.invoice, 1);
    assert_int_equal(dec.invoice_seq, 1);
}

/* --- the plan on a year made by hand ------------------------------------- */

/* Three customers (110 and 120 outside VAT, 113 at 25 %), two services; 120
 * owes nothing. The record a plan is made from is the documents of an
 * earlier plan (or made by hand): nothing here touches the disk. */
static char t_prefix[] = "KC", t_currency[] = "SEK";
static char g_o_id[] = "forvaltning", g_s_id[] = "bolag", g_label[] = "Grupp";
static ip_group groups[2] = {{g_o_id, g_label, IP_VAT_O, 0}, {g_s_id, g_label, IP_VAT_S, 25}};
static char s_etj[] = "etjanst", s_dir[] = "direkt", s_name[] = "Tjänst";
static char c110[] = "Stadsledningskontoret", c113[] = "Bostad AB", c120[] = "Kulturförvaltningen";
static const char record_name[] = "out/issued/2025/register.csv";

#define NCUST 3
#define NSVC 2

typedef struct model {
    ip_tariff t;
    ip_service svc[NSVC];
    ip_svc_result sr[NSVC];
    ip_alloc_item items[NSVC][NCUST];
    ip_run r;
} model;

static void model_init(model *m, int periods)
{
    ip_customer list[NCUST];
    size_t s;
    memset(m, 0, sizeof *m);
    memset(list, 0, sizeof list);
    list[0].nr = 110, list[0].name = c110, list[0].group = &groups[0];
    list[1].nr = 113, list[1].name = c113, list[1].group = &groups[1], list[1].group_index = 1;
    list[2].nr = 120, list[2].name = c120, list[2].group = &groups[0];
    m->t.year = 2025;
    m->t.currency = t_currency;
    m->t.number_prefix = t_prefix;
    m->t.issue_date = 20250115;
    m->t.due_days = 30;
    m->t.periods = periods;
    m->t.groups = groups;
    m->t.ngroups = 2;
    m->t.services = m->svc;
    m->t.nservices = NSVC;
    m->svc[0].id = s_etj;
    m->svc[1].id = s_dir;
    for (s = 0; s < NSVC; s++) {
        m->svc[s].name = s_name;
        m->sr[s].svc = &m->svc[s];
        m->sr[s].items = m->items[s];
    }
    m->r.year = 2025;
    m->r.tariff = &m->t;
    m->r.customers = ip_customers_new(list, NCUST);
    m->r.ncust = NCUST;
    m->r.svc = m->sr;
    m->r.nsvc = NSVC;
    /* etjanst 155 249 + 10 204 kr, direkt 24 494 + 141 310 kr */
    m->items[0][0].fee = 155249, m->items[0][1].fee = 10204;
    m->items[1][0].fee = 24494, m->items[1][1].fee = 141310;
}

static void model_release(model *m)
{
    ip_customers_free(m->r.customers);
}

static ip_billing_opts opts(int correct, ip_date issue_date, int preview)
{
    ip_billing_opts o;
    o.correct = correct;
    o.issue_date = issue_date;
    o.preview = preview;
    return o;
}

/* A plan that must succeed. */
static ip_billing *plan_ok(const model *m, const ip_issued_doc *const *docs, size_t n,
                           ip_billing_opts o)
{
    ip_billing *b = NULL;
    ip_diag d;
    ip_diag_clear(&d);
    if (ip_billing_plan(&m->r, docs, n, record_name, &o, &b, &d) != IP_OK)
        fail_msg("ip_billing_plan: %s", d.msg);
    assert_non_null(b);
    return b;
}

/* The record after plan b: every document of the year, as pointers into b
 * (the caller frees the array, not the documents). */
static const ip_issued_doc **record_of(const ip_billing *b, size_t *n)
{
    const ip_issued_doc **docs;
    size_t i;
    *n = ip_billing_ndocs(b);
    docs = ip_xcalloc(*n + 1, sizeof *docs);
    for (i = 0; i < *n; i++)
        docs[i] = ip_billing_doc(b, i, NULL);
    return docs;
}

static void assert_fees_stand(const ip_billing *b)
{
    ip_billing_totals t;
    ip_billing_totals_of(b, &t);
    assert_int_equal(t.fees, 155249 + 10204 + 24494 + 141310);
    assert_true(t.standing_net == t.fees * 100);
}

static void test_billing_plan_first_issue_invoices_who_owes(void **state)
{
    model m;
    ip_billing *b;
    const ip_billing_new *n0, *n1;
    ip_billing_totals t;
    int is_new = 0;
    (void)state;
    model_init(&m, 1);
    /* --correct --issue-date on an empty record: the tariff's dates */
    b = plan_ok(&m, NULL, 0, opts(1, 20250303, 0));
    assert_int_equal(ip_billing_first_issue(b), 1);
    assert_int_equal(ip_billing_run_no(b), 0);
    assert_int_equal(ip_billing_base_date(b), 20250115);
    assert_int_equal(ip_billing_nrecorded(b), 0);
    assert_int_equal(ip_billing_nnew(b), 2); /* 120 owes nothing */
    assert_int_equal(ip_billing_ndocs(b), 2);
    assert_int_equal(ip_billing_nchanged(b), 2);
    assert_int_equal(ip_billing_changed(b, 0), 110);
    assert_int_equal(ip_billing_changed(b, 1), 113);
    assert_ptr_equal(ip_billing_run(b), &m.r);
    assert_ptr_equal(ip_billing_doc(b, 0, &is_new), &ip_billing_new_at(b, 0)->doc);
    assert_int_equal(is_new, 1);

    n0 = ip_billing_new_at(b, 0);
    assert_string_equal(n0->doc.number, "KC2025-110");
    assert_string_equal(n0->doc.file, "2025-110.xml");
    assert_int_equal(n0->doc.is_credit, 0);
    assert_int_equal(n0->doc.customer, 110);
    assert_string_equal(n0->doc.name, c110);
    assert_int_equal(n0->doc.period_start, 20250101);
    assert_int_equal(n0->doc.period_end, 20251231);
    assert_int_equal(n0->doc.issue_date, 20250115);
    assert_int_equal(n0->doc.due_date, 20250214);
    assert_null(n0->doc.cancels);
    assert_int_equal(n0->doc.run, 0);
    assert_int_equal(n0->doc.vat_category, 'O');
    assert_int_equal(n0->doc.vat_percent, 0);
    assert_true(n0->doc.net == 17974300 && n0->doc.vat == 0 && n0->doc.total == 17974300);
    assert_string_equal(n0->doc.lines, "etjanst=155249.00,direkt=24494.00");
    assert_int_equal(n0->slot, 0);
    assert_int_equal(n0->period, 0);
    assert_int_equal(n0->cancels, -1);
    assert_null(n0->replaces);
    assert_int_equal(n0->nlines, 2);
    assert_int_equal(n0->lines[0].svc, 0);
    assert_true(n0->lines[0].amount_ore == 15524900);
    assert_int_equal(n0->lines[1].svc, 1);
    assert_true(n0->lines[1].amount_ore == 2449400);

    /* a company: VAT at its group's rate on the net */
    n1 = ip_billing_new_at(b, 1);
    assert_string_equal(n1->doc.number, "KC2025-113");
    assert_int_equal(n1->doc.vat_category, 'S');
    assert_int_equal(n1->doc.vat_percent, 25);
    assert_true(n1->doc.net == 15151400 && n1->doc.vat == 3787850 &&
                n1->doc.total == 18939250);
    assert_int_equal(n1->slot, 1);

    ip_billing_totals_of(b, &t);
    assert_int_equal(t.invoices, 2);
    assert_int_equal(t.credits, 0);
    assert_int_equal(t.corrections, 0);
    assert_int_equal(t.standing, 2);
    assert_true(ip_billing_doc_standing(b, 0) && ip_billing_doc_standing(b, 1));
    assert_fees_stand(b);
    ip_billing_free(b);
    model_release(&m);
}

static void test_billing_plan_splits_periods_and_dates_them(void **state)
{
    model m;
    ip_billing *b;
    int64_t sum = 0;
    size_t j;
    (void)state;
    model_init(&m, 12);
    m.t.issue_date = 20250215; /* after the start of February */
    m.items[1][0].fee = 0;     /* 110: etjanst only, 155 249 kr */
    b = plan_ok(&m, NULL, 0, opts(0, 0, 0));
    assert_int_equal(ip_billing_nnew(b), 24);
    for (j = 0; j < 12; j++) {
        const ip_billing_new *x = ip_billing_new_at(b, j);
        char number[32];
        ip_date s, e;
        snprintf(number, sizeof number, "KC2025-110-%02zu", j + 1);
        assert_string_equal(x->doc.number, number);
        assert_int_equal(x->period, (int)j);
        ip_billing_period_dates(2025, 12, (int)j, &s, &e);
        assert_int_equal(x->doc.period_start, s);
        assert_int_equal(x->doc.period_end, e);
        /* 15 524 900 öre = 12 × 1 293 741 + 8: the last eight get one more */
        assert_true(x->doc.net == (j < 4 ? 1293741 : 1293742));
        assert_int_equal(x->nlines, 1);
        assert_true(x->lines[0].amount_ore == x->doc.net);
        sum += x->doc.net;
        /* period 1 on the issue date, a later one on its first day or the
         * issue date when that is later */
        assert_int_equal(x->doc.issue_date, j <= 1 ? 20250215 : s);
        assert_int_equal(x->doc.due_date, ip_date_add_days(x->doc.issue_date, 30));
    }
    assert_true(sum == 15524900);
    assert_string_equal(ip_billing_new_at(b, 0)->doc.file, "2025-110-01.xml");
    assert_string_equal(ip_billing_new_at(b, 0)->doc.lines, "etjanst=12937.41");
    assert_string_equal(ip_billing_new_at(b, 12)->doc.number, "KC2025-113-01");
    ip_billing_free(b);
    model_release(&m);
}

static void test_billing_plan_of_an_unchanged_year_issues_nothing(void **state)
{
    model m;
    ip_billing *first, *again;
    const ip_issued_doc **docs;
    size_t n;
    (void)state;
    model_init(&m, 4);
    first = plan_ok(&m, NULL, 0, opts(0, 0, 0));
    docs = record_of(first, &n);
    assert_int_equal(n, 8);
    again = plan_ok(&m, docs, n, opts(0, 0, 0));
    /* the plan keeps copies: the documents it was made from may go */
    free(docs);
    ip_billing_free(first);
    assert_int_equal(ip_billing_first_issue(again), 0);
    assert_int_equal(ip_billing_run_no(again), 1);
    assert_int_equal(ip_billing_nrecorded(again), 8);
    assert_int_equal(ip_billing_nnew(again), 0);
    assert_int_equal(ip_billing_nchanged(again), 0);
    assert_string_equal(ip_billing_doc(again, 7, NULL)->number, "KC2025-113-04");
    assert_fees_stand(again);
    ip_billing_free(again);
    model_release(&m);
}

static void test_billing_plan_changes_need_correct_and_a_date(void **state)
{
    model m;
    ip_billing *first, *b = NULL;
    const ip_issued_doc **docs;
    ip_billing_opts o;
    ip_diag d;
    size_t n;
    (void)state;
    model_init(&m, 1);
    first = plan_ok(&m, NULL, 0, opts(0, 0, 0));
    docs = record_of(first, &n);
    m.items[0][1].fee = 10119; /* 113's etjanst changes */

    o = opts(0, 0, 0);
    ip_diag_clear(&d);
    assert_int_equal(ip_billing_plan(&m.r, docs, n, record_name, &o, &b, &d), IP_ERR_DATA);
    assert_null(b);
    assert_string_equal(d.file, record_name);
    assert_non_null(strstr(d.msg, "expected the issued invoices of 2025 to stand, found 1 "
                                  "customer whose invoices would change (113); run with "
                                  "--correct"));

    /* a preview says what --correct would do */
    b = plan_ok(&m, docs, n, opts(0, 0, 1));
    assert_int_equal(ip_billing_nchanged(b), 1);
    assert_int_equal(ip_billing_nnew(b), 2);
    ip_billing_free(b);
    b = NULL;

    o = opts(1, 0, 0);
    assert_int_equal(ip_billing_plan(&m.r, docs, n, record_name, &o, &b, &d), IP_ERR_USAGE);
    assert_non_null(strstr(d.msg, "expected --issue-date YYYY-MM-DD with --correct: the "
                                  "corrections of 1 customer (113)"));
    o = opts(1, 20250114, 0);
    assert_int_equal(ip_billing_plan(&m.r, docs, n, record_name, &o, &b, &d), IP_ERR_USAGE);
    assert_non_null(strstr(d.msg, "on or after the tariff's issue date 2025-01-15, found "
                                  "2025-01-14"));
    assert_null(b);
    free(docs);
    ip_billing_free(first);
    model_release(&m);
}

static void test_billing_plan_correction_credits_and_reissues(void **state)
{
    model m;
    ip_billing *first, *second, *third;
    const ip_issued_doc **docs;
    const ip_billing_new *k, *r;
    ip_billing_totals t;
    size_t n;
    (void)state;
    model_init(&m, 1);
    first = plan_ok(&m, NULL, 0, opts(0, 0, 0));
    docs = record_of(first, &n);
    m.items[0][1].fee = 10119;
    second = plan_ok(&m, docs, n, opts(1, 20250303, 0));
    free(docs);
    assert_int_equal(ip_billing_run_no(second), 1);
    assert_int_equal(ip_billing_base_date(second), 20250303);
    assert_int_equal(ip_billing_nnew(second), 2);

    /* the credit note mirrors the standing invoice */
    k = ip_billing_new_at(second, 0);
    assert_string_equal(k->doc.number, "KC2025-113-K1");
    assert_string_equal(k->doc.file, "2025-113-K1.xml");
    assert_int_equal(k->doc.is_credit, 1);
    assert_string_equal(k->doc.cancels, "KC2025-113");
    assert_int_equal(k->cancels, 1);
    assert_string_equal(ip_billing_doc(second, (size_t)k->cancels, NULL)->number, "KC2025-113");
    assert_int_equal(k->slot, -1);
    assert_null(k->lines);
    assert_string_equal(k->doc.lines, "etjanst=10204.00,direkt=141310.00");
    assert_true(k->doc.net == 15151400 && k->doc.vat == 3787850);
    assert_int_equal(k->doc.issue_date, 20250303);
    assert_int_equal(k->doc.due_date, 20250402);
    assert_int_equal(k->doc.run, 1);

    /* the new invoice replaces it under the next number */
    r = ip_billing_new_at(second, 1);
    assert_string_equal(r->doc.number, "KC2025-113-R1");
    assert_string_equal(r->doc.file, "2025-113-R1.xml");
    assert_string_equal(r->replaces, "KC2025-113");
    assert_string_equal(r->doc.lines, "etjanst=10119.00,direkt=141310.00");
    assert_true(r->lines[0].amount_ore == 1011900);
    assert_int_equal(r->doc.issue_date, 20250303);
    assert_int_equal(r->doc.run, 1);

    assert_false(ip_billing_doc_standing(second, 1)); /* the original */
    assert_false(ip_billing_doc_standing(second, 2)); /* K1 */
    assert_true(ip_billing_doc_standing(second, 3));  /* R1 */
    ip_billing_totals_of(second, &t);
    assert_int_equal(t.invoices, 3);
    assert_int_equal(t.credits, 1);
    assert_int_equal(t.corrections, 2);
    assert_int_equal(t.standing, 2);
    assert_true(t.standing_net == t.fees * 100);

    /* back to the first amounts: a second correction cancels R1 */
    docs = record_of(second, &n);
    m.items[0][1].fee = 10204;
    third = plan_ok(&m, docs, n, opts(1, 20250401, 0));
    free(docs);
    assert_int_equal(ip_billing_run_no(third), 2);
    assert_int_equal(ip_billing_nnew(third), 2);
    assert_string_equal(ip_billing_new_at(third, 0)->doc.number, "KC2025-113-K2");
    assert_string_equal(ip_billing_new_at(third, 0)->doc.cancels, "KC2025-113-R1");
    assert_int_equal(ip_billing_new_at(third, 0)->cancels, 3);
    assert_string_equal(ip_billing_new_at(third, 1)->doc.number, "KC2025-113-R2");
    assert_string_equal(ip_billing_new_at(third, 1)->replaces, "KC2025-113-R1");
    assert_fees_stand(third);
    ip_billing_free(third);
    ip_billing_free(second);
    ip_billing_free(first);
    model_release(&m);
}

static void test_billing_plan_credits_who_owes_nothing_now(void **state)
{
    model m;
    ip_billing *first, *b;
    const ip_issued_doc **docs;
    ip_issued_doc gone;
    char g_number[] = "KC2025-999", g_name[] = "Nedlagd nämnd", g_file[] = "2025-999.xml";
    char g_lines[] = "etjanst=500.00";
    size_t n;
    (void)state;
    model_init(&m, 1);
    first = plan_ok(&m, NULL, 0, opts(0, 0, 0));
    docs = record_of(first, &n);
    /* and an invoice of a customer the register no longer has */
    memset(&gone, 0, sizeof gone);
    gone.number = g_number, gone.customer = 999, gone.name = g_name, gone.file = g_file;
    gone.period_start = 20250101, gone.period_end = 20251231;
    gone.issue_date = 20250115, gone.due_date = 20250214;
    gone.vat_category = 'O', gone.lines = g_lines, gone.net = gone.total = 50000;
    docs[n++] = &gone;
    m.items[0][1].fee = 0;
    m.items[1][1].fee = 0; /* 113 owes nothing now */
    b = plan_ok(&m, docs, n, opts(1, 20250303, 0));
    free(docs);
    assert_int_equal(ip_billing_nchanged(b), 2);
    assert_int_equal(ip_billing_changed(b, 0), 113);
    assert_int_equal(ip_billing_changed(b, 1), 999);
    assert_int_equal(ip_billing_nnew(b), 2); /* two credit notes, no invoice */
    assert_string_equal(ip_billing_new_at(b, 0)->doc.number, "KC2025-113-K1");
    assert_string_equal(ip_billing_new_at(b, 1)->doc.number, "KC2025-999-K1");
    assert_string_equal(ip_billing_new_at(b, 1)->doc.name, g_name);
    assert_int_equal(ip_billing_new_at(b, 1)->cancels, 2);
    assert_int_equal(ip_billing_new_at(b, 1)->doc.is_credit, 1);
    ip_billing_free(b);
    ip_billing_free(first);
    model_release(&m);
}

static void test_billing_plan_refuses_periods_the_tariff_does_not_have(void **state)
{
    model m;
    ip_billing *first, *b = NULL;
    const ip_issued_doc **docs;
    ip_billing_opts o = opts(0, 0, 0);
    ip_diag d;
    size_t n;
    (void)state;
    model_init(&m, 1);
    first = plan_ok(&m, NULL, 0, o);
    docs = record_of(first, &n);
    m.t.periods = 4; /* the yearly invoices would come back as first quarters */
    ip_diag_clear(&d);
    assert_int_equal(ip_billing_plan(&m.r, docs, n, record_name, &o, &b, &d), IP_ERR_DATA);
    assert_null(b);
    assert_string_equal(d.file, record_name);
    assert_int_equal(d.line, 2);
    assert_non_null(strstr(d.msg, "expected invoice periods of the tariff's periods=\"4\", "
                                  "found 'KC2025-110' for 2025-01-01–2025-12-31"));
    free(docs);
    ip_billing_free(first);
    model_release(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_billing_period_dates_are_calendar_periods),
        cmocka_unit_test(test_billing_lines_compare),
        cmocka_unit_test(test_billing_decide_first_issue_and_unchanged),
        cmocka_unit_test(test_billing_decide_changed_amount_credits_and_reinvoices),
        cmocka_unit_test(test_billing_decide_follows_the_history),
        cmocka_unit_test(test_billing_plan_first_issue_invoices_who_owes),
        cmocka_unit_test(test_billing_plan_splits_periods_and_dates_them),
        cmocka_unit_test(test_billing_plan_of_an_unchanged_year_issues_nothing),
        cmocka_unit_test(test_billing_plan_changes_need_correct_and_a_date),
        cmocka_unit_test(test_billing_plan_correction_credits_and_reissues),
        cmocka_unit_test(test_billing_plan_credits_who_owes_nothing_now),
        cmocka_unit_test(test_billing_plan_refuses_periods_the_tariff_does_not_have),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
