/*
 * rmtree.c — removes a folder tree at any depth: the walk is relative to
 * folder descriptors (openat, unlinkat), so no name it looks up is longer
 * than one entry and a tree nested beyond PATH_MAX goes like any other.
 *
 * It is iterative: the folders on the way down are a stack in memory, each
 * with its entries read once when it is entered, and only the deepest
 * RM_FDS keep their descriptor open. A folder whose descriptor was closed is
 * reached again by ".." from its child and must be the folder it was on the
 * way down (st_dev, st_ino); if it is not (the tree was moved while it was
 * removed) the walk stops rather than remove anything elsewhere. A link is
 * unlinked, never entered (O_NOFOLLOW, AT_SYMLINK_NOFOLLOW), and a folder on
 * another device or mount (a share mounted inside the tree, a bind mount of
 * a folder of the same file system) is left as it is, with what it holds.
 */
#define _GNU_SOURCE
#include "rmtree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* The deepest folders of the walk that keep a descriptor open. */
#define RM_FDS 16

typedef struct rm_dir {
    int fd;         /* O_RDONLY | O_DIRECTORY, or -1 (closed: reached again by "..") */
    dev_t dev;      /* what it is, to know it again */
    ino_t ino;
    char *name;     /* its name in the folder above; NULL for the top */
    char **names;   /* its entries, read when it is entered */
    size_t n, alloc, next;
    int listed;
} rm_dir;

typedef struct rm_walk {
    rm_dir *stack;
    size_t depth, alloc;
    dev_t dev;       /* the top's device and mount */
    uint64_t mnt_id;
    int have_mnt_id;
    int err;         /* the first failure's errno; 0 for none */
} rm_walk;

static void failed(rm_walk *w, int err)
{
    if (!w->err || (w->err == ENOTEMPTY && err != ENOTEMPTY))
        w->err = err;
}

/* 1 when the folder name in fd (st its lstat) lies on another device or
 * mount than the top: a mount point inside the tree, never entered. */
static int other_mount(const rm_walk *w, int fd, const char *name, const struct stat *st)
{
    struct statx sx;
    if (st->st_dev != w->dev)
        return 1;
    if (statx(fd, name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_MNT_ID, &sx) != 0)
        return 0; /* no statx (an old kernel): the device decides */
    if ((sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
        (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
        return 1;
    return w->have_mnt_id && (sx.stx_mask & STATX_MNT_ID) && sx.stx_mnt_id != w->mnt_id;
}

/* Reads the entries of the deepest folder into its list. */
static void list_dir(rm_walk *w, rm_dir *r)
{
    int fd = openat(r->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
    struct dirent *de;
    r->listed = 1;
    if (!dir) {
        failed(w, errno);
        if (fd >= 0)
            close(fd);
        return;
    }
    for (;;) {
        errno = 0;
        if (!(de = readdir(dir))) {
            if (errno)
                failed(w, errno);
            break;
        }
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        ip_xgrow((void **)&r->names, &r->alloc, r->n + 1, sizeof *r->names);
        r->names[r->n++] = ip_xstrdup(de->d_name);
    }
    closedir(dir);
}

static void push(rm_walk *w, int fd, const struct stat *st, const char *name)
{
    rm_dir *r;
    ip_xgrow((void **)&w->stack, &w->alloc, w->depth + 1, sizeof *w->stack);
    r = &w->stack[w->depth++];
    memset(r, 0, sizeof *r);
    r->fd = fd;
    r->dev = st->st_dev;
    r->ino = st->st_ino;
    r->name = name ? ip_xstrdup(name) : NULL;
    /* bound the descriptors: the folder RM_FDS levels up is reached again
     * by ".." when the walk comes back to it */
    if (w->depth > RM_FDS) {
        rm_dir *far = &w->stack[w->depth - 1 - RM_FDS];
        if (far->fd >= 0) {
            close(far->fd);
            far->fd = -1;
        }
    }
}

/* Entry name of the deepest folder: unlinked, or entered when it is a
 * folder of the walk's own mount. */
static void visit(rm_walk *w, const char *name)
{
    int up = w->stack[w->depth - 1].fd, fd;
    struct stat st, now;
    if (fstatat(up, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno != ENOENT)
            failed(w, errno);
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        if (unlinkat(up, name, 0) != 0 && errno != ENOENT)
            failed(w, errno);
        return;
    }
    if (other_mount(w, up, name, &st)) {
        failed(w, EBUSY); /* left as it is, and the folders above it */
        return;
    }
    fd = openat(up, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        int err = errno;
        /* an empty folder the run may not read still goes */
        if (unlinkat(up, name, AT_REMOVEDIR) != 0 && errno != ENOENT)
            failed(w, err);
        return;
    }
    if (fstat(fd, &now) != 0 || now.st_dev != st.st_dev || now.st_ino != st.st_ino) {
        close(fd); /* replaced between the look and the open: left */
        failed(w, EAGAIN);
        return;
    }
    push(w, fd, &st, name);
}

static void drop(rm_dir *r)
{
    size_t i;
    if (r->fd >= 0)
        close(r->fd);
    for (i = 0; i < r->n; i++)
        free(r->names[i]);
    free(r->names);
    free(r->name);
}

/* The deepest folder is empty (or as empty as it gets): removed from the
 * folder above, which is opened again by ".." when its descriptor was
 * closed. Returns -1 when that is not the folder of the way down. */
static int leave(rm_walk *w, const char *path)
{
    rm_dir *me = &w->stack[w->depth - 1], *up;
    struct stat st;
    if (w->depth == 1) {
        drop(me);
        w->depth = 0;
        if (rmdir(path) != 0 && errno != ENOENT)
            failed(w, errno);
        return 0;
    }
    up = &w->stack[w->depth - 2];
    if (up->fd < 0) {
        int fd = openat(me->fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &st) != 0 || st.st_dev != up->dev || st.st_ino != up->ino) {
            failed(w, fd < 0 ? errno : ESTALE);
            if (fd >= 0)
                close(fd);
            return -1;
        }
        up->fd = fd;
    }
    if (unlinkat(up->fd, me->name, AT_REMOVEDIR) != 0 && errno != ENOENT)
        failed(w, errno);
    drop(me);
    w->depth--;
    return 0;
}

int ip_rmtree(const char *path)
{
    rm_walk w;
    struct stat st;
    struct statx sx;
    int fd;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode))
        return unlink(path) == 0 || errno == ENOENT ? 0 : -1;
    fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        int err = errno;
        if (rmdir(path) == 0 || errno == ENOENT)
            return 0;
        errno = err;
        return -1;
    }
    if (fstat(fd, &st) != 0) {
        int err = errno;
        close(fd);
        errno = err;
        return -1;
    }
    memset(&w, 0, sizeof w);
    w.dev = st.st_dev;
    if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &sx) == 0 && (sx.stx_mask & STATX_MNT_ID)) {
        w.mnt_id = sx.stx_mnt_id;
        w.have_mnt_id = 1;
    }
    push(&w, fd, &st, NULL);
    while (w.depth > 0) {
        rm_dir *r = &w.stack[w.depth - 1];
        if (!r->listed)
            list_dir(&w, r);
        if (r->next < r->n) {
            visit(&w, r->names[r->next++]); /* may grow the stack: r is stale after */
            continue;
        }
        if (leave(&w, path) != 0)
            break;
    }
    while (w.depth > 0)
        drop(&w.stack[--w.depth]);
    free(w.stack);
    if (w.err) {
        errno = w.err;
        return -1;
    }
    return 0;
}
