/*
 * test_utf8.c — the UTF-8 module: every code point decodes from its
 * encoding and nothing else does (all 2^24 three-byte sequences), overlong
 * forms, surrogates and code points above U+10FFFF are refused, short
 * sequences are told apart from invalid ones; counting and cutting code
 * points; case-insensitive names; XML text; the check of a text every
 * output can carry; NFC and the loose form; the invisible characters and
 * ip_quote()'s escapes of them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "error.h"
#include "utf8.h"

/* The encoding of cp in n bytes (an overlong form when n is more than cp
 * needs), written independently of utf8.h. */
static size_t encode(uint32_t cp, size_t n, unsigned char *out)
{
    static const unsigned char lead[5] = {0, 0x00, 0xC0, 0xE0, 0xF0};
    size_t i;
    for (i = n - 1; i > 0; i--) {
        out[i] = (unsigned char)(0x80 | (cp & 0x3F));
        cp >>= 6;
    }
    out[0] = (unsigned char)(lead[n] | cp);
    return n;
}

static size_t needed(uint32_t cp)
{
    return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

static int decode(const unsigned char *p, size_t n, uint32_t *cp)
{
    return ip_utf8_decode(p, n, cp);
}

static void test_utf8_every_code_point_round_trips(void **state)
{
    uint32_t cp;
    (void)state;
    for (cp = 0; cp <= 0x10FFFF; cp++) {
        unsigned char b[4];
        size_t n = encode(cp, needed(cp), b), k;
        uint32_t got = 0xFFFFFFFF;
        int r = decode(b, n, &got);
        if (cp >= 0xD800 && cp <= 0xDFFF) {
            assert_int_equal(r, 0); /* a surrogate is not a character */
            continue;
        }
        assert_int_equal(r, (int)n);
        assert_int_equal(got, cp);
        assert_int_equal(decode(b, n, NULL), (int)n);
        for (k = 1; k < n; k++) /* every proper prefix asks for more */
            assert_int_equal(decode(b, k, NULL), IP_UTF8_SHORT);
    }
}

/* What decode() must return for s[0..3): the answer of the rule written out
 * byte by byte, independently of utf8.h. */
static int expected3(const unsigned char *s)
{
    unsigned a = s[0], b = s[1], c = s[2];
    unsigned lo = 0x80, hi = 0xBF;
    if (a < 0x80)
        return 1;
    if (a >= 0xC2 && a <= 0xDF)
        return b >= 0x80 && b <= 0xBF ? 2 : 0;
    if (a == 0xE0 || a == 0xF0)
        lo = a == 0xE0 ? 0xA0 : 0x90;
    if (a == 0xED || a == 0xF4)
        hi = a == 0xED ? 0x9F : 0x8F;
    if (a < 0xE0 || a > 0xF4 || b < lo || b > hi || c < 0x80 || c > 0xBF)
        return 0;
    return a <= 0xEF ? 3 : IP_UTF8_SHORT;
}

static void test_utf8_all_three_byte_sequences(void **state)
{
    /* Every one of the 2^24 three-byte inputs gets the rule's answer, and
     * what decodes as three bytes is exactly U+0800..U+FFFF without the
     * surrogates, each from its own encoding. */
    unsigned long valid = 0, wrong = 0;
    unsigned long x, first_wrong = 0;
    (void)state;
    for (x = 0; x < (1ul << 24); x++) {
        const unsigned char s[3] = {(unsigned char)(x >> 16), (unsigned char)(x >> 8),
                                    (unsigned char)x};
        uint32_t cp = 0;
        int r = decode(s, 3, &cp);
        if (r == 3) {
            unsigned char e[4];
            encode(cp, 3, e);
            if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF) || memcmp(e, s, 3) != 0)
                r = 99; /* decoded to the wrong code point */
            valid++;
        }
        if (r != expected3(s) && wrong++ == 0)
            first_wrong = x;
    }
    if (wrong)
        print_error("first wrong answer for %06lX\n", first_wrong);
    assert_int_equal(wrong, 0);
    assert_int_equal(valid, 0x10000 - 0x800 - 0x800);
}

static void test_utf8_refuses_overlong_and_out_of_range(void **state)
{
    static const char *const bad[] = {
        "\xC0\x80", "\xC1\xBF",             /* overlong U+0000, U+007F */
        "\xE0\x80\x80", "\xE0\x9F\xBF",     /* overlong, three bytes */
        "\xF0\x80\x80\x80", "\xF0\x8F\xBF\xBF", /* overlong, four bytes */
        "\xED\xA0\x80", "\xED\xBF\xBF",     /* surrogates */
        "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xF7\xBF\xBF\xBF", /* above U+10FFFF */
        "\xF8\x88\x80\x80\x80", "\xFE", "\xFF", /* never lead bytes */
        "\x80", "\xBF",                     /* a continuation byte alone */
        "\xC3(", "\xE2\x82(", "\xF0\x9F\x98(", /* a lead byte not continued */
    };
    size_t i;
    uint32_t cp;
    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(decode((const unsigned char *)bad[i], strlen(bad[i]), &cp), 0);
    /* the limits that are fine */
    assert_int_equal(decode((const unsigned char *)"\xF4\x8F\xBF\xBF", 4, &cp), 4);
    assert_int_equal(cp, 0x10FFFF);
    assert_int_equal(decode((const unsigned char *)"\xEF\xBF\xBF", 3, &cp), 3);
    assert_int_equal(cp, 0xFFFF);
    assert_int_equal(decode((const unsigned char *)"\xED\x9F\xBF", 3, &cp), 3);
    assert_int_equal(cp, 0xD7FF);
    /* an invalid second byte is invalid even when the sequence is short */
    assert_int_equal(decode((const unsigned char *)"\xE0\x80", 2, NULL), 0);
    assert_int_equal(decode((const unsigned char *)"\xF4\x90", 2, NULL), 0);
    assert_int_equal(decode((const unsigned char *)"\xE0\xA0", 2, NULL), IP_UTF8_SHORT);
}

static void test_utf8_count_and_prefix(void **state)
{
    /* "Växel €1 😀": V ä x e l space € 1 space 😀 = 10 code points */
    const char *s = "V\xC3\xA4xel \xE2\x82\xAC" "1 \xF0\x9F\x98\x80";
    size_t n = strlen(s);
    (void)state;
    assert_int_equal(ip_utf8_count(s, n), 10);
    assert_int_equal(ip_utf8_count("", 0), 0);
    assert_int_equal(ip_utf8_count(s, 3), 2); /* "Vä" */
    assert_int_equal(ip_utf8_prefix(s, n, 0), 0);
    assert_int_equal(ip_utf8_prefix(s, n, 1), 1);
    assert_int_equal(ip_utf8_prefix(s, n, 2), 3);  /* never inside ä */
    assert_int_equal(ip_utf8_prefix(s, n, 7), 10); /* through € */
    assert_int_equal(ip_utf8_prefix(s, n, 9), 12);
    assert_int_equal(ip_utf8_prefix(s, n, 10), n);
    assert_int_equal(ip_utf8_prefix(s, n, 1000), n);
    assert_int_equal(ip_utf8_prefix(s, 2, 5), 2); /* n bounds it */
}

static void test_utf8_caseeq_folds_ascii_and_latin1(void **state)
{
    (void)state;
    assert_true(ip_utf8_caseeq("Kund", 4, "kUND", 4));
    assert_true(ip_utf8_caseeq("\xC3\x84rende", 7, "\xC3\xA4RENDE", 7)); /* Ärende, äRENDE */
    assert_true(ip_utf8_caseeq("\xC3\x85\xC3\x96", 4, "\xC3\xA5\xC3\xB6", 4)); /* ÅÖ, åö */
    assert_true(ip_utf8_caseeq("\xC3\x89", 2, "\xC3\xA9", 2));                   /* É, é */
    assert_false(ip_utf8_caseeq("\xC3\x97", 2, "\xC3\xB7", 2)); /* × is not ÷ */
    assert_false(ip_utf8_caseeq("\xC3\x9F", 2, "\xC3\xBF", 2)); /* ß is not ÿ */
    assert_false(ip_utf8_caseeq("kund", 4, "kunder", 6));
    assert_false(ip_utf8_caseeq("a", 1, "", 0));
    assert_true(ip_utf8_caseeq("", 0, "", 0));
    assert_false(ip_utf8_caseeq("\xC3\xA4", 2, "a", 1));
}

static void test_utf8_xml_text(void **state)
{
    (void)state;
    assert_true(ip_utf8_xml_text(""));
    assert_true(ip_utf8_xml_text("S\xC3\xB6" "derort AB & <Co>"));
    assert_true(ip_utf8_xml_text("rad 1\nrad 2\r\n\tindrag"));
    assert_true(ip_utf8_xml_text("\xF0\x9F\x98\x80 \xEF\xBF\xBD"));
    assert_false(ip_utf8_xml_text("bell\x07"));
    assert_false(ip_utf8_xml_text("\x1B[31m"));
    assert_false(ip_utf8_xml_text("Latin-1 \xE5"));
    assert_false(ip_utf8_xml_text("cut \xE2\x82"));
    assert_false(ip_utf8_xml_text("\xED\xA0\x80"));
    assert_false(ip_utf8_xml_text("\xC0\xBC"));
    assert_false(ip_utf8_xml_text("Bostadsf\xEF\xBF\xBErmedling")); /* U+FFFE */
    assert_false(ip_utf8_xml_text("\xEF\xBF\xBF"));                  /* U+FFFF */
    assert_true(ip_utf8_xml_text("\xEF\xBF\xBD\xF4\x8F\xBF\xBD"));       /* U+FFFD, U+10FFFD */
}

/* NFD, other case and invisible characters: the header still names its
 * column. */
static void test_utf8_caseeq_after_normalisation(void **state)
{
    (void)state;
    assert_true(ip_utf8_caseeq("k\xC3\xB6", 3, "ko\xCC\x88", 4));   /* kö, ko + U+0308 */
    assert_true(ip_utf8_caseeq("K\xC3\x96", 3, "ko\xCC\x88", 4));   /* KÖ */
    assert_true(ip_utf8_caseeq("\xC3\x9F", 2, "ss", 2));             /* ß folds to ss */
    assert_false(ip_utf8_caseeq("ko\xCC\x88", 4, "ko", 2));
    assert_false(ip_utf8_caseeq("k\xC3\xB6", 3, "k\xC3\xB8", 3));   /* kö is not kø */
}

static void test_utf8_text_check(void **state)
{
    ip_text_fault f;
    char buf[200], *big;
    size_t i;
    (void)state;
    assert_int_equal(ip_utf8_text_check("S\xC3\xB6" "derort AB", 12, 1, &f), IP_TEXT_OK);
    assert_int_equal(ip_utf8_text_check("Bostadsf\xEF\xBF\xBErmedling", 20, 1, &f),
                     IP_TEXT_NONXML);
    assert_int_equal(f.cp, 0xFFFE);
    assert_int_equal(f.at, 9);
    assert_string_equal(ip_utf8_text_msg(&f, "column 'name'", buf, sizeof buf),
                        "expected text XML can carry in column 'name', found U+FFFE at "
                        "character 9");
    assert_int_equal(ip_utf8_text_check("\xC3\xA5\x01", 3, 1, &f), IP_TEXT_CONTROL);
    assert_int_equal(f.at, 2);
    assert_string_equal(ip_utf8_text_msg(&f, "column 'city'", buf, sizeof buf),
                        "expected text without control characters in column 'city', found "
                        "U+0001 at character 2");
    assert_int_equal(ip_utf8_text_check("a\x7F", 2, 0, &f), IP_TEXT_CONTROL);
    assert_int_equal(ip_utf8_text_check("rad 1\nrad 2", 11, 1, &f), IP_TEXT_BREAK);
    assert_string_equal(ip_utf8_text_msg(&f, "column 'name'", buf, sizeof buf),
                        "expected one line of text in column 'name', found a line break "
                        "(U+000A) at character 6");
    assert_int_equal(ip_utf8_text_check("rad 1\r\nrad 2\tx", 14, 0, &f), IP_TEXT_OK);
    assert_int_equal(ip_utf8_text_check("a\tb", 3, 1, &f), IP_TEXT_CONTROL);
    /* the cell's limit in UTF-16 units: 32 767 ASCII pass, one more does
     * not; 16 384 astral characters are 32 768 units */
    big = malloc(4 * 16384 + 1);
    memset(big, 'x', IP_CELL_TEXT_MAX + 1);
    assert_int_equal(ip_utf8_text_check(big, IP_CELL_TEXT_MAX, 1, &f), IP_TEXT_OK);
    assert_int_equal(ip_utf8_text_check(big, IP_CELL_TEXT_MAX + 1, 1, &f), IP_TEXT_LONG);
    assert_int_equal(f.units, IP_CELL_TEXT_MAX + 1);
    for (i = 0; i < 16384; i++)
        memcpy(big + 4 * i, "\xF0\x9F\x98\x80", 4);
    assert_int_equal(ip_utf8_text_check(big, 4 * 16383, 1, &f), IP_TEXT_OK);
    assert_int_equal(ip_utf8_text_check(big, 4 * 16384, 1, &f), IP_TEXT_LONG);
    assert_string_equal(ip_utf8_text_msg(&f, "<description>", buf, sizeof buf),
                        "expected at most 32767 characters in <description> (a workbook "
                        "cell's limit, in UTF-16 units), found 32768");
    free(big);
}

static void test_utf8_nfc_and_loose(void **state)
{
    size_t n;
    char *v;
    (void)state;
    v = ip_utf8_nfc("E-tja\xCC\x88nstsupport", 17, &n); /* NFD ä */
    assert_string_equal(v, "E-tj\xC3\xA4nstsupport");
    assert_int_equal(n, 16);
    free(v);
    v = ip_utf8_nfc("plain", 5, &n);
    assert_string_equal(v, "plain");
    free(v);
    /* case, NBSP, a BOM, U+200B, U+202E and runs of spaces fall away */
    v = ip_utf8_loose("\xEF\xBB\xBF E-Tj\xC3\x84nst\xE2\x80\x8Bsupport\xC2\xA0 \xE2\x80\xAE", 29, &n);
    assert_string_equal(v, "e-tj\xC3\xA4nstsupport");
    assert_int_equal(n, 16);
    free(v);
    v = ip_utf8_loose("Stockholm\xC2\xA0\xC2\xA0 Direkt", 20, &n);
    assert_string_equal(v, "stockholm direkt");
    free(v);
}

static void test_utf8_invisible_and_quote(void **state)
{
    char q[200];
    (void)state;
    assert_true(ip_utf8_invisible(0x202E));
    assert_true(ip_utf8_invisible(0x200B));
    assert_true(ip_utf8_invisible(0xFEFF));
    assert_true(ip_utf8_invisible(0x00A0));
    assert_true(ip_utf8_invisible(0x2066));
    assert_true(ip_utf8_invisible(0xE0041));
    assert_false(ip_utf8_invisible('a'));
    assert_false(ip_utf8_invisible(0x00E4));
    assert_false(ip_utf8_invisible(0x20AC));
    assert_string_equal(ip_quote("\xE2\x80\xAE" "110", 6, q, sizeof q), "\\u202E110");
    assert_string_equal(ip_quote("2023-05-03\xE2\x80\x8B", 13, q, sizeof q),
                        "2023-05-03\\u200B");
    assert_string_equal(ip_quote("\xEF\xBB\xBFkund", 7, q, sizeof q), "\\uFEFFkund");
    assert_string_equal(ip_quote("a\xF3\xA0\x81\x81" "b", 6, q, sizeof q), "a\\U000E0041b");
    assert_string_equal(ip_quote("f\xEF\xBF\xBE" "x", 5, q, sizeof q), "f\\uFFFEx");
    assert_string_equal(ip_quote("k\xC3\xB6 \x01", 5, q, sizeof q), "k\xC3\xB6 \\x01");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_every_code_point_round_trips),
        cmocka_unit_test(test_utf8_all_three_byte_sequences),
        cmocka_unit_test(test_utf8_refuses_overlong_and_out_of_range),
        cmocka_unit_test(test_utf8_count_and_prefix),
        cmocka_unit_test(test_utf8_caseeq_folds_ascii_and_latin1),
        cmocka_unit_test(test_utf8_xml_text),
        cmocka_unit_test(test_utf8_caseeq_after_normalisation),
        cmocka_unit_test(test_utf8_text_check),
        cmocka_unit_test(test_utf8_nfc_and_loose),
        cmocka_unit_test(test_utf8_invisible_and_quote),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
