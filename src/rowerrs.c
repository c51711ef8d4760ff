/*
 * rowerrs.c — the list of bad rows of one input file (rowerrs.h): the first
 * as the diag's message, ten more as its extra lines, then the total.
 */
#include "rowerrs.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Room kept in the extra text for the total line ("N rows with errors in
 * all", N of at most 20 digits). */
#define TOTAL_ROOM 48

void ip_rowerrs_init(ip_rowerrs *re, ip_diag *d, const char *file)
{
    re->d = d;
    re->file = file;
    re->count = 0;
    re->code = IP_OK;
}

/* Lists one line after the first error when the list has room for it. */
static void list_line(ip_rowerrs *re, const char *text)
{
    size_t used = strlen(re->d->extra);
    if (re->count > IP_ROWERRS_LISTED)
        return;
    if (used + 1 + strlen(text) + 1 + TOTAL_ROOM >= sizeof re->d->extra)
        return;
    ip_diag_add(re->d, "%s", text);
}

void ip_rowerrs_add(ip_rowerrs *re, ip_err code, long line, const char *fmt, ...)
{
    char msg[IP_DIAG_MSG];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (re->count == 0) {
        ip_diag_set(re->d, code, re->file, line, "%s", msg);
        re->code = code;
    } else {
        char text[IP_DIAG_MSG + 600];
        snprintf(text, sizeof text, "%s:%ld: %s", re->file, line, msg);
        list_line(re, text);
    }
    re->count++;
}

void ip_rowerrs_stop(ip_rowerrs *re, const ip_diag *stop)
{
    if (re->count == 0) {
        *re->d = *stop;
        re->code = stop->code;
    } else {
        char text[IP_DIAG_MSG + 600], line[IP_DIAG_MSG + 640];
        ip_diag_format(stop, text, sizeof text);
        snprintf(line, sizeof line, "%s (reading stopped there)", text);
        list_line(re, line);
    }
    re->count++;
}

ip_err ip_rowerrs_finish(ip_rowerrs *re)
{
    if (re->count > 1)
        ip_diag_add(re->d, "%zu rows with errors in all", re->count);
    return re->code;
}
