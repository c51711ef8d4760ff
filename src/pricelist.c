/*
 * pricelist.c — the price-list workbook prislista-Y.xlsx (SPEC sections 3
 * and 6), the file the controllers open: the workbook itself (created,
 * given its properties, formats and sheets, closed), the order of the
 * customers, the sheet names, and ip_pricelist_write(). The only file that
 * talks to libxlsxwriter's workbook; each sheet is written by its own file
 * through the cell helpers of pricelist_sheet.h:
 *   "Per kund"    pricelist_customers.c: every customer's fee for every
 *                 service, this year's and last year's total and the change;
 *                 subtotals per group.
 *   one per service, pricelist_service.c: laid out like the city's published
 *                 list: description, fixed fee Y and Y-1, the table by group
 *                 with "Delsumma" rows, "Totalt", footnotes for consolidated
 *                 customers.
 *   "Avstämning"  pricelist_check.c: per service the fixed fee against the
 *                 allocated sum (live formulas into the other sheets), the
 *                 basis and its period, rows used; every input file with its
 *                 SHA-256; the issued documents; the internal postings
 *                 (sie.h) against the departments' fees and standing
 *                 invoices.
 *
 * Principles:
 * - Amounts and counts are numbers with number formats, never text; the
 *   int64 kronor become doubles only at the worksheet call (exact below 2^53).
 * - Every sum is a live formula written with worksheet_write_formula_num(), its
 *   cached value the integer the run computed, so a workbook opened without
 *   recalculation shows the right figures and one recalculated agrees.
 * - Text from the inputs (names, labels, descriptions) only ever goes through
 *   worksheet_write_string(), so "=cmd|..." stays text. Formulas are built
 *   from cell references and quoted sheet names only.
 * - The output is reproducible: the document's creation time is the tariff's
 *   issue date at 00:00 UTC, and nothing depends on the clock, the locale or
 *   the paths given on the command line.
 * - Memory does not grow with the sheets: the workbook is written in
 *   libxlsxwriter's constant_memory mode, each row to a temporary file
 *   beside the workbook once the next row begins, its text as inline
 *   strings instead of one shared table. So every sheet writes its rows top
 *   to bottom, and a filter or a row height is set while its last row is
 *   still the one being written; a cell written above that row is refused
 *   by libxlsxwriter and is a bug the cell helpers report (5 000 customers
 *   × 50 services: 96 MiB peak RSS instead of 335 MiB).
 */
#include "pricelist.h"

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "date.h"
#include "files.h"
#include "pricelist_sheet.h"
#include "utf8.h"
#include "stage.h"
#include "util.h"

#define SHEET_NAME_MAX 31     /* Excel's limit, in characters */
#define ELLIPSIS "…"

/* Number formats, in the file's (en-US) notation: Excel and LibreOffice show
 * "," as the reader's thousands separator and "." as the decimal sign, so a
 * Swedish installation prints "240 000 kr" and "64,70 %". */
#define NF_COUNT "#,##0"
/* A customer's count and share: 0 (no basis) shows "–", the cell stays a
 * number. */
#define NF_COUNT_DASH "#,##0;-#,##0;\"–\""
#define NF_PCT_DASH "0.00 %;-0.00 %;\"–\""
#define NF_KR "#,##0 \"kr\";-#,##0 \"kr\";\"- kr\""
#define NF_CHANGE_KR "+#,##0 \"kr\";-#,##0 \"kr\";0 \"kr\""
#define NF_PCT "0.00 %"
/* A change that shows as 0,0 % has no sign: a value closer to 0 than the
 * last decimal is shown by the third section, never as "-0,0 %". */
#define NF_CHANGE_PCT "[>=0.0005]+0.0 %;[<=-0.0005]-0.0 %;0.0 %"
#define NF_ORE "#,##0.00 \"kr\";-#,##0.00 \"kr\";0.00 \"kr\""

/* ---- sheet names -------------------------------------------------------- */

/* Sheet names equal as Excel sees them (case-insensitively, utf8.h). */
static int sheet_name_eq(const char *a, const char *b)
{
    return ip_utf8_caseeq(a, strlen(a), b, strlen(b));
}

/* The name cut to max characters; longer names end in "…". */
static char *fit_name(const char *s, size_t max)
{
    if (ip_utf8_count(s, strlen(s)) <= max)
        return ip_xstrdup(s);
    return ip_xasprintf("%.*s" ELLIPSIS, (int)ip_utf8_prefix(s, strlen(s), max - 1), s);
}

/* A worksheet name for a service: the name without the characters Excel
 * forbids ([]:*?/\), control characters and leading/trailing apostrophes
 * and spaces, at most 31 characters, not "History" (reserved) nor already in
 * taken[0..ntaken) (Excel compares names case-insensitively: " (2)" is added),
 * falling back to the id. */
IP_STATIC char *ip_pricelist_sheet_name(const char *name, const char *fallback,
                                        const char *const *taken, size_t ntaken)
{
    ip_buf b;
    char *base, *cand;
    const char *p;
    size_t start, i;
    int n;
    ip_buf_init(&b);
    for (p = name ? name : ""; *p; p++) {
        if (strchr("[]:*?/\\", *p) || (unsigned char)*p < 0x20)
            continue;
        ip_buf_addch(&b, *p);
    }
    while (b.len > 0 && (b.buf[b.len - 1] == ' ' || b.buf[b.len - 1] == '\''))
        b.buf[--b.len] = '\0';
    for (start = 0; b.buf[start] == ' ' || b.buf[start] == '\''; start++)
        ;
    if (b.buf[start] == '\0') {
        ip_buf_release(&b);
        if (fallback && *fallback)
            return ip_pricelist_sheet_name(fallback, NULL, taken, ntaken);
        ip_buf_init(&b);
        ip_buf_adds(&b, "Tjänst");
        start = 0;
    }
    base = ip_xstrdup(b.buf + start);
    ip_buf_release(&b);
    cand = fit_name(base, SHEET_NAME_MAX);
    for (n = 2;; n++) {
        int clash = sheet_name_eq(cand, "History"); /* reserved by Excel */
        for (i = 0; i < ntaken && !clash; i++)
            clash = taken[i] && sheet_name_eq(taken[i], cand);
        if (!clash)
            break;
        free(cand);
        {
            char suffix[16];
            char *cut;
            snprintf(suffix, sizeof suffix, " (%d)", n);
            cut = fit_name(base, SHEET_NAME_MAX - strlen(suffix));
            cand = ip_xasprintf("%s%s", cut, suffix);
            free(cut);
        }
    }
    free(base);
    return cand;
}

/* The sheet name for another workbook in this one's style (compare_book.c):
 * ip_pricelist_sheet_name(), which the shipped program keeps static. */
char *ip_pl_sheet_name(const char *name, const char *fallback, const char *const *taken,
                       size_t ntaken)
{
    return ip_pricelist_sheet_name(name, fallback, taken, ntaken);
}

/* ---- formats ------------------------------------------------------------ */

static lxw_format *fmt_new(lxw_workbook *wb, const char *num_format, int bold, int align)
{
    lxw_format *f = workbook_add_format(wb);
    if (num_format)
        format_set_num_format(f, num_format);
    if (bold)
        format_set_bold(f);
    if (align)
        format_set_align(f, (uint8_t)align);
    return f;
}

/* A format with no property of its own is the workbook's default (index
 * 0). libxlsxwriter remembers the index of a format only when it adds a
 * new one to its table; a format equal to one already there is looked up
 * again, by a hash of all its properties and a search of a table whose
 * size is fixed, for every cell written with it when the workbook is
 * closed — and the table grows with the "ingår i <nr>" formats, one per
 * customer others are counted in. Asked once here, the default's index is
 * kept (nothing is added to the table, so the indexes of the other formats
 * and the workbook's bytes stay as they are). */
static lxw_format *fmt_plain(lxw_workbook *wb)
{
    lxw_format *f = fmt_new(wb, NULL, 0, 0);
    int32_t xf = lxw_format_get_xf_index(f);
    if (xf != 0)
        IP_BUG("a format without properties got the index %d, not the default's", (int)xf);
    f->xf_index = xf;
    return f;
}

/* The workbook's formats, all made before any cell is written. */
void ip_pl_set_properties(lxw_workbook *wb, const ip_tariff *t, int year, const char *title,
                          const char *subject)
{
    lxw_doc_properties props;
    memset(&props, 0, sizeof props);
    props.title = (char *)title;
    props.subject = (char *)subject;
    props.author = (char *)"internpris";
    props.company = t->seller.name && *t->seller.name
                        ? t->seller.name
                        : (char *)"Stockholms stad, Serviceförvaltningen";
    /* The issue date, or 1 January of the price year: the same bytes on
     * every run of the same inputs. */
    props.created = (time_t)ip_date_epoch(t->issue_date ? t->issue_date : ip_date_of(year, 1, 1));
    workbook_set_properties(wb, &props);
}

void ip_pl_make_formats(lxw_workbook *wb, ip_pl_fmts *f)
{
    lxw_format **subs[] = {&f->sub_label, &f->sub_count, &f->sub_kr, &f->sub_pct,
                           &f->sub_dash, &f->sub_change_kr, &f->sub_change_pct, &f->sub_blank};
    lxw_format **tots[] = {&f->tot_label, &f->tot_count, &f->tot_kr, &f->tot_pct,
                           &f->tot_dash, &f->tot_change_kr, &f->tot_change_pct, &f->tot_blank};
    const char *nf[] = {NULL, NF_COUNT, NF_KR, NF_PCT, NULL, NF_CHANGE_KR, NF_CHANGE_PCT, NULL};
    size_t i;

    f->title = fmt_new(wb, NULL, 1, 0);
    format_set_font_size(f->title, 14);
    f->subtitle = fmt_new(wb, NULL, 0, 0);
    format_set_italic(f->subtitle);
    format_set_font_color(f->subtitle, 0x595959);
    f->text = fmt_plain(wb);
    f->wrap = fmt_new(wb, NULL, 0, LXW_ALIGN_LEFT);
    format_set_text_wrap(f->wrap);
    format_set_align(f->wrap, LXW_ALIGN_VERTICAL_TOP);
    f->note = fmt_new(wb, NULL, 0, 0);
    format_set_italic(f->note);
    f->bold = fmt_new(wb, NULL, 1, 0);
    f->group = fmt_new(wb, NULL, 1, 0);
    format_set_italic(f->group);

    f->head = fmt_new(wb, NULL, 1, LXW_ALIGN_LEFT);
    f->head_num = fmt_new(wb, NULL, 1, LXW_ALIGN_RIGHT);
    format_set_text_wrap(f->head);
    format_set_text_wrap(f->head_num);
    format_set_align(f->head, LXW_ALIGN_VERTICAL_BOTTOM);
    format_set_align(f->head_num, LXW_ALIGN_VERTICAL_BOTTOM);
    format_set_bottom(f->head, LXW_BORDER_THIN);
    format_set_bottom(f->head_num, LXW_BORDER_THIN);
    format_set_bg_color(f->head, 0xDDEBF7);
    format_set_bg_color(f->head_num, 0xDDEBF7);
    f->head_indent = fmt_new(wb, NULL, 1, LXW_ALIGN_LEFT);
    format_set_text_wrap(f->head_indent);
    format_set_align(f->head_indent, LXW_ALIGN_VERTICAL_BOTTOM);
    format_set_bottom(f->head_indent, LXW_BORDER_THIN);
    format_set_bg_color(f->head_indent, 0xDDEBF7);
    format_set_indent(f->head_indent, 1);

    f->nr = fmt_new(wb, "0", 0, LXW_ALIGN_LEFT);
    f->name = fmt_plain(wb);
    f->count = fmt_new(wb, NF_COUNT_DASH, 0, 0);
    f->kr = fmt_new(wb, NF_KR, 0, 0);
    f->pct = fmt_new(wb, NF_PCT_DASH, 0, 0);
    f->dash = fmt_new(wb, NULL, 0, LXW_ALIGN_RIGHT);
    f->change_kr = fmt_new(wb, NF_CHANGE_KR, 0, 0);
    f->change_pct = fmt_new(wb, NF_CHANGE_PCT, 0, 0);

    for (i = 0; i < IP_ARRAY_LEN(subs); i++) {
        *subs[i] = fmt_new(wb, nf[i], 1, i == 0 ? 0 : LXW_ALIGN_RIGHT);
        format_set_top(*subs[i], LXW_BORDER_THIN);
        format_set_bg_color(*subs[i], 0xF2F2F2);
        *tots[i] = fmt_new(wb, nf[i], 1, i == 0 ? 0 : LXW_ALIGN_RIGHT);
        format_set_top(*tots[i], LXW_BORDER_THIN);
        format_set_bottom(*tots[i], LXW_BORDER_DOUBLE);
        format_set_bg_color(*tots[i], 0xDDEBF7);
    }
    f->year_head = fmt_new(wb, NULL, 1, LXW_ALIGN_RIGHT);
    f->fixed_kr = fmt_new(wb, NF_KR, 1, 0);
    f->within = fmt_new(wb, NULL, 0, LXW_ALIGN_RIGHT);
    format_set_italic(f->within);
    format_set_shrink(f->within);
    f->mark = fmt_new(wb, NULL, 0, LXW_ALIGN_LEFT);
    f->note_wrap = fmt_new(wb, NULL, 0, LXW_ALIGN_LEFT);
    format_set_italic(f->note_wrap);
    format_set_text_wrap(f->note_wrap);
    format_set_align(f->note_wrap, LXW_ALIGN_VERTICAL_TOP);
    f->unit = fmt_new(wb, NULL, 0, LXW_ALIGN_LEFT);
    format_set_indent(f->unit, 1);
    f->mono = fmt_new(wb, NULL, 0, 0);
    format_set_font_name(f->mono, "Courier New");
    format_set_indent(f->mono, 1);
    format_set_font_size(f->mono, 9);
    f->int_num = fmt_new(wb, NF_COUNT, 0, 0);
    f->ore = fmt_new(wb, NF_ORE, 0, 0);
    f->date = f->dash; /* the same properties: one format, looked up once */
}

/* "Per kund": for each customer others are counted in, a fee format whose
 * zero reads "ingår i <nr>", for the consolidated customers' zero fees. */
static void make_within_formats(lxw_workbook *wb, ip_pl_ctx *c)
{
    const ip_run *r = c->r;
    size_t s, k;
    c->within_kr = ip_xcalloc(r->ncust ? r->ncust : 1, sizeof *c->within_kr);
    for (s = 0; s < r->nsvc; s++) {
        for (k = 0; k < r->ncust; k++) {
            long t = r->svc[s].into[k];
            char nf[96];
            if (t < 0 || c->within_kr[t])
                continue;
            snprintf(nf, sizeof nf, "#,##0 \"kr\";-#,##0 \"kr\";\"ingår i %" PRIu32 "\"",
                     ip_customers_at(r->customers, (size_t)t)->nr);
            c->within_kr[t] = fmt_new(wb, nf, 0, LXW_ALIGN_RIGHT);
            format_set_italic(c->within_kr[t]);
        }
    }
}

const char *ip_pl_service_label(const ip_service *svc)
{
    return svc->short_name && *svc->short_name ? svc->short_name : svc->name;
}

/* ---- customer order ----------------------------------------------------- */

/* The table order of every sheet: by group in the tariff's order, then by
 * register order. */
void ip_pl_make_order(ip_pl_ctx *c)
{
    const ip_run *r = c->r;
    size_t ng = r->tariff->ngroups, g, k, n = 0;
    c->order = ip_xcalloc(r->ncust ? r->ncust : 1, sizeof *c->order);
    c->group_start = ip_xcalloc(ng + 1, sizeof *c->group_start);
    for (g = 0; g < ng; g++) {
        c->group_start[g] = n;
        for (k = 0; k < r->ncust; k++)
            if (ip_customers_at(r->customers, k)->group_index == g)
                c->order[n++] = k;
    }
    c->group_start[ng] = n;
    if (n != r->ncust)
        IP_BUG("customers outside the tariff's groups: %zu of %zu placed", n, r->ncust);
}

/* ---- the workbook ------------------------------------------------------- */

/* Standard error is pointed at /dev/null while a sheet is added and while
 * the workbook closes. libxlsxwriter prints its own lines there when it
 * fails ("libxlsxwriter: [ERROR][./src/packager.c:1541]: Error in closing
 * member in the zipfile", "Error creating tmpfile() for worksheet in
 * 'constant_memory' mode", from its LXW_ERROR macro, compiled into the
 * library: no flag of ours turns it off). They start with no file, and the
 * run reports the failure itself in the one form, "FILE: cannot write:
 * reason" or "FILE: cannot create the workbook: reason", with the errno the
 * library left or its error code, so they are dropped. Both descriptors are
 * opened before the workbook: pointing standard error elsewhere and back
 * takes no new one, so the lines are dropped also when the failure is for
 * want of descriptors. Nothing else of ours prints meanwhile; a signal waits
 * (signals.h). */
int ip_pl_quiet_open(ip_pl_ctx *c)
{
    int err = 0;
    c->quiet.null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    c->quiet.saved = c->quiet.null >= 0 ? fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 0) : -1;
    if (c->quiet.saved < 0) {
        err = errno;
        ip_pl_quiet_close(c);
    }
    return err;
}

void ip_pl_quiet_close(ip_pl_ctx *c)
{
    if (c->quiet.saved >= 0)
        close(c->quiet.saved);
    if (c->quiet.null >= 0)
        close(c->quiet.null);
    c->quiet.null = c->quiet.saved = -1;
}

static void quiet(const ip_pl_quiet *q, int on)
{
    fflush(stderr);
    if (q->null >= 0 && q->saved >= 0)
        dup2(on ? q->null : q->saved, STDERR_FILENO);
}

lxw_worksheet *ip_pl_add_sheet(ip_pl_ctx *c, lxw_workbook *wb, const char *name, int *err)
{
    lxw_worksheet *ws;
    quiet(&c->quiet, 1);
    errno = 0;
    ws = workbook_add_worksheet(wb, name);
    *err = ws ? 0 : errno;
    quiet(&c->quiet, 0);
    c->nsheets += ws != NULL;
    /* its name was made valid by ip_pl_sheet_name() (or is one of ours) */
    if (!ws && !*err)
        IP_BUG("libxlsxwriter refused the sheet name '%s'", name);
    return ws;
}

lxw_error ip_pl_close_quietly(ip_pl_ctx *c, lxw_workbook *wb, int *err)
{
    lxw_error e = LXW_ERROR_CREATING_XLSX_FILE;
    if (c->nsheets == 0) {
        /* workbook_close() would add a default sheet, whose temporary file
         * fails as the first did, and use it all the same (a crash in
         * libxlsxwriter 1.1.4) */
        lxw_workbook_free(wb);
    } else {
        quiet(&c->quiet, 1);
        errno = 0;
        e = workbook_close(wb);
        *err = errno;
        quiet(&c->quiet, 0);
    }
    ip_pl_quiet_close(c);
    return e;
}

/* The failure of the workbook at path in the one form: "FILE: cannot
 * create the workbook: reason" (73) or "FILE: cannot write: reason" (74),
 * FILE as the person will find it (ip_stage_shown). */
ip_err ip_pl_close_failed(ip_diag *d, const char *path, lxw_error e, int err)
{
    char *shown;
    ip_err code = e == LXW_ERROR_CREATING_XLSX_FILE ? IP_ERR_CANTCREAT : IP_ERR_IO;
    if (code == IP_ERR_IO && err)
        return ip_write_failed(d, path, err);
    shown = ip_stage_shown(path);
    if (code == IP_ERR_CANTCREAT)
        ip_diag_set(d, code, shown, 0, "cannot create the workbook: %s",
                    err ? strerror(err) : lxw_strerror(e));
    else
        ip_diag_set(d, code, shown, 0, "cannot write: %s", lxw_strerror(e));
    free(shown);
    return code;
}

const char *ip_pricelist_lib_version(void)
{
    return LXW_VERSION;
}

ip_err ip_pricelist_write(const ip_run *r, const ip_billing *bill, const char *path,
                          ip_diag *d)
{
    ip_pl_ctx c;
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_workbook_options opt;
    const ip_tariff *t = r->tariff;
    /* libxlsxwriter's temporary files beside the output, on its file system */
    char *tmpdir = ip_files_dir_of(path), *title, *subject;
    const char **taken;
    size_t s;
    lxw_error e;
    ip_err ret = IP_OK;
    int fd, err = 0;

    /* libxlsxwriter creates the file only at the end; find out now, with the
     * system's reason, whether it can be. */
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd < 0 || close(fd) != 0) {
        int er = errno;
        char *shown = ip_stage_shown(path);
        free(tmpdir);
        ip_diag_set(d, IP_ERR_CANTCREAT, shown, 0, "cannot create the workbook: %s",
                    strerror(er));
        free(shown);
        return IP_ERR_CANTCREAT;
    }

    memset(&c, 0, sizeof c);
    c.r = r;
    c.bill = bill;
    if ((err = ip_pl_quiet_open(&c)) != 0) {
        free(tmpdir);
        return ip_pl_close_failed(d, path, LXW_ERROR_CREATING_XLSX_FILE, err);
    }
    memset(&opt, 0, sizeof opt);
    opt.tmpdir = tmpdir;
    opt.constant_memory = LXW_TRUE; /* rows top to bottom: see the top of this file */
    wb = workbook_new_opt(path, &opt);
    if (!wb) { /* only when out of memory */
        free(tmpdir);
        ip_pl_quiet_close(&c);
        return ip_diag_set(d, IP_ERR_IO, path, 0, "cannot create the workbook: out of memory");
    }

    title = ip_xasprintf("Prislista %d", r->year);
    subject = ip_xasprintf("Kontaktcentertjänster %d: fasta priser, fördelning "
                           "per kund",
                           r->year);
    ip_pl_set_properties(wb, t, r->year, title, subject);

    ip_pl_make_formats(wb, &c.f);
    ip_pl_make_order(&c);
    make_within_formats(wb, &c);

    /* Sheet names first: the check sheet and "Per kund" refer to them. */
    c.sheets = ip_xcalloc(r->nsvc ? r->nsvc : 1, sizeof *c.sheets);
    taken = ip_xcalloc(r->nsvc + 3, sizeof *taken);
    taken[0] = IP_PL_SHEET_CUSTOMERS;
    taken[1] = IP_PL_SHEET_CHECK;
    taken[2] = IP_PL_SHEET_DOCUMENTS;
    for (s = 0; s < r->nsvc; s++) {
        c.sheets[s].name = ip_pricelist_sheet_name(ip_pl_service_label(r->svc[s].svc),
                                                   r->svc[s].svc->id, taken, s + 3);
        taken[s + 3] = c.sheets[s].name;
    }
    free(taken);

    /* Each sheet added just before it is written, in workbook order; a
     * sheet that cannot be made (its temporary file) ends the writing. */
    if ((ws = ip_pl_add_sheet(&c, wb, IP_PL_SHEET_CUSTOMERS, &err)))
        ip_pl_write_customers_sheet(&c, ws);
    for (s = 0; ws && s < r->nsvc; s++)
        if ((ws = ip_pl_add_sheet(&c, wb, c.sheets[s].name, &err)))
            ip_pl_write_service_sheet(&c, ws, s);
    if (ws && (ws = ip_pl_add_sheet(&c, wb, IP_PL_SHEET_CHECK, &err)))
        ip_pl_write_check_sheet(&c, ws);
    if (ws && bill && (ws = ip_pl_add_sheet(&c, wb, IP_PL_SHEET_DOCUMENTS, &err)))
        ip_pl_write_documents_sheet(&c, ws);
    if (!ws)
        ret = ip_pl_close_failed(d, path, LXW_ERROR_CREATING_XLSX_FILE, err);

    if (ret == IP_OK && c.lerr != LXW_NO_ERROR) {
        char ref[16];
        char *shown = ip_stage_shown(path);
        ret = ip_diag_set(d, IP_ERR_SOFTWARE, shown, 0, "cannot write cell '%s'!%s: %s",
                          c.lerr_sheet, ip_pl_cell(ref, c.lerr_row, c.lerr_col),
                          lxw_strerror(c.lerr));
        free(shown);
    }
    e = ip_pl_close_quietly(&c, wb, &err); /* writes the file, frees the workbook */
    if (e != LXW_NO_ERROR && ret == IP_OK)
        ret = ip_pl_close_failed(d, path, e, err);

    for (s = 0; s < r->nsvc; s++)
        free(c.sheets[s].name);
    free(c.sheets);
    free(c.order);
    free(c.within_kr);
    free(c.group_start);
    free(title);
    free(subject);
    free(tmpdir);
    return ret;
}
