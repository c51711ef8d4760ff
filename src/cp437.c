/*
 * cp437.c — UTF-8 text to IBM PC code page 437 bytes, with the documented
 * substitutes for what CP437 lacks (cp437.h). UTF-8 is decoded by utf8.h
 * like everywhere else. One table for the upper half
 * (the code page as IBM defines it, the same as Python's "cp437" codec),
 * one for the Latin letters it lacks, a few rules for punctuation, spaces
 * and control characters.
 */
#include "cp437.h"

#include <string.h>

#include "utf8.h"

/* Unicode of CP437 bytes 0x80..0xFF. */
static const uint16_t upper[128] = {
    0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7,  /* 0x80 */
    0x00EA, 0x00EB, 0x00E8, 0x00EF, 0x00EE, 0x00EC, 0x00C4, 0x00C5,  /* 0x88 */
    0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2, 0x00FB, 0x00F9,  /* 0x90 */
    0x00FF, 0x00D6, 0x00DC, 0x00A2, 0x00A3, 0x00A5, 0x20A7, 0x0192,  /* 0x98 */
    0x00E1, 0x00ED, 0x00F3, 0x00FA, 0x00F1, 0x00D1, 0x00AA, 0x00BA,  /* 0xA0 */
    0x00BF, 0x2310, 0x00AC, 0x00BD, 0x00BC, 0x00A1, 0x00AB, 0x00BB,  /* 0xA8 */
    0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556,  /* 0xB0 */
    0x2555, 0x2563, 0x2551, 0x2557, 0x255D, 0x255C, 0x255B, 0x2510,  /* 0xB8 */
    0x2514, 0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x255E, 0x255F,  /* 0xC0 */
    0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x2567,  /* 0xC8 */
    0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256B,  /* 0xD0 */
    0x256A, 0x2518, 0x250C, 0x2588, 0x2584, 0x258C, 0x2590, 0x2580,  /* 0xD8 */
    0x03B1, 0x00DF, 0x0393, 0x03C0, 0x03A3, 0x03C3, 0x00B5, 0x03C4,  /* 0xE0 */
    0x03A6, 0x0398, 0x03A9, 0x03B4, 0x221E, 0x03C6, 0x03B5, 0x2229,  /* 0xE8 */
    0x2261, 0x00B1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00F7, 0x2248,  /* 0xF0 */
    0x00B0, 0x2219, 0x00B7, 0x221A, 0x207F, 0x00B2, 0x25A0, 0x00A0,  /* 0xF8 */
};

/* U+00C0..U+017F that CP437 lacks: the letters they are written from
 * (NULL: CP437 has the character). */
static const char *const latin[192] = {
    "A", "A", "A", "A", NULL, NULL, NULL, NULL, /* U+00C0 */
    "E", NULL, "E", "E", "I", "I", "I", "I", /* U+00C8 */
    "D", NULL, "O", "O", "O", "O", NULL, "x", /* U+00D0 */
    "O", "U", "U", "U", NULL, "Y", "TH", NULL, /* U+00D8 */
    NULL, NULL, NULL, "a", NULL, NULL, NULL, NULL, /* U+00E0 */
    NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, /* U+00E8 */
    "d", NULL, NULL, NULL, NULL, "o", NULL, NULL, /* U+00F0 */
    "o", NULL, NULL, NULL, NULL, "y", "th", NULL, /* U+00F8 */
    "A", "a", "A", "a", "A", "a", "C", "c", /* U+0100 */
    "C", "c", "C", "c", "C", "c", "D", "d", /* U+0108 */
    "D", "d", "E", "e", "E", "e", "E", "e", /* U+0110 */
    "E", "e", "E", "e", "G", "g", "G", "g", /* U+0118 */
    "G", "g", "G", "g", "H", "h", "H", "h", /* U+0120 */
    "I", "i", "I", "i", "I", "i", "I", "i", /* U+0128 */
    "I", "i", "IJ", "ij", "J", "j", "K", "k", /* U+0130 */
    "k", "L", "l", "L", "l", "L", "l", "L", /* U+0138 */
    "l", "L", "l", "N", "n", "N", "n", "N", /* U+0140 */
    "n", "n", "N", "n", "O", "o", "O", "o", /* U+0148 */
    "O", "o", "OE", "oe", "R", "r", "R", "r", /* U+0150 */
    "R", "r", "S", "s", "S", "s", "S", "s", /* U+0158 */
    "S", "s", "T", "t", "T", "t", "T", "t", /* U+0160 */
    "U", "u", "U", "u", "U", "u", "U", "u", /* U+0168 */
    "U", "u", "U", "u", "W", "w", "Y", "y", /* U+0170 */
    "Y", "Z", "z", "Z", "z", "Z", "z", "s", /* U+0178 */
};

int ip_cp437_byte(uint32_t cp)
{
    int i;
    if (cp >= 0x20 && cp < 0x7F)
        return (int)cp;
    if (cp < 0xA0)
        return -1; /* C0, DEL, C1 */
    for (i = 0; i < 128; i++)
        if (upper[i] == cp)
            return 0x80 + i;
    return -1;
}

uint32_t ip_cp437_char(unsigned char b)
{
    return b < 0x80 ? b : upper[b - 0x80];
}

/* The next code point of s[*i..n) (utf8.h), advancing *i; -1 for a byte
 * that does not start a well-formed sequence, which is then skipped alone. */
static long next_cp(const unsigned char *s, size_t n, size_t *i)
{
    uint32_t cp;
    int len = ip_utf8_decode(s + *i, n - *i, &cp);
    if (len <= 0) {
        (*i)++;
        return -1;
    }
    *i += (size_t)len;
    return (long)cp;
}

/* The substitute of a character CP437 lacks (cp437.h), "" to drop it. */
static const char *substitute(long cp)
{
    if (cp < 0)
        return "?";
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200A) ||
        cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000)
        return " ";
    if ((cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || cp == 0xFEFF)
        return "";
    if (cp >= 0xC0 && cp < 0x180 && latin[cp - 0xC0])
        return latin[cp - 0xC0];
    if ((cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212)
        return "-";
    if ((cp >= 0x2018 && cp <= 0x201B) || cp == 0x2032)
        return "'";
    if ((cp >= 0x201C && cp <= 0x201F) || cp == 0x2033)
        return "\"";
    if (cp == 0x2026)
        return "...";
    if (cp == 0x20AC)
        return "EUR";
    return "?";
}

size_t ip_cp437_encode(const char *s, size_t n, ip_buf *out)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, subst = 0;
    while (i < n) {
        long cp = next_cp(u, n, &i);
        /* The no-break space is in CP437 (0xFF), but a ledger shows and
         * sorts a plain space better. */
        int b = cp >= 0 && cp != 0xA0 ? ip_cp437_byte((uint32_t)cp) : -1;
        if (b >= 0) {
            ip_buf_addch(out, (char)b);
            continue;
        }
        ip_buf_adds(out, substitute(cp));
        subst++;
    }
    return subst;
}
