/*
 * test_scenario.c — the scenario (scenario.h) on the sample year: the
 * computations of several tariffs in one call (ip_run_compute_many) give the
 * fees each tariff gives alone, each difference splits into a fixed-fee part
 * and a basis part that add up to it (and whose sums over the customers are
 * the change of the fixed fee and 0), new and removed services count whole
 * as the fixed fee's part, and the per-cent text is Swedish and rounded
 * half away from zero.
 *
 * The proposals are the sample tariff (input/2025/tariff.xml) edited as text
 * and written into a temporary input root beside copies of the sample
 * statistics, so that each can also be computed alone as its year's tariff.
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

#include "run.h"
#include "scenario.h"
#include "util.h"

static char root[64];      /* temporary input roots: root/a/2025, root/b/2025, … */
static char *sample;       /* the sample tariff's text */

static void put_bytes(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void put_file(const char *path, const char *text)
{
    put_bytes(path, text, strlen(text));
}

/* text with the first `from` after `after` (NULL: from the start) replaced. */
static char *edit(const char *text, const char *after, const char *from, const char *to)
{
    const char *at = after ? strstr(text, after) : text;
    const char *hit;
    assert_non_null(at);
    hit = strstr(at, from);
    assert_non_null(hit);
    return ip_xasprintf("%.*s%s%s", (int)(hit - text), text, to, hit + strlen(from));
}

/* text without the part from `from` up to and including `to`. */
static char *cut(const char *text, const char *from, const char *to)
{
    const char *a = strstr(text, from), *b;
    assert_non_null(a);
    b = strstr(a, to);
    assert_non_null(b);
    return ip_xasprintf("%.*s%s", (int)(a - text), text, b + strlen(to));
}

/* An input root `name` whose 2025 is the sample year with tariff text (the
 * statistics copied: a link out of the year folder is refused); returns the
 * tariff's path (heap). */
static char *make_year(const char *name, const char *tariff)
{
    static const char *const files[] = {"customers.csv", "cases.csv", "calls.csv",
                                        "licences.csv"};
    char *dir = ip_xasprintf("%s/%s", root, name), *year = ip_xasprintf("%s/2025", dir);
    char *path = ip_xasprintf("%s/tariff.xml", year);
    size_t i;
    assert_int_equal(mkdir(dir, 0700), 0);
    assert_int_equal(mkdir(year, 0700), 0);
    for (i = 0; i < IP_ARRAY_LEN(files); i++) {
        char *src = ip_xasprintf("input/2025/%s", files[i]);
        char *dst = ip_xasprintf("%s/%s", year, files[i]);
        size_t len;
        char *data = ip_read_file(src, &len);
        assert_non_null(data);
        put_bytes(dst, data, len);
        free(data);
        free(src);
        free(dst);
    }
    put_file(path, tariff);
    free(dir);
    free(year);
    return path;
}

static void opts_for(ip_run_opts *o, const char *input_root)
{
    memset(o, 0, sizeof *o);
    o->year = 2025;
    o->input_root = input_root;
    o->templates_dir = "templates";
}

static int setup(void **state)
{
    size_t len;
    (void)state;
    snprintf(root, sizeof root, "/tmp/ip-test-scenario.XXXXXX");
    if (!mkdtemp(root))
        return -1;
    sample = ip_read_file("input/2025/tariff.xml", &len);
    return sample ? 0 : -1;
}

static int teardown(void **state)
{
    char *cmd = ip_xasprintf("rm -rf '%s'", root);
    (void)state;
    free(sample);
    if (system(cmd) != 0)
        return -1;
    free(cmd);
    return 0;
}

/* The proposals of the tests. */
static char *fee_change(void) /* etjanst 240 000 -> 260 000 */
{
    return edit(sample, "id=\"etjanst\"", "fee=\"240000\"", "fee=\"260000\"");
}

static char *basis_change(void) /* equal part 35 %, Stockholm Direkt from October */
{
    char *a = edit(sample, "id=\"vaxel\"", "equal-percent=\"20\"", "equal-percent=\"35\"");
    char *b = edit(a, "id=\"direkt\"", "from=\"2023-07-01\"", "from=\"2023-10-01\"");
    free(a);
    return b;
}

static char *removed_and_new(void) /* kcp removed, etjanst-gen new, no accounting */
{
    char *a = cut(sample, "<!-- Internal postings", "</accounting>");
    char *b = cut(a, "<service id=\"kcp\"", "</service>");
    const char *svc =
        "<service id=\"etjanst-gen\" name=\"E-tjänstsupport, generella\" fee=\"99999\" "
        "previous-fee=\"0\"><basis file=\"cases.csv\" date-column=\"date\" from=\"2023-07-01\" "
        "to=\"2024-06-30\" unit=\"ärenden\"><match column=\"queue\" values=\"E-tjänstsupport\"/>"
        "<match column=\"kind\" values=\"generell\"/></basis><key method=\"proportional\"/>"
        "</service>\n</tariff>";
    char *c = edit(b, NULL, "</tariff>", svc);
    free(a);
    free(b);
    return c;
}

/* Three tariffs in one call give each tariff's fees computed alone. */
static void test_scenario_many_equals_each_alone(void **state)
{
    char *texts[2], *paths[2];
    const char *names[2] = {"alone-fee", "alone-basis"};
    const char *tariffs[3];
    ip_run *many[3], *alone;
    ip_run_opts o;
    ip_diag d;
    size_t i, s, k;
    (void)state;
    texts[0] = fee_change();
    texts[1] = basis_change();
    for (i = 0; i < 2; i++)
        paths[i] = make_year(names[i], texts[i]);
    tariffs[0] = NULL;
    tariffs[1] = paths[0];
    tariffs[2] = paths[1];
    opts_for(&o, "input");
    ip_diag_clear(&d);
    assert_int_equal(ip_run_compute_many(&o, tariffs, 3, many, &d), IP_OK);
    for (i = 0; i < 3; i++) {
        char *dir = i ? ip_xasprintf("%s/%s", root, names[i - 1]) : ip_xstrdup("input");
        opts_for(&o, dir);
        assert_int_equal(ip_run_compute(&o, &alone, &d), IP_OK);
        assert_int_equal(alone->nsvc, many[i]->nsvc);
        for (s = 0; s < alone->nsvc; s++) {
            assert_int_equal(alone->svc[s].alloc.total, many[i]->svc[s].alloc.total);
            assert_int_equal(alone->svc[s].rows_used, many[i]->svc[s].rows_used);
            for (k = 0; k < alone->ncust; k++) {
                assert_int_equal(alone->svc[s].items[k].fee, many[i]->svc[s].items[k].fee);
                assert_int_equal(alone->svc[s].raw[k], many[i]->svc[s].raw[k]);
            }
        }
        /* the statistics files' digests from the one shared pass */
        for (s = 2; s < alone->nfiles; s++)
            assert_string_equal(alone->files[s].sha256, many[i]->files[s].sha256);
        ip_run_free(alone);
        free(dir);
    }
    for (i = 0; i < 3; i++)
        ip_run_free(many[i]);
    for (i = 0; i < 2; i++) {
        free(texts[i]);
        free(paths[i]);
    }
}

static size_t svc_index(const ip_scenario *sc, const char *id)
{
    size_t s;
    for (s = 0; s < sc->nsvc; s++)
        if (strcmp(sc->svc[s].id, id) == 0)
            return s;
    fail_msg("no service %s", id);
    return 0;
}

/* fee part + basis part = difference for every customer and service; the
 * fee parts sum to F1 - F0, the basis parts to 0. */
static void check_parts(const ip_scenario *sc, size_t j)
{
    size_t s, k;
    for (s = 0; s < sc->nsvc; s++) {
        int64_t fsum = 0, bsum = 0, dsum = 0;
        for (k = 0; k < sc->ncust; k++) {
            int64_t fp = ip_scenario_fee_part(sc, s, j, k), bp = ip_scenario_basis_part(sc, s, j, k);
            int64_t diff = ip_scenario_fee(sc, s, j, k) - ip_scenario_fee(sc, s, 0, k);
            assert_int_equal(fp + bp, diff);
            fsum += fp;
            bsum += bp;
            dsum += diff;
        }
        assert_int_equal(dsum, ip_scenario_fixed_fee(sc, s, j) - ip_scenario_fixed_fee(sc, s, 0));
        assert_int_equal(fsum, dsum);
        assert_int_equal(bsum, 0);
    }
}

static void test_scenario_split_adds_up(void **state)
{
    char *t1 = fee_change(), *t2 = basis_change();
    char *p1 = make_year("split-fee", t1), *p2 = make_year("split-basis", t2);
    const char *props[2];
    ip_scenario *sc;
    ip_run_opts o;
    ip_diag d;
    size_t k, e, v, x, c;
    int moved = 0;
    (void)state;
    props[0] = p1;
    props[1] = p2;
    opts_for(&o, "input");
    ip_diag_clear(&d);
    assert_int_equal(ip_scenario_compute(&o, props, 2, "/nonexistent-output", "Test", &sc, &d),
                     IP_OK);
    assert_string_equal(sc->name, "Test");
    assert_int_equal(sc->nruns, 3);
    assert_string_equal(sc->labels[1], "Förslag 1");
    assert_int_equal(sc->nsvc, 4);
    check_parts(sc, 1);
    check_parts(sc, 2);
    e = svc_index(sc, "etjanst");
    v = svc_index(sc, "vaxel");
    x = svc_index(sc, "direkt");
    c = svc_index(sc, "kcp");
    assert_int_equal(sc->svc[e].split[1], IP_SCN_SPLIT_BOTH);
    assert_int_equal(sc->svc[e].basis_changed[1], 0);
    assert_int_equal(sc->svc[v].basis_changed[2], 1);
    assert_int_equal(sc->svc[x].basis_changed[2], 1);
    assert_int_equal(sc->svc[c].basis_changed[2], 0);
    for (k = 0; k < sc->ncust; k++) {
        /* a fee change alone: no basis part */
        assert_int_equal(ip_scenario_basis_part(sc, e, 1, k), 0);
        /* a basis change alone: no fee part, and the basis part is the difference */
        assert_int_equal(ip_scenario_fee_part(sc, v, 2, k), 0);
        assert_int_equal(ip_scenario_fee_part(sc, x, 2, k), 0);
        moved |= ip_scenario_basis_part(sc, v, 2, k) != 0;
        /* untouched: nothing at all */
        assert_int_equal(ip_scenario_fee(sc, c, 2, k), ip_scenario_fee(sc, c, 0, k));
    }
    assert_true(moved);
    /* 110 in the SPEC's worked example: 155 249 kr of 240 000; 260 000 gives 168 187 */
    k = (size_t)ip_customers_slot(sc->runs[0]->customers, 110);
    assert_int_equal(ip_scenario_fee(sc, e, 0, k), 155249);
    assert_int_equal(ip_scenario_fee(sc, e, 1, k), 168187);
    assert_int_equal(ip_scenario_fee_part(sc, e, 1, k), 168187 - 155249);
    ip_scenario_free(sc);
    free(t1);
    free(t2);
    free(p1);
    free(p2);
}

static void test_scenario_new_and_removed_service(void **state)
{
    char *t = removed_and_new(), *p = make_year("new-removed", t);
    const char *props[1];
    ip_scenario *sc;
    ip_run_opts o;
    ip_diag d;
    size_t k, c, g;
    int64_t sum = 0;
    (void)state;
    props[0] = p;
    opts_for(&o, "input");
    ip_diag_clear(&d);
    assert_int_equal(ip_scenario_compute(&o, props, 1, "/nonexistent-output", NULL, &sc, &d),
                     IP_OK);
    assert_string_equal(sc->name, "Scenario 2025");
    assert_string_equal(sc->labels[1], "Förslag");
    assert_int_equal(sc->nsvc, 5);
    c = svc_index(sc, "kcp");
    g = svc_index(sc, "etjanst-gen");
    assert_int_equal(g, 4); /* after the decided services */
    assert_int_equal(sc->svc[c].at[1], -1);
    assert_int_equal(sc->svc[g].at[0], -1);
    assert_int_equal(sc->svc[c].split[1], IP_SCN_SPLIT_REMOVED);
    assert_int_equal(sc->svc[g].split[1], IP_SCN_SPLIT_NEW);
    assert_int_equal(ip_scenario_fixed_fee(sc, c, 1), 0);
    assert_int_equal(ip_scenario_fixed_fee(sc, g, 0), 0);
    check_parts(sc, 1);
    for (k = 0; k < sc->ncust; k++) {
        assert_int_equal(ip_scenario_fee(sc, c, 1, k), 0);
        assert_int_equal(ip_scenario_fee_part(sc, c, 1, k), -ip_scenario_fee(sc, c, 0, k));
        assert_int_equal(ip_scenario_fee_part(sc, g, 1, k), ip_scenario_fee(sc, g, 1, k));
        sum += ip_scenario_fee(sc, g, 1, k);
    }
    assert_int_equal(sum, 99999);
    assert_null(ip_scenario_result(sc, c, 1));
    assert_non_null(ip_scenario_result(sc, g, 1));
    ip_scenario_free(sc);
    free(t);
    free(p);
}

/* A proposal that cannot be allocated, and one with a tariff error: the
 * errors run gives, nothing computed. */
static void test_scenario_errors(void **state)
{
    char *t1 = edit(sample, "id=\"etjanst\"", "from=\"2023-07-01\" to=\"2024-06-30\"",
                    "from=\"2019-01-01\" to=\"2019-12-31\"");
    char *t2 = edit(sample, NULL, "fee=\"600000\"", "fee=\"-5\"");
    char *p1 = make_year("err-alloc", t1), *p2 = make_year("err-tariff", t2);
    const char *props[1];
    ip_scenario *sc = (ip_scenario *)&sc;
    ip_run_opts o;
    ip_diag d;
    (void)state;
    opts_for(&o, "input");
    props[0] = p1;
    ip_diag_clear(&d);
    assert_int_equal(ip_scenario_compute(&o, props, 1, "/nonexistent-output", NULL, &sc, &d),
                     IP_ERR_UNALLOCATABLE);
    assert_null(sc);
    assert_non_null(strstr(d.msg, "found no rows in the window"));
    props[0] = p2;
    ip_diag_clear(&d);
    assert_int_equal(ip_scenario_compute(&o, props, 1, "/nonexistent-output", NULL, &sc, &d),
                     IP_ERR_TARIFF);
    assert_string_equal(d.file, p2);
    assert_true(d.line > 0);
    free(t1);
    free(t2);
    free(p1);
    free(p2);
}

static void test_scenario_pct(void **state)
{
    static const struct {
        int64_t diff, base;
        const char *want;
    } cases[] = {
        {12938, 155249, "+8,3 %"},  {0, 155249, "0,0 %"},     {-1, 1000, "-0,1 %"},
        {-1, 100000, "-0,0 %"},     {1, 100000, "+0,0 %"},    {1, 2000, "+0,1 %"},
        {-1, 2000, "-0,1 %"},       {-250, 1000, "-25,0 %"},  {5, 0, "–"},
        {3, 1, "+300,0 %"},         {-99999, 100000, "-100,0 %"},
    };
    char buf[32];
    size_t i;
    (void)state;
    for (i = 0; i < IP_ARRAY_LEN(cases); i++)
        assert_string_equal(ip_scenario_pct(cases[i].diff, cases[i].base, buf, sizeof buf),
                            cases[i].want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scenario_pct),
        cmocka_unit_test(test_scenario_many_equals_each_alone),
        cmocka_unit_test(test_scenario_split_adds_up),
        cmocka_unit_test(test_scenario_new_and_removed_service),
        cmocka_unit_test(test_scenario_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
