/*
 * test_utf8.c — the UTF-8 module: every code point decodes from its
 * encoding and nothing else does (all 2^24 three-byte sequences), overlong
 * forms, surrogates and code points above U+10FFFF are refused, short
 * sequences are told apart from invalid ones; counting and cutting code
 * points; case-insensitive names; XML text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
