/*
 * fuzz_issued.c — libFuzzer target for the record of issued documents
 * (issued.h): register.csv, the one file of the record that a person could
 * edit, and the amount and lines texts inside it.
 *
 * The bytes are register.csv. They are written into a fresh record folder
 * (ROOT/issued/2025/register.csv with an empty invoices/) and loaded. What
 * must hold: no crash, no leak; an error always comes with a message and is
 * IP_ERR_DATA or IP_ERR_IO (never a bug). A register that lists documents
 * always fails in the end here, since the folder holds none of them: what is
 * fuzzed is everything before that point, the CSV reading and every check
 * of a row (numbers, kinds, dates, amounts that add up, lines that parse and
 * sum to the net, credit notes that cancel an earlier invoice, unique
 * numbers and files).
 * Each line of the input is also parsed as an amount and as a lines text.
 *
 * Build: see tests/fuzz/CMakeLists.txt (-DIP_FUZZ=ON with clang).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "issued.h"
#include "money.h"
#include "outdir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
    if (!ok)
        abort();
}

static char root[64];

static void remove_root(void)
{
    ip_rmtree(root);
}

static void make_root(void)
{
    char dir[96];
    if (root[0])
        return;
    snprintf(root, sizeof root, "/tmp/ip-fuzz-issued.%ld", (long)getpid());
    atexit(remove_root);
    mkdir(root, 0777);
    snprintf(dir, sizeof dir, "%s/issued", root);
    mkdir(dir, 0777);
    snprintf(dir, sizeof dir, "%s/issued/2025", root);
    mkdir(dir, 0777);
    snprintf(dir, sizeof dir, "%s/issued/2025/invoices", root);
    mkdir(dir, 0777);
}

/* The amount and lines parsers on one line of text. */
static void texts(const char *s, size_t n)
{
    int64_t ore, sum = 0;
    char *z = malloc(n + 1), svc[64];
    const char *p;
    int r;
    memcpy(z, s, n);
    z[n] = '\0';
    if (ip_money_parse(s, n, &ore) == 0) {
        char buf[32];
        ip_money_fmt(ore, buf);
        check(ip_money_parse(buf, strlen(buf), &sum) == 0 && sum == ore);
    }
    p = z;
    while ((r = ip_issued_lines_next(&p, svc, sizeof svc, &ore)) == 1)
        check(strlen(svc) < sizeof svc);
    check(r == 0 || r == -1);
    free(z);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[128];
    FILE *f;
    ip_issued *rec = NULL;
    ip_diag d;
    ip_err e;
    size_t i, start = 0;

    for (i = 0; i <= size; i++)
        if (i == size || data[i] == '\n') {
            texts((const char *)data + start, i - start);
            start = i + 1;
        }

    make_root();
    snprintf(path, sizeof path, "%s/issued/2025/register.csv", root);
    f = fopen(path, "wb");
    check(f != NULL);
    check(fwrite(data, 1, size, f) == size);
    check(fclose(f) == 0);

    ip_diag_clear(&d);
    e = ip_issued_load(root, 2025, &rec, &d);
    if (e != IP_OK) {
        check(rec == NULL);
        check(d.code == e && d.msg[0] != '\0');
        check(e == IP_ERR_DATA || e == IP_ERR_IO);
        return 0;
    }
    /* Only a register without rows can load here (see above). */
    check(rec != NULL && ip_issued_exists(rec) && ip_issued_count(rec) == 0);
    ip_issued_free(rec);
    return 0;
}
