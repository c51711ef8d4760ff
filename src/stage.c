/*
 * stage.c — the one crash-safe stage: a temporary folder beside a target,
 * made durable in one pass at commit and swapped into place atomically.
 *
 * The swap uses renameat2(RENAME_EXCHANGE) so that there is no moment at
 * which the target is missing: the new folder and the old one trade names in
 * one step, and only then is the old one (now under the stage's name)
 * removed. Files are not synced as they are written: the commit walks the
 * stage once and fsyncs every file and then every folder, deepest first, so
 * the cost of durability sits in one place (sync_tree) that can change
 * without touching the writers.
 */
#define _GNU_SOURCE
#include "stage.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* How often begin draws a new name when a concurrent sweep removed the
 * folder it had just created (only possible without the output lock). */
#define BEGIN_TRIES 8

struct ip_stage {
    char *target;  /* PARENT/NAME */
    char *parent;  /* PARENT */
    char *prefix;  /* ".NAME.tmp-" */
    char *dir;     /* PARENT/.NAME.tmp-XXXXXX */
    int lock_fd;   /* dir, flock()ed while the stage is open */
};

#ifdef IP_TESTING
void ip_kill_point(void)
{
    static long calls;
    const char *at = getenv("IP_TEST_KILL_AT");
    if (at && ++calls == strtol(at, NULL, 10))
        raise(SIGKILL);
}
#endif

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

static int fsync_path(const char *path, int dir)
{
    int fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
    int r, e;
    if (fd < 0)
        return -1;
    r = fsync(fd);
    e = errno;
    close(fd);
    errno = e;
    return r;
}

static int sync_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (flag == FTW_F)
        return fsync_path(path, 0);
    if (flag == FTW_DP)
        return fsync_path(path, 1);
    return 0;
}

/* Every file and folder under path durable, each folder after what it holds.
 * Returns 0 or -1 (errno set). */
static int sync_tree(const char *path)
{
    return nftw(path, sync_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Splits "PARENT/NAME" (a name without '/' means PARENT "."). */
static void split_target(ip_stage *s, const char *target)
{
    const char *slash = strrchr(target, '/');
    const char *name = slash ? slash + 1 : target;
    if (*name == '\0')
        IP_BUG("stage target '%s' ends in '/'", target);
    s->target = ip_xstrdup(target);
    if (!slash)
        s->parent = ip_xstrdup(".");
    else if (slash == target)
        s->parent = ip_xstrdup("/");
    else
        s->parent = ip_xstrndup(target, (size_t)(slash - target));
    s->prefix = ip_xasprintf(".%s.tmp-", name);
}

static void stage_free(ip_stage *s)
{
    if (!s)
        return;
    if (s->lock_fd >= 0)
        close(s->lock_fd); /* releases the flock */
    free(s->target);
    free(s->parent);
    free(s->prefix);
    free(s->dir);
    free(s);
}

/* Removes the stages of s's target whose folders no open stage holds. */
static void sweep(const ip_stage *s)
{
    DIR *dir = opendir(s->parent);
    struct dirent *de;
    size_t plen = strlen(s->prefix);
    if (!dir)
        return;
    while ((de = readdir(dir)) != NULL) {
        char *p;
        int fd;
        if (strncmp(de->d_name, s->prefix, plen) != 0)
            continue;
        p = ip_xasprintf("%s/%s", s->parent, de->d_name);
        fd = open(p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
            if (errno == ENOTDIR || errno == ELOOP)
                unlink(p); /* not a stage's folder, but under a stage's name */
        } else {
            if (flock(fd, LOCK_EX | LOCK_NB) == 0)
                ip_rmtree(p); /* the lock is held until the folder is gone */
            close(fd);
        }
        free(p);
    }
    closedir(dir);
}

void ip_stage_sweep(const char *target)
{
    ip_stage s;
    memset(&s, 0, sizeof s);
    s.lock_fd = -1;
    split_target(&s, target);
    sweep(&s);
    free(s.target);
    free(s.parent);
    free(s.prefix);
}

/* Creates and locks a fresh stage folder. A concurrent sweep can remove the
 * folder between mkdtemp and flock; then the folder is gone (open fails, or
 * the locked folder has no links) and another name is drawn. */
static int make_dir(ip_stage *s)
{
    int tries;
    for (tries = 0; tries < BEGIN_TRIES; tries++) {
        struct stat st;
        free(s->dir);
        s->dir = ip_xasprintf("%s/%sXXXXXX", s->parent, s->prefix);
        if (!mkdtemp(s->dir))
            return -1;
        chmod(s->dir, 0755);
        s->lock_fd = open(s->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (s->lock_fd < 0) {
            int e = errno;
            if (e == ENOENT)
                continue;
            rmdir(s->dir);
            errno = e;
            return -1;
        }
        if (flock(s->lock_fd, LOCK_EX | LOCK_NB) == 0 && fstat(s->lock_fd, &st) == 0 &&
            st.st_nlink > 0)
            return 0;
        close(s->lock_fd);
        s->lock_fd = -1;
    }
    errno = EAGAIN;
    return -1;
}

ip_err ip_stage_begin(const char *target, ip_stage **out, ip_diag *d)
{
    ip_stage *s = ip_xcalloc(1, sizeof *s);
    ip_err e;
    s->lock_fd = -1;
    split_target(s, target);
    *out = NULL;
    if (mkdir(s->parent, 0777) != 0 && errno != EEXIST) {
        e = ip_diag_set(d, IP_ERR_CANTCREAT, s->parent, 0, "cannot create folder: %s",
                        strerror(errno));
        stage_free(s);
        return e;
    }
    sweep(s);
    if (make_dir(s) != 0) {
        e = ip_diag_set(d, IP_ERR_CANTCREAT, s->parent, 0,
                        "cannot create a temporary folder: %s", strerror(errno));
        free(s->dir);
        s->dir = NULL; /* mkdtemp failed: nothing to remove */
        stage_free(s);
        return e;
    }
    *out = s;
    return IP_OK;
}

const char *ip_stage_dir(const ip_stage *s)
{
    return s->dir;
}

const char *ip_stage_target(const ip_stage *s)
{
    return s->target;
}

char *ip_stage_path(const ip_stage *s, const char *rel)
{
    return ip_xasprintf("%s/%s", s->dir, rel);
}

ip_err ip_stage_mkdir(ip_stage *s, const char *rel, ip_diag *d)
{
    char *p = ip_stage_path(s, rel);
    ip_err e = IP_OK;
    if (mkdir(p, 0755) != 0 && errno != EEXIST)
        e = ip_diag_set(d, IP_ERR_CANTCREAT, p, 0, "cannot create folder: %s", strerror(errno));
    free(p);
    return e;
}

ip_err ip_stage_fopen(ip_stage *s, const char *rel, FILE **f, ip_diag *d)
{
    char *p = ip_stage_path(s, rel);
    ip_err e = IP_OK;
    *f = fopen(p, "w");
    if (!*f)
        e = ip_diag_set(d, IP_ERR_CANTCREAT, p, 0, "cannot create: %s", strerror(errno));
    free(p);
    return e;
}

ip_err ip_stage_fclose(ip_stage *s, FILE *f, const char *rel, ip_diag *d)
{
    int bad = ferror(f) || fflush(f) != 0;
    int e = errno;
    if (fclose(f) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    if (bad) {
        char *p = ip_stage_path(s, rel);
        ip_diag_set(d, IP_ERR_IO, p, 0, "cannot write: %s", strerror(e ? e : EIO));
        free(p);
        return IP_ERR_IO;
    }
    return IP_OK;
}

ip_err ip_stage_copy(ip_stage *s, const char *from, const char *rel, ip_diag *d)
{
    size_t len = 0, off = 0;
    char *data = ip_read_file(from, &len);
    char *to;
    int fd, err;
    ip_err e = IP_OK;
    if (!data)
        return ip_diag_set(d, IP_ERR_IO, from, 0, "cannot read: %s", strerror(errno));
    to = ip_stage_path(s, rel);
    fd = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) {
        e = ip_diag_set(d, IP_ERR_CANTCREAT, to, 0, "cannot create: %s", strerror(errno));
        goto out;
    }
    while (off < len) {
        ssize_t n = write(fd, data + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            err = n < 0 ? errno : EIO;
            close(fd);
            e = ip_diag_set(d, IP_ERR_IO, to, 0, "cannot write: %s", strerror(err));
            goto out;
        }
        off += (size_t)n;
    }
    if (close(fd) != 0)
        e = ip_diag_set(d, IP_ERR_IO, to, 0, "cannot write: %s", strerror(errno));
out:
    free(data);
    free(to);
    return e;
}

ip_err ip_stage_commit(ip_stage *s, ip_diag *d)
{
    struct stat st;
    int exists;
    ip_err e;
    if (sync_tree(s->dir) != 0) {
        e = ip_diag_set(d, IP_ERR_IO, s->dir, 0, "cannot sync: %s", strerror(errno));
        goto fail;
    }
    ip_kill_point();
    exists = lstat(s->target, &st) == 0;
    if (exists) {
        if (renameat2(AT_FDCWD, s->dir, AT_FDCWD, s->target, RENAME_EXCHANGE) != 0) {
            e = ip_diag_set(d, IP_ERR_CANTCREAT, s->target, 0, "cannot replace: %s",
                            strerror(errno));
            goto fail;
        }
    } else if (rename(s->dir, s->target) != 0) {
        e = ip_diag_set(d, IP_ERR_CANTCREAT, s->target, 0, "cannot create: %s",
                        strerror(errno));
        goto fail;
    }
    fsync_path(s->parent, 1);
    ip_kill_point();
    /* The previous version, now under the stage's name and held by no lock
     * (the lock went with the new folder): a kill before this line leaves it
     * to the next sweep. */
    if (exists)
        ip_rmtree(s->dir);
    stage_free(s);
    return IP_OK;
fail:
    ip_stage_abort(s);
    return e;
}

void ip_stage_abort(ip_stage *s)
{
    if (!s)
        return;
    if (s->dir)
        ip_rmtree(s->dir);
    stage_free(s);
}
