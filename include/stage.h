/*
 * stage.h — one crash-safe stage: the next version of a folder is built in a
 * temporary folder beside it and swapped into place in one atomic step.
 *
 *   PARENT/NAME/                   the target: the last complete version
 *   PARENT/.NAME.tmp-XXXXXX/       a stage: the next version while it is built
 *
 * Both the year folder (outdir.h) and the record of issued documents
 * (issued.h) are written through a stage, so the kill test proves this one
 * implementation:
 *
 *   begin    removes the stale stages of the target (see ip_stage_sweep) and
 *            creates a fresh one;
 *   fopen, mkdir, copy, path
 *            create files and folders inside it; nothing is synced yet;
 *   commit   makes every file and folder of the stage durable in one pass
 *            (one syncfs() for a stage of many files on ext4, xfs or
 *            btrfs; else fdatasync of each file, then fsync of each folder,
 *            deepest first), swaps
 *            the stage with the target by renameat2(RENAME_EXCHANGE) (or
 *            renames it when the target does not exist yet), fsyncs the
 *            parent, and removes the previous version, which now carries the
 *            stage's name;
 *   abort    removes the stage; the target is untouched.
 *
 * A process killed at any moment leaves the target either old or new and
 * complete; what it leaves under a stage name is removed by the next begin
 * or sweep. An open stage holds a flock() on its folder: the sweep removes
 * only stages no live process holds, so a second stage on the same target
 * (in this process or another) never loses its folder to the first one's
 * sweep. Commits of two stages on one target are not ordered by the stage:
 * each swaps in its own complete folder and the last wins, so a caller that
 * reads the target before it writes the next version serializes its runs
 * (the output lock, outdir.h).
 */
#ifndef IP_STAGE_H
#define IP_STAGE_H

#include <stdio.h>

#include "error.h"
#include "rmtree.h"

typedef struct ip_stage ip_stage;

/* Starts the next version of target ("PARENT/NAME", no trailing '/'):
 * creates PARENT when it is missing (one level), removes the stale stages of
 * target and creates PARENT/.NAME.tmp-XXXXXX (mode 0755). A symbolic link at
 * target is followed: the folder it leads to is the one replaced, its stage
 * lies beside that folder, and the link stays. A stale stage is a folder
 * named exactly .NAME.tmp- and six letters or digits that no open stage
 * holds; nothing else is removed. Errors: IP_ERR_CANTCREAT, also when
 * target is neither a folder nor a link to one (a regular file, a link to
 * nothing), which is left as it is. */
ip_err ip_stage_begin(const char *target, ip_stage **out, ip_diag *d);

/* What begin would say of target (check's pre-flight): IP_OK when target is
 * missing, a folder or a link to one that begin could stage and swap; else
 * begin's IP_ERR_CANTCREAT. Begin and probe both refuse a target that is
 * the root of a mount (it cannot be exchanged) and a file system where two
 * folders cannot be exchanged (RENAME_EXCHANGE: NFS, SMB); probe finds the
 * latter, and that the stage's folder is writable, by making a stage folder
 * and removing it at once (where the folder above exists; else it tests
 * that the nearest existing folder is writable). */
ip_err ip_stage_probe(const char *target, ip_diag *d);

/* The stage's folder and the target (where a link at the given target led),
 * valid until commit or abort. */
const char *ip_stage_dir(const ip_stage *s);
const char *ip_stage_target(const ip_stage *s);

/* A heap path "stage/rel" for a file that another writer creates (libxml2,
 * libxlsxwriter); commit makes it durable like every other file. The caller
 * frees it. */
char *ip_stage_path(const ip_stage *s, const char *rel);

/* The name a person knows for path: a path inside an open stage's folder
 * ("PARENT/.NAME.tmp-XXXXXX/rel") is named where it will be once the stage
 * is committed ("TARGET/rel", TARGET as given to begin, before a link is
 * followed); any other path is returned as it is. Every message about a
 * file the run writes names it so: the temporary folder is gone by the time
 * anyone reads the message. A heap string; NULL gives "". */
char *ip_stage_shown(const char *path);

/* The status of a failed create of a file or folder for the run's output
 * with errno err: IP_ERR_IO (74) for a full disk — ENOSPC (no space or no
 * inode left) or EDQUOT — like a failed write, else IP_ERR_CANTCREAT (73). */
ip_err ip_stage_create_err(int err);

/* The one form of every write failure: d gets "FILE: cannot write: reason"
 * (FILE as ip_stage_shown names path, reason strerror(err), EIO for 0) and
 * IP_ERR_IO is returned. For standard output path is IP_STDOUT_NAME. */
ip_err ip_write_failed(ip_diag *d, const char *path, int err);
#define IP_STDOUT_NAME "<stdout>"

/* Creates the folder rel inside the stage (an existing one is fine). Errors:
 * IP_ERR_CANTCREAT. */
ip_err ip_stage_mkdir(ip_stage *s, const char *rel, ip_diag *d);

/* Opens stage/rel for writing. Errors: IP_ERR_CANTCREAT. */
ip_err ip_stage_fopen(ip_stage *s, const char *rel, FILE **f, ip_diag *d);

/* Flushes and closes f (opened by ip_stage_fopen for rel); any write error,
 * including a full disk, is IP_ERR_IO. f is closed in every case. The file
 * is made durable by the commit, not here. */
ip_err ip_stage_fclose(ip_stage *s, FILE *f, const char *rel, ip_diag *d);

/* Copies the file from byte for byte to stage/rel, streaming. from must be a
 * regular file, not a link (files.h). Errors: IP_ERR_NOINPUT (from missing
 * or not a regular file), IP_ERR_IO (a read or write error),
 * IP_ERR_CANTCREAT. */
ip_err ip_stage_copy(ip_stage *s, const char *from, const char *rel, ip_diag *d);

/* Gives stage/rel the file from as a second name (a hard link) instead of a
 * copy of its bytes, or copies it (ip_stage_copy) when from has another
 * name already or the file system cannot link it. Only for a file that no one writes to again and that
 * belongs to the same side as the stage: the record's own documents into
 * the record's next version, a year folder's verified copy into the next
 * year folder — never the record's file into a year folder, whose copies a
 * person may open and edit (the record's would change with them). The file
 * is durable already; the commit makes the new name durable. Errors as
 * ip_stage_copy. */
ip_err ip_stage_link(ip_stage *s, const char *from, const char *rel, ip_diag *d);

/* Makes the stage durable, swaps it into the target and removes the previous
 * version (see above). A stage of many files is made durable by syncfs() on
 * the stage's folder, opened by begin before any file was written: it fails
 * on any writeback error of that file system since then, the stage's files'
 * and any other's (the stage is then not swapped). Errors: IP_ERR_IO (a
 * sync failed), IP_ERR_CANTCREAT
 * (the swap failed); after a failure the stage is removed and the target is
 * as before. s is freed in every case. */
ip_err ip_stage_commit(ip_stage *s, ip_diag *d);

/* Removes the stage; the target is untouched. s is freed. NULL ok. */
void ip_stage_abort(ip_stage *s);

/* Removes every stage of target that no open ip_stage holds: the folders of
 * runs that were killed, and a previous version left under a stage name by a
 * run killed right after its swap. ip_stage_begin does this itself; call it
 * when a run keeps the target as it is. */
void ip_stage_sweep(const char *target);

/* A point where a test may kill the run. In the test build (IP_TESTING, the
 * program internpris-testhooks): when the environment variable
 * IP_TEST_KILL_AT is n, the n-th call in this process raises SIGKILL; the
 * kill test walks n = 1, 2, … until a run completes, so every point is hit
 * once. The commit has two: before the swap and after it. With
 * IP_TEST_KILL_SIGNAL=n it raises signal n instead (the signal test). In the shipped
 * program it is an empty inline function: the variable is never read. */
#ifdef IP_TESTING
void ip_kill_point(void);
#else
static inline void ip_kill_point(void)
{
}
#endif

/* What the stage could not remove, one line each, for the command line to
 * print as warnings: the previous version after a swap, a stage's own
 * folder when it is aborted, a stopped run's temporary folder found by the
 * sweep ("out/.2025.tmp-Ab3dE9: cannot remove the previous version of
 * out/2025: Device or resource busy; remove it by hand"). The removal is
 * ip_rmtree() (rmtree.h): any depth, no link followed, no other mount
 * entered. The i-th line, or NULL past the last; valid until the process
 * ends. */
const char *ip_stage_warning(size_t i);

#endif /* IP_STAGE_H */
