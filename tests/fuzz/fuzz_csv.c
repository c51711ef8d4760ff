/*
 * fuzz_csv.c — libFuzzer target for the CSV reader (csv.h).
 *
 * The input is a whole CSV file. It is read four times: by the best scanner
 * the CPU has (AVX2 or SSE2) and by the portable one, each with the default
 * buffer and with a buffer of a few bytes (1-13, from the input's length) so
 * that records straddle blocks at every place (the reader's options choose
 * both). The four transcripts (header, every field, line numbers, the end or
 * the error message) must be identical, so the fuzzer finds both memory
 * errors and any input where the two scanners disagree. Column lookups are
 * exercised on the header too.
 *
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined -D_POSIX_C_SOURCE=200809L
 *        -DIP_TESTING -Iinclude tests/fuzz/fuzz_csv.c src/csv.c src/csv_scan.c
 *        src/error.c src/utf8.c src/util.c -lcrypto
 * tests/fuzz/replay.c runs it over tests/fuzz/corpus/csv/ without libFuzzer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Caps the transcript: a hash would do, but text makes a mismatch readable. */
#define MAX_TRANSCRIPT (1u << 22)

static void add_field(ip_buf *b, const ip_field *f)
{
    if (b->len < MAX_TRANSCRIPT)
        ip_buf_add(b, f->ptr, f->len);
    ip_buf_addch(b, '|');
}

static char *transcript(const uint8_t *data, size_t size, int portable, size_t buffer)
{
    ip_buf b;
    ip_csv *c;
    ip_diag d;
    char line[IP_DIAG_MSG + 600];
    size_t i, n;
    ip_csv_opts o;
    memset(&o, 0, sizeof o);
    o.scan = portable ? IP_CSV_SCAN_PORTABLE : IP_CSV_SCAN_AUTO;
    o.buffer_size = buffer;
    ip_buf_init(&b);
    if (ip_csv_open_mem_ex((const char *)data, size, "fuzz.csv", &o, &c, &d) != IP_OK) {
        ip_diag_format(&d, line, sizeof line);
        ip_buf_addf(&b, "open: %d %s\n", (int)d.code, line);
        return ip_buf_detach(&b);
    }
    n = ip_csv_ncols(c);
    ip_buf_addf(&b, "delim %d cols %zu line %ld\n", ip_csv_delimiter(c), n, ip_csv_line(c));
    for (i = 0; i < n; i++) {
        ip_field h = ip_csv_header(c, i);
        long idx, found;
        ip_diag cd;
        char name[64];
        add_field(&b, &h);
        /* every header name is found, at its first occurrence */
        if (h.len < sizeof name && !memchr(h.ptr, '\0', h.len)) {
            memcpy(name, h.ptr, h.len);
            name[h.len] = '\0';
            found = ip_csv_find(c, name);
            if (found < 0 || (size_t)found > i)
                abort();
            if (ip_csv_column(c, name, 1, &idx, &cd) == IP_OK && idx != found)
                abort();
        }
    }
    ip_buf_addch(&b, '\n');
    for (;;) {
        const ip_field *f;
        int eof;
        ip_err e = ip_csv_next(c, &f, &eof, &d);
        if (e) {
            ip_diag_format(&d, line, sizeof line);
            ip_buf_addf(&b, "error: %d %s\n", (int)e, line);
            break;
        }
        if (eof) {
            ip_buf_addf(&b, "eof %llu\n", (unsigned long long)ip_csv_records(c));
            break;
        }
        ip_buf_addf(&b, "%ld:", ip_csv_line(c));
        for (i = 0; i < n; i++)
            add_field(&b, &f[i]);
        ip_buf_addch(&b, '\n');
    }
    ip_csv_free(c);
    return ip_buf_detach(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t small = 1 + size % 13, k;
    char *t[4];
    t[0] = transcript(data, size, 0, 0);
    t[1] = transcript(data, size, 1, 0);
    t[2] = transcript(data, size, 0, small);
    t[3] = transcript(data, size, 1, small);
    for (k = 1; k < 4; k++) {
        if (strcmp(t[0], t[k]) != 0) {
            fprintf(stderr, "fuzz_csv: run %zu differs (buffer %zu)\n--- fast:\n%s\n--- other:\n%s\n",
                    k, small, t[0], t[k]);
            abort();
        }
    }
    for (k = 0; k < 4; k++)
        free(t[k]);
    return 0;
}
