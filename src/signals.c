/*
 * signals.c — SIGTERM, SIGINT and SIGHUP turned into a clean stop: at once
 * when nothing is staged, at the next check while a stage exists; the run's
 * helper threads are started with every signal blocked, so the handlers run
 * on the thread that checks.
 */
#include "signals.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static volatile sig_atomic_t pending; /* the signal that arrived, 0: none */
static volatile sig_atomic_t staged;  /* stages that exist (or are being made) */
static volatile sig_atomic_t held;    /* committing: stop only at the end */

static const int handled[] = {SIGTERM, SIGINT, SIGHUP};

/* A temporary file outside any stage (scenario's workbook): removed by the
 * handler before the process ends by the signal. */
static char *volatile temp_file;

static void on_signal(int sig)
{
    if (!staged) {
        /* nothing staged: the temporary file, if any, goes; then end now,
         * by the signal itself */
        char *t = temp_file;
        if (t)
            unlink(t);
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    pending = sig;
}

void ip_signals_install(void)
{
    size_t i;
    /* a reader that went away (| head) is a write error like any other:
     * the write fails with EPIPE and the command ends with 74, the status
     * of a closed standard output, instead of being killed by SIGPIPE */
    signal(SIGPIPE, SIG_IGN);
    for (i = 0; i < sizeof handled / sizeof handled[0]; i++) {
        struct sigaction sa, old;
        if (sigaction(handled[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue; /* nohup and the like: stays ignored */
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESTART;
        sigaction(handled[i], &sa, NULL);
    }
}

void ip_signals_enter(void)
{
    staged = staged + 1;
}

void ip_signals_leave(void)
{
    if (staged > 0)
        staged = staged - 1;
}

void ip_signals_hold(void)
{
    held = 1;
}

static const char *signal_name(int sig)
{
    switch (sig) {
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    case SIGHUP: return "SIGHUP";
    default: return "a signal";
    }
}

ip_err ip_signals_check(ip_diag *d)
{
    if (!pending || held)
        return IP_OK;
    return ip_diag_set(d, IP_ERR_TEMPFAIL, NULL, 0,
                       "stopped by %s before the output was complete: its temporary folders "
                       "are removed, the year folder and the record are as they were",
                       signal_name(pending));
}

int ip_signals_pending(void)
{
    return pending;
}

void ip_signals_finish(void)
{
    int sig = pending;
    if (!sig)
        return;
    signal(sig, SIG_DFL);
    raise(sig);
}

/* The handled signals blocked (how SIG_BLOCK) or let through again. */
static void mask_handled(int how, sigset_t *old)
{
    sigset_t set;
    size_t i;
    sigemptyset(&set);
    for (i = 0; i < sizeof handled / sizeof handled[0]; i++)
        sigaddset(&set, handled[i]);
    sigprocmask(how, &set, old);
}

int ip_signals_mkstemp(char *tmpl)
{
    sigset_t old;
    int fd;
    char *copy = ip_xstrdup(tmpl); /* allocated before the signals wait */
    mask_handled(SIG_BLOCK, &old);
    fd = mkstemp(tmpl);
    if (fd >= 0) {
        memcpy(copy, tmpl, strlen(tmpl) + 1);
        temp_file = copy;
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (fd < 0)
        free(copy);
    return fd;
}

void ip_signals_temp_done(void)
{
    sigset_t old;
    char *t;
    mask_handled(SIG_BLOCK, &old);
    t = temp_file;
    temp_file = NULL;
    sigprocmask(SIG_SETMASK, &old, NULL);
    free(t);
}

int ip_signals_thread(pthread_t *t, void *(*fn)(void *), void *arg)
{
    sigset_t all, old;
    int started;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    started = pthread_create(t, NULL, fn, arg) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return started;
}
