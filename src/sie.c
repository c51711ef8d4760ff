/*
 * sie.c — the SIE 4I file of the internal postings, from the record of
 * issued documents (sie.h), and its reconciliation against the fees.
 *
 * Like ledger.csv (ledger.c), the postings are derived from exactly what
 * was issued: the record's lines ("service=amount") of each document, never
 * this run's fees. One function, post_doc(), turns a document into its
 * #TRANS lines; the writer prints them and the reconciliation adds them
 * up, so the report checks what the file holds. Text goes through the
 * CP437 encoder (cp437.h): the file never holds UTF-8.
 */
#include "sie.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cp437.h"
#include "money.h"
#include "parse.h"
#include "stage.h"
#include "util.h"
#include "version.h"

#define COST_CENTRE_DIM 1          /* SIE reserves dimension 1 for it */
#define COST_CENTRE_DIM_NAME "Kostnadsställe"
#define CC_SIZE 24                 /* an object code (20) or a customer number */

/* One #TRANS line of a document. */
typedef struct trans {
    size_t svc;                /* tariff index of the service */
    const ip_account *account;
    const char *object;        /* cost centre code */
    int64_t ore;               /* debit > 0, credit < 0 */
    int cost_side;             /* 1: the buyer's cost account, 0: the seller's revenue */
} trans;

typedef void (*trans_fn)(void *ctx, const ip_issued_doc *x, const trans *t);

static long service_index(const ip_tariff *t, const char *id)
{
    size_t i;
    for (i = 0; i < t->nservices; i++)
        if (!strcmp(t->services[i].id, id))
            return (long)i;
    return -1;
}

/* The buyer's cost centre (into cc[CC_SIZE]) and the name its object
 * carries: the register's, or for a customer no longer in it, its number
 * and the document's name. */
static const char *buyer_object(const ip_tariff *t, const ip_customers *cs, const ip_issued_doc *x,
                                char *cc, const char **name)
{
    long slot = ip_customers_slot(cs, x->customer);
    (void)t;
    if (slot >= 0) {
        const ip_customer *c = ip_customers_at(cs, (size_t)slot);
        *name = c->name;
        return ip_customer_cost_centre(c, cc, CC_SIZE);
    }
    *name = x->name;
    snprintf(cc, CC_SIZE, "%" PRIu32, x->customer);
    return cc;
}

static int doc_internal(const ip_tariff *t, const ip_customers *cs, const ip_issued_doc *x)
{
    long slot = ip_customers_slot(cs, x->customer);
    if (slot >= 0)
        return ip_customer_is_internal(ip_customers_at(cs, (size_t)slot), t);
    return x->vat_category == 'O';
}

int ip_sie_doc_internal(const ip_sie_src *s, const ip_issued_doc *doc)
{
    return doc_internal(s->tariff, s->customers, doc);
}

/* Calls fn for every #TRANS of document x, in order: per line the cost
 * side, then the revenue side. */
static ip_err post_doc(const ip_tariff *t, const ip_customers *cs, const ip_issued_doc *x,
                       trans_fn fn, void *ctx, ip_diag *d)
{
    const ip_accounting *a = t->accounting;
    const char *p = x->lines, *bname;
    char svc[128], cc[CC_SIZE];
    int64_t ore;
    int rc;
    buyer_object(t, cs, x, cc, &bname);
    while ((rc = ip_issued_lines_next(&p, svc, sizeof svc, &ore)) == 1) {
        long k = service_index(t, svc);
        trans tr;
        if (k < 0)
            return ip_diag_set(d, IP_ERR_TARIFF, t->path, a->line,
                               "expected a <posting> for service '%s' of document %s, found no "
                               "such service in the tariff; keep the service (fee=\"0\") while "
                               "documents of it stand", svc, x->number);
        tr.svc = (size_t)k;
        tr.cost_side = 1;
        tr.account = a->cost[k];
        tr.object = cc;
        tr.ore = x->is_credit ? -ore : ore;
        fn(ctx, x, &tr);
        tr.cost_side = 0;
        tr.account = a->revenue[k];
        tr.object = a->seller_cost_centre;
        tr.ore = -tr.ore;
        fn(ctx, x, &tr);
    }
    if (rc < 0)
        return ip_diag_set(d, IP_ERR_SOFTWARE, NULL, 0,
                           "document '%s': its lines '%s' cannot be read", x->number, x->lines);
    return IP_OK;
}

/* --- which documents, in which order ------------------------------------ */

static int by_date_number(const void *a, const void *b)
{
    const ip_issued_doc *x = *(const ip_issued_doc *const *)a;
    const ip_issued_doc *y = *(const ip_issued_doc *const *)b;
    if (x->issue_date != y->issue_date)
        return x->issue_date < y->issue_date ? -1 : 1;
    return strcmp(x->number, y->number);
}

/* The documents of s that the file posts, sorted as ledger.csv; heap. */
static const ip_issued_doc **select_docs(const ip_sie_src *s, size_t *n)
{
    const ip_issued_doc **v = ip_xcalloc(s->ndocs + 1, sizeof *v);
    size_t i;
    *n = 0;
    for (i = 0; i < s->ndocs; i++) {
        const ip_issued_doc *x = s->docs[i];
        if ((s->run < 0 || x->run == s->run) && ip_sie_doc_internal(s, x))
            v[(*n)++] = x;
    }
    qsort(v, *n, sizeof *v, by_date_number);
    return v;
}

/* --- writing ------------------------------------------------------------ */

/* A quoted SIE text: the CP437 bytes of the UTF-8 text s, with '"' and '\'
 * escaped by a backslash. */
static void put_text(ip_buf *b, const char *s)
{
    ip_buf enc;
    size_t i;
    ip_buf_init(&enc);
    ip_cp437_encode(s, strlen(s), &enc);
    ip_buf_addch(b, '"');
    for (i = 0; i < enc.len; i++) {
        if (enc.buf[i] == '"' || enc.buf[i] == '\\')
            ip_buf_addch(b, '\\');
        ip_buf_addch(b, enc.buf[i]);
    }
    ip_buf_addch(b, '"');
    ip_buf_release(&enc);
}

static void end_line(ip_buf *b)
{
    ip_buf_add(b, "\r\n", 2);
}

/* An object of the cost-centre dimension that a file uses. */
typedef struct object {
    char code[CC_SIZE];
    const char *name;
    uint32_t nr;               /* the customer's; 0 for the seller's */
} object;

/* The accounts and objects a file uses. */
typedef struct used {
    const ip_accounting *a;
    char *acc;                 /* acc[i]: accounts[i] is used */
    object *objects;           /* the seller's first */
    size_t nobjects, alloc;
} used;

static void use_object(used *u, const char *code, const char *name, uint32_t nr)
{
    size_t i;
    for (i = 0; i < u->nobjects; i++)
        if (!strcmp(u->objects[i].code, code))
            return;
    ip_xgrow((void **)&u->objects, &u->alloc, u->nobjects + 1, sizeof *u->objects);
    snprintf(u->objects[u->nobjects].code, CC_SIZE, "%s", code);
    u->objects[u->nobjects].name = name;
    u->objects[u->nobjects++].nr = nr;
}

static int by_customer(const void *a, const void *b)
{
    const object *x = a, *y = b;
    return x->nr < y->nr ? -1 : x->nr > y->nr;
}

static void note_used(void *ctx, const ip_issued_doc *x, const trans *t)
{
    used *u = ctx;
    (void)x;
    u->acc[t->account - u->a->accounts] = 1;
}

typedef struct printer {
    ip_buf *b;
    const ip_tariff *t;
} printer;

/* #TRANS account {1 "object"} amount "" "service": transdat empty, the
 * service's name as the transaction text. */
static void print_trans(void *ctx, const ip_issued_doc *x, const trans *t)
{
    printer *p = ctx;
    char amount[32];
    (void)x;
    ip_buf_addf(p->b, "   #TRANS %s {%d ", t->account->number, COST_CENTRE_DIM);
    put_text(p->b, t->object);
    ip_buf_addf(p->b, "} %s \"\" ", ip_money_fmt(t->ore, amount));
    put_text(p->b, p->t->services[t->svc].name);
    end_line(p->b);
}

static int cmp_account(const void *a, const void *b)
{
    const ip_account *x = *(const ip_account *const *)a, *y = *(const ip_account *const *)b;
    size_t lx = strlen(x->number), ly = strlen(y->number);
    /* numerically: the shorter number of the same leading digits first */
    int c = strncmp(x->number, y->number, lx < ly ? lx : ly);
    return c ? c : (lx > ly) - (lx < ly);
}

ip_err ip_sie_write(const ip_sie_src *s, FILE *f, const char *name, ip_diag *d)
{
    const ip_tariff *t = s->tariff;
    const ip_accounting *a = t->accounting;
    size_t n, i;
    const ip_issued_doc **docs = select_docs(s, &n);
    const ip_account **accs = ip_xcalloc(a->naccounts + 1, sizeof *accs);
    size_t naccs = 0;
    ip_date gen = t->issue_date;
    used u;
    ip_buf b;
    ip_err e = IP_OK;

    memset(&u, 0, sizeof u);
    u.a = a;
    u.acc = ip_xcalloc(a->naccounts + 1, 1);
    ip_buf_init(&b);

    /* What the file declares: the accounts and cost centres it uses. */
    use_object(&u, a->seller_cost_centre, t->seller.name, 0);
    for (i = 0; i < n && !e; i++) {
        char cc[CC_SIZE];
        const char *bname, *code = buyer_object(t, s->customers, docs[i], cc, &bname);
        use_object(&u, code, bname, docs[i]->customer);
        e = post_doc(t, s->customers, docs[i], note_used, &u, d);
        if (i == 0 || docs[i]->issue_date > gen)
            gen = docs[i]->issue_date;
    }
    if (e)
        goto out;
    /* The buyers' objects in customer order, the seller's first. */
    qsort(u.objects + 1, u.nobjects - 1, sizeof *u.objects, by_customer);
    for (i = 0; i < a->naccounts; i++)
        if (u.acc[i])
            accs[naccs++] = &a->accounts[i];
    qsort(accs, naccs, sizeof *accs, cmp_account);

    ip_buf_adds(&b, "#FLAGGA 0");
    end_line(&b);
    ip_buf_adds(&b, "#PROGRAM ");
    put_text(&b, "internpris");
    ip_buf_addch(&b, ' ');
    put_text(&b, IP_VERSION);
    end_line(&b);
    ip_buf_adds(&b, "#FORMAT PC8");
    end_line(&b);
    ip_buf_addf(&b, "#GEN %08" PRId32, gen);
    end_line(&b);
    ip_buf_adds(&b, "#SIETYP 4");
    end_line(&b);
    ip_buf_addf(&b, "#ORGNR %.6s-%s", t->seller.org_nr, t->seller.org_nr + 6);
    end_line(&b);
    ip_buf_adds(&b, "#FNAMN ");
    put_text(&b, t->seller.name);
    end_line(&b);
    for (i = 0; i < naccs; i++) {
        ip_buf_addf(&b, "#KONTO %s ", accs[i]->number);
        put_text(&b, accs[i]->name);
        end_line(&b);
    }
    ip_buf_addf(&b, "#DIM %d ", COST_CENTRE_DIM);
    put_text(&b, COST_CENTRE_DIM_NAME);
    end_line(&b);
    for (i = 0; i < u.nobjects; i++) {
        ip_buf_addf(&b, "#OBJEKT %d ", COST_CENTRE_DIM);
        put_text(&b, u.objects[i].code);
        ip_buf_addch(&b, ' ');
        put_text(&b, u.objects[i].name);
        end_line(&b);
    }
    for (i = 0; i < n && !e; i++) {
        const ip_issued_doc *x = docs[i];
        char *text = x->is_credit
                         ? ip_xasprintf("Kreditnota %s krediterar %s %s", x->number,
                                        x->cancels ? x->cancels : "", x->name)
                         : ip_xasprintf("Faktura %s %s", x->number, x->name);
        printer p;
        ip_buf_addf(&b, "#VER \"\" \"\" %08" PRId32 " ", x->issue_date);
        put_text(&b, text);
        free(text);
        end_line(&b);
        ip_buf_adds(&b, "{");
        end_line(&b);
        p.b = &b;
        p.t = t;
        e = post_doc(t, s->customers, x, print_trans, &p, d);
        ip_buf_adds(&b, "}");
        end_line(&b);
    }
    if (e)
        goto out;
    if (fwrite(b.buf, 1, b.len, f) != b.len || ferror(f))
        e = ip_write_failed(d, name, errno);
out:
    free(u.objects);
    free(u.acc);
    free(accs);
    free(docs);
    ip_buf_release(&b);
    return e;
}

char *ip_sie_file_name(int year, int run)
{
    if (run < 0)
        return ip_xasprintf("interndebitering-%d.si", year);
    return ip_xasprintf("interndebitering-%d-%d.si", year, run);
}

static ip_err write_one(const ip_sie_src *s, ip_stage *year, int y, ip_diag *d)
{
    char *name = ip_sie_file_name(y, s->run);
    FILE *f;
    ip_err e = ip_stage_fopen(year, name, &f, d);
    if (!e) {
        char *path = ip_stage_path(year, name);
        e = ip_sie_write(s, f, path, d);
        free(path);
        if (e)
            fclose(f);
        else
            e = ip_stage_fclose(year, f, name, d);
    }
    free(name);
    return e;
}

ip_err ip_sie_write_year(const ip_run *r, const ip_issued *rec, ip_stage *year, ip_diag *d)
{
    size_t n = ip_issued_count(rec), i;
    const ip_issued_doc **docs;
    ip_sie_src s;
    int run, last = -1;
    ip_err e;

    if (!r->tariff->accounting)
        return IP_OK;
    docs = ip_xcalloc(n + 1, sizeof *docs);
    for (i = 0; i < n; i++) {
        docs[i] = ip_issued_at(rec, i);
        if (docs[i]->run > last)
            last = docs[i]->run;
    }
    s.tariff = r->tariff;
    s.customers = r->customers;
    s.docs = docs;
    s.ndocs = n;
    s.run = -1;
    e = write_one(&s, year, r->year, d);
    for (run = 0; run <= last && !e; run++) {
        for (i = 0; i < n; i++)
            if (docs[i]->run == run && ip_sie_doc_internal(&s, docs[i]))
                break;
        if (i == n)
            continue; /* this run issued nothing internal */
        s.run = run;
        e = write_one(&s, year, r->year, d);
    }
    free(docs);
    return e;
}

/* --- the reconciliation ------------------------------------------------- */

typedef struct summer {
    ip_sie_totals *t;
    int64_t ver_sum;
} summer;

static void sum_trans(void *ctx, const ip_issued_doc *x, const trans *tr)
{
    summer *s = ctx;
    (void)x;
    s->ver_sum += tr->ore;
    if (tr->cost_side)
        s->t->debit[tr->svc] += tr->ore;
    else
        s->t->credit[tr->svc] -= tr->ore;
}

static int cmp_str_ptr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The numbers the credit notes of docs cancel, sorted (heap; *n of them),
 * so that whether an invoice stands is a binary search, not a scan. */
static const char **cancelled_numbers(const ip_issued_doc *const *docs, size_t ndocs, size_t *n)
{
    const char **c = ip_xcalloc(ndocs + 1, sizeof *c);
    size_t j;
    *n = 0;
    for (j = 0; j < ndocs; j++)
        if (docs[j]->is_credit && docs[j]->cancels)
            c[(*n)++] = docs[j]->cancels;
    qsort(c, *n, sizeof *c, cmp_str_ptr);
    return c;
}

void ip_sie_totals_of(const ip_run *r, const ip_issued_doc *const *docs, size_t ndocs,
                      ip_sie_totals *t)
{
    size_t i, s, ncancelled;
    const char **cancelled = cancelled_numbers(docs, ndocs, &ncancelled);
    memset(t, 0, sizeof *t);
    t->configured = r->tariff->accounting != NULL;
    t->nsvc = r->nsvc;
    t->debit = ip_xcalloc(r->nsvc + 1, sizeof *t->debit);
    t->credit = ip_xcalloc(r->nsvc + 1, sizeof *t->credit);
    t->fees = ip_xcalloc(r->nsvc + 1, sizeof *t->fees);
    t->standing = ip_xcalloc(r->nsvc + 1, sizeof *t->standing);
    for (i = 0; i < r->ncust; i++) {
        if (!ip_customer_is_internal(ip_customers_at(r->customers, i), r->tariff))
            continue;
        for (s = 0; s < r->nsvc; s++)
            t->fees[s] += r->svc[s].items[i].fee * 100;
    }
    for (i = 0; i < ndocs; i++) {
        const ip_issued_doc *x = docs[i];
        if (!doc_internal(r->tariff, r->customers, x))
            continue;
        if (!x->is_credit && !bsearch(&x->number, cancelled, ncancelled, sizeof *cancelled,
                                      cmp_str_ptr)) {
            const char *p = x->lines;
            char svc[128];
            int64_t ore;
            while (ip_issued_lines_next(&p, svc, sizeof svc, &ore) == 1) {
                long k = service_index(r->tariff, svc);
                if (k >= 0)
                    t->standing[k] += ore;
                else
                    t->unposted = 1;
            }
        }
        if (t->configured) {
            summer sm;
            ip_diag d;
            sm.t = t;
            sm.ver_sum = 0;
            if (post_doc(r->tariff, r->customers, x, sum_trans, &sm, &d) != IP_OK)
                t->unposted = 1;
            t->nver++;
            if (x->is_credit)
                t->ncredits++;
            else
                t->ninvoices++;
            t->unbalanced += sm.ver_sum != 0;
        }
    }
    for (s = 0; s < r->nsvc; s++) {
        t->debit_total += t->debit[s];
        t->credit_total += t->credit[s];
        t->fees_total += t->fees[s];
        t->standing_total += t->standing[s];
    }
    free(cancelled);
}

void ip_sie_totals_release(ip_sie_totals *t)
{
    free(t->debit);
    free(t->credit);
    free(t->fees);
    free(t->standing);
    memset(t, 0, sizeof *t);
}

int ip_sie_totals_equal(const ip_sie_totals *t)
{
    size_t s;
    if (t->unbalanced || t->unposted)
        return 0;
    for (s = 0; s < t->nsvc; s++)
        if (t->debit[s] != t->fees[s] || t->credit[s] != t->fees[s] ||
            t->standing[s] != t->fees[s])
            return 0;
    return 1;
}

void ip_sie_report(const ip_run *r, const ip_issued_doc *const *docs, size_t ndocs, FILE *f)
{
    ip_sie_totals t;
    size_t s, i;
    int run, last = -1, any = 0;
    char *name, a[40], b[40], c[40], e[40];

    fprintf(f, "\n== internal postings (SIE 4I)\n");
    if (!r->tariff->accounting) {
        fprintf(f, "the tariff has no <accounting>: no SIE file is written\n");
        return;
    }
    ip_sie_totals_of(r, docs, ndocs, &t);
    name = ip_sie_file_name(r->year, -1);
    fprintf(f, "%s: %zu verifications (%zu invoices, %zu credit notes) of the departments with "
               "the seller's organisation number; cost centre %s for the seller\n",
            name, t.nver, t.ninvoices, t.ncredits, r->tariff->accounting->seller_cost_centre);
    free(name);
    for (i = 0; i < ndocs; i++)
        if (docs[i]->run > last)
            last = docs[i]->run;
    fprintf(f, "files per run:");
    for (run = 0; run <= last; run++) {
        size_t k = 0;
        for (i = 0; i < ndocs; i++)
            k += docs[i]->run == run && doc_internal(r->tariff, r->customers, docs[i]);
        if (!k)
            continue;
        name = ip_sie_file_name(r->year, run);
        fprintf(f, " %s (%zu)", name, k);
        free(name);
        any = 1;
    }
    fprintf(f, "%s\n", any ? "" : " none");
    fprintf(f, "%-10s %-7s %-7s %18s %18s %18s %18s\n", "service", "cost", "revenue",
            "debit, kr", "credit, kr", "fees, kr", "standing, kr");
    for (s = 0; s < r->nsvc; s++)
        fprintf(f, "%-10s %-7s %-7s %18s %18s %18s %18s\n", r->svc[s].svc->id,
                r->tariff->accounting->cost[s]->number, r->tariff->accounting->revenue[s]->number,
                ip_money_fmt_sv(t.debit[s], a, sizeof a), ip_money_fmt_sv(t.credit[s], b, sizeof b),
                ip_money_fmt_sv(t.fees[s], c, sizeof c), ip_money_fmt_sv(t.standing[s], e, sizeof e));
    fprintf(f, "%-10s %-7s %-7s %18s %18s %18s %18s\n", "total", "", "",
            ip_money_fmt_sv(t.debit_total, a, sizeof a), ip_money_fmt_sv(t.credit_total, b, sizeof b),
            ip_money_fmt_sv(t.fees_total, c, sizeof c), ip_money_fmt_sv(t.standing_total, e, sizeof e));
    fprintf(f, "every verification sums to 0: %s; debits = credits = the departments' fees = "
               "their standing invoices, per service: %s\n",
            t.unbalanced ? "NO" : "yes",
            ip_sie_totals_equal(&t) ? "yes" : "NO (run with --correct)");
    ip_sie_totals_release(&t);
}
