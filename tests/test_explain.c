/*
 * test_explain.c — `internpris explain` on the bundled sample year.
 *
 * The group fixture computes the 2025 sample year once (input/2025, the
 * schema in templates/, an empty temporary output root so last year is
 * unknown). The tests read the explanation the way a controller would: the
 * SPEC's worked example for customer 110 in E-tjänstsupport (basis 1 841,
 * exact share 155 249,47, fee 155 249), the switchboard consolidation of 101
 * into 110 seen from both sides, the monthly counts adding up to the raw
 * basis, the remainder ranks agreeing with who got the remaining kronor,
 * unknown customers and services as usage errors, a failing stream as an I/O
 * error, and — with a hand-made fees.csv for 2024 — the split of the change
 * into the customer's own volume (a) and the rest (b), which must add up to
 * the change exactly.
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

#include "alloc.h"
#include "customers.h"
#include "explain.h"
#include "fees.h"
#include "run.h"
#include "util.h"

typedef struct fixture {
    char root[64];  /* temporary output root */
    ip_run *r;
} fixture;

static ip_run *compute(const char *output_root)
{
    ip_run_opts o;
    ip_run *r = NULL;
    ip_diag d;
    ip_err e;
    memset(&o, 0, sizeof o);
    o.year = 2025;
    o.input_root = "input";
    o.templates_dir = "templates";
    ip_diag_clear(&d);
    e = ip_run_compute(&o, &r, &d);
    if (!e)
        e = ip_fees_take_prev(r, output_root, &d);
    if (e)
        ip_diag_print(&d, stderr, NULL);
    assert_int_equal(e, IP_OK);
    return r;
}

static int group_setup(void **state)
{
    fixture *fx = ip_xcalloc(1, sizeof *fx);
    snprintf(fx->root, sizeof fx->root, "%s", "/tmp/ip-explain.XXXXXX");
    if (!mkdtemp(fx->root))
        return -1;
    fx->r = compute(fx->root);
    *state = fx;
    return 0;
}

static int group_teardown(void **state)
{
    fixture *fx = *state;
    ip_run_free(fx->r);
    rmdir(fx->root);
    free(fx);
    return 0;
}

/* The explanation as a heap string; *err gets the result. */
static char *explain(const ip_run *r, uint32_t nr, const char *svc, ip_err *err, ip_diag *d)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    ip_diag_clear(d);
    *err = ip_explain_write(r, nr, svc, f, d);
    fclose(f);
    return buf;
}

static char *explain_ok(const ip_run *r, uint32_t nr, const char *svc)
{
    ip_diag d;
    ip_err e;
    char *out = explain(r, nr, svc, &e, &d);
    if (e)
        ip_diag_print(&d, stderr, NULL);
    assert_int_equal(e, IP_OK);
    return out;
}

#define assert_contains(hay, needle)                                                    \
    do {                                                                                \
        if (!strstr((hay), (needle))) {                                                 \
            fprintf(stderr, "---- output ----\n%s---- lacks ----\n%s\n", (hay), (needle)); \
            fail();                                                                     \
        }                                                                               \
    } while (0)

/* The line that contains key (a copy, without its newline). */
static char *line_with(const char *text, const char *key)
{
    const char *p = strstr(text, key), *start, *end;
    if (!p) {
        fprintf(stderr, "---- output ----\n%s---- has no line with ----\n%s\n", text, key);
        fail();
    }
    for (start = p; start > text && start[-1] != '\n'; start--)
        ;
    end = strchr(p, '\n');
    return ip_xstrndup(start, end ? (size_t)(end - start) : strlen(start));
}

/* Parses a signed amount "+1 234" / "-1 234" / "0" at p, up to " kr". */
static int64_t parse_amount(const char *p)
{
    int64_t v = 0, sign = 1;
    while (*p == ' ')
        p++;
    if (*p == '+' || *p == '-')
        sign = *p++ == '-' ? -1 : 1;
    for (; *p && strncmp(p, " kr", 3) != 0; p++) {
        if (*p == ' ')
            continue;
        if (*p < '0' || *p > '9')
            fail_msg("expected an amount, found '%s'", p);
        v = v * 10 + (*p - '0');
    }
    return sign * v;
}

/* The amount right after key ("change " -> "+1 234 kr"). */
static int64_t amount_after(const char *text, const char *key)
{
    char *line = line_with(text, key);
    int64_t v = parse_amount(strstr(line, key) + strlen(key));
    free(line);
    return v;
}

/* The amount after the last "= " of the line containing key. */
static int64_t amount_on(const char *text, const char *key)
{
    char *line = line_with(text, key);
    const char *eq = strrchr(line, '=');
    int64_t v;
    assert_non_null(eq);
    v = parse_amount(eq + 1);
    free(line);
    return v;
}

static size_t svc_index(const ip_run *r, const char *id)
{
    size_t s;
    for (s = 0; s < r->nsvc; s++)
        if (strcmp(r->svc[s].svc->id, id) == 0)
            return s;
    fail_msg("no service '%s'", id);
    return 0;
}

static size_t slot_of(const ip_run *r, uint32_t nr)
{
    long slot = ip_customers_slot(r->customers, nr);
    assert_true(slot >= 0);
    return (size_t)slot;
}

/* ---- the sample year ------------------------------------------------------ */

static void test_explain_etjanst_worked_example(void **state)
{
    fixture *fx = *state;
    char *out = explain_ok(fx->r, 110, "etjanst");
    assert_contains(out, "price year 2025, customer 110 Stadsledningskontoret (forvaltning)");
    assert_contains(out, "\n== etjanst — E-tjänstsupport\n");
    assert_contains(out, "fixed fee F: 240 000 kr in 2025 (0 kr in 2024)\n");
    assert_contains(out, "basis: ärenden in cases.csv, date column 'date', window 2023-07-01–2024-06-30\n");
    assert_contains(out, "filters: queue in {E-tjänstsupport}, kind in {inkommande}\n");
    assert_contains(out, "key: in proportion to the basis\n");
    assert_contains(out, "counted for 110 per month (ärenden):\n  2023-07 ");
    assert_contains(out, "  2024-06 ");
    assert_contains(out, "  sum            1 841 (raw basis)\n");
    assert_contains(out, "consolidated: none\nbasis w = 1 841 ärenden\n");
    assert_contains(out, "basis total W = 2 846 ärenden\n");
    assert_contains(out, "exact share e = F × w / W = 240 000 × 1 841 / 2 846 = 155 249,47 kr\n");
    assert_contains(out, "floor 155 249 kr, remainder 0,47 kr\n");
    assert_contains(out, "no extra krona\n");
    assert_contains(out, "fee 2025: 155 249 kr\n");
    assert_contains(out, "fee 2024: unknown: no fees.csv for 2024\n");
    /* one service asked for, one explained, no grand total */
    assert_null(strstr(out, "== direkt"));
    assert_null(strstr(out, "\ntotal 2025"));
    free(out);
}

static void test_explain_months_add_up_to_raw_basis(void **state)
{
    fixture *fx = *state;
    size_t s, k, m;
    for (s = 0; s < fx->r->nsvc; s++) {
        const ip_svc_result *sr = &fx->r->svc[s];
        assert_true(sr->nmonths >= 1);
        if (!sr->svc->is_snapshot)
            assert_int_equal(sr->nmonths, 12);
        for (k = 0; k < fx->r->ncust; k++) {
            int64_t sum = 0;
            for (m = 0; m < sr->nmonths; m++)
                sum += sr->monthly[k * sr->nmonths + m];
            assert_int_equal(sum, sr->raw[k]);
        }
    }
}

static void test_explain_vaxel_consolidation_into_110(void **state)
{
    fixture *fx = *state;
    size_t s = svc_index(fx->r, "vaxel"), s110 = slot_of(fx->r, 110), s101 = slot_of(fx->r, 101);
    const ip_svc_result *sr = &fx->r->svc[s];
    char a[32], b[32], c[32], want[256];
    char *out = explain_ok(fx->r, 110, "vaxel");

    assert_int_equal(sr->into[s101], (long)s110);
    assert_true(sr->raw[s101] > 0);
    snprintf(want, sizeof want, "consolidated: + %s anrop of 101 Finansförvaltningen, rolled into 110\n",
             ip_money_fmt_thousands(sr->raw[s101], a, sizeof a));
    assert_contains(out, want);
    snprintf(want, sizeof want, "basis w = %s + %s = %s anrop\n",
             ip_money_fmt_thousands(sr->raw[s110], a, sizeof a),
             ip_money_fmt_thousands(sr->raw[s101], b, sizeof b),
             ip_money_fmt_thousands(sr->basis[s110], c, sizeof c));
    assert_contains(out, want);
    assert_contains(out, "key: 20 % of the fee equally among the participants");
    snprintf(want, sizeof want, "; participants N = %zu; equal part p = 20 %%\n",
             sr->alloc.participants);
    assert_contains(out, want);
    assert_contains(out, "exact share e = F×p/(100 N) + F×(100−p)×w/(100 W)\n");
    assert_contains(out, "  equal part  ");
    assert_contains(out, "  proportional part  ");
    snprintf(want, sizeof want, "fee 2025: %s",
             ip_money_fmt_thousands(sr->items[s110].fee, a, sizeof a));
    assert_contains(out, want);
    /* the parts as the price list shows them, adding up to the fee */
    {
        int64_t q = (int64_t)(sr->items[s110].num_equal / sr->alloc.den);
        char d[32];
        assert_true(q > 0 && q <= sr->items[s110].fee);
        snprintf(want, sizeof want, "  on the price list: Lika del %s kr (the equal part "
                 "rounded down, the same for every participant) + Efter anrop %s kr = %s kr\n",
                 ip_money_fmt_thousands(q, a, sizeof a),
                 ip_money_fmt_thousands(sr->items[s110].fee - q, b, sizeof b),
                 ip_money_fmt_thousands(sr->items[s110].fee, d, sizeof d));
        assert_contains(out, want);
    }
    free(out);

    /* seen from 101: rolled into 110, fee 0 */
    out = explain_ok(fx->r, 101, "vaxel");
    assert_contains(out, "consolidated: the basis of 101 Finansförvaltningen (");
    assert_contains(out, "is rolled into 110 Stadsledningskontoret and counted there");
    assert_contains(out, "its fee is 0 kr\n");
    assert_contains(out, "fee 2025: 0 kr\n");
    assert_null(strstr(out, "exact share e ="));
    free(out);
}

/* For every customer of every service: the rank printed for a non-zero
 * remainder is within the remaining kronor exactly when the customer got
 * one, and the fee is floor + got_extra. */
static void test_explain_remainder_rank_matches_extra_krona(void **state)
{
    fixture *fx = *state;
    size_t s, k;
    for (s = 0; s < fx->r->nsvc; s++) {
        const ip_svc_result *sr = &fx->r->svc[s];
        size_t handed = 0;
        for (k = 0; k < fx->r->ncust; k++) {
            const ip_alloc_item *it = &sr->items[k];
            char *out, *line;
            size_t rank = 0, of = 0;
            if (sr->into[k] >= 0 || it->num % sr->alloc.den == 0)
                continue;
            out = explain_ok(fx->r, it->nr, sr->svc->id);
            line = line_with(out, "this remainder ranks ");
            assert_int_equal(sscanf(strstr(line, "ranks "), "ranks %zu of %zu", &rank, &of), 2);
            assert_true(rank >= 1 && rank <= of);
            assert_int_equal(it->got_extra, rank <= (size_t)sr->alloc.remaining);
            assert_int_equal(it->got_extra, strstr(line, "one extra krona") != NULL);
            assert_int_equal(it->fee, it->floor + it->got_extra);
            handed += (size_t)it->got_extra;
            free(line);
            free(out);
        }
        assert_int_equal(handed, (size_t)sr->alloc.remaining);
    }
}

static void test_explain_every_service_and_total(void **state)
{
    fixture *fx = *state;
    char *out = explain_ok(fx->r, 110, NULL), *again = explain_ok(fx->r, 110, NULL);
    char a[32], want[128];
    const char *p;
    assert_contains(out, "\n== etjanst ");
    assert_contains(out, "\n== direkt ");
    assert_contains(out, "\n== vaxel ");
    assert_contains(out, "\n== kcp ");
    /* tariff order */
    p = strstr(out, "== etjanst");
    assert_true(p < strstr(out, "== direkt") && strstr(out, "== direkt") < strstr(out, "== vaxel") &&
                strstr(out, "== vaxel") < strstr(out, "== kcp"));
    assert_contains(out, "counted for 110 on 2024-06-15: ");
    snprintf(want, sizeof want, "\ntotal 2025: %s kr over 4 services; 2024: unknown\n",
             ip_money_fmt_thousands(ip_run_customer_total(fx->r, slot_of(fx->r, 110)), a,
                                    sizeof a));
    assert_contains(out, want);
    assert_string_equal(out, again); /* deterministic */
    free(out);
    free(again);
}

static void test_explain_unknown_customer_is_usage_error(void **state)
{
    fixture *fx = *state;
    ip_diag d;
    ip_err e;
    char *out = explain(fx->r, 999, NULL, &e, &d);
    assert_int_equal(e, IP_ERR_USAGE);
    assert_string_equal(d.msg, "expected a customer number from customers.csv, found 999");
    assert_string_equal(out, "");
    free(out);
}

static void test_explain_unknown_service_is_usage_error(void **state)
{
    fixture *fx = *state;
    ip_diag d;
    ip_err e;
    char *out = explain(fx->r, 110, "Vaxel", &e, &d);
    assert_int_equal(e, IP_ERR_USAGE);
    assert_string_equal(d.msg, "expected a service id from tariff.xml (etjanst, direkt, vaxel, "
                               "kcp), found 'Vaxel'");
    assert_string_equal(out, "");
    free(out);
}

static void test_explain_write_failure_is_io_error(void **state)
{
    fixture *fx = *state;
    ip_diag d;
    FILE *f = fopen("/dev/full", "w");
    if (!f)
        skip();
    ip_diag_clear(&d);
    assert_int_equal(ip_explain_write(fx->r, 110, NULL, f, &d), IP_ERR_IO);
    assert_string_equal(d.msg, "cannot write: No space left on device");
    fclose(f);
}

/* ---- last year's fees and the split of the change ------------------------- */

static ip_i128 div_round(ip_i128 num, ip_i128 den)
{
    return num >= 0 ? (num * 2 + den) / (den * 2) : -((-num * 2 + den) / (den * 2));
}

static void test_explain_change_split_adds_up(void **state)
{
    char root[64], dir[96], path[128];
    FILE *f;
    ip_run *r;
    char *out;
    size_t s, k;
    int64_t change, a, b, want_a;
    (void)state;

    snprintf(root, sizeof root, "%s", "/tmp/ip-explain-prev.XXXXXX");
    assert_non_null(mkdtemp(root));
    snprintf(dir, sizeof dir, "%s/2024", root);
    assert_int_equal(mkdir(dir, 0777), 0);
    snprintf(path, sizeof path, "%s/fees.csv", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    /* direkt: F2024 = 2 980 000 (the tariff's previous-fee), W2024 = 2 980;
     * vaxel: F2024 = 1 400 000, W2024 = 14 003 so (a) needs rounding;
     * etjanst is absent (new service, previous-fee 0), kcp is absent. */
    fputs("year;service;customer;name;basis;basis_total;fee\n"
          "2024;direkt;110;Stadsledningskontoret;2000;2980;2000000\n"
          "2024;direkt;113;Socialförvaltningen;979;2980;979000\n"
          "2024;direkt;117;Utbildningsnämnden;1;2980;1000\n"
          "2024;vaxel;110;Stadsledningskontoret;3000;14003;1000000\n"
          "2024;vaxel;113;Socialförvaltningen;11003;14003;400000\n",
          f);
    assert_int_equal(fclose(f), 0);
    r = compute(root);
    assert_true(r->have_prev);

    /* direkt, proportional: (a) = 2 980 000 × (w − 2 000) / 2 980 exactly */
    s = svc_index(r, "direkt");
    k = slot_of(r, 110);
    out = explain_ok(r, 110, "direkt");
    change = amount_after(out, "fee 2024: 2 000 000 kr; change ");
    assert_int_equal(change, r->svc[s].items[k].fee - 2000000);
    a = amount_on(out, "(a) own volume:");
    b = amount_after(out, "(b) the fixed fee and everybody else's volume:");
    assert_int_equal(a, 1000 * (r->svc[s].basis[k] - 2000));
    assert_int_equal(a + b, change);
    assert_int_equal(amount_after(out, "(a) + (b) = "), change);
    assert_contains(out, "  basis 2024: w = 2 000 of W = 2 980 ärenden; 2025: w = ");
    assert_contains(out, "(a) own volume: F2024 × (w2025 − w2024) / W2024 = 2 980 000 × (");
    assert_null(strstr(out, "note:")); /* the rows sum to the tariff's previous-fee */
    free(out);

    /* vaxel, equal and proportional: only the 80 % proportional part */
    s = svc_index(r, "vaxel");
    out = explain_ok(r, 110, "vaxel");
    change = amount_after(out, "fee 2024: 1 000 000 kr; change ");
    a = amount_on(out, "(a) own volume:");
    b = amount_after(out, "(b) the fixed fee and everybody else's volume:");
    want_a = (int64_t)div_round((ip_i128)1400000 * 80 * (r->svc[s].basis[k] - 3000),
                                (ip_i128)100 * 14003);
    assert_int_equal(a, want_a);
    assert_int_equal(change, r->svc[s].items[k].fee - 1000000);
    assert_int_equal(a + b, change);
    assert_contains(out, "(a) own volume: F2024 × (100−p)/100 × (w2025 − w2024) / W2024 = "
                         "1 400 000 × 80/100 × (");
    free(out);

    /* a customer with no row last year: basis 0 and fee 0 in 2024 */
    s = svc_index(r, "direkt");
    k = slot_of(r, 132);
    out = explain_ok(r, 132, "direkt");
    change = amount_after(out, "fee 2024: 0 kr; change ");
    a = amount_on(out, "(a) own volume:");
    b = amount_after(out, "(b) the fixed fee and everybody else's volume:");
    assert_int_equal(a, 1000 * r->svc[s].basis[k]);
    assert_int_equal(a + b, change);
    free(out);

    /* etjanst is new (previous-fee 0): last year 0 kr, no basis to split by;
     * kcp is missing from the file: unknown */
    out = explain_ok(r, 110, NULL);
    assert_contains(out, "fee 2024: 0 kr; change +155 249 kr\n"
                         "  the change cannot be split: 2024's basis is not known\n");
    assert_contains(out, "fee 2024: unknown: 2024's fees.csv has no rows for kcp\n");
    assert_contains(out, "2024: unknown\n");
    free(out);

    ip_run_free(r);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(rmdir(dir), 0);
    assert_int_equal(rmdir(root), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_explain_etjanst_worked_example),
        cmocka_unit_test(test_explain_months_add_up_to_raw_basis),
        cmocka_unit_test(test_explain_vaxel_consolidation_into_110),
        cmocka_unit_test(test_explain_remainder_rank_matches_extra_krona),
        cmocka_unit_test(test_explain_every_service_and_total),
        cmocka_unit_test(test_explain_unknown_customer_is_usage_error),
        cmocka_unit_test(test_explain_unknown_service_is_usage_error),
        cmocka_unit_test(test_explain_write_failure_is_io_error),
        cmocka_unit_test(test_explain_change_split_adds_up),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
