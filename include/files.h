/*
 * files.h — the files a run reads and the folders it replaces, checked
 * before they are used.
 *
 * Reading. Every file the run reads (the inputs, tariff.xsd, last year's and
 * this year's fees.csv, the record's register.csv and stored copies) is
 * opened through ip_files_open(): O_NONBLOCK until fstat() has said what it
 * is, so a named pipe, a device, a socket or a folder given in a file's
 * place is refused at once (IP_ERR_NOINPUT, "expected a regular file, found
 * a named pipe") and never blocks the run; then the descriptor is made
 * blocking again for the read. Files read whole are read up to a bound
 * (ip_files_read()), so not even a growing file grows memory beyond it.
 * A file must stay the same while it is read: its size, modification and
 * change time are taken at the open and again at the end of the file, and
 * the bytes read must be its size at the open (ip_files_stamp_check()), so
 * an export that truncates, appends to or rewrites a file while the run
 * reads it fails the run (IP_ERR_DATA) instead of giving fees from a part.
 *
 * Links. A symbolic link among the inputs is followed only when it leads to
 * a file inside the folder the link lies in (ip_files_check_link()): a file
 * elsewhere is refused before a byte of it is read, so no error line quotes
 * the content of a file outside the input folder. The record's files are
 * written by internpris only and are opened with IP_FILES_NOFOLLOW.
 *
 * Folders. ip_files_canonical() gives the absolute path a name stands for,
 * symbolic links and '.' and '..' resolved (also for a path whose last parts
 * do not exist yet), and ip_files_inside() compares two of them, so that the
 * command line can refuse an input folder that a run would replace. Names
 * alone cannot see every overlap — one folder mounted at two places (bind
 * mounts, container volumes), a case-insensitive share, a path too deep for
 * realpath() — so the folders are also compared by what they are:
 * ip_files_place_of() looks a path up one component at a time (no PATH_MAX)
 * and keeps the (st_dev, st_ino) of what it reached and of every folder
 * above it, and ip_files_place_cmp() finds one inside the other by those.
 */
#ifndef IP_FILES_H
#define IP_FILES_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "error.h"

/* ip_files_open() flags */
#define IP_FILES_FOLLOW 0   /* a symbolic link is followed */
#define IP_FILES_NOFOLLOW 1 /* a symbolic link is refused (the record's files) */

/* What a file of this mode is, for "found …": "a named pipe", "a folder",
 * "a character device", "a block device", "a socket", "a symbolic link",
 * "a regular file". */
const char *ip_files_kind(mode_t mode);

/* Opens path for reading as described above. Returns a blocking O_CLOEXEC
 * descriptor of a regular file, or -1: errno set, and when the file exists
 * but is not a regular file, errno is 0 and *kind (when kind is not NULL)
 * says what it is. */
int ip_files_open_fd(const char *path, int flags, const char **kind);

/* ip_files_open_fd() with the message: IP_ERR_NOINPUT "name: cannot open:
 * reason" or "name: expected a regular file, found a named pipe". */
ip_err ip_files_open(const char *path, const char *name, int flags, int *fd, ip_diag *d);

/* The checks of ip_files_open() without opening (stat, or lstat with
 * IP_FILES_NOFOLLOW): IP_OK for a regular file; IP_ERR_NOINPUT for another
 * kind; a missing file is IP_OK with *exists 0 (exists may be NULL, then a
 * missing file is IP_ERR_NOINPUT). */
ip_err ip_files_check(const char *path, const char *name, int flags, int *exists, ip_diag *d);

/* Reads a regular file whole into a NUL-terminated heap buffer (*data, *len),
 * at most max + 1 bytes: a caller that finds *len > max knows the file is
 * larger than it accepts without reading the rest. Errors as
 * ip_files_open(); a failed read is IP_ERR_IO "name: cannot read: reason". */
ip_err ip_files_read(const char *path, const char *name, int flags, size_t max, char **data,
                     size_t *len, ip_diag *d);

/* What a file was when it was opened: taken by ip_files_stamp_take() from
 * the descriptor, compared by ip_files_stamp_check() when its last byte has
 * been read. */
typedef struct ip_files_stamp {
    int valid; /* 0: fstat() failed at the open, nothing to compare */
    off_t size;
    struct timespec mtim, ctim;
} ip_files_stamp;

void ip_files_stamp_take(int fd, ip_files_stamp *s);

/* At the end of a file read from fd: IP_OK when bytes (all read from the
 * start) is the size at the open and size, modification and change time are
 * still those of the open; else IP_ERR_DATA "name: expected a file that
 * stays the same while it is read, found …; run again when the file is
 * complete". */
ip_err ip_files_stamp_check(int fd, const ip_files_stamp *s, uint64_t bytes, const char *name,
                            ip_diag *d);

/* When path is a symbolic link, it must lead to a file inside the folder
 * the link lies in (after every link is followed): else IP_ERR_NOINPUT
 * "name: expected a file inside DIR, found a link to TARGET". A path that is
 * not a link, or does not exist, is IP_OK (the open that follows reports
 * it). */
ip_err ip_files_check_link(const char *path, const char *name, ip_diag *d);

/* The folder part of path (heap string), by name, as dirname(3) has it:
 * "out/2025/fees.csv" is "out/2025", trailing and repeated slashes do not
 * count ("a//b/" is "a"), a bare name is ".", "/name" and "/" are "/". */
char *ip_files_dir_of(const char *path);

/* The canonical absolute path of path (heap string): the longest leading
 * part that exists resolved by realpath(), a symbolic link whose target does
 * not exist followed by name, and the rest appended with '.' and '..'
 * resolved by name. Never NULL. */
char *ip_files_canonical(const char *path);

/* 1 when the canonical path a is b or lies inside b, else 0. */
int ip_files_inside(const char *a, const char *b);

/* Where a path leads by identity: the deepest part of it that exists (links
 * followed, '..' the real parent), the folders above that up to '/' by
 * (st_dev, st_ino), and the parts below it that do not exist, by name. */
typedef struct ip_files_place ip_files_place;
ip_files_place *ip_files_place_of(const char *path);
void ip_files_place_free(ip_files_place *p); /* NULL ok */

/* 1 when x and y are the same, 2 when x lies inside y, else 0. */
int ip_files_place_cmp(const ip_files_place *x, const ip_files_place *y);

#endif /* IP_FILES_H */
