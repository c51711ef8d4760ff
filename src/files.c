/*
 * files.c — opening the files a run reads without ever blocking on one that
 * is not a regular file, bounded whole-file reads, links confined to their
 * folder, and canonical paths for the command line's overlap test.
 *
 * The kind of a file is looked at twice: stat() before the open, so that a
 * device or a pipe is never even opened, and fstat() of the descriptor, so
 * that a file swapped between the two is caught too. The open itself is
 * O_NONBLOCK, so even that race cannot make it wait for a writer.
 */
#define _GNU_SOURCE
#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* How many symbolic links ip_files_canonical() follows by name (the
 * kernel's own limit for one lookup). */
#define MAX_LINKS 40

const char *ip_files_kind(mode_t mode)
{
    if (S_ISREG(mode))
        return "a regular file";
    if (S_ISDIR(mode))
        return "a folder";
    if (S_ISFIFO(mode))
        return "a named pipe";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISSOCK(mode))
        return "a socket";
    if (S_ISLNK(mode))
        return "a symbolic link";
    return "a special file";
}

/* stat() or lstat() as the flags say. */
static int stat_as(const char *path, int flags, struct stat *st)
{
    return (flags & IP_FILES_NOFOLLOW) ? lstat(path, st) : stat(path, st);
}

int ip_files_open_fd(const char *path, int flags, const char **kind)
{
    struct stat st;
    int fd, fl;
    if (kind)
        *kind = NULL;
    if (stat_as(path, flags, &st) == 0 && !S_ISREG(st.st_mode)) {
        if (kind)
            *kind = ip_files_kind(st.st_mode);
        errno = 0;
        return -1;
    }
    fl = O_RDONLY | O_NONBLOCK | O_CLOEXEC | ((flags & IP_FILES_NOFOLLOW) ? O_NOFOLLOW : 0);
    do
        fd = open(path, fl);
    while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return -1;
    if (fstat(fd, &st) != 0) {
        int err = errno;
        close(fd);
        errno = err;
        return -1;
    }
    if (!S_ISREG(st.st_mode)) { /* swapped since the stat */
        close(fd);
        if (kind)
            *kind = ip_files_kind(st.st_mode);
        errno = 0;
        return -1;
    }
    fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
        int err = errno;
        close(fd);
        errno = err;
        return -1;
    }
    return fd;
}

/* The message for a failed ip_files_open_fd(). */
static ip_err open_failed(const char *name, const char *kind, ip_diag *d)
{
    if (kind)
        return ip_diag_set(d, IP_ERR_NOINPUT, name, 0, "expected a regular file, found %s",
                           kind);
    return ip_diag_set(d, IP_ERR_NOINPUT, name, 0, "cannot open: %s",
                       strerror(errno ? errno : EIO));
}

ip_err ip_files_open(const char *path, const char *name, int flags, int *fd, ip_diag *d)
{
    const char *kind;
    if (!name)
        name = path;
    *fd = ip_files_open_fd(path, flags, &kind);
    if (*fd < 0)
        return open_failed(name, kind, d);
    return IP_OK;
}

ip_err ip_files_check(const char *path, const char *name, int flags, int *exists, ip_diag *d)
{
    struct stat st;
    if (!name)
        name = path;
    if (exists)
        *exists = 0;
    if (stat_as(path, flags, &st) != 0) {
        if (errno == ENOENT && exists)
            return IP_OK;
        return ip_diag_set(d, IP_ERR_NOINPUT, name, 0, "cannot open: %s", strerror(errno));
    }
    if (!S_ISREG(st.st_mode))
        return ip_diag_set(d, IP_ERR_NOINPUT, name, 0, "expected a regular file, found %s",
                           ip_files_kind(st.st_mode));
    if (exists)
        *exists = 1;
    return IP_OK;
}

void ip_files_stamp_take(int fd, ip_files_stamp *s)
{
    struct stat st;
    memset(s, 0, sizeof *s);
    if (fstat(fd, &st) != 0)
        return;
    s->valid = 1;
    s->size = st.st_size;
    s->mtim = st.st_mtim;
    s->ctim = st.st_ctim;
}

static int same_time(struct timespec a, struct timespec b)
{
    return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

ip_err ip_files_stamp_check(int fd, const ip_files_stamp *s, uint64_t bytes, const char *name,
                            ip_diag *d)
{
    struct stat st;
    if (!s->valid)
        return IP_OK;
    if (fstat(fd, &st) != 0)
        return ip_diag_set(d, IP_ERR_IO, name, 0, "cannot read: %s", strerror(errno));
    if (bytes != (uint64_t)s->size || st.st_size != s->size)
        return ip_diag_set(d, IP_ERR_DATA, name, 0,
                           "expected a file that stays the same while it is read, found %llu "
                           "bytes at the start, %llu read and %llu at the end; run again when "
                           "the file is complete",
                           (unsigned long long)s->size, (unsigned long long)bytes,
                           (unsigned long long)st.st_size);
    if (!same_time(st.st_mtim, s->mtim) || !same_time(st.st_ctim, s->ctim))
        return ip_diag_set(d, IP_ERR_DATA, name, 0,
                           "expected a file that stays the same while it is read, found it "
                           "written to while it was read (its modification or change time "
                           "moved); run again when the file is complete");
    return IP_OK;
}

ip_err ip_files_read(const char *path, const char *name, int flags, size_t max, char **data,
                     size_t *len, ip_diag *d)
{
    ip_files_stamp stamp;
    size_t cap, n = 0, want = max < SIZE_MAX - 1 ? max + 1 : max;
    char *buf;
    int fd;
    ip_err e;
    *data = NULL;
    *len = 0;
    if (!name)
        name = path;
    if ((e = ip_files_open(path, name, flags, &fd, d)))
        return e;
    /* The size is a hint for the buffer only: the file may grow or shrink
     * while it is read, and the read stops at want bytes either way. */
    ip_files_stamp_take(fd, &stamp);
    cap = stamp.valid && stamp.size > 0 && (uint64_t)stamp.size < want
              ? (size_t)stamp.size + 1
              : (want < 65536 ? want + 1 : 65536);
    buf = ip_xmalloc(cap);
    while (n < want) {
        ssize_t r;
        if (n + 1 >= cap) {
            cap = cap > want / 2 ? want + 1 : cap * 2;
            buf = ip_xrealloc(buf, cap);
        }
        r = read(fd, buf + n, (cap - 1 - n) < (want - n) ? cap - 1 - n : want - n);
        if (r == 0)
            break;
        if (r < 0) {
            int err = errno;
            if (err == EINTR)
                continue;
            free(buf);
            close(fd);
            return ip_diag_set(d, IP_ERR_IO, name, 0, "cannot read: %s", strerror(err));
        }
        n += (size_t)r;
    }
    /* read to its end (not stopped at the bound): it must be what it was */
    if (n < want && (e = ip_files_stamp_check(fd, &stamp, n, name, d))) {
        free(buf);
        close(fd);
        return e;
    }
    close(fd);
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return IP_OK;
}

/* The folder part of path ("." when it has none). */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return ip_xstrdup(".");
    while (slash > path && slash[-1] == '/')
        slash--;
    if (slash == path)
        return ip_xstrdup("/");
    return ip_xstrndup(path, (size_t)(slash - path));
}

ip_err ip_files_check_link(const char *path, const char *name, ip_diag *d)
{
    struct stat st;
    char *dir, *cdir, *cfile;
    ip_err e = IP_OK;
    if (!name)
        name = path;
    if (lstat(path, &st) != 0 || !S_ISLNK(st.st_mode))
        return IP_OK;
    dir = dir_of(path);
    cdir = ip_files_canonical(dir);
    cfile = ip_files_canonical(path);
    if (strcmp(cfile, cdir) == 0 || !ip_files_inside(cfile, cdir))
        e = ip_diag_set(d, IP_ERR_NOINPUT, name, 0,
                        "expected a file inside %s, found a link to %s; copy the file into "
                        "the folder instead", dir, cfile);
    free(dir);
    free(cdir);
    free(cfile);
    return e;
}

/* "a" + "/" + "b", without doubling the slash after "/". */
static char *join(const char *a, const char *b)
{
    size_t n = strlen(a);
    return ip_xasprintf("%s%s%s", a, n && a[n - 1] == '/' ? "" : "/", b);
}

static char *canonical(const char *path, int links)
{
    char *r = realpath(path, NULL), *parent, *last, *cp;
    struct stat st;
    const char *slash;
    size_t n = strlen(path);
    if (r)
        return r;
    while (n > 1 && path[n - 1] == '/')
        n--; /* "out/" is "out" */
    cp = ip_xstrndup(path, n);
    slash = strrchr(cp, '/');
    if (!slash || slash == cp)
        return cp; /* "/name" (paths are absolute here) under the root */
    parent = dir_of(cp);
    last = ip_xstrdup(slash + 1);
    /* A link whose target does not exist (yet): where it leads, by name. */
    if (links < MAX_LINKS && lstat(cp, &st) == 0 && S_ISLNK(st.st_mode)) {
        char target[PATH_MAX];
        ssize_t k = readlink(cp, target, sizeof target - 1);
        if (k > 0) {
            char *next;
            target[k] = '\0';
            next = target[0] == '/' ? ip_xstrdup(target) : join(parent, target);
            free(cp);
            free(parent);
            free(last);
            r = canonical(next, links + 1);
            free(next);
            return r;
        }
    }
    free(cp);
    r = canonical(parent, links);
    free(parent);
    if (strcmp(last, ".") == 0 || last[0] == '\0') {
        /* the folder itself */
    } else if (strcmp(last, "..") == 0) {
        char *up = dir_of(r);
        free(r);
        r = up;
    } else {
        char *j = join(r, last);
        free(r);
        r = j;
    }
    free(last);
    return r;
}

char *ip_files_canonical(const char *path)
{
    char *abs, *r;
    if (path[0] == '/') {
        abs = ip_xstrdup(path);
    } else {
        char *cwd = getcwd(NULL, 0);
        abs = join(cwd ? cwd : "/", path[0] ? path : ".");
        free(cwd);
    }
    r = canonical(abs, 0);
    free(abs);
    return r;
}

int ip_files_inside(const char *a, const char *b)
{
    size_t n = strlen(b);
    if (strcmp(a, b) == 0)
        return 1;
    if (n == 1 && b[0] == '/')
        return a[0] == '/';
    return strncmp(a, b, n) == 0 && a[n] == '/';
}
