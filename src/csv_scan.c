/*
 * csv_scan.c — the CSV reader's scanners (csv_scan.h): which one a reader
 * gets, the portable class table, and the SSE2 and AVX2 builders of the
 * plain-record masks. The record logic that reads these masks is in csv.c;
 * the per-window SSE2 scanner is inline in csv_scan.h because it runs inside
 * the general parser's innermost loop.
 *
 * The chunk builders run once per 4 KiB of text; kept out of line (here,
 * in their own file) they do not burden the reader's per-record code with
 * their registers.
 */
#include "csv_scan.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define IP_HAVE_AVX2_BUILD 1 /* the compiler can build the AVX2 scanner */
#endif

#include "utf8.h"

/* ---- choosing --------------------------------------------------------- */

/* Whether this CPU runs the AVX2 scanner (AVX2, BMI1/2, POPCNT). */
static int cpu_has_avx2(void)
{
#ifdef IP_HAVE_AVX2_BUILD
    static int known = -1;
    if (known < 0) {
        __builtin_cpu_init();
        known = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi") &&
                __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("popcnt");
    }
    return known;
#else
    return 0;
#endif
}

#ifdef IP_TESTING
/* Test hook, in the test build only: the scanner the environment asks for
 * (IP_CSV_PORTABLE=1, IP_CSV_SCAN=portable|sse2|avx2), else AUTO. The
 * shipped program never reads these: every scanner gives the same result, so
 * there is nothing for an operator to choose. */
static ip_csv_scan env_scan(void)
{
    const char *p = getenv("IP_CSV_PORTABLE"), *v = getenv("IP_CSV_SCAN");
    if (p && strcmp(p, "1") == 0)
        return IP_CSV_SCAN_PORTABLE;
    if (v && strcmp(v, "portable") == 0)
        return IP_CSV_SCAN_PORTABLE;
    if (v && strcmp(v, "sse2") == 0)
        return IP_CSV_SCAN_SSE2;
    if (v && strcmp(v, "avx2") == 0)
        return IP_CSV_SCAN_AVX2;
    return IP_CSV_SCAN_AUTO;
}
#else
static ip_csv_scan env_scan(void)
{
    return IP_CSV_SCAN_AUTO;
}
#endif

ip_csv_scan ip_csv_scan_choose(ip_csv_scan asked)
{
    ip_csv_scan s = asked != IP_CSV_SCAN_AUTO ? asked : env_scan();
#ifndef __SSE2__
    (void)s;
    return IP_CSV_SCAN_PORTABLE;
#else
    if (s == IP_CSV_SCAN_AUTO || s == IP_CSV_SCAN_AVX2)
        s = cpu_has_avx2() ? IP_CSV_SCAN_AVX2 : IP_CSV_SCAN_SSE2;
    return s;
#endif
}

/* ---- the portable class table ----------------------------------------- */

void ip_csv_classes(unsigned char cls[256], unsigned char qcls[256], char delim)
{
    int i;
    memset(cls, IP_CSV_K_DATA, 256);
    for (i = 0x80; i < 0x100; i++)
        cls[i] = IP_CSV_K_HIGH;
    cls[0] = IP_CSV_K_NUL;
    cls['"'] = IP_CSV_K_QUOTE;
    memcpy(qcls, cls, 256);
    qcls['\n'] = IP_CSV_K_LF;
    cls['\n'] = IP_CSV_K_LF;
    cls['\r'] = IP_CSV_K_CR;
    cls[(unsigned char)delim] = IP_CSV_K_DELIM;
}

#ifdef __SSE2__
/* ---- the plain-record masks -------------------------------------------
 *
 * Three masks per 64-byte window: the delimiters, the LFs, and "other"
 * (csv_scan.h). The reader's fast path takes a record as the bytes up to its
 * first LF when no "other" bit lies before that LF and it holds ncols - 1
 * delimiters; everything else goes to the general parser. */

/* Bits of the bytes in a window that the fast path must not pass over, from
 * the masks of the window at p: d delimiter, l LF, s below 0x20 or '"' or
 * above 0x7F, hi above 0x7F; cr, lead (C2-DF) and cont (80-BF) are only
 * needed when the window has such bytes (0 otherwise). *prevlead carries
 * whether the previous window ended with a lead byte. A two-byte sequence may
 * straddle two windows: p[64] is the next window's first byte. A high byte is
 * fine when it is a lead byte followed by a continuation byte, or a
 * continuation byte preceded by a lead byte: a run of such bytes can only be
 * valid pairs. */
IP_INLINE uint64_t other_bits(const unsigned char *p, uint64_t d, uint64_t l, uint64_t s,
                              uint64_t hi, uint64_t cr, uint64_t lead, uint64_t cont,
                              uint64_t *prevlead)
{
    uint64_t x = s & ~(l | d | hi);
    x &= ~(cr & ((l >> 1) | ((uint64_t)(p[64] == '\n') << 63)));
    if (hi) {
        uint64_t next = (cont >> 1) | ((uint64_t)ip_utf8_is_cont(p[64]) << 63);
        x |= hi & ~((lead & next) | (cont & ((lead << 1) | *prevlead)));
    }
    *prevlead = lead >> 63;
    return x;
}

/* Number of windows of a chunk at pos: up to and including the one that holds
 * buf[end], the sentinel LF, so a window never starts after end (the loads
 * stay within end + IP_CSV_SCAN_PAD). */
static size_t chunk_windows(size_t pos, size_t end)
{
    size_t nw = (end - pos) / 64 + 1;
    return nw < IP_CSV_CHUNK_WORDS ? nw : IP_CSV_CHUNK_WORDS;
}

static void build_chunk_sse2(ip_csv_chunk *ck, const unsigned char *buf, size_t pos, size_t end,
                             char delim)
{
    const unsigned char *p = buf + pos;
    const __m128i vd = _mm_set1_epi8(delim), vlf = _mm_set1_epi8('\n');
    const __m128i vq = _mm_set1_epi8('"'), vsp = _mm_set1_epi8(0x20), vcr = _mm_set1_epi8('\r');
    const __m128i c0 = _mm_set1_epi8(-64), c2 = _mm_set1_epi8(-63), e0 = _mm_set1_epi8(-32);
    size_t k, nw = chunk_windows(pos, end);
    uint64_t prevlead = 0;
    ck->base = pos;
    for (k = 0; k < nw; k++, p += 64) {
        uint64_t d = 0, l = 0, s = 0, hi = 0, cr = 0, lead = 0, cont = 0;
        __m128i v[4];
        int i;
        for (i = 0; i < 4; i++) {
            v[i] = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i));
            d |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v[i], vd)) << (16 * i);
            l |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v[i], vlf)) << (16 * i);
            s |= (uint64_t)(uint32_t)_mm_movemask_epi8(
                     _mm_or_si128(_mm_cmplt_epi8(v[i], vsp), _mm_cmpeq_epi8(v[i], vq)))
                 << (16 * i);
            hi |= (uint64_t)(uint32_t)_mm_movemask_epi8(v[i]) << (16 * i);
        }
        if (s & ~(l | d | hi))
            for (i = 0; i < 4; i++)
                cr |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v[i], vcr)) << (16 * i);
        if (hi)
            for (i = 0; i < 4; i++) {
                __m128i ld = _mm_and_si128(_mm_cmpgt_epi8(v[i], c2), _mm_cmplt_epi8(v[i], e0));
                lead |= (uint64_t)(uint32_t)_mm_movemask_epi8(ld) << (16 * i);
                cont |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmplt_epi8(v[i], c0)) << (16 * i);
            }
        ck->delim[k] = d;
        ck->lf[k] = l;
        ck->other[k] = other_bits(p, d, l, s, hi, cr, lead, cont, &prevlead);
    }
    ck->delim[nw] = ck->lf[nw] = ck->other[nw] = 0;
    ck->words = nw;
}

#ifdef IP_HAVE_AVX2_BUILD
#define IP_AVX2_TARGET __attribute__((target("avx2,bmi,bmi2,popcnt")))

IP_AVX2_TARGET static inline uint64_t mask_avx2(__m256i a, __m256i b)
{
    return (uint64_t)(uint32_t)_mm256_movemask_epi8(a) |
           (uint64_t)(uint32_t)_mm256_movemask_epi8(b) << 32;
}

IP_AVX2_TARGET static void build_chunk_avx2(ip_csv_chunk *ck, const unsigned char *buf,
                                            size_t pos, size_t end, char delim)
{
    const unsigned char *p = buf + pos;
    const __m256i vd = _mm256_set1_epi8(delim), vlf = _mm256_set1_epi8('\n');
    const __m256i vq = _mm256_set1_epi8('"'), vsp = _mm256_set1_epi8(0x20);
    const __m256i vcr = _mm256_set1_epi8('\r'), c0 = _mm256_set1_epi8(-64);
    const __m256i c2 = _mm256_set1_epi8(-63), e0 = _mm256_set1_epi8(-32);
    size_t k, nw = chunk_windows(pos, end);
    uint64_t prevlead = 0;
    ck->base = pos;
    for (k = 0; k < nw; k++, p += 64) {
        __m256i a = _mm256_loadu_si256((const __m256i *)(const void *)p);
        __m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));
        uint64_t d = mask_avx2(_mm256_cmpeq_epi8(a, vd), _mm256_cmpeq_epi8(b, vd));
        uint64_t l = mask_avx2(_mm256_cmpeq_epi8(a, vlf), _mm256_cmpeq_epi8(b, vlf));
        uint64_t s = mask_avx2(_mm256_or_si256(_mm256_cmpgt_epi8(vsp, a), _mm256_cmpeq_epi8(a, vq)),
                               _mm256_or_si256(_mm256_cmpgt_epi8(vsp, b), _mm256_cmpeq_epi8(b, vq)));
        uint64_t hi = mask_avx2(a, b), cr = 0, lead = 0, cont = 0;
        if (s & ~(l | d | hi))
            cr = mask_avx2(_mm256_cmpeq_epi8(a, vcr), _mm256_cmpeq_epi8(b, vcr));
        if (hi) {
            lead = mask_avx2(_mm256_and_si256(_mm256_cmpgt_epi8(a, c2), _mm256_cmpgt_epi8(e0, a)),
                             _mm256_and_si256(_mm256_cmpgt_epi8(b, c2), _mm256_cmpgt_epi8(e0, b)));
            cont = mask_avx2(_mm256_cmpgt_epi8(c0, a), _mm256_cmpgt_epi8(c0, b));
        }
        ck->delim[k] = d;
        ck->lf[k] = l;
        ck->other[k] = other_bits(p, d, l, s, hi, cr, lead, cont, &prevlead);
    }
    ck->delim[nw] = ck->lf[nw] = ck->other[nw] = 0;
    ck->words = nw;
}
#endif

void ip_csv_chunk_build(ip_csv_chunk *k, ip_csv_scan scan, const unsigned char *buf, size_t pos,
                        size_t end, char delim)
{
#ifdef IP_HAVE_AVX2_BUILD
    if (scan == IP_CSV_SCAN_AVX2) {
        build_chunk_avx2(k, buf, pos, end, delim);
        return;
    }
#else
    (void)scan;
#endif
    build_chunk_sse2(k, buf, pos, end, delim);
}
#endif /* __SSE2__ */
