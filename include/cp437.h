/*
 * cp437.h — text in IBM PC code page 437 ("PC8"), the character set of SIE
 * 4 files (sie.h): UTF-8 in, CP437 bytes out, never UTF-8.
 *
 * Every character CP437 holds becomes its byte: the ASCII printables as
 * they are, å ä ö Å Ä Ö é ü … as 0x86 0x84 0x94 0x8F 0x8E 0x99 0x82 0x81 ….
 * What CP437 lacks is replaced, always the same way (the substitute is
 * documented in the README and tested):
 *
 *   - Latin letters with a diacritic CP437 does not have (U+00C0–U+017F:
 *     Á Ø Š ł ő …) by their base letter, Ø ø Ł ł Đ đ Ð ð Ħ ħ ı ŀ Ŀ ĸ ŉ Ŋ ŋ
 *     Ŧ ŧ ſ by the letter they are written from, Æ-like pairs spelt out
 *     (Œ → OE, Ĳ → IJ, Þ → TH), × by x;
 *   - dashes and the minus sign (U+2010–U+2015, U+2212) by '-', single
 *     quotation marks and primes (U+2018–U+201B, U+2032) by '\'', double
 *     ones (U+201C–U+201F, U+2033) by '"', the ellipsis by "...", the euro
 *     sign by "EUR";
 *   - spaces (no-break, thin, ideographic, line and paragraph separators)
 *     and control characters (C0, DEL, C1: tab, line breaks) by one space,
 *     zero-width characters and the byte-order mark by nothing;
 *   - anything else, and bytes that are not UTF-8, by '?'.
 *
 * So the output holds no byte below 0x20 and no 0x7F, and a text that is
 * plain ASCII comes out unchanged.
 */
#ifndef IP_CP437_H
#define IP_CP437_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* The CP437 byte of Unicode code point cp, or -1 when CP437 has no such
 * character or it is a control character (0x00–0x1F, 0x7F). */
int ip_cp437_byte(uint32_t cp);

/* The Unicode code point of CP437 byte b (0x20..0xFF; below that, b). */
uint32_t ip_cp437_char(unsigned char b);

/* Appends the CP437 form of the UTF-8 text s[0..n) to out, substituting as
 * above. Returns the number of characters that were substituted (0 when
 * every character is in CP437). */
size_t ip_cp437_encode(const char *s, size_t n, ip_buf *out);

#endif /* IP_CP437_H */
