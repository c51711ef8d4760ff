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

/* 1 when a[0..an) and b[0..bn) are equal ignoring case and normalisation:
 * first byte by byte without the case of ASCII letters and of the Latin-1
 * letters U+00C0-U+00DE but U+00D7 (Å Ä Ö É: what Swedish column, service
 * and sheet names use), then, when that fails and either is not ASCII, as
 * their NFC forms with case folded in all of Unicode (a header written in
 * NFD, 'Kö' as K o U+0308, is the column 'kö'), as Excel compares sheet
 * names. */
int ip_utf8_caseeq(const char *a, size_t an, const char *b, size_t bn);

/* 1 when the NUL-terminated s can be XML 1.0 character data as the
 * libxml2 writer emits it: valid UTF-8 and only characters XML 1.0 allows
 * (no control character other than tab, LF and CR, no U+FFFE or U+FFFF;
 * the writer escapes markup but passes the rest through, and they would
 * break the document). */
int ip_utf8_xml_text(const char *s);

/* 1 when code point cp is one XML 1.0 allows in a document (its Char
 * production; surrogates never decode). */
int ip_utf8_xml_char(uint32_t cp);

/* 1 when cp shows as nothing, as a mere space or changes the direction of
 * what follows: C1 controls, no-break and other spaces but U+0020, soft
 * hyphen, zero-width characters, the bidirectional marks, embeddings,
 * overrides and isolates, the BOM, variation selectors, tags, U+FFF0-FFFF.
 * ip_quote() (error.h) shows them escaped, so an error line reads as what
 * the file holds. */
int ip_utf8_invisible(uint32_t cp);

/* The longest text a cell of the workbook holds: Excel's 32 767 characters,
 * which it counts in UTF-16 units (a character beyond U+FFFF is two). */
#define IP_CELL_TEXT_MAX 32767

/* What ip_utf8_text_check() found. */
typedef enum ip_text_kind {
    IP_TEXT_OK = 0,
    IP_TEXT_CONTROL,   /* a C0 control or DEL (TAB, LF, CR only in text of lines) */
    IP_TEXT_NONXML,    /* U+FFFE or U+FFFF: XML 1.0 cannot carry it */
    IP_TEXT_BREAK,     /* LF or CR in a one-line text */
    IP_TEXT_LONG       /* more than IP_CELL_TEXT_MAX UTF-16 units */
} ip_text_kind;

typedef struct ip_text_fault {
    ip_text_kind kind;
    uint32_t cp;       /* the character (CONTROL, NONXML, BREAK) */
    size_t at;         /* its position, 1 for the first character */
    size_t units;      /* LONG: the text's length in UTF-16 units */
} ip_text_fault;

/* Whether the valid UTF-8 text s[0..n) can go to every output of the
 * program — an invoice (XML 1.0), the workbook (XML, one cell), a CSV file,
 * report.txt's tables — as the readers check each text where it enters (the
 * register, the tariff): no character XML 1.0 forbids, no DEL, at most
 * IP_CELL_TEXT_MAX UTF-16 units, and with one_line no line break or tab
 * either (a name, a reference, an address line: a line break would break
 * the tables of report.txt). Returns the kind found, IP_TEXT_OK when none,
 * and fills *f (may be NULL) with the first fault. */
ip_text_kind ip_utf8_text_check(const char *s, size_t n, int one_line, ip_text_fault *f);

/* The message of fault f of the text in where ("column 'name'",
 * "<description>"), e.g. "expected text without control characters in
 * column 'name', found U+0001 at character 4". */
const char *ip_utf8_text_msg(const ip_text_fault *f, const char *where, char *buf, size_t size);

/* Unicode normalisation (utf8proc). Both take valid UTF-8 s[0..n) and
 * return a NUL-terminated copy the caller frees, its length in *len:
 * ip_utf8_nfc() the canonical composition (NFC), ip_utf8_loose() the form in
 * which two values that a reader would take for the same compare equal: NFC
 * with case folded, default-ignorable characters (U+200B, U+FEFF, the
 * bidirectional controls, soft hyphen) dropped, every space character
 * (U+00A0, U+2009, ...) a plain space, control characters dropped, leading
 * and trailing spaces trimmed and inner runs one. An ASCII text is its own
 * NFC. */
char *ip_utf8_nfc(const char *s, size_t n, size_t *len);
char *ip_utf8_loose(const char *s, size_t n, size_t *len);

/* 1 when s[0..n) is all ASCII (bytes below 0x80). */
int ip_utf8_is_ascii(const char *s, size_t n);

#endif /* IP_UTF8_H */
