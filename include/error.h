/*
 * error.h — the one error enum of internpris, its messages and exit codes.
 *
 * Every function that can fail returns an ip_err and, when it fails, fills a
 * caller-owned ip_diag with the file and line the problem concerns and one
 * sentence in git's style: lowercase, what was expected, what was found,
 * e.g. "cases.csv:42: expected a date YYYY-MM-DD, found '2024-13-01'".
 * Only main() turns an ip_err into a process exit code (sysexits.h).
 */
#ifndef IP_ERROR_H
#define IP_ERROR_H

#include <stdarg.h>
#include <stdio.h>

typedef enum ip_err {
    IP_OK = 0,            /**< success */
    IP_ERR_USAGE,         /**< bad command line (EX_USAGE 64) */
    IP_ERR_DATA,          /**< malformed statistics or register data (EX_DATAERR 65) */
    IP_ERR_UNALLOCATABLE, /**< a fee that cannot be allocated: W = 0, unknown customer (65) */
    IP_ERR_NOINPUT,       /**< an input file or folder is missing or unreadable (EX_NOINPUT 66) */
    IP_ERR_CANTCREAT,     /**< the output cannot be created (EX_CANTCREAT 73) */
    IP_ERR_IO,            /**< read or write failed mid-way, e.g. disk full (EX_IOERR 74) */
    IP_ERR_TEMPFAIL,      /**< another run holds the output lock (EX_TEMPFAIL 75) */
    IP_ERR_TARIFF,        /**< tariff.xml is malformed or inconsistent (EX_CONFIG 78) */
    IP_ERR_SOFTWARE,      /**< internal error, a bug (EX_SOFTWARE 70) */
    IP_ERR__COUNT         /**< sentinel: number of codes */
} ip_err;

/* Where and why something failed. file may be empty (no file concerned) and
 * line 0 (the whole file). extra holds further lines, e.g. "12 rows with errors in all". */
#define IP_DIAG_MSG 1024
#define IP_DIAG_EXTRA 2048
typedef struct ip_diag {
    ip_err code;
    char file[512];
    long line;
    char msg[IP_DIAG_MSG];
    char extra[IP_DIAG_EXTRA]; /* '\n'-separated lines printed after msg */
} ip_diag;

/* The short description of a code, e.g. "bad input data"; --help lists the
 * exit statuses with these. */
const char *ip_strerror(ip_err code);

/* The sysexits.h exit status for a code (0 for IP_OK). */
int ip_err_exit_code(ip_err code);

/* Clears a diag to "no error". */
void ip_diag_clear(ip_diag *d);

/* Fills d and returns code, so callers can `return ip_diag_set(...)`.
 * file may be NULL; line 0 means "no line". d may be NULL (message dropped). */
ip_err ip_diag_set(ip_diag *d, ip_err code, const char *file, long line,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));
ip_err ip_diag_vset(ip_diag *d, ip_err code, const char *file, long line,
                    const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

/* Appends one line to d->extra (silently truncated when full). */
void ip_diag_add(ip_diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints "file:line: msg" (or "file: msg", or "internpris: msg") and the extra
 * lines, one per line, to f. prefix, if not NULL, is printed before each line
 * (used for timestamps when stderr is not a terminal). */
void ip_diag_print(const ip_diag *d, FILE *f, const char *prefix);

/* Formats d's first line into buf (as ip_diag_print would print it). */
void ip_diag_format(const ip_diag *d, char *buf, size_t size);

/* Quotes at most 40 bytes of untrusted text for a message: printable ASCII and
 * valid UTF-8 kept, other bytes as \xNN, and characters that show as nothing
 * or turn the line around (ip_utf8_invisible(): U+00A0, U+200B, U+202E,
 * U+FEFF, ...) and those XML cannot carry as \uXXXX (\UXXXXXXXX beyond
 * U+FFFF); returns buf. */
const char *ip_quote(const char *s, size_t len, char *buf, size_t size);

/* A path for a message, whole (heap string): control characters (a newline,
 * an escape) as \xNN, so a name from the command line cannot break the line
 * or drive the terminal. ip_diag_print() does the same to every line. */
char *ip_quote_path(const char *s);

/* Internal error: prints file and line and aborts. */
#define IP_BUG(...) ip_bug(__FILE__, __LINE__, __VA_ARGS__)
_Noreturn void ip_bug(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif /* IP_ERROR_H */
