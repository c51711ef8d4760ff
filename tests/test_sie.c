/*
 * test_sie.c — the SIE 4I writer: the exact bytes of a small year (an
 * internal invoice, its credit note and new invoice, a company's invoice
 * that is not posted, a department no longer in the register), the
 * per-run selection, texts with quotes and backslashes in CP437, a
 * document whose service the tariff no longer has, and the reconciliation.
 * Run from the repository root (the tariff is checked against
 * templates/tariff.xsd).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "customers.h"
#include "run.h"
#include "sie.h"
#include "tariff.h"
#include "util.h"
#include "version.h"

static const char TARIFF[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<tariff year=\"2025\" currency=\"SEK\">\n"
    "  <seller name=\"Stockholms stad, Serviceförvaltningen\" org-nr=\"212000-0142\"\n"
    "          vat-id=\"SE212000014201\" street=\"Fleminggatan 4\" postcode=\"104 20\"\n"
    "          city=\"Stockholm\" email=\"kontaktcenter.faktura@stockholm.se\"/>\n"
    "  <invoicing issue-date=\"2025-01-15\" due-days=\"30\" number-prefix=\"KC\"/>\n"
    "  <group id=\"forvaltning\" label=\"Förvaltningar\" vat=\"O\"/>\n"
    "  <group id=\"bolag\" label=\"Bolag\" vat=\"S\" vat-percent=\"25\"/>\n"
    "  <service id=\"etjanst\" name=\"E-tjänstsupport\" fee=\"240000\" previous-fee=\"0\">\n"
    "    <basis file=\"cases.csv\" date-column=\"date\" from=\"2023-07-01\" to=\"2024-06-30\"\n"
    "           unit=\"ärenden\"/>\n"
    "    <key method=\"proportional\"/>\n"
    "  </service>\n"
    "  <service id=\"vaxel\" name=\"Växel &quot;Stor&quot;\" fee=\"600000\" previous-fee=\"0\">\n"
    "    <basis file=\"calls.csv\" date-column=\"started_at\" from=\"2023-08-01\"\n"
    "           to=\"2024-07-31\" unit=\"anrop\"/>\n"
    "    <key method=\"proportional\"/>\n"
    "  </service>\n"
    "  <accounting seller-cost-centre=\"1905\" cost-account=\"6419\">\n"
    "    <account number=\"6419\" name=\"Köp av interna tjänster\"/>\n"
    "    <account number=\"3631\" name=\"Interna intäkter\"/>\n"
    "    <account number=\"3633\" name=\"Interna intäkter, växel\"/>\n"
    "    <account number=\"64120\" name=\"Telefoni &quot;intern&quot; \\ växel\"/>\n"
    "    <account number=\"7000\" name=\"Oanvänt konto\"/>\n"
    "    <posting service=\"etjanst\" revenue-account=\"3631\"/>\n"
    "    <posting service=\"vaxel\" revenue-account=\"3633\" cost-account=\"64120\"/>\n"
    "  </accounting>\n"
    "</tariff>\n";

static const char CUSTOMERS[] =
    "nr;name;group;org_nr;reference;cost_centre\n"
    "113;Socialförvaltningen;forvaltning;212000-0142;1130-KC;1130\n"
    "117;\"Utbildnings\"\"nämnden\"\" \\ UBN\";forvaltning;212000-0142;1170-KC;\n"
    "291;Bostadsförmedlingen AB;bolag;556451-3827;KC-291;\n";

typedef struct fixture {
    ip_tariff *t;
    ip_customers *c;
    ip_issued_doc docs[8];
    const ip_issued_doc *ptr[8];
    size_t n;
} fixture;

static void doc(fixture *fx, const char *number, const char *cancels, uint32_t nr,
                const char *name, ip_date issue, int run, char vat, const char *lines)
{
    ip_issued_doc *x = &fx->docs[fx->n];
    memset(x, 0, sizeof *x);
    x->number = (char *)number;
    x->is_credit = cancels != NULL;
    x->cancels = (char *)cancels;
    x->customer = nr;
    x->name = (char *)name;
    x->period_start = 20250101;
    x->period_end = 20251231;
    x->issue_date = issue;
    x->due_date = issue;
    x->run = run;
    x->vat_category = vat;
    x->vat_percent = vat == 'S' ? 25 : 0;
    x->lines = (char *)lines;
    fx->ptr[fx->n] = x;
    fx->n++;
}

static int setup(void **state)
{
    fixture *fx = ip_xcalloc(1, sizeof *fx);
    char path[] = "/tmp/test_sie_XXXXXX";
    int fd = mkstemp(path);
    ip_diag d;
    if (fd < 0 || write(fd, CUSTOMERS, sizeof CUSTOMERS - 1) != (ssize_t)(sizeof CUSTOMERS - 1))
        return -1;
    close(fd);
    if (ip_tariff_load_mem(TARIFF, sizeof TARIFF - 1, "tariff.xml", "templates/tariff.xsd",
                           &fx->t, &d) != IP_OK ||
        ip_customers_load(path, "customers.csv", fx->t, &fx->c, &d) != IP_OK) {
        fprintf(stderr, "fixture: %s\n", d.msg);
        unlink(path);
        return -1;
    }
    unlink(path);
    /* in the record's order, not the file's */
    doc(fx, "KC2025-113-K1", "KC2025-113", 113, "Socialförvaltningen", 20250303, 1, 'O',
        "etjanst=10204.00,vaxel=33.50");
    doc(fx, "KC2025-113", NULL, 113, "Socialförvaltningen", 20250115, 0, 'O',
        "etjanst=10204.00,vaxel=33.50");
    doc(fx, "KC2025-291", NULL, 291, "Bostadsförmedlingen AB", 20250115, 0, 'S',
        "etjanst=16950.00");
    doc(fx, "KC2025-117", NULL, 117, "Utbildnings\"nämnden\" \\ UBN", 20250115, 0, 'O',
        "vaxel=0.07");
    doc(fx, "KC2025-113-R1", NULL, 113, "Socialförvaltningen", 20250303, 1, 'O',
        "etjanst=10119.00");
    doc(fx, "KC2025-150", NULL, 150, "Nedlagda nämnden", 20250115, 0, 'O', "etjanst=1.00");
    doc(fx, "KC2025-350", NULL, 350, "Sålt bolag AB", 20250115, 0, 'S', "etjanst=2.00");
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    ip_customers_free(fx->c);
    ip_tariff_free(fx->t);
    free(fx);
    return 0;
}

/* The file for run (-1: all) as a NUL-terminated heap string. */
static char *sie_text(fixture *fx, int run, ip_err want, size_t *len)
{
    ip_sie_src s;
    char *text = NULL;
    ip_diag d;
    FILE *f = open_memstream(&text, len);
    assert_non_null(f);
    s.tariff = fx->t;
    s.customers = fx->c;
    s.docs = fx->ptr;
    s.ndocs = fx->n;
    s.run = run;
    ip_diag_clear(&d);
    assert_int_equal(ip_sie_write(&s, f, "x.si", &d), want);
    fclose(f);
    return text;
}

#define CRLF "\r\n"

static void test_sie_writes_the_year(void **state)
{
    fixture *fx = *state;
    size_t len;
    char *text = sie_text(fx, -1, IP_OK, &len);
    static const char want[] =
        "#FLAGGA 0" CRLF
        "#PROGRAM \"internpris\" \"" IP_VERSION "\"" CRLF
        "#FORMAT PC8" CRLF
        "#GEN 20250303" CRLF
        "#SIETYP 4" CRLF
        "#ORGNR 212000-0142" CRLF
        "#FNAMN \"Stockholms stad, Servicef\x94rvaltningen\"" CRLF
        "#KONTO 3631 \"Interna int\x84kter\"" CRLF
        "#KONTO 3633 \"Interna int\x84kter, v\x84xel\"" CRLF
        "#KONTO 64120 \"Telefoni \\\"intern\\\" \\\\ v\x84xel\"" CRLF
        "#KONTO 6419 \"K\x94p av interna tj\x84nster\"" CRLF
        "#DIM 1 \"Kostnadsst\x84lle\"" CRLF
        "#OBJEKT 1 \"1905\" \"Stockholms stad, Servicef\x94rvaltningen\"" CRLF
        "#OBJEKT 1 \"1130\" \"Socialf\x94rvaltningen\"" CRLF
        "#OBJEKT 1 \"117\" \"Utbildnings\\\"n\x84mnden\\\" \\\\ UBN\"" CRLF
        "#OBJEKT 1 \"150\" \"Nedlagda n\x84mnden\"" CRLF
        "#VER \"\" \"\" 20250115 \"Faktura KC2025-113 Socialf\x94rvaltningen\"" CRLF
        "{" CRLF
        "   #TRANS 6419 {1 \"1130\"} 10204.00 \"\" \"E-tj\x84nstsupport\"" CRLF
        "   #TRANS 3631 {1 \"1905\"} -10204.00 \"\" \"E-tj\x84nstsupport\"" CRLF
        "   #TRANS 64120 {1 \"1130\"} 33.50 \"\" \"V\x84xel \\\"Stor\\\"\"" CRLF
        "   #TRANS 3633 {1 \"1905\"} -33.50 \"\" \"V\x84xel \\\"Stor\\\"\"" CRLF
        "}" CRLF
        "#VER \"\" \"\" 20250115 \"Faktura KC2025-117 Utbildnings\\\"n\x84mnden\\\" \\\\ UBN\"" CRLF
        "{" CRLF
        "   #TRANS 64120 {1 \"117\"} 0.07 \"\" \"V\x84xel \\\"Stor\\\"\"" CRLF
        "   #TRANS 3633 {1 \"1905\"} -0.07 \"\" \"V\x84xel \\\"Stor\\\"\"" CRLF
        "}" CRLF
        "#VER \"\" \"\" 20250115 \"Faktura KC2025-150 Nedlagda n\x84mnden\"" CRLF
        "{" CRLF
        "   #TRANS 6419 {1 \"150\"} 1.00 \"\" \"E-tj\x84nstsupport\"" CRLF
        "   #TRANS 3631 {1 \"1905\"} -1.00 \"\" \"E-tj\x84nstsupport\"" CRLF
        "}" CRLF
        "#VER \"\" \"\" 20250303 \"Kreditnota KC2025-113-K1 krediterar KC2025-113 "
        "Socialf\x94rvaltningen\"" CRLF
        "{" CRLF
        "   #TRANS 6419 {1 \"1130\"} -10204.00 \"\" \"E-tj\x84nstsupport\"" CRLF
        "   #TRANS 3631 {1 \"1905\"} 10204.00 \"\" \"E-tj\x84nstsupport\"" CRLF
        "   #TRANS 64120 {1 \"1130\"} -33.50 \"\" \"V\x84xel \\\"Stor\\\"\"" CRLF
        "   #TRANS 3633 {1 \"1905\"} 33.50 \"\" \"V\x84xel \\\"Stor\\\"\"" CRLF
        "}" CRLF
        "#VER \"\" \"\" 20250303 \"Faktura KC2025-113-R1 Socialf\x94rvaltningen\"" CRLF
        "{" CRLF
        "   #TRANS 6419 {1 \"1130\"} 10119.00 \"\" \"E-tj\x84nstsupport\"" CRLF
        "   #TRANS 3631 {1 \"1905\"} -10119.00 \"\" \"E-tj\x84nstsupport\"" CRLF
        "}" CRLF;
    assert_int_equal(len, sizeof want - 1);
    assert_memory_equal(text, want, len);
    free(text);
}

static void test_sie_a_run_of_its_own(void **state)
{
    fixture *fx = *state;
    size_t len;
    char *text = sie_text(fx, 1, IP_OK, &len);
    /* only the correction's two documents, its accounts and objects */
    assert_non_null(strstr(text, "#GEN 20250303\r\n"));
    assert_non_null(strstr(text, "Kreditnota KC2025-113-K1"));
    assert_non_null(strstr(text, "Faktura KC2025-113-R1"));
    assert_null(strstr(text, "Faktura KC2025-113 "));
    assert_null(strstr(text, "\"117\""));
    assert_non_null(strstr(text, "#KONTO 64120"));
    free(text);
    text = sie_text(fx, 7, IP_OK, &len);
    /* a run without documents: the head, the dimension, the seller's object */
    assert_non_null(strstr(text, "#GEN 20250115\r\n#SIETYP 4\r\n"));
    assert_null(strstr(text, "#KONTO"));
    assert_null(strstr(text, "#VER"));
    assert_non_null(strstr(text, "#OBJEKT 1 \"1905\""));
    free(text);
}

static void test_sie_which_documents_are_internal(void **state)
{
    fixture *fx = *state;
    ip_sie_src s;
    s.tariff = fx->t;
    s.customers = fx->c;
    s.docs = fx->ptr;
    s.ndocs = fx->n;
    s.run = -1;
    assert_true(ip_sie_doc_internal(&s, fx->ptr[1]));  /* 113, the city's org nr */
    assert_false(ip_sie_doc_internal(&s, fx->ptr[2])); /* 291, a company */
    assert_true(ip_sie_doc_internal(&s, fx->ptr[5]));  /* 150, gone, category O */
    assert_false(ip_sie_doc_internal(&s, fx->ptr[6])); /* 350, gone, category S */
}

static void test_sie_unknown_service_is_a_tariff_error(void **state)
{
    fixture *fx = *state;
    size_t len;
    char *text;
    ip_sie_src s;
    ip_diag d;
    FILE *f;
    fx->docs[1].lines = (char *)"etjanst=10204.00,kcp=1.00";
    f = open_memstream(&text, &len);
    s.tariff = fx->t;
    s.customers = fx->c;
    s.docs = fx->ptr;
    s.ndocs = fx->n;
    s.run = -1;
    assert_int_equal(ip_sie_write(&s, f, "x.si", &d), IP_ERR_TARIFF);
    fclose(f);
    free(text);
    assert_string_equal(d.msg, "expected a <posting> for service 'kcp' of document KC2025-113, "
                               "found no such service in the tariff; keep the service "
                               "(fee=\"0\") while documents of it stand");
    assert_int_equal(d.line, 19);
    fx->docs[1].lines = (char *)"etjanst=10204.00,vaxel=33.50";
}

static void test_sie_file_names(void **state)
{
    char *a = ip_sie_file_name(2025, -1), *b = ip_sie_file_name(2025, 0),
         *c = ip_sie_file_name(2025, 12);
    (void)state;
    assert_string_equal(a, "interndebitering-2025.si");
    assert_string_equal(b, "interndebitering-2025-0.si");
    assert_string_equal(c, "interndebitering-2025-12.si");
    free(a);
    free(b);
    free(c);
}

/* The reconciliation on a hand-made run: 113 owes the R1 invoice's amounts,
 * 117 its 0.07 kr cannot be a fee (whole kronor), so its fee is set to 0 and
 * the difference shows. */
static void test_sie_totals(void **state)
{
    fixture *fx = *state;
    ip_run r;
    ip_svc_result svc[2];
    ip_alloc_item items[2][3];
    ip_sie_totals t;
    memset(&r, 0, sizeof r);
    memset(svc, 0, sizeof svc);
    memset(items, 0, sizeof items);
    r.tariff = fx->t;
    r.customers = fx->c;
    r.ncust = ip_customers_count(fx->c);
    r.nsvc = 2;
    r.svc = svc;
    svc[0].items = items[0];
    svc[1].items = items[1];
    items[0][0].fee = 10119; /* 113 etjanst */
    items[0][2].fee = 16950; /* 291 etjanst: a company, not posted */
    ip_sie_totals_of(&r, fx->ptr, fx->n, &t);
    assert_true(t.configured);
    assert_int_equal(t.nver, 5);
    assert_int_equal(t.ninvoices, 4);
    assert_int_equal(t.ncredits, 1);
    assert_int_equal(t.unbalanced, 0);
    assert_int_equal(t.fees[0], 1011900);
    assert_int_equal(t.fees[1], 0);
    /* 113's R1 and the departed 150's 1.00 stand for etjanst; 117's 0.07 for vaxel */
    assert_int_equal(t.debit[0], 1011900 + 100);
    assert_int_equal(t.credit[0], 1011900 + 100);
    assert_int_equal(t.standing[0], 1011900 + 100);
    assert_int_equal(t.debit[1], 7);
    assert_int_equal(t.standing[1], 7);
    assert_int_equal(t.debit_total, 1012007);
    assert_false(ip_sie_totals_equal(&t));
    ip_sie_totals_release(&t);
    /* without the departed department and 117's line the sums agree */
    fx->n = 5;
    fx->docs[3].lines = (char *)"vaxel=0.00";
    ip_sie_totals_of(&r, fx->ptr, fx->n, &t);
    assert_true(ip_sie_totals_equal(&t));
    ip_sie_totals_release(&t);
    fx->docs[3].lines = (char *)"vaxel=0.07";
    fx->n = 7;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sie_writes_the_year, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sie_a_run_of_its_own, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sie_which_documents_are_internal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sie_unknown_service_is_a_tariff_error, setup,
                                        teardown),
        cmocka_unit_test(test_sie_file_names),
        cmocka_unit_test_setup_teardown(test_sie_totals, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
