/*
 * signals.h — SIGTERM, SIGINT and SIGHUP end a run cleanly.
 *
 * While no temporary folder of the run exists (reading, computing, check,
 * explain, a dry run) a signal ends the process at once, by the signal
 * itself: nothing was written and the output lock, if held, goes with the
 * process. While a stage exists (stage.h counts them with ip_signals_enter/
 * ip_signals_leave) the handler only notes the signal; the run stops at the
 * next check (ip_signals_check: every file and folder a stage creates, every
 * document, the commit before its swap), removes its stages as after any
 * error and ends by the same signal (a shell sees 128 + n: 129 SIGHUP, 130
 * SIGINT, 143 SIGTERM). Once the record of issued documents has been
 * committed (ip_signals_hold) the year folder follows it and the run ends
 * by the signal only after that. A signal that was ignored when the program
 * started (nohup) stays ignored.
 */
#ifndef IP_SIGNALS_H
#define IP_SIGNALS_H

#include <pthread.h>

#include "error.h"

/* Installs the handler for SIGTERM, SIGINT and SIGHUP (those not ignored),
 * and ignores SIGPIPE: a closed pipe on standard output is a failed write
 * (EPIPE, exit 74), not death by signal. */
void ip_signals_install(void);

/* A stage is about to exist / has been removed: a signal in between is
 * noted, not acted on at once. Nested calls count. */
void ip_signals_enter(void);
void ip_signals_leave(void);

/* The outputs are being committed: a signal from now on waits for the end. */
void ip_signals_hold(void);

/* IP_ERR_TEMPFAIL with a line naming the signal when one has arrived and
 * the run is not held; else IP_OK. */
ip_err ip_signals_check(ip_diag *d);

/* mkstemp(tmpl) with the handled signals blocked, the file it made
 * registered as the one temporary file outside a stage: a signal that ends
 * the process at once removes it first (the comparison workbook's
 * FILE.xlsx.tmp-XXXXXX). ip_signals_temp_done() forgets it, once it is
 * renamed or removed. */
int ip_signals_mkstemp(char *tmpl);
void ip_signals_temp_done(void);

/* Starts fn(arg) on a new thread that takes no signal (all blocked in it),
 * so that the handlers run on the calling thread, which checks for a signal
 * as the run goes on. 1 when started, 0 when no thread could be made (the
 * caller does the work itself). */
int ip_signals_thread(pthread_t *t, void *(*fn)(void *), void *arg);

/* The signal that arrived (0: none). */
int ip_signals_pending(void);

/* When a signal arrived: ends the process by it (default action). Returns
 * only when none did. */
void ip_signals_finish(void);

#endif /* IP_SIGNALS_H */
