/*
 * run.c — one price year's computation: read the tariff and the register,
 * measure every service's basis from the statistics files, consolidate,
 * allocate, and read last year's fees.
 *
 * Each statistics file is read once, however many services take their basis
 * from it (cases.csv feeds two): a "file pass" holds the services of one file
 * and every row is offered to each of them. Every row is validated in full
 * (date, customer number, value), also rows outside the window, because a
 * malformed row means the export is broken, wherever it lies. A customer
 * number missing from the register is an error only on rows that count
 * toward a basis: an old export may well hold customers that no longer exist.
 */
#include "run.h"

#include <errno.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "csv.h"
#include "fees.h"
#include "parse.h"
#include "util.h"

#define MAX_LISTED 10 /* rows listed when several are wrong */

/* Per-service state while its file is read. */
typedef struct svc_pass {
    ip_svc_result *res;
    long date_col;
    long value_col;        /* -1: 1 per row */
    long *match_col;       /* [svc->nmatches] */
    long *snapshot_line;   /* [ncust] line of the snapshot reading, 0 if none */
} svc_pass;

/* An unknown customer number met on counted rows. */
typedef struct unknown_nr {
    uint32_t nr;
    long first_line;
    uint64_t rows;
} unknown_nr;

/* Collects row errors so that the first ten and the total can be reported. */
typedef struct row_errors {
    ip_diag *d;
    size_t count;
    ip_err code;
} row_errors;

static void row_error(row_errors *re, ip_err code, const char *file, long line,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void row_error(row_errors *re, ip_err code, const char *file, long line,
                      const char *fmt, ...)
{
    va_list ap;
    char msg[IP_DIAG_MSG];
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (re->count == 0) {
        ip_diag_set(re->d, code, file, line, "%s", msg);
        re->code = code;
    } else if (re->count < MAX_LISTED) {
        ip_diag_add(re->d, "%s:%ld: %s", file, line, msg);
    }
    re->count++;
}

static void row_errors_finish(row_errors *re)
{
    if (re->count > 1)
        ip_diag_add(re->d, "%zu rows with errors in all%s", re->count,
                    re->count > MAX_LISTED ? " (the first ten are listed)" : "");
}

static size_t month_index(const ip_svc_result *res, ip_date date)
{
    int months = (ip_date_year(date) - ip_date_year(res->first_month)) * 12 +
                 ip_date_month(date) - ip_date_month(res->first_month);
    return months < 0 ? 0 : ((size_t)months >= res->nmonths ? res->nmonths - 1 : (size_t)months);
}

static char *path_join(const char *a, const char *b)
{
    return ip_xasprintf("%s/%s", a, b);
}

static size_t add_file(ip_run *r, const char *name, const char *path)
{
    size_t i;
    for (i = 0; i < r->nfiles; i++)
        if (strcmp(r->files[i].name, name) == 0)
            return i;
    r->files = ip_xrealloc(r->files, (r->nfiles + 1) * sizeof *r->files);
    memset(&r->files[r->nfiles], 0, sizeof *r->files);
    r->files[r->nfiles].name = ip_xstrdup(name);
    r->files[r->nfiles].path = ip_xstrdup(path);
    return r->nfiles++;
}

static void add_warning(ip_run *r, char *line)
{
    r->warnings = ip_xrealloc(r->warnings, (r->nwarnings + 1) * sizeof *r->warnings);
    r->warnings[r->nwarnings++] = line;
}

static ip_err hash_file(ip_input_file *f, ip_diag *d)
{
    struct stat st;
    if (ip_sha256_file(f->path, f->sha256) != 0 || stat(f->path, &st) != 0)
        return ip_diag_set(d, IP_ERR_IO, f->path, 0, "cannot read: %s", strerror(errno));
    f->bytes = (uint64_t)st.st_size;
    return IP_OK;
}

static int field_matches(const ip_field *f, const ip_match *m)
{
    const char *p = f->ptr;
    size_t n = f->len, i;
    ip_trim(&p, &n);
    for (i = 0; i < m->nvalues; i++)
        if (strlen(m->values[i]) == n && memcmp(m->values[i], p, n) == 0)
            return 1;
    return 0;
}

static void note_unknown(unknown_nr **list, size_t *n, size_t *alloc, uint32_t nr, long line)
{
    size_t i;
    for (i = 0; i < *n; i++) {
        if ((*list)[i].nr == nr) {
            (*list)[i].rows++;
            return;
        }
    }
    ip_xgrow((void **)list, alloc, *n + 1, sizeof **list);
    (*list)[*n].nr = nr;
    (*list)[*n].first_line = line;
    (*list)[*n].rows = 1;
    (*n)++;
}

/* Reads one statistics file for the services svc_idx[0..nsvc). */
static ip_err read_file(ip_run *r, size_t file_index, const size_t *svc_idx, size_t nsvc,
                        ip_diag *d)
{
    ip_input_file *file = &r->files[file_index];
    const char *name = file->path;
    ip_csv *c = NULL;
    svc_pass *sp = ip_xcalloc(nsvc, sizeof *sp);
    unknown_nr *unknown = NULL;
    size_t nunknown = 0, unknown_alloc = 0, i, k;
    long cust_col, count_col;
    row_errors re = {d, 0, IP_OK};
    ip_err e;

    e = ip_csv_open(file->path, name, &c, d);
    if (e)
        goto out;
    if ((e = ip_csv_column(c, "customer", 1, &cust_col, d)) ||
        (e = ip_csv_column(c, "count", 0, &count_col, d)))
        goto out;
    for (i = 0; i < nsvc; i++) {
        const ip_service *svc = &r->tariff->services[svc_idx[i]];
        sp[i].res = &r->svc[svc_idx[i]];
        sp[i].res->file_index = file_index;
        if ((e = ip_csv_column(c, svc->date_column, 1, &sp[i].date_col, d)))
            goto out;
        if (svc->value_column) {
            if ((e = ip_csv_column(c, svc->value_column, 1, &sp[i].value_col, d)))
                goto out;
        } else {
            sp[i].value_col = count_col;
        }
        sp[i].match_col = ip_xcalloc(svc->nmatches ? svc->nmatches : 1, sizeof(long));
        for (k = 0; k < svc->nmatches; k++)
            if ((e = ip_csv_column(c, svc->matches[k].column, 1, &sp[i].match_col[k], d)))
                goto out;
        if (svc->is_snapshot)
            sp[i].snapshot_line = ip_xcalloc(r->ncust, sizeof(long));
    }

    for (;;) {
        const ip_field *f;
        int eof, bad = 0;
        int64_t nr64 = 0;
        long slot = -1, line;
        char q[200];
        ip_diag tmp;
        if ((e = ip_csv_next(c, &f, &eof, &tmp))) {
            /* A syntax error ends the file; earlier row errors stay listed first. */
            if (re.count == 0) {
                *d = tmp;
            } else {
                row_error(&re, tmp.code, name, tmp.line, "%s", tmp.msg);
                row_errors_finish(&re);
                e = re.code;
            }
            goto out;
        }
        if (eof)
            break;
        line = ip_csv_line(c);
        if (ip_parse_uint(f[cust_col].ptr, f[cust_col].len, &nr64) != 0 || nr64 > UINT32_MAX) {
            row_error(&re, IP_ERR_DATA, name, line,
                      "expected a customer number (digits), found '%s'",
                      ip_quote(f[cust_col].ptr, f[cust_col].len, q, sizeof q));
            continue;
        }
        slot = ip_customers_slot(r->customers, (uint32_t)nr64);
        for (i = 0; i < nsvc && !bad; i++) {
            const ip_service *svc = sp[i].res->svc;
            ip_svc_result *res = sp[i].res;
            const ip_field *df = &f[sp[i].date_col];
            ip_date date;
            int64_t value = 1;
            int in;
            if (ip_parse_date_or_datetime(df->ptr, df->len, &date) != 0) {
                row_error(&re, IP_ERR_DATA, name, line,
                          "expected a date YYYY-MM-DD in column '%s', found '%s'",
                          svc->date_column, ip_quote(df->ptr, df->len, q, sizeof q));
                bad = 1;
                break;
            }
            if (sp[i].value_col >= 0) {
                const ip_field *vf = &f[sp[i].value_col];
                if (ip_parse_uint(vf->ptr, vf->len, &value) != 0) {
                    row_error(&re, IP_ERR_DATA, name, line,
                              "expected a whole number of 0 or more in column '%s', found '%s'",
                              svc->value_column ? svc->value_column : "count",
                              ip_quote(vf->ptr, vf->len, q, sizeof q));
                    bad = 1;
                    break;
                }
            }
            in = svc->is_snapshot ? date == svc->snapshot
                                  : (date >= svc->from && date <= svc->to);
            if (!in) {
                res->rows_outside++;
                continue;
            }
            for (k = 0; k < svc->nmatches; k++)
                if (!field_matches(&f[sp[i].match_col[k]], &svc->matches[k]))
                    break;
            if (k < svc->nmatches) {
                res->rows_filtered++;
                continue;
            }
            if (slot < 0) {
                note_unknown(&unknown, &nunknown, &unknown_alloc, (uint32_t)nr64, line);
                continue;
            }
            if (svc->is_snapshot) {
                if (sp[i].snapshot_line[slot]) {
                    char ds[11];
                    row_error(&re, IP_ERR_DATA, name, line,
                              "expected one reading per customer on %s, found a second for "
                              "%" PRId64 " (first on line %ld)",
                              ip_date_str(svc->snapshot, ds), nr64, sp[i].snapshot_line[slot]);
                    continue;
                }
                sp[i].snapshot_line[slot] = line;
            }
            if (value > IP_INT_MAX - res->raw[slot]) {
                row_error(&re, IP_ERR_DATA, name, line,
                          "expected a basis total of at most 10^15, found more for customer %" PRId64,
                          nr64);
                bad = 1;
                break;
            }
            res->raw[slot] += value;
            res->monthly[(size_t)slot * res->nmonths + month_index(res, date)] += value;
            res->rows_used++;
        }
    }
    file->rows = ip_csv_records(c);

    if (re.count) {
        row_errors_finish(&re);
        e = re.code;
        goto out;
    }
    if (nunknown) {
        ip_diag_set(d, IP_ERR_ALLOC, name, unknown[0].first_line,
                    "expected customer numbers from customers.csv, found %zu unknown: %" PRIu32
                    "%s", nunknown, unknown[0].nr, nunknown > 1 ? " and others" : "");
        for (i = 0; i < nunknown && i < MAX_LISTED; i++)
            ip_diag_add(d, "%s:%ld: unknown customer %" PRIu32 " on %" PRIu64 " counted row%s",
                        name, unknown[i].first_line, unknown[i].nr, unknown[i].rows,
                        unknown[i].rows == 1 ? "" : "s");
        if (nunknown > MAX_LISTED)
            ip_diag_add(d, "%zu unknown customer numbers in all", nunknown);
        e = IP_ERR_ALLOC;
        goto out;
    }
    for (i = 0; i < nsvc; i++) {
        const ip_service *svc = sp[i].res->svc;
        if (svc->is_snapshot && sp[i].res->rows_used == 0 &&
            sp[i].res->rows_filtered == 0) {
            char ds[11];
            e = ip_diag_set(d, IP_ERR_DATA, name, 0,
                            "expected readings on the snapshot date %s for '%s', found none",
                            ip_date_str(svc->snapshot, ds), svc->id);
            goto out;
        }
    }
    e = hash_file(file, d);
out:
    for (i = 0; i < nsvc; i++) {
        free(sp[i].match_col);
        free(sp[i].snapshot_line);
    }
    free(sp);
    free(unknown);
    ip_csv_free(c);
    return e;
}

/* Follows consolidations from slot to where its basis finally goes. */
static ip_err consolidate(ip_run *r, ip_svc_result *sr, ip_diag *d)
{
    const ip_service *svc = sr->svc;
    const char *tariff_name = r->tariff->path;
    size_t i, k;
    for (k = 0; k < r->ncust; k++) {
        sr->into[k] = -1;
        sr->basis[k] = sr->raw[k];
    }
    for (i = 0; i < svc->nconsolidations; i++) {
        const ip_consolidation *co = &svc->consolidations[i];
        long from = ip_customers_slot(r->customers, co->from);
        long into = ip_customers_slot(r->customers, co->into);
        if (from < 0)
            return ip_diag_set(d, IP_ERR_ALLOC, tariff_name, co->line,
                               "expected a customer from customers.csv in consolidate from, "
                               "found %" PRIu32, co->from);
        if (into < 0)
            return ip_diag_set(d, IP_ERR_ALLOC, tariff_name, co->line,
                               "expected a customer from customers.csv in consolidate into, "
                               "found %" PRIu32, co->into);
        if (sr->into[from] >= 0)
            return ip_diag_set(d, IP_ERR_TARIFF, tariff_name, co->line,
                               "expected one consolidation of %" PRIu32 " in '%s', found a second",
                               co->from, svc->id);
        sr->into[from] = into;
    }
    /* Resolve chains (a into b, b into c: a goes to c); a cycle is an error. */
    for (k = 0; k < r->ncust; k++) {
        long target = sr->into[k];
        size_t steps = 0;
        if (target < 0)
            continue;
        while (sr->into[target] >= 0) {
            target = sr->into[target];
            if (++steps > r->ncust || target == (long)k) {
                const ip_customer *c = ip_customers_at(r->customers, k);
                for (i = 0; i < svc->nconsolidations; i++)
                    if (svc->consolidations[i].from == c->nr)
                        break;
                return ip_diag_set(d, IP_ERR_TARIFF, tariff_name,
                                   i < svc->nconsolidations ? svc->consolidations[i].line : svc->line,
                                   "expected consolidations without a cycle in '%s', found one "
                                   "through %" PRIu32, svc->id, c->nr);
            }
        }
        if (target == (long)k)
            return ip_diag_set(d, IP_ERR_TARIFF, tariff_name, svc->line,
                               "expected consolidations without a cycle in '%s'", svc->id);
        sr->into[k] = target;
    }
    for (k = 0; k < r->ncust; k++) {
        if (sr->into[k] < 0)
            continue;
        sr->basis[sr->into[k]] += sr->raw[k];
        sr->basis[k] = 0;
    }
    return IP_OK;
}

static ip_err allocate(ip_run *r, ip_svc_result *sr, ip_diag *d)
{
    const ip_service *svc = sr->svc;
    size_t k;
    ip_err e;
    for (k = 0; k < r->ncust; k++) {
        sr->items[k].nr = ip_customers_at(r->customers, k)->nr;
        sr->items[k].basis = sr->basis[k];
    }
    e = ip_alloc_run(svc->fee, svc->method == IP_KEY_EQUAL_AND_PROPORTIONAL ? svc->equal_percent : 0,
                     sr->items, r->ncust, &sr->alloc, d);
    if (e) {
        char from[11], to[11];
        const char *file = r->files[sr->file_index].path;
        if (svc->is_snapshot)
            return ip_diag_set(d, e, file, 0,
                               "expected %s above zero on %s for '%s' (fee %" PRId64 " kr), found a total of 0",
                               svc->unit, ip_date_str(svc->snapshot, from), svc->id, svc->fee);
        if (sr->alloc.total == 0 && svc->fee > 0)
            return ip_diag_set(d, e, file, 0,
                               "expected %s in %s–%s for '%s' (fee %" PRId64 " kr), found a total of 0",
                               svc->unit, ip_date_str(svc->from, from), ip_date_str(svc->to, to),
                               svc->id, svc->fee);
        /* other limits: name the service in the message */
        {
            char msg[IP_DIAG_MSG];
            snprintf(msg, sizeof msg, "%s", d->msg);
            return ip_diag_set(d, e, r->tariff->path, svc->line, "service '%s': %s", svc->id, msg);
        }
    }
    return IP_OK;
}

static void inputs_digest(ip_run *r)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0, i;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    size_t f;
    if (!ctx)
        IP_BUG("cannot allocate a digest context");
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    for (f = 0; f < r->nfiles; f++) {
        EVP_DigestUpdate(ctx, r->files[f].name, strlen(r->files[f].name));
        EVP_DigestUpdate(ctx, "  ", 2);
        EVP_DigestUpdate(ctx, r->files[f].sha256, 64);
        EVP_DigestUpdate(ctx, "\n", 1);
    }
    EVP_DigestFinal_ex(ctx, md, &mdlen);
    EVP_MD_CTX_free(ctx);
    for (i = 0; i < mdlen && i < 32; i++)
        snprintf(r->inputs_sha256 + 2 * i, 3, "%02x", md[i]);
}

ip_err ip_run_compute(const ip_run_opts *o, ip_run **out, ip_diag *d)
{
    ip_run *r = ip_xcalloc(1, sizeof *r);
    char *path = NULL, *xsd = NULL, *prev_dir = NULL;
    size_t s, f, *group = NULL;
    struct stat st;
    int found;
    ip_err e = IP_OK;

    *out = NULL;
    r->year = o->year;
    r->input_dir = ip_xasprintf("%s/%d", o->input_root, o->year);
    if (stat(r->input_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        e = ip_diag_set(d, IP_ERR_NOINPUT, r->input_dir, 0,
                        "expected the input folder of price year %d, found no such folder",
                        o->year);
        goto fail;
    }

    path = path_join(r->input_dir, "tariff.xml");
    xsd = path_join(o->templates_dir, "tariff.xsd");
    f = add_file(r, "tariff.xml", path);
    if ((e = ip_tariff_load(path, path, xsd, &r->tariff, d)) || (e = hash_file(&r->files[f], d)))
        goto fail;
    if (r->tariff->year != o->year) {
        e = ip_diag_set(d, IP_ERR_TARIFF, path, 0,
                        "expected a tariff for price year %d, found year=\"%d\"", o->year,
                        r->tariff->year);
        goto fail;
    }
    free(path);
    path = path_join(r->input_dir, "customers.csv");
    f = add_file(r, "customers.csv", path);
    if ((e = ip_customers_load(path, path, r->tariff, &r->customers, d)) ||
        (e = hash_file(&r->files[f], d)))
        goto fail;
    r->files[f].rows = ip_customers_count(r->customers);
    r->ncust = ip_customers_count(r->customers);

    r->nsvc = r->tariff->nservices;
    r->svc = ip_xcalloc(r->nsvc, sizeof *r->svc);
    for (s = 0; s < r->nsvc; s++) {
        ip_svc_result *sr = &r->svc[s];
        sr->svc = &r->tariff->services[s];
        sr->raw = ip_xcalloc(r->ncust, sizeof *sr->raw);
        if (sr->svc->is_snapshot) {
            sr->first_month = sr->svc->snapshot / 100 * 100 + 1;
            sr->nmonths = 1;
        } else {
            sr->first_month = sr->svc->from / 100 * 100 + 1;
            sr->nmonths = (size_t)((ip_date_year(sr->svc->to) - ip_date_year(sr->svc->from)) * 12 +
                                   ip_date_month(sr->svc->to) - ip_date_month(sr->svc->from) + 1);
        }
        sr->monthly = ip_xcalloc(r->ncust * sr->nmonths, sizeof *sr->monthly);
        sr->basis = ip_xcalloc(r->ncust, sizeof *sr->basis);
        sr->into = ip_xcalloc(r->ncust, sizeof *sr->into);
        sr->items = ip_xcalloc(r->ncust, sizeof *sr->items);
        sr->prev_fee = ip_xcalloc(r->ncust, sizeof *sr->prev_fee);
        sr->prev_basis = ip_xcalloc(r->ncust, sizeof *sr->prev_basis);
    }

    /* One pass per statistics file, in the order the tariff first names them. */
    group = ip_xcalloc(r->nsvc, sizeof *group);
    for (s = 0; s < r->nsvc; s++) {
        const char *fname = r->tariff->services[s].file;
        size_t n = 0, t, before = r->nfiles;
        struct stat fst;
        free(path);
        path = path_join(r->input_dir, fname);
        f = add_file(r, fname, path);
        if (f < before)
            continue; /* already read with an earlier service */
        if (stat(path, &fst) != 0) {
            e = ip_diag_set(d, IP_ERR_NOINPUT, path, 0,
                            "cannot open the statistics file of service '%s': %s",
                            r->tariff->services[s].id, strerror(errno));
            goto fail;
        }
        for (t = s; t < r->nsvc; t++)
            if (strcmp(r->tariff->services[t].file, fname) == 0)
                group[n++] = t;
        if ((e = read_file(r, f, group, n, d)))
            goto fail;
    }
    for (s = 0; s < r->nsvc; s++)
        if ((e = consolidate(r, &r->svc[s], d)) || (e = allocate(r, &r->svc[s], d)))
            goto fail;

    prev_dir = ip_xasprintf("%s/%d/fees.csv", o->output_root, o->year - 1);
    r->prev_path = prev_dir;
    prev_dir = NULL;
    if ((e = ip_fees_read_prev(r, r->prev_path, &found, d)))
        goto fail;
    r->have_prev = found;
    if (!found)
        add_warning(r, ip_xasprintf("no fees of %d (%d/fees.csv in the output folder): "
                                    "the Y-1 columns show '–'", o->year - 1, o->year - 1));
    inputs_digest(r);
    free(group);
    free(path);
    free(xsd);
    *out = r;
    return IP_OK;
fail:
    free(group);
    free(path);
    free(xsd);
    free(prev_dir);
    ip_run_free(r);
    return e;
}

void ip_run_free(ip_run *r)
{
    size_t i;
    if (!r)
        return;
    for (i = 0; i < r->nsvc; i++) {
        free(r->svc[i].raw);
        free(r->svc[i].monthly);
        free(r->svc[i].basis);
        free(r->svc[i].into);
        free(r->svc[i].items);
        free(r->svc[i].prev_fee);
        free(r->svc[i].prev_basis);
    }
    free(r->svc);
    for (i = 0; i < r->nfiles; i++) {
        free(r->files[i].name);
        free(r->files[i].path);
    }
    free(r->files);
    for (i = 0; i < r->nwarnings; i++)
        free(r->warnings[i]);
    free(r->warnings);
    ip_customers_free(r->customers);
    ip_tariff_free(r->tariff);
    free(r->input_dir);
    free(r->prev_path);
    free(r);
}

int64_t ip_run_customer_total(const ip_run *r, size_t slot)
{
    int64_t t = 0;
    size_t s;
    for (s = 0; s < r->nsvc; s++)
        t += r->svc[s].items[slot].fee;
    return t;
}

int64_t ip_run_customer_prev_total(const ip_run *r, size_t slot)
{
    int64_t t = 0;
    size_t s;
    for (s = 0; s < r->nsvc; s++) {
        if (r->svc[s].prev_fee[slot] == IP_NO_PREV)
            return IP_NO_PREV;
        t += r->svc[s].prev_fee[slot];
    }
    return t;
}
