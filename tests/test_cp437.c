/*
 * test_cp437.c — the CP437 encoder of the SIE files: every byte of the code
 * page against its character, the Swedish letters, each documented
 * substitute, and that no text whatever yields a control byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cp437.h"
#include "util.h"

/* The CP437 form of s, compared with want (length wn) and the number of
 * substitutes. */
static void expect(const char *s, const char *want, size_t wn, size_t subst)
{
    ip_buf b;
    size_t k;
    ip_buf_init(&b);
    k = ip_cp437_encode(s, strlen(s), &b);
    if (b.len != wn || memcmp(b.buf, want, wn) != 0)
        fail_msg("'%s': got %zu bytes '%.*s'", s, b.len, (int)b.len, b.buf);
    assert_int_equal(k, subst);
    ip_buf_release(&b);
}

#define EXPECT(s, want, subst) expect(s, want, sizeof(want) - 1, subst)

static void test_cp437_every_byte_is_its_character(void **state)
{
    unsigned b;
    (void)state;
    for (b = 0x20; b < 0x7F; b++) {
        assert_int_equal(ip_cp437_char((unsigned char)b), b);
        assert_int_equal(ip_cp437_byte(b), (int)b);
    }
    for (b = 0x80; b <= 0xFF; b++)
        assert_int_equal(ip_cp437_byte(ip_cp437_char((unsigned char)b)), (int)b);
    /* IBM's table at a few known places */
    assert_int_equal(ip_cp437_char(0x86), 0x00E5); /* å */
    assert_int_equal(ip_cp437_char(0x9E), 0x20A7); /* ₧ */
    assert_int_equal(ip_cp437_char(0xE1), 0x00DF); /* ß */
    assert_int_equal(ip_cp437_char(0xFE), 0x25A0); /* ■ */
    assert_int_equal(ip_cp437_byte(0x7F), -1);
    assert_int_equal(ip_cp437_byte(0x0A), -1);
    assert_int_equal(ip_cp437_byte(0x20AC), -1); /* € is not in CP437 */
}

static void test_cp437_swedish_letters(void **state)
{
    (void)state;
    EXPECT("åäöÅÄÖé", "\x86\x84\x94\x8F\x8E\x99\x82", 0);
    EXPECT("Förskoleförvaltningen", "F\x94rskolef\x94rvaltningen", 0);
    EXPECT("Ünal, Ñandú, 50 ¢", "\x9Anal, \xA5" "and\xA3, 50 \x9B", 0);
    EXPECT("plain ASCII {} \"\\", "plain ASCII {} \"\\", 0);
}

static void test_cp437_substitutes(void **state)
{
    (void)state;
    EXPECT("Łódź", "L\xA2" "dz", 2);
    EXPECT("Øresund Šťastný", "Oresund Stastny", 4);
    EXPECT("Œuvre", "OEuvre", 1);
    EXPECT("Þór", "TH\xA2r", 1);
    EXPECT("a–b—c−d", "a-b-c-d", 3);
    EXPECT("‘x’ “y” „z“", "'x' \"y\" \"z\"", 6);
    EXPECT("och så vidare…", "och s\x86 vidare...", 1);
    EXPECT("5 €", "5 EUR", 1);
    EXPECT("rad1\nrad2\tx\r", "rad1 rad2 x ", 3);
    EXPECT("no\xC2\xA0" "break", "no break", 1);
    EXPECT("zero\xE2\x80\x8Bwidth\xEF\xBB\xBF", "zerowidth", 2);
    EXPECT("中文", "??", 2);
    EXPECT("\x7F\xC2\x85", "  ", 2);               /* DEL and C1 NEL */
}

static void test_cp437_bad_utf8_is_a_question_mark(void **state)
{
    (void)state;
    EXPECT("a\xFFz", "a?z", 1);
    EXPECT("\xC0\xAF", "??", 2);                   /* overlong '/' */
    EXPECT("\xED\xA0\x80", "???", 3);              /* a surrogate */
    EXPECT("x\xE2\x82", "x??", 2);                 /* cut short */
    EXPECT("\xF4\x90\x80\x80", "????", 4);         /* above U+10FFFF */
}

/* No text gives a control byte or DEL: every code point of the BMP and a
 * sample above it. */
static void test_cp437_never_a_control_byte(void **state)
{
    uint32_t cp;
    ip_buf b;
    (void)state;
    ip_buf_init(&b);
    for (cp = 0; cp < 0x110000; cp += cp < 0x10000 ? 1 : 0x1001) {
        char u[5];
        size_t n, i;
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        if (cp < 0x80) {
            u[0] = (char)cp, n = 1;
        } else if (cp < 0x800) {
            u[0] = (char)(0xC0 | (cp >> 6)), u[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
        } else if (cp < 0x10000) {
            u[0] = (char)(0xE0 | (cp >> 12)), u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
            u[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
        } else {
            u[0] = (char)(0xF0 | (cp >> 18)), u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
            u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), u[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
        }
        ip_buf_reset(&b);
        ip_cp437_encode(u, n, &b);
        for (i = 0; i < b.len; i++)
            if ((unsigned char)b.buf[i] < 0x20 || (unsigned char)b.buf[i] == 0x7F)
                fail_msg("U+%04X gives byte 0x%02X", (unsigned)cp, (unsigned char)b.buf[i]);
        if (ip_cp437_byte(cp) >= 0 && cp != 0xA0)
            assert_true(b.len == 1 && (unsigned char)b.buf[0] == ip_cp437_byte(cp));
    }
    ip_buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cp437_every_byte_is_its_character),
        cmocka_unit_test(test_cp437_swedish_letters),
        cmocka_unit_test(test_cp437_substitutes),
        cmocka_unit_test(test_cp437_bad_utf8_is_a_question_mark),
        cmocka_unit_test(test_cp437_never_a_control_byte),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
