/*
 * outdir.h — all-or-nothing output: a run writes into a temporary folder
 * beside the target and swaps it into place only when everything succeeded.
 *
 *   ROOT/.internpris.lock   flock()ed for the whole run: two runs on one
 *                           output root cannot both write (the second fails
 *                           with IP_ERR_TEMPFAIL)
 *   ROOT/.Y.tmp-XXXXXX/     the new output while it is written
 *   ROOT/Y/                 the last complete output
 *
 * Every file is fsync()ed, then the temporary folder, then it is exchanged
 * with ROOT/Y in one atomic renameat2(RENAME_EXCHANGE) (or renamed when ROOT/Y
 * does not exist yet), and the root folder is fsync()ed. A run killed at any
 * moment leaves either the old or the new complete ROOT/Y; stale temporary
 * folders are removed by the next run.
 */
#ifndef IP_OUTDIR_H
#define IP_OUTDIR_H

#include <stdio.h>

#include "error.h"

typedef struct ip_outdir ip_outdir;

/* Creates ROOT if needed, takes the lock, removes stale temporary folders of
 * year and creates a fresh one. Errors: IP_ERR_CANTCREAT, IP_ERR_TEMPFAIL. */
ip_err ip_outdir_begin(const char *root, int year, ip_outdir **out, ip_diag *d);

/* The temporary folder (valid until commit/abort). */
const char *ip_outdir_tmp(const ip_outdir *o);

/* A heap path "tmp/rel" for a file to be written; the caller frees it. */
char *ip_outdir_file(const ip_outdir *o, const char *rel);

/* Creates the sub-folder rel inside the temporary folder. */
ip_err ip_outdir_mkdir(ip_outdir *o, const char *rel, ip_diag *d);

/* Opens tmp/rel for writing. */
ip_err ip_outdir_fopen(ip_outdir *o, const char *rel, FILE **f, ip_diag *d);

/* Flushes, fsyncs and closes f (opened by ip_outdir_fopen for rel); any
 * failure, including a full disk, is IP_ERR_IO. f is closed in every case. */
ip_err ip_outdir_fclose(ip_outdir *o, FILE *f, const char *rel, ip_diag *d);

/* fsyncs every file and folder under the temporary folder, swaps it into
 * ROOT/Y, removes the previous output and releases the lock. After a failure
 * the previous output is still in place. o is freed in every case. */
ip_err ip_outdir_commit(ip_outdir *o, ip_diag *d);

/* Removes the temporary folder and releases the lock; o is freed. NULL ok. */
void ip_outdir_abort(ip_outdir *o);

/* A point where a test may kill the run: when the environment variable
 * IP_TEST_KILL_AT is n, the n-th call in this process raises SIGKILL. The
 * kill test walks n = 1, 2, … until a run completes, so every point is hit
 * once; in normal runs the variable is unset and this does nothing. */
void ip_kill_point(void);

/* Removes a folder tree (no symlinks followed). Returns 0 or -1. */
int ip_rmtree(const char *path);

/* fsync of one file (dir 0) or folder (dir 1), and of every file and folder
 * of a tree, deepest first. Return 0 or -1 (errno set). */
int ip_fsync_path(const char *path, int dir);
int ip_fsync_tree(const char *path);

#endif /* IP_OUTDIR_H */
