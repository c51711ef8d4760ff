/*
 * utf8.h — UTF-8 text, once: one sequence decoded and checked, code points
 * counted, the longest prefix of at most N code points, case folding for
 * names, and whether a text can be XML character data.
 *
 * The rule is RFC 3629's: shortest form only, no surrogates (U+D800-DFFF),
 * nothing above U+10FFFF. So C0, C1 and F5-FF never occur, E0 must be
 * followed by A0-BF, ED by 80-9F, F0 by 90-BF, F4 by 80-8F. Every reader
 * and writer of the program uses ip_utf8_decode() for it; the CSV reader's
 * vector scanners (csv.c) only pass over the two-byte sequences C2-DF 80-BF
 * on their own and hand every other byte above 0x7F to it.
 *
 * Counting and cutting assume valid UTF-8 (text from the readers, which
 * refuse anything else): a code point is a byte that is not a continuation
 * byte (80-BF) together with the continuation bytes after it.
 *
 * What a text may hold beyond being UTF-8 is decided here too, per output:
 * ip_utf8_xml_text() for the UBL documents. A further rule on characters
 * (code points XML 1.0 cannot carry, Unicode normalisation) is a function of
 * this module beside it, called by the writer or reader that needs it.
 */
#ifndef IP_UTF8_H
#define IP_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* ip_utf8_decode(): the bytes in view begin a sequence but end too soon. */
#define IP_UTF8_SHORT (-1)

/* 1 when b is a continuation byte (80-BF). */
static inline int ip_utf8_is_cont(unsigned char b)
{
    return (b & 0xC0) == 0x80;
}

/* Decodes the sequence at p, of which n >= 1 bytes are in view.
 * Returns its length (1 to 4) and, when cp is not NULL, sets *cp to its code
 * point; 0 when the bytes are not valid UTF-8 (p[0] can never start a
 * sequence, or a byte after it does not continue it); IP_UTF8_SHORT when the
 * n bytes are a valid start of a longer sequence. Inline: the CSV reader
 * calls it for every byte above 0x7F its scanners do not pass over. */
static inline int ip_utf8_decode(const unsigned char *p, size_t n, uint32_t *cp)
{
    unsigned b = p[0], need, lo = 0x80, hi = 0xBF, i;
    uint32_t c;
    if (b < 0x80) {
        if (cp)
            *cp = b;
        return 1;
    }
    if (b >= 0xC2 && b <= 0xDF) {
        need = 2, c = b & 0x1F;
    } else if (b >= 0xE0 && b <= 0xEF) {
        need = 3, c = b & 0x0F;
        lo = b == 0xE0 ? 0xA0 : 0x80; /* shortest form */
        hi = b == 0xED ? 0x9F : 0xBF; /* no surrogates */
    } else if (b >= 0xF0 && b <= 0xF4) {
        need = 4, c = b & 0x07;
        lo = b == 0xF0 ? 0x90 : 0x80; /* shortest form */
        hi = b == 0xF4 ? 0x8F : 0xBF; /* at most U+10FFFF */
    } else {
        return 0; /* 80-C1, F5-FF */
    }
    for (i = 1; i < need; i++) {
        if (i >= n)
            return IP_UTF8_SHORT;
        if (p[i] < lo || p[i] > hi)
            return 0;
        c = (c << 6) | (p[i] & 0x3Fu);
        lo = 0x80, hi = 0xBF;
    }
    if (cp)
        *cp = c;
    return (int)need;
}

/* Number of code points in s[0..n). */
size_t ip_utf8_count(const char *s, size_t n);

/* Byte length of the longest prefix of s[0..n) of at most max code points:
 * never cuts a character. */
size_t ip_utf8_prefix(const char *s, size_t n, size_t max);

/* 1 when a[0..an) and b[0..bn) are equal ignoring the case of ASCII letters
 * and of the Latin-1 letters U+00C0-U+00DE but U+00D7 (Å Ä Ö É: what Swedish
 * column, service and sheet names use). Excel compares sheet names without
 * case in all of Unicode; this covers what the inputs hold. */
int ip_utf8_caseeq(const char *a, size_t an, const char *b, size_t bn);

/* 1 when the NUL-terminated s can be XML 1.0 character data as the
 * libxml2 writer emits it: valid UTF-8 and no control character other than
 * tab, LF and CR (the writer escapes markup but passes those through, and
 * they would break the document). */
int ip_utf8_xml_text(const char *s);

#endif /* IP_UTF8_H */
