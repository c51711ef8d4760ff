/*
 * digest.c — SHA-256 of the bytes a reader hands over, inline or on a thread
 * of its own, and of whole files (digest.h): the program's only EVP user.
 *
 * The threaded digest is a queue of at most QUEUE blocks (pointer, length)
 * between one feeding thread and a worker that runs EVP_DigestUpdate() on
 * them in order (see struct ip_digest for the hand-over). The blocks are not
 * copied: the caller keeps them in place until ip_digest_wait() has said the
 * worker is done with them (csv.c rotates its read buffers for that). The
 * EVP context is only touched by the worker while it runs and by the caller
 * after the worker has been joined, so it needs no lock of its own.
 */
#include "digest.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "files.h"
#include "util.h"

#define QUEUE 8 /* blocks queued at most */

typedef struct block {
    const unsigned char *p;
    size_t n;
} block;

struct ip_digest {
    EVP_MD_CTX *ctx;
    uint64_t bytes;        /* bytes fed */
    int threaded;          /* the worker runs */
    pthread_t worker;
    /* Blocks are counted from 0: block i is in queue[i % QUEUE]. The feeding
     * thread writes the entry, then publishes it by raising fed; the worker
     * raises done when it has hashed one. A side that must wait for the
     * other's counter raises its sleeping flag under the mutex and checks
     * the counter again before it sleeps; the other side, after raising its
     * counter, signals only when it sees the flag (all sequentially
     * consistent, so one of them sees the other's store). So the mutex is
     * only taken when someone sleeps. (Spinning a while before sleeping was
     * tried: no faster on the 2-vCPU target, more CPU.) */
    block queue[QUEUE];
    _Atomic uint64_t fed;
    _Atomic uint64_t done;
    _Atomic int worker_sleeps;
    _Atomic int feeder_sleeps;
    pthread_mutex_t mu;
    pthread_cond_t work;     /* the worker waits for a block or stop */
    pthread_cond_t progress; /* the feeder waits for done to grow */
    int stop;                /* no more blocks: the worker ends (guarded by mu) */
};

int ip_digest_want_thread(uint64_t size, ip_digest_threads mode)
{
    long cpus;
    if (mode == IP_DIGEST_THREADS_NEVER)
        return 0;
    if (mode == IP_DIGEST_THREADS_ALWAYS)
        return 1;
#ifdef IP_TESTING
    {
        /* Test hook, in the test build only: the shipped program decides by
         * the file's size and the CPUs, never by the environment. */
        const char *env = getenv("IP_DIGEST_THREADS");
        if (env && (strcmp(env, "0") == 0 || strcmp(env, "1") == 0))
            return env[0] == '1';
    }
#endif
    if (size < IP_DIGEST_THREAD_MIN)
        return 0;
    cpus = sysconf(_SC_NPROCESSORS_ONLN);
    return cpus > 1;
}

static void *worker_main(void *arg)
{
    ip_digest *g = arg;
    uint64_t d = 0;
    for (;;) {
        block b;
        if (atomic_load(&g->fed) <= d) {
            int stop;
            pthread_mutex_lock(&g->mu);
            atomic_store(&g->worker_sleeps, 1);
            while (atomic_load(&g->fed) <= d && !g->stop)
                pthread_cond_wait(&g->work, &g->mu);
            atomic_store(&g->worker_sleeps, 0);
            stop = atomic_load(&g->fed) <= d; /* stopped and drained */
            pthread_mutex_unlock(&g->mu);
            if (stop)
                break;
        }
        b = g->queue[d % QUEUE];
        EVP_DigestUpdate(g->ctx, b.p, b.n);
        atomic_store(&g->done, ++d);
        if (atomic_load(&g->feeder_sleeps)) {
            pthread_mutex_lock(&g->mu);
            pthread_cond_broadcast(&g->progress);
            pthread_mutex_unlock(&g->mu);
        }
    }
    return NULL;
}

ip_digest *ip_digest_new(int threaded)
{
    ip_digest *g = ip_xcalloc(1, sizeof *g);
    g->ctx = EVP_MD_CTX_new();
    if (!g->ctx || !EVP_DigestInit_ex(g->ctx, EVP_sha256(), NULL))
        IP_BUG("cannot set up a SHA-256 context");
    atomic_init(&g->fed, 0);
    atomic_init(&g->done, 0);
    atomic_init(&g->worker_sleeps, 0);
    atomic_init(&g->feeder_sleeps, 0);
    if (threaded) {
        pthread_mutex_init(&g->mu, NULL);
        pthread_cond_init(&g->work, NULL);
        pthread_cond_init(&g->progress, NULL);
        if (pthread_create(&g->worker, NULL, worker_main, g) == 0) {
            g->threaded = 1;
        } else {
            pthread_cond_destroy(&g->progress);
            pthread_cond_destroy(&g->work);
            pthread_mutex_destroy(&g->mu);
        }
    }
    return g;
}

/* Waits until the worker has hashed n blocks. */
static void wait_done(ip_digest *g, uint64_t n)
{
    if (atomic_load(&g->done) >= n)
        return;
    pthread_mutex_lock(&g->mu);
    atomic_store(&g->feeder_sleeps, 1);
    while (atomic_load(&g->done) < n)
        pthread_cond_wait(&g->progress, &g->mu);
    atomic_store(&g->feeder_sleeps, 0);
    pthread_mutex_unlock(&g->mu);
}

/* Lets the worker drain the queue and end. */
static void stop_worker(ip_digest *g)
{
    if (!g->threaded)
        return;
    pthread_mutex_lock(&g->mu);
    g->stop = 1;
    pthread_cond_signal(&g->work);
    pthread_mutex_unlock(&g->mu);
    pthread_join(g->worker, NULL);
    pthread_cond_destroy(&g->progress);
    pthread_cond_destroy(&g->work);
    pthread_mutex_destroy(&g->mu);
    g->threaded = 0;
}

void ip_digest_free(ip_digest *g)
{
    if (!g)
        return;
    stop_worker(g);
    EVP_MD_CTX_free(g->ctx);
    free(g);
}

void ip_digest_feed(ip_digest *g, const void *p, size_t n)
{
    uint64_t f;
    g->bytes += n;
    if (!g->threaded) {
        EVP_DigestUpdate(g->ctx, p, n);
        return;
    }
    f = atomic_load(&g->fed);
    if (f >= QUEUE)
        wait_done(g, f - QUEUE + 1); /* room in the queue */
    g->queue[f % QUEUE].p = p;
    g->queue[f % QUEUE].n = n;
    atomic_store(&g->fed, f + 1);
    if (atomic_load(&g->worker_sleeps)) {
        pthread_mutex_lock(&g->mu);
        pthread_cond_signal(&g->work);
        pthread_mutex_unlock(&g->mu);
    }
}

void ip_digest_wait(ip_digest *g, uint64_t n)
{
    uint64_t f;
    if (!g->threaded)
        return;
    f = atomic_load(&g->fed);
    wait_done(g, n < f ? n : f);
}

void ip_digest_final(ip_digest *g, char hex[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0, i;
    stop_worker(g); /* drains the queue; the context is ours again */
    EVP_DigestFinal_ex(g->ctx, md, &mdlen);
    for (i = 0; i < mdlen && i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    hex[64] = '\0';
}

uint64_t ip_digest_bytes(const ip_digest *g)
{
    return g->bytes;
}

int ip_digest_is_threaded(const ip_digest *g)
{
    return g->threaded;
}

int ip_digest_fd(int fd, char hex[65], uint64_t *bytes)
{
    enum { CHUNK = 1 << 16 };
    unsigned char *buf = ip_xmalloc(CHUNK);
    ip_digest *g = ip_digest_new(0); /* inline: done with buf when feed returns */
    ssize_t n;
    while ((n = read(fd, buf, CHUNK)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int err = errno;
            ip_digest_free(g);
            free(buf);
            errno = err;
            return -1;
        }
        ip_digest_feed(g, buf, (size_t)n);
    }
    free(buf);
    ip_digest_final(g, hex);
    if (bytes)
        *bytes = ip_digest_bytes(g);
    ip_digest_free(g);
    return 0;
}

void ip_digest_mem(const void *p, size_t n, char hex[65])
{
    ip_digest *g = ip_digest_new(0);
    ip_digest_feed(g, p, n);
    ip_digest_final(g, hex);
    ip_digest_free(g);
}

int ip_digest_file(const char *path, char hex[65], uint64_t *bytes)
{
    const char *kind;
    int fd = ip_files_open_fd(path, IP_FILES_FOLLOW, &kind), r, err;
    if (fd < 0) {
        if (kind) /* not a regular file: never read (a pipe would block) */
            errno = strcmp(kind, ip_files_kind(S_IFDIR)) == 0 ? EISDIR : EINVAL;
        return -1;
    }
    r = ip_digest_fd(fd, hex, bytes);
    err = errno;
    close(fd);
    errno = err;
    return r;
}
