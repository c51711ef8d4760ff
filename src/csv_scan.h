/*
 * csv_scan.h — the CSV reader's structural-character scanners, shared by
 * src/csv.c (the record logic) and src/csv_scan.c (the scanners). Private:
 * it lives beside them in src/, not in include/, because nothing outside
 * the reader may depend on the masks' layout or on the buffer padding, and
 * the SIMD intrinsics stay out of the public headers.
 *
 * A scanner finds the bytes of a buffer that the record logic must look at
 * (delimiters, quotes, line ends, control bytes, bytes that start a UTF-8
 * sequence); everything else it passes over. Three of them, chosen per
 * reader (ip_csv_opts.scan):
 * - portable: a class table (ip_csv_classes), byte by byte;
 * - SSE2: a 64-byte window mask (ip_csv_window_next) for the general
 *   parser, and the plain-record masks of a 4 KiB chunk (ip_csv_chunk_build)
 *   for the reader's fast path;
 * - AVX2: the same chunk masks built with 32-byte vectors, chosen at run time
 *   when the CPU has AVX2, BMI1/2 and POPCNT.
 * Every scanner flags a superset of the bytes that matter, never fewer, so the
 * record logic gives the same fields and errors whichever is used.
 *
 * The buffer contract: the bytes buf[pos, end) are data, buf[end] is '\n'
 * (a sentinel that stops every scan) and IP_CSV_SCAN_PAD more bytes follow,
 * so that a scanner may load 64 bytes, and look at one byte after them, from
 * any position <= end.
 */
#ifndef IP_CSV_SCAN_H
#define IP_CSV_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "csv.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#if defined(__GNUC__) || defined(__clang__)
#define IP_INLINE static inline __attribute__((always_inline))
#else
#define IP_INLINE static inline
#endif

/* Bytes after buf[end]: the sentinel and room for one 64-byte load from end
 * plus the byte after it. */
#define IP_CSV_SCAN_PAD 80

/* The plain-record chunk covers this many 64-byte windows (4 KiB of text,
 * 1.5 KiB of masks: both stay in L1). */
#define IP_CSV_CHUNK_WORDS 64

/* The scanner a new reader uses for asked: AUTO (and, in the test build, the
 * environment's IP_CSV_SCAN / IP_CSV_PORTABLE when asked is AUTO) becomes the
 * best the CPU has; AVX2 on a CPU without it is SSE2; without SSE2 it is
 * always PORTABLE. Never returns AUTO. */
ip_csv_scan ip_csv_scan_choose(ip_csv_scan asked);

/* What a byte means to the portable scanner and to the record logic. */
enum {
    IP_CSV_K_DATA = 0, /* part of a field */
    IP_CSV_K_DELIM,    /* the delimiter */
    IP_CSV_K_LF,       /* '\n' (also the sentinel at buf[end]) */
    IP_CSV_K_CR,       /* '\r' */
    IP_CSV_K_QUOTE,    /* '"' */
    IP_CSV_K_NUL,      /* a NUL byte */
    IP_CSV_K_HIGH      /* >= 0x80: the start of a UTF-8 sequence, or an invalid byte */
};

/* Fills the class of each byte outside quotes (cls) and inside quotes (qcls,
 * where only '"', LF, NUL and bytes >= 0x80 stop) for delimiter delim. */
void ip_csv_classes(unsigned char cls[256], unsigned char qcls[256], char delim);

/* The portable scanner: the first byte at or after p whose class is not
 * IP_CSV_K_DATA. The sentinel guarantees a stop. */
IP_INLINE const unsigned char *ip_csv_skip_portable(const unsigned char *p,
                                                    const unsigned char *cls)
{
    while (cls[*p] == IP_CSV_K_DATA)
        p++;
    return p;
}

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
IP_INLINE uint64_t ip_csv_mask64(const unsigned char *p, __m128i vdelim)
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

/* The SSE2 window scanner: the first byte at or after p that ip_csv_mask64
 * flags. *win is where the 64-byte window of *wmask starts (NULL: none yet,
 * and after the buffer or the delimiter changed). The sentinel guarantees a
 * stop. A flagged byte may still be plain data (a control byte other than
 * CR, LF and NUL): the caller steps over it. */
IP_INLINE const unsigned char *ip_csv_window_next(const unsigned char *p,
                                                  const unsigned char **win, uint64_t *wmask,
                                                  __m128i vdelim)
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
        *wmask = ip_csv_mask64(p, vdelim);
    }
}

/* The plain-record masks of a chunk: bit i of word k stands for byte
 * base + 64 k + i of the buffer. words 0: none (the masks are invalid once the
 * buffer or the delimiter changes). Word `words` is 0, so that two words can
 * always be read. */
typedef struct ip_csv_chunk {
    size_t base, words;
    uint64_t delim[IP_CSV_CHUNK_WORDS + 1]; /* the delimiter */
    uint64_t lf[IP_CSV_CHUNK_WORDS + 1];    /* LF */
    uint64_t other[IP_CSV_CHUNK_WORDS + 1]; /* anything else the fast path must not pass over */
} ip_csv_chunk;

/* Builds k's masks for the windows from buf[pos] up to and including the
 * one that holds buf[end], the sentinel (at most IP_CSV_CHUNK_WORDS), with
 * scan (IP_CSV_SCAN_AVX2 or IP_CSV_SCAN_SSE2). "other" is every byte the fast
 * path must not pass over: a quote, NUL and other control bytes, a CR not
 * followed by LF, and any byte above 0x7F that is not part of a valid
 * two-byte sequence. */
void ip_csv_chunk_build(ip_csv_chunk *k, ip_csv_scan scan, const unsigned char *buf, size_t pos,
                        size_t end, char delim);
#endif /* __SSE2__ */

#endif /* IP_CSV_SCAN_H */
