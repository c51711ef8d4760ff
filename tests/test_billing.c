/*
 * test_billing.c — invoicing periods, change detection and a stored invoice
 * read back.
 *
 * The period dates are the calendar's quarters and months (the split of the
 * amounts is money's, tested in test_money.c). Change detection is a table
 * of histories (first issue, unchanged, reordered lines, changed amount,
 * changed VAT, nothing owed any more, a second correction, an invoice after
 * a credit). A stored invoice reads back for its credit note.
 * The record of issued documents has tests of its own (test_issued.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "billing.h"
#include "invoice.h"
#include "issued.h"
#include "stage.h"
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

/* --- a temporary folder ------------------------------------------------ */

typedef struct fixture {
    char root[64];
} fixture;

static int setup_record(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    snprintf(fx->root, sizeof fx->root, "/tmp/ip-test-billing.XXXXXX");
    if (!mkdtemp(fx->root))
        return -1;
    *state = fx;
    return 0;
}

static int teardown_record(void **state)
{
    fixture *fx = *state;
    ip_rmtree(fx->root);
    free(fx);
    return 0;
}

static void write_text_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* --- reading a stored invoice back --------------------------------------- */

static void test_billing_invoice_reads_back_for_its_credit_note(void **state)
{
    fixture *fx = *state;
    char s_name[] = "Stockholms stad", s_org[] = "2120000142", s_vat[] = "SE212000014201";
    char s_street[] = "Fleminggatan 4", s_post[] = "104 20", s_city[] = "Stockholm";
    char g_id[] = "bolag", g_label[] = "Bolag";
    char c_name[] = "Bostad <&> \"AB\"", c_ref[] = "R&D 1", c_street[] = "Gatan 1";
    ip_seller seller = {s_name, s_org, s_vat, s_street, s_post, s_city, NULL};
    ip_group group = {g_id, g_label, IP_VAT_S, 25};
    ip_customer cust;
    ip_invoice_line lines[2] = {
        {"1", "E-tjänstsupport", "201 av 2 846 ärenden", "etjanst", 141250},
        {"2", "Stockholm Direkt", NULL, "direkt", 204117},
    };
    ip_invoice inv;
    ip_invoice_doc *doc = NULL;
    ip_diag d;
    char *path = ip_xasprintf("%s/2025-291-11.xml", fx->root);
    char *cn_path = ip_xasprintf("%s/2025-291-11-K1.xml", fx->root);

    memset(&cust, 0, sizeof cust);
    cust.nr = 291;
    cust.name = c_name;
    cust.group = &group;
    snprintf(cust.org_nr, sizeof cust.org_nr, "%s", "5564513827");
    cust.reference = c_ref;
    cust.street = c_street;
    memset(&inv, 0, sizeof inv);
    inv.number = "KC2025-291-11";
    inv.issue_date = 20251101;
    inv.due_date = 20251201;
    inv.currency = "SEK";
    inv.seller = &seller;
    inv.buyer = &cust;
    inv.group = &group;
    inv.period_start = 20251101;
    inv.period_end = 20251130;
    inv.lines = lines;
    inv.nlines = 2;
    assert_int_equal(ip_invoice_write(&inv, path, &d), IP_OK);

    assert_int_equal(ip_invoice_read(path, &doc, &d), IP_OK);
    assert_int_equal(doc->inv.is_credit_note, 0);
    assert_string_equal(doc->inv.number, "KC2025-291-11");
    assert_int_equal(doc->inv.issue_date, 20251101);
    assert_int_equal(doc->inv.due_date, 20251201);
    assert_int_equal(doc->inv.period_start, 20251101);
    assert_int_equal(doc->inv.period_end, 20251130);
    assert_int_equal(doc->buyer.nr, 291);
    assert_string_equal(doc->buyer.name, c_name);
    assert_string_equal(doc->buyer.org_nr, "5564513827");
    assert_string_equal(doc->buyer.reference, c_ref);
    assert_string_equal(doc->buyer.street, c_street);
    assert_null(doc->buyer.city);
    assert_int_equal(doc->group.vat, IP_VAT_S);
    assert_int_equal(doc->group.vat_percent, 25);
    assert_int_equal(doc->inv.nlines, 2);
    assert_string_equal(doc->inv.lines[0].description, "201 av 2 846 ärenden");
    assert_null(doc->inv.lines[1].description);
    assert_string_equal(doc->inv.lines[1].service_id, "direkt");
    assert_int_equal(doc->inv.lines[0].amount_ore, 141250);
    assert_int_equal(doc->inv.lines[1].amount_ore, 204117);

    /* the credit note written from what was read refers to the invoice and
     * reads back with the same lines */
    doc->inv.is_credit_note = 1;
    doc->inv.number = "KC2025-291-11-K1";
    doc->inv.seller = &seller;
    doc->inv.billing_ref = "KC2025-291-11";
    doc->inv.billing_ref_date = 20251101;
    assert_int_equal(ip_invoice_write(&doc->inv, cn_path, &d), IP_OK);
    ip_invoice_doc_free(doc);
    assert_int_equal(ip_invoice_read(cn_path, &doc, &d), IP_OK);
    assert_int_equal(doc->inv.is_credit_note, 1);
    assert_string_equal(doc->inv.billing_ref, "KC2025-291-11");
    assert_int_equal(doc->inv.lines[1].amount_ore, 204117);
    ip_invoice_doc_free(doc);

    /* not a UBL document: a data error naming what is missing */
    write_text_file(path, "<Invoice xmlns=\"x\"/>\n");
    assert_int_equal(ip_invoice_read(path, &doc, &d), IP_ERR_DATA);
    assert_null(doc);
    write_text_file(path, "not xml");
    assert_int_equal(ip_invoice_read(path, &doc, &d), IP_ERR_DATA);
    unlink(path);
    assert_int_equal(ip_invoice_read(path, &doc, &d), IP_ERR_IO);
    free(path);
    free(cn_path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_billing_period_dates_are_calendar_periods),
        cmocka_unit_test(test_billing_lines_compare),
        cmocka_unit_test(test_billing_decide_first_issue_and_unchanged),
        cmocka_unit_test(test_billing_decide_changed_amount_credits_and_reinvoices),
        cmocka_unit_test(test_billing_decide_follows_the_history),
        cmocka_unit_test_setup_teardown(test_billing_invoice_reads_back_for_its_credit_note,
                                        setup_record, teardown_record),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
