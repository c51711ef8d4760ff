/*
 * outdir.h — the output root of a run: its lock, and the year folder built
 * in a stage (stage.h) and swapped into place only when everything
 * succeeded.
 *
 *   ROOT/.internpris.lock   flock()ed for the whole run: two runs on one
 *                           output root cannot both write (the second fails
 *                           with IP_ERR_TEMPFAIL)
 *   ROOT/.Y.tmp-XXXXXX/     the new year folder while it is written
 *   ROOT/Y/                 the last complete year folder
 *
 * Everything that reads the root and then writes it (the year folder, the
 * record of issued documents, issued.h) does so under the lock, so stale
 * temporary folders seen then are from killed runs.
 */
#ifndef IP_OUTDIR_H
#define IP_OUTDIR_H

#include "error.h"
#include "stage.h"

typedef struct ip_outdir ip_outdir;

/* Creates ROOT if needed, takes the lock and begins the stage of ROOT/Y
 * (which removes the stale temporary folders of year). Errors:
 * IP_ERR_CANTCREAT, IP_ERR_TEMPFAIL. */
ip_err ip_outdir_begin(const char *root, int year, ip_outdir **out, ip_diag *d);

/* What begin would refuse, found without creating, locking or removing
 * anything (check's pre-flight): a ROOT that is not a folder, a ROOT/Y that
 * is neither a folder nor a link to one. IP_OK when either is missing.
 * Errors: IP_ERR_CANTCREAT as begin's. */
ip_err ip_outdir_probe(const char *root, int year, ip_diag *d);

/* The stage of ROOT/Y, where the run writes its files (valid until commit or
 * abort). */
ip_stage *ip_outdir_stage(ip_outdir *o);

/* Commits the stage into ROOT/Y (ip_stage_commit) and releases the lock.
 * After a failure the previous output is still in place. o is freed in every
 * case. */
ip_err ip_outdir_commit(ip_outdir *o, ip_diag *d);

/* Removes the stage and releases the lock; o is freed. NULL ok. */
void ip_outdir_abort(ip_outdir *o);

#endif /* IP_OUTDIR_H */
