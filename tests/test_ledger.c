/*
 * test_ledger.c — ledger.csv from the record of issued documents.
 *
 * A record of seven documents is built through the record's own API (staged,
 * each document's file written, appended): invoices with VAT O and S 25 %,
 * a credit note of each kind, a replacement, a period invoice, numbers that
 * sort differently as text than as numbers, and an issue order that is not
 * the ledger's order. Its ledger.csv is compared with the expected text, and
 * checked row by row: credit notes negative, each document's rows summing
 * exactly to its amounts (VAT spread over the lines cumulatively), rows
 * sorted by issue date, number (bytewise) and line. A document whose lines
 * do not add up to its amounts is a bug the writer refuses.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "issued.h"
#include "ledger.h"
#include "money.h"
#include "stage.h"
#include "util.h"

typedef struct fixture {
    char root[64]; /* /tmp/ip-test-ledger.XXXXXX */
    ip_issued *rec;
} fixture;

static int setup(void **state)
{
    fixture *fx = ip_xcalloc(1, sizeof *fx);
    ip_diag d;
    snprintf(fx->root, sizeof fx->root, "/tmp/ip-test-ledger.XXXXXX");
    if (!mkdtemp(fx->root))
        return -1;
    if (ip_issued_load(fx->root, 2025, &fx->rec, &d) || ip_issued_stage(fx->rec, &d))
        return -1;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    ip_issued_free(fx->rec);
    ip_rmtree(fx->root);
    free(fx);
    return 0;
}

/* Writes the document's file into the staged record and appends it. The
 * amounts are öre; vat_percent 0 means category O. */
static void add(ip_issued *rec, const char *number, const char *cancels, uint32_t customer,
                const char *name, ip_date start, ip_date end, ip_date issue, ip_date due,
                int vat_percent, int64_t net, int64_t vat, const char *lines)
{
    ip_issued_doc doc;
    ip_diag d;
    char *file = ip_xasprintf("%s.xml", number + 2); /* "KC2025-113" -> "2025-113.xml" */
    char *path = ip_xasprintf("%s/%s", ip_issued_doc_dir(rec), file);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "<%s>%s</%s>\n", cancels ? "CreditNote" : "Invoice", number,
            cancels ? "CreditNote" : "Invoice");
    assert_int_equal(fclose(f), 0);
    memset(&doc, 0, sizeof doc);
    doc.number = (char *)number;
    doc.is_credit = cancels != NULL;
    doc.cancels = (char *)cancels;
    doc.customer = customer;
    doc.name = (char *)name;
    doc.period_start = start;
    doc.period_end = end;
    doc.issue_date = issue;
    doc.due_date = due;
    doc.vat_category = vat_percent ? 'S' : 'O';
    doc.vat_percent = vat_percent;
    doc.net = net;
    doc.vat = vat;
    doc.total = net + vat;
    doc.lines = (char *)lines;
    doc.file = file;
    assert_int_equal(ip_issued_append(rec, &doc, &d), IP_OK);
    free(path);
    free(file);
}

#define BOSTAD "Bostad \"Hem\"; AB"
#define SOC "Socialförvaltningen"
#define L113 "etjanst=10204.00,direkt=141310.00"
#define L291 "etjanst=1412.50,direkt=2041.17"

/* 291's net 3 453,67 kr at 25 %: 863,4175 kr, 863,42 kr rounded half up;
 * line 1 alone (1 412,50 kr) gets 353,125 -> 353,13 kr, line 2 the rest,
 * 510,29 kr. */
static void make_year(ip_issued *rec)
{
    add(rec, "KC2025-113", NULL, 113, SOC, 20250101, 20251231, 20250115, 20250214, 0,
        15151400, 0, L113);
    add(rec, "KC2025-99", NULL, 99, "Nittionio", 20250101, 20251231, 20250115, 20250214, 0,
        100, 0, "etjanst=1.00");
    add(rec, "KC2025-291", NULL, 291, BOSTAD, 20250101, 20251231, 20250115, 20250214, 25,
        345367, 86342, L291);
    add(rec, "KC2025-113-K1", "KC2025-113", 113, SOC, 20250101, 20251231, 20250303, 20250402, 0,
        15151400, 0, L113);
    add(rec, "KC2025-113-R1", NULL, 113, SOC, 20250101, 20251231, 20250303, 20250402, 0,
        15142900, 0, "etjanst=10119.00,direkt=141310.00");
    add(rec, "KC2025-291-K1", "KC2025-291", 291, BOSTAD, 20250101, 20251231, 20250303, 20250402,
        25, 345367, 86342, L291);
    /* issued after the corrections in the record's order, dated before them */
    add(rec, "KC2025-110-02", NULL, 110, "Stadsledningskontoret", 20250201, 20250228, 20250201,
        20250303, 0, 2000000, 0, "etjanst=20000.00");
}

static char *ledger_text(const ip_issued *rec, ip_err want)
{
    char *text = NULL;
    size_t len;
    ip_diag d;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    ip_diag_clear(&d);
    assert_int_equal(ip_ledger_write(rec, f, "ledger.csv", &d), want);
    fclose(f);
    return text;
}

static void test_ledger_is_the_expected_table(void **state)
{
    fixture *fx = *state;
    static const char want[] =
        "number;kind;customer;name;line;service;period_start;period_end;net;vat;total;"
        "issue_date;due_date;cancels\n"
        "KC2025-113;invoice;113;" SOC ";1;etjanst;2025-01-01;2025-12-31;"
        "10204.00;0.00;10204.00;2025-01-15;2025-02-14;\n"
        "KC2025-113;invoice;113;" SOC ";2;direkt;2025-01-01;2025-12-31;"
        "141310.00;0.00;141310.00;2025-01-15;2025-02-14;\n"
        "KC2025-291;invoice;291;\"Bostad \"\"Hem\"\"; AB\";1;etjanst;2025-01-01;2025-12-31;"
        "1412.50;353.13;1765.63;2025-01-15;2025-02-14;\n"
        "KC2025-291;invoice;291;\"Bostad \"\"Hem\"\"; AB\";2;direkt;2025-01-01;2025-12-31;"
        "2041.17;510.29;2551.46;2025-01-15;2025-02-14;\n"
        "KC2025-99;invoice;99;Nittionio;1;etjanst;2025-01-01;2025-12-31;"
        "1.00;0.00;1.00;2025-01-15;2025-02-14;\n"
        "KC2025-110-02;invoice;110;Stadsledningskontoret;1;etjanst;2025-02-01;2025-02-28;"
        "20000.00;0.00;20000.00;2025-02-01;2025-03-03;\n"
        "KC2025-113-K1;credit;113;" SOC ";1;etjanst;2025-01-01;2025-12-31;"
        "-10204.00;0.00;-10204.00;2025-03-03;2025-04-02;KC2025-113\n"
        "KC2025-113-K1;credit;113;" SOC ";2;direkt;2025-01-01;2025-12-31;"
        "-141310.00;0.00;-141310.00;2025-03-03;2025-04-02;KC2025-113\n"
        "KC2025-113-R1;invoice;113;" SOC ";1;etjanst;2025-01-01;2025-12-31;"
        "10119.00;0.00;10119.00;2025-03-03;2025-04-02;\n"
        "KC2025-113-R1;invoice;113;" SOC ";2;direkt;2025-01-01;2025-12-31;"
        "141310.00;0.00;141310.00;2025-03-03;2025-04-02;\n"
        "KC2025-291-K1;credit;291;\"Bostad \"\"Hem\"\"; AB\";1;etjanst;2025-01-01;2025-12-31;"
        "-1412.50;-353.13;-1765.63;2025-03-03;2025-04-02;KC2025-291\n"
        "KC2025-291-K1;credit;291;\"Bostad \"\"Hem\"\"; AB\";2;direkt;2025-01-01;2025-12-31;"
        "-2041.17;-510.29;-2551.46;2025-03-03;2025-04-02;KC2025-291\n";
    char *text;
    make_year(fx->rec);
    text = ledger_text(fx->rec, IP_OK);
    assert_string_equal(text, want);
    free(text);
}

/* One row of ledger.csv, split from both ends (the name may hold ';'). */
typedef struct row {
    char number[32], kind[8], issue[11], cancels[32];
    int line;
    int64_t net, vat, total;
} row;

static int64_t amount(const char *s, size_t n)
{
    int64_t v;
    assert_int_equal(ip_money_parse(s, n, &v), 0);
    return v;
}

static void split_row(const char *s, row *r)
{
    const char *f[14], *end = s + strlen(s);
    size_t len[14];
    int i;
    const char *p = s;
    memset(r, 0, sizeof *r);
    for (i = 0; i < 3; i++) { /* number, kind, customer */
        const char *q = strchr(p, ';');
        assert_non_null(q);
        f[i] = p;
        len[i] = (size_t)(q - p);
        p = q + 1;
    }
    for (i = 13; i >= 4; i--) { /* cancels back to line */
        const char *q = end;
        while (q > p && q[-1] != ';')
            q--;
        f[i] = q;
        len[i] = (size_t)(end - q);
        end = q - 1;
    }
    snprintf(r->number, sizeof r->number, "%.*s", (int)len[0], f[0]);
    snprintf(r->kind, sizeof r->kind, "%.*s", (int)len[1], f[1]);
    r->line = atoi(f[4]);
    r->net = amount(f[8], len[8]);
    r->vat = amount(f[9], len[9]);
    r->total = amount(f[10], len[10]);
    snprintf(r->issue, sizeof r->issue, "%.*s", (int)len[11], f[11]);
    snprintf(r->cancels, sizeof r->cancels, "%.*s", (int)len[13], f[13]);
}

/* The properties, checked on the rows whatever the table holds. */
static void test_ledger_signs_sums_and_order(void **state)
{
    fixture *fx = *state;
    char *text, *line, *save = NULL;
    row rows[64];
    size_t n = 0, i, k;
    int64_t year_net = 0;
    make_year(fx->rec);
    text = ledger_text(fx->rec, IP_OK);
    line = strtok_r(text, "\n", &save); /* the header */
    while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
        assert_true(n < 64);
        split_row(line, &rows[n++]);
    }
    for (i = 0; i < n; i++) {
        assert_int_equal(rows[i].net + rows[i].vat, rows[i].total);
        year_net += rows[i].net;
        if (i > 0) { /* issue date, then number bytewise, then line */
            int c = strcmp(rows[i - 1].issue, rows[i].issue);
            if (c == 0)
                c = strcmp(rows[i - 1].number, rows[i].number);
            assert_true(c < 0 || (c == 0 && rows[i - 1].line + 1 == rows[i].line));
        }
    }
    for (k = 0; k < ip_issued_count(fx->rec); k++) {
        const ip_issued_doc *x = ip_issued_at(fx->rec, k);
        int64_t sign = x->is_credit ? -1 : 1, net = 0, vat = 0, total = 0;
        int lines = 0;
        for (i = 0; i < n; i++) {
            if (strcmp(rows[i].number, x->number) != 0)
                continue;
            assert_int_equal(rows[i].line, ++lines);
            assert_string_equal(rows[i].kind, x->is_credit ? "credit" : "invoice");
            assert_string_equal(rows[i].cancels, x->cancels ? x->cancels : "");
            /* a credit note's rows are negative or zero, an invoice's not */
            assert_true(sign * rows[i].net >= 0 && sign * rows[i].vat >= 0);
            net += rows[i].net;
            vat += rows[i].vat;
            total += rows[i].total;
        }
        assert_true(lines > 0);
        assert_int_equal(net, sign * x->net);
        assert_int_equal(vat, sign * x->vat);
        assert_int_equal(total, sign * x->total);
    }
    /* what the year has invoiced in the end: 99, 110's period and 113's
     * replacement; 291 is credited in full */
    assert_int_equal(year_net, 100 + 2000000 + 15142900);
    free(text);
}

static void test_ledger_of_nothing_is_the_header(void **state)
{
    fixture *fx = *state;
    char *text = ledger_text(fx->rec, IP_OK);
    assert_string_equal(text, "number;kind;customer;name;line;service;period_start;period_end;"
                              "net;vat;total;issue_date;due_date;cancels\n");
    free(text);
}

/* A document whose VAT is not what its lines give is a bug in what was
 * appended: the ledger does not write a table that cannot reconcile. */
static void test_ledger_refuses_lines_that_do_not_add_up(void **state)
{
    fixture *fx = *state;
    char *text;
    add(fx->rec, "KC2025-291", NULL, 291, BOSTAD, 20250101, 20251231, 20250115, 20250214, 25,
        345367, 86341, L291);
    text = ledger_text(fx->rec, IP_ERR_SOFTWARE);
    free(text);
}

static void test_ledger_refuses_a_net_its_lines_do_not_make(void **state)
{
    fixture *fx = *state;
    char *text;
    add(fx->rec, "KC2025-113", NULL, 113, SOC, 20250101, 20251231, 20250115, 20250214, 0,
        15151401, 0, L113);
    text = ledger_text(fx->rec, IP_ERR_SOFTWARE);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ledger_is_the_expected_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ledger_signs_sums_and_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ledger_of_nothing_is_the_header, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ledger_refuses_lines_that_do_not_add_up, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_ledger_refuses_a_net_its_lines_do_not_make, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
