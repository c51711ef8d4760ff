/*
 * util.h — the bottom floor: allocation that never returns NULL, a growable
 * string buffer (ip_buf), and small text helpers shared by the modules
 * (ASCII comparison and trimming, a text column, a small file read whole).
 *
 * A util holds only what every module may need and that belongs to no
 * subject of its own: amounts live in money.h, dates in date.h, SHA-256 in
 * digest.h, UTF-8 in utf8.h (which the text column uses).
 *
 * internpris is a batch program: running out of memory is not a condition it
 * can recover from, so ip_xmalloc() and friends print one line and exit with
 * EX_OSERR instead of returning NULL (git's xmalloc, Redis's zmalloc).
 */
#ifndef IP_UTIL_H
#define IP_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef IP_TESTING
#define IP_STATIC
#else
#define IP_STATIC static
#endif

#define IP_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

void *ip_xmalloc(size_t n);
void *ip_xcalloc(size_t count, size_t size);
void *ip_xrealloc(void *p, size_t n);
/* Grows *p (an array of *alloc elements of size elem) to hold at least need. */
void ip_xgrow(void **p, size_t *alloc, size_t need, size_t elem);
char *ip_xstrdup(const char *s);
char *ip_xstrndup(const char *s, size_t n);
/* printf into a fresh heap string. */
char *ip_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable NUL-terminated byte buffer (git's strbuf). buf is never NULL
 * after ip_buf_init; ip_buf_detach hands the string to the caller. */
typedef struct ip_buf {
    char *buf;
    size_t len;
    size_t alloc;
} ip_buf;

void ip_buf_init(ip_buf *b);
void ip_buf_release(ip_buf *b);
void ip_buf_reset(ip_buf *b);
void ip_buf_add(ip_buf *b, const void *data, size_t n);
void ip_buf_adds(ip_buf *b, const char *s);
void ip_buf_addch(ip_buf *b, char c);
void ip_buf_addf(ip_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *ip_buf_detach(ip_buf *b);

/* ASCII case-insensitive comparison of a (length n) with NUL-terminated b. */
int ip_strn_ieq(const char *a, size_t n, const char *b);

/* Trims ASCII spaces and tabs from both ends of [*s, *s + *n). */
void ip_trim(const char **s, size_t *n);

/* Writes s left-aligned in a column of width characters (UTF-8 code points,
 * not bytes), cut at width when longer, to f. */
void ip_fput_col(FILE *f, const char *s, size_t width);

/* Reads a whole (small) file into a NUL-terminated heap buffer. Returns NULL
 * with errno set on failure. */
char *ip_read_file(const char *path, size_t *len);

#endif /* IP_UTIL_H */
