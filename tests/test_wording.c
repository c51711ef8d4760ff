/*
 * test_wording.c — the Swedish words for a basis: the share as a percent
 * with a decimal comma (rounding, nothing to share), the period of a window
 * and of a snapshot, the basis of a customer in words on a year made by hand
 * (thousands, a consolidation, an equal part), the invoice line with and
 * without periods, the workbook's sentences and heading, and a tariff's
 * basis for the scenario's workbook (file, filters, consolidations). The texts are
 * today's, pinned here so that a change to them is a change of this module.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "consolidate.h"
#include "customers.h"
#include "run.h"
#include "tariff.h"
#include "util.h"
#include "wording.h"

static void test_wording_share_has_two_decimals_and_a_comma(void **state)
{
    char buf[32];
    (void)state;
    assert_string_equal(ip_wording_share(1841, 2846, buf, sizeof buf), "64,69");
    assert_string_equal(ip_wording_share(8286, 33437, buf, sizeof buf), "24,78");
    assert_string_equal(ip_wording_share(1, 3, buf, sizeof buf), "33,33");
    assert_string_equal(ip_wording_share(2, 3, buf, sizeof buf), "66,67");
    /* halves away from zero: 1/800 is 0,125 % */
    assert_string_equal(ip_wording_share(1, 800, buf, sizeof buf), "0,13");
    assert_string_equal(ip_wording_share(5, 5, buf, sizeof buf), "100,00");
    assert_string_equal(ip_wording_share(0, 5, buf, sizeof buf), "0,00");
    /* nothing to share in */
    assert_string_equal(ip_wording_share(0, 0, buf, sizeof buf), "0,00");
    assert_string_equal(ip_wording_share(3, -1, buf, sizeof buf), "0,00");
    /* beyond 32 bits */
    assert_string_equal(ip_wording_share(INT64_C(3000000000), INT64_C(4000000000), buf,
                                         sizeof buf), "75,00");
}

static char u_arenden[] = "ärenden", u_anrop[] = "anrop", u_none[] = "";

static ip_service window_service(void)
{
    ip_service s;
    memset(&s, 0, sizeof s);
    s.unit = u_arenden;
    s.from = 20230701;
    s.to = 20240630;
    s.method = IP_KEY_PROPORTIONAL;
    return s;
}

static void test_wording_period_of_a_window_and_a_snapshot(void **state)
{
    ip_service s = window_service();
    char buf[40];
    (void)state;
    assert_string_equal(ip_wording_period(&s, buf, sizeof buf), "2023-07-01–2024-06-30");
    assert_string_equal(ip_wording_period_labelled(&s, buf, sizeof buf), "2023-07-01–2024-06-30");
    s.is_snapshot = 1;
    s.snapshot = 20240630;
    assert_string_equal(ip_wording_period(&s, buf, sizeof buf), "2024-06-30");
    assert_string_equal(ip_wording_period_labelled(&s, buf, sizeof buf), "avläsning 2024-06-30");
}

/* The scenario's workbook: where a basis comes from, its filters and its
 * consolidations. */
static void test_wording_of_a_tariffs_basis(void **state)
{
    static char file[] = "cases.csv", date[] = "date", lic[] = "licences";
    static char queue[] = "queue", kind[] = "kind", v1[] = "E-tjänstsupport",
                v2[] = "inkommande", v3[] = "generell";
    static char *qv[] = {v1}, *kv[] = {v2, v3};
    ip_match m[2] = {{queue, qv, 1, 0}, {kind, kv, 2, 0}};
    ip_consolidation c[2] = {{101, 110, 0}, {102, 110, 0}};
    ip_service s = window_service();
    char *t;
    (void)state;
    s.file = file;
    s.date_column = date;
    t = ip_wording_basis_file(&s);
    assert_string_equal(t, "ärenden i cases.csv (datum: date, värde: count, annars 1 per rad)");
    free(t);
    s.value_column = lic;
    s.unit = u_none;
    t = ip_wording_basis_file(&s);
    assert_string_equal(t, "enheter i cases.csv (datum: date, värde: licences)");
    free(t);
    t = ip_wording_filters(&s);
    assert_string_equal(t, "inga");
    free(t);
    s.matches = m;
    s.nmatches = 2;
    t = ip_wording_filters(&s);
    assert_string_equal(t, "queue: E-tjänstsupport; kind: inkommande, generell");
    free(t);
    t = ip_wording_consolidations(&s);
    assert_string_equal(t, "ingen");
    free(t);
    s.consolidations = c;
    s.nconsolidations = 2;
    t = ip_wording_consolidations(&s);
    assert_string_equal(t, "101 ingår i 110; 102 ingår i 110");
    free(t);
}

/* --- a year made by hand -------------------------------------------------- */

static char g_id[] = "forvaltning", g_label[] = "Förvaltningar";
static ip_group group = {g_id, g_label, IP_VAT_O, 0};
static char n110[] = "Stadsledningskontoret", n101[] = "Stadshuset", n120[] = "Kultur";

#define NCUST 3

typedef struct model {
    ip_service svc;
    ip_svc_result sr;
    int64_t raw[NCUST], basis[NCUST];
    long into[NCUST];
    size_t within_start[NCUST + 1], within[NCUST];
    ip_alloc_item items[NCUST];
    ip_run r;
} model;

/* The run's index of who is counted in whom, from m->into (as run.c makes
 * it after the consolidation). */
static void model_index(model *m)
{
    size_t *start, *members;
    ip_consolidate_members(m->into, NCUST, &start, &members);
    memcpy(m->within_start, start, sizeof m->within_start);
    memcpy(m->within, members, (start[NCUST] ? start[NCUST] : 1) * sizeof *members);
    free(start);
    free(members);
    m->sr.within_start = m->within_start;
    m->sr.within = m->within;
}

/* Customers 101, 110, 120 (slots 0, 1, 2); 101's 1 200 calls are counted
 * with 110's 7 086; 120 has 25 151. */
static void model_init(model *m)
{
    ip_customer list[NCUST];
    memset(m, 0, sizeof *m);
    memset(list, 0, sizeof list);
    list[0].nr = 101, list[0].name = n101, list[0].group = &group;
    list[1].nr = 110, list[1].name = n110, list[1].group = &group;
    list[2].nr = 120, list[2].name = n120, list[2].group = &group;
    m->svc = window_service();
    m->sr.svc = &m->svc;
    m->sr.raw = m->raw;
    m->sr.basis = m->basis;
    m->sr.into = m->into;
    m->sr.items = m->items;
    m->raw[0] = 1200, m->raw[1] = 7086, m->raw[2] = 25151;
    m->basis[0] = 0, m->basis[1] = 8286, m->basis[2] = 25151;
    m->into[0] = 1, m->into[1] = -1, m->into[2] = -1;
    model_index(m);
    m->sr.alloc.total = 33437;
    m->sr.alloc.participants = 2;
    m->items[1].fee = 155249;
    m->r.year = 2025;
    m->r.customers = ip_customers_new(list, NCUST);
    m->r.ncust = NCUST;
    m->r.svc = &m->sr;
    m->r.nsvc = 1;
}

static void test_wording_basis_of_a_customer(void **state)
{
    model m;
    char *w;
    (void)state;
    model_init(&m);
    w = ip_wording_basis(&m.r, 0, 2);
    assert_string_equal(w, "25 151 av 33 437 ärenden 2023-07-01–2024-06-30, andel av antalet 75,22 %");
    free(w);
    /* a consolidation is named with what it brought */
    w = ip_wording_basis(&m.r, 0, 1);
    assert_string_equal(w, "8 286 av 33 437 ärenden 2023-07-01–2024-06-30, andel av antalet "
                           "24,78 %, inkl. Stadshuset (101) 1 200");
    free(w);
    /* an equal part, for a participant only */
    m.svc.method = IP_KEY_EQUAL_AND_PROPORTIONAL;
    m.svc.equal_percent = 20;
    m.svc.unit = u_anrop;
    m.svc.fee = 600000;
    m.items[2].fee = 400000;
    w = ip_wording_basis(&m.r, 0, 2);
    /* the share of the calls and the share of the fee, each said of what */
    assert_string_equal(w, "25 151 av 33 437 anrop 2023-07-01–2024-06-30, andel av antalet "
                           "75,22 %; 20 % av avgiften delas lika mellan 2 kunder, andel av "
                           "avgiften 66,67 %");
    free(w);
    w = ip_wording_basis(&m.r, 0, 0);
    assert_string_equal(w, "0 av 33 437 anrop 2023-07-01–2024-06-30, andel av antalet 0,00 %");
    free(w);
    ip_customers_free(m.r.customers);
}

static void test_wording_invoice_line_names_the_period_part(void **state)
{
    model m;
    char *w;
    (void)state;
    model_init(&m);
    m.into[0] = -1;
    model_index(&m);
    w = ip_wording_invoice_line(&m.r, 0, 1, 0, 1);
    assert_string_equal(w, "8 286 av 33 437 ärenden 2023-07-01–2024-06-30, andel av antalet "
                           "24,78 %");
    free(w);
    w = ip_wording_invoice_line(&m.r, 0, 1, 2, 4);
    assert_string_equal(w, "8 286 av 33 437 ärenden 2023-07-01–2024-06-30, andel av antalet "
                           "24,78 %; årsavgift 155 249 kr, del 3 av 4");
    free(w);
    ip_customers_free(m.r.customers);
}

static void test_wording_of_the_service_sheet(void **state)
{
    ip_service s = window_service();
    char *w;
    (void)state;
    w = ip_wording_basis_source(&s);
    assert_string_equal(w, "Underlag: antal ärenden 2023-07-01–2024-06-30.");
    free(w);
    w = ip_wording_key(&s, 25);
    assert_string_equal(w, "Fördelning: efter andel av antalet ärenden.");
    free(w);
    w = ip_wording_share_heading(&s);
    assert_string_equal(w, "Andel av antalet");
    free(w);
    s.is_snapshot = 1;
    s.snapshot = 20240630;
    s.method = IP_KEY_EQUAL_AND_PROPORTIONAL;
    s.equal_percent = 20;
    s.unit = u_none; /* the workbook says "enheter" for a unit the tariff leaves empty */
    w = ip_wording_basis_source(&s);
    assert_string_equal(w, "Underlag: antal enheter enligt avläsning 2024-06-30.");
    free(w);
    w = ip_wording_key(&s, 25);
    assert_string_equal(w, "Fördelning: 20 % av avgiften lika mellan de 25 kunder som har "
                           "enheter, 80 % efter andel av antalet enheter.");
    free(w);
    w = ip_wording_share_heading(&s);
    assert_string_equal(w, "Andel av avgiften");
    free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wording_share_has_two_decimals_and_a_comma),
        cmocka_unit_test(test_wording_period_of_a_window_and_a_snapshot),
        cmocka_unit_test(test_wording_of_a_tariffs_basis),
        cmocka_unit_test(test_wording_basis_of_a_customer),
        cmocka_unit_test(test_wording_invoice_line_names_the_period_part),
        cmocka_unit_test(test_wording_of_the_service_sheet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
