/*
 * basis.c — one pass over one statistics file, measuring the basis of every
 * service that takes it from that file (basis.h).
 *
 * Each statistics file is read once, however many services take their basis
 * from it: a "file pass" holds the services of one file and every row is
 * offered to each of them. Every row is validated in full (date, customer
 * number, value), also rows outside the window, because a malformed row
 * means the export is broken, wherever it lies. A customer number missing
 * from the register is an error only on rows that count toward a basis: an
 * old export may well hold customers that no longer exist.
 */
#include "basis.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "csv.h"
#include "digest.h"
#include "parse.h"
#include "rowerrs.h"
#include "utf8.h"
#include "util.h"

#define MAX_LISTED 10 /* unknown customer numbers listed */
#define MEMO 8        /* field values a <match> remembers its verdict on */

/* What a <match> made of a row's field. */
enum { NO_MATCH, MATCH, NEAR_MATCH };

/* A field value that is not byte for byte one of the <match>'s values, and
 * what it was found to be: repeated values (a queue's name on every row)
 * are normalised once, not per row. */
typedef struct memo_entry {
    char *text;
    size_t len;
    int verdict;
    size_t near;           /* NEAR_MATCH: the value it resembles */
} memo_entry;

/* One <match> of a service while its file is read. */
typedef struct match_state {
    const ip_match *m;
    char **loose;          /* [m->nvalues] ip_utf8_loose() of each value */
    size_t *loose_len;
    memo_entry memo[MEMO];
    size_t next;           /* the memo entry to replace next */
} match_state;

/* Per-service state while its file is read. */
typedef struct svc_pass {
    ip_basis *res;
    long date_col;
    long value_col;        /* -1: 1 per row */
    long *match_col;       /* [svc->nmatches] */
    match_state *match;    /* [svc->nmatches] */
    uint64_t *passed;      /* [svc->nmatches] rows in the window that passed matches 0..k */
    ip_basis *rejects;     /* [svc->nmatches] only rejected/nrejected used: values match k
                              rejected after 0..k-1 passed */
    long *snapshot_line;   /* [ncust] line of the snapshot reading, 0 if none */
    /* copies for the row loop, which must not chase pointers */
    ip_date lo, hi;        /* the window, or the snapshot date twice */
    size_t nmatches;
    int64_t *raw, *monthly;
    size_t nmonths;
    size_t date_cache;     /* index of date_col in the file pass's date columns */
    size_t value_cache;    /* index of value_col in its number columns (value_col >= 0) */
    ip_date month_date;    /* the date month_at was computed for (0: none) */
    size_t month_at;       /* month_index() of month_date */
} svc_pass;

/* An unknown customer number met on counted rows. */
typedef struct unknown_nr {
    uint32_t nr;
    long first_line;
    uint64_t rows;
} unknown_nr;

static size_t month_index(const ip_basis *res, ip_date date)
{
    int months = ip_date_months_between(res->first_month, date);
    return months < 0 ? 0 : ((size_t)months >= res->nmonths ? res->nmonths - 1 : (size_t)months);
}

static void note_date(ip_basis *res, ip_date date)
{
    if (!res->first_date || date < res->first_date)
        res->first_date = date;
    if (date > res->last_date)
        res->last_date = date;
}

/* Keeps field f's trimmed text among res->rejected when it is new there
 * and there is room. */
static void note_rejected(ip_basis *res, const ip_field *f)
{
    const char *p = f->ptr;
    size_t n = f->len, i;
    ip_trim(&p, &n);
    if (n > sizeof res->rejected[0] - 1) /* cut before a character, never in one */
        for (n = sizeof res->rejected[0] - 1; n > 0 && ip_utf8_is_cont((unsigned char)p[n]); n--)
            ;
    for (i = 0; i < res->nrejected; i++)
        if (strlen(res->rejected[i]) == n && memcmp(res->rejected[i], p, n) == 0)
            return;
    memcpy(res->rejected[res->nrejected], p, n);
    res->rejected[res->nrejected++][n] = '\0';
}

static void match_init(match_state *ms, const ip_match *m)
{
    size_t i;
    memset(ms, 0, sizeof *ms);
    ms->m = m;
    ms->loose = ip_xcalloc(m->nvalues ? m->nvalues : 1, sizeof *ms->loose);
    ms->loose_len = ip_xcalloc(m->nvalues ? m->nvalues : 1, sizeof *ms->loose_len);
    for (i = 0; i < m->nvalues; i++)
        ms->loose[i] = ip_utf8_loose(m->values[i], strlen(m->values[i]), &ms->loose_len[i]);
}

static void match_release(match_state *ms)
{
    size_t i;
    for (i = 0; i < ms->m->nvalues; i++)
        free(ms->loose[i]);
    free(ms->loose);
    free(ms->loose_len);
    for (i = 0; i < MEMO; i++)
        free(ms->memo[i].text);
}

/* The verdict on field p[0..n) (trimmed) that is not byte for byte one of
 * the values: MATCH when its NFC is one (the values are NFC), NEAR_MATCH
 * when it equals one in ip_utf8_loose() form (case, spaces, invisible
 * characters), else NO_MATCH. */
static int judge(const match_state *ms, const char *p, size_t n, size_t *near)
{
    const ip_match *m = ms->m;
    size_t i, len;
    char *v;
    if (!ip_utf8_is_ascii(p, n)) {
        v = ip_utf8_nfc(p, n, &len);
        for (i = 0; i < m->nvalues; i++)
            if (strlen(m->values[i]) == len && memcmp(m->values[i], v, len) == 0)
                break;
        free(v);
        if (i < m->nvalues)
            return MATCH;
    }
    v = ip_utf8_loose(p, n, &len);
    for (i = 0; i < m->nvalues; i++)
        if (ms->loose_len[i] == len && memcmp(ms->loose[i], v, len) == 0)
            break;
    free(v);
    if (i < m->nvalues) {
        *near = i;
        return NEAR_MATCH;
    }
    return NO_MATCH;
}

/* MATCH, NEAR_MATCH (*near: the value it resembles) or NO_MATCH for field
 * f. A field byte for byte one of the values costs what it always did;
 * any other is judged once and remembered. */
static int field_matches(const ip_field *f, match_state *ms, size_t *near)
{
    const ip_match *m = ms->m;
    const char *p = f->ptr;
    size_t n = f->len, i;
    memo_entry *me;
    ip_trim(&p, &n);
    for (i = 0; i < m->nvalues; i++)
        if (strlen(m->values[i]) == n && memcmp(m->values[i], p, n) == 0)
            return MATCH;
    for (i = 0; i < MEMO; i++)
        if (ms->memo[i].text && ms->memo[i].len == n && memcmp(ms->memo[i].text, p, n) == 0) {
            *near = ms->memo[i].near;
            return ms->memo[i].verdict;
        }
    me = &ms->memo[ms->next];
    ms->next = (ms->next + 1) % MEMO;
    free(me->text);
    me->text = ip_xstrndup(p, n);
    me->len = n;
    me->near = 0;
    me->verdict = judge(ms, p, n, &me->near);
    *near = me->near;
    return me->verdict;
}

static void note_unknown(unknown_nr **list, size_t *n, size_t *alloc, uint32_t nr, long line)
{
    size_t i;
    for (i = 0; i < *n; i++) {
        if ((*list)[i].nr == nr) {
            (*list)[i].rows++;
            return;
        }
    }
    ip_xgrow((void **)list, alloc, *n + 1, sizeof **list);
    (*list)[*n].nr = nr;
    (*list)[*n].first_line = line;
    (*list)[*n].rows = 1;
    (*n)++;
}

/* ---- reading a statistics file -------------------------------------------
 *
 * A year of switchboard calls is millions of rows, so the row loop avoids
 * work that the general parsers would repeat: each date or number column is
 * parsed once a row however many services read it, and a row whose fields
 * have the usual shape takes a short path whose results are those of the
 * general parsers (which remain the only place that decides an error):
 * - a customer number or value of 1-15 plain digits is read in place;
 * - a date column remembers the first ten bytes of the last date the general
 *   parser accepted from a field that starts with them (no leading blank);
 *   a field of 10, 16 or 19 bytes that starts with the same ten bytes and
 *   ends in a valid time of day ("Thh:mm", "Thh:mm:ss", or with a space) has
 *   that date, as ip_parse_date_or_datetime() would find. Exports are in
 *   time order, so nearly every row hits;
 * - each service remembers the month index of the last date it counted.
 * The file's SHA-256 comes from the same read: the reader feeds every block
 * to a digest, on a second thread for a large file (digest.h). */

/* One date or number column, parsed at most once a row. */
typedef struct col_cache {
    long col;         /* the column */
    uint64_t row;     /* the row (counted from 1) value belongs to, 0: none */
    int64_t value;    /* the date (ip_date) or the number */
    int have_key;     /* dates: key holds the first ten bytes of key_date's field */
    char key[10];
    ip_date key_date;
} col_cache;

/* Index of col in caches[0, *n), added when absent. */
static size_t cache_index(col_cache *caches, size_t *n, long col)
{
    size_t i;
    for (i = 0; i < *n; i++)
        if (caches[i].col == col)
            return i;
    memset(&caches[*n], 0, sizeof caches[*n]);
    caches[*n].col = col;
    return (*n)++;
}

/* 1-15 plain ASCII digits (so at most 10^15 - 1, within IP_INT_MAX): their
 * value, as ip_parse_uint() gives it. -1 for anything else, which the general
 * parser then judges. */
static inline int64_t plain_digits(const ip_field *f)
{
    const unsigned char *s = (const unsigned char *)f->ptr;
    size_t i, n = f->len;
    int64_t v = 0;
    if (n - 1 >= 15) /* also n == 0 */
        return -1;
    for (i = 0; i < n; i++) {
        unsigned dg = (unsigned)s[i] - '0';
        if (dg > 9)
            return -1;
        v = v * 10 + dg;
    }
    return v;
}

static inline uint64_t load8(const char *s)
{
    uint64_t v;
    memcpy(&v, s, 8);
    return v;
}

#define ONES UINT64_C(0x0101010101010101)

/* Whether the field is cc's remembered date followed by a valid time of day,
 * with nothing around it (see above): then ip_parse_date_or_datetime() gives
 * cc->key_date. */
static inline int same_day(const col_cache *cc, const ip_field *f)
{
    const char *s = f->ptr;
    unsigned hh, mm, ss;
    if (!cc->have_key || (f->len != 10 && f->len != 16 && f->len != 19) ||
        load8(s) != load8(cc->key) || s[8] != cc->key[8] || s[9] != cc->key[9])
        return 0;
    if (f->len == 10)
        return 1;
    if (f->len == 19 && (s[10] == 'T' || s[10] == ' ')) {
        /* "hh:mm:ss" as one word: XOR with "00:00:00" leaves the digits'
         * values and zero separators; adding 0x76 to a byte above 9 sets its
         * top bit. Byte order does not matter: pattern and masks are loaded
         * the same way. */
        static const char pat[8] = {'0', '0', ':', '0', '0', ':', '0', '0'};
        static const unsigned char sep[8] = {0, 0, 0xFF, 0, 0, 0xFF, 0, 0};
        uint64_t x = load8(s + 11) ^ load8(pat);
        unsigned char b[8];
        if ((((x | (x + 0x76 * ONES)) & (0x80 * ONES)) | (x & load8((const char *)sep))) != 0)
            return 0;
        memcpy(b, &x, 8);
        return b[0] * 10u + b[1] <= 23 && b[3] * 10u + b[4] <= 59 && b[6] * 10u + b[7] <= 60;
    }
    if ((s[10] != 'T' && s[10] != ' ') || s[13] != ':')
        return 0;
    hh = ((unsigned)(unsigned char)s[11] - '0') * 10 + ((unsigned)(unsigned char)s[12] - '0');
    mm = ((unsigned)(unsigned char)s[14] - '0') * 10 + ((unsigned)(unsigned char)s[15] - '0');
    if ((unsigned)(unsigned char)s[11] - '0' > 9 || (unsigned)(unsigned char)s[12] - '0' > 9 ||
        (unsigned)(unsigned char)s[14] - '0' > 9 || (unsigned)(unsigned char)s[15] - '0' > 9 ||
        hh > 23 || mm > 59)
        return 0;
    if (f->len == 16)
        return 1;
    ss = ((unsigned)(unsigned char)s[17] - '0') * 10 + ((unsigned)(unsigned char)s[18] - '0');
    return s[16] == ':' && (unsigned)(unsigned char)s[17] - '0' <= 9 &&
           (unsigned)(unsigned char)s[18] - '0' <= 9 && ss <= 60;
}

/* The date in field f for this row: 0, or -1 when it is not a date. */
static inline int row_date(col_cache *cc, uint64_t row, const ip_field *f, ip_date *out)
{
    ip_date date;
    if (cc->row == row) {
        *out = (ip_date)cc->value;
        return 0;
    }
    if (same_day(cc, f)) {
        date = cc->key_date;
    } else {
        if (ip_parse_date_or_datetime(f->ptr, f->len, &date) != 0)
            return -1;
        /* accepted, and it starts with its date: remember that */
        if (f->len >= 10 && f->ptr[0] != ' ' && f->ptr[0] != '\t') {
            memcpy(cc->key, f->ptr, 10);
            cc->key_date = date;
            cc->have_key = 1;
        }
    }
    cc->row = row;
    cc->value = date;
    *out = date;
    return 0;
}

/* The number in field f for this row: 0, or -1 when it is not one. */
static inline int row_number(col_cache *cc, uint64_t row, const ip_field *f, int64_t *out)
{
    int64_t v;
    if (cc->row != row) {
        v = plain_digits(f);
        if (v < 0 && ip_parse_uint(f->ptr, f->len, &v) != 0)
            return -1;
        cc->row = row;
        cc->value = v;
    }
    *out = cc->value;
    return 0;
}

/* The short path for ordinary rows, when every service of the file takes the
 * same date column and counts rows or one number column, without filters or
 * snapshot. An ordinary row has the day the date column remembers, a plain
 * customer number from the register and a plain value; it is only added to
 * the day's count per customer, and flush_day() adds a day's counts to each
 * service's bases and months (or to its rows outside the window) when the
 * day changes, before the general code takes a row, and at the end. Exports
 * are in time order, so a day is thousands of rows and the work per row is
 * a few instructions. The bases are the sums the general code would make;
 * its limit check cannot fire on these rows: they are only taken while
 * every value counted so far plus theirs stays within IP_INT_MAX, and no
 * customer's total can exceed that sum. */
typedef struct day_count {
    ip_date date;     /* the day of count[], 0: none yet */
    uint64_t rows;    /* rows in count[] */
    int64_t *count;   /* [ncust] value per customer slot */
    size_t *slots;    /* [ncust] the slots counted this day, nslots of them */
    size_t nslots;
    int64_t counted;  /* every value added to a basis so far, once per service */
} day_count;

/* Adds the day's counts to the services' bases and empties them. */
static void flush_day(day_count *dc, svc_pass *sp, size_t nsvc)
{
    size_t i, j;
    if (!dc->rows)
        return;
    for (i = 0; i < nsvc; i++) {
        svc_pass *p = &sp[i];
        note_date(p->res, dc->date);
        if (dc->date < p->lo || dc->date > p->hi) {
            p->res->rows_outside += dc->rows;
            continue;
        }
        if (dc->date != p->month_date) {
            p->month_date = dc->date;
            p->month_at = month_index(p->res, dc->date);
        }
        for (j = 0; j < dc->nslots; j++) {
            size_t k = dc->slots[j];
            p->raw[k] += dc->count[k];
            p->monthly[k * p->nmonths + p->month_at] += dc->count[k];
        }
        p->res->rows_used += dc->rows;
    }
    for (j = 0; j < dc->nslots; j++)
        dc->count[dc->slots[j]] = -1;
    dc->nslots = 0;
    dc->rows = 0;
}

/* Counts an ordinary row (see above) and returns 1, or returns 0 and changes
 * nothing but a flush: the general code takes the row. */
static inline int plain_row(day_count *day, svc_pass *sp, size_t nsvc, const col_cache *dc,
                            const ip_field *f, long cust_col, const ip_customers *customers)
{
    const long vcol = sp[0].value_col;
    int64_t v = 1, nr = plain_digits(&f[cust_col]);
    long slot;
    if (nr < 0 || nr > UINT32_MAX || !same_day(dc, &f[sp[0].date_col]) ||
        (vcol >= 0 && (v = plain_digits(&f[vcol])) < 0) ||
        (slot = ip_customers_slot(customers, (uint32_t)nr)) < 0 ||
        v * (int64_t)nsvc > IP_INT_MAX - day->counted) {
        flush_day(day, sp, nsvc);
        return 0;
    }
    if (dc->key_date != day->date) {
        flush_day(day, sp, nsvc);
        day->date = dc->key_date;
    }
    if (day->count[slot] < 0) { /* -1: not counted this day */
        day->count[slot] = 0;
        day->slots[day->nslots++] = (size_t)slot;
    }
    day->count[slot] += v;
    day->rows++;
    day->counted += v * (int64_t)nsvc;
    return 1;
}

/* What the reader's tap feeds: the file's digest and the progress report. */
typedef struct tap_ctx {
    ip_digest *dg;
    ip_progress_fn progress;
    void *progress_ctx;
    const char *name;
    uint64_t done, total;
} tap_ctx;

static void tap_feed(void *ctx, const unsigned char *p, size_t n)
{
    tap_ctx *t = ctx;
    ip_digest_feed(t->dg, p, n);
    t->done += n;
    if (t->progress)
        t->progress(t->progress_ctx, t->name, t->done, t->total, 0);
}

static void tap_wait(void *ctx, uint64_t n)
{
    ip_digest_wait(((tap_ctx *)ctx)->dg, n);
}

/* The file's SHA-256 and size come from the same read: the reader feeds
 * every block through its tap to the digest. */
ip_err ip_basis_measure(const char *path, const ip_customers *customers, ip_basis *bases,
                        size_t nsvc, const ip_basis_opts *o, ip_basis_file *file,
                        ip_diag *d)
{
    static const ip_basis_opts defaults;
    const char *name = path;
    const size_t ncust = ip_customers_count(customers);
    ip_csv *c = NULL;
    ip_digest *dg = NULL;
    ip_csv_tap tap;
    tap_ctx tc;
    ip_csv_opts opts;
    struct stat st;
    svc_pass *sp = ip_xcalloc(nsvc, sizeof *sp);
    col_cache *dates = ip_xcalloc(nsvc, sizeof *dates), *nums = ip_xcalloc(nsvc + 1, sizeof *nums);
    size_t ndates = 0, nnums = 0, ncols = 0, cust_cache;
    long *cols = NULL;
    unknown_nr *unknown = NULL;
    size_t nunknown = 0, unknown_alloc = 0, i, k;
    long cust_col, count_col;
    uint64_t row = 0;
    int fast;
    day_count day = {0, 0, NULL, NULL, 0, 0};
    ip_rowerrs re;
    ip_err e;

    ip_rowerrs_init(&re, d, name);
    memset(&tc, 0, sizeof tc);
    tc.total = stat(path, &st) == 0 && S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
    if (!o)
        o = &defaults;
    dg = ip_digest_new(ip_digest_want_thread(tc.total, o->digest_threads));
    tc.dg = dg;
    tc.progress = o->progress;
    tc.progress_ctx = o->progress_ctx;
    tc.name = name;
    tap.ctx = &tc;
    tap.feed = tap_feed;
    tap.wait = ip_digest_is_threaded(dg) ? tap_wait : NULL;
    opts = o->csv;
    opts.tap = &tap;
    e = ip_csv_open_ex(path, name, &opts, &c, d);
    if (e)
        goto out;
    if ((e = ip_csv_column(c, "customer", 1, &cust_col, d)) ||
        (e = ip_csv_column(c, "count", 0, &count_col, d)))
        goto out;
    cust_cache = cache_index(nums, &nnums, cust_col);
    for (i = 0; i < nsvc; i++) {
        const ip_service *svc = bases[i].svc;
        sp[i].res = &bases[i];
        if ((e = ip_csv_column(c, svc->date_column, 1, &sp[i].date_col, d)))
            goto out;
        if (svc->value_column) {
            if ((e = ip_csv_column(c, svc->value_column, 1, &sp[i].value_col, d)))
                goto out;
        } else {
            sp[i].value_col = count_col;
        }
        sp[i].match_col = ip_xcalloc(svc->nmatches ? svc->nmatches : 1, sizeof(long));
        sp[i].match = ip_xcalloc(svc->nmatches ? svc->nmatches : 1, sizeof *sp[i].match);
        sp[i].passed = ip_xcalloc(svc->nmatches ? svc->nmatches : 1, sizeof *sp[i].passed);
        sp[i].rejects = ip_xcalloc(svc->nmatches ? svc->nmatches : 1, sizeof *sp[i].rejects);
        for (k = 0; k < svc->nmatches; k++)
            match_init(&sp[i].match[k], &svc->matches[k]);
        for (k = 0; k < svc->nmatches; k++)
            if ((e = ip_csv_column(c, svc->matches[k].column, 1, &sp[i].match_col[k], d)))
                goto out;
        if (svc->is_snapshot)
            sp[i].snapshot_line = ip_xcalloc(ncust, sizeof(long));
        sp[i].lo = svc->is_snapshot ? svc->snapshot : svc->from;
        sp[i].hi = svc->is_snapshot ? svc->snapshot : svc->to;
        sp[i].nmatches = svc->nmatches;
        sp[i].raw = sp[i].res->raw;
        sp[i].monthly = sp[i].res->monthly;
        sp[i].nmonths = sp[i].res->nmonths;
        sp[i].date_cache = cache_index(dates, &ndates, sp[i].date_col);
        if (sp[i].value_col >= 0)
            sp[i].value_cache = cache_index(nums, &nnums, sp[i].value_col);
    }
    /* only these columns are cut out of each row */
    for (i = 0, k = 1; i < nsvc; i++)
        k += 2 + sp[i].res->svc->nmatches;
    cols = ip_xcalloc(k, sizeof *cols);
    cols[ncols++] = cust_col;
    for (i = 0; i < nsvc; i++) {
        cols[ncols++] = sp[i].date_col;
        cols[ncols++] = sp[i].value_col;
        for (k = 0; k < sp[i].res->svc->nmatches; k++)
            cols[ncols++] = sp[i].match_col[k];
    }
    ip_csv_select(c, cols, ncols);
    /* plain_row() when the services allow it; the portable mode leaves it
     * out, so that the tests compare the two. */
    fast = !ip_csv_is_portable(c) && ndates == 1 && nsvc <= 64;
    for (i = 0; i < nsvc; i++)
        fast &= sp[i].nmatches == 0 && !sp[i].snapshot_line && sp[i].value_col == sp[0].value_col;
    if (fast) {
        day.count = ip_xmalloc((ncust ? ncust : 1) * sizeof *day.count);
        day.slots = ip_xmalloc((ncust ? ncust : 1) * sizeof *day.slots);
        for (i = 0; i < ncust; i++)
            day.count[i] = -1;
    }

    for (;;) {
        ip_csv_batch b;
        int eof;
        ip_diag tmp;
        size_t j;
        if ((e = ip_csv_next_batch(c, &b, &eof, &tmp))) {
            /* A syntax error ends the file; earlier row errors stay listed first. */
            ip_rowerrs_stop(&re, &tmp);
            e = ip_rowerrs_finish(&re);
            goto out;
        }
        if (eof)
            break;
        for (j = 0; j < b.n; j++) {
            const ip_field *f = b.fields + j * b.stride;
            const long line = b.line + (long)j;
            int bad = 0;
            int64_t nr64 = 0;
            long slot = -1;
            char q[200];
            row++;
            if (fast &&
                plain_row(&day, sp, nsvc, &dates[0], f, cust_col, customers))
                continue;
            if (row_number(&nums[cust_cache], row, &f[cust_col], &nr64) != 0 || nr64 > UINT32_MAX) {
                ip_rowerrs_add(&re, IP_ERR_DATA, line,
                               "expected a customer number (digits), found '%s'",
                               ip_quote(f[cust_col].ptr, f[cust_col].len, q, sizeof q));
                continue;
            }
            slot = ip_customers_slot(customers, (uint32_t)nr64);
            for (i = 0; i < nsvc && !bad; i++) {
                svc_pass *p = &sp[i];
                const ip_service *svc = p->res->svc;
                ip_basis *res = p->res;
                const ip_field *df = &f[p->date_col];
                ip_date date;
                int64_t value = 1;
                if (row_date(&dates[p->date_cache], row, df, &date) != 0) {
                    ip_rowerrs_add(&re, IP_ERR_DATA, line,
                                   "expected a date YYYY-MM-DD in column '%s', found '%s'",
                                   svc->date_column, ip_quote(df->ptr, df->len, q, sizeof q));
                    bad = 1;
                    break;
                }
                if (p->value_col >= 0) {
                    const ip_field *vf = &f[p->value_col];
                    if (row_number(&nums[p->value_cache], row, vf, &value) != 0) {
                        ip_rowerrs_add(&re, IP_ERR_DATA, line,
                                       "expected a whole number of 0 or more in column '%s', "
                                       "found '%s'",
                                       svc->value_column ? svc->value_column : "count",
                                       ip_quote(vf->ptr, vf->len, q, sizeof q));
                        bad = 1;
                        break;
                    }
                }
                note_date(res, date);
                if (date < p->lo || date > p->hi) {
                    res->rows_outside++;
                    continue;
                }
                for (k = 0; k < p->nmatches; k++) {
                    size_t near = 0;
                    int v = field_matches(&f[p->match_col[k]], &p->match[k], &near);
                    if (v == MATCH) {
                        p->passed[k]++;
                        continue;
                    }
                    if (p->rejects[k].nrejected < IP_BASIS_SEEN)
                        note_rejected(&p->rejects[k], &f[p->match_col[k]]);
                    if (v == NEAR_MATCH && res->rows_near++ == 0) {
                        const ip_field *mf = &f[p->match_col[k]];
                        res->near_line = line;
                        res->near_match = k;
                        res->near_value = near;
                        ip_quote(mf->ptr, mf->len, res->near_found, sizeof res->near_found);
                    }
                    break;
                }
                if (k < p->nmatches) {
                    res->rows_filtered++;
                    continue;
                }
                if (slot < 0) {
                    note_unknown(&unknown, &nunknown, &unknown_alloc, (uint32_t)nr64, line);
                    continue;
                }
                if (p->snapshot_line) { /* a snapshot */
                    if (p->snapshot_line[slot]) {
                        char ds[11];
                        ip_rowerrs_add(&re, IP_ERR_DATA, line,
                                       "expected one reading per customer on %s, found a second "
                                       "for %" PRId64 " (first on line %ld)",
                                       ip_date_str(svc->snapshot, ds), nr64,
                                       p->snapshot_line[slot]);
                        continue;
                    }
                    p->snapshot_line[slot] = line;
                }
                if (value > IP_INT_MAX - p->raw[slot]) {
                    ip_rowerrs_add(&re, IP_ERR_DATA, line,
                                   "expected a basis total of at most 10^15, found more for "
                                   "customer %" PRId64, nr64);
                    bad = 1;
                    break;
                }
                if (date != p->month_date) {
                    p->month_date = date;
                    p->month_at = month_index(res, date);
                }
                p->raw[slot] += value;
                p->monthly[(size_t)slot * p->nmonths + p->month_at] += value;
                res->rows_used++;
                /* the fast path's guard saturates, never wraps: past the
                 * limit plain_row() takes no more rows */
                day.counted = value > IP_INT_MAX - day.counted ? IP_INT_MAX + 1
                                                               : day.counted + value;
            }
        }
    }
    if (fast)
        flush_day(&day, sp, nsvc);
    file->rows = ip_csv_records(c);

    if ((e = ip_rowerrs_finish(&re)))
        goto out;
    if (nunknown) {
        ip_diag_set(d, IP_ERR_UNALLOCATABLE, name, unknown[0].first_line,
                    "expected customer numbers from customers.csv, found %zu unknown: %" PRIu32
                    "%s", nunknown, unknown[0].nr, nunknown > 1 ? " and others" : "");
        for (i = 0; i < nunknown && i < MAX_LISTED; i++)
            ip_diag_add(d, "%s:%ld: unknown customer %" PRIu32 " on %" PRIu64 " counted row%s",
                        name, unknown[i].first_line, unknown[i].nr, unknown[i].rows,
                        unknown[i].rows == 1 ? "" : "s");
        if (nunknown > MAX_LISTED)
            ip_diag_add(d, "%zu unknown customer numbers in all", nunknown);
        e = IP_ERR_UNALLOCATABLE;
        goto out;
    }
    for (i = 0; i < nsvc; i++) {
        const ip_service *svc = sp[i].res->svc;
        if (svc->is_snapshot && sp[i].res->rows_used == 0 &&
            sp[i].res->rows_filtered == 0) {
            char ds[11];
            e = ip_diag_set(d, IP_ERR_DATA, name, 0,
                            "expected readings on the snapshot date %s for '%s', found none",
                            ip_date_str(svc->snapshot, ds), svc->id);
            goto out;
        }
    }
    /* The <match> no row got past (the first, when every one let some
     * through) and the values it rejected: what a basis of 0 names. */
    for (i = 0; i < nsvc; i++) {
        ip_basis *res = sp[i].res;
        for (k = 0; k < sp[i].nmatches && sp[i].passed[k]; k++)
            ;
        if (k == sp[i].nmatches)
            k = 0;
        res->reject_match = k;
        if (sp[i].nmatches) {
            res->nrejected = sp[i].rejects[k].nrejected;
            memcpy(res->rejected, sp[i].rejects[k].rejected, sizeof res->rejected);
        }
    }
    /* The reader has reached the end: the digest has seen every byte. */
    ip_digest_final(dg, file->sha256);
    file->bytes = ip_csv_bytes(c);
    e = IP_OK;
out:
    for (i = 0; i < nsvc; i++) {
        if (sp[i].match)
            for (k = 0; k < sp[i].res->svc->nmatches; k++)
                match_release(&sp[i].match[k]);
        free(sp[i].match);
        free(sp[i].passed);
        free(sp[i].rejects);
        free(sp[i].match_col);
        free(sp[i].snapshot_line);
    }
    free(sp);
    free(dates);
    free(nums);
    free(cols);
    free(day.count);
    free(day.slots);
    free(unknown);
    ip_csv_free(c); /* before the digest: it waits for the tap */
    ip_digest_free(dg);
    if (o->progress)
        o->progress(o->progress_ctx, name, tc.done, tc.total, 1);
    return e;
}


void ip_basis_init(ip_basis *b, const ip_service *svc, size_t ncust)
{
    memset(b, 0, sizeof *b);
    b->svc = svc;
    b->raw = ip_xcalloc(ncust, sizeof *b->raw);
    if (svc->is_snapshot) {
        b->first_month = ip_date_month_start(svc->snapshot);
        b->nmonths = 1;
    } else {
        b->first_month = ip_date_month_start(svc->from);
        b->nmonths = (size_t)ip_date_months_between(svc->from, svc->to) + 1;
    }
    b->monthly = ip_xcalloc(ncust * b->nmonths, sizeof *b->monthly);
}

void ip_basis_release(ip_basis *b)
{
    free(b->raw);
    free(b->monthly);
    b->raw = b->monthly = NULL;
}
