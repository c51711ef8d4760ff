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
 *   <strerror>" (IP_ERR_NOINPUT), "cannot read: <strerror>" (IP_ERR_IO).
 * - After an error the reader is done: ip_csv_next() repeats the error.
 *
 * The reader streams: it reads the file in blocks into one buffer that it
 * reuses, so memory does not grow with the number of rows (a single record may
 * be at most IP_CSV_MAX_RECORD bytes). Field pointers are valid only until the
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

/* Opens path and reads its header. name is what messages call the file
 * (e.g. "cases.csv"); it is copied. Errors: IP_ERR_NOINPUT when the file cannot
 * be opened, IP_ERR_DATA for an empty file or a bad header. */
ip_err ip_csv_open(const char *path, const char *name, ip_csv **out, ip_diag *d);

/* The same over bytes in memory (tests, fuzzing). data must outlive the reader. */
ip_err ip_csv_open_mem(const char *data, size_t len, const char *name, ip_csv **out,
                       ip_diag *d);

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
 * and *eof is 0; at the end of the file *eof is 1. */
ip_err ip_csv_next(ip_csv *c, const ip_field **fields, int *eof, ip_diag *d);

/* Line number (1-based) where the current record starts. */
long ip_csv_line(const ip_csv *c);

/* Number of data records returned so far. */
uint64_t ip_csv_records(const ip_csv *c);

/* The file's display name. */
const char *ip_csv_name(const ip_csv *c);

/* Tuning for tests, fuzzing and benchmarks; each applies to readers opened
 * afterwards (process-wide, not thread-safe).
 * ip_csv_set_portable(1) makes the reader use its portable byte-by-byte
 * scanner instead of the SSE2 one (so does the environment variable
 * IP_CSV_PORTABLE=1); both give identical results. Without SSE2 the portable
 * scanner is always used.
 * ip_csv_set_buffer_size(n) sets the initial buffer size and the most bytes
 * read at a time (0: the default, 256 KiB per read); tiny sizes make every
 * record straddle a block boundary. The buffer still grows to hold one record
 * of IP_CSV_MAX_RECORD bytes. */
void ip_csv_set_portable(int on);
void ip_csv_set_buffer_size(size_t bytes);

/* Whether the reader uses the portable scanner. */
int ip_csv_is_portable(const ip_csv *c);

#endif /* IP_CSV_H */
