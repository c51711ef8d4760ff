/*
 * util.c — abort-on-OOM allocation, ip_buf and the small text helpers of
 * util.h. Below it are only libc and utf8.c (code points for the column).
 */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "utf8.h"

static _Noreturn void out_of_memory(size_t n)
{
    fprintf(stderr, "internpris: out of memory allocating %zu bytes\n", n);
    exit(EX_OSERR);
}

void *ip_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        out_of_memory(n);
    return p;
}

void *ip_xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        out_of_memory(count * size);
    return p;
}

void *ip_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        out_of_memory(n);
    return q;
}

void ip_xgrow(void **p, size_t *alloc, size_t need, size_t elem)
{
    size_t n;
    if (need <= *alloc)
        return;
    n = *alloc ? *alloc : 8;
    while (n < need) {
        if (n > SIZE_MAX / 2 / elem)
            out_of_memory(SIZE_MAX);
        n *= 2;
    }
    *p = ip_xrealloc(*p, n * elem);
    *alloc = n;
}

char *ip_xstrdup(const char *s)
{
    return ip_xstrndup(s, strlen(s));
}

char *ip_xstrndup(const char *s, size_t n)
{
    char *p = ip_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *ip_xasprintf(const char *fmt, ...)
{
    ip_buf b;
    va_list ap;
    int n;
    ip_buf_init(&b);
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return ip_buf_detach(&b);
    ip_xgrow((void **)&b.buf, &b.alloc, (size_t)n + 1, 1);
    va_start(ap, fmt);
    vsnprintf(b.buf, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b.len = (size_t)n;
    return ip_buf_detach(&b);
}

void ip_buf_init(ip_buf *b)
{
    b->alloc = 64;
    b->buf = ip_xmalloc(b->alloc);
    b->buf[0] = '\0';
    b->len = 0;
}

void ip_buf_release(ip_buf *b)
{
    free(b->buf);
    b->buf = NULL;
    b->len = b->alloc = 0;
}

void ip_buf_reset(ip_buf *b)
{
    b->len = 0;
    b->buf[0] = '\0';
}

void ip_buf_add(ip_buf *b, const void *data, size_t n)
{
    ip_xgrow((void **)&b->buf, &b->alloc, b->len + n + 1, 1);
    memcpy(b->buf + b->len, data, n);
    b->len += n;
    b->buf[b->len] = '\0';
}

void ip_buf_adds(ip_buf *b, const char *s)
{
    ip_buf_add(b, s, strlen(s));
}

void ip_buf_addch(ip_buf *b, char c)
{
    ip_buf_add(b, &c, 1);
}

void ip_buf_addf(ip_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    ip_xgrow((void **)&b->buf, &b->alloc, b->len + (size_t)n + 1, 1);
    va_start(ap, fmt);
    vsnprintf(b->buf + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

char *ip_buf_detach(ip_buf *b)
{
    char *s = b->buf;
    b->buf = NULL;
    b->len = b->alloc = 0;
    return s;
}

int ip_strn_ieq(const char *a, size_t n, const char *b)
{
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (!y)
            return 0;
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (unsigned char)(y - 'A' + 'a');
        if (x != y)
            return 0;
    }
    return b[n] == '\0';
}

void ip_trim(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\t'))
        (*s)++, (*n)--;
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

char *ip_read_file(const char *path, size_t *len)
{
    ip_buf b;
    char chunk[8192];
    ssize_t r;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    ip_buf_init(&b);
    while ((r = read(fd, chunk, sizeof chunk)) != 0) {
        if (r < 0) {
            int e = errno;
            if (e == EINTR)
                continue;
            ip_buf_release(&b);
            close(fd);
            errno = e;
            return NULL;
        }
        ip_buf_add(&b, chunk, (size_t)r);
    }
    close(fd);
    if (len)
        *len = b.len;
    return ip_buf_detach(&b);
}

void ip_fput_col(FILE *f, const char *s, size_t width)
{
    size_t n = strlen(s), cut = ip_utf8_prefix(s, n, width), chars = ip_utf8_count(s, cut);
    fwrite(s, 1, cut, f);
    for (; chars < width; chars++)
        fputc(' ', f);
}
