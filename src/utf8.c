/*
 * utf8.c — UTF-8 text: code points counted and cut, names compared without
 * case, the check that a text can be XML character data. Decoding one
 * sequence is inline in utf8.h, where the CSV reader's hot loop takes it.
 */
#include "utf8.h"

#include <string.h>

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

int ip_utf8_caseeq(const char *a, size_t an, const char *b, size_t bn)
{
    const unsigned char *p = (const unsigned char *)a, *pe = p + an;
    const unsigned char *q = (const unsigned char *)b, *qe = q + bn;
    while (p < pe && q < qe)
        if (fold_next(&p, pe) != fold_next(&q, qe))
            return 0;
    return p == pe && q == qe;
}

/* Whether code point cp may stand in XML character data as the program
 * writes it. */
static int xml_char(uint32_t cp)
{
    return cp >= 0x20 || cp == '\t' || cp == '\n' || cp == '\r';
}

int ip_utf8_xml_text(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    while (n) {
        uint32_t cp;
        int k = ip_utf8_decode(p, n, &cp);
        if (k <= 0 || !xml_char(cp))
            return 0;
        p += k;
        n -= (size_t)k;
    }
    return 1;
}
