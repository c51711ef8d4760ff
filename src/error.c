/*
 * error.c — messages and exit codes of ip_err, and the ip_diag helpers.
 *
 * The two tables below have one entry per code; _Static_assert keeps them in
 * step with the enum so that a new code cannot be added without its message
 * and its exit status.
 */
#include "error.h"

#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "utf8.h"
#include "util.h"

static const char *const messages[] = {
    [IP_OK] = "success",
    [IP_ERR_USAGE] = "bad usage",
    [IP_ERR_DATA] = "bad input data",
    [IP_ERR_UNALLOCATABLE] = "fee cannot be allocated",
    [IP_ERR_NOINPUT] = "missing input",
    [IP_ERR_CANTCREAT] = "cannot create output",
    [IP_ERR_IO] = "input/output error",
    [IP_ERR_TEMPFAIL] = "output is locked by another run",
    [IP_ERR_TARIFF] = "bad tariff",
    [IP_ERR_SOFTWARE] = "internal error",
};
_Static_assert(sizeof messages / sizeof messages[0] == IP_ERR__COUNT,
               "one message per ip_err");

static const int exit_codes[] = {
    [IP_OK] = 0,
    [IP_ERR_USAGE] = EX_USAGE,
    [IP_ERR_DATA] = EX_DATAERR,
    [IP_ERR_UNALLOCATABLE] = EX_DATAERR,
    [IP_ERR_NOINPUT] = EX_NOINPUT,
    [IP_ERR_CANTCREAT] = EX_CANTCREAT,
    [IP_ERR_IO] = EX_IOERR,
    [IP_ERR_TEMPFAIL] = EX_TEMPFAIL,
    [IP_ERR_TARIFF] = EX_CONFIG,
    [IP_ERR_SOFTWARE] = EX_SOFTWARE,
};
_Static_assert(sizeof exit_codes / sizeof exit_codes[0] == IP_ERR__COUNT,
               "one exit code per ip_err");

const char *ip_strerror(ip_err code)
{
    if ((unsigned)code >= IP_ERR__COUNT)
        return "unknown error";
    return messages[code];
}

int ip_err_exit_code(ip_err code)
{
    if ((unsigned)code >= IP_ERR__COUNT)
        return EX_SOFTWARE;
    return exit_codes[code];
}

void ip_diag_clear(ip_diag *d)
{
    if (!d)
        return;
    d->code = IP_OK;
    d->file[0] = '\0';
    d->line = 0;
    d->msg[0] = '\0';
    d->extra[0] = '\0';
}

ip_err ip_diag_vset(ip_diag *d, ip_err code, const char *file, long line,
                    const char *fmt, va_list ap)
{
    if (!d)
        return code;
    d->code = code;
    snprintf(d->file, sizeof d->file, "%s", file ? file : "");
    d->line = line;
    vsnprintf(d->msg, sizeof d->msg, fmt, ap);
    d->extra[0] = '\0';
    return code;
}

ip_err ip_diag_set(ip_diag *d, ip_err code, const char *file, long line,
                   const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ip_diag_vset(d, code, file, line, fmt, ap);
    va_end(ap);
    return code;
}

void ip_diag_add(ip_diag *d, const char *fmt, ...)
{
    size_t used;
    va_list ap;
    if (!d)
        return;
    used = strlen(d->extra);
    if (used + 2 >= sizeof d->extra)
        return;
    if (used)
        d->extra[used++] = '\n';
    va_start(ap, fmt);
    vsnprintf(d->extra + used, sizeof d->extra - used, fmt, ap);
    va_end(ap);
}

void ip_diag_format(const ip_diag *d, char *buf, size_t size)
{
    if (d->file[0] && d->line > 0)
        snprintf(buf, size, "%s:%ld: %s", d->file, d->line, d->msg);
    else if (d->file[0])
        snprintf(buf, size, "%s: %s", d->file, d->msg);
    else
        snprintf(buf, size, "internpris: %s", d->msg);
}

/* One line of n bytes of s to f, a control character in it (a newline or
 * an escape in a path from the command line) as \xNN: an error stays one
 * line and cannot colour the terminal or forge a line of its own. */
static void put_line(FILE *f, const char *prefix, const char *s, size_t n)
{
    size_t i;
    fputs(prefix ? prefix : "", f);
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7F)
            fprintf(f, "\\x%02X", c);
        else
            fputc(c, f);
    }
    fputc('\n', f);
}

char *ip_quote_path(const char *s)
{
    size_t n = strlen(s), i, o = 0;
    char *r = ip_xmalloc(4 * n + 1);
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7F)
            o += (size_t)sprintf(r + o, "\\x%02X", c);
        else
            r[o++] = (char)c;
    }
    r[o] = '\0';
    return r;
}

void ip_diag_print(const ip_diag *d, FILE *f, const char *prefix)
{
    char line[IP_DIAG_MSG + 600];
    const char *p = d->extra;
    ip_diag_format(d, line, sizeof line);
    put_line(f, prefix, line, strlen(line));
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        put_line(f, prefix, p, n);
        p += n + (nl != NULL);
    }
}

const char *ip_quote(const char *s, size_t len, char *buf, size_t size)
{
    size_t o = 0, i = 0, limit = len > 40 ? 40 : len;
    const unsigned char *u = (const unsigned char *)s;
    if (size < 8) {
        if (size)
            buf[0] = '\0';
        return buf;
    }
    while (i < limit && o + 12 < size) {
        uint32_t cp = 0;
        int k = ip_utf8_decode(u + i, len - i, &cp);
        size_t n = k > 0 ? (size_t)k : 0;
        if (n == 1 && (u[i] < 0x20 || u[i] == 0x7F))
            n = 0;
        if (n > 1 && (ip_utf8_invisible(cp) || !ip_utf8_xml_char(cp))) {
            /* shown as what it is: a BOM, U+200B, U+202E would not show or
             * would turn the rest of the line around */
            o += (size_t)snprintf(buf + o, size - o, cp > 0xFFFF ? "\\U%08X" : "\\u%04X",
                                  (unsigned)cp);
            i += n;
        } else if (n) {
            memcpy(buf + o, s + i, n);
            o += n;
            i += n;
        } else {
            o += (size_t)snprintf(buf + o, size - o, "\\x%02X", u[i]);
            i++;
        }
    }
    if (i < len && o + 4 < size) {
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    buf[o] = '\0';
    return buf;
}

void ip_bug(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "internpris: BUG at %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}
