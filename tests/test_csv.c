/*
 * test_csv.c — the streaming CSV reader (SPEC section 2).
 *
 * Most cases are table-like: an input and the transcript the reader must
 * produce for it (delimiter, header, each record with its line number, then
 * the end or the exact error as ip_diag_format() prints it). check() runs
 * every input through the best scanner (AVX2 here), the SSE2 one and the
 * portable one, each with the default buffer and with buffers of a few
 * bytes, so that every record straddles block boundaries in every possible
 * place; some runs read with ip_csv_next_batch() through an asynchronous tap
 * that checks the reader never touches bytes it has fed before it waits for
 * them. All runs must give the same transcript. Files on disk (big files, a
 * missing file, read errors, the SHA-256 from the tap) have their own tests
 * below.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "csv.h"
#include "digest.h"
#include "util.h"

#define MAX IP_CSV_MAX_RECORD

#define AUTO IP_CSV_SCAN_AUTO
#define PORT IP_CSV_SCAN_PORTABLE
#define SSE2 IP_CSV_SCAN_SSE2

typedef struct mode {
    ip_csv_scan scan;
    size_t buffer;
    int batch; /* read with ip_csv_next_batch() through an asynchronous tap */
} mode;

/* Default buffer, then block sizes that split records everywhere. */
static const mode all_modes[] = {
    {AUTO, 0, 0}, {PORT, 0, 0}, {AUTO, 1, 0}, {PORT, 1, 0}, {AUTO, 2, 0}, {PORT, 2, 0},
    {AUTO, 3, 0}, {PORT, 3, 0}, {AUTO, 7, 0}, {PORT, 7, 0}, {AUTO, 64, 0}, {PORT, 64, 0},
    {AUTO, 100, 0}, {PORT, 100, 0}, {SSE2, 0, 0}, {SSE2, 3, 0}, {SSE2, 64, 0},
    {AUTO, 0, 1}, {AUTO, 1, 1}, {AUTO, 7, 1}, {AUTO, 100, 1}, {SSE2, 2, 1}, {PORT, 0, 1},
};
/* For megabyte inputs: tiny blocks would re-scan a long record per byte. */
static const mode big_modes[] = {{AUTO, 0, 0}, {PORT, 0, 0}, {AUTO, 4096, 0}, {PORT, 4096, 0},
                                 {AUTO, 65537, 0}, {PORT, 65537, 0}, {SSE2, 0, 1},
                                 {AUTO, 65537, 1}};

static const mode defaults = {AUTO, 0, 0};
static const mode portable = {PORT, 0, 0};

/* The reader's options for mode m (tap: NULL for none). */
static ip_csv_opts mode_opts(mode m, const ip_csv_tap *tap)
{
    ip_csv_opts o;
    memset(&o, 0, sizeof o);
    o.tap = tap;
    o.scan = m.scan;
    o.buffer_size = m.buffer;
    return o;
}

/* Opens s from memory with the scanner and buffer of mode m. */
static ip_csv *open_mode(const char *s, mode m)
{
    ip_csv_opts o = mode_opts(m, NULL);
    ip_csv *c;
    ip_diag d;
    assert_int_equal(ip_csv_open_mem_ex(s, strlen(s), "t.csv", &o, &c, &d), IP_OK);
    return c;
}

static const char *scan_name(ip_csv_scan s)
{
    return s == PORT ? "portable" : s == SSE2 ? "SSE2" : "best";
}

/* ---- a tap that checks the contract (csv.h) ----------------------------- */

typedef struct fed_block {
    const unsigned char *p; /* where the reader holds it */
    size_t n;
    size_t off; /* its copy in all */
} fed_block;

typedef struct check_tap {
    ip_buf all;        /* every byte fed, in order */
    fed_block *blocks;
    size_t nblocks, alloc;
    size_t released;   /* blocks the reader may reuse (wait() was called) */
} check_tap;

static void ct_feed(void *ctx, const unsigned char *p, size_t n)
{
    check_tap *t = ctx;
    assert_true(n > 0);
    ip_xgrow((void **)&t->blocks, &t->alloc, t->nblocks + 1, sizeof *t->blocks);
    t->blocks[t->nblocks].p = p;
    t->blocks[t->nblocks].n = n;
    t->blocks[t->nblocks].off = t->all.len;
    t->nblocks++;
    ip_buf_add(&t->all, p, n);
}

/* The bytes of every block not yet released must be as they were fed. */
static void ct_wait(void *ctx, uint64_t n)
{
    check_tap *t = ctx;
    size_t i;
    if (n > t->nblocks)
        n = t->nblocks;
    for (i = t->released; i < n; i++)
        assert_memory_equal(t->blocks[i].p, t->all.buf + t->blocks[i].off, t->blocks[i].n);
    if (n > t->released)
        t->released = (size_t)n;
}

static void ct_init(check_tap *t, ip_csv_tap *tap)
{
    memset(t, 0, sizeof *t);
    ip_buf_init(&t->all);
    tap->ctx = t;
    tap->feed = ct_feed;
    tap->wait = ct_wait;
}

/* After ip_csv_free(): every block was released, and the blocks are the
 * input (the part read: all of it after the end, a prefix after an error). */
static void ct_finish(check_tap *t, const char *data, size_t len, int whole)
{
    assert_int_equal(t->released, t->nblocks);
    if (whole)
        assert_int_equal(t->all.len, len);
    assert_true(t->all.len <= len);
    assert_memory_equal(t->all.buf, data, t->all.len);
    ip_buf_release(&t->all);
    free(t->blocks);
}

static void add_diag(ip_buf *b, const ip_diag *d)
{
    char line[IP_DIAG_MSG + 600];
    ip_diag_format(d, line, sizeof line);
    ip_buf_addf(b, "E %s\n", line);
}

/* Whether column i is printed: all of them, or those in sel (-1 ends). */
static int selected(const long *sel, size_t i)
{
    if (!sel)
        return 1;
    for (; *sel >= 0; sel++)
        if ((size_t)*sel == i)
            return 1;
    return 0;
}

static void add_record(ip_buf *b, long line, const ip_field *f, size_t n, const long *sel)
{
    size_t i;
    int first = 1;
    ip_buf_addf(b, "%ld:", line);
    for (i = 0; i < n; i++) {
        if (!selected(sel, i))
            continue;
        ip_buf_addf(b, "%s%.*s", first ? "" : "|", (int)f[i].len, f[i].ptr);
        first = 0;
    }
    ip_buf_addch(b, '\n');
}

/* The same with ip_csv_next_batch(). */
static void transcribe_batches(ip_csv *c, ip_buf *b, const long *sel)
{
    size_t n = ip_csv_ncols(c);
    for (;;) {
        ip_csv_batch bt;
        int eof;
        ip_diag d;
        size_t j;
        ip_err e = ip_csv_next_batch(c, &bt, &eof, &d);
        if (e) {
            ip_diag again;
            assert_int_equal(bt.n, 0);
            add_diag(b, &d);
            assert_int_equal(ip_csv_next_batch(c, &bt, &eof, &again), e);
            assert_string_equal(again.msg, d.msg);
            break;
        }
        if (eof) {
            assert_int_equal(bt.n, 0);
            ip_buf_addf(b, "EOF %llu\n", (unsigned long long)ip_csv_records(c));
            assert_int_equal(ip_csv_next_batch(c, &bt, &eof, &d), IP_OK);
            assert_int_equal(eof, 1);
            break;
        }
        assert_true(bt.n >= 1 && bt.n <= IP_CSV_BATCH);
        for (j = 0; j < bt.n; j++)
            add_record(b, bt.line + (long)j, bt.fields + j * bt.stride, n, sel);
        assert_int_equal(ip_csv_line(c), bt.line + (long)bt.n - 1);
    }
}

/* The transcript of reading an open reader to its end or first error: every
 * field, or the columns in sel (-1 ends; the reader is told with
 * ip_csv_select()). */
static void transcribe_sel(ip_csv *c, ip_buf *b, int batch, const long *sel)
{
    size_t i, n = ip_csv_ncols(c);
    char delim = ip_csv_delimiter(c);
    ip_buf_addf(b, "D%c ", delim == '\t' ? 'T' : delim);
    for (i = 0; i < n; i++) {
        ip_field h = ip_csv_header(c, i);
        ip_buf_addf(b, "%s%.*s", i ? "|" : "", (int)h.len, h.ptr);
    }
    ip_buf_addch(b, '\n');
    if (sel) {
        size_t k = 0;
        while (sel[k] >= 0)
            k++;
        ip_csv_select(c, sel, k);
    }
    if (batch) {
        transcribe_batches(c, b, sel);
        return;
    }
    for (;;) {
        const ip_field *f;
        int eof;
        ip_diag d;
        ip_err e = ip_csv_next(c, &f, &eof, &d);
        if (e) {
            ip_diag again;
            add_diag(b, &d);
            /* the error sticks */
            assert_int_equal(ip_csv_next(c, &f, &eof, &again), e);
            assert_string_equal(again.msg, d.msg);
            break;
        }
        if (eof) {
            ip_buf_addf(b, "EOF %llu\n", (unsigned long long)ip_csv_records(c));
            assert_int_equal(ip_csv_next(c, &f, &eof, &d), IP_OK);
            assert_int_equal(eof, 1);
            break;
        }
        add_record(b, ip_csv_line(c), f, n, sel);
    }
}

/* Read with mode m's scanner and buffer; batch: with ip_csv_next_batch()
 * through a checking tap. */
static char *transcript_sel(const char *data, size_t len, mode m, int batch, const long *sel)
{
    ip_buf b;
    ip_csv *c;
    ip_diag d;
    check_tap t;
    ip_csv_tap tap;
    ip_csv_opts o;
    int whole = 0;
    ct_init(&t, &tap);
    o = mode_opts(m, batch ? &tap : NULL);
    ip_buf_init(&b);
    if (ip_csv_open_mem_ex(data, len, "t.csv", &o, &c, &d) != IP_OK) {
        assert_null(c);
        add_diag(&b, &d);
    } else {
        transcribe_sel(c, &b, batch, sel);
        whole = strstr(b.buf, "\nEOF ") != NULL; /* the reader reached the end */
        if (whole)
            assert_int_equal(ip_csv_bytes(c), len);
        if (batch)
            assert_int_equal(ip_csv_bytes(c), t.all.len);
        ip_csv_free(c);
    }
    ct_finish(&t, data, len, batch && whole);
    return ip_buf_detach(&b);
}

static char *transcript_mem(const char *data, size_t len)
{
    return transcript_sel(data, len, defaults, 0, NULL);
}

static void check_modes(const char *data, size_t len, const char *expected, const mode *modes,
                        size_t nmodes)
{
    size_t i;
    for (i = 0; i < nmodes; i++) {
        char *got;
        got = transcript_sel(data, len, modes[i], modes[i].batch, NULL);
        if (strcmp(got, expected) != 0)
            print_message("mode: %s scanner, buffer %zu%s\n", scan_name(modes[i].scan),
                          modes[i].buffer, modes[i].batch ? ", batches and a tap" : "");
        assert_string_equal(got, expected);
        free(got);
    }
}

/* data is a string literal (it may hold NUL bytes). */
#define CHECK(data, expected) \
    check_modes(data, sizeof(data) - 1, expected, all_modes, IP_ARRAY_LEN(all_modes))

/* ---- the format -------------------------------------------------------- */

static void test_csv_reads_records_with_line_numbers(void **state)
{
    (void)state;
    CHECK("a;b;c\n1;2;3\n4;5;6\n", "D; a|b|c\n2:1|2|3\n3:4|5|6\nEOF 2\n");
    CHECK("a;b;c\n1;2;3", "D; a|b|c\n2:1|2|3\nEOF 1\n");     /* no final LF */
    CHECK("a;b;c\r\n1;2;3\r", "D; a|b|c\n2:1|2|3\nEOF 1\n"); /* CR ends the file */
    CHECK("a;b\n1;\n;2\n", "D; a|b\n2:1|\n3:|2\nEOF 2\n");   /* empty fields */
    CHECK("only\nx\ny\n", "D; only\n2:x\n3:y\nEOF 2\n");       /* one column */
    CHECK("a;b\n", "D; a|b\nEOF 0\n");                         /* header only */
    CHECK("a;b", "D; a|b\nEOF 0\n");
}

static void test_csv_bom_and_crlf(void **state)
{
    (void)state;
    CHECK("\xEF\xBB\xBF" "a;b\r\n1;2\r\n\r\n3;4\r\n", "D; a|b\n2:1|2\n4:3|4\nEOF 2\n");
    CHECK("\xEF\xBB\xBF" "a\n\xEF\xBB\xBF\n", "D; a\n2:\xEF\xBB\xBF\nEOF 1\n"); /* only the first */
    CHECK("a;b\r\n1;2\n3;4\r\n", "D; a|b\n2:1|2\n3:3|4\nEOF 2\n"); /* mixed line ends */
}

static void test_csv_detects_the_delimiter(void **state)
{
    (void)state;
    CHECK("x,y\n1,2\n", "D, x|y\n2:1|2\nEOF 1\n");
    CHECK("x\ty\n1\t2\n", "DT x|y\n2:1|2\nEOF 1\n");
    CHECK("a,b,c;d\n1,2,3;4\n", "D, a|b|c;d\n2:1|2|3;4\nEOF 1\n");     /* the most */
    CHECK("a;b,c\n1;2,3\n", "D; a|b,c\n2:1|2,3\nEOF 1\n");             /* ';' wins a tie */
    CHECK("a,b\tc\n1,2\t3\n", "D, a|b\tc\n2:1|2\t3\nEOF 1\n");         /* ',' beats TAB */
    CHECK("a\tb\tc,d\n1\t2\t3,4\n", "DT a|b|c,d\n2:1|2|3,4\nEOF 1\n");
    CHECK("\"a;b;c\",d\n1,2\n", "D, a;b;c|d\n2:1|2\nEOF 1\n");         /* not in quotes */
    CHECK("name\n\"x;y\"\n", "D; name\n2:x;y\nEOF 1\n");                 /* none: ';' */
    CHECK("a,b\n1;2,3\n", "D, a|b\n2:1;2|3\nEOF 1\n"); /* only the header decides */
}

static void test_csv_quoted_fields(void **state)
{
    (void)state;
    CHECK("a;b;c\n\"x;y\";\"he said \"\"hi\"\"\";\"\"\n",
          "D; a|b|c\n2:x;y|he said \"hi\"|\nEOF 1\n");
    CHECK("a;b\n\"\"\"\";\"\"\"\"\"\"\"\"\n", "D; a|b\n2:\"|\"\"\"\nEOF 1\n");
    CHECK("a;b\n\"x\"\n", "D; a|b\nE t.csv:2: expected 2 fields as in the header, found 1\n");
    CHECK("a,b\n\"1,5\",\"2\"\r\n", "D, a|b\n2:1,5|2\nEOF 1\n");
    CHECK("a;b\n\"x\";\"y\"", "D; a|b\n2:x|y\nEOF 1\n"); /* closing quote ends the file */
    CHECK("a;b\n\"x\";\"\"", "D; a|b\n2:x|\nEOF 1\n");
    CHECK("\"A\";\" B \"\n1;2\n", "D; A|B\n2:1|2\nEOF 1\n"); /* header trimmed */
    CHECK("a;b\n\"\xC3\xA5\";\"\xE2\x82\xAC\"\"\"\n", "D; a|b\n2:\xC3\xA5|\xE2\x82\xAC\"\nEOF 1\n");
}

static void test_csv_quoted_line_breaks_keep_line_numbers(void **state)
{
    (void)state;
    CHECK("id;note\n1;\"multi\nline\"\n2;\"three\n\nlines\"\n3;x\n",
          "D; id|note\n2:1|multi\nline\n4:2|three\n\nlines\n7:3|x\nEOF 3\n");
    CHECK("id;note\r\n1;\"a\r\nb\"\r\n2;c\r\n", "D; id|note\n2:1|a\r\nb\n4:2|c\nEOF 2\n");
    CHECK("\"multi\nline\";b\n1;2\n", "D; multi\nline|b\n3:1|2\nEOF 1\n");
    CHECK("a;b\n1;\"x\ny\";3\n",
          "D; a|b\nE t.csv:2: expected 2 fields as in the header, found 3\n");
    CHECK("a;b\n1;\"lone\rcr\"\n", "D; a|b\n2:1|lone\rcr\nEOF 1\n"); /* data in quotes */
}

static void test_csv_skips_blank_lines_and_empty_records(void **state)
{
    (void)state;
    CHECK("\n\na;b\n\n1;2\n;\n\"\";\"\"\n\r\n3;4\n\n\n",
          "D; a|b\n5:1|2\n9:3|4\nEOF 2\n");
    /* Excel's ";;;" below a table, whatever the number of delimiters */
    CHECK("a;b;c;d\n1;2;3;4\n;;;\n;;\n;;;;;;\n5;6;7;8\n",
          "D; a|b|c|d\n2:1|2|3|4\n6:5|6|7|8\nEOF 2\n");
    CHECK(";;;\r\n\r\na;b\r\n1;2\r\n", "D; a|b\n4:1|2\nEOF 1\n"); /* before the header */
    /* the skipped line suggested TAB, the header decides ';' (found by the
     * random test: the SSE2 scanner kept a mask made for TAB) */
    CHECK("\t\n; \t\n1;2\n", "D; |\n3:1|2\nEOF 1\n");
    CHECK("a;b\n \n", /* a space is not empty */
          "D; a|b\nE t.csv:2: expected 2 fields as in the header, found 1\n");
}

static void test_csv_keeps_spaces_around_fields(void **state)
{
    (void)state;
    CHECK(" a ; b \n 1 ; 2 \n\t3\t;4 \n", "D; a|b\n2: 1 | 2 \n3:\t3\t|4 \nEOF 2\n");
}

static void test_csv_control_bytes_are_data(void **state)
{
    (void)state;
    CHECK("a;b\n\x01x\x1F;\ty\x7F\n", "D; a|b\n2:\x01x\x1F|\ty\x7F\nEOF 1\n");
}

/* ---- errors ------------------------------------------------------------ */

static void test_csv_empty_file_is_an_error(void **state)
{
    static const char *const empties[] = {"", "\xEF\xBB\xBF", "\n", "\r\n\n\r\n", ";;\n;\n",
                                          "\"\"\n"};
    size_t i;
    (void)state;
    for (i = 0; i < IP_ARRAY_LEN(empties); i++)
        check_modes(empties[i], strlen(empties[i]),
                    "E t.csv: expected a header line, found an empty file\n", all_modes,
                    IP_ARRAY_LEN(all_modes));
}

static void test_csv_wrong_field_count(void **state)
{
    (void)state;
    CHECK("a;b;c\n1;2;3\n1;2\n",
          "D; a|b|c\n2:1|2|3\nE t.csv:3: expected 3 fields as in the header, found 2\n");
    CHECK("a;b\n1;2;3\n", "D; a|b\nE t.csv:2: expected 2 fields as in the header, found 3\n");
    CHECK("a\n1;2\n", "D; a\nE t.csv:2: expected 1 field as in the header, found 2\n");
    CHECK("call_id;started_at;customer;queue;duration_s;answered\n"
          "1;2023-08-01T08:00:00;110;V;143\n",
          "D; call_id|started_at|customer|queue|duration_s|answered\n"
          "E t.csv:2: expected 6 fields as in the header, found 5\n");
    CHECK("a;b\n1;2\n\n\"x\ny\"\n", /* the record's first line */
          "D; a|b\n2:1|2\nE t.csv:4: expected 2 fields as in the header, found 1\n");
}

static void test_csv_stray_quotes(void **state)
{
    (void)state;
    CHECK("a;b\n1;ab\"c\n",
          "D; a|b\nE t.csv:2: expected no quote inside an unquoted field, found 'ab\"c'\n");
    CHECK("a;b\n1; \"x\"\n",
          "D; a|b\nE t.csv:2: expected no quote inside an unquoted field, found ' \"x\"'\n");
    CHECK("a;b\n12\" screen;2\n", "D; a|b\nE t.csv:2: expected no quote inside an unquoted "
                                  "field, found '12\" screen'\n");
    CHECK("a;b\n1;0123456789012345678901234567890123456789\"0123456789\n",
          "D; a|b\nE t.csv:2: expected no quote inside an unquoted field, found "
          "'0123456789012345678901234567890123456789...'\n");
    CHECK("a;b\n\"x\"y;2\n", "D; a|b\nE t.csv:2: expected a delimiter or line end after a "
                             "closing quote, found 'y'\n");
    CHECK("a;b\n\"x\" ;2\n", "D; a|b\nE t.csv:2: expected a delimiter or line end after a "
                             "closing quote, found ' '\n");
    CHECK("a;b\n\"x\ny\"z\n", "D; a|b\nE t.csv:3: expected a delimiter or line end after a "
                              "closing quote, found 'z'\n");
    CHECK("a\"b;c\n", "E t.csv:1: expected no quote inside an unquoted field, found 'a\"b'\n");
}

static void test_csv_unterminated_quote_names_its_first_line(void **state)
{
    (void)state;
    CHECK("a;b\n1;2\n3;\"abc\ndef\n\n",
          "D; a|b\n2:1|2\nE t.csv:3: expected a closing quote for the field that starts on "
          "this line, found the end of the file\n");
    CHECK("a;b\n1;\"", "D; a|b\nE t.csv:2: expected a closing quote for the field that "
                       "starts on this line, found the end of the file\n");
    CHECK("\"a;b\n", "E t.csv:1: expected a closing quote for the field that starts on "
                     "this line, found the end of the file\n");
}

static void test_csv_nul_bytes(void **state)
{
    (void)state;
    CHECK("a;b\n1;2\x00\n", "D; a|b\nE t.csv:2: expected text, found a NUL byte\n");
    CHECK("a;b\n1;\"x\ny\x00\"\n", "D; a|b\nE t.csv:3: expected text, found a NUL byte\n");
    CHECK("a\x00;b\n", "E t.csv:1: expected text, found a NUL byte\n");
    CHECK("a;b\n\x00", "D; a|b\nE t.csv:2: expected text, found a NUL byte\n");
    /* UTF-16 without a byte-order mark is mostly NUL bytes */
    CHECK("a\x00;\x00" "b\x00\n\x00", "E t.csv:1: expected text, found a NUL byte\n");
}

#define LATIN1 " (the file looks like Latin-1 / Windows-1252; save it as UTF-8)"

static void test_csv_invalid_utf8(void **state)
{
    (void)state;
    /* å ä ö saved as Latin-1 */
    CHECK("a;b\n1;\xE5\xE4\xF6\n",
          "D; a|b\nE t.csv:2: expected UTF-8 text, found byte 0xE5" LATIN1 "\n");
    CHECK("a;queue\n1;V\xE4xel J\xE4rva\n",
          "D; a|queue\nE t.csv:2: expected UTF-8 text, found byte 0xE4" LATIN1 "\n");
    CHECK("n\xE4mn;b\n", "E t.csv:1: expected UTF-8 text, found byte 0xE4" LATIN1 "\n");
    CHECK("a;b\n1;x\xE5", "D; a|b\nE t.csv:2: expected UTF-8 text, found byte 0xE5" LATIN1 "\n");
    CHECK("a;b\n1;\xA7 3\n", "D; a|b\nE t.csv:2: expected UTF-8 text, found byte 0xA7" LATIN1
                             "\n"); /* a lone continuation byte: Latin-1 § */
    CHECK("a;b\n1;\x96\n", "D; a|b\nE t.csv:2: expected UTF-8 text, found byte 0x96" LATIN1
                           "\n"); /* Windows-1252 en dash */
    CHECK("a;b\n1;\xFF\n", "D; a|b\nE t.csv:2: expected UTF-8 text, found byte 0xFF" LATIN1 "\n");
    CHECK("a;b\n1;\"x\n\xF6\"\n",
          "D; a|b\nE t.csv:3: expected UTF-8 text, found byte 0xF6" LATIN1 "\n");
    /* broken UTF-8 rather than Latin-1: no hint */
    CHECK("a;b\n1;\xC0\x80\n", "D; a|b\nE t.csv:2: expected UTF-8 text, found byte 0xC0\n");
    CHECK("a;b\n1;\xE0\x80\x80\n", "D; a|b\nE t.csv:2: expected UTF-8 text, found byte 0xE0\n");
    CHECK("a;b\n1;\xED\xA0\x80\n", /* a surrogate */
          "D; a|b\nE t.csv:2: expected UTF-8 text, found byte 0xED\n");
    CHECK("a;b\n1;\xF4\x90\x80\x80\n", /* above U+10FFFF */
          "D; a|b\nE t.csv:2: expected UTF-8 text, found byte 0xF4\n");
    CHECK("a;b\n1;\xF0\x80\x80\x80\n", "D; a|b\nE t.csv:2: expected UTF-8 text, found byte 0xF0\n");
    CHECK("a;b\n1;\xE2\x82\n", "D; a|b\nE t.csv:2: expected UTF-8 text, found byte 0xE2\n");
    CHECK("a;b\n1;\xE2\x82", "D; a|b\nE t.csv:2: expected UTF-8 text, found byte 0xE2\n");
    CHECK("a;b\n1;\x81\n", "D; a|b\nE t.csv:2: expected UTF-8 text, found byte 0x81\n");
    /* valid: two, three and four bytes, the edges of the ranges */
    CHECK("a;b\n\xC3\x85sa;\xE2\x82\xAC\xF0\x9F\x98\x80\n",
          "D; a|b\n2:\xC3\x85sa|\xE2\x82\xAC\xF0\x9F\x98\x80\nEOF 1\n");
    CHECK("a;b\n\xC2\x80\xDF\xBF;\xE0\xA0\x80\xED\x9F\xBF\xEE\x80\x80\xF0\x90\x80\x80\xF4\x8F\xBF"
          "\xBF\n",
          "D; a|b\n2:\xC2\x80\xDF\xBF|\xE0\xA0\x80\xED\x9F\xBF\xEE\x80\x80\xF0\x90\x80\x80\xF4\x8F"
          "\xBF\xBF\nEOF 1\n");
    /* UTF-16 with a byte-order mark */
    CHECK("\xFF\xFE" "a\x00", "E t.csv:1: expected UTF-8 text, found a UTF-16 byte-order mark "
                              "(save the file as UTF-8)\n");
    CHECK("\xFE\xFF\x00" "a", "E t.csv:1: expected UTF-8 text, found a UTF-16 byte-order mark "
                              "(save the file as UTF-8)\n");
}

/* Two-byte letters and bad bytes at every offset of the SSE2 scanner's
 * 64-byte windows. */
static void test_csv_utf8_at_every_offset(void **state)
{
    size_t k, j;
    (void)state;
    for (k = 0; k < 200; k++) {
        ip_buf f1, f2, in, want;
        ip_buf_init(&f1);
        ip_buf_init(&f2);
        ip_buf_init(&in);
        ip_buf_init(&want);
        for (j = 0; j < k; j++)
            ip_buf_addch(&f1, (char)('a' + j % 26));
        ip_buf_adds(&f1, "\xC3\xA4x\xC3\xB6");
        for (j = 0; j < k % 70; j++)
            ip_buf_adds(&f2, j % 3 ? "y" : "\xC3\xA5");
        ip_buf_addf(&in, "a;b\n%s;%s\n", f1.buf, f2.buf);
        ip_buf_addf(&want, "D; a|b\n2:%s|%s\nEOF 1\n", f1.buf, f2.buf);
        check_modes(in.buf, in.len, want.buf, all_modes, IP_ARRAY_LEN(all_modes));
        /* the same line with a Latin-1 byte at its end */
        in.buf[in.len - 1] = '\xE5';
        ip_buf_adds(&in, "\n");
        check_modes(in.buf, in.len,
                    "D; a|b\nE t.csv:2: expected UTF-8 text, found byte 0xE5" LATIN1 "\n",
                    all_modes, IP_ARRAY_LEN(all_modes));
        ip_buf_release(&f1);
        ip_buf_release(&f2);
        ip_buf_release(&in);
        ip_buf_release(&want);
    }
}

/* The transcript of the portable scanner, which the others must match. */
static void check_agree(const char *data, size_t len, const mode *modes, size_t nmodes)
{
    char *ref = transcript_sel(data, len, portable, 0, NULL);
    check_modes(data, len, ref, modes, nmodes);
    free(ref);
}

/* Rows of every length around the 64-byte masks of the plain-record fast
 * path, so that records, two-byte characters and CRLFs fall at every offset
 * of a window; then one defect at a time in such a file: the fast path must
 * leave each of them to the general parser, and the results must agree. */
static void test_csv_fast_path_edges(void **state)
{
    static const char *const defects[] = {
        "\xE5",     /* Latin-1 */
        ";",        /* a field too many */
        "x\"y",     /* a stray quote */
        "a\rb",     /* a lone CR */
        "\t",       /* TAB: data when ';' delimits */
        "\x01",     /* other control bytes are data too */
        "\xE2\x82\xAC", /* three-byte UTF-8: valid, not for the fast path */
        "\xC3",     /* a lead byte before the delimiter */
        "\xA4",     /* a continuation byte alone */
    };
    static const char *const lines[] = {
        "\n;;\n",  /* a record of empty fields, skipped */
        "\n\n",    /* an empty line */
        "\r\n\r\n", /* CRLF, then an empty CRLF line */
        "\n\"q\";\"\"\"\";z\n", /* quoted fields */
    };
    size_t v, k, i;
    (void)state;
    for (v = 0; v < IP_ARRAY_LEN(defects) + IP_ARRAY_LEN(lines) + 1; v++) {
        for (k = 5; k < 130; k += 59) {
            ip_buf in;
            ip_buf_init(&in);
            ip_buf_adds(&in, "id;name;n\n");
            for (i = 0; i < 130; i++) {
                size_t j;
                ip_buf_addf(&in, "%zu;", i);
                for (j = 0; j < i % 71; j++)
                    ip_buf_addch(&in, (char)('a' + j % 26));
                ip_buf_adds(&in, i % 4 ? "\xC3\xA4" : "\xC3\xB6x");
                if (i == k && v < IP_ARRAY_LEN(defects))
                    ip_buf_adds(&in, defects[v]);
                ip_buf_adds(&in, ";7");
                if (i == k && v >= IP_ARRAY_LEN(defects) && v - IP_ARRAY_LEN(defects) <
                                                                IP_ARRAY_LEN(lines))
                    ip_buf_adds(&in, lines[v - IP_ARRAY_LEN(defects)]);
                else
                    ip_buf_adds(&in, i % 3 ? "\n" : "\r\n");
            }
            check_agree(in.buf, in.len, all_modes, IP_ARRAY_LEN(all_modes));
            ip_buf_release(&in);
        }
    }
}

/* Records around the 4 KiB a mask chunk covers, and longer ones. */
static void test_csv_fast_path_long_records(void **state)
{
    ip_buf in;
    size_t i;
    (void)state;
    ip_buf_init(&in);
    ip_buf_adds(&in, "a;b\n");
    for (i = 0; i < 40; i++) {
        size_t n = i % 2 ? 4000 + i * 7 : 30 + i, j;
        for (j = 0; j < n; j++)
            ip_buf_addch(&in, j % 50 == 49 ? '\xC3' : (char)('a' + j % 26));
        if (n % 50 >= 49)
            ip_buf_addch(&in, '\xA4');
        ip_buf_adds(&in, ";x\r\n");
    }
    check_agree(in.buf, in.len, big_modes, IP_ARRAY_LEN(big_modes));
    ip_buf_adds(&in, "1;2;3\n"); /* and an error after them */
    check_agree(in.buf, in.len, big_modes, IP_ARRAY_LEN(big_modes));
    ip_buf_release(&in);
}

/* ip_csv_select(): the selected fields are those of a full read, whatever
 * the scanner; every record is still checked in full. */
static void test_csv_select_columns(void **state)
{
    static const long s0[] = {0, -1}, s2[] = {2, -1}, s13[] = {3, 1, -1}, none[] = {-1},
                      out[] = {7, -1};
    static const long *const sels[] = {s0, s2, s13, none, out};
    static const char in[] = "a;b;c;d\n1;2;3;4\n5;\"6;\";7;8\r\n\n9;10;11;\xC3\xA4\n12;13;14\n";
    size_t k, m;
    (void)state;
    for (k = 0; k < IP_ARRAY_LEN(sels); k++) {
        char *ref;
        ref = transcript_sel(in, sizeof in - 1, all_modes[1], 0, sels[k]);
        for (m = 0; m < IP_ARRAY_LEN(all_modes); m++) {
            char *got;
            got = transcript_sel(in, sizeof in - 1, all_modes[m], all_modes[m].batch, sels[k]);
            assert_string_equal(got, ref);
            free(got);
        }
        free(ref);
    }
    {
        char *got = transcript_sel(in, sizeof in - 1, all_modes[1], 0, s13);
        assert_string_equal(got, "D; a|b|c|d\n2:2|4\n3:6;|8\n5:10|\xC3\xA4\n"
                                 "E t.csv:6: expected 4 fields as in the header, found 3\n");
        free(got);
    }
}

static void test_csv_lone_cr(void **state)
{
    (void)state;
    CHECK("a;b\n1;2\r3;4\n", "D; a|b\nE t.csv:2: expected LF or CRLF line ends, found a lone CR\n");
    CHECK("a;b\r1;2\r", "E t.csv:1: expected LF or CRLF line ends, found a lone CR\n"); /* old Mac */
    CHECK("a;b\n\"x\"\ry\n",
          "D; a|b\nE t.csv:2: expected LF or CRLF line ends, found a lone CR\n");
    CHECK("a;b\n\r1;2\n", "D; a|b\nE t.csv:2: expected LF or CRLF line ends, found a lone CR\n");
}

/* A record of exactly IP_CSV_MAX_RECORD bytes is fine, one more is not. */
static void test_csv_record_size_limit(void **state)
{
    size_t len = 4 + MAX + 5;
    char *in = malloc(len + 1), *want = malloc(MAX + 100);
    (void)state;
    memcpy(in, "a;b\n", 4);
    memset(in + 4, 'x', MAX);
    in[4 + MAX - 2] = ';';
    memcpy(in + 4 + MAX, "\r\n1;2", 6);
    snprintf(want, MAX + 100, "D; a|b\n2:%.*s|x\n3:1|2\nEOF 2\n", (int)(MAX - 2), in + 4);
    check_modes(in, len, want, big_modes, IP_ARRAY_LEN(big_modes));
    in[4 + MAX] = 'x'; /* now MAX + 1 bytes before the LF */
    check_modes(in, len,
                "D; a|b\nE t.csv:2: expected a record of at most 1048576 bytes, found a longer "
                "one\n",
                big_modes, IP_ARRAY_LEN(big_modes));
    /* too long at the end of the file, and a header that is too long */
    check_modes(in, len - 4,
                "D; a|b\nE t.csv:2: expected a record of at most 1048576 bytes, found a longer "
                "one\n",
                big_modes, IP_ARRAY_LEN(big_modes));
    check_modes(in + 4, len - 4,
                "E t.csv:1: expected a record of at most 1048576 bytes, found a longer one\n",
                big_modes, IP_ARRAY_LEN(big_modes));
    free(in);
    free(want);
}

/* ---- columns ------------------------------------------------------------ */

static ip_csv *open_str(const char *s)
{
    ip_csv *c;
    ip_diag d;
    assert_int_equal(ip_csv_open_mem(s, strlen(s), "t.csv", &c, &d), IP_OK);
    return c;
}

static void assert_diag(const ip_diag *d, const char *expected)
{
    char line[IP_DIAG_MSG + 600];
    ip_diag_format(d, line, sizeof line);
    assert_string_equal(line, expected);
}

static void test_csv_columns_by_name_any_order_and_case(void **state)
{
    ip_csv *c = open_str("call_id;Started_At; CUSTOMER ;\" queue\"\n1;2;3;4\n");
    long idx;
    ip_diag d;
    (void)state;
    assert_int_equal(ip_csv_ncols(c), 4);
    assert_int_equal(ip_csv_find(c, "customer"), 2);
    assert_int_equal(ip_csv_find(c, "STARTED_AT"), 1);
    assert_int_equal(ip_csv_find(c, "  queue "), 3);
    assert_int_equal(ip_csv_find(c, "call_id"), 0);
    assert_int_equal(ip_csv_find(c, "call"), -1);
    assert_int_equal(ip_csv_find(c, "call_idx"), -1);
    assert_int_equal(ip_csv_find(c, ""), -1);
    assert_int_equal(ip_csv_column(c, "Customer", 1, &idx, &d), IP_OK);
    assert_int_equal(idx, 2);
    assert_int_equal(ip_csv_column(c, "count", 0, &idx, &d), IP_OK); /* optional */
    assert_int_equal(idx, -1);
    assert_int_equal(ip_csv_column(c, "count", 1, &idx, &d), IP_ERR_DATA);
    assert_int_equal(idx, -1);
    assert_diag(&d, "t.csv:1: expected a column named 'count' in the header, found 'call_id', "
                    "'Started_At', 'CUSTOMER', 'queue'");
    assert_string_equal(ip_csv_name(c), "t.csv");
    ip_csv_free(c);

    /* Swedish letters fold too */
    c = open_str("\xC3\x84rende;\xC3\x85R;\xC3\xB6\n1;2;3\n");
    assert_int_equal(ip_csv_find(c, "\xC3\xA4rende"), 0);
    assert_int_equal(ip_csv_find(c, "\xC3\xA5r"), 1);
    assert_int_equal(ip_csv_find(c, "\xC3\x96"), 2);
    assert_int_equal(ip_csv_find(c, "arende"), -1);
    ip_csv_free(c);
}

static void test_csv_duplicate_columns(void **state)
{
    ip_csv *c = open_str("\n\ndate;Customer;customer ;x\n1;2;3;4\n");
    long idx;
    ip_diag d;
    (void)state;
    assert_int_equal(ip_csv_find(c, "customer"), 1);
    assert_int_equal(ip_csv_column(c, "customer", 1, &idx, &d), IP_ERR_DATA);
    assert_diag(&d, "t.csv:3: expected one column named 'customer', found 2 (columns 2 and 3)");
    assert_int_equal(ip_csv_column(c, "CUSTOMER", 0, &idx, &d), IP_ERR_DATA);
    assert_int_equal(ip_csv_column(c, "date", 1, &idx, &d), IP_OK);
    assert_int_equal(idx, 0);
    ip_csv_free(c);
}

static void test_csv_header_accessors(void **state)
{
    ip_csv *c = open_str("a\t\"b c\"\t c \n1\t2\t3\n");
    ip_field h;
    (void)state;
    assert_int_equal(ip_csv_delimiter(c), '\t');
    h = ip_csv_header(c, 1);
    assert_int_equal(h.len, 3);
    assert_memory_equal(h.ptr, "b c", 3);
    h = ip_csv_header(c, 2);
    assert_int_equal(h.len, 1);
    assert_memory_equal(h.ptr, "c", 1);
    h = ip_csv_header(c, 3);
    assert_int_equal(h.len, 0);
    assert_int_equal(ip_csv_line(c), 1);
    assert_int_equal(ip_csv_records(c), 0);
    ip_csv_free(c);
    ip_csv_free(NULL);
}

static void test_csv_header_stray_quote_fails_open(void **state)
{
    ip_csv *c = (ip_csv *)1;
    ip_diag d;
    const char *s = "a\t \"b c\" \tc\n";
    (void)state;
    assert_int_equal(ip_csv_open_mem(s, strlen(s), "t.csv", &c, &d), IP_ERR_DATA);
    assert_null(c);
    assert_diag(&d, "t.csv:1: expected no quote inside an unquoted field, found ' \"b c\" '");
}

/* ---- files on disk ------------------------------------------------------ */

static char *temp_path(void)
{
    char *p = ip_xstrdup("/tmp/test_csv_XXXXXX");
    int fd = mkstemp(p);
    assert_true(fd >= 0);
    close(fd);
    return p;
}

static void write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void test_csv_missing_file_and_directory(void **state)
{
    ip_csv *c = (ip_csv *)1;
    ip_diag d;
    (void)state;
    assert_int_equal(ip_csv_open("/nonexistent/calls.csv", "calls.csv", &c, &d), IP_ERR_NOINPUT);
    assert_null(c);
    assert_diag(&d, "calls.csv: cannot open: No such file or directory");
    assert_int_equal(ip_csv_open("/tmp", NULL, &c, &d), IP_ERR_NOINPUT);
    assert_diag(&d, "/tmp: expected a regular file, found a folder");
}

/* A named pipe or a device in a file's place is refused at once: the open
 * never waits for a writer, and /dev/zero is never read. */
static void test_csv_special_files_refused_without_blocking(void **state)
{
    char dir[] = "/tmp/ip-test-csv-fifo.XXXXXX";
    char fifo[64];
    ip_csv *c = (ip_csv *)1;
    ip_diag d;
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(fifo, sizeof fifo, "%s/calls.csv", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(ip_csv_open(fifo, "calls.csv", &c, &d), IP_ERR_NOINPUT);
    assert_null(c);
    assert_diag(&d, "calls.csv: expected a regular file, found a named pipe");
    assert_int_equal(ip_csv_open("/dev/zero", NULL, &c, &d), IP_ERR_NOINPUT);
    assert_diag(&d, "/dev/zero: expected a regular file, found a character device");
    unlink(fifo);
    rmdir(dir);
}

static void test_csv_read_error(void **state)
{
    ip_csv *c = (ip_csv *)1;
    ip_diag d;
    (void)state;
    /* reading /proc/self/mem at offset 0 fails with EIO */
    if (access("/proc/self/mem", R_OK) != 0)
        skip();
    assert_int_equal(ip_csv_open("/proc/self/mem", "mem.csv", &c, &d), IP_ERR_IO);
    assert_null(c);
    assert_diag(&d, "mem.csv: cannot read: Input/output error");
}

static void test_csv_empty_file_on_disk(void **state)
{
    char *path = temp_path();
    ip_csv *c;
    ip_diag d;
    (void)state;
    assert_int_equal(ip_csv_open(path, "cases.csv", &c, &d), IP_ERR_DATA);
    assert_diag(&d, "cases.csv: expected a header line, found an empty file");
    unlink(path);
    free(path);
}

/* Row i of the generated file; some rows hold quoted line breaks, "", the
 * delimiter and UTF-8, and rows vary in length so that they end at every
 * offset of a block. Writes the expected fields into f[4]. */
static void gen_row(ip_buf *b, unsigned i, const char *eol, char f[4][400])
{
    unsigned pad = (i * 7919u) % 300;
    snprintf(f[0], 400, "%u", i);
    snprintf(f[1], 400, "2023-%02u-%02uT%02u:%02u:%02u", i % 12 + 1, i % 28 + 1, i % 24, i % 60,
             (i / 7) % 60);
    if (i % 7 == 3)
        snprintf(f[2], 400, "note \"%u\";%sV\xC3\xA4xel J\xC3\xA4rva \xE2\x82\xAC", i, eol);
    else
        snprintf(f[2], 400, "V\xC3\xA4xel %u", i % 53);
    memset(f[3], 'z', pad);
    f[3][pad] = '\0';
    if (pad % 5 == 1 && pad >= 2)
        memcpy(f[3], "\xC3\xB6", 2);
    ip_buf_addf(b, "%s;%s;", f[0], f[1]);
    if (i % 7 == 3) {
        const char *s;
        ip_buf_addch(b, '"');
        for (s = f[2]; *s; s++) {
            if (*s == '"')
                ip_buf_addch(b, '"');
            ip_buf_addch(b, *s);
        }
        ip_buf_addch(b, '"');
    } else {
        ip_buf_adds(b, f[2]);
    }
    ip_buf_addf(b, ";%s%s", f[3], eol);
    if (i % 1000 == 999)
        ip_buf_adds(b, eol); /* a blank line now and then */
}

static void tap_digest_feed(void *ctx, const unsigned char *p, size_t n)
{
    ip_digest_feed(ctx, p, n);
}

static void tap_digest_wait(void *ctx, uint64_t n)
{
    ip_digest_wait(ctx, n);
}

/* Reads the file written from gen_row() rows in every big mode; the batch
 * modes select columns 1 and 2 only. The SHA-256 from the tap (inline for
 * ip_csv_next(), on a thread for batches) must be the file's. */
static void check_big_file(const char *eol, int bom, unsigned rows)
{
    static const mode modes[] = {{AUTO, 0, 0}, {PORT, 0, 0},    {AUTO, 4093, 0}, {PORT, 4093, 0},
                                 {SSE2, 0, 1}, {AUTO, 4093, 1}, {PORT, 0, 1}};
    static const long sel[] = {2, 1};
    char *path = temp_path(), want[65];
    ip_buf b;
    char f[4][400];
    size_t m;
    unsigned i;
    ip_buf_init(&b);
    if (bom)
        ip_buf_adds(&b, "\xEF\xBB\xBF");
    ip_buf_addf(&b, "id;started_at;queue;pad%s", eol);
    for (i = 0; i < rows; i++)
        gen_row(&b, i, eol, f);
    assert_true(b.len > 8 * 256 * 1024); /* many times the buffer */
    write_file(path, b.buf, b.len);
    assert_int_equal(ip_digest_file(path, want, NULL), 0);
    for (m = 0; m < IP_ARRAY_LEN(modes); m++) {
        ip_csv *c;
        ip_diag d;
        long line = 2;
        ip_buf scratch;
        ip_digest *g = ip_digest_new(modes[m].batch);
        ip_csv_tap tap = {g, tap_digest_feed, modes[m].batch ? tap_digest_wait : NULL};
        ip_csv_opts o = mode_opts(modes[m], &tap);
        ip_csv_batch bt = {NULL, 0, 0, 0};
        size_t j = 0;
        int eof, k;
        char got[65];
        ip_buf_init(&scratch);
        assert_int_equal(ip_digest_is_threaded(g), modes[m].batch);
        assert_int_equal(ip_csv_open_ex(path, "big.csv", &o, &c, &d), IP_OK);
#ifdef __SSE2__
        assert_int_equal(ip_csv_is_portable(c), modes[m].scan == PORT);
#endif
        if (modes[m].batch)
            ip_csv_select(c, sel, 2);
        for (i = 0; i < rows; i++) {
            const ip_field *fl;
            if (modes[m].batch) {
                if (j == bt.n) {
                    assert_int_equal(ip_csv_next_batch(c, &bt, &eof, &d), IP_OK);
                    assert_int_equal(eof, 0);
                    j = 0;
                }
                fl = bt.fields + j * bt.stride;
                assert_int_equal(bt.line + (long)j, line);
                j++;
            } else {
                assert_int_equal(ip_csv_next(c, &fl, &eof, &d), IP_OK);
                assert_int_equal(eof, 0);
                assert_int_equal(ip_csv_line(c), line);
            }
            ip_buf_reset(&scratch);
            gen_row(&scratch, i, eol, f);
            for (k = modes[m].batch; k < (modes[m].batch ? 3 : 4); k++) {
                assert_int_equal(fl[k].len, strlen(f[k]));
                assert_memory_equal(fl[k].ptr, f[k], fl[k].len);
            }
            line += 1 + (i % 7 == 3) + (i % 1000 == 999);
        }
        assert_int_equal(j, bt.n);
        if (modes[m].batch) {
            assert_int_equal(ip_csv_next_batch(c, &bt, &eof, &d), IP_OK);
            assert_int_equal(bt.n, 0);
        } else {
            const ip_field *fl;
            assert_int_equal(ip_csv_next(c, &fl, &eof, &d), IP_OK);
        }
        assert_int_equal(eof, 1);
        assert_int_equal(ip_csv_records(c), rows);
        assert_int_equal(ip_csv_bytes(c), b.len);
        assert_int_equal(ip_digest_bytes(g), b.len);
        ip_digest_final(g, got);
        assert_string_equal(got, want);
        ip_csv_free(c);
        ip_digest_free(g);
        ip_buf_release(&scratch);
    }
    unlink(path);
    free(path);
    ip_buf_release(&b);
}

static void test_csv_big_file_straddles_blocks(void **state)
{
    (void)state;
    check_big_file("\n", 0, 20000);
}

static void test_csv_big_file_crlf_bom(void **state)
{
    (void)state;
    check_big_file("\r\n", 1, 20000);
}

/* One 10 MB line: the reader stops after a megabyte, not at the end. */
static void test_csv_ten_megabyte_line(void **state)
{
    size_t len = 10u << 20;
    char *data = malloc(len + 20), *path = temp_path();
    ip_csv *c;
    ip_diag d;
    size_t m;
    (void)state;
    memcpy(data, "a;b\n", 4);
    memset(data + 4, 'x', len);
    memcpy(data + 4 + len, "\n", 1);
    write_file(path, data, len + 5);
    for (m = 0; m < 2; m++) {
        const ip_field *f;
        int eof;
        ip_csv_opts o = mode_opts(m ? portable : defaults, NULL);
        assert_int_equal(ip_csv_open_ex(path, "calls.csv", &o, &c, &d), IP_OK);
        assert_int_equal(ip_csv_next(c, &f, &eof, &d), IP_ERR_DATA);
        assert_diag(&d, "calls.csv:2: expected a record of at most 1048576 bytes, found a "
                        "longer one");
        ip_csv_free(c);
    }
    /* the header line itself */
    write_file(path, data + 4, len + 1);
    assert_int_equal(ip_csv_open(path, "calls.csv", &c, &d), IP_ERR_DATA);
    assert_diag(&d, "calls.csv:1: expected a record of at most 1048576 bytes, found a longer one");
    unlink(path);
    free(path);
    free(data);
}

static void test_csv_portable_switches(void **state)
{
    ip_csv *c;
    (void)state;
    c = open_str("a\n1\n");
#ifdef __SSE2__
    assert_int_equal(ip_csv_is_portable(c), 0);
#endif
    ip_csv_free(c);
    c = open_mode("a\n1\n", portable);
    assert_int_equal(ip_csv_is_portable(c), 1);
    assert_int_equal(ip_csv_scan_used(c), IP_CSV_SCAN_PORTABLE);
    ip_csv_free(c);
    /* the test build's hook, for a reader that leaves the choice open */
    setenv("IP_CSV_PORTABLE", "1", 1);
    c = open_str("a\n1\n");
    assert_int_equal(ip_csv_is_portable(c), 1);
    ip_csv_free(c);
    unsetenv("IP_CSV_PORTABLE");
}

static void test_csv_scanner_choice(void **state)
{
    ip_csv *c;
    ip_csv_scan best;
    (void)state;
    c = open_str("a\n1\n");
    best = ip_csv_scan_used(c);
    ip_csv_free(c);
#ifdef __SSE2__
    assert_true(best == IP_CSV_SCAN_SSE2 || best == IP_CSV_SCAN_AVX2);
    {
        static const mode sse2 = {SSE2, 0, 0}, avx2 = {IP_CSV_SCAN_AVX2, 0, 0};
        c = open_mode("a\n1\n", sse2);
        assert_int_equal(ip_csv_scan_used(c), IP_CSV_SCAN_SSE2);
        assert_int_equal(ip_csv_is_portable(c), 0);
        ip_csv_free(c);
        c = open_mode("a\n1\n", avx2); /* SSE2 on a CPU without AVX2 */
        assert_int_equal(ip_csv_scan_used(c), best);
        ip_csv_free(c);
        /* the environment, when the options leave the choice open */
        setenv("IP_CSV_SCAN", "sse2", 1);
        c = open_str("a\n1\n");
        assert_int_equal(ip_csv_scan_used(c), IP_CSV_SCAN_SSE2);
        ip_csv_free(c);
        setenv("IP_CSV_SCAN", "portable", 1);
        c = open_str("a\n1\n");
        assert_int_equal(ip_csv_scan_used(c), IP_CSV_SCAN_PORTABLE);
        ip_csv_free(c);
        c = open_mode("a\n1\n", sse2); /* the options' choice wins */
        assert_int_equal(ip_csv_scan_used(c), IP_CSV_SCAN_SSE2);
        ip_csv_free(c);
        unsetenv("IP_CSV_SCAN");
    }
#else
    assert_int_equal(best, IP_CSV_SCAN_PORTABLE);
#endif
}

/* The scanner and the buffer are each reader's own: three readers open at
 * once, portable with 3-byte reads, SSE2 and the best with the default
 * buffer, read the same text record by record in turn and agree. */
static void test_csv_readers_keep_their_options(void **state)
{
    static const mode m[3] = {{PORT, 3, 0}, {SSE2, 0, 0}, {AUTO, 0, 0}};
    ip_buf in;
    ip_csv *c[3];
    unsigned i;
    size_t k;
    (void)state;
    ip_buf_init(&in);
    ip_buf_adds(&in, "id;name;n\n");
    for (i = 0; i < 2000; i++)
        ip_buf_addf(&in, i % 5 == 2 ? "%u;\"r\xC3\xA4" "d \"\"%u\"\"\";%u\r\n" : "%u;rad %u;%u\n",
                    i, i * 7, i % 13);
    for (k = 0; k < 3; k++)
        c[k] = open_mode(in.buf, m[k]);
    assert_int_equal(ip_csv_scan_used(c[0]), IP_CSV_SCAN_PORTABLE);
#ifdef __SSE2__
    assert_int_equal(ip_csv_scan_used(c[1]), IP_CSV_SCAN_SSE2);
    assert_int_not_equal(ip_csv_scan_used(c[2]), IP_CSV_SCAN_PORTABLE);
#endif
    for (;;) {
        const ip_field *f[3];
        int eof[3];
        ip_diag d;
        for (k = 0; k < 3; k++)
            assert_int_equal(ip_csv_next(c[k], &f[k], &eof[k], &d), IP_OK);
        assert_int_equal(eof[1], eof[0]);
        assert_int_equal(eof[2], eof[0]);
        if (eof[0])
            break;
        for (k = 1; k < 3; k++) {
            size_t j;
            assert_int_equal(ip_csv_line(c[k]), ip_csv_line(c[0]));
            for (j = 0; j < 3; j++) {
                assert_int_equal(f[k][j].len, f[0][j].len);
                assert_memory_equal(f[k][j].ptr, f[0][j].ptr, f[0][j].len);
            }
        }
    }
    assert_int_equal(ip_csv_records(c[0]), 2000);
    for (k = 0; k < 3; k++)
        ip_csv_free(c[k]);
    ip_buf_release(&in);
}

/* The digest alone: inline and threaded give the SHA-256 of the bytes, also
 * for nothing and for many small feeds. */
static void test_csv_digest_inline_and_threaded(void **state)
{
    static const char empty_sha[] =
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    static const char abc_sha[] =
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    int threaded;
    (void)state;
    for (threaded = 0; threaded < 2; threaded++) {
        char hex[65];
        ip_digest *g = ip_digest_new(threaded);
        ip_digest_final(g, hex);
        assert_string_equal(hex, empty_sha);
        ip_digest_free(g);
        g = ip_digest_new(threaded);
        ip_digest_feed(g, "a", 1);
        ip_digest_feed(g, "b", 1);
        ip_digest_wait(g, 1);
        ip_digest_feed(g, "c", 1);
        ip_digest_wait(g, 99);
        assert_int_equal(ip_digest_bytes(g), 3);
        ip_digest_final(g, hex);
        assert_string_equal(hex, abc_sha);
        ip_digest_free(g);
        ip_digest_free(NULL);
    }
    /* the policy */
    assert_int_equal(ip_digest_want_thread(UINT64_C(1) << 40, IP_DIGEST_THREADS_NEVER), 0);
    assert_int_equal(ip_digest_want_thread(0, IP_DIGEST_THREADS_ALWAYS), 1);
    assert_int_equal(ip_digest_want_thread(10, IP_DIGEST_THREADS_AUTO), 0);
    setenv("IP_DIGEST_THREADS", "1", 1);
    assert_int_equal(ip_digest_want_thread(10, IP_DIGEST_THREADS_AUTO), 1);
    /* the options win over the test build's environment */
    assert_int_equal(ip_digest_want_thread(10, IP_DIGEST_THREADS_NEVER), 0);
    unsetenv("IP_DIGEST_THREADS");
}

/* A whole file: the SHA-256 and size of nothing, of "abc" and of a file of
 * several read blocks (against the same bytes fed by hand); -1 and errno for
 * a missing file and a folder. */
static void test_csv_digest_file(void **state)
{
    char *path = temp_path(), hex[65], want[65];
    uint64_t bytes = 99;
    size_t n = 200003, i;
    char *big = ip_xmalloc(n);
    ip_digest *g;
    (void)state;
    assert_int_equal(ip_digest_file(path, hex, &bytes), 0);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_int_equal(bytes, 0);
    write_file(path, "abc", 3);
    assert_int_equal(ip_digest_file(path, hex, NULL), 0);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    for (i = 0; i < n; i++)
        big[i] = (char)(i * 7 + i / 251);
    write_file(path, big, n);
    g = ip_digest_new(0);
    ip_digest_feed(g, big, n);
    ip_digest_final(g, want);
    ip_digest_free(g);
    assert_int_equal(ip_digest_file(path, hex, &bytes), 0);
    assert_string_equal(hex, want);
    assert_int_equal(bytes, n);
    unlink(path);
    errno = 0;
    assert_int_equal(ip_digest_file(path, hex, &bytes), -1);
    assert_int_equal(errno, ENOENT);
    errno = 0;
    assert_int_equal(ip_digest_file("/tmp", hex, &bytes), -1);
    assert_int_equal(errno, EISDIR);
    free(big);
    free(path);
}

/* ---- differential: random inputs, every mode, one transcript ------------ */

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state % n);
}

static void test_csv_random_inputs_agree_in_every_mode(void **state)
{
    /* mostly valid pieces, a few broken ones */
    static const char *const good[] = {
        "a", "bc", "12345", ";", ";", ";", ",", "\t", "\n", "\n", "\r\n", "\"q;\"", "\"\"",
        "\"x\"\"y\"", "\"line\nbreak\"", "\xC3\xA4", "\xC3\xA5\xC3\xB6", "\xE2\x82\xAC",
        "\xF0\x9F\x98\x80", " ", "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz",
        "\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4\xC3\xA4",
    };
    static const char *const bad[] = {"\"", "\r", "\xE5", "\xC3", "\x80", "\xED\xA0\x80",
                                      "\xC0\x80", "x\"y", "\xEF\xBB\xBF"};
    int round;
    (void)state;
    for (round = 0; round < 3000; round++) {
        ip_buf in;
        char *ref;
        size_t m, pieces = 1 + rnd(60);
        ip_buf_init(&in);
        if (rnd(4) == 0)
            ip_buf_adds(&in, "\xEF\xBB\xBF");
        while (pieces--) {
            if (rnd(40) == 0)
                ip_buf_adds(&in, bad[rnd(IP_ARRAY_LEN(bad))]);
            else if (rnd(200) == 0)
                ip_buf_addch(&in, '\0');
            else
                ip_buf_adds(&in, good[rnd(IP_ARRAY_LEN(good))]);
        }
        ref = transcript_mem(in.buf, in.len);
        if (round % 10 == 0) {
            /* a selection: column 1 only, from the portable and a batch read */
            static const long sel[] = {1, -1};
            static const mode pm = {PORT, 0, 0}, bm = {AUTO, 0, 1};
            char *a, *b;
            a = transcript_sel(in.buf, in.len, pm, 0, sel);
            b = transcript_sel(in.buf, in.len, bm, 1, sel);
            assert_string_equal(a, b);
            free(a);
            free(b);
        }
        for (m = 1; m < IP_ARRAY_LEN(all_modes); m++) {
            char *got;
            got = transcript_sel(in.buf, in.len, all_modes[m], 0, NULL);
            if (strcmp(got, ref) != 0) {
                size_t i;
                print_message("mode %zu, input:", m);
                for (i = 0; i < in.len; i++)
                    print_message(" %02X", (unsigned char)in.buf[i]);
                print_message("\n");
            }
            assert_string_equal(got, ref);
            free(got);
        }
        free(ref);
        ip_buf_release(&in);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_reads_records_with_line_numbers),
        cmocka_unit_test(test_csv_bom_and_crlf),
        cmocka_unit_test(test_csv_detects_the_delimiter),
        cmocka_unit_test(test_csv_quoted_fields),
        cmocka_unit_test(test_csv_quoted_line_breaks_keep_line_numbers),
        cmocka_unit_test(test_csv_skips_blank_lines_and_empty_records),
        cmocka_unit_test(test_csv_keeps_spaces_around_fields),
        cmocka_unit_test(test_csv_control_bytes_are_data),
        cmocka_unit_test(test_csv_empty_file_is_an_error),
        cmocka_unit_test(test_csv_wrong_field_count),
        cmocka_unit_test(test_csv_stray_quotes),
        cmocka_unit_test(test_csv_unterminated_quote_names_its_first_line),
        cmocka_unit_test(test_csv_nul_bytes),
        cmocka_unit_test(test_csv_invalid_utf8),
        cmocka_unit_test(test_csv_utf8_at_every_offset),
        cmocka_unit_test(test_csv_fast_path_edges),
        cmocka_unit_test(test_csv_fast_path_long_records),
        cmocka_unit_test(test_csv_select_columns),
        cmocka_unit_test(test_csv_lone_cr),
        cmocka_unit_test(test_csv_record_size_limit),
        cmocka_unit_test(test_csv_columns_by_name_any_order_and_case),
        cmocka_unit_test(test_csv_duplicate_columns),
        cmocka_unit_test(test_csv_header_accessors),
        cmocka_unit_test(test_csv_header_stray_quote_fails_open),
        cmocka_unit_test(test_csv_missing_file_and_directory),
        cmocka_unit_test(test_csv_special_files_refused_without_blocking),
        cmocka_unit_test(test_csv_read_error),
        cmocka_unit_test(test_csv_empty_file_on_disk),
        cmocka_unit_test(test_csv_big_file_straddles_blocks),
        cmocka_unit_test(test_csv_big_file_crlf_bom),
        cmocka_unit_test(test_csv_ten_megabyte_line),
        cmocka_unit_test(test_csv_portable_switches),
        cmocka_unit_test(test_csv_scanner_choice),
        cmocka_unit_test(test_csv_readers_keep_their_options),
        cmocka_unit_test(test_csv_digest_inline_and_threaded),
        cmocka_unit_test(test_csv_digest_file),
        cmocka_unit_test(test_csv_random_inputs_agree_in_every_mode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
