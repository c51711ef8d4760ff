/*
 * signals.c — SIGTERM, SIGINT and SIGHUP turned into a clean stop: at once
 * when nothing is staged, at the next check while a stage exists.
 */
#include "signals.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t pending; /* the signal that arrived, 0: none */
static volatile sig_atomic_t staged;  /* stages that exist (or are being made) */
static volatile sig_atomic_t held;    /* committing: stop only at the end */

static const int handled[] = {SIGTERM, SIGINT, SIGHUP};

static void on_signal(int sig)
{
    if (!staged) {
        /* nothing to clean up: end now, by the signal itself */
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    pending = sig;
}

void ip_signals_install(void)
{
    size_t i;
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
