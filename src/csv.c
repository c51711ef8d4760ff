/*
 * csv.c — the streaming CSV reader behind every statistics file (SPEC 2).
 *
 * Layout. One buffer, reused for the whole file: buf[pos, end) holds bytes
 * read but not yet consumed, buf[end] is always '\n' (a sentinel, so scans
 * stop there without a bounds check) and PAD more bytes follow so that the
 * SSE2 scanner may load 64 bytes from any position <= end. When a record
 * runs past end, fill() moves the partial record to the front, grows the
 * buffer if that record alone fills it (never beyond one maximal record) and
 * read()s more; the record is then parsed again from its start. So memory is
 * bounded by the longest record, not by the file.
 *
 * Parsing a record is two passes over its bytes. parse_record() finds the
 * field boundaries, validates UTF-8 and rejects NUL bytes, stray quotes and
 * lone CRs, counting physical lines; it only reads the buffer, so it can be
 * restarted when it runs out of data. Once the whole record is in view,
 * quoted fields that contain "" are unescaped in place (the only write).
 *
 * Speed. A data row is mostly bytes that need no attention. The fast scanner
 * turns 64 bytes at a time into a bit mask of the bytes that do (the
 * delimiter, '"', anything below 0x20, and bytes above 0x7F unless the whole
 * window is ASCII plus valid two-byte UTF-8, as Swedish text mostly is) and
 * steps from set bit to set bit. parse_plain_fast() takes the ordinary record
 * (no quotes, the right number of fields, LF or CRLF) straight off the masks;
 * any other record goes to parse_record_impl(), which knows every rule and
 * every message and uses the same masks or, in the portable mode, a class
 * table byte by byte. The byte-level decisions are one code, so the modes
 * give the same fields and the same errors; the tests and the fuzzer compare
 * them on every input.
 *
 * On 10 million call rows (555 MB) this reads about 1.2 GB/s on a 2-core VM
 * where the mmap-based reference agg_c (no quotes, no validation) does 1.4.
 */
#include "csv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "util.h"

#if defined(__GNUC__) || defined(__clang__)
#define IP_INLINE static inline __attribute__((always_inline))
#else
#define IP_INLINE static inline
#endif

#define DEFAULT_BUFFER (256u * 1024u)
/* A record of IP_CSV_MAX_RECORD bytes plus its CRLF fits exactly. */
#define MAX_CAP ((size_t)IP_CSV_MAX_RECORD + 2)
/* After buf[end]: the sentinel and room for one 64-byte load from end. */
#define PAD 80
/* Bytes of field text shown in a message (ip_quote shows at most 40). */
#define MSG_TEXT 48

/* What a byte means to the scanner. */
enum {
    K_DATA = 0, /* part of a field */
    K_DELIM,    /* the delimiter */
    K_LF,       /* '\n' (also the sentinel at buf[end]) */
    K_CR,       /* '\r' */
    K_QUOTE,    /* '"' */
    K_NUL,      /* a NUL byte */
    K_HIGH      /* >= 0x80: the start of a UTF-8 sequence, or an invalid byte */
};

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

    /* the buffer */
    unsigned char *buf; /* cap + PAD bytes */
    size_t cap;         /* room for data */
    size_t end;         /* bytes of data; buf[end] == '\n' */
    size_t pos;         /* where the next record (or blank line) starts */

    /* scanning */
    char delim;              /* ';', ',' or '\t' */
    int portable;            /* use the byte-by-byte scanner */
    unsigned char cls[256];  /* class of each byte outside quotes */
    unsigned char qcls[256]; /* class of each byte inside quotes */
    const unsigned char *win; /* the fast scanner's window (NULL after a fill) */
    uint64_t wmask;           /* its mask */

    /* records */
    long line;         /* physical line at buf[pos] */
    long rec_line;     /* first line of the current record */
    uint64_t records;  /* data records returned */
    ip_field *fields;  /* the current record's fields */
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

static int g_portable;      /* ip_csv_set_portable() */
static size_t g_buffer_size; /* ip_csv_set_buffer_size() */

void ip_csv_set_portable(int on)
{
    g_portable = on;
}

void ip_csv_set_buffer_size(size_t bytes)
{
    g_buffer_size = bytes;
}

int ip_csv_is_portable(const ip_csv *c)
{
    return c->portable;
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

static int is_cont(unsigned char b)
{
    return (b & 0xC0) == 0x80;
}

/* Checks the UTF-8 sequence at p (p[0] >= 0x80) with avail bytes in view.
 * Returns its length, -1 when more bytes must be read to decide, or 0 when it
 * is invalid; then *latin1 tells whether the byte reads as Latin-1 or
 * Windows-1252 text rather than as broken UTF-8 (a lone byte: a lead byte not
 * followed by a continuation byte, or a continuation byte with no lead). */
static int utf8_check(const unsigned char *p, size_t avail, int eof, int *latin1)
{
    unsigned b = p[0], need, i;
    if (b >= 0xC2 && b <= 0xDF)
        need = 2;
    else if (b >= 0xE0 && b <= 0xEF)
        need = 3;
    else if (b >= 0xF0 && b <= 0xF4)
        need = 4;
    else
        need = 0;
    for (i = 1; i < need; i++) {
        unsigned n;
        if (i >= avail)
            return eof ? (*latin1 = (i == 1), 0) : -1;
        n = p[i];
        if (!is_cont((unsigned char)n) || (i == 1 && ((b == 0xE0 && n < 0xA0) ||
                                                   (b == 0xED && n > 0x9F) ||
                                                   (b == 0xF0 && n < 0x90) ||
                                                   (b == 0xF4 && n > 0x8F)))) {
            *latin1 = i == 1 && !is_cont((unsigned char)n);
            return 0;
        }
    }
    if (need)
        return (int)need;
    /* 0x80-0xC1, 0xF5-0xFF: never valid. */
    if (b < 0xC0) {
        /* A continuation byte on its own: Latin-1 symbols (A0-BF) or
         * Windows-1252 punctuation (80-9F, five codes unassigned). */
        *latin1 = b != 0x81 && b != 0x8D && b != 0x8F && b != 0x90 && b != 0x9D;
        return 0;
    }
    if (avail < 2 && !eof)
        return -1;
    *latin1 = avail < 2 || !is_cont(p[1]);
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

/* ---- scanning --------------------------------------------------------- */

#ifdef __SSE2__
/* Bit i set when p[i] needs attention: the delimiter, '"', a byte below 0x20
 * (LF, CR, NUL, other controls) or above 0x7F (signed compare: negative).
 *
 * Swedish text is mostly ASCII with two-byte letters (å = C3 A5). When every
 * byte above 0x7F in the window belongs to a lead byte C2-DF directly followed
 * by a continuation byte 80-BF, all of them inside the window, those are
 * valid UTF-8 and their bits are cleared; otherwise (three- and four-byte
 * characters, invalid bytes, a character cut by the window's end, junk after
 * the sentinel) every such byte stays flagged for the scalar validator. A
 * window never starts inside a character: it starts where the scanner
 * resumes, after a character it validated or after a window with no lead byte
 * in its last position. */
IP_INLINE uint64_t mask64(const unsigned char *p, __m128i vdelim)
{
    const __m128i vquote = _mm_set1_epi8('"'), vspace = _mm_set1_epi8(0x20);
    __m128i v[4];
    uint64_t m = 0, hi = 0;
    int i;
    for (i = 0; i < 4; i++) {
        __m128i x;
        v[i] = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i));
        x = _mm_or_si128(_mm_cmplt_epi8(v[i], vspace),
                         _mm_or_si128(_mm_cmpeq_epi8(v[i], vdelim), _mm_cmpeq_epi8(v[i], vquote)));
        m |= (uint64_t)(uint32_t)_mm_movemask_epi8(x) << (16 * i);
        hi |= (uint64_t)(uint32_t)_mm_movemask_epi8(v[i]) << (16 * i);
    }
    if (hi) {
        const __m128i c0 = _mm_set1_epi8(-64), c2 = _mm_set1_epi8(-63), e0 = _mm_set1_epi8(-32);
        uint64_t cont = 0, lead = 0;
        for (i = 0; i < 4; i++) {
            __m128i l = _mm_and_si128(_mm_cmpgt_epi8(v[i], c2), _mm_cmplt_epi8(v[i], e0));
            cont |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmplt_epi8(v[i], c0)) << (16 * i);
            lead |= (uint64_t)(uint32_t)_mm_movemask_epi8(l) << (16 * i);
        }
        if ((hi & ~(cont | lead)) == 0 && cont == lead << 1 && !(lead >> 63))
            m &= ~hi;
    }
    return m;
}

/* The first byte at or after p that mask64 flags. *win is where the 64-byte
 * window of *wmask starts (NULL: none yet). The sentinel guarantees a stop. */
IP_INLINE const unsigned char *scan_fast(const unsigned char *p, const unsigned char **win,
                                         uint64_t *wmask, __m128i vdelim)
{
    for (;;) {
        uintptr_t off = (uintptr_t)p - (uintptr_t)*win;
        if (off < 64) {
            uint64_t m = *wmask >> off;
            if (m)
                return p + __builtin_ctzll(m);
            p = *win + 64;
        }
        *win = p;
        *wmask = mask64(p, vdelim);
    }
}
#endif

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

/* Removes one quote of each "" pair in a quoted field's text, in place. */
static void unescape(ip_field *f)
{
    char *s = (char *)(uintptr_t)f->ptr, *w, *e = s + f->len;
    char *q = memchr(s, '"', f->len);
    if (!q)
        return;
    w = q + 1;
    s = q + 2;
    while (s < e) {
        char ch = *s++;
        *w++ = ch;
        if (ch == '"')
            s++;
    }
    f->len = (size_t)(w - f->ptr);
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
    size_t nf = 0, nesc = 0, limit = header ? (size_t)-1 : c->ncols, i;
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
                while (qc[*q] == K_DATA)
                    q++;
                switch (qc[*q]) {
                case K_QUOTE:
                    if (q + 1 == end && !eof)
                        return R_MORE;
                    if (q + 1 != end && q[1] == '"') {
                        esc = 1;
                        q += 2;
                        continue;
                    }
                    break;
                case K_LF:
                    if (q == end) {
                        if (!eof)
                            return R_MORE;
                        return fail(c, qline, "expected a closing quote for the field that "
                                              "starts on this line, found the end of the file");
                    }
                    line++;
                    q++;
                    continue;
                case K_NUL:
                    return fail(c, line, "expected text, found a NUL byte");
                default: /* K_HIGH */
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
            case K_DELIM:
                p++;
                continue;
            case K_LF:
                if (p == end && !eof)
                    return R_MORE;
                term = p;
                next = p == end ? p : p + 1;
                goto record_end;
            case K_CR:
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
                q = scan_fast(q, &win, &wmask, vdelim);
            else
#endif
                while (cls[*q] == K_DATA)
                    q++;
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
            case K_DATA: /* a control byte the fast scanner stops at */
                q++;
                continue;
            case K_DELIM:
                store_field(c, nf++, &nesc, limit, p, (size_t)(q - p), 0);
                nonempty |= q > p;
                p = q + 1;
                break;
            case K_LF:
                if (q == end && !eof)
                    return R_MORE;
                store_field(c, nf++, &nesc, limit, p, (size_t)(q - p), 0);
                nonempty |= q > p;
                term = q;
                next = q == end ? q : q + 1;
                goto record_end;
            case K_CR:
                if (q + 1 == end && !eof)
                    return R_MORE;
                if (q + 1 != end && q[1] != '\n')
                    return fail(c, line, "expected LF or CRLF line ends, found a lone CR");
                store_field(c, nf++, &nesc, limit, p, (size_t)(q - p), 0);
                nonempty |= q > p;
                term = q;
                next = q + 1 == end ? q + 1 : q + 2;
                goto record_end;
            case K_QUOTE:
                if ((len = msg_text_len(c, p)) < 0)
                    return R_MORE;
                {
                    char qb[200];
                    return fail(c, line, "expected no quote inside an unquoted field, found '%s'",
                                ip_quote((const char *)p, (size_t)len, qb, sizeof qb));
                }
            case K_NUL:
                return fail(c, line, "expected text, found a NUL byte");
            default: /* K_HIGH */
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
    for (i = 0; i < nesc; i++)
        unescape(&c->fields[c->esc[i]]);
    c->ncols = header ? nf : c->ncols;
    return R_REC;
}

#ifdef __SSE2__
/* The common case, fast: a record without quotes whose bytes need no
 * attention except delimiters and its LF or CRLF, with exactly ncols fields.
 * It walks the set bits of the scanner's masks and only reads; on anything
 * else (a quote, a byte the window could not vouch for as UTF-8, a control
 * byte, the end of the data, a blank or malformed record) it returns R_MORE
 * and the caller parses the record again with parse_record_impl(), which
 * knows every rule and every message. */
static rec_result parse_plain_fast(ip_csv *c)
{
    const unsigned char *const buf = c->buf;
    const unsigned char *const end = buf + c->end;
    const unsigned char delim = (unsigned char)c->delim;
    const __m128i vdelim = _mm_set1_epi8(c->delim);
    const unsigned char *p = buf + c->pos, *fs = p, *base, *q, *next;
    ip_field *const fields = c->fields;
    const size_t ncols = c->ncols;
    size_t nf = 0;
    uintptr_t off = (uintptr_t)p - (uintptr_t)c->win;
    uint64_t m;

    if (*p == '"' || *p == '\n' || *p == '\r' || p == end)
        return R_MORE;
    if (off < 64) {
        base = c->win;
        m = c->wmask & (~(uint64_t)0 << off);
    } else {
        base = p;
        m = mask64(p, vdelim);
    }
    for (;;) {
        while (!m) {
            base += 64;
            m = mask64(base, vdelim);
        }
        q = base + __builtin_ctzll(m);
        m &= m - 1;
        if (*q == delim) {
            if (nf >= ncols || q[1] == '"')
                return R_MORE;
            fields[nf].ptr = (const char *)fs;
            fields[nf].len = (size_t)(q - fs);
            nf++;
            fs = q + 1;
            continue;
        }
        if (q == end)
            return R_MORE;
        if (*q == '\n')
            next = q + 1;
        else if (*q == '\r' && q + 1 != end && q[1] == '\n')
            next = q + 2;
        else
            return R_MORE;
        break;
    }
    /* the last field; then reject what the general parser must report */
    if (nf + 1 != ncols || (size_t)(q - (buf + c->pos)) > IP_CSV_MAX_RECORD ||
        (size_t)(q - (buf + c->pos)) == nf)
        return R_MORE; /* wrong count, too long, or all fields empty */
    fields[nf].ptr = (const char *)fs;
    fields[nf].len = (size_t)(q - fs);
    c->rec_line = c->line;
    c->line++;
    c->pos = (size_t)(next - buf);
    c->win = base;
    c->wmask = m;
    return R_REC;
}
#endif

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

/* Makes room and reads more bytes after end, keeping buf[pos, end). */
static ip_err fill(ip_csv *c)
{
    size_t keep = c->end - c->pos, want, got;
    if (keep >= MAX_CAP) {
        fail(c, c->line, "expected a record of at most %u bytes, found a longer one",
             IP_CSV_MAX_RECORD);
        return IP_ERR_DATA;
    }
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
        c->win = NULL;
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
    if (got == 0)
        c->eof = 1;
    c->end += got;
    c->buf[c->end] = '\n';
    c->win = NULL;
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
    int i;
    memset(c->cls, K_DATA, sizeof c->cls);
    for (i = 0x80; i < 0x100; i++)
        c->cls[i] = K_HIGH;
    c->cls[0] = K_NUL;
    c->cls['"'] = K_QUOTE;
    memcpy(c->qcls, c->cls, sizeof c->qcls);
    c->qcls['\n'] = K_LF;
    c->cls['\n'] = K_LF;
    c->cls['\r'] = K_CR;
    c->cls[(unsigned char)c->delim] = K_DELIM;
    c->win = NULL; /* its mask was made for the old delimiter */
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

static ip_csv *reader_new(const char *name)
{
    ip_csv *c = ip_xcalloc(1, sizeof *c);
    const char *env = getenv("IP_CSV_PORTABLE");
    c->fd = -1;
    c->name = ip_xstrdup(name ? name : "");
    c->cap = g_buffer_size ? g_buffer_size : DEFAULT_BUFFER;
    if (c->cap > MAX_CAP)
        c->cap = MAX_CAP;
    c->read_max = g_buffer_size;
    c->buf = ip_xcalloc(1, c->cap + PAD);
    c->buf[0] = '\n';
    c->line = 1;
    c->delim = ';';
#ifdef __SSE2__
    c->portable = g_portable || (env && strcmp(env, "1") == 0);
#else
    (void)env;
    c->portable = 1;
#endif
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
    struct stat st;
    ip_csv *c;
    int fd;
    *out = NULL;
    if (!name)
        name = path;
    do
        fd = open(path, O_RDONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return ip_diag_set(d, IP_ERR_NOINPUT, name, 0, "cannot open: %s", strerror(errno));
    if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        int err = S_ISDIR(st.st_mode) ? EISDIR : errno;
        close(fd);
        return ip_diag_set(d, IP_ERR_NOINPUT, name, 0, "cannot open: %s", strerror(err));
    }
#ifdef POSIX_FADV_SEQUENTIAL
    (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    c = reader_new(name);
    c->fd = fd;
    return open_finish(c, out, d);
}

ip_err ip_csv_open_mem(const char *data, size_t len, const char *name, ip_csv **out,
                       ip_diag *d)
{
    ip_csv *c = reader_new(name);
    c->mem = data;
    c->mem_len = data ? len : 0;
    return open_finish(c, out, d);
}

void ip_csv_free(ip_csv *c)
{
    if (!c)
        return;
    if (c->fd >= 0)
        close(c->fd);
    free(c->buf);
    free(c->fields);
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
        if (!c->portable && parse_plain_fast(c) == R_REC) {
            c->records++;
            *fields = c->fields;
            return IP_OK;
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

/* Next character of a column name for comparing without case: ASCII letters
 * and the Latin-1 letters À-Þ (UTF-8 C3 80-9E, so Å Ä Ö) fold to lower case. */
static unsigned fold_next(const unsigned char **s, const unsigned char *e)
{
    unsigned ch = *(*s)++;
    if (ch >= 'A' && ch <= 'Z')
        return ch + ('a' - 'A');
    if (ch == 0xC3 && *s < e && is_cont(**s)) {
        unsigned n = *(*s)++;
        if (n <= 0x9E && n != 0x97)
            n += 0x20;
        return 0x100 | n;
    }
    return ch;
}

/* Whether header name h (trimmed) equals name, ignoring case and surrounding
 * spaces of name. */
static int name_eq(ip_field h, const char *name)
{
    const char *ns = name;
    size_t nn = strlen(name);
    const unsigned char *a, *ae, *b, *be;
    ip_trim(&ns, &nn);
    a = (const unsigned char *)h.ptr, ae = a + h.len;
    b = (const unsigned char *)ns, be = b + nn;
    while (a < ae && b < be)
        if (fold_next(&a, ae) != fold_next(&b, be))
            return 0;
    return a == ae && b == be;
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
