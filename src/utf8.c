/*
 * utf8.c — UTF-8 text: code points counted and cut, names compared without
 * case, the classes of characters (what XML carries, what shows as nothing),
 * the check of a text every output can carry, Unicode normalisation through
 * utf8proc. Decoding one sequence is inline in utf8.h, where the CSV
 * reader's hot loop takes it.
 */
#include "utf8.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "util.h"

size_t ip_utf8_count(const char *s, size_t n)
{
    size_t i, k = 0;
    for (i = 0; i < n; i++)
        if (!ip_utf8_is_cont((unsigned char)s[i]))
            k++;
    return k;
}

size_t ip_utf8_prefix(const char *s, size_t n, size_t max)
{
    size_t i, k = 0;
    for (i = 0; i < n; i++)
        if (!ip_utf8_is_cont((unsigned char)s[i]) && k++ == max)
            break;
    return i;
}

/* The next character of [*s, e) with its case folded: an ASCII letter as
 * its lower case, C3 80-9E (but C3 97, U+00D7) as C3 A0-BE, each two-byte
 * C3 character as 0x100 | its second byte, any other byte as itself. */
static unsigned fold_next(const unsigned char **s, const unsigned char *e)
{
    unsigned ch = *(*s)++;
    if (ch >= 'A' && ch <= 'Z')
        return ch + ('a' - 'A');
    if (ch == 0xC3 && *s < e && ip_utf8_is_cont(**s)) {
        unsigned n = *(*s)++;
        if (n <= 0x9E && n != 0x97)
            n += 0x20;
        return 0x100 | n;
    }
    return ch;
}

static int latin1_caseeq(const char *a, size_t an, const char *b, size_t bn)
{
    const unsigned char *p = (const unsigned char *)a, *pe = p + an;
    const unsigned char *q = (const unsigned char *)b, *qe = q + bn;
    while (p < pe && q < qe)
        if (fold_next(&p, pe) != fold_next(&q, qe))
            return 0;
    return p == pe && q == qe;
}

int ip_utf8_is_ascii(const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return 0;
    return 1;
}

/* s[0..n) through utf8proc_map() with options: a malloc'd copy; a copy of
 * the bytes themselves when utf8proc refuses them (the readers hand on
 * valid UTF-8 only, so that does not happen). */
static char *map(const char *s, size_t n, utf8proc_option_t options, size_t *len)
{
    utf8proc_uint8_t *out = NULL;
    utf8proc_ssize_t r;
    char *copy;
    if (n > (size_t)PTRDIFF_MAX / 8)
        r = UTF8PROC_ERROR_OVERFLOW;
    else
        r = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &out,
                         options | UTF8PROC_STABLE);
    if (r >= 0) {
        *len = (size_t)r;
        copy = ip_xstrndup((const char *)out, (size_t)r);
        free(out);
        return copy;
    }
    if (r == UTF8PROC_ERROR_NOMEM)
        ip_xmalloc(SIZE_MAX); /* the program's out-of-memory exit */
    *len = n;
    return ip_xstrndup(s, n);
}

char *ip_utf8_nfc(const char *s, size_t n, size_t *len)
{
    if (ip_utf8_is_ascii(s, n)) {
        *len = n;
        return ip_xstrndup(s, n);
    }
    return map(s, n, UTF8PROC_COMPOSE, len);
}

char *ip_utf8_loose(const char *s, size_t n, size_t *len)
{
    char *v = map(s, n,
                  UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE | UTF8PROC_LUMP |
                      UTF8PROC_STRIPCC,
                  len);
    size_t i, o = 0;
    int space = 0;
    for (i = 0; i < *len; i++) {
        if (v[i] == ' ') {
            space = o > 0;
            continue;
        }
        if (space)
            v[o++] = ' ';
        space = 0;
        v[o++] = v[i];
    }
    v[o] = '\0';
    *len = o;
    return v;
}

int ip_utf8_caseeq(const char *a, size_t an, const char *b, size_t bn)
{
    char *x, *y;
    size_t xn, yn;
    int eq;
    if (latin1_caseeq(a, an, b, bn))
        return 1;
    if (ip_utf8_is_ascii(a, an) && ip_utf8_is_ascii(b, bn))
        return 0;
    x = map(a, an, UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD, &xn);
    y = map(b, bn, UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD, &yn);
    eq = xn == yn && memcmp(x, y, xn) == 0;
    free(x);
    free(y);
    return eq;
}

int ip_utf8_xml_char(uint32_t cp)
{
    if (cp < 0x20)
        return cp == '\t' || cp == '\n' || cp == '\r';
    return cp != 0xFFFE && cp != 0xFFFF && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
}

int ip_utf8_invisible(uint32_t cp)
{
    static const uint32_t ranges[][2] = {
        {0x0080, 0x00A0}, {0x00AD, 0x00AD}, {0x034F, 0x034F}, {0x061C, 0x061C},
        {0x115F, 0x1160}, {0x17B4, 0x17B5}, {0x180B, 0x180F}, {0x2000, 0x200F},
        {0x2028, 0x202F}, {0x205F, 0x206F}, {0x3000, 0x3000}, {0x3164, 0x3164},
        {0xFE00, 0xFE0F}, {0xFEFF, 0xFEFF}, {0xFFA0, 0xFFA0}, {0xFFF0, 0xFFFF},
        {0x1D173, 0x1D17A}, {0xE0000, 0xE0FFF},
    };
    size_t i;
    if (cp < 0x80)
        return 0;
    for (i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
        if (cp >= ranges[i][0] && cp <= ranges[i][1])
            return 1;
    return 0;
}

ip_text_kind ip_utf8_text_check(const char *s, size_t n, int one_line, ip_text_fault *f)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, at = 0, units = 0;
    ip_text_fault dummy;
    if (!f)
        f = &dummy;
    memset(f, 0, sizeof *f);
    while (i < n) {
        uint32_t cp = p[i];
        int k = 1;
        if (cp >= 0x80) {
            k = ip_utf8_decode(p + i, n - i, &cp);
            if (k <= 0) /* not UTF-8: the readers refuse it before */
                k = 1, cp = 0xFFFD;
        }
        at++;
        units += cp > 0xFFFF ? 2 : 1;
        if (cp == '\n' || cp == '\r')
            f->kind = one_line ? IP_TEXT_BREAK : IP_TEXT_OK;
        else if (cp < 0x20 || cp == 0x7F)
            f->kind = cp == '\t' && !one_line ? IP_TEXT_OK : IP_TEXT_CONTROL;
        else if (!ip_utf8_xml_char(cp))
            f->kind = IP_TEXT_NONXML;
        if (f->kind) {
            f->cp = cp;
            f->at = at;
            return f->kind;
        }
        i += (size_t)k;
    }
    if (units > IP_CELL_TEXT_MAX) {
        f->kind = IP_TEXT_LONG;
        f->units = units;
    }
    return f->kind;
}

const char *ip_utf8_text_msg(const ip_text_fault *f, const char *where, char *buf, size_t size)
{
    switch (f->kind) {
    case IP_TEXT_OK:
        snprintf(buf, size, "expected text in %s, found it", where);
        break;
    case IP_TEXT_CONTROL:
        snprintf(buf, size, "expected text without control characters in %s, found U+%04X at "
                            "character %zu", where, (unsigned)f->cp, f->at);
        break;
    case IP_TEXT_NONXML:
        snprintf(buf, size, "expected text XML can carry in %s, found U+%04X at character %zu",
                 where, (unsigned)f->cp, f->at);
        break;
    case IP_TEXT_BREAK:
        snprintf(buf, size, "expected one line of text in %s, found a line break (U+%04X) at "
                            "character %zu", where, (unsigned)f->cp, f->at);
        break;
    case IP_TEXT_LONG:
        snprintf(buf, size, "expected at most 32767 characters in %s (a workbook cell's limit, "
                            "in UTF-16 units), found %zu", where, f->units);
        break;
    }
    return buf;
}

int ip_utf8_xml_text(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    while (n) {
        uint32_t cp;
        int k = ip_utf8_decode(p, n, &cp);
        if (k <= 0 || !ip_utf8_xml_char(cp))
            return 0;
        p += k;
        n -= (size_t)k;
    }
    return 1;
}
