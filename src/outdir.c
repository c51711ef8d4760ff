/*
 * outdir.c — temporary folder, fsync and atomic swap into place.
 *
 * The swap uses renameat2(RENAME_EXCHANGE) so that there is no moment at
 * which ROOT/Y is missing: the new folder and the old one trade names in one
 * step, and only then is the old one (now under the temporary name) removed.
 */
#define _GNU_SOURCE
#include "outdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

struct ip_outdir {
    char *root;
    char *final;     /* ROOT/Y */
    char *tmp;       /* ROOT/.Y.tmp-XXXXXX */
    char *tmp_prefix;/* ".Y.tmp-" */
    int lock_fd;
};

void ip_kill_point(void)
{
    static long calls;
    const char *at = getenv("IP_TEST_KILL_AT");
    if (at && ++calls == strtol(at, NULL, 10))
        raise(SIGKILL);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

int ip_rmtree(const char *path)
{
    return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int ip_fsync_path(const char *path, int dir)
{
    int fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
    int r;
    if (fd < 0)
        return -1;
    r = fsync(fd);
    close(fd);
    return r;
}

static int sync_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (flag == FTW_F)
        return ip_fsync_path(path, 0);
    if (flag == FTW_DP)
        return ip_fsync_path(path, 1);
    return 0;
}

int ip_fsync_tree(const char *path)
{
    return nftw(path, sync_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void free_outdir(ip_outdir *o)
{
    if (!o)
        return;
    if (o->lock_fd >= 0)
        close(o->lock_fd); /* releases the flock */
    free(o->root);
    free(o->final);
    free(o->tmp);
    free(o->tmp_prefix);
    free(o);
}

/* Removes temporary folders that a killed run left behind. */
static void remove_stale(ip_outdir *o)
{
    DIR *dir = opendir(o->root);
    struct dirent *de;
    if (!dir)
        return;
    while ((de = readdir(dir)) != NULL) {
        if (strncmp(de->d_name, o->tmp_prefix, strlen(o->tmp_prefix)) == 0) {
            char *p = ip_xasprintf("%s/%s", o->root, de->d_name);
            ip_rmtree(p);
            free(p);
        }
    }
    closedir(dir);
}

static int mkdir_p(const char *path)
{
    char *p = ip_xstrdup(path), *s;
    int r = 0;
    for (s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST)
            r = -1;
        *s = '/';
        if (r)
            break;
    }
    if (!r && mkdir(p, 0777) != 0 && errno != EEXIST)
        r = -1;
    free(p);
    return r;
}

ip_err ip_outdir_begin(const char *root, int year, ip_outdir **out, ip_diag *d)
{
    ip_outdir *o = ip_xcalloc(1, sizeof *o);
    char *lock_path;
    struct stat st;
    o->lock_fd = -1;
    o->root = ip_xstrdup(root);
    o->final = ip_xasprintf("%s/%d", root, year);
    o->tmp_prefix = ip_xasprintf(".%d.tmp-", year);
    *out = NULL;

    if (mkdir_p(root) != 0 || stat(root, &st) != 0 || !S_ISDIR(st.st_mode)) {
        ip_diag_set(d, IP_ERR_CANTCREAT, root, 0, "cannot create the output folder: %s",
                    strerror(errno ? errno : ENOTDIR));
        free_outdir(o);
        return IP_ERR_CANTCREAT;
    }
    lock_path = ip_xasprintf("%s/.internpris.lock", root);
    o->lock_fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    free(lock_path);
    if (o->lock_fd < 0) {
        ip_diag_set(d, IP_ERR_CANTCREAT, root, 0, "cannot create the lock file: %s",
                    strerror(errno));
        free_outdir(o);
        return IP_ERR_CANTCREAT;
    }
    if (flock(o->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        ip_err e = errno == EWOULDBLOCK
            ? ip_diag_set(d, IP_ERR_TEMPFAIL, root, 0,
                          "expected no other run on this output folder, found one holding "
                          "its lock (.internpris.lock); try again when it has finished")
            : ip_diag_set(d, IP_ERR_CANTCREAT, root, 0, "cannot lock: %s", strerror(errno));
        free_outdir(o);
        return e;
    }
    remove_stale(o);
    o->tmp = ip_xasprintf("%s/%sXXXXXX", root, o->tmp_prefix);
    if (!mkdtemp(o->tmp)) {
        ip_diag_set(d, IP_ERR_CANTCREAT, root, 0, "cannot create a temporary folder: %s",
                    strerror(errno));
        free_outdir(o);
        return IP_ERR_CANTCREAT;
    }
    chmod(o->tmp, 0755);
    *out = o;
    return IP_OK;
}

const char *ip_outdir_tmp(const ip_outdir *o)
{
    return o->tmp;
}

char *ip_outdir_file(const ip_outdir *o, const char *rel)
{
    return ip_xasprintf("%s/%s", o->tmp, rel);
}

ip_err ip_outdir_mkdir(ip_outdir *o, const char *rel, ip_diag *d)
{
    char *p = ip_outdir_file(o, rel);
    if (mkdir(p, 0755) != 0 && errno != EEXIST) {
        ip_diag_set(d, IP_ERR_CANTCREAT, p, 0, "cannot create folder: %s", strerror(errno));
        free(p);
        return IP_ERR_CANTCREAT;
    }
    free(p);
    return IP_OK;
}

ip_err ip_outdir_fopen(ip_outdir *o, const char *rel, FILE **f, ip_diag *d)
{
    char *p = ip_outdir_file(o, rel);
    *f = fopen(p, "w");
    if (!*f) {
        ip_diag_set(d, IP_ERR_CANTCREAT, p, 0, "cannot create: %s", strerror(errno));
        free(p);
        return IP_ERR_CANTCREAT;
    }
    free(p);
    return IP_OK;
}

ip_err ip_outdir_fclose(ip_outdir *o, FILE *f, const char *rel, ip_diag *d)
{
    int bad = ferror(f) || fflush(f) != 0 || fsync(fileno(f)) != 0;
    int e = errno;
    if (fclose(f) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    if (bad) {
        char *p = ip_outdir_file(o, rel);
        ip_diag_set(d, IP_ERR_IO, p, 0, "cannot write: %s", strerror(e ? e : EIO));
        free(p);
        return IP_ERR_IO;
    }
    return IP_OK;
}

ip_err ip_outdir_commit(ip_outdir *o, ip_diag *d)
{
    struct stat st;
    int exists = lstat(o->final, &st) == 0;
    ip_err e = IP_OK;
    if (ip_fsync_tree(o->tmp) != 0) {
        e = ip_diag_set(d, IP_ERR_IO, o->tmp, 0, "cannot sync the new output: %s",
                        strerror(errno));
        goto fail;
    }
    ip_kill_point();
    if (exists) {
        if (renameat2(AT_FDCWD, o->tmp, AT_FDCWD, o->final, RENAME_EXCHANGE) != 0) {
            e = ip_diag_set(d, IP_ERR_CANTCREAT, o->final, 0, "cannot replace: %s",
                            strerror(errno));
            goto fail;
        }
    } else if (rename(o->tmp, o->final) != 0) {
        e = ip_diag_set(d, IP_ERR_CANTCREAT, o->final, 0, "cannot create: %s", strerror(errno));
        goto fail;
    }
    ip_fsync_path(o->root, 1);
    ip_kill_point();
    if (exists)
        ip_rmtree(o->tmp); /* the previous output, now under the temporary name */
    free_outdir(o);
    return IP_OK;
fail:
    ip_outdir_abort(o);
    return e;
}

void ip_outdir_abort(ip_outdir *o)
{
    if (!o)
        return;
    if (o->tmp)
        ip_rmtree(o->tmp);
    free_outdir(o);
}
