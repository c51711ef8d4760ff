/*
 * test_stage.c — the crash-safe stage that the year folder and the record of
 * issued documents are written through.
 *
 * Each test works in a fresh folder under /tmp: a stage committed into a
 * target that does not exist yet and over one that does, an abort that
 * leaves the old target as it was, the sweep of what killed runs left under
 * a stage's name (and of nothing else), two stages open on one target at
 * once (the sweep of one, in this process or another, never removes the
 * other), a linked target followed (its folder replaced, the link kept), a
 * target that is no folder refused, the errors a writer can meet, and the
 * two ways a commit makes a stage durable (a small stage file by file, a
 * large one by one syncfs()), each of which keeps the old target when its
 * sync fails; and the removal of a tree (rmtree.h) deeper than PATH_MAX and
 * than its descriptors reach, without following a link out of it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "stage.h"
#include "util.h"

typedef struct fixture {
    char root[64];    /* /tmp/ip-test-stage.XXXXXX */
    char target[128]; /* root/out */
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    snprintf(fx->root, sizeof fx->root, "/tmp/ip-test-stage.XXXXXX");
    if (!mkdtemp(fx->root))
        return -1;
    snprintf(fx->target, sizeof fx->target, "%s/out", fx->root);
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

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* The file's content must be text exactly. */
static void assert_text(const char *path, const char *text)
{
    size_t len = 0;
    char *data = ip_read_file(path, &len);
    assert_non_null(data);
    assert_int_equal(len, strlen(text));
    assert_memory_equal(data, text, len);
    free(data);
}

static int exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* Entries of dir whose names start with prefix. */
static int count_prefixed(const char *dir, const char *prefix)
{
    DIR *dp = opendir(dir);
    struct dirent *de;
    int n = 0;
    assert_non_null(dp);
    while ((de = readdir(dp)) != NULL)
        if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
            n++;
    closedir(dp);
    return n;
}

/* Entries of dir apart from "." and "..". */
static int count_entries(const char *dir)
{
    DIR *dp = opendir(dir);
    struct dirent *de;
    int n = 0;
    assert_non_null(dp);
    while ((de = readdir(dp)) != NULL)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            n++;
    closedir(dp);
    return n;
}

/* One file through the stage's own writer. */
static void stage_text(ip_stage *s, const char *rel, const char *text)
{
    FILE *f;
    ip_diag d;
    assert_int_equal(ip_stage_fopen(s, rel, &f, &d), IP_OK);
    fputs(text, f);
    assert_int_equal(ip_stage_fclose(s, f, rel, &d), IP_OK);
}

static char *path_in(const char *dir, const char *rel)
{
    return ip_xasprintf("%s/%s", dir, rel);
}

/* An existing target: old.txt and old/deep.txt. */
static void make_old_target(const fixture *fx)
{
    char *p;
    assert_int_equal(mkdir(fx->target, 0755), 0);
    p = path_in(fx->target, "old.txt");
    write_text(p, "old\n");
    free(p);
    p = path_in(fx->target, "old");
    assert_int_equal(mkdir(p, 0755), 0);
    free(p);
    p = path_in(fx->target, "old/deep.txt");
    write_text(p, "deep\n");
    free(p);
}

static void assert_old_target(const fixture *fx)
{
    char *p = path_in(fx->target, "old.txt");
    assert_text(p, "old\n");
    free(p);
    p = path_in(fx->target, "old/deep.txt");
    assert_text(p, "deep\n");
    free(p);
    assert_int_equal(count_entries(fx->target), 2);
}

static void test_stage_commit_creates_a_fresh_target(void **state)
{
    fixture *fx = *state;
    ip_stage *s = NULL;
    ip_diag d;
    struct stat st;
    char *parent = path_in(fx->root, "p"), *target = path_in(fx->root, "p/out");
    char *src = path_in(fx->root, "source.xml"), *p;
    const char *dir;
    write_text(src, "<Invoice/>\n");

    /* the parent is created when missing */
    assert_int_equal(ip_stage_begin(target, &s, &d), IP_OK);
    dir = ip_stage_dir(s);
    assert_string_equal(ip_stage_target(s), target);
    assert_int_equal(strncmp(dir, parent, strlen(parent)), 0);
    assert_int_equal(strncmp(dir + strlen(parent), "/.out.tmp-", 10), 0);
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0755);

    stage_text(s, "a.txt", "alpha\n");
    assert_int_equal(ip_stage_mkdir(s, "sub", &d), IP_OK);
    assert_int_equal(ip_stage_mkdir(s, "sub", &d), IP_OK); /* an existing folder is fine */
    p = ip_stage_path(s, "sub/b.txt"); /* as libxml2 or libxlsxwriter would */
    write_text(p, "beta\n");
    free(p);
    assert_int_equal(ip_stage_copy(s, src, "sub/c.xml", &d), IP_OK);
    /* nothing is visible before the commit */
    assert_false(exists(target));

    assert_int_equal(ip_stage_commit(s, &d), IP_OK);
    p = path_in(target, "a.txt");
    assert_text(p, "alpha\n");
    free(p);
    p = path_in(target, "sub/b.txt");
    assert_text(p, "beta\n");
    free(p);
    p = path_in(target, "sub/c.xml");
    assert_text(p, "<Invoice/>\n");
    free(p);
    assert_int_equal(stat(target, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0755);
    assert_int_equal(count_entries(parent), 1); /* the target, no stage left */
    free(parent);
    free(target);
    free(src);
}

static void test_stage_commit_replaces_an_existing_target(void **state)
{
    fixture *fx = *state;
    ip_stage *s = NULL;
    ip_diag d;
    char *p;
    make_old_target(fx);
    assert_int_equal(ip_stage_begin(fx->target, &s, &d), IP_OK);
    stage_text(s, "new.txt", "new\n");
    /* the old target stands until the swap */
    assert_old_target(fx);
    assert_int_equal(ip_stage_commit(s, &d), IP_OK);
    p = path_in(fx->target, "new.txt");
    assert_text(p, "new\n");
    free(p);
    assert_int_equal(count_entries(fx->target), 1);
    /* the previous version is gone, not left under the stage's name */
    assert_int_equal(count_entries(fx->root), 1);
}

static void test_stage_abort_leaves_the_old_target(void **state)
{
    fixture *fx = *state;
    ip_stage *s = NULL;
    ip_diag d;
    char *dir;
    make_old_target(fx);
    assert_int_equal(ip_stage_begin(fx->target, &s, &d), IP_OK);
    dir = ip_xstrdup(ip_stage_dir(s));
    stage_text(s, "new.txt", "new\n");
    stage_text(s, "old.txt", "overwritten?\n");
    ip_stage_abort(s);
    assert_old_target(fx);
    assert_false(exists(dir));
    assert_int_equal(count_entries(fx->root), 1);
    ip_stage_abort(NULL);
    free(dir);
}

static void test_stage_sweeps_stale_temporaries(void **state)
{
    fixture *fx = *state;
    ip_stage *s = NULL;
    ip_diag d;
    char *dead = path_in(fx->root, ".out.tmp-dead01");
    char *deep = path_in(fx->root, ".out.tmp-dead01/invoices");
    char *file = path_in(fx->root, ".out.tmp-file01");
    char *link = path_in(fx->root, ".out.tmp-link01");
    char *other = path_in(fx->root, ".out2.tmp-keep01");
    char *nodot = path_in(fx->root, "out.tmp-keep02");
    char *backup = path_in(fx->root, ".out.tmp-my-backup");
    char *longer = path_in(fx->root, ".out.tmp-abc1234");
    char *outside = path_in(fx->root, "outside");
    char *kept = path_in(fx->root, "outside/kept.txt");
    char *p;

    make_old_target(fx);
    /* what killed runs left: a half-written stage, and the old version a run
     * killed right after its swap left under the stage's name */
    assert_int_equal(mkdir(dead, 0700), 0);
    assert_int_equal(mkdir(deep, 0700), 0);
    p = path_in(deep, "2025-110.xml");
    write_text(p, "half");
    free(p);
    /* a file and a symlink under a stage's name were not made by a stage
     * (stages are folders): they stay, and the link is never followed */
    write_text(file, "not a folder");
    assert_int_equal(mkdir(outside, 0755), 0);
    write_text(kept, "kept\n");
    assert_int_equal(symlink(outside, link), 0);
    /* another target's stage, a name without the prefix and a user's folder
     * that only looks like a stage (not six letters and digits) are not ours */
    assert_int_equal(mkdir(other, 0700), 0);
    assert_int_equal(mkdir(nodot, 0700), 0);
    assert_int_equal(mkdir(backup, 0700), 0);
    assert_int_equal(mkdir(longer, 0700), 0);

    assert_int_equal(ip_stage_begin(fx->target, &s, &d), IP_OK);
    assert_false(exists(dead));
    assert_true(exists(file));
    assert_true(exists(link));
    assert_text(kept, "kept\n");
    assert_true(exists(other));
    assert_true(exists(nodot));
    assert_true(exists(backup));
    assert_true(exists(longer));
    assert_int_equal(unlink(file), 0);
    assert_int_equal(unlink(link), 0);
    assert_int_equal(rmdir(backup), 0);
    assert_int_equal(rmdir(longer), 0);
    assert_int_equal(count_prefixed(fx->root, ".out.tmp-"), 1); /* s itself */
    assert_old_target(fx);

    /* the sweep on its own (a run that keeps the target): stale stages go,
     * the open one stays */
    assert_int_equal(mkdir(dead, 0700), 0);
    ip_stage_sweep(fx->target);
    assert_false(exists(dead));
    assert_true(exists(ip_stage_dir(s)));
    assert_int_equal(count_prefixed(fx->root, ".out.tmp-"), 1);
    ip_stage_abort(s);
    assert_int_equal(count_prefixed(fx->root, ".out.tmp-"), 0);
    assert_old_target(fx);
    free(dead);
    free(deep);
    free(file);
    free(link);
    free(other);
    free(nodot);
    free(backup);
    free(longer);
    free(outside);
    free(kept);
}

static void test_stage_second_stage_on_the_same_target(void **state)
{
    fixture *fx = *state;
    ip_stage *s1 = NULL, *s2 = NULL;
    ip_diag d;
    char *p, *one;
    pid_t pid;
    int status;

    make_old_target(fx);
    assert_int_equal(ip_stage_begin(fx->target, &s1, &d), IP_OK);
    stage_text(s1, "x.txt", "one\n");
    one = path_in(ip_stage_dir(s1), "x.txt");

    /* the second begin sweeps, but not the first stage's folder */
    assert_int_equal(ip_stage_begin(fx->target, &s2, &d), IP_OK);
    assert_string_not_equal(ip_stage_dir(s1), ip_stage_dir(s2));
    assert_text(one, "one\n");
    assert_int_equal(count_prefixed(fx->root, ".out.tmp-"), 2);

    /* nor does the sweep of another process */
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        ip_stage_sweep(fx->target);
        _exit(0);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_int_equal(count_prefixed(fx->root, ".out.tmp-"), 2);

    /* the second aborted: the first is intact and commits */
    stage_text(s2, "x.txt", "two\n");
    ip_stage_abort(s2);
    assert_text(one, "one\n");
    assert_old_target(fx);
    assert_int_equal(ip_stage_commit(s1, &d), IP_OK);
    p = path_in(fx->target, "x.txt");
    assert_text(p, "one\n");
    assert_int_equal(count_entries(fx->target), 1);
    assert_int_equal(count_entries(fx->root), 1);

    /* two open stages both committed: each swaps in a complete folder, the
     * last wins, nothing is left */
    assert_int_equal(ip_stage_begin(fx->target, &s1, &d), IP_OK);
    assert_int_equal(ip_stage_begin(fx->target, &s2, &d), IP_OK);
    stage_text(s1, "x.txt", "three\n");
    stage_text(s2, "x.txt", "four\n");
    assert_int_equal(ip_stage_commit(s1, &d), IP_OK);
    assert_text(p, "three\n");
    assert_int_equal(ip_stage_commit(s2, &d), IP_OK);
    assert_text(p, "four\n");
    assert_int_equal(count_entries(fx->target), 1);
    assert_int_equal(count_entries(fx->root), 1);
    free(p);
    free(one);
}

static void test_stage_errors_name_the_file(void **state)
{
    fixture *fx = *state;
    ip_stage *s = NULL;
    ip_diag d;
    FILE *f;
    char *afile = path_in(fx->root, "afile"), *target = path_in(fx->root, "afile/out");
    char *missing = path_in(fx->root, "missing.xml");

    /* a parent that cannot be a folder */
    write_text(afile, "x");
    assert_int_equal(ip_stage_begin(target, &s, &d), IP_ERR_CANTCREAT);
    assert_null(s);
    assert_string_equal(d.file, afile);

    assert_int_equal(ip_stage_begin(fx->target, &s, &d), IP_OK);
    /* a file in a folder the stage does not have */
    assert_int_equal(ip_stage_fopen(s, "nodir/a.txt", &f, &d), IP_ERR_CANTCREAT);
    assert_non_null(strstr(d.file, "/nodir/a.txt"));
    assert_non_null(strstr(d.msg, "cannot create"));
    /* a copy of a file that cannot be read */
    assert_int_equal(ip_stage_copy(s, missing, "a.xml", &d), IP_ERR_NOINPUT);
    assert_string_equal(d.file, missing);
    /* a full disk: the write error surfaces when the file is closed */
    f = fopen("/dev/full", "w");
    assert_non_null(f);
    fputs("more than the disk holds\n", f);
    assert_int_equal(ip_stage_fclose(s, f, "full.txt", &d), IP_ERR_IO);
    assert_non_null(strstr(d.msg, "cannot write: No space left on device"));
    assert_non_null(strstr(d.file, "/full.txt"));
    ip_stage_abort(s);
    assert_false(exists(fx->target));
    assert_int_equal(count_entries(fx->root), 1); /* afile */
    free(afile);
    free(target);
    free(missing);
}

/* A symbolic link at the target is followed: the folder it leads to is
 * replaced (the stage is built beside it), the link stays a link and leads
 * to the new version, and no copy of the old one is left behind. */
static void test_stage_follows_a_linked_target(void **state)
{
    fixture *fx = *state;
    ip_stage *s = NULL;
    ip_diag d;
    char *real = path_in(fx->root, "real");
    char *elsewhere = path_in(fx->root, "real/2025");
    char *p;
    struct stat st;

    assert_int_equal(mkdir(real, 0755), 0);
    assert_int_equal(mkdir(elsewhere, 0755), 0);
    p = path_in(elsewhere, "old.txt");
    write_text(p, "old\n");
    free(p);
    assert_int_equal(symlink("real/2025", fx->target), 0);
    assert_int_equal(ip_stage_begin(fx->target, &s, &d), IP_OK);
    /* the stage lies beside the link's target, not beside the link */
    assert_non_null(strstr(ip_stage_dir(s), "/real/.2025.tmp-"));
    stage_text(s, "new.txt", "new\n");
    assert_int_equal(ip_stage_commit(s, &d), IP_OK);
    assert_int_equal(lstat(fx->target, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    p = path_in(fx->target, "new.txt");
    assert_text(p, "new\n");
    free(p);
    p = path_in(elsewhere, "new.txt");
    assert_text(p, "new\n");
    free(p);
    p = path_in(elsewhere, "old.txt");
    assert_false(exists(p));
    free(p);
    assert_int_equal(count_prefixed(real, ".2025.tmp-"), 0);
    assert_int_equal(count_prefixed(fx->root, ".out.tmp-"), 0);
    free(real);
    free(elsewhere);
}

/* What is not a folder (a regular file, a link to a file or to nothing) is
 * never replaced: begin refuses it and leaves it as it is. */
static void test_stage_refuses_a_target_that_is_no_folder(void **state)
{
    fixture *fx = *state;
    ip_stage *s = NULL;
    ip_diag d;
    char *file = path_in(fx->root, "notes.txt");

    write_text(fx->target, "important notes\n");
    assert_int_equal(ip_stage_begin(fx->target, &s, &d), IP_ERR_CANTCREAT);
    assert_null(s);
    assert_string_equal(d.file, fx->target);
    assert_non_null(strstr(d.msg, "found a regular file"));
    assert_text(fx->target, "important notes\n");
    assert_int_equal(count_prefixed(fx->root, ".out.tmp-"), 0);
    assert_int_equal(unlink(fx->target), 0);

    write_text(file, "x\n");
    assert_int_equal(symlink("notes.txt", fx->target), 0);
    assert_int_equal(ip_stage_begin(fx->target, &s, &d), IP_ERR_CANTCREAT);
    assert_non_null(strstr(d.msg, "found a link to notes.txt, which is not a folder"));
    assert_int_equal(unlink(fx->target), 0);
    assert_int_equal(symlink("nowhere", fx->target), 0);
    assert_int_equal(ip_stage_begin(fx->target, &s, &d), IP_ERR_CANTCREAT);
    assert_non_null(strstr(d.msg, "found a link to nowhere"));
    assert_text(file, "x\n");
    assert_int_equal(count_prefixed(fx->root, ".out.tmp-"), 0);
    free(file);
}

/* 1 when a large stage under dir is made durable by syncfs() (stage.c:
 * ext4, xfs or btrfs, Linux 5.8 or later); elsewhere every stage is synced
 * file by file, and the test expects that instead. */
static int syncfs_expected(const char *dir)
{
    struct statfs fs;
    struct utsname u;
    int major = 0, minor = 0;
    if (statfs(dir, &fs) != 0 || uname(&u) != 0 ||
        sscanf(u.release, "%d.%d", &major, &minor) != 2 || !(major > 5 || (major == 5 && minor >= 8)))
        return 0;
    return (long)fs.f_type == 0xEF53L || (long)fs.f_type == 0x58465342L ||
           (long)fs.f_type == 0x9123683EL;
}

/* A stage of n files: n - 1 in the stage's folder, one in sub/. */
static ip_stage *stage_of(const fixture *fx, int n)
{
    ip_stage *s = NULL;
    ip_diag d;
    int i;
    assert_int_equal(ip_stage_begin(fx->target, &s, &d), IP_OK);
    assert_int_equal(ip_stage_mkdir(s, "sub", &d), IP_OK);
    for (i = 0; i < n; i++) {
        char rel[32], text[32];
        snprintf(rel, sizeof rel, i ? "f%03d.txt" : "sub/first.txt", i);
        snprintf(text, sizeof text, "file %d\n", i);
        stage_text(s, rel, text);
    }
    return s;
}

/* The target holds the n files of stage_of and nothing else. */
static void assert_stage_of(const fixture *fx, int n)
{
    char *p = path_in(fx->target, "sub/first.txt");
    char text[32];
    assert_text(p, "file 0\n");
    free(p);
    if (n > 1) {
        char rel[32];
        snprintf(rel, sizeof rel, "f%03d.txt", n - 1);
        snprintf(text, sizeof text, "file %d\n", n - 1);
        p = path_in(fx->target, rel);
        assert_text(p, text);
        free(p);
    }
    assert_int_equal(count_entries(fx->target), n); /* n - 1 files and sub/ */
    assert_int_equal(count_entries(fx->root), 1);  /* no stage left */
}

/* With the threshold at 4 files (IP_TEST_STAGE_SYNCFS_MIN), a failure put
 * into one way (IP_TEST_STAGE_SYNC_FAIL) shows which way a commit took: a
 * stage of 3 files is synced file by file, one of 5 by syncfs() where the
 * file system allows it. A stage whose sync fails is not swapped: the old
 * target stays as it was and the stage is removed. And without the hooks a
 * stage above the real threshold commits every file. */
static void test_stage_small_and_large_stages_sync_their_own_way(void **state)
{
    fixture *fx = *state;
    int by_syncfs = syncfs_expected(fx->root);
    ip_stage *s;
    ip_diag d;

    make_old_target(fx);
    assert_int_equal(setenv("IP_TEST_STAGE_SYNCFS_MIN", "4", 1), 0);

    /* syncfs() would fail: the small stage does not call it */
    assert_int_equal(setenv("IP_TEST_STAGE_SYNC_FAIL", "syncfs", 1), 0);
    s = stage_of(fx, 3);
    assert_int_equal(ip_stage_commit(s, &d), IP_OK);
    assert_stage_of(fx, 3);
    /* the large one does, and is not swapped */
    s = stage_of(fx, 5);
    if (by_syncfs) {
        assert_int_equal(ip_stage_commit(s, &d), IP_ERR_IO);
        /* a write failure in the one form, naming the target, never the stage */
        assert_string_equal(d.msg, "cannot write: Input/output error");
        assert_string_equal(d.file, fx->target);
        assert_stage_of(fx, 3);
    } else {
        assert_int_equal(ip_stage_commit(s, &d), IP_OK);
        assert_stage_of(fx, 5);
    }

    /* each file's fdatasync() would fail: the large stage calls none */
    assert_int_equal(setenv("IP_TEST_STAGE_SYNC_FAIL", "file", 1), 0);
    s = stage_of(fx, 6);
    if (by_syncfs) {
        assert_int_equal(ip_stage_commit(s, &d), IP_OK);
        assert_stage_of(fx, 6);
    } else {
        assert_int_equal(ip_stage_commit(s, &d), IP_ERR_IO);
    }
    /* the small one does, and is not swapped */
    s = stage_of(fx, 2);
    assert_int_equal(ip_stage_commit(s, &d), IP_ERR_IO);
    assert_string_equal(d.msg, "cannot write: Input/output error");
    assert_string_equal(d.file, fx->target);
    assert_stage_of(fx, by_syncfs ? 6 : 5);

    /* the real threshold, no failure: 200 files, written, copied and
     * linked, all there after the commit */
    assert_int_equal(unsetenv("IP_TEST_STAGE_SYNC_FAIL"), 0);
    assert_int_equal(unsetenv("IP_TEST_STAGE_SYNCFS_MIN"), 0);
    s = stage_of(fx, 198);
    {
        char *src = path_in(fx->root, "src.xml"), *one = path_in(fx->root, "one.xml");
        write_text(src, "<Invoice/>\n");
        write_text(one, "<CreditNote/>\n");
        assert_int_equal(ip_stage_copy(s, src, "sub/copy.xml", &d), IP_OK);
        assert_int_equal(ip_stage_link(s, one, "sub/link.xml", &d), IP_OK);
        assert_int_equal(ip_stage_commit(s, &d), IP_OK);
        assert_int_equal(unlink(src), 0);
        assert_int_equal(unlink(one), 0);
        free(src);
        free(one);
    }
    assert_stage_of(fx, 198);
    {
        char *p = path_in(fx->target, "sub/link.xml");
        assert_text(p, "<CreditNote/>\n");
        free(p);
        p = path_in(fx->target, "sub");
        assert_int_equal(count_entries(p), 3);
        free(p);
    }
}

/* A tree of 40 folders of 200-character names (8 000 bytes below its top:
 * beyond PATH_MAX, and deeper than the walk keeps descriptors open), a file
 * and a second branch at every level, and at the bottom a link to a folder
 * outside: ip_rmtree() removes all of it and nothing the link leads to. */
static void test_rmtree_removes_any_depth_and_follows_no_link(void **state)
{
    fixture *fx = *state;
    char name[201], *top = path_in(fx->root, "tree"), *keep = path_in(fx->root, "keep");
    char *kept = path_in(fx->root, "keep/thesis.txt");
    int fd, i;
    memset(name, 'd', 200);
    name[200] = '\0';
    assert_int_equal(mkdir(keep, 0755), 0);
    write_text(kept, "chapter 1\n");
    assert_int_equal(mkdir(top, 0755), 0);
    fd = open(top, O_RDONLY | O_DIRECTORY);
    assert_true(fd >= 0);
    for (i = 0; i < 40; i++) {
        int next, f;
        assert_int_equal(mkdirat(fd, "side", 0755), 0);
        f = openat(fd, "file.txt", O_WRONLY | O_CREAT, 0644);
        assert_true(f >= 0);
        close(f);
        assert_int_equal(mkdirat(fd, name, 0755), 0);
        next = openat(fd, name, O_RDONLY | O_DIRECTORY);
        assert_true(next >= 0);
        close(fd);
        fd = next;
    }
    assert_int_equal(symlinkat(keep, fd, "out"), 0);
    close(fd);
    assert_int_equal(ip_rmtree(top), 0);
    assert_false(exists(top));
    assert_text(kept, "chapter 1\n");
    /* a path that is not there is gone already; a link is removed itself */
    assert_int_equal(ip_rmtree(top), 0);
    assert_int_equal(symlink(keep, top), 0);
    assert_int_equal(ip_rmtree(top), 0);
    assert_false(exists(top));
    assert_text(kept, "chapter 1\n");
    free(top);
    free(keep);
    free(kept);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_stage_commit_creates_a_fresh_target, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_stage_commit_replaces_an_existing_target, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_stage_abort_leaves_the_old_target, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_stage_sweeps_stale_temporaries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stage_second_stage_on_the_same_target, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_stage_errors_name_the_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stage_follows_a_linked_target, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stage_refuses_a_target_that_is_no_folder, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_stage_small_and_large_stages_sync_their_own_way,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_rmtree_removes_any_depth_and_follows_no_link,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
