/*
 * docwrite.c — carries out a plan of the year's documents: builds each
 * invoice from the plan, mirrors each credit note from the stored invoice it
 * cancels, writes each new document's bytes into the record and the year
 * folder (on two threads for many), appends them to the record in plan
 * order, copies the record's earlier documents into the year folder and
 * writes ledger.csv and the internal postings (see docwrite.h for the
 * order).
 */
#include "docwrite.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "date.h"
#include "digest.h"
#include "invoice.h"
#include "ledger.h"
#include "money.h"
#include "sie.h"
#include "signals.h"
#include "util.h"
#include "version.h"
#include "wording.h"

/* The cbc:Note of a document: what it does, the program and the inputs. */
static char *doc_note(const ip_run *r, const char *what, const char *number)
{
    if (what)
        return ip_xasprintf("%s %s. internpris %s, indata sha256 %s", what, number, IP_VERSION,
                            r->inputs_sha256);
    return ip_xasprintf("internpris %s, indata sha256 %s", IP_VERSION, r->inputs_sha256);
}

/* A new invoice, from the plan's lines, built into *data (*len bytes);
 * data NULL: only what the writer would refuse (check). */
static ip_err build_invoice(const ip_run *r, const ip_billing_new *pl, char **data, size_t *len,
                            ip_diag *d)
{
    const ip_customer *c = ip_customers_at(r->customers, (size_t)pl->slot);
    int periods = r->tariff->periods;
    ip_invoice_line *lines = ip_xcalloc(pl->nlines + 1, sizeof *lines);
    char **texts = ip_xcalloc(pl->nlines + 1, sizeof *texts);
    char (*ids)[24] = ip_xcalloc(pl->nlines + 1, sizeof *ids);
    char *note = doc_note(r, pl->replaces ? "Ersätter faktura" : NULL, pl->replaces);
    size_t i;
    int64_t sum = 0;
    ip_invoice inv;
    ip_err e;

    for (i = 0; i < pl->nlines; i++) {
        size_t s = pl->lines[i].svc;
        texts[i] = ip_wording_invoice_line(r, s, (size_t)pl->slot, pl->period, periods);
        snprintf(ids[i], sizeof ids[i], "%zu", i + 1);
        lines[i].id = ids[i];
        lines[i].name = r->svc[s].svc->name;
        lines[i].description = texts[i];
        lines[i].service_id = r->svc[s].svc->id;
        lines[i].amount_ore = pl->lines[i].amount_ore;
        sum += lines[i].amount_ore;
    }
    if (sum != pl->doc.net)
        IP_BUG("invoice %s: lines %" PRId64 " öre, planned %" PRId64, pl->doc.number, sum,
               pl->doc.net);
    memset(&inv, 0, sizeof inv);
    inv.number = pl->doc.number;
    inv.issue_date = pl->doc.issue_date;
    inv.due_date = pl->doc.due_date;
    inv.currency = r->tariff->currency;
    inv.note = note;
    inv.seller = &r->tariff->seller;
    inv.buyer = c;
    inv.group = c->group;
    /* A company pays to the seller's accounts; a department's invoice is
     * settled by the internal posting (sie.h). */
    if (!ip_customer_is_internal(c, r->tariff) && ip_tariff_has_payment(r->tariff))
        inv.payment = &r->tariff->payment;
    inv.period_start = pl->doc.period_start;
    inv.period_end = pl->doc.period_end;
    inv.lines = lines;
    inv.nlines = pl->nlines;
    e = data ? ip_invoice_build(&inv, data, len, d) : ip_invoice_check(&inv, d);
    for (i = 0; i < pl->nlines; i++)
        free(texts[i]);
    free(texts);
    free(ids);
    free(lines);
    free(note);
    return e;
}

/* The stored invoice that credit note pl cancels, read back from the
 * record's folder dir (ip_issued_doc_dir) and checked against its row in
 * the register. */
static ip_err read_cancelled(const ip_billing *b, const char *dir, const ip_billing_new *pl,
                             ip_invoice_doc **out, ip_diag *d)
{
    const ip_issued_doc *inv = ip_billing_doc(b, (size_t)pl->cancels, NULL);
    char *src = ip_xasprintf("%s/%s", dir, inv->file);
    ip_invoice_doc *cd = NULL;
    int64_t sum = 0;
    size_t i;
    ip_err e = ip_invoice_read(src, &cd, d);
    if (!e) {
        for (i = 0; i < cd->inv.nlines; i++)
            sum += cd->inv.lines[i].amount_ore;
        if (cd->inv.is_credit_note || strcmp(cd->inv.number, inv->number) != 0 ||
            sum != inv->net || cd->buyer.nr != inv->customer)
            e = ip_diag_set(d, IP_ERR_DATA, src, 0,
                            "expected invoice '%s' with net %" PRId64 " öre as the register says, "
                            "found a different document", inv->number, inv->net);
    }
    free(src);
    if (e) {
        if (d) { /* the record's file as the person will find it, not the stage's */
            char *shown = ip_stage_shown(d->file);
            snprintf(d->file, sizeof d->file, "%s", shown);
            free(shown);
        }
        ip_invoice_doc_free(cd);
        cd = NULL;
    }
    *out = cd;
    return e;
}

/* A credit note that mirrors the stored invoice it cancels, line by line,
 * built into *data (*len bytes). */
static ip_err build_credit(const ip_billing *b, const char *dir, const ip_billing_new *pl,
                           char **data, size_t *len, ip_diag *d)
{
    const ip_run *r = ip_billing_run(b);
    const ip_issued_doc *inv = ip_billing_doc(b, (size_t)pl->cancels, NULL);
    char *note = NULL;
    ip_invoice_doc *cd = NULL;
    ip_invoice cn;
    ip_err e = read_cancelled(b, dir, pl, &cd, d);
    if (e)
        goto out;
    note = doc_note(r, "Krediterar faktura", inv->number);
    cn = cd->inv;
    cn.is_credit_note = 1;
    cn.number = pl->doc.number;
    cn.issue_date = pl->doc.issue_date;
    cn.due_date = pl->doc.due_date;
    cn.note = note;
    cn.seller = &r->tariff->seller;
    cn.billing_ref = inv->number;
    cn.billing_ref_date = inv->issue_date;
    e = ip_invoice_build(&cn, data, len, d);
out:
    ip_invoice_doc_free(cd);
    free(note);
    return e;
}

/* The first column of x's row that says something else than the stored
 * document cd (read from the record, its bytes as issued): its name in
 * *col, what the document holds in want and what the row holds in got;
 * 0 when the row and the document agree. */
static int row_differs(const ip_issued_doc *x, const ip_invoice_doc *cd, const char **col,
                       char *want, char *got, size_t size)
{
    const ip_invoice *v = &cd->inv;
    char a[32], b[32], cat = cd->group.vat == IP_VAT_S ? 'S' : 'O';
    int pct = cat == 'S' ? cd->group.vat_percent : 0;
    int64_t net = 0, vat;
    ip_buf lines;
    size_t i;
    int bad = 1;
#define DIFF_STR(name, w, g)                                                                   \
    if (strcmp((w) ? (w) : "", (g) ? (g) : "") != 0) {                                         \
        *col = name;                                                                           \
        snprintf(want, size, "'%s'", (w) ? (w) : "");                                          \
        snprintf(got, size, "'%s'", (g) ? (g) : "");                                           \
        return 1;                                                                              \
    }
#define DIFF_DATE(name, w, g)                                                                  \
    if ((w) != (g)) {                                                                          \
        *col = name;                                                                           \
        snprintf(want, size, "%s", (w) ? ip_date_str((w), a) : "none");                        \
        snprintf(got, size, "%s", (g) ? ip_date_str((g), b) : "none");                         \
        return 1;                                                                              \
    }
    DIFF_STR("number", v->number, x->number);
    DIFF_STR("kind", v->is_credit_note ? "credit" : "invoice", x->is_credit ? "credit" : "invoice");
    if (cd->buyer.nr != x->customer) {
        *col = "customer";
        snprintf(want, size, "%" PRIu32, cd->buyer.nr);
        snprintf(got, size, "%" PRIu32, x->customer);
        return 1;
    }
    DIFF_STR("name", cd->buyer.name, x->name);
    DIFF_DATE("period_start", v->period_start, x->period_start);
    DIFF_DATE("period_end", v->period_end, x->period_end);
    DIFF_DATE("issue_date", v->issue_date, x->issue_date);
    if (v->due_date) /* a CreditNote carries none */
        DIFF_DATE("due_date", v->due_date, x->due_date);
    DIFF_STR("cancels", v->billing_ref, x->cancels);
    if (cat != x->vat_category || pct != x->vat_percent) {
        *col = cat != x->vat_category ? "vat_category" : "vat_percent";
        snprintf(want, size, "%c %d", cat, pct);
        snprintf(got, size, "%c %d", x->vat_category, x->vat_percent);
        return 1;
    }
#undef DIFF_STR
#undef DIFF_DATE
    ip_buf_init(&lines);
    for (i = 0; i < v->nlines; i++) {
        net += v->lines[i].amount_ore;
        ip_buf_addf(&lines, "%s%s=%s", i ? "," : "",
                    v->lines[i].service_id ? v->lines[i].service_id : "",
                    ip_money_fmt(v->lines[i].amount_ore, a));
    }
    vat = cat == 'S' ? ip_money_vat(net, pct) : 0;
    if (net != x->net) {
        *col = "net";
        snprintf(want, size, "%s", ip_money_fmt(net, a));
        snprintf(got, size, "%s", ip_money_fmt(x->net, b));
    } else if (vat != x->vat) {
        *col = "vat";
        snprintf(want, size, "%s", ip_money_fmt(vat, a));
        snprintf(got, size, "%s", ip_money_fmt(x->vat, b));
    } else if (net + vat != x->total) {
        *col = "total";
        snprintf(want, size, "%s", ip_money_fmt(net + vat, a));
        snprintf(got, size, "%s", ip_money_fmt(x->total, b));
    } else if (strcmp(lines.buf, x->lines) != 0) {
        /* service ids and amounts only (the load checked the row's, the
         * writer wrote the document's): shown whole */
        *col = "lines";
        snprintf(want, size, "'%s'", lines.buf);
        snprintf(got, size, "'%s'", x->lines);
    } else {
        bad = 0;
    }
    ip_buf_release(&lines);
    return bad;
}

/* The run column, which no document holds, against the rows around it:
 * rows are appended run by run, so the first is of run 0, each is of the
 * run of the row above or the next and of at most the run of the row below;
 * a credit note comes in a later run than the invoice it cancels. 0 when row
 * i agrees, else (in want) what it should say. */
static int run_differs(const ip_issued *rec, size_t i, char *want, size_t size)
{
    const ip_issued_doc *x = ip_issued_at(rec, i);
    int above = i ? ip_issued_at(rec, i - 1)->run : 0;
    long c;
    if (i == 0 && x->run != 0) {
        snprintf(want, size, "run 0 (the record's first run)");
        return 1;
    }
    if (x->run < above || x->run > above + 1) {
        snprintf(want, size, "run %d or %d (the run of the row above or the next)", above,
                 above + 1);
        return 1;
    }
    if (i + 1 < ip_issued_count(rec) && x->run > ip_issued_at(rec, i + 1)->run) {
        snprintf(want, size, "run %d at most (the run of the row below: rows come run by run)",
                 ip_issued_at(rec, i + 1)->run);
        return 1;
    }
    if (x->is_credit && x->cancels && (c = ip_issued_find(rec, x->cancels)) >= 0 &&
        ip_issued_at(rec, (size_t)c)->run >= x->run) {
        snprintf(want, size, "a run after %d (the run of '%s', which it cancels)",
                 ip_issued_at(rec, (size_t)c)->run, x->cancels);
        return 1;
    }
    return 0;
}

/* The run column of every row (run_differs). */
static ip_err verify_runs(const ip_issued *rec, ip_diag *d)
{
    size_t n = ip_issued_count(rec), i;
    for (i = 0; i < n; i++) {
        const ip_issued_doc *x = ip_issued_at(rec, i);
        char rwant[160];
        if (run_differs(rec, i, rwant, sizeof rwant))
            return ip_diag_set(d, IP_ERR_DATA, ip_issued_register_path(rec),
                               ip_issued_line(rec, i),
                               "expected %s for document '%s', found run %d; the register "
                               "must not be edited: restore register.csv from a backup",
                               rwant, x->number, x->run);
    }
    return IP_OK;
}

/* Row i against its document at path: from the len bytes at data when
 * given (read by the load for the digest), else read from path. */
static ip_err verify_row(const ip_issued *rec, size_t i, const char *path, const char *data,
                         size_t len, ip_diag *d)
{
    const ip_issued_doc *x = ip_issued_at(rec, i);
    char want[400], got[400];
    const char *col = NULL;
    ip_invoice_doc *cd = NULL;
    ip_err e = data ? ip_invoice_read_mem(path, data, len, &cd, d) : ip_invoice_read(path, &cd, d);
    if (!e && row_differs(x, cd, &col, want, got, sizeof want))
        e = ip_diag_set(d, IP_ERR_DATA, ip_issued_register_path(rec), ip_issued_line(rec, i),
                        "expected %s %s as document '%s' (invoices/%s, as issued: its "
                        "SHA-256 matches) holds, found %s; the register must not be "
                        "edited: restore register.csv from a backup",
                        col, want, x->number, x->file, got);
    ip_invoice_doc_free(cd);
    return e;
}

ip_err ip_docwrite_verify_record(const ip_issued *rec, ip_diag *d)
{
    size_t n = ip_issued_count(rec), i;
    ip_err e = verify_runs(rec, d);
    for (i = 0; i < n && !e; i++) {
        char *path = ip_xasprintf("%s/%s", ip_issued_doc_dir(rec), ip_issued_at(rec, i)->file);
        e = verify_row(rec, i, path, NULL, 0, d);
        free(path);
    }
    return e;
}

/* The rows read against their documents during the load (on two threads
 * for many): the fault of the first row in record order waits here until
 * ip_docwrite_verify_rows, so that the faults come in the order
 * ip_docwrite_verify_record finds them. */
struct ip_docwrite_rows {
    pthread_mutex_t mu;
    ip_err e; /* guarded by mu, with at and d */
    size_t at;
    ip_diag d;
};

static void verify_loaded_row(void *ctx, const ip_issued *rec, size_t i, const char *path,
                              const char *data, size_t len)
{
    ip_docwrite_rows *rows = ctx;
    ip_diag d;
    ip_err e;
    int skip;
    pthread_mutex_lock(&rows->mu);
    skip = rows->e && rows->at < i; /* an earlier row's fault is the one reported */
    pthread_mutex_unlock(&rows->mu);
    if (skip || !(e = verify_row(rec, i, path, data, len, &d)))
        return;
    pthread_mutex_lock(&rows->mu);
    if (!rows->e || i < rows->at) {
        rows->e = e;
        rows->at = i;
        rows->d = d;
    }
    pthread_mutex_unlock(&rows->mu);
}

ip_err ip_docwrite_load_record(const char *root, int year, ip_issued **rec,
                               ip_docwrite_rows **rows, ip_diag *d)
{
    ip_docwrite_rows *r = ip_xcalloc(1, sizeof *r);
    ip_err e;
    pthread_mutex_init(&r->mu, NULL);
    /* libxml2 set up on this thread before the load's second thread parses */
    xmlInitParser();
    e = ip_issued_load_read(root, year, verify_loaded_row, r, rec, d);
    if (e) {
        pthread_mutex_destroy(&r->mu);
        free(r);
        r = NULL;
    }
    *rows = r;
    return e;
}

ip_err ip_docwrite_verify_rows(const ip_issued *rec, ip_docwrite_rows *rows, ip_diag *d)
{
    ip_err e = verify_runs(rec, d);
    if (!e && rows->e) {
        e = rows->e;
        if (d)
            *d = rows->d;
    }
    ip_docwrite_rows_free(rows);
    return e;
}

void ip_docwrite_rows_free(ip_docwrite_rows *rows)
{
    if (!rows)
        return;
    pthread_mutex_destroy(&rows->mu);
    free(rows);
}

ip_err ip_docwrite_check(const ip_billing *b, const ip_issued *rec, ip_diag *d)
{
    size_t nnew = ip_billing_nnew(b), j;
    for (j = 0; j < nnew; j++) {
        const ip_billing_new *pl = ip_billing_new_at(b, j);
        ip_invoice_doc *cd = NULL;
        ip_err e;
        if (!pl->doc.is_credit) {
            /* the document as it would be written, its text included */
            if ((e = build_invoice(ip_billing_run(b), pl, NULL, NULL, d)))
                return e;
            continue;
        }
        e = read_cancelled(b, ip_issued_doc_dir(rec), pl, &cd, d);
        ip_invoice_doc_free(cd);
        if (e)
            return e;
    }
    return IP_OK;
}

/* Document pl built, its SHA-256 taken from the bytes in memory, and the
 * same bytes written twice: as the record's copy (into dir, the staged
 * record's folder) and as the year folder's (year's invoices/). *sha256 is
 * of exactly what was written; the two files are byte for byte the same by
 * construction, and neither is read back. Touches nothing shared but what
 * it reads (the plan, the run, the stored invoice a credit note mirrors):
 * the build threads below run it side by side. */
static ip_err issue_one(const ip_billing *b, const char *dir, ip_stage *year,
                        const ip_billing_new *pl, char sha256[65], ip_diag *d)
{
    char *data = NULL, *path, *rel;
    size_t len = 0;
    ip_err e = pl->doc.is_credit ? build_credit(b, dir, pl, &data, &len, d)
                                 : build_invoice(ip_billing_run(b), pl, &data, &len, d);
    if (e)
        return e;
    ip_digest_mem(data, len, sha256);
    path = ip_xasprintf("%s/%s", dir, pl->doc.file);
    e = ip_invoice_save(path, data, len, d);
    free(path);
    if (!e) {
        rel = ip_xasprintf("invoices/%s", pl->doc.file);
        path = ip_stage_path(year, rel);
        e = ip_invoice_save(path, data, len, d);
        free(path);
        free(rel);
    }
    ip_invoice_bytes_free(data);
    return e;
}

/* --- the new documents on two threads ------------------------------------ */

/* From this many new documents on, and with a second CPU, two build threads
 * build, digest and write them (issue_one), each taking the next document
 * of the plan in turn, while this thread appends them to the record
 * strictly in plan order, checks for a signal and passes the kill point
 * before each one as a single thread does. A document's cost is mostly
 * this program's own CPU (the text, the XML writer, the SHA-256), so two
 * threads build them in about half the time. */
#define BUILD_THREAD_MIN 16

/* Whether nnew new documents are built on two threads. */
static int build_threads(size_t nnew)
{
#ifdef IP_TESTING
    {
        /* Test hook, in the test build only: IP_DOC_THREADS=0 never, =1
         * whatever the count (the kill, damage and signal tests run both). */
        const char *env = getenv("IP_DOC_THREADS");
        if (env && (strcmp(env, "0") == 0 || strcmp(env, "1") == 0))
            return env[0] == '1';
    }
#endif
    return nnew >= BUILD_THREAD_MIN && sysconf(_SC_NPROCESSORS_ONLN) > 1;
}

enum { PENDING, BUILT, FAILED };

typedef struct builders builders;

typedef struct builder {
    builders *all;
    pthread_t thread;
    int started;
    size_t failed; /* the document of its error, or nnew */
    ip_err e;
    ip_diag d;
} builder;

struct builders {
    const ip_billing *b;
    const char *dir; /* the staged record's folder */
    ip_stage *year;
    size_t nnew;
    char (*sha256)[65];   /* each document's digest, once BUILT */
    /* guarded by mu: */
    unsigned char *state; /* each document's PENDING, BUILT or FAILED */
    size_t next;          /* the next document to hand out; nnew: none more */
    pthread_mutex_t mu;
    pthread_cond_t built; /* a document's state changed */
    builder t[2];
};

/* Takes the next document in plan order until there is none or one of its
 * own fails: a failure stops the handing out (every document before it has
 * been handed out already, and is finished by its thread, so the first
 * failure in plan order is always found), and the appending thread stops
 * at the first failed document it reaches. */
static void *build_thread(void *arg)
{
    builder *t = arg;
    builders *all = t->all;
    for (;;) {
        size_t j;
        int st;
        pthread_mutex_lock(&all->mu);
        j = all->next;
        if (j < all->nnew)
            all->next++;
        pthread_mutex_unlock(&all->mu);
        if (j >= all->nnew)
            return NULL;
        t->e = issue_one(all->b, all->dir, all->year, ip_billing_new_at(all->b, j),
                         all->sha256[j], &t->d);
        st = t->e ? FAILED : BUILT;
        pthread_mutex_lock(&all->mu);
        all->state[j] = (unsigned char)st;
        if (st == FAILED) {
            t->failed = j;
            all->next = all->nnew;
        }
        pthread_cond_broadcast(&all->built);
        pthread_mutex_unlock(&all->mu);
        if (st == FAILED)
            return NULL;
    }
}

/* Stops handing out documents and waits for both threads. */
static void builders_end(builders *all)
{
    int k;
    pthread_mutex_lock(&all->mu);
    all->next = all->nnew;
    pthread_mutex_unlock(&all->mu);
    for (k = 0; k < 2; k++)
        if (all->t[k].started)
            pthread_join(all->t[k].thread, NULL);
    pthread_cond_destroy(&all->built);
    pthread_mutex_destroy(&all->mu);
    free(all->state);
    free(all->sha256);
}

/* The new documents of plan b, built on two threads and appended here in
 * plan order; *done 0 when no thread could be started (nothing was done:
 * the caller builds them on this thread). */
static ip_err issue_threaded(const ip_billing *b, ip_issued *rec, ip_stage *year, int *done,
                             ip_diag *d)
{
    builders all;
    size_t j;
    int k, started = 0;
    ip_err e = IP_OK;

    *done = 0;
    memset(&all, 0, sizeof all);
    all.b = b;
    all.dir = ip_issued_doc_dir(rec);
    all.year = year;
    all.nnew = ip_billing_nnew(b);
    all.sha256 = ip_xcalloc(all.nnew, sizeof *all.sha256);
    all.state = ip_xcalloc(all.nnew, 1);
    pthread_mutex_init(&all.mu, NULL);
    pthread_cond_init(&all.built, NULL);
    /* libxml2's global state is set up here, on the main thread, before any
     * builder: each builder then has a writer (and a parser, for the
     * invoice a credit note mirrors) of its own per document. */
    xmlInitParser();
    /* The builders take no signal: the handlers (signals.h) run on this
     * thread, which checks for one before each document as a single
     * thread does. */
    for (k = 0; k < 2; k++) {
        all.t[k].all = &all;
        all.t[k].failed = all.nnew;
        all.t[k].started = ip_signals_thread(&all.t[k].thread, build_thread, &all.t[k]);
        started += all.t[k].started;
    }
    if (!started) {
        builders_end(&all);
        return IP_OK;
    }
    *done = 1;
    for (j = 0; j < all.nnew && !e; j++) {
        const ip_billing_new *pl = ip_billing_new_at(b, j);
        int st;
        if ((e = ip_signals_check(d)))
            break;
        pthread_mutex_lock(&all.mu);
        while ((st = all.state[j]) == PENDING)
            pthread_cond_wait(&all.built, &all.mu);
        pthread_mutex_unlock(&all.mu);
        if (st == FAILED) {
            k = all.t[1].failed == j;
            e = all.t[k].e;
            if (d)
                *d = all.t[k].d;
            break;
        }
        if ((e = ip_issued_append_written(rec, &pl->doc, all.sha256[j], d)))
            break;
        ip_kill_point();
    }
    builders_end(&all);
    return e;
}

ip_err ip_docwrite_apply(const ip_billing *b, ip_issued *rec, ip_stage *year, size_t *count,
                         ip_diag *d)
{
    const ip_run *r = ip_billing_run(b);
    size_t nnew = ip_billing_nnew(b), j;
    FILE *f;
    char *path;
    int threaded = 0;
    ip_err e;

    *count = 0;
    if (ip_issued_count(rec) != ip_billing_nrecorded(b))
        IP_BUG("a plan of %zu recorded documents carried out on a record of %zu",
               ip_billing_nrecorded(b), ip_issued_count(rec));
    ip_issued_remove_stale(rec); /* we hold the lock: what a killed run left */
    if ((e = ip_stage_mkdir(year, "invoices", d)))
        return e;
    if (nnew) {
        if ((e = ip_issued_stage(rec, d)))
            return e;
        if (build_threads(nnew) &&
            (e = issue_threaded(b, rec, year, &threaded, d)))
            return e;
        for (j = 0; j < nnew && !threaded; j++) {
            const ip_billing_new *pl = ip_billing_new_at(b, j);
            char sha256[65];
            if ((e = ip_signals_check(d)))
                return e;
            e = issue_one(b, ip_issued_doc_dir(rec), year, pl, sha256, d);
            if (!e)
                e = ip_issued_append_written(rec, &pl->doc, sha256, d);
            if (e)
                return e;
            ip_kill_point();
        }
    }
    /* The year folder shows every document of the record byte for byte: a
     * new one was written above from the bytes of its record's copy, an
     * earlier one is copied (or linked from the folder being replaced) from
     * the record. An issued document is never built twice. */
    if ((e = ip_issued_copy_all(rec, year, "invoices", ip_billing_nrecorded(b), d)))
        return e;
    if ((e = ip_stage_fopen(year, "ledger.csv", &f, d)))
        return e;
    path = ip_stage_path(year, "ledger.csv");
    e = ip_ledger_write(rec, f, path, d);
    free(path);
    if (e) {
        fclose(f);
        return e;
    }
    if ((e = ip_stage_fclose(year, f, "ledger.csv", d)))
        return e;
    /* Beside ledger.csv, the internal postings for the ledger (sie.h). */
    if ((e = ip_sie_write_year(r, rec, year, d)))
        return e;
    ip_kill_point();
    /* The record before the year folder: it is never behind what a year
     * folder has shown. */
    if (nnew && (e = ip_issued_commit(rec, d)))
        return e;
    /* the year folder must follow the record: a signal now waits for it */
    if (nnew)
        ip_signals_hold();
    *count = ip_issued_count(rec);
    return IP_OK;
}
