/*
 * test_pricelist.c — the price-list workbook, read back.
 *
 * A small model built by hand (six customers in two groups; E-tjänstsupport
 * with the proportional key and last year's fees, the switchboard with the
 * equal-and-proportional key, a consolidation and last year unknown) is
 * written with ip_pricelist_write() and read back with openpyxl through
 * tests/xlsx_check.py (run by /usr/bin/python3). The tests check what a
 * controller relies on: fees and counts are numbers, every total is a live
 * formula whose cached value is the computed integer, a name that looks like
 * a formula stays text, the same run gives a byte-identical file, and the
 * sheets are set up for printing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "alloc.h"
#include "consolidate.h"
#include "customers.h"
#include "pricelist.h"
#include "run.h"
#include "tariff.h"
#include "util.h"

#define PY "/usr/bin/python3"
#define CHECKER "tests/xlsx_check.py"
#define FIXTURE "tests/data/pricelist/customers.csv"

/* ---- the model ---------------------------------------------------------- */

typedef struct model {
    ip_tariff t;
    ip_group groups[2];
    ip_service svcs[2];
    ip_consolidation cons[1];
    ip_run r;
    ip_svc_result res[2];
    ip_input_file files[3];
    char *warnings[1];
    char dir[64];
    char path[128];
} model;

/* Measured basis per customer number, before consolidation. */
static const struct {
    uint32_t nr;
    int64_t etjanst, vaxel, etjanst_prev;
} basis_table[] = {
    {101, 0, 500, 0},     {110, 1841, 3000, 100000}, {113, 121, 700, 0},
    {200, 0, 0, 0},       {212, 6, 250, 5000},       {291, 201, 1200, 0},
};

static void fill_result(model *m, size_t s, int which)
{
    ip_svc_result *sr = &m->res[s];
    size_t n = m->r.ncust, k, i;
    ip_diag d;
    sr->svc = &m->svcs[s];
    sr->raw = ip_xcalloc(n, sizeof *sr->raw);
    sr->basis = ip_xcalloc(n, sizeof *sr->basis);
    sr->into = ip_xcalloc(n, sizeof *sr->into);
    sr->items = ip_xcalloc(n, sizeof *sr->items);
    sr->prev_fee = ip_xcalloc(n, sizeof *sr->prev_fee);
    sr->prev_total = which == 0 ? 0 : IP_NO_PREV;
    sr->rows_used = 100 + s;
    sr->rows_outside = 7;
    sr->rows_filtered = 3;
    sr->file_index = 2;
    for (k = 0; k < n; k++) {
        const ip_customer *cu = ip_customers_at(m->r.customers, k);
        for (i = 0; i < IP_ARRAY_LEN(basis_table); i++)
            if (basis_table[i].nr == cu->nr)
                break;
        assert_true(i < IP_ARRAY_LEN(basis_table));
        sr->raw[k] = which == 0 ? basis_table[i].etjanst : basis_table[i].vaxel;
        sr->into[k] = -1;
        sr->prev_fee[k] = which == 0 ? basis_table[i].etjanst_prev : IP_NO_PREV;
        if (which == 0)
            sr->prev_total += basis_table[i].etjanst_prev;
    }
    for (k = 0; k < n; k++)
        sr->basis[k] = sr->raw[k];
    for (i = 0; i < sr->svc->nconsolidations; i++) {
        long from = ip_customers_slot(m->r.customers, sr->svc->consolidations[i].from);
        long into = ip_customers_slot(m->r.customers, sr->svc->consolidations[i].into);
        assert_true(from >= 0 && into >= 0);
        sr->into[from] = into;
        sr->basis[into] += sr->basis[from];
        sr->basis[from] = 0;
    }
    ip_consolidate_members(sr->into, n, &sr->within_start, &sr->within);
    for (k = 0; k < n; k++) {
        sr->items[k].nr = ip_customers_at(m->r.customers, k)->nr;
        sr->items[k].basis = sr->basis[k];
    }
    assert_int_equal(ip_alloc_run(sr->svc->fee, sr->svc->equal_percent, sr->items, n,
                                  &sr->alloc, &d),
                     IP_OK);
}

static int setup(void **state)
{
    model *m = ip_xcalloc(1, sizeof *m);
    ip_diag d;
    ip_service *e = &m->svcs[0], *v = &m->svcs[1];

    m->groups[0] = (ip_group){(char *)"forvaltning", (char *)"Nämnder och förvaltningar",
                              IP_VAT_O, 0};
    m->groups[1] = (ip_group){(char *)"bolag", (char *)"Bolag och stiftelser", IP_VAT_S, 25};
    m->t.year = 2025;
    m->t.currency = (char *)"SEK";
    m->t.seller.name = (char *)"Stockholms stad, Serviceförvaltningen";
    m->t.issue_date = 20250115;
    m->t.groups = m->groups;
    m->t.ngroups = 2;
    m->t.services = m->svcs;
    m->t.nservices = 2;

    e->id = (char *)"etjanst";
    e->name = (char *)"E-tjänstsupport";
    e->description = (char *)"För tjänsten debiteras en fast grundavgift\n      som baseras "
                             "på andelen ärenden.";
    e->per_call_note = (char *)"Pris per samtal tillkommer";
    e->fee = 240000;
    e->previous_fee = 105000;
    e->file = (char *)"cases.csv";
    e->unit = (char *)"ärenden";
    e->from = 20230701;
    e->to = 20240630;
    e->method = IP_KEY_PROPORTIONAL;

    v->id = (char *)"vaxel";
    v->name = (char *)"Telefonistöd, gemensam växel";
    v->description = (char *)"20 procent lika, 80 procent efter anrop.";
    v->fee = 600000;
    v->previous_fee = 1400000;
    v->file = (char *)"calls.csv";
    v->unit = (char *)"anrop";
    v->from = 20230801;
    v->to = 20240731;
    v->method = IP_KEY_EQUAL_AND_PROPORTIONAL;
    v->equal_percent = 20;
    m->cons[0] = (ip_consolidation){101, 110, 30};
    v->consolidations = m->cons;
    v->nconsolidations = 1;

    assert_int_equal(ip_customers_load(FIXTURE, "customers.csv", &m->t, &m->r.customers, &d),
                     IP_OK);
    m->r.year = 2025;
    m->r.tariff = &m->t;
    m->r.ncust = ip_customers_count(m->r.customers);
    m->r.svc = m->res;
    m->r.nsvc = 2;
    fill_result(m, 0, 0);
    fill_result(m, 1, 1);
    m->files[0] = (ip_input_file){(char *)"tariff.xml", (char *)"x/tariff.xml",
                                  "0000000000000000000000000000000000000000000000000000000000000001",
                                  3201, 0};
    m->files[1] = (ip_input_file){(char *)"customers.csv", (char *)"x/customers.csv",
                                  "0000000000000000000000000000000000000000000000000000000000000002",
                                  400, 6};
    m->files[2] = (ip_input_file){(char *)"cases.csv", (char *)"x/cases.csv",
                                  "0000000000000000000000000000000000000000000000000000000000000003",
                                  123456789, 4000000};
    m->r.files = m->files;
    m->r.nfiles = 3;
    memcpy(m->r.inputs_sha256, "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789",
           65);
    m->warnings[0] = (char *)"calls.csv: 12 rows outside the window";
    m->r.warnings = m->warnings;
    m->r.nwarnings = 1;
    m->r.have_prev = 1;

    snprintf(m->dir, sizeof m->dir, "%s", "/tmp/ip-pricelist-XXXXXX");
    assert_non_null(mkdtemp(m->dir));
    snprintf(m->path, sizeof m->path, "%s/prislista-2025.xlsx", m->dir);
    assert_int_equal(ip_pricelist_write(&m->r, NULL, m->path, &d), IP_OK);
    *state = m;
    return 0;
}

static int teardown(void **state)
{
    model *m = *state;
    size_t s;
    char *cmd = ip_xasprintf("rm -rf '%s'", m->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", m->dir);
    free(cmd);
    for (s = 0; s < 2; s++) {
        free(m->res[s].raw);
        free(m->res[s].basis);
        free(m->res[s].into);
        free(m->res[s].within_start);
        free(m->res[s].within);
        free(m->res[s].items);
        free(m->res[s].prev_fee);
    }
    ip_customers_free(m->r.customers);
    free(m);
    return 0;
}

/* ---- reading the workbook back ------------------------------------------ */

typedef struct xcell {
    char *sheet, *ref, *type, *value, *cached;
} xcell;

typedef struct xbook {
    xcell *c;
    size_t n, alloc;
} xbook;

static void xbook_load(xbook *b, const char *path)
{
    char *cmd = ip_xasprintf(PY " " CHECKER " dump '%s'", path);
    FILE *p = popen(cmd, "r");
    char line[8192];
    assert_non_null(p);
    memset(b, 0, sizeof *b);
    while (fgets(line, sizeof line, p)) {
        char *f[5] = {NULL, NULL, NULL, NULL, NULL}, *s = line;
        int k = 0;
        xcell *x;
        line[strcspn(line, "\n")] = '\0';
        while (k < 5) {
            f[k++] = s;
            s = strchr(s, '\t');
            if (!s)
                break;
            *s++ = '\0';
        }
        ip_xgrow((void **)&b->c, &b->alloc, b->n + 1, sizeof *b->c);
        x = &b->c[b->n++];
        x->sheet = ip_xstrdup(f[0]);
        x->ref = ip_xstrdup(f[1] ? f[1] : "");
        x->type = ip_xstrdup(f[2] ? f[2] : "");
        x->value = ip_xstrdup(f[3] ? f[3] : "");
        x->cached = ip_xstrdup(f[4] ? f[4] : "");
    }
    assert_int_equal(pclose(p), 0);
    free(cmd);
    assert_true(b->n > 50);
}

static void xbook_free(xbook *b)
{
    size_t i;
    for (i = 0; i < b->n; i++) {
        free(b->c[i].sheet);
        free(b->c[i].ref);
        free(b->c[i].type);
        free(b->c[i].value);
        free(b->c[i].cached);
    }
    free(b->c);
}

/* The cell, or NULL when empty. For settings: ref "!key", value in type. */
static const xcell *xget(const xbook *b, const char *sheet, const char *ref)
{
    size_t i;
    for (i = 0; i < b->n; i++)
        if (strcmp(b->c[i].sheet, sheet) == 0 && strcmp(b->c[i].ref, ref) == 0)
            return &b->c[i];
    return NULL;
}

/* The row (1-based) of the cell in column col whose text is value, or 0. */
static int xfind_row(const xbook *b, const char *sheet, char col, const char *value)
{
    size_t i;
    for (i = 0; i < b->n; i++)
        if (strcmp(b->c[i].sheet, sheet) == 0 && b->c[i].ref[0] == col &&
            b->c[i].ref[1] >= '0' && b->c[i].ref[1] <= '9' && strcmp(b->c[i].value, value) == 0)
            return atoi(b->c[i].ref + 1);
    return 0;
}

/* The row of customer nr (column A holds the number). */
static int xrow_of_nr(const xbook *b, const char *sheet, uint32_t nr)
{
    char v[32];
    snprintf(v, sizeof v, "%.1f", (double)nr);
    return xfind_row(b, sheet, 'A', v);
}

static const xcell *xat(const xbook *b, const char *sheet, char col, int row)
{
    char ref[16];
    snprintf(ref, sizeof ref, "%c%d", col, row);
    return xget(b, sheet, ref);
}

/* A number cell holding exactly v. */
static void assert_number(const xcell *x, int64_t v)
{
    char want[48];
    assert_non_null(x);
    snprintf(want, sizeof want, "%.1f", (double)v);
    assert_string_equal(x->type, "n");
    assert_string_equal(x->value, want);
}

/* A formula cell whose cached value is exactly v. */
static void assert_formula(const xcell *x, int64_t v)
{
    char want[48];
    assert_non_null(x);
    snprintf(want, sizeof want, "%.1f", (double)v);
    assert_string_equal(x->type, "f");
    assert_true(x->value[0] == '=');
    assert_string_equal(x->cached, want);
}

static void assert_text(const xcell *x, const char *text)
{
    assert_non_null(x);
    assert_string_equal(x->type, "s");
    assert_string_equal(x->value, text);
}

static int run_cmd(const char *cmd)
{
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* ---- tests -------------------------------------------------------------- */

static void test_pricelist_sheets_properties_and_print_setup(void **state)
{
    model *m = *state;
    xbook b;
    static const char *const sheets[] = {"Per kund", "E-tjänstsupport",
                                         "Telefonistöd, gemensam växel", "Avstämning"};
    size_t i;
    xbook_load(&b, m->path);
    for (i = 0; i < IP_ARRAY_LEN(sheets); i++) {
        const xcell *x;
        assert_non_null(xget(&b, sheets[i], "A1"));
        x = xget(&b, sheets[i], "!paper");
        assert_non_null(x);
        assert_string_equal(x->type, "9");
        assert_string_equal(xget(&b, sheets[i], "!fit_width")->type, "1");
        assert_string_equal(xget(&b, sheets[i], "!fit_height")->type, "0");
        assert_string_equal(xget(&b, sheets[i], "!fit_to_page")->type, "True");
        assert_string_equal(xget(&b, sheets[i], "!orientation")->type,
                            i == 1 || i == 2 ? "portrait" : "landscape");
        assert_non_null(strstr(xget(&b, sheets[i], "!footer")->type, "&A — prislista 2025"));
        assert_non_null(strstr(xget(&b, sheets[i], "!footer")->type, "sida &P av &N"));
        assert_true(xget(&b, sheets[i], "!print_titles")->type[0] == '$');
    }
    /* Every column of the tables has its width set (overlapping ranges lost some). */
    for (i = 0; i < IP_ARRAY_LEN(sheets); i++) {
        const char *w = xget(&b, sheets[i], "!widths")->type;
        const char *cols = i == 3 ? "ABCDEFGHIJKLM" : i == 2 ? "ABCDEFGHIJK" : "ABCDEFGHI";
        for (; *cols; cols++) {
            char key[4] = {*cols, '=', 0, 0};
            assert_true(strncmp(w, key, 2) == 0 || strstr(w, (char[]){' ', *cols, '=', 0}));
        }
    }
    assert_string_equal(xget(&b, "Per kund", "!print_titles")->type, "$4:$4");
    assert_string_equal(xget(&b, "Per kund", "!freeze")->type, "C5");
    assert_true(strncmp(xget(&b, "Per kund", "!autofilter")->type, "A4:", 3) == 0);
    /* the service sheets scroll under their table's heading */
    for (i = 1; i <= 2; i++) {
        char want[16];
        int head = atoi(xget(&b, sheets[i], "!print_titles")->type + 1);
        assert_true(head > 1);
        snprintf(want, sizeof want, "A%d", head + 1);
        assert_string_equal(xget(&b, sheets[i], "!freeze")->type, want);
    }
    assert_string_equal(xget(&b, "!doc", "title")->type, "Prislista 2025");
    assert_string_equal(xget(&b, "!doc", "creator")->type, "internpris");
    assert_string_equal(xget(&b, "!doc", "created")->type, "2025-01-15 00:00:00");
    assert_string_equal(xget(&b, "!doc", "company")->type,
                        "Stockholms stad, Serviceförvaltningen");
    xbook_free(&b);
}

static void test_pricelist_per_kund_numbers_and_totals(void **state)
{
    model *m = *state;
    const ip_run *r = &m->r;
    xbook b;
    size_t k;
    int sub1, sub2, tot, shown, last = 0;
    char want[64];
    xbook_load(&b, m->path);
    assert_text(xget(&b, "Per kund", "C4"), "E-tjänstsupport");
    assert_text(xget(&b, "Per kund", "E4"), "Totalt\\n2025");
    assert_text(xget(&b, "Per kund", "F4"), "Totalt\\n2024");
    for (k = 0; k < r->ncust; k++) {
        const ip_customer *cu = ip_customers_at(r->customers, k);
        int row = xrow_of_nr(&b, "Per kund", cu->nr);
        assert_true(row > 4);
        assert_text(xat(&b, "Per kund", 'B', row), cu->name);
        assert_number(xat(&b, "Per kund", 'C', row), r->svc[0].items[k].fee);
        assert_number(xat(&b, "Per kund", 'D', row), r->svc[1].items[k].fee);
        assert_formula(xat(&b, "Per kund", 'E', row), ip_run_customer_total(r, k));
        /* Last year unknown for the switchboard: the total is unknown too. */
        assert_text(xat(&b, "Per kund", 'F', row), "–");
        assert_null(xat(&b, "Per kund", 'G', row));
        /* the customer group in a column of its own, so sorting keeps it */
        assert_text(xat(&b, "Per kund", 'I', row),
                    r->tariff->groups[cu->group_index].label);
        if (row > last)
            last = row;
    }
    /* Departments before companies; the Delsumma rows below every customer,
     * outside the filter, which covers the customer rows only. */
    assert_true(xrow_of_nr(&b, "Per kund", 113) < xrow_of_nr(&b, "Per kund", 200));
    assert_text(xget(&b, "Per kund", "I4"), "Kundgrupp");
    snprintf(want, sizeof want, "A4:I%d", last);
    assert_string_equal(xget(&b, "Per kund", "!autofilter")->type, want);
    sub1 = xfind_row(&b, "Per kund", 'B', "Delsumma Nämnder och förvaltningar");
    sub2 = xfind_row(&b, "Per kund", 'B', "Delsumma Bolag och stiftelser");
    tot = xfind_row(&b, "Per kund", 'B', "Totalt");
    shown = xfind_row(&b, "Per kund", 'B', "Summa av de kunder filtret visar");
    assert_true(sub1 > last && sub2 > sub1 && tot > sub2 && shown > tot);
    assert_text(xat(&b, "Per kund", 'I', sub1), "Nämnder och förvaltningar");
    assert_formula(xat(&b, "Per kund", 'C', shown), 240000);
    snprintf(want, sizeof want, "=SUBTOTAL(9,C5:C%d)", last);
    assert_string_equal(xat(&b, "Per kund", 'C', shown)->value, want);
    snprintf(want, sizeof want, "=SUMIF($I$5:$I$%d,$I%d,C$5:C$%d)", last, sub1, last);
    assert_string_equal(xat(&b, "Per kund", 'C', sub1)->value, want);
    assert_formula(xat(&b, "Per kund", 'C', tot), 240000);
    assert_formula(xat(&b, "Per kund", 'D', tot), 600000);
    assert_formula(xat(&b, "Per kund", 'E', tot), 840000);
    snprintf(want, sizeof want, "=C%d+C%d", sub1, sub2);
    assert_string_equal(xat(&b, "Per kund", 'C', tot)->value, want);
    xbook_free(&b);
}

static void test_pricelist_proportional_service_sheet(void **state)
{
    model *m = *state;
    const ip_run *r = &m->r;
    const char *sh = "E-tjänstsupport";
    xbook b;
    int head, row, tot, sub1;
    long slot110 = ip_customers_slot(r->customers, 110);
    xbook_load(&b, m->path);
    assert_text(xget(&b, sh, "A1"), "E-tjänstsupport");
    /* The description's indentation collapses; the per-call note follows. */
    assert_text(xget(&b, sh, "A3"), "För tjänsten debiteras en fast grundavgift som baseras på "
                                    "andelen ärenden.");
    assert_text(xget(&b, sh, "A4"), "Pris per samtal tillkommer");
    row = xfind_row(&b, sh, 'B', "Fast avgift");
    assert_true(row > 0);
    assert_number(xat(&b, sh, 'F', row), 240000);
    assert_number(xat(&b, sh, 'G', row), 105000);
    assert_text(xat(&b, sh, 'F', row - 1), "2025");
    head = xfind_row(&b, sh, 'A', "Nr");
    assert_text(xat(&b, sh, 'D', head), "Antal ärenden");
    assert_text(xat(&b, sh, 'E', head), "Andel av antalet");
    assert_text(xat(&b, sh, 'F', head), "Årsavgift\\n2025");
    assert_text(xat(&b, sh, 'G', head), "Årsavgift\\n2024");
    assert_text(xat(&b, sh, 'H', head), "Förändring\\nkr");
    assert_text(xat(&b, sh, 'I', head), "Förändring\\n%");

    /* 110: count, share as a formula, fees as numbers, the change; no
     * marker (nobody is counted in 110 here). */
    row = xrow_of_nr(&b, sh, 110);
    assert_text(xat(&b, sh, 'B', row), ip_customers_at(r->customers, (size_t)slot110)->name);
    assert_null(xat(&b, sh, 'C', row));
    assert_number(xat(&b, sh, 'D', row), 1841);
    assert_string_equal(xat(&b, sh, 'E', row)->type, "f");
    assert_number(xat(&b, sh, 'F', row), r->svc[0].items[slot110].fee);
    assert_number(xat(&b, sh, 'G', row), 100000);
    assert_formula(xat(&b, sh, 'H', row), r->svc[0].items[slot110].fee - 100000);
    assert_string_equal(xat(&b, sh, 'I', row)->type, "f");
    /* 200 has no cases: numbers 0 (the format shows "–"), a zero fee. */
    row = xrow_of_nr(&b, sh, 200);
    assert_number(xat(&b, sh, 'D', row), 0);
    assert_formula(xat(&b, sh, 'E', row), 0);
    assert_number(xat(&b, sh, 'F', row), 0);
    assert_number(xat(&b, sh, 'G', row), 0);
    assert_null(xat(&b, sh, 'I', row)); /* no change in % from 0 */

    sub1 = xfind_row(&b, sh, 'B', "Delsumma Nämnder och förvaltningar");
    tot = xfind_row(&b, sh, 'B', "Totalt");
    assert_formula(xat(&b, sh, 'D', sub1), 1841 + 121);
    assert_formula(xat(&b, sh, 'D', tot), 2169);
    assert_formula(xat(&b, sh, 'F', tot), 240000);
    assert_formula(xat(&b, sh, 'G', tot), 105000);
    assert_formula(xat(&b, sh, 'E', tot), 1);
    assert_formula(xat(&b, sh, 'H', tot), 240000 - 105000);
    xbook_free(&b);
}

static void test_pricelist_switchboard_sheet_with_consolidation(void **state)
{
    model *m = *state;
    const ip_run *r = &m->r;
    const char *sh = "Telefonistöd, gemensam växel";
    xbook b;
    int head, row, tot, note;
    size_t k;
    long s110 = ip_customers_slot(r->customers, 110);
    const ip_svc_result *sr = &r->svc[1];
    xbook_load(&b, m->path);
    head = xfind_row(&b, sh, 'A', "Nr");
    assert_text(xat(&b, sh, 'D', head), "Antal anrop");
    assert_text(xat(&b, sh, 'E', head), "Lika del (20\u00a0%)");
    assert_text(xat(&b, sh, 'F', head), "Efter anrop (80\u00a0%)");
    assert_text(xat(&b, sh, 'G', head), "Andel av avgiften");
    assert_text(xat(&b, sh, 'H', head), "Årsavgift\\n2025");

    /* 101 is counted in 110: the name as registered, 110's marker beside
     * it, "ingår i", no fee. */
    row = xrow_of_nr(&b, sh, 101);
    assert_text(xat(&b, sh, 'B', row), "Finansförvaltningen");
    assert_text(xat(&b, sh, 'C', row), "*");
    assert_text(xat(&b, sh, 'D', row), "ingår i Stadsledningskontoret");
    assert_number(xat(&b, sh, 'H', row), 0);
    row = xrow_of_nr(&b, sh, 110);
    assert_text(xat(&b, sh, 'B', row), "Stadsledningskontoret");
    assert_text(xat(&b, sh, 'C', row), "*");
    assert_number(xat(&b, sh, 'D', row), 3500);
    /* The parts of the rounded fee in whole kronor: the equal part
     * 600000 * 20 % / 4 = 30000 (rounded down), the rest after calls. */
    assert_int_equal(sr->items[s110].fee, 327345);
    assert_number(xat(&b, sh, 'E', row), 30000);
    assert_number(xat(&b, sh, 'F', row), 327345 - 30000);
    assert_number(xat(&b, sh, 'H', row), sr->items[s110].fee);
    assert_string_equal(xat(&b, sh, 'G', row)->type, "f"); /* share of the fee */
    assert_true(strstr(xat(&b, sh, 'G', row)->value, "H") != NULL);
    /* Last year unknown: "–" and no change. */
    assert_text(xat(&b, sh, 'I', row), "–");
    assert_null(xat(&b, sh, 'J', row));
    /* 200 does not take part: no equal part, share 0 (shown "–"). */
    row = xrow_of_nr(&b, sh, 200);
    assert_number(xat(&b, sh, 'E', row), 0);
    assert_formula(xat(&b, sh, 'G', row), 0);

    /* Every shown part adds up: each row, and Totalt. */
    for (k = 0; k < r->ncust; k++) {
        const xcell *e, *f2, *h;
        row = xrow_of_nr(&b, sh, ip_customers_at(r->customers, k)->nr);
        e = xat(&b, sh, 'E', row), f2 = xat(&b, sh, 'F', row), h = xat(&b, sh, 'H', row);
        if (sr->into[k] >= 0)
            continue;
        assert_true(atof(e->value) + atof(f2->value) == atof(h->value));
        assert_true(atof(f2->value) >= 0);
    }
    tot = xfind_row(&b, sh, 'B', "Totalt");
    assert_formula(xat(&b, sh, 'D', tot), 5650);
    assert_formula(xat(&b, sh, 'E', tot), 4 * 30000);
    assert_formula(xat(&b, sh, 'F', tot), 600000 - 4 * 30000);
    assert_formula(xat(&b, sh, 'H', tot), 600000);
    assert_text(xat(&b, sh, 'I', tot), "–");
    /* one footnote per receiving customer, naming who is counted in it */
    note = xfind_row(&b, sh, 'A', "* I Stadsledningskontorets antal (3 500 anrop) ingår "
                                  "Finansförvaltningen (500 anrop).");
    assert_true(note > tot);
    for (k = 0; k < b.n; k++)
        if (strcmp(b.c[k].sheet, sh) == 0 && b.c[k].ref[0] == 'A' &&
            strncmp(b.c[k].value, "Lika del: 20 %", 14) == 0)
            break;
    assert_true(k < b.n);
    xbook_free(&b);
}

static void test_pricelist_formula_like_names_stay_text(void **state)
{
    model *m = *state;
    xbook b;
    /* a name cannot start with a sign (the register refuses it: fees.csv
     * and ledger.csv carry names as they are); after a first word the
     * signs must still give text cells */
    static const char *const names[] = {"Socialförvaltningen =1+2", "Stockholms Stadshus AB -1",
                                        "AB Stokab +1", "Stockholms Stads Bostadsförmedling AB @1"};
    size_t i, j;
    xbook_load(&b, m->path);
    for (i = 0; i < IP_ARRAY_LEN(names); i++) {
        int found = 0;
        for (j = 0; j < b.n; j++) {
            if (strncmp(b.c[j].value, names[i], strlen(names[i])) == 0 && b.c[j].ref[0] == 'B') {
                assert_string_equal(b.c[j].type, "s");
                found++;
            }
        }
        assert_int_equal(found, 3); /* Per kund and both service sheets */
    }
    /* No formula anywhere holds text from the inputs. */
    for (j = 0; j < b.n; j++)
        if (strcmp(b.c[j].type, "f") == 0)
            assert_null(strstr(b.c[j].value, "Soc"));
    xbook_free(&b);
}

static void test_pricelist_check_sheet(void **state)
{
    model *m = *state;
    const char *sh = "Avstämning";
    xbook b;
    int row;
    xbook_load(&b, m->path);
    row = xfind_row(&b, sh, 'A', "Telefonistöd, gemensam växel");
    assert_true(row > 0);
    assert_number(xat(&b, sh, 'B', row), 600000);
    assert_formula(xat(&b, sh, 'C', row), 600000);
    assert_true(strncmp(xat(&b, sh, 'C', row)->value, "='Telefonistöd, gemensam växel'!G", 33) ==
                0);
    assert_formula(xat(&b, sh, 'D', row), 0);
    assert_formula(xat(&b, sh, 'E', row), 600000);
    assert_formula(xat(&b, sh, 'F', row), 0);
    assert_number(xat(&b, sh, 'G', row), 5650);
    assert_text(xat(&b, sh, 'I', row), "2023-08-01–2024-07-31");
    assert_number(xat(&b, sh, 'J', row), 101);
    row = xfind_row(&b, sh, 'A', "cases.csv");
    assert_number(xat(&b, sh, 'B', row), 123456789);
    assert_number(xat(&b, sh, 'C', row), 4000000);
    assert_text(xat(&b, sh, 'D', row),
                "0000000000000000000000000000000000000000000000000000000000000003");
    row = xfind_row(&b, sh, 'A', "Alla indata");
    assert_text(xat(&b, sh, 'D', row),
                "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
    assert_true(xfind_row(&b, sh, 'A', "calls.csv: 12 rows outside the window") > row);
    xbook_free(&b);
}

/* Every formula's cached value is what the formula computes. */
static void test_pricelist_cached_values_match_formulas(void **state)
{
    model *m = *state;
    char *cmd = ip_xasprintf(PY " " CHECKER " verify '%s' >/dev/null", m->path);
    assert_int_equal(run_cmd(cmd), 0);
    free(cmd);
}

/* The same run gives the same bytes, whatever the clock or time zone. */
static void test_pricelist_rewrite_is_byte_identical(void **state)
{
    model *m = *state;
    char *again = ip_xasprintf("%s/again.xlsx", m->dir), *cmd;
    ip_diag d;
    char *tz = getenv("TZ") ? ip_xstrdup(getenv("TZ")) : NULL;
    sleep(1); /* a second later: a clock in the output would show */
    setenv("TZ", "America/Los_Angeles", 1);
    tzset();
    assert_int_equal(ip_pricelist_write(&m->r, NULL, again, &d), IP_OK);
    if (tz)
        setenv("TZ", tz, 1);
    else
        unsetenv("TZ");
    tzset();
    free(tz);
    cmd = ip_xasprintf("cmp -s '%s' '%s'", m->path, again);
    assert_int_equal(run_cmd(cmd), 0);
    free(cmd);
    free(again);
}

static void test_pricelist_unwritable_path_is_cantcreat(void **state)
{
    model *m = *state;
    char *bad = ip_xasprintf("%s/no/such/dir/prislista.xlsx", m->dir);
    ip_diag d;
    ip_diag_clear(&d);
    assert_int_equal(ip_pricelist_write(&m->r, NULL, bad, &d), IP_ERR_CANTCREAT);
    assert_string_equal(d.file, bad);
    free(bad);
}

/* A full disk: /dev/full takes the open but no byte. The message is the
 * one form, and the library's own "[ERROR]" lines are dropped, neither on
 * stderr nor in the diag. */
static void test_pricelist_full_disk_is_io_error(void **state)
{
    model *m = *state;
    ip_diag d;
    if (access("/dev/full", W_OK) != 0)
        skip();
    ip_diag_clear(&d);
    assert_int_equal(ip_pricelist_write(&m->r, NULL, "/dev/full", &d), IP_ERR_IO);
    assert_string_equal(d.file, "/dev/full");
    assert_string_equal(d.msg, "cannot write: No space left on device");
    assert_string_equal(d.extra, "");
}

static void test_pricelist_sheet_names(void **state)
{
    const char *taken[] = {"Per kund", "Avstämning", "E-tjänstsupport"};
    char *s;
    (void)state;
    s = ip_pricelist_sheet_name("E-tjänst[support]: a/b\\c*?", "x", taken, 0);
    assert_string_equal(s, "E-tjänstsupport abc");
    free(s);
    s = ip_pricelist_sheet_name("Förvaltning av kontaktcenterplattform", "kcp", taken, 3);
    assert_string_equal(s, "Förvaltning av kontaktcenterpl…"); /* 31 characters */
    free(s);
    s = ip_pricelist_sheet_name("e-TJÄNSTSUPPORT", "x", taken, 3);
    assert_string_equal(s, "e-TJÄNSTSUPPORT (2)"); /* Excel: same name */
    free(s);
    s = ip_pricelist_sheet_name("AVSTÄMNING", "x", taken, 3);
    assert_string_equal(s, "AVSTÄMNING (2)");
    free(s);
    s = ip_pricelist_sheet_name("history", "x", taken, 3);
    assert_string_equal(s, "history (2)");
    free(s);
    s = ip_pricelist_sheet_name("Förvaltning av kontaktcenterplattform", "x", taken, 3);
    taken[2] = s; /* a second service with the same long name */
    {
        char *s2 = ip_pricelist_sheet_name("Förvaltning av kontaktcenterplattformen", "y", taken, 3);
        assert_string_equal(s2, "Förvaltning av kontaktcent… (2)"); /* 31 characters */
        free(s2);
    }
    taken[2] = "E-tjänstsupport";
    free(s);
    s = ip_pricelist_sheet_name("per KUND", "x", taken, 3);
    assert_string_equal(s, "per KUND (2)");
    free(s);
    s = ip_pricelist_sheet_name("'[]'", "kcp", taken, 3);
    assert_string_equal(s, "kcp");
    free(s);
    s = ip_pricelist_sheet_name("???", "", taken, 3);
    assert_string_equal(s, "Tjänst");
    free(s);
}

static void test_pricelist_genitive(void **state)
{
    static const char *const cases[][2] = {
        {"Finansförvaltningen", "Finansförvaltningens"},
        {"Stadsledningskontoret", "Stadsledningskontorets"},
        {"Stockholms Hamn AB", "Stockholms Hamn AB:s"},
        {"Järva sdf", "Järva sdf:s"},
        {"Revisorskollegiet", "Revisorskollegiets"},
        {"Kungsholmens stadsdelsnämnd", "Kungsholmens stadsdelsnämnds"},
        {"Stockholms stadshus", "Stockholms stadshus"},
    };
    size_t i;
    (void)state;
    for (i = 0; i < IP_ARRAY_LEN(cases); i++) {
        char *g = ip_pricelist_genitive(cases[i][0]);
        assert_string_equal(g, cases[i][1]);
        free(g);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pricelist_sheets_properties_and_print_setup, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_pricelist_per_kund_numbers_and_totals, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_pricelist_proportional_service_sheet, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_pricelist_switchboard_sheet_with_consolidation,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_pricelist_formula_like_names_stay_text, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_pricelist_check_sheet, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pricelist_cached_values_match_formulas, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_pricelist_rewrite_is_byte_identical, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_pricelist_unwritable_path_is_cantcreat, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_pricelist_full_disk_is_io_error, setup, teardown),
        cmocka_unit_test(test_pricelist_sheet_names),
        cmocka_unit_test(test_pricelist_genitive),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
