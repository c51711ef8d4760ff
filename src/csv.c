/*
 * csv.c — the streaming CSV reader behind every statistics file (SPEC 2):
 * the buffer, the records and their rules, the header and its columns. The
 * scanners that find the bytes worth a look (portable, SSE2, AVX2) are in
 * csv_scan.c; the writer of the files internpris produces is csv_write.c.
 *
 * Layout. One buffer, reused for the whole file: buf[pos, end) holds bytes
 * read but not yet consumed, buf[end] is always '\n' (a sentinel, so scans
 * stop there without a bounds check) and PAD more bytes follow so that the
 * SIMD scanners may load 64 bytes from any position <= end. When a record
 * runs past end, fill() moves the partial record to the front, grows the
 * buffer if that record alone fills it (never beyond one maximal record) and
 * read()s more; the record is then parsed again from its start. So memory is
 * bounded by the longest record, not by the file.
 *
 * Parsing a record is two passes over its bytes. parse_record() finds the
 * field boundaries, validates UTF-8 and rejects NUL bytes, stray quotes and
 * lone CRs, counting physical lines; it only reads the buffer, so it can be
 * restarted when it runs out of data. Once the whole record is in view,
 * quoted fields that contain "" are unescaped into a side buffer: the reader
 * never writes into bytes it has read, because a tap (a digest) may be
 * reading them on another thread.
 *
 * Speed. A data row is mostly bytes that need no attention. The ordinary
 * record (no quotes, no control bytes, ASCII or two-byte UTF-8, the right
 * number of fields, LF or CRLF) is taken by next_plain() straight off three
 * bit masks (delimiters, LFs, everything else) built 4 KiB at a time with
 * SSE2, or AVX2 when the CPU has it; it costs a line end to find, one test
 * and a fixed number of steps over the delimiters, and only the fields the
 * caller selected are cut out. Any other record goes to parse_record_impl(),
 * which knows every rule and every message and uses 64-byte masks too or, in
 * the portable mode, a class table byte by byte. The fast path only accepts
 * what the general parser would, with the same fields, so the modes give the
 * same results and the same errors; the tests and the fuzzer compare them on
 * every input. ip_csv_next_batch() hands out up to IP_CSV_BATCH plain
 * records per call.
 *
 * The tap (csv.h) lets a digest see every block as it is read. When it reads
 * on another thread, the reader rotates RING buffers: it parses one while the
 * digest hashes the ones before, and waits for the digest before it reuses
 * one.
 *
 * On 10 million call rows (555 MB, warm page cache) the reader alone, with
 * the AVX2 masks, takes about 0.33 s on the 2-vCPU target VM, 0.05 s of it
 * the kernel's copy into the buffer; SHA-256 of the same bytes takes 0.42 s,
 * so with the digest on the second core the read is bound by the hash (see
 * tests/bench/RESULTS.md).
 */
#include "csv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csv_scan.h"
#include "files.h"
#include "utf8.h"
#include "util.h"

#define DEFAULT_BUFFER (256u * 1024u)
/* A record of IP_CSV_MAX_RECORD bytes plus its CRLF fits exactly. */
#define MAX_CAP ((size_t)IP_CSV_MAX_RECORD + 2)
/* After buf[end]: the sentinel and the scanners' room (csv_scan.h). */
#define PAD IP_CSV_SCAN_PAD
/* Buffers with an asynchronous tap: the reader parses one while the tap
 * reads the others; more than two let either side run ahead for a while.
 * (Measured on 10 M rows: 2 or 4 buffers, 256 KiB or 1 MiB reads, all
 * within the noise; 256 KiB keeps a block in L2.) */
#define RING 4
/* Bytes of field text shown in a message (ip_quote shows at most 40). */
#define MSG_TEXT 48

typedef enum rec_result {
    R_REC,  /* a record is ready */
    R_SKIP, /* a record whose fields are all empty was skipped */
    R_MORE, /* the record runs past the data read so far */
    R_EOF,  /* no more records */
    R_ERR   /* c->diag holds the error */
} rec_result;

struct ip_csv {
    /* the source */
    int fd;            /* the file, or -1 for a memory source */
    const char *mem;   /* the memory source */
    size_t mem_len;    /* its length */
    size_t mem_off;    /* bytes of it copied so far */
    int eof;           /* the source has no more bytes */
    size_t read_max;   /* at most this many bytes per read, 0 = as many as fit */

    uint64_t bytes;    /* bytes read from the source */
    ip_files_stamp stamp; /* the file at the open, compared at its end */

    /* the tap (csv.h) */
    ip_csv_tap tap;    /* tap.feed NULL: none */
    uint64_t fed;      /* feeds so far */

    /* the buffer */
    unsigned char *buf; /* cap + PAD bytes */
    size_t cap;         /* room for data */
    size_t end;         /* bytes of data; buf[end] == '\n' */
    size_t pos;         /* where the next record (or blank line) starts */
    uint64_t buf_fed;   /* feeds up to the last one from buf */
    /* with an asynchronous tap: the other buffers, which the tap may still
     * read, least recently used first */
    struct spare {
        unsigned char *buf;
        size_t cap;
        uint64_t fed;
    } spare[RING - 1];
    char *unesc;        /* quoted fields with "" unescaped, of the current record */
    size_t unesc_cap;

    /* scanning */
    char delim;              /* ';', ',' or '\t' */
    ip_csv_scan scan;        /* the scanner in use */
    int portable;            /* scan == IP_CSV_SCAN_PORTABLE */
    size_t need;             /* the fast path fills fields [0, need) (ip_csv_select) */
    unsigned char cls[256];  /* class of each byte outside quotes */
    unsigned char qcls[256]; /* class of each byte inside quotes */
    const unsigned char *win; /* the fast scanner's window (NULL after a fill) */
    uint64_t wmask;           /* its mask */
#ifdef __SSE2__
    ip_csv_chunk chunk;       /* the plain-record fast path's masks */
#endif

    /* records */
    long line;         /* physical line at buf[pos] */
    long rec_line;     /* first line of the current record */
    uint64_t records;  /* data records returned */
    ip_field *fields;  /* the current record's fields */
    ip_field *bfields; /* ip_csv_next_batch(): records of need fields each */
    size_t bcap;       /* fields in bfields */
    size_t falloc;     /* room in fields and esc */
    size_t *esc;       /* indexes of quoted fields holding "" */
    size_t ncols;      /* header columns */
    int done;          /* the end of the file was reported */

    /* the header */
    ip_field *hdr;   /* trimmed names, pointing into hdr_text */
    char *hdr_text;  /* the names, each followed by a NUL */
    long hdr_line;   /* the header's line */

    char *name;     /* the display name */
    ip_err err;     /* a sticky error: later calls repeat it */
    ip_diag diag;   /* its message */
};

int ip_csv_is_portable(const ip_csv *c)
{
    return c->portable;
}

ip_csv_scan ip_csv_scan_used(const ip_csv *c)
{
    return c->scan;
}

/* ---- errors ----------------------------------------------------------- */

static rec_result fail(ip_csv *c, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static rec_result fail(ip_csv *c, long line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ip_diag_vset(&c->diag, IP_ERR_DATA, c->name, line, fmt, ap);
    va_end(ap);
    c->err = IP_ERR_DATA;
    return R_ERR;
}

/* Length of the text to show from p in a message: up to the next delimiter
 * or line end, at most MSG_TEXT bytes. -1 when more must be read to know
 * it, so that the message does not depend on where a block ended. */
static long msg_text_len(const ip_csv *c, const unsigned char *p)
{
    const unsigned char *end = c->buf + c->end, *q = p;
    for (;;) {
        if (q - p == MSG_TEXT)
            break;
        if (q == end) {
            if (!c->eof)
                return -1;
            break;
        }
        if (*q == '\n' || *q == '\r' || *q == (unsigned char)c->delim)
            break;
        q++;
    }
    return (long)(q - p);
}

/* ---- UTF-8 ---------------------------------------------------------- */

/* Checks the UTF-8 sequence at p (p[0] >= 0x80) with avail bytes in view
 * (the rule is utf8.h's). Returns its length, -1 when more bytes must be
 * read to decide, or 0 when it is invalid; then *latin1 tells whether the
 * byte reads as Latin-1 or Windows-1252 text rather than as broken UTF-8 (a
 * lone byte: a lead byte not followed by a continuation byte, or a
 * continuation byte with no lead). */
static int utf8_check(const unsigned char *p, size_t avail, int eof, int *latin1)
{
    unsigned b = p[0];
    int n = ip_utf8_decode(p, avail, NULL);
    if (n > 0)
        return n;
    if (n == IP_UTF8_SHORT && !eof)
        return -1;
    if (b < 0xC0) {
        /* A continuation byte on its own: Latin-1 symbols (A0-BF) or
         * Windows-1252 punctuation (80-9F, five codes unassigned). */
        *latin1 = b != 0x81 && b != 0x8D && b != 0x8F && b != 0x90 && b != 0x9D;
        return 0;
    }
    if (avail < 2 && !eof)
        return -1; /* C0, C1, F5-FF: the next byte tells how it reads */
    *latin1 = avail < 2 || !ip_utf8_is_cont(p[1]);
    return 0;
}

static rec_result utf8_fail(ip_csv *c, long line, unsigned char b, int latin1)
{
    if (latin1)
        return fail(c, line,
                    "expected UTF-8 text, found byte 0x%02X (the file looks like Latin-1 / "
                    "Windows-1252; save it as UTF-8)", b);
    return fail(c, line, "expected UTF-8 text, found byte 0x%02X", b);
}

/* ---- records ---------------------------------------------------------- */

/* Skips blank lines at pos. R_REC when a record starts there. */
static rec_result skip_blank(ip_csv *c)
{
    const unsigned char *end = c->buf + c->end, *p = c->buf + c->pos;
    long line = c->line;
    rec_result r = R_REC;
    for (;;) {
        if (p == end) {
            r = c->eof ? R_EOF : R_MORE;
            break;
        }
        if (*p == '\n') {
            p++, line++;
            continue;
        }
        if (*p == '\r') {
            if (p + 1 == end && !c->eof) {
                r = R_MORE;
                break;
            }
            /* CRLF, or a CR that ends the file */
            if (p + 1 == end || p[1] == '\n') {
                p += p + 1 == end ? 1 : 2;
                line++;
                continue;
            }
        }
        break;
    }
    c->pos = (size_t)(p - c->buf);
    c->line = line;
    c->rec_line = line;
    return r;
}

IP_INLINE void store_field(ip_csv *c, size_t nf, size_t *nesc, size_t limit,
                           const unsigned char *s, size_t n, int esc)
{
    if (nf >= limit)
        return; /* counted for the message, not kept */
    if (nf == c->falloc) {
        size_t a = c->falloc;
        ip_xgrow((void **)&c->fields, &a, nf + 1, sizeof *c->fields);
        c->esc = ip_xrealloc(c->esc, a * sizeof *c->esc);
        c->falloc = a;
    }
    c->fields[nf].ptr = (const char *)s;
    c->fields[nf].len = n;
    if (esc)
        c->esc[(*nesc)++] = nf;
}

/* Copies the quoted fields that hold "" (c->esc[0, nesc)) into c->unesc with
 * one quote of each pair removed, and points the fields there. Not in place:
 * an asynchronous tap may still be reading the buffer. */
static void unescape_fields(ip_csv *c, size_t nesc)
{
    size_t i, total = 0;
    char *w;
    for (i = 0; i < nesc; i++)
        total += c->fields[c->esc[i]].len;
    if (total > c->unesc_cap) {
        c->unesc = ip_xrealloc(c->unesc, total);
        c->unesc_cap = total;
    }
    w = c->unesc;
    for (i = 0; i < nesc; i++) {
        ip_field *f = &c->fields[c->esc[i]];
        const char *s = f->ptr, *e = s + f->len;
        char *start = w;
        while (s < e) {
            char ch = *s++;
            *w++ = ch;
            if (ch == '"')
                s++; /* the second quote of the pair */
        }
        f->ptr = start;
        f->len = (size_t)(w - start);
    }
}

/* Parses the record at pos (after blank lines). header: keep any number of
 * fields; otherwise a record must have ncols of them. fast selects the
 * scanner (a constant in each caller, so each gets its own copy). */
IP_INLINE rec_result parse_record_impl(ip_csv *c, int header, int fast)
{
    const unsigned char *const buf = c->buf;
    const unsigned char *const end = buf + c->end;
    const unsigned char *const cls = c->cls;
    const unsigned char *p, *q, *rec, *term, *next;
    const int eof = c->eof;
    size_t nf = 0, nesc = 0, limit = header ? (size_t)-1 : c->ncols;
    int nonempty = 0, latin1 = 0, n;
    long line, len;
    rec_result r;
    const unsigned char delim = (unsigned char)c->delim;
#ifdef __SSE2__
    const unsigned char *win = c->win;
    uint64_t wmask = c->wmask;
    const __m128i vdelim = _mm_set1_epi8(c->delim);
#else
    (void)fast;
#endif

    p = buf + c->pos;
    if (p == end || *p == '\n' || *p == '\r') {
        r = skip_blank(c);
        if (r != R_REC)
            return r;
        p = buf + c->pos;
    }
    line = c->rec_line = c->line;
    rec = p;

    for (;;) { /* one field per round, p at its first byte */
        if (*p == '"') {
            long qline = line;
            int esc = 0;
            q = p + 1;
            for (;;) {
                const unsigned char *qc = c->qcls;
                q = ip_csv_skip_portable(q, qc);
                switch (qc[*q]) {
                case IP_CSV_K_QUOTE:
                    if (q + 1 == end && !eof)
                        return R_MORE;
                    if (q + 1 != end && q[1] == '"') {
                        esc = 1;
                        q += 2;
                        continue;
                    }
                    break;
                case IP_CSV_K_LF:
                    if (q == end) {
                        if (!eof)
                            return R_MORE;
                        return fail(c, qline, "expected a closing quote for the field that "
                                              "starts on this line, found the end of the file");
                    }
                    line++;
                    q++;
                    continue;
                case IP_CSV_K_NUL:
                    return fail(c, line, "expected text, found a NUL byte");
                default: /* IP_CSV_K_HIGH */
                    n = utf8_check(q, (size_t)(end - q), eof, &latin1);
                    if (n < 0)
                        return R_MORE;
                    if (n == 0)
                        return utf8_fail(c, line, *q, latin1);
                    q += n;
                    continue;
                }
                break; /* the closing quote */
            }
            store_field(c, nf++, &nesc, limit, p + 1, (size_t)(q - p - 1), esc);
            nonempty |= q - p > 1;
            p = q + 1;
            switch (cls[*p]) {
            case IP_CSV_K_DELIM:
                p++;
                continue;
            case IP_CSV_K_LF:
                if (p == end && !eof)
                    return R_MORE;
                term = p;
                next = p == end ? p : p + 1;
                goto record_end;
            case IP_CSV_K_CR:
                if (p + 1 == end && !eof)
                    return R_MORE;
                if (p + 1 != end && p[1] != '\n')
                    return fail(c, line, "expected LF or CRLF line ends, found a lone CR");
                term = p;
                next = p + 1 == end ? p + 1 : p + 2;
                goto record_end;
            default:
                if ((len = msg_text_len(c, p)) < 0)
                    return R_MORE;
                {
                    char qb[200];
                    return fail(c, line, "expected a delimiter or line end after a closing "
                                         "quote, found '%s'",
                                ip_quote((const char *)p, (size_t)len, qb, sizeof qb));
                }
            }
        }

        /* an unquoted field */
        q = p;
        for (;;) {
#ifdef __SSE2__
            if (fast)
                q = ip_csv_window_next(q, &win, &wmask, vdelim);
            else
#endif
                q = ip_csv_skip_portable(q, cls);
            /* the common stops first, without a jump table */
            if (*q == delim) {
                store_field(c, nf++, &nesc, limit, p, (size_t)(q - p), 0);
                nonempty |= q > p;
                p = q + 1;
                break;
            }
            if (*q == '\n' && q != end) {
                store_field(c, nf++, &nesc, limit, p, (size_t)(q - p), 0);
                nonempty |= q > p;
                term = q;
                next = q + 1;
                goto record_end;
            }
            switch (cls[*q]) {
            case IP_CSV_K_DATA: /* a control byte the fast scanner stops at */
                q++;
                continue;
            case IP_CSV_K_DELIM:
                store_field(c, nf++, &nesc, limit, p, (size_t)(q - p), 0);
                nonempty |= q > p;
                p = q + 1;
                break;
            case IP_CSV_K_LF:
                if (q == end && !eof)
                    return R_MORE;
                store_field(c, nf++, &nesc, limit, p, (size_t)(q - p), 0);
                nonempty |= q > p;
                term = q;
                next = q == end ? q : q + 1;
                goto record_end;
            case IP_CSV_K_CR:
                if (q + 1 == end && !eof)
                    return R_MORE;
                if (q + 1 != end && q[1] != '\n')
                    return fail(c, line, "expected LF or CRLF line ends, found a lone CR");
                store_field(c, nf++, &nesc, limit, p, (size_t)(q - p), 0);
                nonempty |= q > p;
                term = q;
                next = q + 1 == end ? q + 1 : q + 2;
                goto record_end;
            case IP_CSV_K_QUOTE:
                if ((len = msg_text_len(c, p)) < 0)
                    return R_MORE;
                {
                    char qb[200];
                    return fail(c, line, "expected no quote inside an unquoted field, found '%s'",
                                ip_quote((const char *)p, (size_t)len, qb, sizeof qb));
                }
            case IP_CSV_K_NUL:
                return fail(c, line, "expected text, found a NUL byte");
            default: /* IP_CSV_K_HIGH */
                n = utf8_check(q, (size_t)(end - q), eof, &latin1);
                if (n < 0)
                    return R_MORE;
                if (n == 0)
                    return utf8_fail(c, line, *q, latin1);
                q += n;
                continue;
            }
            break; /* after a delimiter: the next field */
        }
    }

record_end:
    if ((size_t)(term - rec) > IP_CSV_MAX_RECORD)
        return fail(c, c->rec_line, "expected a record of at most %u bytes, found a longer one",
                    IP_CSV_MAX_RECORD);
    c->pos = (size_t)(next - buf);
    c->line = line + 1;
#ifdef __SSE2__
    c->win = win;
    c->wmask = wmask;
#endif
    if (!nonempty)
        return R_SKIP;
    if (!header && nf != c->ncols)
        return fail(c, c->rec_line, "expected %zu field%s as in the header, found %zu", c->ncols,
                    c->ncols == 1 ? "" : "s", nf);
    if (nesc)
        unescape_fields(c, nesc);
    c->ncols = header ? nf : c->ncols;
    return R_REC;
}

#ifdef __SSE2__
/* ---- the plain-record fast path ----------------------------------------
 *
 * Most records of a big export are plain: no quotes, no control bytes, ASCII
 * or two-byte UTF-8, the right number of fields, LF or CRLF. For those the
 * fast path works on three bit masks that csv_scan.c builds for a chunk of
 * IP_CSV_CHUNK_WORDS 64-byte windows at once, starting at the record at pos:
 * the delimiters, the LFs, and "other": every byte the fast path must not
 * pass over (a quote, NUL and other control bytes, a CR not followed by LF,
 * and any byte above 0x7F that is not part of a valid two-byte sequence).
 * A record is then its first LF; it is plain when no "other" bit lies
 * before that LF and it holds ncols - 1 delimiters; the fields the caller
 * selected are cut at the first delimiters, the rest are only counted.
 * Anything else, and a record that runs into the end of the data or past the
 * chunk, goes to parse_record_impl(), which knows every rule and every
 * message; so the fast path only ever accepts what the general parser
 * accepts, with the same fields and line numbers. The masks are invalid once the buffer changes
 * (fill(), a new delimiter): chunk.words = 0. */

/* Builds the masks for the chunk at pos with the reader's scanner. */
static void build_chunk(ip_csv *c)
{
    ip_csv_chunk_build(&c->chunk, c->scan, c->buf, c->pos, c->end, c->delim);
}

/* Finishes a plain record [rec, rec + len) whose line end is at rec[len] and
 * whose fields [0, n) are set: the last field when it is wanted, the
 * blank-record check, the position. fs: where field n starts. */
IP_INLINE rec_result plain_done(ip_csv *c, ip_field *fields, const unsigned char *rec,
                                size_t len, size_t n, size_t fs)
{
    size_t eb = len - (len && rec[len - 1] == '\r'); /* a CR here is a CRLF's */
    if (eb == c->ncols - 1)
        return R_MORE; /* every field empty: skipped by the general parser */
    if (n < c->need) {
        fields[n].ptr = (const char *)rec + fs;
        fields[n].len = eb - fs;
    }
    c->rec_line = c->line;
    c->line++;
    c->pos = (size_t)(rec - c->buf) + len + 1;
    return R_REC;
}

/* The plain record at pos that did not end within 64 bytes: word by word up
 * to the end of the chunk. */
static __attribute__((noinline)) rec_result next_plain_long(ip_csv *c, ip_field *fields)
{
    const size_t ncols = c->ncols, need = c->need;
    const size_t o = c->pos - c->chunk.base;
    const unsigned char *rec = c->buf + c->pos;
    size_t w = o >> 6, e, k, nd = 0, fs = 0;
    uint64_t m = c->chunk.lf[w] & (~(uint64_t)0 << (o & 63));
    while (!m) {
        if (++w == c->chunk.words) {
            if (o == 0)
                return R_MORE; /* longer than a chunk */
            build_chunk(c);    /* the record straddles the chunk's end */
            return next_plain_long(c, fields);
        }
        m = c->chunk.lf[w];
    }
    e = (w << 6) + (size_t)__builtin_ctzll(m);
    if (c->chunk.base + e >= c->end)
        return R_MORE; /* the sentinel: the end of the data read so far */
    for (k = o >> 6;; k++) {
        uint64_t r = ~(uint64_t)0, dm;
        if (k == o >> 6)
            r <<= o & 63;
        if (k == w)
            r &= ((uint64_t)1 << (e & 63)) - 1;
        if (c->chunk.other[k] & r)
            return R_MORE;
        for (dm = c->chunk.delim[k] & r; dm; dm &= dm - 1) {
            size_t q = (k << 6) + (size_t)__builtin_ctzll(dm) - o;
            if (nd == ncols - 1)
                return R_MORE; /* too many fields */
            if (nd < need) {
                fields[nd].ptr = (const char *)rec + fs;
                fields[nd].len = q - fs;
            }
            fs = q + 1;
            nd++;
        }
        if (k == w)
            break;
    }
    if (nd != ncols - 1)
        return R_MORE;
    return plain_done(c, fields, rec, e - o, nd < need ? nd : need, fs);
}

/* The plain record at pos (see above) into fields[0, need): R_REC, or R_MORE
 * when the general parser must look at it. Inlined into its callers: it runs
 * once a record and needs no instruction beyond the baseline. */
IP_INLINE rec_result next_plain(ip_csv *c, ip_field *fields)
{
    const size_t ncols = c->ncols, need = c->need;
    const unsigned char *rec;
    size_t o, w, len, i, fs;
    unsigned sh;
    uint64_t lf, dm;

    if (c->pos - c->chunk.base >= 64 * c->chunk.words)
        build_chunk(c);
    o = c->pos - c->chunk.base;
    w = o >> 6;
    sh = (unsigned)(o & 63);
    /* The usual record ends within 64 bytes: the masks of the 64 bytes from
     * pos out of two words, then one line end to find, one check, and
     * exactly ncols - 1 delimiters to step over, so no branch depends on
     * where the fields fall. */
    lf = c->chunk.lf[w] >> sh | (c->chunk.lf[w + 1] << 1) << (63 - sh);
    if (!lf)
        return next_plain_long(c, fields);
    len = (size_t)__builtin_ctzll(lf);
    if (c->pos + len >= c->end)
        return R_MORE; /* the sentinel: the end of the data read so far */
    {
        const uint64_t in = ((uint64_t)1 << len) - 1;
        if ((c->chunk.other[w] >> sh | (c->chunk.other[w + 1] << 1) << (63 - sh)) & in)
            return R_MORE;
        dm = (c->chunk.delim[w] >> sh | (c->chunk.delim[w + 1] << 1) << (63 - sh)) & in;
    }
    rec = c->buf + c->pos;
    fs = 0;
    for (i = 0; i + 1 < ncols; i++) {
        size_t q;
        if (!dm)
            return R_MORE; /* too few fields */
        q = (size_t)__builtin_ctzll(dm);
        dm &= dm - 1;
        if (i < need) {
            fields[i].ptr = (const char *)rec + fs;
            fields[i].len = q - fs;
        }
        fs = q + 1;
    }
    if (dm)
        return R_MORE; /* too many */
    return plain_done(c, fields, rec, len, i < need ? i : need, fs);
}
#endif /* __SSE2__ */

static rec_result parse_record_portable(ip_csv *c, int header)
{
    return parse_record_impl(c, header, 0);
}

#ifdef __SSE2__
static rec_result parse_record_fast(ip_csv *c, int header)
{
    return parse_record_impl(c, header, 1);
}
#endif

static rec_result parse_record(ip_csv *c, int header)
{
#ifdef __SSE2__
    if (!c->portable)
        return parse_record_fast(c, header);
#endif
    return parse_record_portable(c, header);
}

/* ---- reading ---------------------------------------------------------- */

/* With an asynchronous tap: moves the partial record buf[pos, end) to the
 * front of the least recently used buffer, grown when the record fills this
 * one, and makes that one current. The tap may still be reading this buffer,
 * so nothing in it is touched; the other one it has finished with (wait). */
static void switch_buffer(ip_csv *c)
{
    size_t keep = c->end - c->pos, i;
    size_t cap = keep < c->cap ? c->cap : (c->cap * 2 < MAX_CAP ? c->cap * 2 : MAX_CAP);
    struct spare next = c->spare[0];
    c->tap.wait(c->tap.ctx, next.fed);
    if (next.cap < cap) {
        free(next.buf);
        next.buf = ip_xcalloc(1, cap + PAD);
        next.cap = cap;
    }
    memcpy(next.buf, c->buf + c->pos, keep);
    for (i = 0; i + 1 < RING - 1; i++)
        c->spare[i] = c->spare[i + 1];
    c->spare[RING - 2].buf = c->buf;
    c->spare[RING - 2].cap = c->cap;
    c->spare[RING - 2].fed = c->buf_fed;
    c->buf = next.buf;
    c->cap = next.cap;
    c->buf_fed = next.fed;
    c->pos = 0;
    c->end = keep;
}

/* Makes room and reads more bytes after end, keeping buf[pos, end). */
static ip_err fill(ip_csv *c)
{
    size_t keep = c->end - c->pos, want, got;
    if (keep >= MAX_CAP) {
        fail(c, c->line, "expected a record of at most %u bytes, found a longer one",
             IP_CSV_MAX_RECORD);
        return IP_ERR_DATA;
    }
    c->win = NULL;
#ifdef __SSE2__
    c->chunk.words = 0;
#endif
    if (c->tap.wait) {
        /* Bytes after end were never fed: reading on into this buffer is
         * safe; anything else needs the other one. */
        if (c->pos || c->end == c->cap)
            switch_buffer(c);
    } else {
        if (c->pos) {
            memmove(c->buf, c->buf + c->pos, keep);
            c->pos = 0;
            c->end = keep;
        }
        if (c->end == c->cap) {
            size_t cap = c->cap * 2 < MAX_CAP ? c->cap * 2 : MAX_CAP;
            c->buf = ip_xrealloc(c->buf, cap + PAD);
            memset(c->buf + c->end, 0, cap + PAD - c->end);
            c->cap = cap;
        }
    }
    want = c->cap - c->end;
    if (c->read_max && want > c->read_max)
        want = c->read_max;
    if (c->fd >= 0) {
        ssize_t n;
        do
            n = read(c->fd, c->buf + c->end, want);
        while (n < 0 && errno == EINTR);
        if (n < 0) {
            ip_diag_set(&c->diag, IP_ERR_IO, c->name, 0, "cannot read: %s", strerror(errno));
            c->err = IP_ERR_IO;
            return IP_ERR_IO;
        }
        got = (size_t)n;
    } else {
        got = c->mem_len - c->mem_off < want ? c->mem_len - c->mem_off : want;
        memcpy(c->buf + c->end, c->mem + c->mem_off, got);
        c->mem_off += got;
    }
    if (got == 0) {
        c->eof = 1;
        if (c->fd >= 0) {
            ip_err e = ip_files_stamp_check(c->fd, &c->stamp, c->bytes, c->name, &c->diag);
            if (e) {
                c->err = e;
                return e;
            }
        }
    } else {
        c->bytes += got;
        if (c->tap.feed) {
            c->tap.feed(c->tap.ctx, c->buf + c->end, got);
            c->buf_fed = ++c->fed;
        }
    }
    c->end += got;
    c->buf[c->end] = '\n';
    return IP_OK;
}

/* Chooses the delimiter from the line at pos: the one of ';', ',' and TAB
 * that occurs most outside quotes, ';' then ',' winning ties. Returns 1 when
 * more of the line must be read first. */
static int detect_delimiter(ip_csv *c)
{
    const unsigned char *start = c->buf + c->pos, *end = c->buf + c->end, *p;
    size_t semi = 0, comma = 0, tab = 0;
    int inq = 0;
    for (p = start; p < end && (size_t)(p - start) < MAX_CAP; p++) {
        if (*p == '"')
            inq = !inq;
        else if (inq)
            continue;
        else if (*p == '\n')
            break;
        else if (*p == ';')
            semi++;
        else if (*p == ',')
            comma++;
        else if (*p == '\t')
            tab++;
    }
    if (p == end && !c->eof && (size_t)(p - start) < MAX_CAP)
        return 1;
    c->delim = semi >= comma && semi >= tab ? ';' : comma >= tab ? ',' : '\t';
    return 0;
}

static void set_classes(ip_csv *c)
{
    ip_csv_classes(c->cls, c->qcls, c->delim);
    c->win = NULL; /* its mask was made for the old delimiter */
#ifdef __SSE2__
    c->chunk.words = 0;
#endif
}

/* Copies the header record's names, trimmed, out of the buffer. */
static void keep_header(ip_csv *c)
{
    size_t i, total = 0, o = 0;
    for (i = 0; i < c->ncols; i++)
        total += c->fields[i].len + 1;
    c->hdr_text = ip_xmalloc(total ? total : 1);
    c->hdr = ip_xcalloc(c->ncols ? c->ncols : 1, sizeof *c->hdr);
    for (i = 0; i < c->ncols; i++) {
        const char *s = c->fields[i].ptr;
        size_t n = c->fields[i].len;
        ip_trim(&s, &n);
        memcpy(c->hdr_text + o, s, n);
        c->hdr_text[o + n] = '\0';
        c->hdr[i].ptr = c->hdr_text + o;
        c->hdr[i].len = n;
        o += n + 1;
    }
}

/* Reads the byte-order mark and the header. */
static ip_err read_header(ip_csv *c)
{
    ip_err e;
    rec_result r;
    while (c->end < 3 && !c->eof)
        if ((e = fill(c)))
            return e;
    if (c->end >= 3 && memcmp(c->buf, "\xEF\xBB\xBF", 3) == 0) {
        c->pos = 3;
    } else if (c->end >= 2 && (memcmp(c->buf, "\xFF\xFE", 2) == 0 ||
                               memcmp(c->buf, "\xFE\xFF", 2) == 0)) {
        fail(c, 1, "expected UTF-8 text, found a UTF-16 byte-order mark (save the file as "
                   "UTF-8)");
        return IP_ERR_DATA;
    }
    for (;;) {
        r = skip_blank(c);
        if (r == R_REC) {
            if (detect_delimiter(c)) {
                r = R_MORE;
            } else {
                set_classes(c);
                r = parse_record(c, 1);
            }
        }
        switch (r) {
        case R_REC:
            c->hdr_line = c->rec_line;
            keep_header(c);
            c->need = c->ncols;
            return IP_OK;
        case R_SKIP:
            continue;
        case R_MORE:
            if ((e = fill(c)))
                return e;
            continue;
        case R_EOF:
            fail(c, 0, "expected a header line, found an empty file");
            return IP_ERR_DATA;
        case R_ERR:
            return c->err;
        }
    }
}

static ip_csv *reader_new(const char *name, const ip_csv_opts *o)
{
    static const ip_csv_opts defaults;
    ip_csv *c = ip_xcalloc(1, sizeof *c);
    if (!o)
        o = &defaults;
    c->fd = -1;
    if (o->tap && o->tap->feed)
        c->tap = *o->tap;
    c->name = ip_xstrdup(name ? name : "");
    c->cap = o->buffer_size ? o->buffer_size : DEFAULT_BUFFER;
    if (c->cap > MAX_CAP)
        c->cap = MAX_CAP;
    c->read_max = o->buffer_size;
    c->buf = ip_xcalloc(1, c->cap + PAD);
    c->buf[0] = '\n';
    c->line = 1;
    c->delim = ';';
    c->scan = ip_csv_scan_choose(o->scan);
    c->portable = c->scan == IP_CSV_SCAN_PORTABLE;
    return c;
}

/* Finishes opening: reads the header, or frees c and reports why not. */
static ip_err open_finish(ip_csv *c, ip_csv **out, ip_diag *d)
{
    ip_err e = read_header(c);
    if (e) {
        if (d)
            *d = c->diag;
        ip_csv_free(c);
        *out = NULL;
        return e;
    }
    *out = c;
    return IP_OK;
}

ip_err ip_csv_open(const char *path, const char *name, ip_csv **out, ip_diag *d)
{
    return ip_csv_open_ex(path, name, NULL, out, d);
}

ip_err ip_csv_open_ex(const char *path, const char *name, const ip_csv_opts *o, ip_csv **out,
                      ip_diag *d)
{
    ip_csv *c;
    int fd;
    ip_err e;
    *out = NULL;
    if (!name)
        name = path;
    /* a regular file only: a named pipe or a device is refused at once */
    if ((e = ip_files_open(path, name, IP_FILES_FOLLOW, &fd, d)))
        return e;
#ifdef POSIX_FADV_SEQUENTIAL
    (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    c = reader_new(name, o);
    c->fd = fd;
    ip_files_stamp_take(fd, &c->stamp);
    return open_finish(c, out, d);
}

ip_err ip_csv_open_mem(const char *data, size_t len, const char *name, ip_csv **out,
                       ip_diag *d)
{
    return ip_csv_open_mem_ex(data, len, name, NULL, out, d);
}

ip_err ip_csv_open_mem_ex(const char *data, size_t len, const char *name, const ip_csv_opts *o,
                          ip_csv **out, ip_diag *d)
{
    ip_csv *c = reader_new(name, o);
    c->mem = data;
    c->mem_len = data ? len : 0;
    return open_finish(c, out, d);
}

void ip_csv_free(ip_csv *c)
{
    size_t i;
    if (!c)
        return;
    if (c->tap.wait)
        c->tap.wait(c->tap.ctx, c->fed); /* it may still read the buffers */
    if (c->fd >= 0)
        close(c->fd);
    free(c->buf);
    for (i = 0; i < RING - 1; i++)
        free(c->spare[i].buf);
    free(c->unesc);
    free(c->fields);
    free(c->bfields);
    free(c->esc);
    free(c->hdr);
    free(c->hdr_text);
    free(c->name);
    free(c);
}

ip_err ip_csv_next(ip_csv *c, const ip_field **fields, int *eof, ip_diag *d)
{
    *eof = 0;
    *fields = NULL;
    for (;;) {
        rec_result r;
        if (c->err)
            break;
        if (c->done) {
            *eof = 1;
            return IP_OK;
        }
#ifdef __SSE2__
        if (!c->portable) {
            r = next_plain(c, c->fields);
            if (r == R_REC) {
                c->records++;
                *fields = c->fields;
                return IP_OK;
            }
        }
#endif
        r = parse_record(c, 0);
        if (r == R_REC) {
            c->records++;
            *fields = c->fields;
            return IP_OK;
        }
        if (r == R_EOF) {
            c->done = 1;
            *eof = 1;
            return IP_OK;
        }
        if (r == R_MORE && fill(c))
            break;
        /* R_SKIP, R_MORE: go on; R_ERR: c->err is set */
    }
    if (d)
        *d = c->diag;
    return c->err;
}

ip_err ip_csv_next_batch(ip_csv *c, ip_csv_batch *b, int *eof, ip_diag *d)
{
    const ip_field *f;
    ip_err e;
    b->n = 0;
    b->fields = NULL;
    b->stride = c->ncols;
    b->line = c->line;
#ifdef __SSE2__
    if (!c->portable && !c->err && !c->done) {
        const size_t stride = c->need;
        /* at most 64 KiB of fields however wide the file */
        size_t n = 0, max = stride <= 16 ? IP_CSV_BATCH : 4096 / stride + 1;
        ip_field *out;
        if (c->bcap < max * stride) {
            free(c->bfields);
            c->bcap = max * stride;
            c->bfields = ip_xcalloc(c->bcap, sizeof *c->bfields);
        }
        out = c->bfields;
        while (n < max && next_plain(c, out) == R_REC) {
            n++;
            out += stride;
        }
        if (n) {
            *eof = 0;
            c->records += n;
            b->fields = c->bfields;
            b->stride = stride;
            b->n = n;
            return IP_OK;
        }
    }
#endif
    e = ip_csv_next(c, &f, eof, d);
    if (e || *eof)
        return e;
    b->fields = f;
    b->n = 1;
    b->line = c->rec_line;
    return IP_OK;
}

/* ---- accessors and columns -------------------------------------------- */

char ip_csv_delimiter(const ip_csv *c)
{
    return c->delim;
}

size_t ip_csv_ncols(const ip_csv *c)
{
    return c->ncols;
}

ip_field ip_csv_header(const ip_csv *c, size_t i)
{
    ip_field none = {"", 0};
    return i < c->ncols ? c->hdr[i] : none;
}

long ip_csv_line(const ip_csv *c)
{
    return c->rec_line;
}

uint64_t ip_csv_records(const ip_csv *c)
{
    return c->records;
}

const char *ip_csv_name(const ip_csv *c)
{
    return c->name;
}

uint64_t ip_csv_bytes(const ip_csv *c)
{
    return c->bytes;
}

void ip_csv_select(ip_csv *c, const long *cols, size_t n)
{
    size_t i, need = 0;
    for (i = 0; i < n; i++)
        if (cols[i] >= 0 && (size_t)cols[i] < c->ncols && (size_t)cols[i] + 1 > need)
            need = (size_t)cols[i] + 1;
    c->need = n ? need : c->ncols;
}

/* Whether header name h (trimmed) equals name, ignoring case and surrounding
 * spaces of name. */
static int name_eq(ip_field h, const char *name)
{
    const char *ns = name;
    size_t nn = strlen(name);
    ip_trim(&ns, &nn);
    return ip_utf8_caseeq(h.ptr, h.len, ns, nn);
}

long ip_csv_find(const ip_csv *c, const char *name)
{
    size_t i;
    for (i = 0; i < c->ncols; i++)
        if (name_eq(c->hdr[i], name))
            return (long)i;
    return -1;
}

ip_err ip_csv_column(const ip_csv *c, const char *name, int required, long *idx, ip_diag *d)
{
    size_t i, count = 0;
    long second = -1;
    char q[200];
    *idx = -1;
    for (i = 0; i < c->ncols; i++) {
        if (!name_eq(c->hdr[i], name))
            continue;
        if (count++ == 0)
            *idx = (long)i;
        else if (second < 0)
            second = (long)i;
    }
    if (count > 1)
        return ip_diag_set(d, IP_ERR_DATA, c->name, c->hdr_line,
                           "expected one column named '%s', found %zu (columns %ld and %ld)",
                           ip_quote(name, strlen(name), q, sizeof q), count, *idx + 1,
                           second + 1);
    if (count == 0 && required) {
        ip_buf b;
        ip_err e;
        ip_buf_init(&b);
        for (i = 0; i < c->ncols && b.len < 400; i++)
            ip_buf_addf(&b, "%s'%s'", i ? ", " : "",
                        ip_quote(c->hdr[i].ptr, c->hdr[i].len, q, sizeof q));
        if (i < c->ncols)
            ip_buf_addf(&b, " and %zu more", c->ncols - i);
        e = ip_diag_set(d, IP_ERR_DATA, c->name, c->hdr_line,
                        "expected a column named '%s' in the header, found %s",
                        ip_quote(name, strlen(name), q, sizeof q), b.buf);
        ip_buf_release(&b);
        return e;
    }
    return IP_OK;
}
