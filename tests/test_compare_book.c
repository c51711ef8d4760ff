/*
 * test_compare_book.c — the scenario's comparison workbook as a file
 * (compare_book.h): written where it is asked for with nothing beside it,
 * the same scenario giving the same bytes, an existing file replaced only
 * when the whole workbook is written (a folder in its place, a folder that
 * does not exist: 73, the old file or folder as it was, no temporary file
 * left). The sheets, the figures and the name on every page are checked in
 * LibreOffice by tests/e2e/test_scenario_lo.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "compare_book.h"
#include "run.h"
#include "scenario.h"
#include "util.h"

static char dir[64];
static ip_scenario *sc;

/* Entries of dir (., .. excluded). */
static size_t entries(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    size_t n = 0;
    assert_non_null(d);
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static int setup(void **state)
{
    char *text, *p1, *edited;
    const char *props[1];
    size_t len;
    ip_run_opts o;
    ip_diag d;
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/ip-test-compare-book.XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    /* a proposal beside the workbooks: the sample tariff with another fee */
    text = ip_read_file("input/2025/tariff.xml", &len);
    if (!text || !strstr(text, "fee=\"240000\""))
        return -1;
    *strstr(text, "fee=\"240000\"") = '\0';
    edited = ip_xasprintf("%sfee=\"250001\"%s", text, text + strlen(text) + strlen("fee=\"240000\""));
    p1 = ip_xasprintf("%s/forslag.xml", dir);
    {
        FILE *f = fopen(p1, "w");
        if (!f || fputs(edited, f) < 0 || fclose(f) != 0)
            return -1;
    }
    memset(&o, 0, sizeof o);
    o.year = 2025;
    o.input_root = "input";
    o.templates_dir = "templates";
    props[0] = p1;
    ip_diag_clear(&d);
    if (ip_scenario_compute(&o, props, 1, "/nonexistent-output", "Budget & <test>", &sc, &d))
        return -1;
    free(text);
    free(edited);
    free(p1);
    return 0;
}

static int teardown(void **state)
{
    char *cmd = ip_xasprintf("rm -rf '%s'", dir);
    int rc = system(cmd);
    (void)state;
    free(cmd);
    ip_scenario_free(sc);
    return rc == 0 ? 0 : -1;
}

static char *slurp(const char *path, size_t *len)
{
    char *data = ip_read_file(path, len);
    assert_non_null(data);
    return data;
}

static void test_compare_book_written_alone_and_reproducibly(void **state)
{
    char *a = ip_xasprintf("%s/a.xlsx", dir), *b = ip_xasprintf("%s/b.xlsx", dir);
    char *x, *y;
    size_t nx, ny, before = entries(dir);
    ip_diag d;
    (void)state;
    ip_diag_clear(&d);
    assert_int_equal(ip_compare_book_write(sc, a, &d), IP_OK);
    assert_int_equal(ip_compare_book_write(sc, b, &d), IP_OK);
    assert_int_equal(entries(dir), before + 2); /* nothing else, no temporary file */
    x = slurp(a, &nx);
    y = slurp(b, &ny);
    assert_true(nx > 1000);
    assert_int_equal(nx, ny);
    assert_memory_equal(x, y, nx);
    assert_memory_equal(x, "PK", 2); /* a zip */
    free(x);
    free(y);
    unlink(a);
    unlink(b);
    free(a);
    free(b);
}

static void test_compare_book_replaces_only_on_success(void **state)
{
    char *path = ip_xasprintf("%s/c.xlsx", dir), *sub = ip_xasprintf("%s/sub.xlsx", dir);
    char *missing = ip_xasprintf("%s/no/such/c.xlsx", dir), *data;
    size_t n, before;
    ip_diag d;
    FILE *f;
    (void)state;
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("old", f);
    fclose(f);
    assert_int_equal(mkdir(sub, 0700), 0);
    before = entries(dir);
    ip_diag_clear(&d);
    /* a folder where the workbook should go: refused, the folder kept */
    assert_int_equal(ip_compare_book_write(sc, sub, &d), IP_ERR_CANTCREAT);
    assert_string_equal(d.file, sub);
    assert_non_null(strstr(d.msg, "cannot create the workbook"));
    assert_int_equal(entries(dir), before);
    assert_int_equal(entries(sub), 0);
    /* a folder that does not exist */
    ip_diag_clear(&d);
    assert_int_equal(ip_compare_book_write(sc, missing, &d), IP_ERR_CANTCREAT);
    assert_int_equal(entries(dir), before);
    /* the old file is replaced by a whole workbook */
    data = slurp(path, &n);
    assert_int_equal(n, 3);
    free(data);
    ip_diag_clear(&d);
    assert_int_equal(ip_compare_book_write(sc, path, &d), IP_OK);
    data = slurp(path, &n);
    assert_true(n > 1000);
    assert_memory_equal(data, "PK", 2);
    free(data);
    assert_int_equal(entries(dir), before);
    unlink(path);
    rmdir(sub);
    free(path);
    free(sub);
    free(missing);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compare_book_written_alone_and_reproducibly),
        cmocka_unit_test(test_compare_book_replaces_only_on_success),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
