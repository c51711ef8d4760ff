/*
 * outdir.c — the output root: created when missing, locked for the whole
 * run, and the year folder's stage begun and committed under that lock.
 */
#include "outdir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

struct ip_outdir {
    ip_stage *stage; /* ROOT/Y */
    int lock_fd;     /* ROOT/.internpris.lock */
};

static void free_outdir(ip_outdir *o)
{
    if (o->lock_fd >= 0)
        close(o->lock_fd); /* releases the flock */
    free(o);
}

/* Creates path and the folders above it. An empty path is no folder
 * (ENOENT); the walk starts at its first character, so a one-byte path is
 * never read past its end. */
static int mkdir_p(const char *path)
{
    char *p, *s;
    int r = 0;
    if (!*path) {
        errno = ENOENT;
        return -1;
    }
    p = ip_xstrdup(path);
    for (s = p; *s; s++) {
        if (s == p || *s != '/')
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
    char *path;
    struct stat st;
    ip_err e;
    o->lock_fd = -1;
    *out = NULL;

    if (mkdir_p(root) != 0 || stat(root, &st) != 0 || !S_ISDIR(st.st_mode)) {
        /* a file in the folder's place: mkdir_p's EEXIST would not say so */
        int err = stat(root, &st) == 0 && !S_ISDIR(st.st_mode) ? ENOTDIR : errno;
        e = ip_diag_set(d, IP_ERR_CANTCREAT, root, 0, "cannot create the output folder: %s",
                        strerror(err ? err : ENOTDIR));
        goto fail;
    }
    path = ip_xasprintf("%s/.internpris.lock", root);
    /* the lock file itself, never what a link there leads to (a dangling
     * one would create its target anywhere) nor a FIFO or device */
    o->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0666);
    free(path);
    if (o->lock_fd < 0) {
        e = errno == ELOOP
            ? ip_diag_set(d, IP_ERR_CANTCREAT, root, 0, "expected a regular file as the lock "
                          "file .internpris.lock, found a symbolic link; remove it")
            : ip_diag_set(d, IP_ERR_CANTCREAT, root, 0, "cannot create the lock file: %s",
                          strerror(errno));
        goto fail;
    }
    if (fstat(o->lock_fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        e = ip_diag_set(d, IP_ERR_CANTCREAT, root, 0, "expected a regular file as the lock "
                        "file .internpris.lock, found %s; remove it",
                        S_ISDIR(st.st_mode) ? "a folder" : "a FIFO, device or socket");
        goto fail;
    }
    if (flock(o->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        e = errno == EWOULDBLOCK
            ? ip_diag_set(d, IP_ERR_TEMPFAIL, root, 0,
                          "expected no other run on this output folder, found one holding "
                          "its lock (.internpris.lock); try again when it has finished")
            : ip_diag_set(d, IP_ERR_CANTCREAT, root, 0, "cannot lock: %s", strerror(errno));
        goto fail;
    }
    path = ip_xasprintf("%s/%d", root, year);
    e = ip_stage_begin(path, &o->stage, d);
    free(path);
    if (e)
        goto fail;
    *out = o;
    return IP_OK;
fail:
    free_outdir(o);
    return e;
}

ip_err ip_outdir_probe(const char *root, int year, ip_diag *d)
{
    struct stat st;
    char *path;
    ip_err e;
    if (stat(root, &st) == 0 && !S_ISDIR(st.st_mode))
        return ip_diag_set(d, IP_ERR_CANTCREAT, root, 0, "cannot create the output folder: %s",
                           strerror(ENOTDIR));
    /* the lock file as begin would open it */
    path = ip_xasprintf("%s/.internpris.lock", root);
    if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        free(path);
        return ip_diag_set(d, IP_ERR_CANTCREAT, root, 0, "expected a regular file as the lock "
                           "file .internpris.lock, found %s; remove it",
                           S_ISLNK(st.st_mode)   ? "a symbolic link"
                           : S_ISDIR(st.st_mode) ? "a folder"
                                                 : "a FIFO, device or socket");
    }
    free(path);
    path = ip_xasprintf("%s/%d", root, year);
    e = ip_stage_probe(path, d);
    free(path);
    if (!e) {
        /* the record's stage, as ip_issued_stage() would begin it */
        path = ip_xasprintf("%s/issued/%d", root, year);
        e = ip_stage_probe(path, d);
        free(path);
    }
    return e;
}

ip_stage *ip_outdir_stage(ip_outdir *o)
{
    return o->stage;
}

ip_err ip_outdir_commit(ip_outdir *o, ip_diag *d)
{
    ip_err e = ip_stage_commit(o->stage, d);
    free_outdir(o);
    return e;
}

void ip_outdir_abort(ip_outdir *o)
{
    if (!o)
        return;
    ip_stage_abort(o->stage);
    free_outdir(o);
}
