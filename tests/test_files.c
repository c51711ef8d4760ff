/*
 * test_files.c — the files a run reads and the folders it replaces
 * (files.h): special files refused without blocking, bounded whole-file
 * reads, links confined to their folder, canonical paths, the inside
 * test behind the command line's overlap check, and the folder part of a
 * path.
 *
 * Each test works in a fresh folder under /tmp.
 */
#define _GNU_SOURCE /* realpath */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "files.h"
#include "stage.h"
#include "util.h"

typedef struct fixture {
    char root[64]; /* realpath of /tmp/ip-test-files.XXXXXX */
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    char tmpl[] = "/tmp/ip-test-files.XXXXXX";
    char *real;
    if (!mkdtemp(tmpl))
        return -1;
    real = realpath(tmpl, NULL);
    snprintf(fx->root, sizeof fx->root, "%s", real);
    free(real);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    ip_rmtree(fx->root);
    free(fx);
    return 0;
}

static char *in(const fixture *fx, const char *rel)
{
    return ip_xasprintf("%s/%s", fx->root, rel);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void assert_msg(const ip_diag *d, const char *expected)
{
    char line[IP_DIAG_MSG + 600];
    ip_diag_format(d, line, sizeof line);
    assert_string_equal(line, expected);
}

static void test_files_kinds_refused_at_once(void **state)
{
    fixture *fx = *state;
    char *fifo = in(fx, "calls.csv"), *dir = in(fx, "sub"), *sock = in(fx, "s.sock");
    char *reg = in(fx, "tariff.xml"), *link = in(fx, "link.xml");
    struct sockaddr_un sa;
    const char *kind;
    ip_diag d;
    int fd, sfd;

    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(mkdir(dir, 0700), 0);
    write_text(reg, "<tariff/>\n");
    assert_int_equal(symlink("tariff.xml", link), 0);
    sfd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(sfd >= 0);
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock);
    assert_int_equal(bind(sfd, (struct sockaddr *)&sa, sizeof sa), 0);

    /* a pipe without a writer: refused, not waited for */
    assert_int_equal(ip_files_open_fd(fifo, IP_FILES_FOLLOW, &kind), -1);
    assert_string_equal(kind, "a named pipe");
    assert_int_equal(ip_files_open(fifo, "calls.csv", IP_FILES_FOLLOW, &fd, &d), IP_ERR_NOINPUT);
    assert_msg(&d, "calls.csv: expected a regular file, found a named pipe");
    assert_int_equal(ip_files_open(dir, "sub", IP_FILES_FOLLOW, &fd, &d), IP_ERR_NOINPUT);
    assert_msg(&d, "sub: expected a regular file, found a folder");
    assert_int_equal(ip_files_open(sock, "s", IP_FILES_FOLLOW, &fd, &d), IP_ERR_NOINPUT);
    assert_msg(&d, "s: expected a regular file, found a socket");
    assert_int_equal(ip_files_open("/dev/zero", NULL, IP_FILES_FOLLOW, &fd, &d), IP_ERR_NOINPUT);
    assert_msg(&d, "/dev/zero: expected a regular file, found a character device");
    assert_int_equal(ip_files_open("/dev/null", NULL, IP_FILES_FOLLOW, &fd, &d), IP_ERR_NOINPUT);
    /* a missing file is the open's own error */
    assert_int_equal(ip_files_open_fd("/nonexistent/x", IP_FILES_FOLLOW, &kind), -1);
    assert_null(kind);
    assert_int_equal(errno, ENOENT);
    /* a regular file, also through a link unless links are refused */
    assert_int_equal(ip_files_open(reg, NULL, IP_FILES_FOLLOW, &fd, &d), IP_OK);
    close(fd);
    assert_int_equal(ip_files_open(link, NULL, IP_FILES_FOLLOW, &fd, &d), IP_OK);
    close(fd);
    assert_int_equal(ip_files_open(link, "link.xml", IP_FILES_NOFOLLOW, &fd, &d), IP_ERR_NOINPUT);
    assert_msg(&d, "link.xml: expected a regular file, found a symbolic link");

    close(sfd);
    free(fifo);
    free(dir);
    free(sock);
    free(reg);
    free(link);
}

static void test_files_check_without_opening(void **state)
{
    fixture *fx = *state;
    char *fifo = in(fx, "register.csv"), *reg = in(fx, "fees.csv");
    int exists = -1;
    ip_diag d;

    assert_int_equal(ip_files_check(reg, NULL, IP_FILES_NOFOLLOW, &exists, &d), IP_OK);
    assert_int_equal(exists, 0); /* missing: not an error when the caller asks */
    assert_int_equal(ip_files_check(reg, "fees.csv", IP_FILES_NOFOLLOW, NULL, &d),
                     IP_ERR_NOINPUT);
    write_text(reg, "x\n");
    assert_int_equal(ip_files_check(reg, NULL, IP_FILES_NOFOLLOW, &exists, &d), IP_OK);
    assert_int_equal(exists, 1);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(ip_files_check(fifo, "register.csv", IP_FILES_NOFOLLOW, &exists, &d),
                     IP_ERR_NOINPUT);
    assert_msg(&d, "register.csv: expected a regular file, found a named pipe");
    free(fifo);
    free(reg);
}

static void test_files_read_is_bounded(void **state)
{
    fixture *fx = *state;
    char *p = in(fx, "t.xml");
    char *data;
    size_t len;
    ip_diag d;

    write_text(p, "0123456789");
    assert_int_equal(ip_files_read(p, NULL, IP_FILES_FOLLOW, 100, &data, &len, &d), IP_OK);
    assert_int_equal(len, 10);
    assert_string_equal(data, "0123456789");
    free(data);
    /* exactly the bound, and one more than the bound: the caller sees
     * len > max and never more */
    assert_int_equal(ip_files_read(p, NULL, IP_FILES_FOLLOW, 10, &data, &len, &d), IP_OK);
    assert_int_equal(len, 10);
    free(data);
    assert_int_equal(ip_files_read(p, NULL, IP_FILES_FOLLOW, 4, &data, &len, &d), IP_OK);
    assert_int_equal(len, 5);
    assert_string_equal(data, "01234");
    free(data);
    write_text(p, "");
    assert_int_equal(ip_files_read(p, NULL, IP_FILES_FOLLOW, 4, &data, &len, &d), IP_OK);
    assert_int_equal(len, 0);
    assert_string_equal(data, "");
    free(data);
    /* a device is never read, however large the bound */
    assert_int_equal(ip_files_read("/dev/zero", "tariff.xml", IP_FILES_FOLLOW, 1u << 30, &data,
                                   &len, &d),
                     IP_ERR_NOINPUT);
    assert_null(data);
    free(p);
}

static void test_files_links_stay_in_their_folder(void **state)
{
    fixture *fx = *state;
    char *year = in(fx, "in/2025"), *inner = in(fx, "in/2025/cases.csv");
    char *sub = in(fx, "in/2025/exports"), *deep = in(fx, "in/2025/exports/calls-2025.csv");
    char *secret = in(fx, "secret.txt"), *l1 = in(fx, "in/2025/calls.csv");
    char *l2 = in(fx, "in/2025/licences.csv"), *l3 = in(fx, "in/2025/customers.csv");
    char *l4 = in(fx, "in/2025/tariff.xml"), *want;
    char *inroot = in(fx, "in");
    ip_diag d;

    assert_int_equal(mkdir(inroot, 0755), 0);
    assert_int_equal(mkdir(year, 0755), 0);
    assert_int_equal(mkdir(sub, 0755), 0);
    write_text(inner, "a\n");
    write_text(deep, "b\n");
    write_text(secret, "token;x\n");
    /* not a link: nothing to check */
    assert_int_equal(ip_files_check_link(inner, NULL, &d), IP_OK);
    /* links within the folder are followed */
    assert_int_equal(symlink("exports/calls-2025.csv", l1), 0);
    assert_int_equal(ip_files_check_link(l1, NULL, &d), IP_OK);
    assert_int_equal(symlink("cases.csv", l2), 0);
    assert_int_equal(ip_files_check_link(l2, NULL, &d), IP_OK);
    /* a link out of the folder, relative or absolute, is refused */
    assert_int_equal(symlink("../../secret.txt", l3), 0);
    assert_int_equal(ip_files_check_link(l3, "in/2025/customers.csv", &d), IP_ERR_NOINPUT);
    want = ip_xasprintf("in/2025/customers.csv: expected a file inside %s, found a link to %s; "
                        "copy the file into the folder instead", year, secret);
    assert_msg(&d, want);
    free(want);
    assert_int_equal(symlink("/etc/passwd", l4), 0);
    assert_int_equal(ip_files_check_link(l4, NULL, &d), IP_ERR_NOINPUT);
    /* a link to the folder itself is not a file inside it */
    assert_int_equal(unlink(l4), 0);
    assert_int_equal(symlink(".", l4), 0);
    assert_int_equal(ip_files_check_link(l4, NULL, &d), IP_ERR_NOINPUT);
    free(year);
    free(inner);
    free(sub);
    free(deep);
    free(secret);
    free(l1);
    free(l2);
    free(l3);
    free(l4);
    free(inroot);
}

static void assert_canonical(const fixture *fx, const char *path, const char *rel)
{
    char *got = ip_files_canonical(path);
    char *want = rel[0] ? in(fx, rel) : ip_xstrdup(fx->root);
    assert_string_equal(got, want);
    free(got);
    free(want);
}

static void test_files_canonical_paths(void **state)
{
    fixture *fx = *state;
    char *d1 = in(fx, "in"), *d2 = in(fx, "in/2025"), *link = in(fx, "out");
    char *dangling = in(fx, "next"), *p, *cwd = getcwd(NULL, 0);

    assert_int_equal(mkdir(d1, 0755), 0);
    assert_int_equal(mkdir(d2, 0755), 0);
    assert_int_equal(symlink("in", link), 0);
    assert_int_equal(symlink("future/2026", dangling), 0);

    /* existing: every spelling is one path */
    assert_canonical(fx, d2, "in/2025");
    p = in(fx, "./in//2025/");
    assert_canonical(fx, p, "in/2025");
    free(p);
    p = in(fx, "in/2025/../2025");
    assert_canonical(fx, p, "in/2025");
    free(p);
    p = in(fx, "out/2025");
    assert_canonical(fx, p, "in/2025");
    free(p);
    /* not existing yet: resolved through the part that exists */
    p = in(fx, "out/2026/x");
    assert_canonical(fx, p, "in/2026/x");
    free(p);
    p = in(fx, "out/2026/../2027/.");
    assert_canonical(fx, p, "in/2027");
    free(p);
    p = in(fx, "new/a/../b");
    assert_canonical(fx, p, "new/b");
    free(p);
    /* a link whose target does not exist leads where its text says */
    p = in(fx, "next/invoices");
    assert_canonical(fx, p, "future/2026/invoices");
    free(p);
    /* relative to the working folder */
    assert_int_equal(chdir(fx->root), 0);
    assert_canonical(fx, "in/2025", "in/2025");
    assert_canonical(fx, "out/", "in");
    assert_canonical(fx, ".", "");
    assert_canonical(fx, "missing/..", "");
    assert_int_equal(chdir(cwd), 0);
    p = ip_files_canonical("/");
    assert_string_equal(p, "/");
    free(p);
    free(cwd);
    free(d1);
    free(d2);
    free(link);
    free(dangling);
}

static void test_files_inside(void **state)
{
    (void)state;
    assert_true(ip_files_inside("/a/b", "/a/b"));
    assert_true(ip_files_inside("/a/b/c", "/a/b"));
    assert_true(ip_files_inside("/a/b", "/"));
    assert_false(ip_files_inside("/a/bc", "/a/b"));
    assert_false(ip_files_inside("/a", "/a/b"));
    assert_false(ip_files_inside("/x/b", "/a/b"));
}

/* dir_of PATH WANT: ip_files_dir_of(PATH) is WANT */
static void dir_of_is(const char *path, const char *want)
{
    char *got = ip_files_dir_of(path);
    if (strcmp(got, want) != 0)
        fail_msg("ip_files_dir_of(\"%s\") is \"%s\", not \"%s\"", path, got, want);
    free(got);
}

static void test_files_dir_of(void **state)
{
    (void)state;
    dir_of_is("out/2025/fees.csv", "out/2025");
    dir_of_is("/srv/out/2025", "/srv/out");
    dir_of_is("./cmp.xlsx", ".");
    dir_of_is("../cmp.xlsx", "..");
    /* a bare name lies in "." */
    dir_of_is("cmp.xlsx", ".");
    dir_of_is("", ".");
    /* trailing slashes name the same folder */
    dir_of_is("out/2025/", "out");
    dir_of_is("out/2025///", "out");
    dir_of_is("out/", ".");
    /* repeated slashes are one */
    dir_of_is("out//2025", "out");
    dir_of_is("a///b//c", "a///b");
    dir_of_is("a//b//", "a");
    /* the root stays the root */
    dir_of_is("/", "/");
    dir_of_is("//", "/");
    dir_of_is("/out", "/");
    dir_of_is("//out", "/");
    dir_of_is("/out/", "/");
    dir_of_is("///out//", "/");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_files_kinds_refused_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_files_check_without_opening, setup, teardown),
        cmocka_unit_test_setup_teardown(test_files_read_is_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_files_links_stay_in_their_folder, setup, teardown),
        cmocka_unit_test_setup_teardown(test_files_canonical_paths, setup, teardown),
        cmocka_unit_test(test_files_inside),
        cmocka_unit_test(test_files_dir_of),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
