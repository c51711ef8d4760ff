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

char *ip_files_dir_of(const char *path)
{
    size_t n = strlen(path);
    while (n > 0 && path[n - 1] == '/') /* "out/" is "out" */
        n--;
    if (n == 0) /* "/", "//", or "" */
        return ip_xstrdup(path[0] == '/' ? "/" : ".");
    while (n > 0 && path[n - 1] != '/') /* the last name */
        n--;
    if (n == 0) /* a bare name */
        return ip_xstrdup(".");
    while (n > 0 && path[n - 1] == '/') /* the slashes before it */
        n--;
    if (n == 0) /* "/name", "//name" */
        return ip_xstrdup("/");
    return ip_xstrndup(path, n);
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
    dir = ip_files_dir_of(path);
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

static char *canonical(const char *path)
{
    /* Iterative: the parts that do not exist are taken off the end one by
     * one (kept in tail, last first) until realpath() finds what is left; a
     * link among them whose target does not exist is followed by name. No
     * frame per component, so a path of thousands of parts cannot overflow
     * the stack. */
    char *cur = ip_xstrdup(path), *r = NULL, **tail = NULL;
    size_t ntail = 0, cap = 0;
    int links = 0;
    char *target = ip_xmalloc(PATH_MAX);
    for (;;) {
        struct stat st;
        char *slash, *parent;
        size_t n = strlen(cur);
        if ((r = realpath(cur, NULL)) != NULL)
            break;
        while (n > 1 && cur[n - 1] == '/')
            cur[--n] = '\0'; /* "out/" is "out" */
        slash = strrchr(cur, '/');
        if (!slash || slash == cur) {
            r = cur; /* "/name" (paths are absolute here) under the root */
            cur = NULL;
            break;
        }
        parent = ip_files_dir_of(cur);
        /* A link whose target does not exist (yet): where it leads, by name. */
        if (links < MAX_LINKS && lstat(cur, &st) == 0 && S_ISLNK(st.st_mode)) {
            ssize_t k = readlink(cur, target, PATH_MAX - 1);
            if (k > 0) {
                target[k] = '\0';
                free(cur);
                cur = target[0] == '/' ? ip_xstrdup(target) : join(parent, target);
                free(parent);
                links++;
                continue;
            }
        }
        if (ntail == cap) {
            cap = cap ? cap * 2 : 16;
            tail = ip_xrealloc(tail, cap * sizeof *tail);
        }
        tail[ntail++] = ip_xstrdup(slash + 1);
        free(cur);
        cur = parent;
    }
    free(cur);
    free(target);
    while (ntail > 0) {
        char *last = tail[--ntail];
        if (strcmp(last, ".") == 0 || last[0] == '\0') {
            /* the folder itself */
        } else if (strcmp(last, "..") == 0) {
            char *up = ip_files_dir_of(r);
            free(r);
            r = up;
        } else {
            char *j = join(r, last);
            free(r);
            r = j;
        }
        free(last);
    }
    free(tail);
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
    r = canonical(abs);
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

/* One folder or file by what it is, not by its name. */
typedef struct file_id {
    dev_t dev;
    ino_t ino;
} file_id;

struct ip_files_place {
    file_id *chain; /* [0] the deepest part that exists, then its folders up to '/' */
    size_t nchain;
    char **tail; /* the parts below chain[0] that do not exist (yet), by name */
    size_t ntail;
};

/* Pushes the components of s onto a stack (the first on top). */
static void push_parts(char ***stack, size_t *n, size_t *cap, const char *s)
{
    size_t i = strlen(s);
    while (i > 0) {
        size_t end = i, start;
        while (i > 0 && s[i - 1] != '/')
            i--;
        start = i;
        if (end > start) {
            if (*n == *cap) {
                *cap = *cap ? *cap * 2 : 32;
                *stack = ip_xrealloc(*stack, *cap * sizeof **stack);
            }
            (*stack)[(*n)++] = ip_xstrndup(s + start, end - start);
        }
        while (i > 0 && s[i - 1] == '/')
            i--;
    }
}

static void add_id(ip_files_place *p, size_t *cap, const struct stat *st)
{
    if (p->nchain == *cap) {
        *cap = *cap ? *cap * 2 : 32;
        p->chain = ip_xrealloc(p->chain, *cap * sizeof *p->chain);
    }
    p->chain[p->nchain].dev = st->st_dev;
    p->chain[p->nchain].ino = st->st_ino;
    p->nchain++;
}

static int open_dir(int at, const char *name)
{
    return openat(at, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

ip_files_place *ip_files_place_of(const char *path)
{
    ip_files_place *p = ip_xcalloc(1, sizeof *p);
    char **stack = NULL, *buf = ip_xmalloc(PATH_MAX);
    size_t n = 0, cap = 0, tcap = 0, ccap = 0;
    int fd = open_dir(AT_FDCWD, path[0] == '/' ? "/" : "."), parent = -1, links = 0;
    struct stat st;
    push_parts(&stack, &n, &cap, path);
    /* One component at a time, relative to the folder reached so far: no
     * lookup is longer than one name (nor PATH_MAX), links are followed as
     * the kernel follows them and '..' is the folder's real parent. */
    while (n > 0) {
        char *c = stack[--n];
        int next;
        if (fd < 0 || p->ntail > 0 || strcmp(c, ".") == 0) {
            if (strcmp(c, ".") == 0) {
                free(c);
            } else if (strcmp(c, "..") == 0 && p->ntail > 0) {
                free(p->tail[--p->ntail]);
                free(c);
            } else {
                if (p->ntail == tcap) {
                    tcap = tcap ? tcap * 2 : 16;
                    p->tail = ip_xrealloc(p->tail, tcap * sizeof *p->tail);
                }
                p->tail[p->ntail++] = c;
            }
            continue;
        }
        if (strcmp(c, "..") != 0 && fstatat(fd, c, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISLNK(st.st_mode) && links < MAX_LINKS) {
            ssize_t k = readlinkat(fd, c, buf, PATH_MAX - 1);
            if (k > 0) {
                buf[k] = '\0';
                links++;
                free(c);
                if (buf[0] == '/') {
                    close(fd);
                    fd = open_dir(AT_FDCWD, "/");
                }
                push_parts(&stack, &n, &cap, buf);
                continue;
            }
        }
        next = strcmp(c, "..") == 0 ? open_dir(fd, "..")
                                    : openat(fd, c, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (next < 0) { /* c begins the tail */
            if (p->ntail == tcap) {
                tcap = tcap ? tcap * 2 : 16;
                p->tail = ip_xrealloc(p->tail, tcap * sizeof *p->tail);
            }
            p->tail[p->ntail++] = c;
            continue;
        }
        free(c);
        if (parent >= 0)
            close(parent);
        parent = fd;
        fd = next;
    }
    free(stack);
    free(buf);
    /* The chain: what was reached, then its folders up to the root. */
    if (fd >= 0 && fstat(fd, &st) == 0) {
        add_id(p, &ccap, &st);
        if (!S_ISDIR(st.st_mode) && parent >= 0) {
            close(fd);
            fd = parent;
            parent = -1;
            if (fstat(fd, &st) == 0)
                add_id(p, &ccap, &st);
        }
        for (;;) {
            int up = open_dir(fd, "..");
            if (up < 0 || fstat(up, &st) != 0 ||
                (st.st_dev == p->chain[p->nchain - 1].dev &&
                 st.st_ino == p->chain[p->nchain - 1].ino)) {
                if (up >= 0)
                    close(up);
                break;
            }
            add_id(p, &ccap, &st);
            close(fd);
            fd = up;
        }
    }
    if (fd >= 0)
        close(fd);
    if (parent >= 0)
        close(parent);
    return p;
}

void ip_files_place_free(ip_files_place *p)
{
    size_t i;
    if (!p)
        return;
    for (i = 0; i < p->ntail; i++)
        free(p->tail[i]);
    free(p->tail);
    free(p->chain);
    free(p);
}

static int same_id(const file_id *a, const file_id *b)
{
    return a->dev == b->dev && a->ino == b->ino;
}

/* 1 when the first k tail parts of a and b are the same names. */
static int same_tail(const ip_files_place *a, const ip_files_place *b, size_t k)
{
    size_t i;
    for (i = 0; i < k; i++)
        if (strcmp(a->tail[i], b->tail[i]) != 0)
            return 0;
    return 1;
}

int ip_files_place_cmp(const ip_files_place *x, const ip_files_place *y)
{
    size_t i;
    if (x->nchain == 0 || y->nchain == 0)
        return 0; /* nothing of it could be looked at: the names decide */
    if (same_id(&x->chain[0], &y->chain[0]) && x->ntail == y->ntail &&
        same_tail(x, y, x->ntail))
        return 1;
    if (y->ntail == 0) {
        for (i = 0; i < x->nchain; i++)
            if (same_id(&x->chain[i], &y->chain[0]))
                return i > 0 || x->ntail > 0 ? 2 : 1;
        return 0;
    }
    return same_id(&x->chain[0], &y->chain[0]) && x->ntail > y->ntail &&
                   same_tail(x, y, y->ntail)
               ? 2
               : 0;
}
