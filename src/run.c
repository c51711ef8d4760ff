/*
 * run.c — one price year's computation: read the tariff and the register,
 * measure every service's basis from the statistics files (one pass per
 * file, basis.c), consolidate, allocate; last year's fees are handed in.
 *
 * The statistics files are read in the order the tariff first names them,
 * each once with all the services that take their basis from it; the
 * tariff and the register, which their loaders read themselves, are hashed
 * with one more small read. Several tariffs on the same statistics (the
 * scenario) are computed in one call: each file is still read once, with
 * the services of every tariff that names it.
 */
#include "run.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "basis.h"
#include "consolidate.h"
#include "date.h"
#include "digest.h"
#include "files.h"
#include "money.h"
#include "util.h"

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

/* A warning in English (stderr, report.txt) and in Swedish (the workbook);
 * both heap strings, taken over. */
static void add_warning(ip_run *r, char *line, char *sv)
{
    r->warnings = ip_xrealloc(r->warnings, (r->nwarnings + 1) * sizeof *r->warnings);
    r->warnings_sv = ip_xrealloc(r->warnings_sv, (r->nwarnings + 1) * sizeof *r->warnings_sv);
    r->warnings_sv[r->nwarnings] = sv;
    r->warnings[r->nwarnings++] = line;
}

/* Company invoices: a Swedish VAT invoice names the buyer's address, and a
 * company pays to the seller's account. What the register or the tariff
 * lacks for that is a warning (the invoice is still valid PEPPOL BIS 3,
 * where the address lines are optional), listed in the report. */
static void company_warnings(ip_run *r)
{
    size_t k, invoiced = 0;
    for (k = 0; k < r->ncust; k++) {
        const ip_customer *c = ip_customers_at(r->customers, k);
        const char *missing[3], *saknas[3];
        size_t n = 0;
        int64_t total = ip_run_customer_total(r, k);
        if (ip_customer_is_internal(c, r->tariff))
            continue;
        invoiced += total > 0;
        if (!c->street)
            saknas[n] = "gatuadress", missing[n++] = "street";
        if (!c->postcode)
            saknas[n] = "postnummer", missing[n++] = "postcode";
        if (!c->city)
            saknas[n] = "ort", missing[n++] = "city";
        if (n == 0)
            continue;
        add_warning(r, ip_xasprintf("customers.csv:%ld: company %" PRIu32 " %s has no %s%s%s%s%s "
                                    "in the register: a Swedish VAT invoice names the buyer's "
                                    "address (%s)",
                                    c->line, c->nr, c->name, missing[0],
                                    n == 2 ? " or " : n == 3 ? ", " : "", n > 1 ? missing[1] : "",
                                    n == 3 ? " or " : "", n == 3 ? missing[2] : "",
                                    total > 0 ? "invoiced this year" : "no fee this year"),
                    ip_xasprintf("customers.csv:%ld: bolaget %" PRIu32 " %s saknar %s%s%s%s%s "
                                 "i kundregistret: en svensk momsfaktura ska ange köparens "
                                 "adress (%s)",
                                 c->line, c->nr, c->name, saknas[0],
                                 n == 2 ? " och " : n == 3 ? ", " : "", n > 1 ? saknas[1] : "",
                                 n == 3 ? " och " : "", n == 3 ? saknas[2] : "",
                                 total > 0 ? "faktureras i år" : "ingen avgift i år"));
    }
    if (invoiced && !ip_tariff_has_payment(r->tariff))
        add_warning(r, ip_xasprintf("the tariff gives no bankgiro, plusgiro or iban on "
                                    "<invoicing>: the invoices of %zu companies say nothing "
                                    "about how to pay", invoiced),
                    ip_xasprintf("tariffen anger inget bankgiro, plusgiro eller iban i "
                                 "<invoicing>: fakturorna till %zu bolag säger inte hur de ska "
                                 "betalas", invoiced));
}

/* Rows a <match> left out although their value reads as one of its values
 * (basis.h, rows_near): the run goes on, the warning says what and where. */
static void near_warning(ip_run *r, const char *path, const ip_basis *b)
{
    const ip_match *m = &b->svc->matches[b->near_match];
    const char *want = m->values[b->near_value];
    char q[200];
    int one = b->rows_near == 1;
    ip_quote(want, strlen(want), q, sizeof q);
    add_warning(r,
                ip_xasprintf("%s:%ld: %" PRIu64 " row%s in the %s of '%s' hold '%s' in column "
                             "'%s', which differs from the tariff's '%s' only in case, spaces "
                             "or invisible characters; %s not counted",
                             path, b->near_line, b->rows_near, one ? "" : "s",
                             b->svc->is_snapshot ? "snapshot" : "window", b->svc->id,
                             b->near_found, m->column, q, one ? "it is" : "they are"),
                ip_xasprintf("%s:%ld: %" PRIu64 " rad%s i %s för '%s' har '%s' i kolumnen "
                             "'%s', som skiljer sig från tariffens '%s' bara i versaler, "
                             "blanksteg eller osynliga tecken; %s inte med",
                             path, b->near_line, b->rows_near, one ? "" : "er",
                             b->svc->is_snapshot ? "mätdagen" : "perioden", b->svc->id,
                             b->near_found, m->column, q, one ? "den räknas" : "de räknas"));
}

/* A basis of 0 with a fee to share says why: no rows in the window (the
 * dates the file holds), rows in the window that the filters all rejected
 * (the <match>'s line and some values the file holds in its column), or
 * rows whose values are all 0. */
static ip_err zero_basis(const ip_run *r, const ip_svc_result *sr, const char *file,
                         const char *when, ip_diag *d)
{
    const ip_service *svc = sr->svc;
    char a[11], b[11], q[200], fee[32], rows[32];
    size_t i;
    ip_money_fmt_thousands(svc->fee, fee, sizeof fee);
    if (sr->rows_used == 0 && sr->rows_filtered == 0) {
        if (!sr->first_date)
            return ip_diag_set(d, IP_ERR_UNALLOCATABLE, file, 0,
                               "expected %s %s for '%s' (fee %s kr), found no rows: the file "
                               "has none", svc->unit, when, svc->id, fee);
        return ip_diag_set(d, IP_ERR_UNALLOCATABLE, file, 0,
                           "expected %s %s for '%s' (fee %s kr), found no rows in the window: "
                           "the file's dates in column '%s' run from %s to %s",
                           svc->unit, when, svc->id, fee, svc->date_column,
                           ip_date_str(sr->first_date, a), ip_date_str(sr->last_date, b));
    }
    if (sr->rows_used == 0 && svc->nmatches) {
        const ip_match *m = &svc->matches[sr->reject_match < svc->nmatches ? sr->reject_match : 0];
        ip_buf held;
        ip_buf_init(&held);
        for (i = 0; i < sr->nrejected; i++)
            ip_buf_addf(&held, "%s'%s'", i ? ", " : "",
                        ip_quote(sr->rejected[i], strlen(sr->rejected[i]), q, sizeof q));
        ip_diag_set(d, IP_ERR_UNALLOCATABLE, r->tariff->path, m->line,
                    "expected rows of %s %s matching the <match> on column '%s' for '%s' "
                    "(fee %s kr), found none of the %s in the window; the column "
                    "holds %s%s", svc->file, when, m->column, svc->id, fee,
                    ip_money_fmt_thousands((int64_t)sr->rows_filtered, rows, sizeof rows), held.buf ? held.buf : "",
                    sr->nrejected == IP_BASIS_SEEN ? ", …" : "");
        ip_buf_release(&held);
        return IP_ERR_UNALLOCATABLE;
    }
    return ip_diag_set(d, IP_ERR_UNALLOCATABLE, file, 0,
                       "expected %s %s%s for '%s' (fee %s kr), found a total of 0 (%" PRIu64
                       " row%s, each 0)", svc->unit, svc->is_snapshot ? "above zero " : "", when,
                       svc->id, fee, sr->rows_used, sr->rows_used == 1 ? "" : "s");
}

static ip_err allocate(ip_run *r, ip_svc_result *sr, ip_diag *d)
{
    const ip_service *svc = sr->svc;
    const char *file = r->files[sr->file_index].path;
    char from[11], to[11], when[40], w[56];
    ip_i128 total = 0;
    size_t k;
    ip_err e;
    for (k = 0; k < r->ncust; k++) {
        sr->items[k].nr = ip_customers_at(r->customers, k)->nr;
        sr->items[k].basis = sr->basis[k];
        total += sr->basis[k]; /* each at most 10^15, at most 10^6 of them */
    }
    if (svc->is_snapshot)
        snprintf(when, sizeof when, "on %s", ip_date_str(svc->snapshot, from));
    else
        snprintf(when, sizeof when, "in %s–%s", ip_date_str(svc->from, from),
                 ip_date_str(svc->to, to));
    /* The limits of the allocation, said of the data that reaches them. */
    if (total > IP_ALLOC_MAX_TOTAL)
        return ip_diag_set(d, IP_ERR_UNALLOCATABLE, file, 0,
                           "expected a basis total of at most 10^15 %s %s for '%s', found %s",
                           svc->unit, when, svc->id, ip_money_fmt_wide(total, w, sizeof w));
    if (total == 0 && svc->fee > 0)
        return zero_basis(r, sr, file, when, d);
    e = ip_alloc_run(svc->fee, svc->method == IP_KEY_EQUAL_AND_PROPORTIONAL ? svc->equal_percent : 0,
                     sr->items, r->ncust, &sr->alloc, d);
    if (e) {
        /* other limits: name the service in the message */
        char msg[IP_DIAG_MSG];
        snprintf(msg, sizeof msg, "%s", d->msg);
        return ip_diag_set(d, e, r->tariff->path, svc->line, "service '%s': %s", svc->id, msg);
    }
    return IP_OK;
}

static void inputs_digest(ip_run *r)
{
    ip_digest *g = ip_digest_new(0);
    size_t f;
    for (f = 0; f < r->nfiles; f++) {
        ip_digest_feed(g, r->files[f].name, strlen(r->files[f].name));
        ip_digest_feed(g, "  ", 2);
        ip_digest_feed(g, r->files[f].sha256, 64);
        ip_digest_feed(g, "\n", 1);
    }
    ip_digest_final(g, r->inputs_sha256);
    ip_digest_free(g);
}

/* The first part of a computation: the input folder, tariff_path's tariff
 * (NULL: the folder's tariff.xml) and the register read and checked, the
 * services' results made ready for their bases. */
static ip_err run_prepare(const ip_run_opts *o, const char *tariff_path, ip_run **out,
                          ip_diag *d)
{
    ip_run *r = ip_xcalloc(1, sizeof *r);
    char *path = NULL, *xsd = NULL;
    size_t s, f, k;
    struct stat st;
    ip_err e = IP_OK;

    *out = NULL;
    r->year = o->year;
    r->progress = o->progress;
    r->progress_ctx = o->progress_ctx;
    r->csv = o->csv;
    r->csv.tap = NULL;
    r->digest_threads = o->digest_threads;
    r->input_dir = ip_xasprintf("%s/%d", o->input_root, o->year);
    if (stat(r->input_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        e = ip_diag_set(d, IP_ERR_NOINPUT, r->input_dir, 0,
                        "expected the input folder of price year %d, found no such folder",
                        o->year);
        goto fail;
    }

    path = tariff_path ? ip_xstrdup(tariff_path) : path_join(r->input_dir, "tariff.xml");
    xsd = path_join(o->templates_dir, "tariff.xsd");
    f = add_file(r, "tariff.xml", path);
    /* Every input is a file of the year folder: a link out of it is refused
     * before anything of its target is read (files.h). The tariff and the
     * register are read once, and their digests and sizes are those of the
     * bytes parsed: a save in between cannot make the record name a file
     * the run did not use. The statistics files get theirs from the parsing
     * read too (ip_basis_measure()). */
    if ((e = ip_files_check_link(path, path, d)) ||
        (e = ip_tariff_load_ex(path, path, xsd, &r->tariff, r->files[f].sha256,
                               &r->files[f].bytes, d)))
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
    if ((e = ip_files_check_link(path, path, d)) ||
        (e = ip_customers_load_ex(path, path, r->tariff, &r->customers, r->files[f].sha256,
                                  &r->files[f].bytes, d)))
        goto fail;
    r->files[f].rows = ip_customers_count(r->customers);
    r->ncust = ip_customers_count(r->customers);

    r->nsvc = r->tariff->nservices;
    r->svc = ip_xcalloc(r->nsvc, sizeof *r->svc);
    for (s = 0; s < r->nsvc; s++) {
        ip_svc_result *sr = &r->svc[s];
        sr->svc = &r->tariff->services[s];
        sr->basis = ip_xcalloc(r->ncust, sizeof *sr->basis);
        sr->into = ip_xcalloc(r->ncust, sizeof *sr->into);
        sr->items = ip_xcalloc(r->ncust, sizeof *sr->items);
        /* last year unknown until ip_run_set_prev() */
        sr->prev_fee = ip_xmalloc((r->ncust ? r->ncust : 1) * sizeof *sr->prev_fee);
        sr->prev_basis = ip_xmalloc((r->ncust ? r->ncust : 1) * sizeof *sr->prev_basis);
        for (k = 0; k < r->ncust; k++)
            sr->prev_fee[k] = sr->prev_basis[k] = IP_NO_PREV;
        sr->prev_total = sr->prev_basis_total = IP_NO_PREV;
    }
    free(path);
    free(xsd);
    *out = r;
    return IP_OK;
fail:
    free(path);
    free(xsd);
    ip_run_free(r);
    return e;
}

/* A statistics file already read for an earlier computation of the same
 * call: its name and what the pass read. */
typedef struct measured_file {
    const char *name; /* borrowed from the run that read it */
    ip_basis_file bf;
} measured_file;

/* The services' bases of runs[0..n), which share one input folder and one
 * register: one pass per statistics file, in the order the first run's
 * tariff first names them (then the files only later runs name), each with
 * every service of every run that takes its basis from it. */
static ip_err measure_runs(ip_run **runs, size_t n, ip_diag *d)
{
    measured_file *done = NULL;
    size_t ndone = 0, i, s, j, t, m;
    char *path = NULL;
    ip_err e = IP_OK;

    for (i = 0; i < n; i++) {
        ip_run *r = runs[i];
        /* the files the run read before its statistics: the tariff and the
         * register, which no service can take its basis from */
        size_t listed = r->nfiles;
        for (s = 0; s < r->nsvc; s++) {
            const char *fname = r->tariff->services[s].file;
            size_t before = r->nfiles, f, ng = 0;
            size_t *run_of, *svc_of;
            ip_basis *b;
            ip_basis_opts o;
            ip_basis_file bf;
            struct stat fst;
            free(path);
            path = path_join(r->input_dir, fname);
            f = add_file(r, fname, path);
            if (f < listed) {
                e = ip_diag_set(d, IP_ERR_TARIFF, r->files[0].path, r->tariff->services[s].line,
                                "expected a statistics file in <basis file=\"…\"> of service "
                                "'%s', found %s, the %s", r->tariff->services[s].id, fname,
                                f == 0 ? "tariff itself" : "register of customers");
                goto out;
            }
            if (f < before)
                continue; /* already measured with an earlier service */
            for (m = 0; m < ndone; m++)
                if (strcmp(done[m].name, fname) == 0)
                    break;
            if (m < ndone) { /* read for an earlier run, with this run's services */
                memcpy(r->files[f].sha256, done[m].bf.sha256, sizeof done[m].bf.sha256);
                r->files[f].bytes = done[m].bf.bytes;
                r->files[f].rows = done[m].bf.rows;
                continue;
            }
            if ((e = ip_files_check_link(path, path, d)))
                goto out;
            if (stat(path, &fst) != 0) {
                e = ip_diag_set(d, IP_ERR_NOINPUT, path, 0,
                                "cannot open the statistics file of service '%s': %s",
                                r->tariff->services[s].id, strerror(errno));
                goto out;
            }
            /* every service of this run and the later ones that reads fname */
            for (j = i; j < n; j++)
                for (t = j == i ? s : 0; t < runs[j]->nsvc; t++)
                    ng += strcmp(runs[j]->tariff->services[t].file, fname) == 0;
            run_of = ip_xcalloc(ng, sizeof *run_of);
            svc_of = ip_xcalloc(ng, sizeof *svc_of);
            b = ip_xcalloc(ng, sizeof *b);
            ng = 0;
            for (j = i; j < n; j++)
                for (t = j == i ? s : 0; t < runs[j]->nsvc; t++)
                    if (strcmp(runs[j]->tariff->services[t].file, fname) == 0) {
                        run_of[ng] = j;
                        svc_of[ng] = t;
                        ip_basis_init(&b[ng++], runs[j]->svc[t].svc, r->ncust);
                    }
            o.csv = r->csv;
            o.digest_threads = r->digest_threads;
            o.progress = r->progress;
            o.progress_ctx = r->progress_ctx;
            e = ip_basis_measure(path, r->customers, b, ng, &o, &bf, d);
            for (t = 0; t < ng; t++) {
                ip_svc_result *sr = &runs[run_of[t]]->svc[svc_of[t]];
                /* the result takes the arrays over (file_index: below) */
                sr->raw = b[t].raw;
                sr->monthly = b[t].monthly;
                sr->nmonths = b[t].nmonths;
                sr->first_month = b[t].first_month;
                sr->rows_used = b[t].rows_used;
                sr->rows_outside = b[t].rows_outside;
                sr->rows_filtered = b[t].rows_filtered;
                sr->first_date = b[t].first_date;
                sr->last_date = b[t].last_date;
                sr->reject_match = b[t].reject_match;
                sr->nrejected = b[t].nrejected;
                memcpy(sr->rejected, b[t].rejected, sizeof sr->rejected);
                if (!e && b[t].rows_near)
                    near_warning(runs[run_of[t]], path, &b[t]);
            }
            free(b);
            free(run_of);
            free(svc_of);
            if (e)
                goto out;
            memcpy(r->files[f].sha256, bf.sha256, sizeof bf.sha256);
            r->files[f].bytes = bf.bytes;
            r->files[f].rows = bf.rows;
            done = ip_xrealloc(done, (ndone + 1) * sizeof *done);
            done[ndone].name = r->files[f].name;
            done[ndone++].bf = bf;
        }
        /* each service's file in this run's own list of files */
        for (s = 0; s < r->nsvc; s++)
            r->svc[s].file_index = add_file(r, r->tariff->services[s].file, "");
    }
out:
    free(done);
    free(path);
    return e;
}

/* The last part: consolidation and allocation of every service, the
 * warnings and the digest over the inputs. */
static ip_err run_finish(ip_run *r, ip_diag *d)
{
    uint32_t *nrs = ip_xcalloc(r->ncust ? r->ncust : 1, sizeof *nrs);
    size_t s;
    ip_err e = IP_OK;
    for (s = 0; s < r->ncust; s++)
        nrs[s] = ip_customers_at(r->customers, s)->nr;
    for (s = 0; s < r->nsvc; s++) {
        ip_svc_result *sr = &r->svc[s];
        if ((e = ip_consolidate(sr->svc, r->tariff->path, nrs, r->ncust, sr->raw, sr->basis,
                                sr->into, d)) ||
            (e = allocate(r, sr, d)))
            break;
        ip_consolidate_members(sr->into, r->ncust, &sr->within_start, &sr->within);
    }
    free(nrs);
    if (e)
        return e;
    company_warnings(r);
    inputs_digest(r);
    r->progress = NULL; /* the options' callback is not the result's */
    r->progress_ctx = NULL;
    return IP_OK;
}

ip_err ip_run_compute(const ip_run_opts *o, ip_run **out, ip_diag *d)
{
    return ip_run_compute_many(o, NULL, 1, out, d);
}

ip_err ip_run_compute_many(const ip_run_opts *o, const char *const *tariffs, size_t n,
                           ip_run **out, ip_diag *d)
{
    size_t i, k;
    ip_err e = IP_OK;
    for (i = 0; i < n; i++)
        out[i] = NULL;
    for (i = 0; i < n && !e; i++) {
        e = run_prepare(o, tariffs ? tariffs[i] : NULL, &out[i], d);
        /* one register file: the same customers in the same slots */
        if (!e && i > 0) {
            if (out[i]->ncust != out[0]->ncust)
                IP_BUG("the register read twice gave %zu and %zu customers", out[0]->ncust,
                       out[i]->ncust);
            for (k = 0; k < out[0]->ncust; k++)
                if (ip_customers_at(out[i]->customers, k)->nr !=
                    ip_customers_at(out[0]->customers, k)->nr)
                    IP_BUG("the register read twice differs in slot %zu", k);
        }
    }
    if (!e)
        e = measure_runs(out, n, d);
    for (i = 0; i < n && !e; i++)
        if ((e = run_finish(out[i], d)) && n > 1)
            ip_diag_add(d, "under the tariff %s", out[i]->tariff->path);
    if (e) {
        for (i = 0; i < n; i++) {
            ip_run_free(out[i]);
            out[i] = NULL;
        }
    }
    return e;
}

void ip_run_set_prev(ip_run *r, const char *path, int found)
{
    char *line, *sv;
    if (r->prev_path)
        IP_BUG("last year's fees handed to the run twice");
    r->prev_path = ip_xstrdup(path);
    r->have_prev = found;
    if (found) {
        /* last year's fees that do not add up to the tariff's previous-fee:
         * the Y-1 totals show their sum, the header the tariff's fee */
        size_t s;
        for (s = 0; s < r->nsvc; s++) {
            const ip_svc_result *sr = &r->svc[s];
            char a[32], b[32];
            if (sr->prev_total == IP_NO_PREV) {
                /* no row of a service that had a fee: a table cut short
                 * must not read as "nothing to compare" */
                if (sr->svc->previous_fee == 0)
                    continue;
                ip_money_fmt_thousands(sr->svc->previous_fee, b, sizeof b);
                add_warning(r,
                            ip_xasprintf("%s: %d/fees.csv has no rows for it, the tariff's "
                                         "previous-fee is %s kr; its %d columns show '–'",
                                         sr->svc->id, r->year - 1, b, r->year - 1),
                            ip_xasprintf("%s: %d/fees.csv har inga rader för tjänsten, "
                                         "tariffens previous-fee är %s kr; kolumnerna för %d "
                                         "visar –",
                                         sr->svc->id, r->year - 1, b, r->year - 1));
                continue;
            }
            if (sr->prev_total == sr->svc->previous_fee)
                continue;
            ip_money_fmt_thousands(sr->prev_total, a, sizeof a);
            ip_money_fmt_thousands(sr->svc->previous_fee, b, sizeof b);
            add_warning(r, ip_xasprintf("%s: the fees of %d (%d/fees.csv) sum to %s kr, the "
                                        "tariff's previous-fee is %s kr",
                                        sr->svc->id, r->year - 1, r->year - 1, a, b),
                        ip_xasprintf("%s: avgifterna %d (%d/fees.csv) summerar till %s kr, "
                                     "tariffens previous-fee är %s kr",
                                     sr->svc->id, r->year - 1, r->year - 1, a, b));
        }
        return;
    }
    /* first in the list, before the register's warnings */
    line = ip_xasprintf("no fees of %d (%d/fees.csv in the output folder): the Y-1 columns "
                        "show '–'", r->year - 1, r->year - 1);
    sv = ip_xasprintf("inga avgifter för %d (%d/fees.csv i utdatamappen): kolumnerna för %d "
                      "visar –", r->year - 1, r->year - 1, r->year - 1);
    add_warning(r, line, sv);
    memmove(r->warnings + 1, r->warnings, (r->nwarnings - 1) * sizeof *r->warnings);
    memmove(r->warnings_sv + 1, r->warnings_sv, (r->nwarnings - 1) * sizeof *r->warnings_sv);
    r->warnings[0] = line;
    r->warnings_sv[0] = sv;
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
        free(r->svc[i].within_start);
        free(r->svc[i].within);
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
    for (i = 0; i < r->nwarnings; i++) {
        free(r->warnings[i]);
        free(r->warnings_sv[i]);
    }
    free(r->warnings);
    free(r->warnings_sv);
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
