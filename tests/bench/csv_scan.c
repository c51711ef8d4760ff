/*
 * csv_scan.c — the parts of `internpris run` on a big calls.csv, timed one by
 * one for tests/bench/run.sh (not a test; built by run.sh against
 * build-bench/libipcore.a).
 *
 *   csv_scan parse FILE          the CSV reader alone: every record checked in
 *                                full (RFC 4180, UTF-8, field count), columns
 *                                1 and 2 cut out, no digest
 *   csv_scan parse-sha FILE      the same with the SHA-256 from the reader's
 *                                tap, on this thread
 *   csv_scan parse-sha-thread FILE   ... on a second thread (as the run does)
 *   csv_scan sha FILE            read() and SHA-256 only (OpenSSL EVP, the
 *                                reader's 256 KiB blocks), no parsing
 *
 * A third argument, portable, sse2 or avx2, sets the reader's scanner
 * (ip_csv_opts.scan) for the parse modes; without it the reader takes the
 * best the CPU has.
 *
 * Prints the records read and the digest, so the work cannot be skipped.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv.h"
#include "digest.h"

static void feed(void *ctx, const unsigned char *p, size_t n)
{
    ip_digest_feed(ctx, p, n);
}

static void wait_for(void *ctx, uint64_t n)
{
    ip_digest_wait(ctx, n);
}

static int sha_only(const char *path)
{
    static unsigned char block[256 * 1024];
    ip_digest *g = ip_digest_new(0);
    char hex[65];
    ssize_t n;
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        perror(path);
        return 1;
    }
    while ((n = read(fd, block, sizeof block)) > 0)
        ip_digest_feed(g, block, (size_t)n);
    close(fd);
    ip_digest_final(g, hex);
    printf("%llu bytes sha256 %s\n", (unsigned long long)ip_digest_bytes(g), hex);
    ip_digest_free(g);
    return n < 0;
}

int main(int argc, char **argv)
{
    static const long cols[] = {1, 2};
    const char *mode, *path;
    ip_digest *g = NULL;
    ip_csv_tap tap;
    ip_csv_opts o;
    ip_csv *c;
    ip_diag d;
    unsigned long long chars = 0;
    char hex[65] = "-";
    memset(&o, 0, sizeof o);
    if (argc == 4 && strcmp(argv[3], "portable") == 0)
        o.scan = IP_CSV_SCAN_PORTABLE;
    else if (argc == 4 && strcmp(argv[3], "sse2") == 0)
        o.scan = IP_CSV_SCAN_SSE2;
    else if (argc == 4 && strcmp(argv[3], "avx2") == 0)
        o.scan = IP_CSV_SCAN_AVX2;
    else if (argc != 3) {
        fprintf(stderr, "usage: %s parse|parse-sha|parse-sha-thread|sha FILE "
                        "[portable|sse2|avx2]\n", argv[0]);
        return 2;
    }
    mode = argv[1], path = argv[2];
    if (strcmp(mode, "sha") == 0)
        return sha_only(path);
    if (strcmp(mode, "parse") != 0) {
        g = ip_digest_new(strcmp(mode, "parse-sha-thread") == 0);
        tap.ctx = g;
        tap.feed = feed;
        tap.wait = ip_digest_is_threaded(g) ? wait_for : NULL;
        o.tap = &tap;
    }
    if (ip_csv_open_ex(path, path, &o, &c, &d) != IP_OK) {
        fprintf(stderr, "%s:%ld: %s\n", d.file, d.line, d.msg);
        return 1;
    }
    ip_csv_select(c, cols, 2);
    for (;;) {
        ip_csv_batch b;
        int eof;
        size_t j;
        if (ip_csv_next_batch(c, &b, &eof, &d) != IP_OK) {
            fprintf(stderr, "%s:%ld: %s\n", d.file, d.line, d.msg);
            return 1;
        }
        if (eof)
            break;
        for (j = 0; j < b.n; j++)
            chars += b.fields[j * b.stride + 2].len;
    }
    if (g)
        ip_digest_final(g, hex);
    printf("%llu records (%llu customer digits) sha256 %s\n",
           (unsigned long long)ip_csv_records(c), chars, hex);
    ip_csv_free(c);
    ip_digest_free(g);
    return 0;
}
