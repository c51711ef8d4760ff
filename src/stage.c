/*
 * stage.c — the one crash-safe stage: a temporary folder beside a target,
 * made durable in one pass at commit and swapped into place atomically.
 *
 * The swap uses renameat2(RENAME_EXCHANGE) so that there is no moment at
 * which the target is missing: the new folder and the old one trade names in
 * one step, and only then is the old one (now under the stage's name)
 * removed. Files are not synced as they are written, nor is their writeback
 * started one by one (a sync_file_range() per file cost the writing thread
 * more than the disk gained from the early start): the commit makes the
 * whole stage durable in one place (sync_stage), a stage of many files on a
 * journalling file system by one syncfs(), a small one file by file and
 * folder by folder, deepest first.
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
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "files.h"
#include "signals.h"
#include "util.h"

/* How often begin draws a new name when a concurrent sweep removed the
 * folder it had just created (only possible without the output lock). */
#define BEGIN_TRIES 8

/* From this many files on, a stage on a file system that syncfs() covers
 * (see syncfs_covers) is made durable by one syncfs() instead of a
 * fdatasync() per file and a fsync() per folder (README, "Outputs"; the
 * measurements are in tests/bench/RESULTS.md). */
#define SYNCFS_MIN_FILES 64

/* The file systems whose syncfs() writes every dirty file and then commits
 * the journal that holds every folder's entries (statfs f_type). */
#define EXT4_MAGIC 0xEF53L /* also ext2 and ext3 */
#define XFS_MAGIC 0x58465342L
#define BTRFS_MAGIC 0x9123683EL

struct ip_stage {
    char *target;  /* PARENT/NAME */
    char *parent;  /* PARENT */
    char *prefix;  /* ".NAME.tmp-" */
    char *dir;     /* PARENT/.NAME.tmp-XXXXXX */
    char *shown;   /* the target as the caller named it (before a link) */
    int lock_fd;   /* dir, flock()ed while the stage is open; opened before
                    * any file of the stage is written, so syncfs() on it
                    * reports every writeback error since */
    struct ip_stage *next; /* the open stages (ip_stage_shown) */
};

/* The stages begun and not yet committed or aborted, newest first. */
static ip_stage *open_stages;

#ifdef IP_TESTING
void ip_kill_point(void)
{
    static long calls;
    const char *at = getenv("IP_TEST_KILL_AT");
    const char *sig = getenv("IP_TEST_KILL_SIGNAL");
    if (at && ++calls == strtol(at, NULL, 10))
        raise(sig && *sig ? (int)strtol(sig, NULL, 10) : SIGKILL);
}

/* IP_TEST_STAGE_SYNCFS_MIN=n: the threshold is n files instead of
 * SYNCFS_MIN_FILES. IP_TEST_STAGE_SYNC_FAIL=syncfs (or =file): the commit's
 * syncfs() (or each file's fdatasync()) fails with EIO, as a writeback error
 * that the kernel reported would. */
static size_t syncfs_min(void)
{
    const char *v = getenv("IP_TEST_STAGE_SYNCFS_MIN");
    return v && *v ? (size_t)strtoul(v, NULL, 10) : SYNCFS_MIN_FILES;
}

static int injected(const char *what)
{
    const char *v = getenv("IP_TEST_STAGE_SYNC_FAIL");
    if (v && strcmp(v, what) == 0) {
        errno = EIO;
        return 1;
    }
    return 0;
}
#else
static size_t syncfs_min(void)
{
    return SYNCFS_MIN_FILES;
}

static int injected(const char *what)
{
    (void)what;
    return 0;
}
#endif

/* What the stage could not remove, for the command line (ip_stage_warning). */
static char **warnings;
static size_t nwarnings, warnings_alloc;

/* Removes the folder dir (a stage's name), or says why it stays: what is
 * "the previous version of TARGET" or "the temporary folder …". */
static void remove_or_warn(const char *dir, const char *what, const char *target)
{
    char *qd, *qt;
    int err;
    if (ip_rmtree(dir) == 0)
        return;
    err = errno;
    qd = ip_quote_path(dir);
    qt = ip_quote_path(target);
    ip_xgrow((void **)&warnings, &warnings_alloc, nwarnings + 1, sizeof *warnings);
    warnings[nwarnings++] = ip_xasprintf("%s: cannot remove %s %s: %s; remove it by hand", qd,
                                         what, qt, strerror(err));
    free(qd);
    free(qt);
}

const char *ip_stage_warning(size_t i)
{
    return i < nwarnings ? warnings[i] : NULL;
}

/* A file's data and what reading it needs (fdatasync), or a folder's
 * entries (fsync), durable. */
static int fsync_path(const char *path, int dir)
{
    int fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
    int r, e;
    if (fd < 0)
        return -1;
    r = dir ? fsync(fd) : injected("file") ? -1 : fdatasync(fd);
    e = errno;
    close(fd);
    errno = e;
    return r;
}

/* The stage's files and folders as sync_stage() walks them: nftw() takes no
 * context, and a stage is committed by one thread at a time. */
typedef struct tree_list {
    char **path;
    unsigned char *is_dir;
    size_t n, alloc, alloc_dir;
} tree_list;

static tree_list *listing;

static int list_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    tree_list *l = listing;
    (void)st;
    (void)ftw;
    if (flag != FTW_F && flag != FTW_DP)
        return 0;
    ip_xgrow((void **)&l->path, &l->alloc, l->n + 1, sizeof *l->path);
    ip_xgrow((void **)&l->is_dir, &l->alloc_dir, l->n + 1, sizeof *l->is_dir);
    l->path[l->n] = ip_xstrdup(path);
    l->is_dir[l->n++] = flag == FTW_DP;
    return 0;
}

/* Starts the writeback of every file of l at once (sync_file_range() does
 * not wait, and makes nothing durable by itself), so that the disk sees the
 * whole stage in one queue instead of one file per round trip. */
static void start_writeback(const tree_list *l)
{
    size_t i;
    for (i = 0; i < l->n; i++) {
        int fd;
        if (l->is_dir[i])
            continue;
        fd = open(l->path[i], O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
            continue; /* the sync pass reports it */
        (void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
        close(fd);
    }
}

/* 1 when the running kernel's syncfs() reports writeback errors (Linux 5.8
 * on: the file system's errors since fd was opened, errseq) and fd's file
 * system is one whose syncfs() makes every folder's entries durable with
 * the files' data: ext4, xfs and btrfs keep the entries in the journal (log,
 * tree) that syncfs() commits after it has written and waited for every
 * dirty file; an ext4 without a journal writes them with the block
 * device's buffers before syncfs() returns. Elsewhere (NFS, FUSE, an older
 * kernel) the stage is synced file by file. */
static int syncfs_covers(int fd)
{
    static int kernel = -1;
    struct statfs fs;
    if (kernel < 0) {
        struct utsname u;
        int major = 0, minor = 0;
        kernel = uname(&u) == 0 && sscanf(u.release, "%d.%d", &major, &minor) == 2 &&
                 (major > 5 || (major == 5 && minor >= 8));
    }
    if (!kernel || fstatfs(fd, &fs) != 0)
        return 0;
    return (long)fs.f_type == EXT4_MAGIC || (long)fs.f_type == XFS_MAGIC ||
           (long)fs.f_type == BTRFS_MAGIC;
}

/* Every file and folder of stage s durable, each folder after what it
 * holds. The walk lists the tree (deepest first). A stage of
 * SYNCFS_MIN_FILES files or more on a file system that syncfs_covers() is
 * made durable by one syncfs() on the stage's folder: it writes every dirty
 * file of that file system (other programs' too: the cost of one journal
 * commit instead of one per file) and returns the writeback errors since
 * the stage was begun; the folder's fsync() then flushes the disk's cache.
 * A smaller stage: writeback of every file is started at once, then each
 * file is fdatasync()ed — the journal commit that makes the first one durable
 * carries the others' sizes — and then every folder is fsync()ed, deepest
 * first, the stage's own folder last. Returns 0 or -1 (errno set). */
static int sync_stage(const ip_stage *s)
{
    tree_list l;
    size_t i, files = 0;
    int r = 0, e = 0;
    memset(&l, 0, sizeof l);
    listing = &l;
    if (nftw(s->dir, list_entry, 16, FTW_DEPTH | FTW_PHYS) != 0) {
        r = -1;
        e = errno;
    }
    listing = NULL;
    for (i = 0; i < l.n; i++)
        files += !l.is_dir[i];
    if (r == 0 && files >= syncfs_min() && syncfs_covers(s->lock_fd)) {
        /* The folder's fsync() after syncfs() sends the disk's cache flush
         * after every write of syncfs() has completed: on an ext4 without a
         * journal syncfs() flushes before its last writes (the folders'
         * blocks, the inode tables) are done. */
        if (injected("syncfs") || syncfs(s->lock_fd) != 0 || fsync(s->lock_fd) != 0) {
            r = -1;
            e = errno;
        }
        goto out;
    }
    if (r == 0)
        start_writeback(&l);
    for (i = 0; i < l.n && r == 0; i++)
        if (!l.is_dir[i] && fsync_path(l.path[i], 0) != 0) {
            r = -1;
            e = errno;
        }
    for (i = 0; i < l.n && r == 0; i++)
        if (l.is_dir[i] && fsync_path(l.path[i], 1) != 0) {
            r = -1;
            e = errno;
        }
out:
    for (i = 0; i < l.n; i++)
        free(l.path[i]);
    free(l.path);
    free(l.is_dir);
    errno = e;
    return r;
}

/* Splits "PARENT/NAME" (a name without '/' means PARENT "."). */
static void split_target(ip_stage *s, const char *target)
{
    const char *slash = strrchr(target, '/');
    const char *name = slash ? slash + 1 : target;
    if (*name == '\0')
        IP_BUG("stage target '%s' ends in '/'", target);
    s->target = ip_xstrdup(target);
    s->parent = ip_files_dir_of(target);
    s->prefix = ip_xasprintf(".%s.tmp-", name);
}

static void stage_free(ip_stage *s)
{
    ip_stage **p;
    if (!s)
        return;
    for (p = &open_stages; *p; p = &(*p)->next)
        if (*p == s) {
            *p = s->next;
            break;
        }
    free(s->shown);
    if (s->lock_fd >= 0)
        close(s->lock_fd); /* releases the flock */
    free(s->target);
    free(s->parent);
    free(s->prefix);
    free(s->dir);
    free(s);
    ip_signals_leave(); /* begin's enter: nothing of this stage is left */
}

/* 1 when name is a stage's name for prefix: the prefix and exactly the six
 * letters and digits mkdtemp() puts in place of XXXXXX. Anything else (a
 * user's ".2025.tmp-my-backup") is not ours and is never removed. */
static int is_stage_name(const char *name, const char *prefix)
{
    size_t plen = strlen(prefix), i;
    if (strncmp(name, prefix, plen) != 0 || strlen(name) != plen + 6)
        return 0;
    for (i = plen; i < plen + 6; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            return 0;
    }
    return 1;
}

/* Removes the stages of s's target whose folders no open stage holds. Only
 * folders are stages: a file or a link under a stage's name was not made
 * here and stays. */
static void sweep(const ip_stage *s)
{
    DIR *dir = opendir(s->parent);
    struct dirent *de;
    if (!dir)
        return;
    while ((de = readdir(dir)) != NULL) {
        char *p;
        int fd;
        if (!is_stage_name(de->d_name, s->prefix))
            continue;
        p = ip_xasprintf("%s/%s", s->parent, de->d_name);
        fd = open(p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0) {
            if (flock(fd, LOCK_EX | LOCK_NB) == 0) /* held until the folder is gone */
                remove_or_warn(p, "the temporary folder of a stopped run of", s->target);
            close(fd);
        }
        free(p);
    }
    closedir(dir);
}

/* The folder a stage of target replaces: target itself (a folder, or
 * nothing yet), or the folder a symbolic link at target leads to — the link
 * stays and keeps leading to the new version, which is built and swapped
 * beside the link's target. Anything else at target (a regular file, a
 * link to no folder) is not replaced: IP_ERR_CANTCREAT. */
static ip_err resolve_target(const char *target, char **out, ip_diag *d)
{
    struct stat st;
    char *real;
    *out = NULL;
    if (lstat(target, &st) != 0) {
        /* nothing there yet; a parent that is no folder is begin's to
         * report */
        if (errno == ENOENT || errno == ENOTDIR) {
            *out = ip_xstrdup(target);
            return IP_OK;
        }
        return ip_diag_set(d, IP_ERR_CANTCREAT, target, 0, "cannot look at: %s",
                           strerror(errno));
    }
    if (S_ISDIR(st.st_mode)) {
        *out = ip_xstrdup(target);
        return IP_OK;
    }
    if (!S_ISLNK(st.st_mode))
        return ip_diag_set(d, IP_ERR_CANTCREAT, target, 0,
                           "expected a folder to replace, found %s; move it out of the way",
                           ip_files_kind(st.st_mode));
    {
        /* A folder others may write (umask 000, a shared folder) lets them
         * plant a link at the target and have the run replace whatever it
         * leads to: such a link is followed only when the run's user or
         * root made it (the rule of fs.protected_symlinks and sshd's
         * StrictModes). */
        struct stat up;
        char *parent = ip_files_dir_of(target);
        int open_to_others = stat(parent, &up) == 0 && (up.st_mode & (S_IWGRP | S_IWOTH));
        free(parent);
        if (open_to_others && st.st_uid != geteuid() && st.st_uid != 0)
            return ip_diag_set(d, IP_ERR_CANTCREAT, target, 0,
                               "expected a link made by the run's user or root in a folder "
                               "others may write, found one owned by user %lu; remove it, or "
                               "make the folder above it writable by its owner only",
                               (unsigned long)st.st_uid);
    }
    real = realpath(target, NULL);
    if (!real || stat(real, &st) != 0 || !S_ISDIR(st.st_mode) || strcmp(real, "/") == 0) {
        char to[512];
        ssize_t n = readlink(target, to, sizeof to - 1);
        to[n > 0 ? n : 0] = '\0';
        free(real);
        return ip_diag_set(d, IP_ERR_CANTCREAT, target, 0,
                           "expected a folder or a link to one, found a link to %s, which is "
                           "not a folder; make it a folder or a link to one", to);
    }
    *out = real;
    return IP_OK;
}

/* A folder that is the root of a mount (a share or a bind mount at the
 * target, or the target a link to one) cannot be swapped: the exchange
 * would fail with EBUSY, after the record may have been committed. statx()'s
 * STATX_ATTR_MOUNT_ROOT where the kernel says it (5.8 on), else a device
 * other than its parent's. */
static int is_mount_root(const char *path)
{
    struct statx sx;
    struct stat st, up;
    char *parent;
    int r;
    if (statx(AT_FDCWD, path, 0, STATX_INO, &sx) == 0 &&
        (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT))
        return (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
    parent = ip_xasprintf("%s/..", path);
    r = stat(path, &st) == 0 && stat(parent, &up) == 0 && st.st_dev != up.st_dev;
    free(parent);
    return r;
}

/* A symbolic link among the entries of the folder a stage replaces (a
 * year folder's invoices -> a share, ledger.csv -> an import folder, the
 * record's invoices -> a backup) would be dropped by the swap without a
 * word and its target left stale: refused, as a link at the target itself is
 * followed instead. */
static ip_err check_entries(const char *target, const char *real, ip_diag *d)
{
    DIR *dir = opendir(real);
    struct dirent *de;
    ip_err e = IP_OK;
    if (!dir)
        return IP_OK; /* begin reports what it cannot do */
    while (!e && (de = readdir(dir)) != NULL) {
        struct stat st;
        char to[512];
        ssize_t n;
        if (fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISLNK(st.st_mode))
            continue;
        n = readlinkat(dirfd(dir), de->d_name, to, sizeof to - 1);
        to[n > 0 ? n : 0] = '\0';
        {
            char *name = ip_xasprintf("%s/%s", target, de->d_name);
            e = ip_diag_set(d, IP_ERR_CANTCREAT, name, 0,
                            "expected a file or folder the run made, found a symbolic link "
                            "to %s, which replacing %s would drop; remove the link (a link "
                            "at %s itself is followed)", to, target, target);
            free(name);
        }
    }
    closedir(dir);
    return e;
}

/* What begin checks of a resolved target before it makes a stage: no mount
 * root in its place, no link among its entries. */
static ip_err check_replaceable(const char *target, const char *real, ip_diag *d)
{
    struct stat st;
    if (stat(real, &st) != 0 || !S_ISDIR(st.st_mode))
        return IP_OK;
    if (!is_mount_root(real))
        return check_entries(target, real, d);
    if (strcmp(real, target) == 0)
        return ip_diag_set(d, IP_ERR_CANTCREAT, target, 0,
                           "expected a folder the run can replace, found a mount point, which "
                           "cannot be swapped; mount the file system one level up, or make %s "
                           "a link to a folder inside it", target);
    return ip_diag_set(d, IP_ERR_CANTCREAT, target, 0,
                       "expected a folder the run can replace, found a link to the mount "
                       "point %s, which cannot be swapped; link to a folder inside the mounted "
                       "file system instead", real);
}

/* The swap of a stage with its target needs renameat2(RENAME_EXCHANGE) in
 * the stage's folder; NFS and SMB/CIFS do not have it (EINVAL), and a first
 * run there would work and every later run fail. Two empty folders made in
 * dir exchange names and are removed again; errno when they cannot. */
static int exchange_works(const char *dir)
{
    char *a = ip_xasprintf("%s/a", dir), *b = ip_xasprintf("%s/b", dir);
    int r = -1, err = 0;
    if (mkdir(a, 0700) == 0 && mkdir(b, 0700) == 0) {
        r = renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
        err = errno;
    } else {
        err = errno;
    }
    rmdir(a);
    rmdir(b);
    free(a);
    free(b);
    errno = err;
    return r;
}

static ip_err exchange_failed(const char *parent, ip_diag *d)
{
    struct statfs fs;
    int err = errno;
    char kind[32] = "";
    if (statfs(parent, &fs) == 0)
        snprintf(kind, sizeof kind, " (file system type 0x%lx)", (unsigned long)fs.f_type);
    return ip_diag_set(d, IP_ERR_CANTCREAT, parent, 0,
                       "expected a file system that can exchange two folders in one step "
                       "(renameat2 RENAME_EXCHANGE), found one that cannot%s: %s; put the "
                       "output on a local file system (ext4, xfs, btrfs, tmpfs)",
                       kind, strerror(err));
}

static int make_dir(ip_stage *s);

/* The nearest folder of path that exists, and whether the run could create
 * folders in it: errno when not. */
static int can_create_in(const char *path)
{
    char *p = ip_xstrdup(path);
    struct stat st;
    int r;
    for (;;) {
        char *slash;
        if (stat(p, &st) == 0)
            break;
        if (lstat(p, &st) == 0) { /* a link to nothing: mkdir cannot follow it */
            free(p);
            errno = ENOENT;
            return -1;
        }
        slash = strrchr(p, '/');
        if (!slash) {
            strcpy(p, ".");
            continue;
        }
        if (slash == p) {
            p[1] = '\0';
            continue;
        }
        *slash = '\0';
    }
    r = S_ISDIR(st.st_mode) ? faccessat(AT_FDCWD, p, W_OK | X_OK, AT_EACCESS) : (errno = ENOTDIR, -1);
    free(p);
    return r;
}

ip_err ip_stage_probe(const char *target, ip_diag *d)
{
    ip_stage s;
    char *real;
    struct stat st;
    ip_err e = resolve_target(target, &real, d);
    if (e)
        return e;
    if ((e = check_replaceable(target, real, d))) {
        free(real);
        return e;
    }
    memset(&s, 0, sizeof s);
    s.lock_fd = -1;
    split_target(&s, real);
    free(real);
    if (lstat(s.parent, &st) == 0 && stat(s.parent, &st) != 0) {
        /* a link to nothing where the stage would be made */
        e = ip_diag_set(d, IP_ERR_CANTCREAT, s.parent, 0, "cannot create a temporary folder: %s",
                        strerror(errno));
    } else if (stat(s.parent, &st) != 0) {
        /* begin creates it: the folder above must let it */
        if (can_create_in(s.parent) != 0)
            e = ip_diag_set(d, IP_ERR_CANTCREAT, s.parent, 0, "cannot create folder: %s",
                            strerror(errno));
    } else if (make_dir(&s) != 0) {
        e = ip_diag_set(d, IP_ERR_CANTCREAT, s.parent, 0, "cannot create a temporary folder: %s",
                        strerror(errno));
        free(s.dir);
        s.dir = NULL;
    } else {
        /* as the run's stage would be made, and removed again */
        if (exchange_works(s.dir) != 0)
            e = exchange_failed(s.parent, d);
        rmdir(s.dir);
        close(s.lock_fd);
    }
    free(s.dir);
    free(s.target);
    free(s.parent);
    free(s.prefix);
    return e;
}

void ip_stage_sweep(const char *target)
{
    ip_stage s;
    char *real;
    if (resolve_target(target, &real, NULL) != IP_OK)
        return;
    memset(&s, 0, sizeof s);
    s.lock_fd = -1;
    split_target(&s, real);
    sweep(&s);
    free(real);
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
    ip_stage *s;
    char *real;
    ip_err e;
    *out = NULL;
    if ((e = resolve_target(target, &real, d)))
        return e;
    if ((e = check_replaceable(target, real, d))) {
        free(real);
        return e;
    }
    /* from here a signal waits for the stage to be removed (signals.h) */
    ip_signals_enter();
    s = ip_xcalloc(1, sizeof *s);
    s->lock_fd = -1;
    split_target(s, real);
    free(real);
    s->shown = ip_xstrdup(target);
    s->next = open_stages;
    open_stages = s;
    if (mkdir(s->parent, 0777) != 0 && errno != EEXIST) {
        e = ip_diag_set(d, IP_ERR_CANTCREAT, s->parent, 0, "cannot create folder: %s",
                        strerror(errno));
        stage_free(s);
        return e;
    }
    sweep(s);
    if (make_dir(s) != 0) {
        e = ip_diag_set(d, ip_stage_create_err(errno), s->parent, 0,
                        "cannot create a temporary folder: %s", strerror(errno));
        free(s->dir);
        s->dir = NULL; /* mkdtemp failed: nothing to remove */
        stage_free(s);
        return e;
    }
    if (exchange_works(s->dir) != 0) {
        e = exchange_failed(s->parent, d);
        ip_stage_abort(s);
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

char *ip_stage_shown(const char *path)
{
    const ip_stage *s;
    if (!path)
        return ip_xstrdup("");
    for (s = open_stages; s; s = s->next) {
        size_t n;
        if (!s->dir)
            continue;
        n = strlen(s->dir);
        if (strncmp(path, s->dir, n) == 0 && (path[n] == '/' || path[n] == '\0'))
            return ip_xasprintf("%s%s", s->shown, path + n);
    }
    return ip_xstrdup(path);
}

ip_err ip_write_failed(ip_diag *d, const char *path, int err)
{
    char *shown = ip_stage_shown(path);
    ip_diag_set(d, IP_ERR_IO, shown, 0, "cannot write: %s", strerror(err ? err : EIO));
    free(shown);
    return IP_ERR_IO;
}

/* "FILE: cannot create: reason", FILE as ip_stage_shown names path:
 * IP_ERR_CANTCREAT, or IP_ERR_IO when the disk is full (no space or no inode
 * left, a quota): a full disk is 74 whether it stops a write or a create. */
static ip_err create_failed(ip_diag *d, const char *path, const char *what, int err)
{
    char *shown = ip_stage_shown(path);
    ip_err code = ip_stage_create_err(err);
    ip_diag_set(d, code, shown, 0, "cannot create%s: %s", what, strerror(err ? err : EIO));
    free(shown);
    return code;
}

ip_err ip_stage_create_err(int err)
{
    return err == ENOSPC || err == EDQUOT ? IP_ERR_IO : IP_ERR_CANTCREAT;
}

ip_err ip_stage_mkdir(ip_stage *s, const char *rel, ip_diag *d)
{
    char *p;
    ip_err e = ip_signals_check(d);
    if (e)
        return e;
    p = ip_stage_path(s, rel);
    if (mkdir(p, 0755) != 0 && errno != EEXIST)
        e = create_failed(d, p, " folder", errno);
    free(p);
    return e;
}

ip_err ip_stage_fopen(ip_stage *s, const char *rel, FILE **f, ip_diag *d)
{
    char *p;
    ip_err e = ip_signals_check(d);
    *f = NULL;
    if (e)
        return e;
    p = ip_stage_path(s, rel);
    *f = fopen(p, "w");
    if (!*f)
        e = create_failed(d, p, "", errno);
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
        ip_write_failed(d, p, e);
        free(p);
        return IP_ERR_IO;
    }
    return IP_OK;
}

ip_err ip_stage_copy(ip_stage *s, const char *from, const char *rel, ip_diag *d)
{
    enum { CHUNK = 1 << 16 };
    char *buf, *to;
    int in, fd, err;
    ip_err e;
    /* The sources are the record's copies: regular files, never a link. */
    if ((e = ip_signals_check(d)) || (e = ip_files_open(from, from, IP_FILES_NOFOLLOW, &in, d)))
        return e;
    to = ip_stage_path(s, rel);
    fd = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) {
        e = create_failed(d, to, "", errno);
        close(in);
        free(to);
        return e;
    }
    buf = ip_xmalloc(CHUNK);
    for (;;) {
        ssize_t n = read(in, buf, CHUNK), off = 0;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            e = ip_diag_set(d, IP_ERR_IO, from, 0, "cannot read: %s", strerror(errno));
            break;
        }
        if (n == 0)
            break;
        while (off < n) {
            ssize_t w = write(fd, buf + off, (size_t)(n - off));
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                err = w < 0 ? errno : EIO;
                e = ip_write_failed(d, to, err);
                break;
            }
            off += w;
        }
        if (e)
            break;
    }
    if (close(fd) != 0 && !e)
        e = ip_write_failed(d, to, errno);
    close(in);
    free(buf);
    free(to);
    return e;
}

ip_err ip_stage_link(ip_stage *s, const char *from, const char *rel, ip_diag *d)
{
    struct stat st;
    char *to;
    ip_err e;
    if ((e = ip_signals_check(d)))
        return e;
    /* A regular file with no other name, or a copy: never a symbolic
     * link's target, never a file that is also somewhere else. */
    if (lstat(from, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1)
        return ip_stage_copy(s, from, rel, d);
    to = ip_stage_path(s, rel);
    if (link(from, to) == 0) {
        free(to);
        return IP_OK;
    }
    free(to);
    /* EXDEV, EPERM, EMLINK, ENOTSUP…: a file system without (more) links */
    return ip_stage_copy(s, from, rel, d);
}

ip_err ip_stage_commit(ip_stage *s, ip_diag *d)
{
    struct stat st;
    int exists;
    ip_err e;
    if (sync_stage(s) != 0) {
        e = ip_write_failed(d, s->dir, errno);
        goto fail;
    }
    ip_kill_point();
    /* the last moment a signal stops the run with the target as it was */
    if ((e = ip_signals_check(d)))
        goto fail;
    exists = lstat(s->target, &st) == 0;
    if (exists) {
        if (renameat2(AT_FDCWD, s->dir, AT_FDCWD, s->target, RENAME_EXCHANGE) != 0) {
            e = ip_diag_set(d, IP_ERR_CANTCREAT, s->shown, 0, "cannot replace: %s",
                            strerror(errno));
            goto fail;
        }
    } else if (rename(s->dir, s->target) != 0) {
        e = create_failed(d, s->target, "", errno);
        goto fail;
    }
    fsync_path(s->parent, 1);
    ip_kill_point();
    /* The previous version, now under the stage's name and held by no lock
     * (the lock went with the new folder): a kill before this line leaves it
     * to the next sweep. */
    if (exists)
        remove_or_warn(s->dir, "the previous version of", s->shown);
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
        remove_or_warn(s->dir, "the temporary folder of", s->shown);
    stage_free(s);
}
