/*
 * csv.h — the streaming reader for every CSV input (SPEC section 2).
 *
 * Contract of the files: UTF-8 (a leading BOM is skipped), LF or CRLF line
 * ends, delimiter ';', ',' or TAB detected from the header line (the one of
 * the three that occurs most outside quotes; ';' wins ties), RFC 4180 quoting
 * (a quoted field may hold delimiters, "" and line breaks), a required header
 * row. Blank lines are skipped. Every record must have as many fields as the
 * header. Invalid UTF-8, a NUL byte, a stray quote inside an unquoted field, an
 * unterminated quote and a wrong field count are errors with the line number.
 *
 * Details of the contract:
 * - "Blank" lines are skipped: empty lines, and also records whose fields are
 *   all empty whatever their number (";;;" or "" left by Excel below a table).
 *   Such lines before the header are skipped too.
 * - Fields are handed out exactly as written: spaces around a field are kept
 *   (callers trim); a quoted field comes without its quotes and with "" turned
 *   into ". A quote may only open a field and close it: a quote inside an
 *   unquoted field, or anything but a delimiter or line end after a closing
 *   quote, is an error. A quoted field may hold CR and LF; outside quotes a CR
 *   must be followed by LF (a CR that ends the file is a line end).
 * - Line numbers are physical lines (a quoted line break starts a new one);
 *   ip_csv_line() is the line where the record starts, errors name the line
 *   of the offending byte, or where an unterminated quoted field started.
 * - A record is at most IP_CSV_MAX_RECORD bytes, without its line end.
 * - Messages: "expected N fields as in the header, found M", "expected UTF-8
 *   text, found byte 0xE5 (the file looks like Latin-1 / Windows-1252; save it
 *   as UTF-8)", "expected a header line, found an empty file", "cannot open:
 *   <strerror>" and "expected a regular file, found a named pipe" (a file is
 *   opened through files.h, so a pipe or a device never blocks the reader;
 *   IP_ERR_NOINPUT), "cannot read: <strerror>" (IP_ERR_IO).
 * - After an error the reader is done: ip_csv_next() repeats the error.
 *
 * The reader streams: it reads the file in blocks into one buffer that it
 * reuses (four, taking turns, when an asynchronous tap is reading them), so
 * memory does not grow with the number of rows (a single record may be at
 * most IP_CSV_MAX_RECORD bytes). Field pointers are valid only until the
 * next call to ip_csv_next() or ip_csv_free(); whoever keeps a value copies it.
 */
#ifndef IP_CSV_H
#define IP_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define IP_CSV_MAX_RECORD (1u << 20) /* 1 MiB per record */

typedef struct ip_csv ip_csv;

/* One field: bytes [ptr, ptr + len), unquoted and unescaped, not
 * NUL-terminated. */
typedef struct ip_field {
    const char *ptr;
    size_t len;
} ip_field;

/* A tap sees every byte of the file as the reader reads it, so that a caller
 * can digest the file in the same pass (basis.c takes the SHA-256 of every
 * statistics file this way; see digest.h). The reader calls feed() with each
 * block it reads, in file order: together the blocks are the whole file,
 * byte-order mark included, each byte once. The bytes stay in place,
 * unchanged, until the reader calls wait(): a tap may read them on another
 * thread after feed() has returned.
 * - feed(ctx, p, n): the next n bytes of the file (n > 0).
 * - wait(ctx, n): NULL for a tap that is done with the bytes when feed()
 *   returns. Otherwise it returns once the tap no longer reads the bytes of
 *   the first n feeds; the reader calls it before it overwrites or frees
 *   them, and ip_csv_free() waits for every feed.
 * With an asynchronous tap the reader keeps two buffers and alternates
 * between them, so that it parses one block while the tap reads the last. The
 * reader never writes into bytes it has fed (quoted fields with "" are
 * unescaped into a side buffer). The tap has seen the whole file once
 * ip_csv_next() has reported the end; after an error it has seen a prefix. */
typedef struct ip_csv_tap {
    void *ctx;
    void (*feed)(void *ctx, const unsigned char *p, size_t n);
    void (*wait)(void *ctx, uint64_t n);
} ip_csv_tap;

/* The scanners. PORTABLE: a class table, byte by byte; it knows every rule
 * and is the reference the others are tested against. SSE2: 64-byte masks
 * that find delimiters, line ends and bytes needing a closer look (and a
 * plain-record fast path over those masks). AVX2: the same masks built with
 * 32-byte vectors and bit instructions (BMI, POPCNT), chosen at run time when
 * the CPU has them. All give identical results. */
typedef enum ip_csv_scan {
    IP_CSV_SCAN_AUTO = 0, /* the best the CPU has */
    IP_CSV_SCAN_PORTABLE,
    IP_CSV_SCAN_SSE2,
    IP_CSV_SCAN_AVX2 /* SSE2 when the CPU lacks AVX2, BMI2 or POPCNT */
} ip_csv_scan;

/* Options of ip_csv_open_ex() and ip_csv_open_mem_ex(); all zero (or a NULL
 * pointer to them) is the default. Each reader has its own, so two readers
 * in one process may use different scanners and buffers.
 * - scan: the scanner. IP_CSV_SCAN_AUTO is the best the CPU has; in the test
 *   build (IP_TESTING) the environment variable IP_CSV_SCAN=portable|sse2|avx2
 *   or IP_CSV_PORTABLE=1 chooses for AUTO (the shipped program never reads
 *   them: every scanner gives the same result). Without SSE2 the portable
 *   scanner is always used.
 * - buffer_size: the initial buffer size and the most bytes read at a time
 *   (0: the default, 256 KiB per read); tests and the fuzzer use tiny sizes
 *   so that every record straddles a block boundary. The buffer still grows
 *   to hold one record of IP_CSV_MAX_RECORD bytes. */
typedef struct ip_csv_opts {
    const ip_csv_tap *tap; /* NULL: none; the struct is copied, ctx must outlive the reader */
    ip_csv_scan scan;      /* IP_CSV_SCAN_AUTO: the best the CPU has */
    size_t buffer_size;    /* 0: the default */
} ip_csv_opts;

/* Opens path and reads its header. name is what messages call the file
 * (e.g. "cases.csv"); it is copied. Errors: IP_ERR_NOINPUT when the file cannot
 * be opened, IP_ERR_DATA for an empty file or a bad header. */
ip_err ip_csv_open(const char *path, const char *name, ip_csv **out, ip_diag *d);

/* The same over bytes in memory (tests, fuzzing). data must outlive the reader. */
ip_err ip_csv_open_mem(const char *data, size_t len, const char *name, ip_csv **out,
                       ip_diag *d);

/* ip_csv_open() and ip_csv_open_mem() with options (o may be NULL). */
ip_err ip_csv_open_ex(const char *path, const char *name, const ip_csv_opts *o, ip_csv **out,
                      ip_diag *d);
ip_err ip_csv_open_mem_ex(const char *data, size_t len, const char *name, const ip_csv_opts *o,
                          ip_csv **out, ip_diag *d);

/* Frees the reader and closes the file. NULL is allowed. */
void ip_csv_free(ip_csv *c);

/* The detected delimiter: ';', ',' or '\t'. */
char ip_csv_delimiter(const ip_csv *c);

/* Number of header columns, and header i (trimmed). */
size_t ip_csv_ncols(const ip_csv *c);
ip_field ip_csv_header(const ip_csv *c, size_t i);

/* Index of the column called name (case-insensitive, surrounding spaces
 * ignored), -1 when absent. */
long ip_csv_find(const ip_csv *c, const char *name);

/* Like ip_csv_find but an absent column (when required) or a column that
 * appears twice is an error (IP_ERR_DATA, line 1). *idx is -1 when an optional
 * column is absent. */
ip_err ip_csv_column(const ip_csv *c, const char *name, int required, long *idx,
                     ip_diag *d);

/* Reads the next record. On success *fields points at ip_csv_ncols() fields
 * and *eof is 0; at the end of the file *eof is 1. After ip_csv_select() only
 * the fields of the selected columns are guaranteed; the others may hold
 * anything. Every record is checked in full either way (field count, quotes,
 * UTF-8, line ends). */
ip_err ip_csv_next(ip_csv *c, const ip_field **fields, int *eof, ip_diag *d);

/* A run of consecutive records from ip_csv_next_batch(). Record j (j < n)
 * has the fields fields[j * stride, j * stride + stride) and starts on line
 * line + j; its fields are those ip_csv_next() would give (only the selected
 * columns are guaranteed after ip_csv_select()). Valid until the next call
 * to the reader. */
typedef struct ip_csv_batch {
    const ip_field *fields;
    size_t stride; /* fields per record */
    size_t n;      /* records, >= 1 unless at the end or on an error */
    long line;     /* line of record 0 */
} ip_csv_batch;

#define IP_CSV_BATCH 256 /* records in a batch at most */

/* Reads the next records, the same as up to IP_CSV_BATCH calls of
 * ip_csv_next() (same fields, lines, errors, ip_csv_records()): for a caller
 * that goes through millions of rows. A batch is either a run of
 * single-line plain records that the fast scanner took, or one record.
 * Returns an error only with b->n == 0 (the records before it came in the
 * earlier batches); at the end of the file *eof is 1 and b->n is 0.
 * ip_csv_line() is then the line of the batch's last record. */
ip_err ip_csv_next_batch(ip_csv *c, ip_csv_batch *b, int *eof, ip_diag *d);

/* Tells the reader which columns the caller reads (indexes < ip_csv_ncols();
 * others are ignored), so that the fast scanner does not cut out the fields
 * nobody looks at. n == 0 selects every column again (the default). */
void ip_csv_select(ip_csv *c, const long *cols, size_t n);

/* Line number (1-based) where the current record starts. */
long ip_csv_line(const ip_csv *c);

/* Number of data records returned so far. */
uint64_t ip_csv_records(const ip_csv *c);

/* The file's display name. */
const char *ip_csv_name(const ip_csv *c);

/* Bytes read from the file so far (all of it once the end was reported). */
uint64_t ip_csv_bytes(const ip_csv *c);

/* Whether the reader uses the portable scanner, and which scanner it uses
 * (never IP_CSV_SCAN_AUTO). */
int ip_csv_is_portable(const ip_csv *c);
ip_csv_scan ip_csv_scan_used(const ip_csv *c);

#endif /* IP_CSV_H */
