/*
 * digest.h — SHA-256, computed in this one module: of a file's bytes as a
 * reader hands them over (inline or on a second thread), of a whole file,
 * and of any bytes fed by hand.
 *
 * The run needs the SHA-256 of every input (report, workbook) and must read
 * each file once: the CSV reader feeds every block it reads to a digest
 * through its tap (csv.h), and the digest hashes it. SHA-256 cannot be split
 * (each block depends on the one before), but it can run beside the parser:
 * a threaded digest hashes block k on its own thread while the reader parses
 * block k and reads block k + 1 into its other buffer. On the target machine
 * OpenSSL's SHA-256 (SHA-NI) runs at about 1.3 GB/s, so for a large file it
 * is the longer of the two jobs and bounds the read.
 *
 * The reader's tap, whole files (ip_digest_file(): the record's documents,
 * the inputs the reader does not read) and the run's digest over its inputs'
 * digests all come through here; no other module uses OpenSSL's EVP.
 *
 * A threaded digest reads the fed bytes after ip_digest_feed() has returned:
 * the caller keeps them in place, unchanged, until ip_digest_wait() says the
 * digest is done with them. An inline digest is done when feed returns.
 */
#ifndef IP_DIGEST_H
#define IP_DIGEST_H

#include <stddef.h>
#include <stdint.h>

typedef struct ip_digest ip_digest;

/* A new SHA-256 digest; threaded: hash on a thread of its own (falls back to
 * inline hashing when the thread cannot be started). Aborts when OpenSSL
 * cannot give a SHA-256 context (a broken installation, not an input error). */
ip_digest *ip_digest_new(int threaded);

/* Frees the digest; waits for the thread first. NULL is allowed. */
void ip_digest_free(ip_digest *g);

/* Adds the next n bytes. Threaded: queues them and returns at once (it blocks
 * only while several earlier blocks are still queued). */
void ip_digest_feed(ip_digest *g, const void *p, size_t n);

/* Returns once the digest no longer reads the bytes of the first n feeds
 * (feeds are counted from 1; n may exceed the feeds made: then all of them). */
void ip_digest_wait(ip_digest *g, uint64_t n);

/* Finishes: waits for every feed and writes the lowercase hex digest and a
 * NUL into hex[65]. No feed may follow. */
void ip_digest_final(ip_digest *g, char hex[65]);

/* The SHA-256 of the file at path as lowercase hex and a NUL in hex[65], and
 * its size in *bytes (when bytes is not NULL); reads the file once, inline.
 * Returns 0, or -1 with errno set when the file cannot be opened or read
 * (hex is then unspecified); a file that is not a regular file is never
 * read (files.h), and is -1 with errno EISDIR for a folder, else EINVAL. */
int ip_digest_file(const char *path, char hex[65], uint64_t *bytes);

/* The same for the rest of an open descriptor (read to its end; fd stays
 * open). */
int ip_digest_fd(int fd, char hex[65], uint64_t *bytes);

/* The SHA-256 of the n bytes at p as lowercase hex and a NUL in hex[65]
 * (inline; safe on any thread: each call has a context of its own). */
void ip_digest_mem(const void *p, size_t n, char hex[65]);

/* Bytes fed so far, and whether the digest hashes on a thread of its own
 * (until ip_digest_final(), which ends the thread). */
uint64_t ip_digest_bytes(const ip_digest *g);
int ip_digest_is_threaded(const ip_digest *g);

/* When a reader's digest hashes on a thread of its own: a field of the
 * options that reach the reader (basis.h, run.h), so that two runs in one
 * process may differ; zero is the default. */
typedef enum ip_digest_threads {
    IP_DIGEST_THREADS_AUTO = 0, /* by the file's size and the CPUs (below) */
    IP_DIGEST_THREADS_NEVER,    /* always inline (tests, benchmarks) */
    IP_DIGEST_THREADS_ALWAYS    /* always a thread, whatever the size (tests, benchmarks) */
} ip_digest_threads;

/* Whether a file of this size gets a thread under mode: NEVER no, ALWAYS
 * yes; AUTO when it has at least IP_DIGEST_THREAD_MIN bytes and more than
 * one CPU is online, unless, in the test build (IP_TESTING) only, the
 * environment variable IP_DIGEST_THREADS (0: never, 1: always) decides. */
#define IP_DIGEST_THREAD_MIN (4u << 20)
int ip_digest_want_thread(uint64_t size, ip_digest_threads mode);

#endif /* IP_DIGEST_H */
