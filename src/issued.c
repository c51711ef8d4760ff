/*
 * issued.c — the record of a year's issued documents (ROOT/issued/Y/): read
 * and verified at the start of a run, rebuilt in a temporary folder when a
 * run issues something new, and swapped into place before the year folder.
 *
 * The record is the source of truth for what the ledger has received: the
 * year folder's invoices/ is always a copy of it, so a run never writes a
 * second, different document under a number that has been issued.
 */
#define _GNU_SOURCE
#include "issued.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csv.h"
#include "csv_write.h"
#include "digest.h"
#include "files.h"
#include "money.h"
#include "parse.h"
#include "signals.h"
#include "stage.h"
#include "util.h"

#define REGISTER_HEADER                                                                    \
    "number;kind;customer;name;period_start;period_end;issue_date;due_date;cancels;run;"   \
    "vat_category;vat_percent;net;vat;total;lines;file;sha256"

struct ip_issued {
    int year;
    char *parent;        /* ROOT/issued */
    char *dir;           /* ROOT/issued/Y */
    char *docs_dir;      /* ROOT/issued/Y/invoices */
    char *register_path; /* ROOT/issued/Y/register.csv */
    ip_stage *stage;     /* the next record (ROOT/issued/.Y.tmp-XXXXXX) while staged */
    char *stage_docs;    /* stage/invoices while staged */
    int exists;
    ip_issued_doc *docs;
    size_t ndocs, alloc;
    long *row_line;      /* each document's line in register.csv; 0: appended */
    size_t row_line_alloc;
    /* the documents by number, by file and (credit notes) by the invoice
     * they cancel: open addressing, a slot holds a document's index plus
     * one (0: empty), at most half full; so that finding a document, and
     * checking that a number, a file or a cancellation is not there
     * already, costs the same for the 10th document as for the 50 000th */
    size_t *by_number, *by_file, *by_cancels;
    size_t index_cap; /* a power of two, or 0 */
};

/* --- the index of numbers, files and cancellations ---------------------- */

enum { KEY_NUMBER, KEY_FILE, KEY_CANCELS };

static const char *doc_key(const ip_issued_doc *x, int key)
{
    if (key == KEY_CANCELS)
        return x->is_credit ? x->cancels : NULL;
    return key == KEY_NUMBER ? x->number : x->file;
}

static size_t str_hash(const char *s)
{
    uint64_t h = UINT64_C(14695981039346656037); /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
    return (size_t)(h ^ (h >> 29));
}

static size_t *index_table(const ip_issued *rec, int key)
{
    return key == KEY_NUMBER ? rec->by_number : key == KEY_FILE ? rec->by_file : rec->by_cancels;
}

/* Index of the document whose key is s, or -1. */
static long index_find(const ip_issued *rec, int key, const char *s)
{
    const size_t *t = index_table(rec, key);
    size_t h;
    if (!rec->index_cap || !s)
        return -1;
    for (h = str_hash(s) & (rec->index_cap - 1); t[h]; h = (h + 1) & (rec->index_cap - 1))
        if (strcmp(doc_key(&rec->docs[t[h] - 1], key), s) == 0)
            return (long)(t[h] - 1);
    return -1;
}

static void index_put(size_t *t, size_t cap, const char *s, size_t i)
{
    size_t h;
    for (h = str_hash(s) & (cap - 1); t[h]; h = (h + 1) & (cap - 1))
        ;
    t[h] = i + 1;
}

/* Adds document i (the last one) to the index; a key already there keeps
 * the earlier document (the register refuses it anyway). */
static void index_add(ip_issued *rec, size_t i)
{
    int key;
    if (2 * (i + 1) > rec->index_cap) {
        size_t cap = rec->index_cap ? 2 * rec->index_cap : 64, j;
        free(rec->by_number);
        free(rec->by_file);
        free(rec->by_cancels);
        rec->by_number = ip_xcalloc(cap, sizeof *rec->by_number);
        rec->by_file = ip_xcalloc(cap, sizeof *rec->by_file);
        rec->by_cancels = ip_xcalloc(cap, sizeof *rec->by_cancels);
        rec->index_cap = cap;
        for (j = 0; j < i; j++)
            for (key = KEY_NUMBER; key <= KEY_CANCELS; key++)
                if (doc_key(&rec->docs[j], key) &&
                    index_find(rec, key, doc_key(&rec->docs[j], key)) < 0)
                    index_put(index_table(rec, key), cap, doc_key(&rec->docs[j], key), j);
    }
    for (key = KEY_NUMBER; key <= KEY_CANCELS; key++)
        if (doc_key(&rec->docs[i], key) && index_find(rec, key, doc_key(&rec->docs[i], key)) < 0)
            index_put(index_table(rec, key), rec->index_cap, doc_key(&rec->docs[i], key), i);
}

/* --- amounts and lines ------------------------------------------------- */

int ip_issued_lines_next(const char **p, char *svc, size_t size, int64_t *ore)
{
    const char *s = *p, *eq, *end;
    if (*s == '\0')
        return 0;
    end = strchr(s, ',');
    if (!end)
        end = s + strlen(s);
    eq = memchr(s, '=', (size_t)(end - s));
    if (!eq || eq == s || (size_t)(eq - s) >= size)
        return -1;
    if (ip_money_parse(eq + 1, (size_t)(end - eq - 1), ore) != 0 || *ore < 0)
        return -1;
    memcpy(svc, s, (size_t)(eq - s));
    svc[eq - s] = '\0';
    *p = *end ? end + 1 : end;
    if (*end && **p == '\0')
        return -1; /* a trailing ',' */
    return 1;
}

/* --- the record in memory ----------------------------------------------- */

void ip_issued_doc_release(ip_issued_doc *doc)
{
    free(doc->number);
    free(doc->name);
    free(doc->cancels);
    free(doc->lines);
    free(doc->file);
}

void ip_issued_doc_copy(ip_issued_doc *dst, const ip_issued_doc *src)
{
    *dst = *src;
    dst->number = ip_xstrdup(src->number);
    dst->name = ip_xstrdup(src->name);
    dst->cancels = src->cancels ? ip_xstrdup(src->cancels) : NULL;
    dst->lines = ip_xstrdup(src->lines);
    dst->file = ip_xstrdup(src->file);
}

void ip_issued_free(ip_issued *rec)
{
    size_t i;
    if (!rec)
        return;
    ip_stage_abort(rec->stage);
    for (i = 0; i < rec->ndocs; i++)
        ip_issued_doc_release(&rec->docs[i]);
    free(rec->docs);
    free(rec->row_line);
    free(rec->by_number);
    free(rec->by_file);
    free(rec->by_cancels);
    free(rec->parent);
    free(rec->dir);
    free(rec->docs_dir);
    free(rec->register_path);
    free(rec->stage_docs);
    free(rec);
}

int ip_issued_exists(const ip_issued *rec)
{
    return rec->exists;
}

size_t ip_issued_count(const ip_issued *rec)
{
    return rec->ndocs;
}

const ip_issued_doc *ip_issued_at(const ip_issued *rec, size_t i)
{
    return &rec->docs[i];
}

long ip_issued_find(const ip_issued *rec, const char *number)
{
    return index_find(rec, KEY_NUMBER, number);
}

int ip_issued_last_run(const ip_issued *rec)
{
    int run = -1;
    size_t i;
    for (i = 0; i < rec->ndocs; i++)
        if (rec->docs[i].run > run)
            run = rec->docs[i].run;
    return run;
}

long ip_issued_line(const ip_issued *rec, size_t i)
{
    return i < rec->ndocs ? rec->row_line[i] : 0;
}

const char *ip_issued_register_path(const ip_issued *rec)
{
    return rec->register_path;
}

const char *ip_issued_doc_dir(const ip_issued *rec)
{
    return rec->stage ? rec->stage_docs : rec->docs_dir;
}

/* --- reading register.csv ----------------------------------------------- */

/* A document number: what the tariff's number-prefix and the numbering
 * scheme can produce. */
static int is_number(const char *s, size_t n)
{
    size_t i;
    if (n == 0 || n > 64)
        return 0;
    for (i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              c == '-' || c == '_'))
            return 0;
    }
    return 1;
}

/* A stored file name: digits, '-', 'K', 'R' and ".xml" (no path). */
static int is_file_name(const char *s, size_t n)
{
    size_t i;
    if (n < 5 || n > 64 || memcmp(s + n - 4, ".xml", 4) != 0)
        return 0;
    for (i = 0; i < n - 4; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == 'K' || s[i] == 'R'))
            return 0;
    return s[0] >= '0' && s[0] <= '9';
}

static int is_hex64(const char *s, size_t n)
{
    size_t i;
    if (n != 64)
        return 0;
    for (i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

/* "service=amount,…" with each service once and at least one line. */
static int lines_ok(const char *s)
{
    char svc[128];
    const char *p = s;
    int64_t ore;
    int r, n = 0;
    while ((r = ip_issued_lines_next(&p, svc, sizeof svc, &ore)) == 1) {
        const char *q = s;
        char other[128];
        int64_t x;
        int k;
        for (k = 0; k < n; k++) {
            ip_issued_lines_next(&q, other, sizeof other, &x);
            if (strcmp(other, svc) == 0)
                return 0;
        }
        n++;
    }
    return r == 0 && n > 0;
}

enum col { C_NUMBER, C_KIND, C_CUSTOMER, C_NAME, C_PSTART, C_PEND, C_ISSUE, C_DUE, C_CANCELS,
           C_RUN, C_VATCAT, C_VATPCT, C_NET, C_VAT, C_TOTAL, C_LINES, C_FILE, C_SHA, C__COUNT };
static const char *const col_names[C__COUNT] = {
    "number", "kind", "customer", "name", "period_start", "period_end", "issue_date",
    "due_date", "cancels", "run", "vat_category", "vat_percent", "net", "vat", "total",
    "lines", "file", "sha256"};

/* Parses one register row into doc (strings owned by doc). */
static ip_err parse_row(const ip_field *f, const long *col, const char *name, long line,
                        ip_issued_doc *doc, ip_diag *d)
{
    const ip_field *x;
    char q[200];
    int64_t v, sum;
    const char *what = NULL;
    memset(doc, 0, sizeof *doc);
#define FLD(c) (&f[col[c]])
    x = FLD(C_NUMBER);
    if (!is_number(x->ptr, x->len)) {
        what = "a document number";
        goto bad;
    }
    doc->number = ip_xstrndup(x->ptr, x->len);
    x = FLD(C_KIND);
    if (x->len == 7 && memcmp(x->ptr, "invoice", 7) == 0)
        doc->is_credit = 0;
    else if (x->len == 6 && memcmp(x->ptr, "credit", 6) == 0)
        doc->is_credit = 1;
    else {
        what = "kind 'invoice' or 'credit'";
        goto bad;
    }
    x = FLD(C_CUSTOMER);
    if (ip_parse_uint(x->ptr, x->len, &v) != 0 || v > UINT32_MAX) {
        what = "a customer number";
        goto bad;
    }
    doc->customer = (uint32_t)v;
    x = FLD(C_NAME);
    if (x->len == 0) {
        what = "a customer name";
        goto bad;
    }
    doc->name = ip_xstrndup(x->ptr, x->len);
    if (ip_parse_date(FLD(C_PSTART)->ptr, FLD(C_PSTART)->len, &doc->period_start) != 0 ||
        ip_parse_date(FLD(C_PEND)->ptr, FLD(C_PEND)->len, &doc->period_end) != 0 ||
        ip_parse_date(FLD(C_ISSUE)->ptr, FLD(C_ISSUE)->len, &doc->issue_date) != 0 ||
        ip_parse_date(FLD(C_DUE)->ptr, FLD(C_DUE)->len, &doc->due_date) != 0) {
        what = "dates YYYY-MM-DD in period_start, period_end, issue_date and due_date";
        x = NULL;
        goto bad;
    }
    x = FLD(C_CANCELS);
    if (doc->is_credit ? !is_number(x->ptr, x->len) : x->len != 0) {
        what = doc->is_credit ? "the number of the cancelled invoice"
                              : "an empty 'cancels' on an invoice";
        goto bad;
    }
    if (doc->is_credit)
        doc->cancels = ip_xstrndup(x->ptr, x->len);
    x = FLD(C_RUN);
    if (ip_parse_uint(x->ptr, x->len, &v) != 0 || v > 100000) {
        what = "a run number";
        goto bad;
    }
    doc->run = (int)v;
    x = FLD(C_VATCAT);
    if (x->len != 1 || (x->ptr[0] != 'O' && x->ptr[0] != 'S')) {
        what = "VAT category O or S";
        goto bad;
    }
    doc->vat_category = x->ptr[0];
    x = FLD(C_VATPCT);
    if (ip_parse_uint(x->ptr, x->len, &v) != 0 || v > 100 ||
        (doc->vat_category == 'O') != (v == 0)) {
        what = "a VAT percent (0 with category O, above 0 with S)";
        goto bad;
    }
    doc->vat_percent = (int)v;
    x = FLD(C_NET);
    if (ip_money_parse(x->ptr, x->len, &doc->net) != 0 || doc->net < 0) {
        what = "an amount such as 155249.00 in 'net'";
        goto bad;
    }
    x = FLD(C_VAT);
    if (ip_money_parse(x->ptr, x->len, &doc->vat) != 0 || doc->vat < 0) {
        what = "an amount such as 38812.25 in 'vat'";
        goto bad;
    }
    x = FLD(C_TOTAL);
    if (ip_money_parse(x->ptr, x->len, &doc->total) != 0 ||
        ip_money_add(doc->net, doc->vat, &sum) != 0 || doc->total != sum) {
        what = "'total' equal to net + vat";
        goto bad;
    }
    x = FLD(C_LINES);
    doc->lines = ip_xstrndup(x->ptr, x->len);
    if (!lines_ok(doc->lines)) {
        what = "lines 'service=amount,…' with each service once";
        goto bad;
    }
    {
        const char *p = doc->lines;
        char svc[128];
        int64_t ore;
        int over = 0;
        sum = 0;
        while (!over && ip_issued_lines_next(&p, svc, sizeof svc, &ore) == 1)
            over = ip_money_add(sum, ore, &sum) != 0;
        if (over || sum != doc->net) {
            what = "lines that sum to 'net'";
            goto bad;
        }
    }
    x = FLD(C_FILE);
    if (!is_file_name(x->ptr, x->len)) {
        what = "a document file name such as 2025-110.xml";
        goto bad;
    }
    doc->file = ip_xstrndup(x->ptr, x->len);
    x = FLD(C_SHA);
    if (!is_hex64(x->ptr, x->len)) {
        what = "a lowercase hex SHA-256 in 'sha256'";
        goto bad;
    }
    memcpy(doc->sha256, x->ptr, 64);
    doc->sha256[64] = '\0';
#undef FLD
    return IP_OK;
bad:
    ip_issued_doc_release(doc);
    memset(doc, 0, sizeof *doc);
    if (x)
        return ip_diag_set(d, IP_ERR_DATA, name, line, "expected %s, found '%s'", what,
                           ip_quote(x->ptr, x->len, q, sizeof q));
    return ip_diag_set(d, IP_ERR_DATA, name, line, "expected %s", what);
}

static void push_doc(ip_issued *rec, const ip_issued_doc *doc, long line)
{
    ip_xgrow((void **)&rec->docs, &rec->alloc, rec->ndocs + 1, sizeof *rec->docs);
    ip_xgrow((void **)&rec->row_line, &rec->row_line_alloc, rec->ndocs + 1,
             sizeof *rec->row_line);
    rec->row_line[rec->ndocs] = line;
    rec->docs[rec->ndocs++] = *doc;
    index_add(rec, rec->ndocs - 1);
}

/* What the register must hold together: unique numbers and files, a credit
 * note cancels an earlier invoice of the same customer and period, once.
 * doc is the next row, not yet in rec; of several faults the one with the
 * earliest other document is named, as a scan of the earlier rows would. */
static ip_err check_consistency(const ip_issued *rec, const ip_issued_doc *doc, long line,
                                ip_diag *d)
{
    long jn = index_find(rec, KEY_NUMBER, doc->number), jf = index_find(rec, KEY_FILE, doc->file);
    long jc = doc->is_credit ? index_find(rec, KEY_CANCELS, doc->cancels) : -1, j = -1;
    if (jn >= 0 && (j < 0 || jn < j))
        j = jn;
    if (jf >= 0 && (j < 0 || jf < j))
        j = jf;
    if (j >= 0 && (jc < 0 || j <= jc))
        return ip_diag_set(d, IP_ERR_DATA, rec->register_path, line,
                           "expected each number and file once, found '%s' again "
                           "(first on line %ld)", doc->number, j + 2);
    if (jc >= 0)
        return ip_diag_set(d, IP_ERR_DATA, rec->register_path, line,
                           "expected invoice '%s' to be cancelled once, found a second "
                           "credit note", doc->cancels);
    if (doc->is_credit) {
        long k = ip_issued_find(rec, doc->cancels);
        const ip_issued_doc *c = k >= 0 ? &rec->docs[k] : NULL;
        if (!c || c->is_credit || c->customer != doc->customer ||
            c->period_start != doc->period_start || c->period_end != doc->period_end ||
            strcmp(c->lines, doc->lines) != 0 || c->vat != doc->vat)
            return ip_diag_set(d, IP_ERR_DATA, rec->register_path, line,
                               "expected credit note '%s' to cancel an earlier invoice of the "
                               "same customer, period and amounts, found '%s'",
                               doc->number, doc->cancels);
    }
    return IP_OK;
}

int ip_issued_unlisted(const ip_issued *rec, const char *dir, const char *suffix,
                       char **first, size_t *count)
{
    DIR *dp = opendir(dir);
    struct dirent *de;
    size_t slen = strlen(suffix);
    *first = NULL;
    *count = 0;
    if (!dp)
        return -1;
    while ((de = readdir(dp)) != NULL) {
        size_t len = strlen(de->d_name);
        if (de->d_name[0] == '.' || len < slen || strcmp(de->d_name + len - slen, suffix) != 0)
            continue;
        if (index_find(rec, KEY_FILE, de->d_name) >= 0)
            continue;
        (*count)++;
        if (!*first || strcmp(de->d_name, *first) < 0) {
            free(*first);
            *first = ip_xstrdup(de->d_name);
        }
    }
    closedir(dp);
    return 0;
}

/* 1 when name could be an issued document's: the year, '-', letters,
 * digits and '-', then ".xml" (2025-110.xml, 2025-110-K1.xml). Anything
 * else among the documents (2025-110.xml~, "2025-110 (kopia).xml") is an
 * editor's backup or a copy, not a lost row of the register. */
static int document_like(const char *name)
{
    size_t n = strlen(name), i;
    if (n < 10 || strcmp(name + n - 4, ".xml") != 0)
        return 0;
    for (i = 0; i < 4; i++)
        if (name[i] < '0' || name[i] > '9')
            return 0;
    if (name[4] != '-')
        return 0;
    for (i = 5; i < n - 4; i++)
        if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'A' && name[i] <= 'Z') ||
              (name[i] >= 'a' && name[i] <= 'z') || name[i] == '-'))
            return 0;
    return 1;
}


/* The year folder's invoices/ holds copies of the record's documents and
 * nothing else (the record is committed first, so a folder may lag behind
 * it, never lead). A document there that the record does not list was
 * issued by an earlier version, or the record was lost or edited: a run
 * must not then issue documents under numbers the ledger may already have. */
ip_err ip_issued_check_copies(const ip_issued *rec, const char *dir, ip_diag *d)
{
    char *stray = NULL;
    size_t nstray;
    ip_err e = IP_OK;
    /* A year folder without invoices/ holds nothing to check. */
    if (ip_issued_unlisted(rec, dir, ".xml", &stray, &nstray) != 0)
        stray = NULL;
    if (stray && rec->ndocs == 0)
        e = ip_diag_set(d, IP_ERR_DATA, dir, 0,
                        "expected the record of issued documents (issued/%d/register.csv) for "
                        "the invoices in this folder, found none; restore the record, or move "
                        "the year folder away if its invoices were never sent",
                        rec->year);
    else if (stray && !document_like(stray))
        e = ip_diag_set(d, IP_ERR_DATA, dir, 0,
                        "expected only documents of the record (issued/%d/register.csv) in "
                        "this folder, found %s, whose name is no document's (an editor's "
                        "backup or a copy?); move it out of the folder", rec->year, stray);
    else if (stray)
        e = ip_diag_set(d, IP_ERR_DATA, dir, 0,
                        "expected only documents of the record (issued/%d/register.csv) in "
                        "this folder, found %s, which it does not list; restore the record "
                        "from a backup", rec->year, stray);
    free(stray);
    return e;
}

/* A document in the record's folder that the register does not list means a
 * row was removed: its number could then be issued again. A file that is no
 * document's name is something else left there: it is moved out. */
static ip_err check_no_strays(const ip_issued *rec, ip_diag *d)
{
    char *first;
    size_t nstray;
    ip_err e = IP_OK;
    if (ip_issued_unlisted(rec, rec->docs_dir, "", &first, &nstray) != 0)
        return ip_diag_set(d, IP_ERR_DATA, rec->docs_dir, 0,
                           "expected the folder of the issued documents, found %s",
                           strerror(errno));
    if (nstray && !document_like(first)) {
        char *path = ip_xasprintf("%s/%s", rec->docs_dir, first);
        e = ip_diag_set(d, IP_ERR_DATA, path, 0,
                        "expected only the documents listed in register.csv, found a file "
                        "whose name is no document's (an editor's backup or a copy?); move it "
                        "out of the record's folder");
        free(path);
    } else if (nstray) {
        char *path = ip_xasprintf("%s/%s", rec->docs_dir, first);
        e = ip_diag_set(d, IP_ERR_DATA, path, 0,
                        "expected only the documents listed in register.csv, found %zu "
                        "file%s it does not list; the record of issued documents must not be "
                        "edited: restore register.csv from a backup", nstray,
                        nstray == 1 ? "" : "s");
        free(path);
    }
    free(first);
    return e;
}

/* A stored document is kept in memory for the caller up to this size (it
 * was written here: a few kilobytes). */
#define KEEP_MAX (16u << 20)

/* The SHA-256 of the rest of fd into hex, its bytes in *buf (grown; *len of
 * them) while they fit KEEP_MAX, else *len is 0 and *kept 0. Returns 0, or
 * -1 with errno set. */
static int digest_kept(int fd, char hex[65], char **buf, size_t *cap, size_t *len, int *kept)
{
    enum { CHUNK = 1 << 16 };
    ip_digest *g = ip_digest_new(0); /* inline: done with the bytes when feed returns */
    *len = 0;
    *kept = 1;
    for (;;) {
        ssize_t n;
        if (*cap - *len < CHUNK)
            ip_xgrow((void **)buf, cap, *len + CHUNK, 1);
        n = read(fd, *buf + *len, CHUNK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int err = errno;
            ip_digest_free(g);
            errno = err;
            return -1;
        }
        if (n == 0)
            break;
        ip_digest_feed(g, *buf + *len, (size_t)n);
        *len += (size_t)n;
        if (*len > KEEP_MAX) { /* digested, not kept: the next block over it */
            *kept = 0;
            *len = 0;
        }
    }
    if (!*kept)
        *len = 0;
    ip_digest_final(g, hex);
    ip_digest_free(g);
    return 0;
}

/* Stored document i against its digest, its bytes (kept in *buf, *cap
 * bytes allocated) then handed to fn. */
static ip_err read_stored(const ip_issued *rec, size_t i, ip_issued_read_fn fn, void *ctx,
                          char **buf, size_t *cap, ip_diag *d)
{
    char hex[65];
    char *path = ip_xasprintf("%s/%s", rec->docs_dir, rec->docs[i].file);
    const char *kind;
    size_t len = 0;
    int fd = ip_files_open_fd(path, IP_FILES_NOFOLLOW, &kind), r = -1, kept = 0, err = 0;
    ip_err e = IP_OK;
    if (fd < 0 && kind) {
        e = ip_diag_set(d, IP_ERR_NOINPUT, path, 0, "expected document '%s' as a regular "
                        "file, found %s", rec->docs[i].number, kind);
        free(path);
        return e;
    }
    if (fd < 0)
        err = errno;
    if (fd >= 0) {
        r = fn ? digest_kept(fd, hex, buf, cap, &len, &kept) : ip_digest_fd(fd, hex, NULL);
        err = errno;
        close(fd);
    }
    if (r != 0 || strcmp(hex, rec->docs[i].sha256) != 0) {
        char why[160];
        if (r != 0)
            snprintf(why, sizeof why, "no readable file (%s)", strerror(err));
        else
            snprintf(why, sizeof why, "different bytes");
        e = ip_diag_set(d, IP_ERR_DATA, path, 0,
                        "expected document '%s' as issued (sha256 %.12s…), found %s; the "
                        "record of issued documents must not be edited",
                        rec->docs[i].number, rec->docs[i].sha256, why);
    } else if (fn) {
        fn(ctx, rec, i, path, kept ? *buf : NULL, kept ? len : 0);
    }
    free(path);
    return e;
}

/* From this many stored documents on, and with a second CPU, the load reads
 * every second one (and hands it to fn) on a second thread: reading,
 * digesting and, for the caller, parsing a document is mostly CPU. */
#define LOAD_THREAD_MIN 256

/* The documents first, first + 2, … of the load, up to the first error. */
typedef struct read_half {
    const ip_issued *rec;
    ip_issued_read_fn fn;
    void *ctx;
    size_t first, failed; /* failed: the index of the error, or ndocs */
    ip_err e;
    ip_diag d;
} read_half;

static void read_every_second(read_half *h)
{
    char *buf = NULL;
    size_t cap = 0, i;
    h->e = IP_OK;
    h->failed = h->rec->ndocs;
    for (i = h->first; i < h->rec->ndocs; i += 2)
        if ((h->e = read_stored(h->rec, i, h->fn, h->ctx, &buf, &cap, &h->d))) {
            h->failed = i;
            break;
        }
    free(buf);
}

static void *read_worker(void *arg)
{
    read_every_second(arg);
    return NULL;
}

/* Every stored document of rec against its digest (and to fn), on two
 * threads for many; the error is the first document's in record order. */
static ip_err read_all_stored(const ip_issued *rec, ip_issued_read_fn fn, void *ctx, ip_diag *d)
{
    read_half *h;
    pthread_t worker;
    int started = 0, k;
    ip_err e;

    if (rec->ndocs < LOAD_THREAD_MIN || sysconf(_SC_NPROCESSORS_ONLN) < 2) {
        char *buf = NULL;
        size_t cap = 0, i;
        e = IP_OK;
        for (i = 0; i < rec->ndocs && !e; i++)
            e = read_stored(rec, i, fn, ctx, &buf, &cap, d);
        free(buf);
        return e;
    }
    h = ip_xcalloc(2, sizeof *h);
    for (k = 0; k < 2; k++) {
        h[k].rec = rec;
        h[k].fn = fn;
        h[k].ctx = ctx;
        h[k].first = (size_t)k;
    }
    started = ip_signals_thread(&worker, read_worker, &h[1]);
    if (!started)
        read_every_second(&h[1]);
    read_every_second(&h[0]);
    if (started)
        pthread_join(worker, NULL);
    /* each half stops at its own first error: the lower one is the one a
     * single thread would have met first */
    k = h[1].failed < h[0].failed;
    e = h[k].e;
    if (e && d)
        *d = h[k].d;
    free(h);
    return e;
}

ip_err ip_issued_load(const char *root, int year, ip_issued **out, ip_diag *d)
{
    return ip_issued_load_read(root, year, NULL, NULL, out, d);
}

ip_err ip_issued_load_read(const char *root, int year, ip_issued_read_fn fn, void *ctx,
                           ip_issued **out, ip_diag *d)
{
    ip_issued *rec = ip_xcalloc(1, sizeof *rec);
    ip_csv *c = NULL;
    long col[C__COUNT];
    struct stat st;
    size_t i;
    int exists;
    ip_err e = IP_OK;

    *out = NULL;
    rec->year = year;
    rec->parent = ip_xasprintf("%s/issued", root);
    rec->dir = ip_xasprintf("%s/%d", rec->parent, year);
    rec->docs_dir = ip_xasprintf("%s/invoices", rec->dir);
    rec->register_path = ip_xasprintf("%s/register.csv", rec->dir);
    /* register.csv and the copies are written by internpris only: a link,
     * a pipe or a device in their place is refused, never read. */
    if ((e = ip_files_check(rec->register_path, NULL, IP_FILES_NOFOLLOW, &exists, d)))
        goto fail;
    if (!exists) {
        if (stat(rec->dir, &st) == 0) {
            e = ip_diag_set(d, IP_ERR_DATA, rec->dir, 0,
                            "expected the record of issued documents to hold register.csv, "
                            "found none; restore it from a backup");
            goto fail;
        }
        *out = rec; /* nothing issued yet */
        return IP_OK;
    }
    rec->exists = 1;
    if ((e = ip_csv_open(rec->register_path, rec->register_path, &c, d)))
        goto fail;
    for (i = 0; i < C__COUNT; i++)
        if ((e = ip_csv_column(c, col_names[i], 1, &col[i], d)))
            goto fail;
    for (;;) {
        const ip_field *f;
        int eof;
        ip_issued_doc doc;
        long line;
        if ((e = ip_csv_next(c, &f, &eof, d)))
            goto fail;
        if (eof)
            break;
        line = ip_csv_line(c);
        if ((e = parse_row(f, col, rec->register_path, line, &doc, d)))
            goto fail;
        if ((e = check_consistency(rec, &doc, line, d))) {
            ip_issued_doc_release(&doc);
            goto fail;
        }
        push_doc(rec, &doc, line);
    }
    ip_csv_free(c);
    c = NULL;
    /* Every stored document as issued: a copy that was edited or lost would
     * otherwise reappear in the year folder as if it had been issued so.
     * Each is read once: its bytes, kept, go to fn. */
    if ((e = read_all_stored(rec, fn, ctx, d)))
        goto fail;
    if ((e = check_no_strays(rec, d)))
        goto fail;
    *out = rec;
    return IP_OK;
fail:
    ip_csv_free(c);
    ip_issued_free(rec);
    return e;
}

/* --- writing ------------------------------------------------------------ */

/* 1 when path (the year folder's copy a stage replaces) is a regular file
 * with the bytes of doc as issued. */
static int same_as_issued(const char *path, const ip_issued_doc *doc)
{
    const char *kind;
    char hex[65];
    int fd = ip_files_open_fd(path, IP_FILES_NOFOLLOW, &kind), r;
    if (fd < 0)
        return 0;
    r = ip_digest_fd(fd, hex, NULL);
    close(fd);
    return r == 0 && strcmp(hex, doc->sha256) == 0;
}

/* Document i of rec into dir of stage s. The folder being replaced shows
 * the document as issued already: the next one takes that file (a second
 * name, no bytes written), else a fresh copy of the record's. Never the
 * record's own file: a person may edit a year folder's copy, the record
 * must not change with it. */
static ip_err copy_one(const ip_issued *rec, ip_stage *s, const char *dir, size_t i, ip_diag *d)
{
    char *from = ip_xasprintf("%s/%s", ip_issued_doc_dir(rec), rec->docs[i].file);
    char *to = ip_xasprintf("%s/%s", dir, rec->docs[i].file);
    char *shown = ip_xasprintf("%s/%s/%s", ip_stage_target(s), dir, rec->docs[i].file);
    ip_err e = same_as_issued(shown, &rec->docs[i]) ? ip_stage_link(s, shown, to, d)
                                                    : ip_stage_copy(s, from, to, d);
    free(shown);
    free(from);
    free(to);
    return e;
}

/* From this many documents on, copy_all gives every second one to a second
 * thread when there is a second CPU: each document's cost is mostly the
 * kernel's (creating the file, and for the old year folder's copy its
 * SHA-256), and the two halves touch different files. */
#define COPY_THREAD_MIN 256

/* The documents first, first + 2, … of copy_all, up to the first error. */
typedef struct copy_half {
    const ip_issued *rec;
    ip_stage *s;
    const char *dir;
    size_t first, count, failed; /* failed: the index of the error, or count */
    ip_err e;
    ip_diag d;
} copy_half;

static void copy_every_second(copy_half *h)
{
    size_t i;
    h->e = IP_OK;
    h->failed = h->count;
    for (i = h->first; i < h->count; i += 2)
        if ((h->e = copy_one(h->rec, h->s, h->dir, i, &h->d))) {
            h->failed = i;
            return;
        }
}

static void *copy_worker(void *arg)
{
    copy_every_second(arg);
    return NULL;
}

ip_err ip_issued_copy_all(const ip_issued *rec, ip_stage *s, const char *dir, size_t count,
                          ip_diag *d)
{
    copy_half h[2];
    pthread_t worker;
    int started = 0, k;
    size_t i;
    ip_err e = IP_OK;

    if (count > rec->ndocs)
        IP_BUG("%zu documents copied of a record of %zu", count, rec->ndocs);
    if (count < COPY_THREAD_MIN || sysconf(_SC_NPROCESSORS_ONLN) < 2) {
        for (i = 0; i < count && !e; i++)
            e = copy_one(rec, s, dir, i, d);
        return e;
    }
    for (k = 0; k < 2; k++) {
        memset(&h[k], 0, sizeof h[k]);
        h[k].rec = rec;
        h[k].s = s;
        h[k].dir = dir;
        h[k].first = (size_t)k;
        h[k].count = count;
    }
    started = ip_signals_thread(&worker, copy_worker, &h[1]);
    if (!started)
        copy_every_second(&h[1]);
    copy_every_second(&h[0]);
    if (started)
        pthread_join(worker, NULL);
    /* Each half stops at its own first error, which does not depend on the
     * other's progress: the error of the lower document is the one a
     * single thread would have met first. */
    k = h[1].failed < h[0].failed;
    if (h[k].e && d)
        *d = h[k].d;
    return h[k].e;
}

void ip_issued_remove_stale(const ip_issued *rec)
{
    ip_stage_sweep(rec->dir);
}

/* Drops a staged record: its folder is removed, the stored one stays. */
static void unstage(ip_issued *rec)
{
    ip_stage_abort(rec->stage);
    rec->stage = NULL;
    free(rec->stage_docs);
    rec->stage_docs = NULL;
}

ip_err ip_issued_stage(ip_issued *rec, ip_diag *d)
{
    size_t i;
    ip_err e;

    if (rec->stage)
        IP_BUG("the record is staged twice");
    if ((e = ip_stage_begin(rec->dir, &rec->stage, d)))
        return e;
    rec->stage_docs = ip_stage_path(rec->stage, "invoices");
    if ((e = ip_stage_mkdir(rec->stage, "invoices", d)))
        goto fail;
    /* The record's documents as they were verified on loading: the next
     * record takes the same files (a second name, no bytes written); the
     * stored ones go when the swap has made the next record durable. */
    for (i = 0; i < rec->ndocs; i++) {
        char *from = ip_xasprintf("%s/%s", rec->docs_dir, rec->docs[i].file);
        char *to = ip_xasprintf("invoices/%s", rec->docs[i].file);
        e = ip_stage_link(rec->stage, from, to, d);
        free(from);
        free(to);
        if (e)
            goto fail;
    }
    return IP_OK;
fail:
    unstage(rec);
    return e;
}

/* A number or file name already in the record: the plan must not reuse one. */
static ip_err check_new(const ip_issued *rec, const ip_issued_doc *doc, ip_diag *d)
{
    if (!rec->stage)
        IP_BUG("a document appended to a record that is not staged");
    if (index_find(rec, KEY_NUMBER, doc->number) >= 0 ||
        index_find(rec, KEY_FILE, doc->file) >= 0)
        return ip_diag_set(d, IP_ERR_SOFTWARE, rec->register_path, 0,
                           "document '%s' would reuse an issued number or file", doc->number);
    return IP_OK;
}

ip_err ip_issued_append(ip_issued *rec, const ip_issued_doc *doc, ip_diag *d)
{
    char hex[65];
    char *path;
    ip_err e;
    if ((e = check_new(rec, doc, d)))
        return e;
    path = ip_xasprintf("%s/%s", rec->stage_docs, doc->file);
    if (ip_digest_file(path, hex, NULL) != 0) {
        int err = errno;
        char *shown = ip_stage_shown(path);
        e = ip_diag_set(d, IP_ERR_IO, shown, 0, "cannot read: %s", strerror(err));
        free(shown);
        free(path);
        return e;
    }
    free(path);
    return ip_issued_append_written(rec, doc, hex, d);
}

ip_err ip_issued_append_written(ip_issued *rec, const ip_issued_doc *doc, const char *sha256,
                                ip_diag *d)
{
    ip_issued_doc copy;
    ip_err e;
    if ((e = check_new(rec, doc, d)))
        return e;
    if (!is_hex64(sha256, strlen(sha256)))
        IP_BUG("document '%s' appended with a digest that is no SHA-256", doc->number);
    ip_issued_doc_copy(&copy, doc);
    memcpy(copy.sha256, sha256, 64);
    copy.sha256[64] = '\0';
    push_doc(rec, &copy, 0);
    return IP_OK;
}

ip_err ip_issued_write_register(const ip_issued *rec, FILE *f, const char *name, ip_diag *d)
{
    size_t i;
    fputs(REGISTER_HEADER "\n", f);
    for (i = 0; i < rec->ndocs; i++) {
        const ip_issued_doc *x = &rec->docs[i];
        char ps[11], pe[11], is[11], ds[11], a[32], b[32], c[32];
        fprintf(f, "%s;%s;%" PRIu32 ";", x->number, x->is_credit ? "credit" : "invoice",
                x->customer);
        ip_csv_put_field(f, x->name);
        fprintf(f, ";%s;%s;%s;%s;%s;%d;%c;%d;%s;%s;%s;%s;%s;%s\n",
                ip_date_str(x->period_start, ps), ip_date_str(x->period_end, pe),
                ip_date_str(x->issue_date, is), ip_date_str(x->due_date, ds),
                x->cancels ? x->cancels : "", x->run, x->vat_category, x->vat_percent,
                ip_money_fmt(x->net, a), ip_money_fmt(x->vat, b),
                ip_money_fmt(x->total, c), x->lines, x->file, x->sha256);
    }
    if (ferror(f))
        return ip_write_failed(d, name, errno);
    return IP_OK;
}

ip_err ip_issued_commit(ip_issued *rec, ip_diag *d)
{
    FILE *f;
    char *reg;
    ip_err e;
    if (!rec->stage)
        IP_BUG("commit of a record that is not staged");
    if ((e = ip_stage_fopen(rec->stage, "register.csv", &f, d)))
        goto fail;
    reg = ip_stage_path(rec->stage, "register.csv");
    e = ip_issued_write_register(rec, f, reg, d);
    free(reg);
    if (e) {
        fclose(f);
        goto fail;
    }
    if ((e = ip_stage_fclose(rec->stage, f, "register.csv", d)))
        goto fail;
    e = ip_stage_commit(rec->stage, d);
    rec->stage = NULL; /* freed by the commit in every case */
    free(rec->stage_docs);
    rec->stage_docs = NULL;
    if (e)
        return e;
    rec->exists = 1;
    return IP_OK;
fail:
    unstage(rec);
    return e;
}
