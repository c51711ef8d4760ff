/*
 * test_run_fast.c — the run's statistics reading in its fast and portable
 * modes must agree: same bases, months, row counts, digests and the same
 * error messages, on small generated years, good and bad.
 *
 * Each case writes a price year into a temporary input root: the sample
 * tariff and register (input/2025), the sample licences, and generated
 * cases.csv and calls.csv (cases.csv feeds two services that share its date
 * column, calls.csv the switchboard service). ip_run_compute() then runs in
 * four modes:
 *   - reference: the portable scanner, the digest inline, the default buffer;
 *   - the best scanner (AVX2 here), the digest on its own thread;
 *   - SSE2, the digest threaded, 4093-byte reads (every block boundary moves);
 *   - the best scanner, the digest inline, 1000-byte reads.
 * The result (or the error, with its listed lines) is printed to a text that
 * must be the same in every mode; on success every file's SHA-256 and size
 * must also be those of the file on disk (the digest comes from the same read
 * as the parse). The rows are made to hit what the fast paths of csv.c and
 * basis.c decide on: datetimes of 10, 16 and 19 bytes with 'T' or a space, the
 * same day with a time that is out of range (the remembered day must not
 * vouch for it), spaces around values, quoted fields with delimiters, "" and
 * line breaks, CRLF and a byte-order mark, UTF-8 in every position, counts,
 * unknown customers inside and outside the window.
 */
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
#include "fees.h"
#include "run.h"
#include "util.h"

/* The customers of the sample register (input/2025/customers.csv). */
static const unsigned customers[] = {
    101, 108, 110, 113, 115, 116, 117, 120, 122, 126, 131, 132, 168, 169, 177, 181, 183, 190,
    191, 192, 200, 209, 212, 213, 216, 217, 218, 225, 228, 232, 235, 249, 251, 252, 278, 291,
    292, 296, 298, 361, 362, 367, 701, 704, 706, 708, 709, 712, 714, 715, 718, 722, 724,
};

static const char *const queues[] = {
    "V\xC3\xA4xel J\xC3\xA4rva", "Kundtj\xC3\xA4nst \xC3\x84ldreomsorg", "IT-support",
    "\"Bygglov; Milj\xC3\xB6\"", "\"s\xC3\xA4g \"\"hej\"\"\"", "\"tv\xC3\xA5\nrader\"",
    "\xC3\x96verf\xC3\xB6rmyndare \xE2\x82\xAC",
};

typedef struct mode {
    ip_csv_scan scan;
    int thread; /* digest on a thread */
    size_t buffer;
} mode;

static const mode modes[] = {
    {IP_CSV_SCAN_PORTABLE, 0, 0},
    {IP_CSV_SCAN_AUTO, 1, 0},
    {IP_CSV_SCAN_SSE2, 1, 4093},
    {IP_CSV_SCAN_AUTO, 0, 1000},
};

static uint64_t rng;

static unsigned rnd(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

/* ---- files -------------------------------------------------------------- */

static void write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void copy_file(const char *from, const char *to)
{
    size_t len;
    char *data = ip_read_file(from, &len);
    assert_non_null(data);
    write_file(to, data, len);
    free(data);
}

typedef struct year {
    char root[64];   /* input root: root/2025/ */
    char out[64];    /* output root (empty: no fees of 2024) */
} year;

static void year_make(year *y)
{
    char *p;
    strcpy(y->root, "/tmp/test_run_fast_XXXXXX");
    strcpy(y->out, "/tmp/test_run_fast_out_XXXXXX");
    assert_non_null(mkdtemp(y->root));
    assert_non_null(mkdtemp(y->out));
    p = ip_xasprintf("%s/2025", y->root);
    assert_int_equal(mkdir(p, 0755), 0);
    free(p);
    p = ip_xasprintf("%s/2025/tariff.xml", y->root);
    copy_file("input/2025/tariff.xml", p);
    free(p);
    p = ip_xasprintf("%s/2025/customers.csv", y->root);
    copy_file("input/2025/customers.csv", p);
    free(p);
    p = ip_xasprintf("%s/2025/licences.csv", y->root);
    copy_file("input/2025/licences.csv", p);
    free(p);
}

static void year_put(const year *y, const char *name, const ip_buf *b)
{
    char *p = ip_xasprintf("%s/2025/%s", y->root, name);
    write_file(p, b->buf, b->len);
    free(p);
}

static void year_remove(const year *y)
{
    static const char *const names[] = {"tariff.xml", "customers.csv", "licences.csv",
                                        "cases.csv", "calls.csv"};
    size_t i;
    char *p;
    for (i = 0; i < IP_ARRAY_LEN(names); i++) {
        p = ip_xasprintf("%s/2025/%s", y->root, names[i]);
        unlink(p);
        free(p);
    }
    p = ip_xasprintf("%s/2025", y->root);
    rmdir(p);
    free(p);
    rmdir(y->root);
    rmdir(y->out);
}

/* ---- generated statistics ----------------------------------------------- */

/* A date from 2023-06-20 to 2024-08-10 (the window is 2023-08-01 to
 * 2024-07-31 for calls, 2023-07-01 to 2024-06-30 for cases). */
static void add_day(ip_buf *b, unsigned k)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    unsigned y = 2023, m = 6, d = 20;
    while (k--) {
        int dim = days[m - 1] + (m == 2 && y % 4 == 0);
        if ((int)++d > dim) {
            d = 1;
            if (++m > 12)
                m = 1, y++;
        }
    }
    ip_buf_addf(b, "%04u-%02u-%02u", y, m, d);
}

/* A date or datetime of day k in one of the shapes the reader accepts. */
static void add_datetime(ip_buf *b, unsigned k, unsigned i)
{
    unsigned shape = rnd(20);
    if (shape == 0)
        ip_buf_adds(b, " ");
    add_day(b, k);
    if (shape == 1)
        return;                              /* a date alone */
    if (shape == 2) {
        ip_buf_addf(b, " %02u:%02u", i % 24, i % 60); /* 16 bytes, a space */
        return;
    }
    if (shape == 3) {
        ip_buf_addf(b, "T%02u:%02u", i % 24, i % 60);
        return;
    }
    ip_buf_addf(b, "%c%02u:%02u:%02u", shape == 4 ? ' ' : 'T', i % 24, i % 60, i % 61);
    if (shape == 5)
        ip_buf_adds(b, "\t"); /* trailing blank */
}

/* calls.csv: rows in time order, some days repeated so the remembered day
 * is used; crlf and bom frame it, count adds a count column. */
static void gen_calls(ip_buf *b, unsigned rows, int crlf, int bom, int count)
{
    const char *eol = crlf ? "\r\n" : "\n";
    unsigned i, day = 0;
    if (bom)
        ip_buf_adds(b, "\xEF\xBB\xBF");
    ip_buf_addf(b, "call_id;started_at;customer;queue;duration_s;answered%s%s",
                count ? ";count" : "", eol);
    for (i = 0; i < rows; i++) {
        if (rnd(8) == 0)
            day += 1 + rnd(3);
        ip_buf_addf(b, "%u;", 1000 + i);
        add_datetime(b, day % 420, i);
        ip_buf_addf(b, ";%s%u%s;%s;%u;%u", rnd(30) ? "" : " ", customers[rnd(53)],
                    rnd(30) ? "" : " ", queues[rnd(IP_ARRAY_LEN(queues))], rnd(900), rnd(2));
        if (count)
            ip_buf_addf(b, ";%s%u", rnd(10) ? "" : " ", rnd(5));
        ip_buf_adds(b, eol);
        if (rnd(500) == 0)
            ip_buf_adds(b, eol); /* a blank line */
    }
}

/* cases.csv: both case services read its date column, with filters. */
static void gen_cases(ip_buf *b, unsigned rows)
{
    static const char *const cq[] = {"E-tj\xC3\xA4nstsupport", "Stockholm Direkt", "Felanm\xC3\xA4lan",
                                     "\"Stockholm Direkt\""};
    static const char *const kinds[] = {"inkommande", "generell", "utg\xC3\xA5\x65nde", " inkommande "};
    unsigned i, day = 0;
    ip_buf_adds(b, "case_id;date;customer;queue;kind;subject\n");
    for (i = 0; i < rows; i++) {
        if (rnd(6) == 0)
            day += 1 + rnd(2);
        ip_buf_addf(b, "KC-%u;", i);
        add_day(b, day % 420);
        ip_buf_addf(b, ";%u;%s;%s;%s\n", customers[rnd(53)], cq[rnd(4)], kinds[rnd(4)],
                    rnd(20) ? "Skolval" : "\"rad ett;\n\"\"rad tv\xC3\xA5\"\"\"");
    }
}

/* ---- running ------------------------------------------------------------ */

static void add_diag(ip_buf *b, const ip_diag *d)
{
    char line[IP_DIAG_MSG + IP_DIAG_EXTRA + 600];
    ip_diag_format(d, line, sizeof line);
    ip_buf_addf(b, "error %d: %s\n%s\n", (int)d->code, line, d->extra);
}

/* Everything the run measured, as text. */
static void add_run(ip_buf *b, const ip_run *r)
{
    size_t i, s, k, m;
    for (i = 0; i < r->nfiles; i++)
        ip_buf_addf(b, "file %s %s %llu bytes %llu rows\n", r->files[i].name, r->files[i].sha256,
                    (unsigned long long)r->files[i].bytes, (unsigned long long)r->files[i].rows);
    ip_buf_addf(b, "inputs %s\n", r->inputs_sha256);
    for (s = 0; s < r->nsvc; s++) {
        const ip_svc_result *sr = &r->svc[s];
        ip_buf_addf(b, "%s used %llu outside %llu filtered %llu\n", sr->svc->id,
                    (unsigned long long)sr->rows_used, (unsigned long long)sr->rows_outside,
                    (unsigned long long)sr->rows_filtered);
        for (k = 0; k < r->ncust; k++) {
            ip_buf_addf(b, " %lld/%lld/%lld:", (long long)sr->raw[k], (long long)sr->basis[k],
                        (long long)sr->items[k].fee);
            for (m = 0; m < sr->nmonths; m++)
                ip_buf_addf(b, " %lld", (long long)sr->monthly[k * sr->nmonths + m]);
            ip_buf_addch(b, '\n');
        }
    }
    for (i = 0; i < r->nwarnings; i++)
        ip_buf_addf(b, "warning %s\n", r->warnings[i]);
}

/* On success: each file's digest and size are those of the file on disk. */
static void check_digests(const ip_run *r)
{
    size_t i;
    for (i = 0; i < r->nfiles; i++) {
        char hex[65];
        struct stat st;
        assert_int_equal(ip_digest_file(r->files[i].path, hex, NULL), 0);
        assert_string_equal(r->files[i].sha256, hex);
        assert_int_equal(stat(r->files[i].path, &st), 0);
        assert_int_equal(r->files[i].bytes, (uint64_t)st.st_size);
    }
}

/* Runs the year in every mode; returns the reference text (caller frees). */
static char *run_all_modes(const year *y)
{
    char *ref = NULL;
    size_t m;
    for (m = 0; m < IP_ARRAY_LEN(modes); m++) {
        ip_run_opts o;
        ip_run *r = NULL;
        ip_diag d;
        ip_buf b;
        ip_err e;
        memset(&o, 0, sizeof o);
        o.year = 2025;
        o.input_root = y->root;
        o.templates_dir = "templates";
        ip_diag_clear(&d);
        ip_buf_init(&b);
        o.csv.scan = modes[m].scan;
        o.csv.buffer_size = modes[m].buffer;
        o.digest_threads = modes[m].thread ? IP_DIGEST_THREADS_ALWAYS : IP_DIGEST_THREADS_NEVER;
        e = ip_run_compute(&o, &r, &d);
        if (!e && (e = ip_fees_take_prev(r, y->out, &d)) != IP_OK) {
            ip_run_free(r);
            r = NULL;
        }
        if (e) {
            assert_null(r);
            add_diag(&b, &d);
        } else {
            add_run(&b, r);
            check_digests(r);
            ip_run_free(r);
        }
        if (!ref) {
            ref = ip_buf_detach(&b);
            continue;
        }
        if (strcmp(b.buf, ref) != 0)
            print_message("mode %zu differs from the portable reference\n", m);
        assert_string_equal(b.buf, ref);
        ip_buf_release(&b);
    }
    return ref;
}

/* A year with generated calls (and cases) plus text appended to calls.csv;
 * returns the reference result. */
static char *run_calls(unsigned rows, int crlf, int bom, int count, const char *extra)
{
    year y;
    ip_buf calls, cases;
    char *ref;
    year_make(&y);
    ip_buf_init(&calls);
    ip_buf_init(&cases);
    gen_calls(&calls, rows, crlf, bom, count);
    if (extra)
        ip_buf_adds(&calls, extra);
    gen_cases(&cases, 1500);
    year_put(&y, "calls.csv", &calls);
    year_put(&y, "cases.csv", &cases);
    ref = run_all_modes(&y);
    year_remove(&y);
    ip_buf_release(&calls);
    ip_buf_release(&cases);
    return ref;
}

/* ---- tests -------------------------------------------------------------- */

static void test_run_fast_good_years_agree(void **state)
{
    static const int shapes[][3] = {{0, 0, 0}, {1, 1, 0}, {0, 0, 1}, {1, 0, 1}};
    size_t i;
    (void)state;
    for (i = 0; i < IP_ARRAY_LEN(shapes); i++) {
        char *ref;
        rng = 0x9E3779B97F4A7C15u + i;
        ref = run_calls(6000, shapes[i][0], shapes[i][1], shapes[i][2], NULL);
        if (getenv("TEST_RUN_FAST_SHOW"))
            print_message("%s", ref);
        assert_null(strstr(ref, "error"));
        assert_non_null(strstr(ref, "vaxel used "));
        free(ref);
    }
}

/* One bad row after thousands of good ones: the same message in every mode. */
static void test_run_fast_bad_rows_agree(void **state)
{
    static const struct {
        const char *row;
        const char *want; /* in the message */
    } bad[] = {
        /* the remembered day must not vouch for a bad time or shape */
        {"9;2023-09-01T24:00:00;110;q;1;1\n", "found '2023-09-01T24:00:00'"},
        {"9;2023-09-01T23:60:00;110;q;1;1\n", "found '2023-09-01T23:60:00'"},
        {"9;2023-09-01T23:59:61;110;q;1;1\n", "found '2023-09-01T23:59:61'"},
        {"9;2023-09-01T2:59:00;110;q;1;1\n", "found '2023-09-01T2:59:00'"},
        {"9;2023-09-01X10:00:00;110;q;1;1\n", "found '2023-09-01X10:00:00'"},
        {"9;2023-09-01T10-00;110;q;1;1\n", "found '2023-09-01T10-00'"},
        {"9;2023-09-01T10:00:0a;110;q;1;1\n", "found '2023-09-01T10:00:0a'"},
        {"9;2023-02-30;110;q;1;1\n", "found '2023-02-30'"},
        {"9;2023-09-01 ;110;q;1;1\n", NULL}, /* a trailing space is allowed */
        {"9;2023-09-01T10:00:00;11O;q;1;1\n", "expected a customer number (digits), found '11O'"},
        {"9;2023-09-01T10:00:00;;q;1;1\n", "expected a customer number (digits), found ''"},
        {"9;2023-09-01T10:00:00;9999999999;q;1;1\n", "found '9999999999'"},
        {"9;2023-09-01T10:00:00;999;q;1;1\n", "unknown: 999"},
        {"9;2024-09-01T10:00:00;999;q;1;1\n", NULL}, /* outside the window: allowed */
        {"9;2023-09-01T10:00:00;110;q;1\n", "expected 6 fields as in the header, found 5"},
        {"9;2023-09-01T10:00:00;110;q\xE5;1;1\n", "found byte 0xE5"},
        {"9;2023-09-01T10:00:00;110;q\"x;1;1\n", "expected no quote inside an unquoted field"},
        {"9;2023-09-01T10:00:00;110;\"q\n", "expected a closing quote"},
    };
    size_t i;
    (void)state;
    for (i = 0; i < IP_ARRAY_LEN(bad); i++) {
        char *ref;
        rng = 0x1234567u + i;
        ref = run_calls(2000, 0, 0, 0, bad[i].row);
        if (bad[i].want) {
            if (!strstr(ref, bad[i].want))
                print_message("row %zu: %s", i, ref);
            assert_non_null(strstr(ref, bad[i].want));
        } else {
            assert_null(strstr(ref, "error"));
        }
        free(ref);
    }
}

/* Lines of s that contain what. */
static size_t lines_with(const char *s, const char *what)
{
    size_t n = 0;
    while (*s) {
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        const char *hit = strstr(s, what);
        n += hit && hit < s + len;
        s += len + (nl != NULL);
    }
    return n;
}

/* Many bad rows: the first, ten more listed and the total, also with counts
 * and CRLF, and then a syntax error after them. */
static void test_run_fast_many_errors_agree(void **state)
{
    ip_buf extra;
    unsigned i;
    char *ref;
    (void)state;
    ip_buf_init(&extra);
    for (i = 0; i < 20; i++)
        ip_buf_addf(&extra, "9;2023-09-%02uT10:00:00;%s;q;1;1;%s\r\n", 1 + i, i % 3 ? "110" : "x",
                    i % 2 ? "-1" : "2");
    rng = 42;
    ref = run_calls(3000, 1, 0, 1, extra.buf);
    /* 14 bad rows (customer 'x' or count -1): the message, ten more, the total */
    assert_int_equal(lines_with(ref, "calls.csv:"), 11);
    assert_non_null(strstr(ref, "\n14 rows with errors in all\n"));
    free(ref);
    /* four of them, then a syntax error: listed after them */
    ip_buf_reset(&extra);
    for (i = 0; i < 4; i++)
        ip_buf_addf(&extra, "9;2023-09-%02uT10:00:00;x;q;1;1;2\r\n", 1 + i);
    ip_buf_adds(&extra, "9;\"2023-09-01\";110;q;1;1;\"\r\n");
    rng = 43;
    ref = run_calls(3000, 1, 0, 1, extra.buf);
    assert_int_equal(lines_with(ref, "calls.csv:"), 5);
    assert_non_null(strstr(ref, "expected a closing quote for the field that starts on this "
                                "line, found the end of the file (reading stopped there)\n"
                                "5 rows with errors in all\n"));
    free(ref);
    ip_buf_release(&extra);
}

/* Values near the limit: the short path must leave the check to the general
 * code, which names the row where a customer's total passes 10^15. */
static void test_run_fast_basis_limit_agrees(void **state)
{
    char *ref;
    (void)state;
    rng = 7;
    ref = run_calls(3000, 0, 0, 1,
                    "9;2023-09-01T10:00:00;110;q;1;1;999999999999999\n"
                    "9;2023-09-01T10:00:01;113;q;1;1;5\n"
                    "9;2023-09-01T10:00:02;110;q;1;1;999999999999999\n");
    assert_non_null(strstr(ref, "expected a basis total of at most 10^15, found more for "
                                "customer 110"));
    free(ref);
    /* just below it: counted */
    rng = 8;
    ref = run_calls(3000, 0, 0, 1, "9;2023-09-01T10:00:00;110;q;1;1;900000000000000\n");
    assert_null(strstr(ref, "error"));
    free(ref);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_fast_good_years_agree),
        cmocka_unit_test(test_run_fast_bad_rows_agree),
        cmocka_unit_test(test_run_fast_many_errors_agree),
        cmocka_unit_test(test_run_fast_basis_limit_agrees),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
