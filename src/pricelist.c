/*
 * pricelist.c — the price-list workbook prislista-Y.xlsx (SPEC sections 3
 * and 6), the file the controllers open. The only file that includes
 * xlsxwriter.h.
 *
 * Sheets, in order:
 *   "Per kund"    every customer's fee for every service, this year's and
 *                 last year's total and the change; subtotals per group.
 *   one per service, laid out like the city's published list: description,
 *                 fixed fee Y and Y-1, the table by group with "Delsumma"
 *                 rows, "Totalt", footnotes for consolidated customers.
 *   "Avstämning"  per service: fixed fee against the allocated sum (live
 *                 formulas into the other sheets), the basis and its period,
 *                 rows used; every input file with its SHA-256; the issued
 *                 documents; the internal postings (sie.h) against the
 *                 departments' fees and standing invoices.
 *
 * Principles:
 * - Amounts and counts are numbers with number formats, never text; the
 *   int64 kronor become doubles only at the worksheet call (exact below 2^53).
 * - Every sum is a live formula written with worksheet_write_formula_num(), its
 *   cached value the integer the run computed, so a workbook opened without
 *   recalculation shows the right figures and one recalculated agrees.
 * - Text from the inputs (names, labels, descriptions) only ever goes through
 *   worksheet_write_string(), so "=cmd|..." stays text. Formulas are built
 *   here from cell references and quoted sheet names only.
 * - The output is reproducible: the document's creation time is the tariff's
 *   issue date at 00:00 UTC, and nothing depends on the clock, the locale or
 *   the paths given on the command line.
 */
#include "pricelist.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "alloc.h"
#include "date.h"
#include "money.h"
#include "sie.h"
#include "utf8.h"
#include "util.h"

#define SHEET_CUSTOMERS "Per kund"
#define SHEET_CHECK "Avstämning"
#define SHEET_NAME_MAX 31     /* Excel's limit, in characters */
#define CELL_TEXT_MAX 32767   /* Excel's limit, in characters */
#define DASH "–"       /* an empty value: no basis, last year unknown */
#define ELLIPSIS "…"

/* Number formats, in the file's (en-US) notation: Excel and LibreOffice show
 * "," as the reader's thousands separator and "." as the decimal sign, so a
 * Swedish installation prints "240 000 kr" and "64,70 %". */
#define NF_COUNT "#,##0"
#define NF_KR "#,##0 \"kr\";-#,##0 \"kr\";\"- kr\""
#define NF_CHANGE_KR "+#,##0 \"kr\";-#,##0 \"kr\";0 \"kr\""
#define NF_PCT "0.00 %"
#define NF_CHANGE_PCT "+0.0 %;-0.0 %;0.0 %"
#define NF_ORE "#,##0.00 \"kr\";-#,##0.00 \"kr\";0.00 \"kr\""

/* The formats of the workbook (owned by it). */
typedef struct fmts {
    lxw_format *title, *subtitle, *text, *wrap, *note, *bold, *group;
    lxw_format *head, *head_num, *head_indent; /* table header row */
    lxw_format *nr, *name, *count, *kr, *pct, *dash, *change_kr, *change_pct;
    lxw_format *sub_label, *sub_count, *sub_kr, *sub_pct, *sub_dash, *sub_change_kr,
        *sub_change_pct, *sub_blank;         /* Delsumma rows */
    lxw_format *tot_label, *tot_count, *tot_kr, *tot_pct, *tot_dash, *tot_change_kr,
        *tot_change_pct, *tot_blank;         /* Totalt rows */
    lxw_format *year_head, *fixed_kr;        /* the "Fast avgift" block */
    lxw_format *within;                      /* "ingår i …" */
    lxw_format *mono, *int_num, *unit;       /* check sheet */
    lxw_format *ore, *date;                  /* check sheet: documents */
} fmts;

/* Where a service sheet's figures ended up, for the check sheet. */
typedef struct svc_sheet {
    char *name;            /* sheet name */
    lxw_row_t total_row;   /* row of "Totalt" */
    lxw_col_t fee_col;     /* column of this year's fee */
    int64_t fee_sum;       /* sum of allocated fees */
} svc_sheet;

typedef struct ctx {
    const ip_run *r;
    const ip_billing *bill; /* the issued documents, or NULL */
    lxw_workbook *wb;
    fmts f;
    svc_sheet *sheets;      /* [r->nsvc] */
    size_t *order;          /* slots in table order: by group, then number */
    size_t *group_start;    /* [ngroups + 1]: order[group_start[g]..group_start[g+1]) */
    lxw_row_t cust_total_row; /* "Per kund": row of "Totalt" */
    lxw_col_t cust_first_svc; /* "Per kund": column of the first service */
    lxw_error lerr;         /* first error a worksheet call reported */
    lxw_row_t lerr_row;
    lxw_col_t lerr_col;
    const char *lerr_sheet;
} ctx;

/* ---- small helpers ------------------------------------------------------ */

static void note_err(ctx *c, lxw_error e, const char *sheet, lxw_row_t row, lxw_col_t col)
{
    if (e != LXW_NO_ERROR && c->lerr == LXW_NO_ERROR) {
        c->lerr = e;
        c->lerr_sheet = sheet;
        c->lerr_row = row;
        c->lerr_col = col;
    }
}

/* Writes text as a string cell: never a formula, whatever it starts with.
 * Text longer than a cell may hold is cut at a character boundary. */
static void put_str(ctx *c, lxw_worksheet *ws, const char *sheet, lxw_row_t row,
                    lxw_col_t col, const char *text, lxw_format *f)
{
    lxw_error e;
    if (text == NULL)
        text = "";
    if (ip_utf8_count(text, strlen(text)) > CELL_TEXT_MAX) {
        char *cut = ip_xstrndup(text, ip_utf8_prefix(text, strlen(text), CELL_TEXT_MAX));
        e = worksheet_write_string(ws, row, col, cut, f);
        free(cut);
    } else if (*text == '\0') {
        e = worksheet_write_blank(ws, row, col, f);
    } else {
        e = worksheet_write_string(ws, row, col, text, f);
    }
    note_err(c, e, sheet, row, col);
}

/* put_str() of a formatted text (which may hold text from the inputs: it is
 * formatted on the heap, so never cut inside a UTF-8 character). */
static void put_strf(ctx *c, lxw_worksheet *ws, const char *sheet, lxw_row_t row,
                     lxw_col_t col, lxw_format *f, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

static void put_strf(ctx *c, lxw_worksheet *ws, const char *sheet, lxw_row_t row,
                     lxw_col_t col, lxw_format *f, const char *fmt, ...)
{
    ip_buf b;
    va_list ap;
    char tmp[256];
    int n;
    ip_buf_init(&b);
    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < sizeof tmp) {
        ip_buf_adds(&b, tmp);
    } else {
        char *big = ip_xmalloc((size_t)n + 1);
        va_start(ap, fmt);
        vsnprintf(big, (size_t)n + 1, fmt, ap);
        va_end(ap);
        ip_buf_adds(&b, big);
        free(big);
    }
    put_str(c, ws, sheet, row, col, b.buf, f);
    ip_buf_release(&b);
}

/* Whole kronor or a count: the only int64 -> double conversion, exact for
 * |v| < 2^53 (fees are at most 10^12, bases 10^15 < 2^53). */
static double num(int64_t v)
{
    return (double)v;
}

static void put_num(ctx *c, lxw_worksheet *ws, const char *sheet, lxw_row_t row,
                    lxw_col_t col, double v, lxw_format *f)
{
    note_err(c, worksheet_write_number(ws, row, col, v, f), sheet, row, col);
}

/* A formula built here (cell references, quoted sheet names) with its cached
 * value. Never called with text from the inputs. */
static void put_formula(ctx *c, lxw_worksheet *ws, const char *sheet, lxw_row_t row,
                        lxw_col_t col, const char *formula, double cached, lxw_format *f)
{
    note_err(c, worksheet_write_formula_num(ws, row, col, formula, f, cached), sheet, row,
             col);
}

static void put_blank(ctx *c, lxw_worksheet *ws, const char *sheet, lxw_row_t row,
                      lxw_col_t col, lxw_format *f)
{
    if (f)
        note_err(c, worksheet_write_blank(ws, row, col, f), sheet, row, col);
}

/* "E12" */
static const char *cell(char buf[16], lxw_row_t row, lxw_col_t col)
{
    lxw_rowcol_to_cell(buf, row, col);
    return buf;
}

/* "E$12": column relative, row absolute (for totals copied along a row). */
static const char *cell_row_abs(char buf[16], lxw_row_t row, lxw_col_t col)
{
    lxw_rowcol_to_cell_abs(buf, row, col, 1, 0);
    return buf;
}

/* A sheet name as a formula prefix: 'Name'! with ' doubled. */
static char *sheet_ref(const char *name)
{
    ip_buf b;
    const char *p;
    ip_buf_init(&b);
    ip_buf_addch(&b, '\'');
    for (p = name; *p; p++) {
        if (*p == '\'')
            ip_buf_addch(&b, '\'');
        ip_buf_addch(&b, *p);
    }
    ip_buf_adds(&b, "'!");
    return ip_buf_detach(&b);
}

/* Formula "=A+B+C" over the same column in the given rows; "=0" when empty. */
static char *sum_rows(const lxw_row_t *rows, size_t n, lxw_col_t col)
{
    ip_buf b;
    char ref[16];
    size_t i;
    ip_buf_init(&b);
    ip_buf_addch(&b, '=');
    if (n == 0)
        ip_buf_addch(&b, '0');
    for (i = 0; i < n; i++) {
        if (i)
            ip_buf_addch(&b, '+');
        ip_buf_adds(&b, cell(ref, rows[i], col));
    }
    return ip_buf_detach(&b);
}

/* "=SUM(C5:C20)"; first > last means an empty group: "=0". */
static char *sum_range(lxw_row_t first, lxw_row_t last, lxw_col_t col)
{
    char a[16], z[16];
    if (first > last)
        return ip_xstrdup("=0");
    return ip_xasprintf("=SUM(%s:%s)", cell(a, first, col), cell(z, last, col));
}

/* Collapses runs of white space (an XML editor's indentation) to one space;
 * a run holding a blank line becomes a paragraph break. */
static char *tidy_text(const char *s)
{
    ip_buf b;
    ip_buf_init(&b);
    while (*s) {
        if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
            int newlines = 0;
            while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
                newlines += *s++ == '\n';
            if (b.len > 0 && *s)
                ip_buf_addch(&b, newlines >= 2 ? '\n' : ' ');
        } else {
            ip_buf_addch(&b, *s++);
        }
    }
    return ip_buf_detach(&b);
}

/* Swedish genitive of a name: "Finansförvaltningen" -> "Finansförvaltningens",
 * "Stockholms Hamn AB" -> "Stockholms Hamn AB:s", "Järva sdf" -> "Järva
 * sdf:s", names ending in s, x or z unchanged. */
IP_STATIC char *ip_pricelist_genitive(const char *name)
{
    size_t n = strlen(name), w;
    const char *last;
    int upper = 0, vowel = 0;
    while (n > 0 && name[n - 1] == ' ')
        n--;
    if (n == 0)
        return ip_xstrdup("");
    for (w = n; w > 0 && name[w - 1] != ' '; w--)
        ;
    last = name + w;
    {
        size_t i;
        for (i = 0; last + i < name + n; i++) {
            unsigned char ch = (unsigned char)last[i];
            if (strchr("aeiouyAEIOUY", ch) || ch >= 0x80)
                vowel = 1;
        }
        upper = name[n - 1] >= 'A' && name[n - 1] <= 'Z';
    }
    if (strchr("sxzSXZ", name[n - 1]))
        return ip_xstrndup(name, n);
    if (upper || !vowel || (name[n - 1] >= '0' && name[n - 1] <= '9'))
        return ip_xasprintf("%.*s:s", (int)n, name);
    return ip_xasprintf("%.*ss", (int)n, name);
}

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

static void make_formats(ctx *c)
{
    lxw_workbook *wb = c->wb;
    fmts *f = &c->f;
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
    f->text = fmt_new(wb, NULL, 0, 0);
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
    f->name = fmt_new(wb, NULL, 0, 0);
    f->count = fmt_new(wb, NF_COUNT, 0, 0);
    f->kr = fmt_new(wb, NF_KR, 0, 0);
    f->pct = fmt_new(wb, NF_PCT, 0, 0);
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
    f->unit = fmt_new(wb, NULL, 0, LXW_ALIGN_LEFT);
    format_set_indent(f->unit, 1);
    f->mono = fmt_new(wb, NULL, 0, 0);
    format_set_font_name(f->mono, "Courier New");
    format_set_indent(f->mono, 1);
    format_set_font_size(f->mono, 9);
    f->int_num = fmt_new(wb, NF_COUNT, 0, 0);
    f->ore = fmt_new(wb, NF_ORE, 0, 0);
    f->date = fmt_new(wb, NULL, 0, LXW_ALIGN_RIGHT);
}

/* The formats of a row kind: 0 customer, 1 Delsumma, 2 Totalt. */
typedef struct row_fmts {
    lxw_format *label, *count, *kr, *pct, *dash, *change_kr, *change_pct, *blank;
} row_fmts;

static row_fmts row_formats(const fmts *f, int kind)
{
    row_fmts rf;
    if (kind == 1) {
        rf.label = f->sub_label, rf.count = f->sub_count, rf.kr = f->sub_kr;
        rf.pct = f->sub_pct, rf.dash = f->sub_dash, rf.change_kr = f->sub_change_kr;
        rf.change_pct = f->sub_change_pct, rf.blank = f->sub_blank;
    } else if (kind == 2) {
        rf.label = f->tot_label, rf.count = f->tot_count, rf.kr = f->tot_kr;
        rf.pct = f->tot_pct, rf.dash = f->tot_dash, rf.change_kr = f->tot_change_kr;
        rf.change_pct = f->tot_change_pct, rf.blank = f->tot_blank;
    } else {
        rf.label = f->name, rf.count = f->count, rf.kr = f->kr;
        rf.pct = f->pct, rf.dash = f->dash, rf.change_kr = f->change_kr;
        rf.change_pct = f->change_pct, rf.blank = NULL;
    }
    return rf;
}

/* ---- shared page setup -------------------------------------------------- */

/* A new worksheet. Its name was made valid by ip_pricelist_sheet_name() (or
 * is one of ours), so the library refusing it is a bug. */
static lxw_worksheet *add_sheet(ctx *c, const char *name)
{
    lxw_worksheet *ws = workbook_add_worksheet(c->wb, name);
    if (!ws)
        IP_BUG("libxlsxwriter refused the sheet name '%s'", name);
    return ws;
}

static void page_setup(ctx *c, lxw_worksheet *ws, int landscape, lxw_row_t head_row)
{
    char footer[128];
    worksheet_set_paper(ws, 9); /* A4 */
    if (landscape)
        worksheet_set_landscape(ws);
    else
        worksheet_set_portrait(ws);
    worksheet_set_margins(ws, 0.5, 0.5, 0.6, 0.7);
    worksheet_fit_to_pages(ws, 1, 0);
    worksheet_repeat_rows(ws, head_row, head_row);
    /* &A sheet name, &P page, &N pages. */
    snprintf(footer, sizeof footer, "&L&8&A — prislista %d&R&8sida &P av &N",
             c->r->year);
    worksheet_set_footer(ws, footer);
}

/* Change columns of one row: kr = this - prev as a formula; % when prev > 0.
 * Left empty when last year is unknown, and on a customer row (rf->blank is
 * NULL) when both years are 0. */
static void put_change(ctx *c, lxw_worksheet *ws, const char *sheet, lxw_row_t row,
                       lxw_col_t fee_col, lxw_col_t prev_col, int64_t fee, int64_t prev,
                       const row_fmts *rf)
{
    char a[16], b[16], fml[64];
    if (prev == IP_NO_PREV || (rf->blank == NULL && fee == 0 && prev == 0)) {
        /* unknown, or a customer without the service either year: no change to show */
        put_blank(c, ws, sheet, row, prev_col + 1, rf->blank);
        put_blank(c, ws, sheet, row, prev_col + 2, rf->blank);
        return;
    }
    snprintf(fml, sizeof fml, "=%s-%s", cell(a, row, fee_col), cell(b, row, prev_col));
    put_formula(c, ws, sheet, row, prev_col + 1, fml, num(fee - prev), rf->change_kr);
    if (prev > 0) {
        snprintf(fml, sizeof fml, "=%s/%s", cell(a, row, prev_col + 1), cell(b, row, prev_col));
        put_formula(c, ws, sheet, row, prev_col + 2, fml, num(fee - prev) / num(prev),
                    rf->change_pct);
    } else {
        put_blank(c, ws, sheet, row, prev_col + 2, rf->blank);
    }
}

/* Last year's amount: a number, or "–" when unknown. */
static void put_prev(ctx *c, lxw_worksheet *ws, const char *sheet, lxw_row_t row,
                     lxw_col_t col, int64_t prev, const row_fmts *rf)
{
    if (prev == IP_NO_PREV)
        put_str(c, ws, sheet, row, col, DASH, rf->dash);
    else
        put_num(c, ws, sheet, row, col, num(prev), rf->kr);
}

/* ---- customer order ----------------------------------------------------- */

static void make_order(ctx *c)
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

/* ---- "Per kund" --------------------------------------------------------- */

static void write_customers_sheet(ctx *c)
{
    const ip_run *r = c->r;
    const ip_tariff *t = r->tariff;
    const char *sn = SHEET_CUSTOMERS;
    lxw_worksheet *ws = add_sheet(c, sn);
    const fmts *f = &c->f;
    const lxw_col_t first_svc = 2;
    const lxw_col_t col_tot = (lxw_col_t)(first_svc + r->nsvc), col_prev = col_tot + 1;
    const lxw_row_t head = 3;
    lxw_row_t row = head + 1;
    lxw_row_t *sub_rows = ip_xcalloc(t->ngroups + 1, sizeof *sub_rows);
    int64_t *svc_sum = ip_xcalloc(r->nsvc + 1, sizeof *svc_sum);
    int64_t grand = 0, grand_prev = 0;
    int prev_known_all = 1;
    size_t g, s, i;
    char a[16], b[16], *fml;
    char title[160];

    c->cust_first_svc = first_svc;
    snprintf(title, sizeof title, "Prislista %d — fasta årsavgifter per kund",
             r->year);
    put_str(c, ws, sn, 0, 0, title, f->title);
    snprintf(title, sizeof title,
             "Belopp i kronor exklusive moms. %d jämförs med %d.%s", r->year,
             r->year - 1,
             r->have_prev ? "" : " Förra årets avgifter saknas (–).");
    put_str(c, ws, sn, 1, 0, title, f->subtitle);

    /* Header row. */
    put_str(c, ws, sn, head, 0, "Nr", f->head);
    put_str(c, ws, sn, head, 1, "Kund", f->head);
    for (s = 0; s < r->nsvc; s++)
        put_str(c, ws, sn, head, (lxw_col_t)(first_svc + s), r->svc[s].svc->name, f->head_num);
    snprintf(title, sizeof title, "Totalt %d", r->year);
    put_str(c, ws, sn, head, col_tot, title, f->head_num);
    snprintf(title, sizeof title, "Totalt %d", r->year - 1);
    put_str(c, ws, sn, head, col_prev, title, f->head_num);
    put_str(c, ws, sn, head, col_prev + 1, "Förändring kr", f->head_num);
    put_str(c, ws, sn, head, col_prev + 2, "Förändring %", f->head_num);
    worksheet_set_row(ws, head, 45, NULL);

    for (g = 0; g < t->ngroups; g++) {
        row_fmts rf = row_formats(f, 0), sf = row_formats(f, 1);
        lxw_row_t first = row + 1;
        int64_t gsum = 0, gprev = 0;
        int prev_known = 1;
        int64_t *gsvc = ip_xcalloc(r->nsvc + 1, sizeof *gsvc);
        char label[64]; /* a formula */
        put_str(c, ws, sn, row++, 1, t->groups[g].label, f->group);
        for (i = c->group_start[g]; i < c->group_start[g + 1]; i++) {
            size_t slot = c->order[i];
            const ip_customer *cu = ip_customers_at(r->customers, slot);
            int64_t tot = ip_run_customer_total(r, slot);
            int64_t prev = ip_run_customer_prev_total(r, slot);
            put_num(c, ws, sn, row, 0, (double)cu->nr, f->nr);
            put_str(c, ws, sn, row, 1, cu->name, f->name);
            for (s = 0; s < r->nsvc; s++) {
                int64_t fee = r->svc[s].items[slot].fee;
                put_num(c, ws, sn, row, (lxw_col_t)(first_svc + s), num(fee), f->kr);
                gsvc[s] += fee;
            }
            if (r->nsvc == 0)
                snprintf(label, sizeof label, "=0");
            else
                snprintf(label, sizeof label, "=SUM(%s:%s)", cell(a, row, first_svc),
                         cell(b, row, (lxw_col_t)(col_tot - 1)));
            put_formula(c, ws, sn, row, col_tot, label, num(tot), f->kr);
            put_prev(c, ws, sn, row, col_prev, prev, &rf);
            put_change(c, ws, sn, row, col_tot, col_prev, tot, prev, &rf);
            gsum += tot;
            if (prev == IP_NO_PREV)
                prev_known = 0;
            else
                gprev += prev;
            row++;
        }
        /* Delsumma <group>. */
        sub_rows[g] = row;
        put_blank(c, ws, sn, row, 0, sf.blank);
        put_strf(c, ws, sn, row, 1, sf.label, "Delsumma %s", t->groups[g].label);
        for (s = 0; s <= r->nsvc; s++) {
            lxw_col_t col = (lxw_col_t)(first_svc + s);
            fml = sum_range(first, row - 1, col);
            put_formula(c, ws, sn, row, col, fml, num(s < r->nsvc ? gsvc[s] : gsum), sf.kr);
            free(fml);
        }
        if (prev_known) {
            fml = sum_range(first, row - 1, col_prev);
            put_formula(c, ws, sn, row, col_prev, fml, num(gprev), sf.kr);
            free(fml);
        } else {
            put_prev(c, ws, sn, row, col_prev, IP_NO_PREV, &sf);
        }
        put_change(c, ws, sn, row, col_tot, col_prev, gsum, prev_known ? gprev : IP_NO_PREV,
                   &sf);
        for (s = 0; s < r->nsvc; s++)
            svc_sum[s] += gsvc[s];
        grand += gsum;
        if (!prev_known)
            prev_known_all = 0;
        grand_prev += gprev;
        free(gsvc);
        row += 2;
    }

    /* Totalt: the sum of the Delsumma rows. */
    {
        row_fmts tf = row_formats(f, 2);
        c->cust_total_row = row;
        put_blank(c, ws, sn, row, 0, tf.blank);
        put_str(c, ws, sn, row, 1, "Totalt", tf.label);
        for (s = 0; s <= r->nsvc; s++) {
            lxw_col_t col = (lxw_col_t)(first_svc + s);
            fml = sum_rows(sub_rows, t->ngroups, col);
            put_formula(c, ws, sn, row, col, fml, num(s < r->nsvc ? svc_sum[s] : grand), tf.kr);
            free(fml);
        }
        if (prev_known_all) {
            fml = sum_rows(sub_rows, t->ngroups, col_prev);
            put_formula(c, ws, sn, row, col_prev, fml, num(grand_prev), tf.kr);
            free(fml);
        } else {
            put_prev(c, ws, sn, row, col_prev, IP_NO_PREV, &tf);
        }
        put_change(c, ws, sn, row, col_tot, col_prev, grand,
                   prev_known_all ? grand_prev : IP_NO_PREV, &tf);
    }

    worksheet_set_column(ws, 0, 0, 6, NULL);
    worksheet_set_column(ws, 1, 1, 40, NULL);
    /* One call per column: libxlsxwriter keeps one setting per first column,
     * so overlapping ranges would lose widths. */
    worksheet_set_column(ws, col_tot, col_tot, 14, NULL);
    worksheet_set_column(ws, col_prev, col_prev, 14, NULL);
    for (s = 0; s < r->nsvc; s++) {
        /* wide enough for the name's longest word: headings wrap at spaces */
        const char *p = r->svc[s].svc->name;
        size_t longest = 0;
        while (*p) {
            size_t n = strcspn(p, " ");
            size_t w = ip_utf8_count(p, n);
            if (w > longest)
                longest = w;
            p += n;
            p += strspn(p, " ");
        }
        worksheet_set_column(ws, (lxw_col_t)(first_svc + s), (lxw_col_t)(first_svc + s),
                             longest + 2 <= 14 ? 14 : longest + 2 < 30 ? (double)(longest + 2) : 30,
                             NULL);
    }
    worksheet_set_column(ws, col_prev + 1, col_prev + 1, 13, NULL);
    worksheet_set_column(ws, col_prev + 2, col_prev + 2, 12, NULL);
    worksheet_autofilter(ws, head, 0, c->cust_total_row, col_prev + 2);
    worksheet_freeze_panes(ws, head + 1, 2);
    page_setup(c, ws, 1, head);
    free(sub_rows);
    free(svc_sum);
}

/* ---- one sheet per service ---------------------------------------------- */

/* Column layout of a service table. */
typedef struct svc_cols {
    lxw_col_t count, equal, var, share, fee, prev, last;
    int split; /* the equal-and-proportional key: equal and variable parts shown */
} svc_cols;

/* Estimated rows a wrapped text needs in a merged cell width chars wide. */
static unsigned text_lines(const char *s, double width)
{
    unsigned lines = 0;
    size_t per = width > 10 ? (size_t)(width * 1.05) : 10;
    while (1) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        size_t chars = ip_utf8_count(s, n);
        lines += chars == 0 ? 1 : (unsigned)((chars + per - 1) / per);
        if (!nl)
            break;
        s = nl + 1;
    }
    return lines;
}

static void write_service_sheet(ctx *c, size_t si)
{
    const ip_run *r = c->r;
    const ip_tariff *t = r->tariff;
    const ip_svc_result *sr = &r->svc[si];
    const ip_service *svc = sr->svc;
    svc_sheet *sh = &c->sheets[si];
    const char *sn = sh->name;
    lxw_worksheet *ws = add_sheet(c, sn);
    const fmts *f = &c->f;
    svc_cols cl;
    lxw_row_t row = 0, head, *sub_rows;
    int64_t W = sr->alloc.total, F = svc->fee;
    int64_t tot_prev = 0, tot_equal = 0, tot_var = 0;
    int prev_known_all = 1;
    size_t *marker = ip_xcalloc(r->ncust ? r->ncust : 1, sizeof *marker); /* 0: none */
    size_t nmarkers = 0, g, i, k;
    const char *unit = svc->unit && *svc->unit ? svc->unit : "enheter";
    char buf[700], a[16], b[16], *fml;
    double widths[12];
    double total_width = 0;
    lxw_col_t col;

    memset(&cl, 0, sizeof cl);
    cl.split = svc->method == IP_KEY_EQUAL_AND_PROPORTIONAL;
    cl.count = 2;
    if (cl.split) {
        cl.equal = 3, cl.var = 4, cl.share = 5;
    } else {
        cl.share = 3;
    }
    cl.fee = cl.share + 1, cl.prev = cl.fee + 1, cl.last = cl.prev + 2;

    /* Column widths (also used to size the description's row). */
    for (col = 0; col <= cl.last; col++)
        widths[col] = 14;
    widths[0] = 6, widths[1] = 38, widths[cl.count] = 13, widths[cl.share] = 10;
    widths[cl.last] = 12;
    for (col = 0; col <= cl.last; col++) {
        worksheet_set_column(ws, col, col, widths[col], NULL);
        total_width += widths[col];
    }

    /* Footnote markers: consolidated customers in table order get *, **, … */
    for (g = 0; g < t->ngroups; g++)
        for (i = c->group_start[g]; i < c->group_start[g + 1]; i++)
            if (sr->into[c->order[i]] >= 0)
                marker[c->order[i]] = ++nmarkers;

    /* Title, description, per-call note, period. */
    put_str(c, ws, sn, row++, 0, svc->name, f->title);
    snprintf(buf, sizeof buf,
             "Tjänsteutbud och prislista %d, fasta priser, fördelning per kund",
             r->year);
    put_str(c, ws, sn, row++, 0, buf, f->subtitle);
    if (svc->description && *svc->description) {
        char *desc = tidy_text(svc->description);
        note_err(c, worksheet_merge_range(ws, row, 0, row, cl.last, "", f->wrap), sn, row, 0);
        put_str(c, ws, sn, row, 0, desc, f->wrap);
        worksheet_set_row(ws, row, 15.0 * text_lines(desc, total_width) + 4, NULL);
        free(desc);
        row++;
    }
    if (svc->per_call_note && *svc->per_call_note)
        put_str(c, ws, sn, row++, 0, svc->per_call_note, f->note);
    {
        char d1[11], d2[11];
        if (svc->is_snapshot)
            put_strf(c, ws, sn, row++, 0, f->text, "Underlag: antal %s enligt avläsning %s.",
                     unit, ip_date_str(svc->snapshot, d1));
        else
            put_strf(c, ws, sn, row++, 0, f->text, "Underlag: antal %s %s–%s.", unit,
                     ip_date_str(svc->from, d1), ip_date_str(svc->to, d2));
        if (cl.split)
            put_strf(c, ws, sn, row++, 0, f->text,
                     "Fördelning: %d %% av avgiften lika mellan de %zu kunder som har "
                     "%s, %d %% efter andel av antal %s.",
                     svc->equal_percent, sr->alloc.participants, unit,
                     100 - svc->equal_percent, unit);
        else
            put_strf(c, ws, sn, row++, 0, f->text, "Fördelning: efter andel av antal %s.", unit);
    }
    row++;

    /* Fast avgift Y and Y-1, in the fee columns of the table. */
    snprintf(buf, sizeof buf, "%d", r->year);
    put_str(c, ws, sn, row, cl.fee, buf, f->year_head);
    snprintf(buf, sizeof buf, "%d", r->year - 1);
    put_str(c, ws, sn, row++, cl.prev, buf, f->year_head);
    put_str(c, ws, sn, row, 1, "Fast avgift", f->bold);
    put_num(c, ws, sn, row, cl.fee, num(F), f->fixed_kr);
    put_num(c, ws, sn, row++, cl.prev, num(svc->previous_fee), f->fixed_kr);
    row++;

    /* Table header. */
    head = row;
    put_str(c, ws, sn, head, 0, "Nr", f->head);
    put_str(c, ws, sn, head, 1, "Kund", f->head);
    put_strf(c, ws, sn, head, cl.count, f->head_num, "Antal %s", unit);
    if (cl.split) {
        snprintf(buf, sizeof buf, "Lika del (%d %%)", svc->equal_percent);
        put_str(c, ws, sn, head, cl.equal, buf, f->head_num);
        put_strf(c, ws, sn, head, cl.var, f->head_num, "Efter %s (%d %%)", unit,
                 100 - svc->equal_percent);
        put_str(c, ws, sn, head, cl.share, "Andel av avgift", f->head_num);
    } else {
        put_strf(c, ws, sn, head, cl.share, f->head_num, "Andel %s", unit);
    }
    snprintf(buf, sizeof buf, "Årsavgift %d", r->year);
    put_str(c, ws, sn, head, cl.fee, buf, f->head_num);
    snprintf(buf, sizeof buf, "Årsavgift %d", r->year - 1);
    put_str(c, ws, sn, head, cl.prev, buf, f->head_num);
    put_str(c, ws, sn, head, cl.prev + 1, "Förändring kr", f->head_num);
    put_str(c, ws, sn, head, cl.prev + 2, "Förändring %", f->head_num);
    worksheet_set_row(ws, head, 30, NULL);
    row++;

    /* The total row comes after every group: heading + customers + Delsumma +
     * a blank row each. Its position is needed by the share formulas. */
    sh->total_row = row;
    for (g = 0; g < t->ngroups; g++)
        sh->total_row += (lxw_row_t)(c->group_start[g + 1] - c->group_start[g] + 3);
    sh->fee_col = cl.fee;
    sh->fee_sum = 0;
    sub_rows = ip_xcalloc(t->ngroups + 1, sizeof *sub_rows);

    for (g = 0; g < t->ngroups; g++) {
        row_fmts rf = row_formats(f, 0), sf = row_formats(f, 1);
        lxw_row_t first = row + 1;
        int64_t gbasis = 0, gfee = 0, gprev = 0, gequal = 0, gvar = 0;
        int prev_known = 1;
        put_str(c, ws, sn, row++, 1, t->groups[g].label, f->group);
        for (i = c->group_start[g]; i < c->group_start[g + 1]; i++) {
            size_t slot = c->order[i];
            const ip_customer *cu = ip_customers_at(r->customers, slot);
            const ip_alloc_item *it = &sr->items[slot];
            int64_t prev = sr->prev_fee[slot];
            ip_buf name;

            /* Kund, with the markers of its own and the rolled-in customers. */
            ip_buf_init(&name);
            ip_buf_adds(&name, cu->name);
            if (marker[slot]) {
                ip_buf_addch(&name, ' ');
                for (k = 0; k < marker[slot]; k++)
                    ip_buf_addch(&name, '*');
            }
            for (k = 0; k < r->ncust; k++) {
                if (sr->into[k] == (long)slot && marker[k]) {
                    size_t m;
                    ip_buf_addch(&name, ' ');
                    for (m = 0; m < marker[k]; m++)
                        ip_buf_addch(&name, '*');
                }
            }
            put_num(c, ws, sn, row, 0, (double)cu->nr, f->nr);
            put_str(c, ws, sn, row, 1, name.buf, f->name);
            ip_buf_release(&name);

            /* Basis and share. */
            if (sr->into[slot] >= 0) {
                /* "ingår i <name>" is wider than a count: it takes the cells
                 * up to the share, which are empty for this customer. */
                const ip_customer *into = ip_customers_at(r->customers, (size_t)sr->into[slot]);
                note_err(c, worksheet_merge_range(ws, row, cl.count, row, cl.share, "", f->within),
                         sn, row, cl.count);
                put_strf(c, ws, sn, row, cl.count, f->within, "ingår i %s", into->name);
            } else if (sr->basis[slot] == 0) {
                put_str(c, ws, sn, row, cl.count, DASH, f->dash);
            } else {
                put_num(c, ws, sn, row, cl.count, num(sr->basis[slot]), f->count);
            }
            if (sr->into[slot] >= 0) {
                /* merged above */
            } else if (cl.split) {
                /* The allocation's exact parts to the öre, display only. */
                int64_t eq = (int64_t)ip_money_div_round((ip_i128)100 * it->num_equal,
                                                         sr->alloc.den);
                int64_t var = (int64_t)ip_money_div_round((ip_i128)100 * it->num_prop,
                                                          sr->alloc.den);
                put_num(c, ws, sn, row, cl.equal, num(eq) / 100.0, f->kr);
                put_num(c, ws, sn, row, cl.var, num(var) / 100.0, f->kr);
                gequal += eq, gvar += var;
                if (it->fee > 0 && F > 0) {
                    snprintf(buf, sizeof buf, "=%s/%s", cell(a, row, cl.fee),
                             cell_row_abs(b, sh->total_row, cl.fee));
                    put_formula(c, ws, sn, row, cl.share, buf, num(it->fee) / num(F), f->pct);
                } else {
                    put_str(c, ws, sn, row, cl.share, DASH, f->dash);
                }
            } else if (sr->basis[slot] > 0 && W > 0) {
                snprintf(buf, sizeof buf, "=%s/%s", cell(a, row, cl.count),
                         cell_row_abs(b, sh->total_row, cl.count));
                put_formula(c, ws, sn, row, cl.share, buf, num(sr->basis[slot]) / num(W), f->pct);
            } else {
                put_str(c, ws, sn, row, cl.share, DASH, f->dash);
            }

            /* Fees. */
            put_num(c, ws, sn, row, cl.fee, num(it->fee), f->kr);
            put_prev(c, ws, sn, row, cl.prev, prev, &rf);
            put_change(c, ws, sn, row, cl.fee, cl.prev, it->fee, prev, &rf);
            gbasis += sr->basis[slot];
            gfee += it->fee;
            if (prev == IP_NO_PREV)
                prev_known = 0;
            else
                gprev += prev;
            row++;
        }

        /* Delsumma <group>: count, share and fees as formulas. */
        sub_rows[g] = row;
        put_blank(c, ws, sn, row, 0, sf.blank);
        put_strf(c, ws, sn, row, 1, sf.label, "Delsumma %s", t->groups[g].label);
        fml = sum_range(first, row - 1, cl.count);
        put_formula(c, ws, sn, row, cl.count, fml, num(gbasis), sf.count);
        free(fml);
        if (cl.split) {
            fml = sum_range(first, row - 1, cl.equal);
            put_formula(c, ws, sn, row, cl.equal, fml, (double)gequal / 100.0, sf.kr);
            free(fml);
            fml = sum_range(first, row - 1, cl.var);
            put_formula(c, ws, sn, row, cl.var, fml, (double)gvar / 100.0, sf.kr);
            free(fml);
        }
        {
            lxw_col_t of = cl.split ? cl.fee : cl.count; /* what the share is of */
            int64_t part = cl.split ? gfee : gbasis, whole = cl.split ? F : W;
            if (whole > 0) {
                snprintf(buf, sizeof buf, "=%s/%s", cell(a, row, of),
                         cell_row_abs(b, sh->total_row, of));
                put_formula(c, ws, sn, row, cl.share, buf, num(part) / num(whole), sf.pct);
            } else {
                put_str(c, ws, sn, row, cl.share, DASH, sf.dash);
            }
        }
        fml = sum_range(first, row - 1, cl.fee);
        put_formula(c, ws, sn, row, cl.fee, fml, num(gfee), sf.kr);
        free(fml);
        if (prev_known) {
            fml = sum_range(first, row - 1, cl.prev);
            put_formula(c, ws, sn, row, cl.prev, fml, num(gprev), sf.kr);
            free(fml);
        } else {
            put_prev(c, ws, sn, row, cl.prev, IP_NO_PREV, &sf);
        }
        put_change(c, ws, sn, row, cl.fee, cl.prev, gfee, prev_known ? gprev : IP_NO_PREV, &sf);
        sh->fee_sum += gfee;
        tot_prev += gprev;
        tot_equal += gequal, tot_var += gvar;
        if (!prev_known)
            prev_known_all = 0;
        row += 2;
    }
    if (row != sh->total_row)
        IP_BUG("total row of '%s' at %u, expected %u", sn, (unsigned)row,
               (unsigned)sh->total_row);

    /* Totalt: the Delsumma rows added up. */
    {
        row_fmts tf = row_formats(f, 2);
        put_blank(c, ws, sn, row, 0, tf.blank);
        put_str(c, ws, sn, row, 1, "Totalt", tf.label);
        fml = sum_rows(sub_rows, t->ngroups, cl.count);
        put_formula(c, ws, sn, row, cl.count, fml, num(W), tf.count);
        free(fml);
        if (cl.split) {
            fml = sum_rows(sub_rows, t->ngroups, cl.equal);
            put_formula(c, ws, sn, row, cl.equal, fml, (double)tot_equal / 100.0, tf.kr);
            free(fml);
            fml = sum_rows(sub_rows, t->ngroups, cl.var);
            put_formula(c, ws, sn, row, cl.var, fml, (double)tot_var / 100.0, tf.kr);
            free(fml);
        }
        if ((cl.split ? F : W) > 0) {
            fml = sum_rows(sub_rows, t->ngroups, cl.share);
            put_formula(c, ws, sn, row, cl.share, fml, 1.0, tf.pct);
            free(fml);
        } else {
            put_str(c, ws, sn, row, cl.share, DASH, tf.dash);
        }
        fml = sum_rows(sub_rows, t->ngroups, cl.fee);
        put_formula(c, ws, sn, row, cl.fee, fml, num(sh->fee_sum), tf.kr);
        free(fml);
        if (prev_known_all) {
            fml = sum_rows(sub_rows, t->ngroups, cl.prev);
            put_formula(c, ws, sn, row, cl.prev, fml, num(tot_prev), tf.kr);
            free(fml);
        } else {
            put_prev(c, ws, sn, row, cl.prev, IP_NO_PREV, &tf);
        }
        put_change(c, ws, sn, row, cl.fee, cl.prev, sh->fee_sum,
                   prev_known_all ? tot_prev : IP_NO_PREV, &tf);
        row += 2;
    }

    /* Footnotes. */
    for (g = 0; g < t->ngroups; g++) {
        for (i = c->group_start[g]; i < c->group_start[g + 1]; i++) {
            size_t slot = c->order[i], m;
            const ip_customer *from, *into;
            char *gf, *gi, stars[64], count[32];
            if (!marker[slot])
                continue;
            from = ip_customers_at(r->customers, slot);
            into = ip_customers_at(r->customers, (size_t)sr->into[slot]);
            gf = ip_pricelist_genitive(from->name);
            gi = ip_pricelist_genitive(into->name);
            for (m = 0; m < marker[slot] && m + 1 < sizeof stars; m++)
                stars[m] = '*';
            stars[m] = '\0';
            put_strf(c, ws, sn, row++, 0, f->note, "%s %s antal (%s %s) ingår i %s antal", stars,
                     gf, ip_money_fmt_thousands(sr->raw[slot], count, sizeof count), unit, gi);
            free(gf);
            free(gi);
        }
    }

    page_setup(c, ws, 0, head);
    worksheet_gridlines(ws, LXW_HIDE_ALL_GRIDLINES);
    free(sub_rows);
    free(marker);
}

/* ---- "Avstämning" ------------------------------------------------------- */

/* An amount in öre as the worksheet's number of kronor (exact to the öre
 * for every amount below 2^53 öre). */
static double num_ore(int64_t ore)
{
    return (double)ore / 100.0;
}

/* The issued documents of the year after this run: how many, the standing
 * invoices against the year's fees, and every correction document. Returns
 * the next free row. */
static lxw_row_t write_documents(ctx *c, lxw_worksheet *ws, const char *sn, lxw_row_t row)
{
    const ip_billing *b = c->bill;
    const fmts *f = &c->f;
    /* The columns keep the table above's meaning where they meet it: 1 a
     * fee, 2 a sum, 3 their difference, which is 0. */
    static const char *const sum_head[] = {"Fakturor", "Årets avgifter",
                                           "Gällande fakturor, netto", "Differens"};
    static const char *const head[] = {"Dokument", "Typ", "Netto", "Fakturadatum", "Kund",
                                       "Korrigering", "Krediterar", "", "Namn"};
    size_t n = ip_billing_ndocs(b), i;
    ip_billing_totals t;
    char buf[200], a[16], bb[16], ds[11];

    ip_billing_totals_of(b, &t);

    for (i = 0; i < IP_ARRAY_LEN(sum_head); i++)
        put_str(c, ws, sn, row, (lxw_col_t)i, sum_head[i], i == 0 ? f->head : f->head_num);
    row++;
    put_str(c, ws, sn, row, 0, "Gällande fakturor mot avgifterna", f->name);
    put_num(c, ws, sn, row, 1, num_ore(t.fees * 100), f->ore);
    put_num(c, ws, sn, row, 2, num_ore(t.standing_net), f->ore);
    snprintf(buf, sizeof buf, "=%s-%s", cell(a, row, 2), cell(bb, row, 1));
    put_formula(c, ws, sn, row, 3, buf, num_ore(t.standing_net - t.fees * 100), f->ore);
    row++;
    snprintf(buf, sizeof buf, "Årets dokument: %zu fakturor, %zu kreditnotor (alla i "
             "invoices/ och ledger.csv)", t.invoices, t.credits);
    put_str(c, ws, sn, row++, 0, buf, f->subtitle);
    row++;

    if (t.corrections == 0) {
        put_str(c, ws, sn, row++, 0, "Inga korrigeringar: de först utfärdade fakturorna gäller.",
                f->text);
        return row;
    }
    put_str(c, ws, sn, row++, 0, "Korrigeringar (kreditnotor och nya fakturor)", f->bold);
    for (i = 0; i < IP_ARRAY_LEN(head); i++)
        put_str(c, ws, sn, row, (lxw_col_t)i, head[i],
                i == 2 || i == 3 || i == 4 || i == 5 ? f->head_num : f->head);
    row++;
    for (i = 0; i < n; i++) {
        const ip_issued_doc *x = ip_billing_doc(b, i, NULL);
        if (x->run == 0)
            continue;
        put_str(c, ws, sn, row, 0, x->number, f->text);
        put_str(c, ws, sn, row, 1, x->is_credit ? "kreditnota" : "faktura", f->text);
        put_num(c, ws, sn, row, 2, num_ore(x->is_credit ? -x->net : x->net), f->ore);
        put_str(c, ws, sn, row, 3, ip_date_str(x->issue_date, ds), f->date);
        put_num(c, ws, sn, row, 4, (double)x->customer, f->int_num);
        snprintf(buf, sizeof buf, "%d", x->run);
        put_str(c, ws, sn, row, 5, buf, f->date);
        if (x->cancels)
            put_str(c, ws, sn, row, 6, x->cancels, f->text);
        put_str(c, ws, sn, row, 8, x->name, f->text);
        row++;
    }
    return row;
}

/* The internal postings (sie.h) against the departments' fees and their
 * standing invoices, per service and in total, each difference a live
 * formula (0). Returns the next free row. */
static lxw_row_t write_postings(ctx *c, lxw_worksheet *ws, const char *sn, lxw_row_t row)
{
    const ip_run *r = c->r;
    const fmts *f = &c->f;
    row_fmts tf = row_formats(f, 2);
    /* as the tables above: 1 the fees, then each sum and its difference */
    static const char *const head[] = {
        "Tjänst", "Avdelningarnas avgifter", "Debet kostnadskonton", "Differens",
        "Gällande fakturor, netto", "Differens", "Kredit intäktskonton", "Differens",
        "Kostnadskonto", "Intäktskonto"};
    size_t n = ip_billing_ndocs(c->bill), i, s;
    const ip_issued_doc **docs;
    ip_sie_totals t;
    lxw_row_t first;
    char buf[300], a[16], b[16], *name;

    name = ip_sie_file_name(r->year, -1);
    snprintf(buf, sizeof buf, "Interna verifikationer (SIE 4I, %s)", name);
    free(name);
    put_str(c, ws, sn, row++, 0, buf, f->bold);
    if (!r->tariff->accounting) {
        put_str(c, ws, sn, row++, 0,
                "Tariffen saknar <accounting>: ingen SIE-fil skrivs.", f->text);
        return row;
    }
    docs = ip_xcalloc(n + 1, sizeof *docs);
    for (i = 0; i < n; i++)
        docs[i] = ip_billing_doc(c->bill, i, NULL);
    ip_sie_totals_of(r, docs, n, &t);
    free(docs);
    for (i = 0; i < IP_ARRAY_LEN(head); i++)
        put_str(c, ws, sn, row, (lxw_col_t)i, head[i], i == 0 || i >= 8 ? f->head : f->head_num);
    row++;
    first = row;
    for (s = 0; s < r->nsvc; s++, row++) {
        static const lxw_col_t sums[] = {2, 4, 6};
        const int64_t v[] = {t.debit[s], t.standing[s], t.credit[s]};
        put_str(c, ws, sn, row, 0, r->svc[s].svc->name, f->name);
        put_num(c, ws, sn, row, 1, num_ore(t.fees[s]), f->ore);
        for (i = 0; i < 3; i++) {
            put_num(c, ws, sn, row, sums[i], num_ore(v[i]), f->ore);
            snprintf(buf, sizeof buf, "=%s-%s", cell(a, row, sums[i]), cell(b, row, 1));
            put_formula(c, ws, sn, row, sums[i] + 1, buf, num_ore(v[i] - t.fees[s]), f->ore);
        }
        put_str(c, ws, sn, row, 8, r->tariff->accounting->cost[s]->number, f->text);
        put_str(c, ws, sn, row, 9, r->tariff->accounting->revenue[s]->number, f->text);
    }
    put_str(c, ws, sn, row, 0, "Totalt", tf.label);
    for (i = 1; i <= 7; i++) {
        const int64_t v[] = {0, t.fees_total, t.debit_total, t.debit_total - t.fees_total,
                             t.standing_total, t.standing_total - t.fees_total, t.credit_total,
                             t.credit_total - t.fees_total};
        char *fml = sum_range(first, row - 1, (lxw_col_t)i);
        put_formula(c, ws, sn, row, (lxw_col_t)i, fml, num_ore(v[i]), f->ore);
        free(fml);
    }
    row++;
    snprintf(buf, sizeof buf, "%zu verifikationer (%zu fakturor, %zu kreditnotor); "
             "varje verifikation summerar till 0: %s",
             t.nver, t.ninvoices, t.ncredits, t.unbalanced ? "nej" : "ja");
    put_str(c, ws, sn, row++, 0, buf, f->subtitle);
    ip_sie_totals_release(&t);
    return row;
}

static void write_check_sheet(ctx *c)
{
    const ip_run *r = c->r;
    const char *sn = SHEET_CHECK;
    lxw_worksheet *ws = add_sheet(c, sn);
    const fmts *f = &c->f;
    row_fmts tf = row_formats(f, 2);
    static const char *const head[] = {
        "Tjänst", "Fast avgift", "Summa på tjänstebladet",
        "Differens", "Summa i Per kund", "Differens", "Underlag totalt", "Enhet",
        "Period", "Rader använda", "Rader utanför perioden",
        "Rader bortfiltrerade", "Fil"};
    const lxw_row_t h = 3;
    lxw_row_t row, first;
    size_t s, i;
    int64_t sum_fee = 0, sum_alloc = 0;
    char buf[600], a[16], b[16], *ref;

    snprintf(buf, sizeof buf, "Avstämning prislista %d", r->year);
    put_str(c, ws, sn, 0, 0, buf, f->title);
    put_str(c, ws, sn, 1, 0,
            "Varje tjänsts fördelade avgifter ska summera exakt till den fasta "
            "avgiften: differenserna ska vara 0.",
            f->subtitle);
    for (i = 0; i < IP_ARRAY_LEN(head); i++)
        put_str(c, ws, sn, h, (lxw_col_t)i, head[i],
                i == 0 || i == 8 ? f->head : i == 7 || i == 12 ? f->head_indent : f->head_num);
    worksheet_set_row(ws, h, 30, NULL);
    row = first = h + 1;
    for (s = 0; s < r->nsvc; s++, row++) {
        const ip_svc_result *sr = &r->svc[s];
        const ip_service *svc = sr->svc;
        const svc_sheet *sh = &c->sheets[s];
        char d1[11], d2[11];
        put_str(c, ws, sn, row, 0, svc->name, f->name);
        put_num(c, ws, sn, row, 1, num(svc->fee), f->kr);
        ref = sheet_ref(sh->name);
        snprintf(buf, sizeof buf, "=%s%s", ref, cell(a, sh->total_row, sh->fee_col));
        put_formula(c, ws, sn, row, 2, buf, num(sh->fee_sum), f->kr);
        free(ref);
        snprintf(buf, sizeof buf, "=%s-%s", cell(a, row, 2), cell(b, row, 1));
        put_formula(c, ws, sn, row, 3, buf, num(sh->fee_sum - svc->fee), f->change_kr);
        ref = sheet_ref(SHEET_CUSTOMERS);
        snprintf(buf, sizeof buf, "=%s%s", ref,
                 cell(a, c->cust_total_row, (lxw_col_t)(c->cust_first_svc + s)));
        put_formula(c, ws, sn, row, 4, buf, num(sh->fee_sum), f->kr);
        free(ref);
        snprintf(buf, sizeof buf, "=%s-%s", cell(a, row, 4), cell(b, row, 1));
        put_formula(c, ws, sn, row, 5, buf, num(sh->fee_sum - svc->fee), f->change_kr);
        put_num(c, ws, sn, row, 6, num(sr->alloc.total), f->count);
        put_str(c, ws, sn, row, 7, svc->unit, f->unit);
        if (svc->is_snapshot)
            snprintf(buf, sizeof buf, "avläsning %s", ip_date_str(svc->snapshot, d1));
        else
            snprintf(buf, sizeof buf, "%s–%s", ip_date_str(svc->from, d1),
                     ip_date_str(svc->to, d2));
        put_str(c, ws, sn, row, 8, buf, f->text);
        put_num(c, ws, sn, row, 9, (double)sr->rows_used, f->int_num);
        put_num(c, ws, sn, row, 10, (double)sr->rows_outside, f->int_num);
        put_num(c, ws, sn, row, 11, (double)sr->rows_filtered, f->int_num);
        put_str(c, ws, sn, row, 12, svc->file, f->unit);
        sum_fee += svc->fee;
        sum_alloc += sh->fee_sum;
    }
    put_str(c, ws, sn, row, 0, "Totalt", tf.label);
    for (i = 1; i <= 5; i++) {
        int64_t v = i == 1 ? sum_fee : (i == 3 || i == 5) ? sum_alloc - sum_fee : sum_alloc;
        char *fml = sum_range(first, row - 1, (lxw_col_t)i);
        put_formula(c, ws, sn, row, (lxw_col_t)i, fml, num(v),
                    i == 3 || i == 5 ? tf.change_kr : tf.kr);
        free(fml);
    }
    for (i = 6; i < IP_ARRAY_LEN(head); i++)
        put_blank(c, ws, sn, row, (lxw_col_t)i, tf.blank);
    row++;
    /* The customers' grand total on "Per kund" against the fixed fees. */
    put_str(c, ws, sn, row, 0, "Per kund, totalt alla tjänster", f->name);
    ref = sheet_ref(SHEET_CUSTOMERS);
    snprintf(buf, sizeof buf, "=%s%s", ref,
             cell(a, c->cust_total_row, (lxw_col_t)(c->cust_first_svc + r->nsvc)));
    put_formula(c, ws, sn, row, 4, buf, num(sum_alloc), f->kr);
    free(ref);
    snprintf(buf, sizeof buf, "=%s-%s", cell(a, row, 4), cell(b, row - 1, 1));
    put_formula(c, ws, sn, row, 5, buf, num(sum_alloc - sum_fee), f->change_kr);
    row += 2;

    /* The inputs, with their digests. */
    put_str(c, ws, sn, row++, 0, "Indata", f->bold);
    put_str(c, ws, sn, row, 0, "Fil", f->head);
    put_str(c, ws, sn, row, 1, "Byte", f->head_num);
    put_str(c, ws, sn, row, 2, "Rader", f->head_num);
    put_str(c, ws, sn, row, 3, "SHA-256", f->head_indent);
    for (i = 4; i <= 8; i++)
        put_blank(c, ws, sn, row, (lxw_col_t)i, f->head);
    row++;
    for (i = 0; i < r->nfiles; i++, row++) {
        const ip_input_file *fi = &r->files[i];
        put_str(c, ws, sn, row, 0, fi->name, f->text);
        put_num(c, ws, sn, row, 1, (double)fi->bytes, f->int_num);
        put_num(c, ws, sn, row, 2, (double)fi->rows, f->int_num);
        put_str(c, ws, sn, row, 3, fi->sha256, f->mono);
    }
    put_str(c, ws, sn, row, 0, "Alla indata", f->bold);
    put_str(c, ws, sn, row, 3, r->inputs_sha256, f->mono);
    row++;
    put_str(c, ws, sn, row, 0,
            "(SHA-256 över filernas namn och kontrollsummor)", f->subtitle);
    row += 2;
    snprintf(buf, sizeof buf, "Förra årets avgifter (fees.csv %d): %s", r->year - 1,
             r->have_prev ? "inlästa" : "saknas, kolumnerna för förra "
                                               "året visar –");
    put_str(c, ws, sn, row++, 0, buf, f->text);
    if (c->bill) {
        row++;
        row = write_documents(c, ws, sn, row);
        row++;
        row = write_postings(c, ws, sn, row);
    }
    if (r->nwarnings) {
        row++;
        put_str(c, ws, sn, row++, 0, "Varningar", f->bold);
        for (i = 0; i < r->nwarnings; i++)
            put_str(c, ws, sn, row++, 0, r->warnings[i], f->text);
    }

    worksheet_set_column(ws, 0, 0, 30, NULL);
    worksheet_set_column(ws, 1, 6, 13, NULL);
    worksheet_set_column(ws, 7, 7, 9, NULL);
    worksheet_set_column(ws, 8, 8, 22, NULL);
    worksheet_set_column(ws, 9, 9, 12, NULL);
    worksheet_set_column(ws, 10, 10, 12, NULL);
    worksheet_set_column(ws, 11, 11, 13, NULL);
    worksheet_set_column(ws, 12, 12, 14, NULL);
    page_setup(c, ws, 1, h);
}

/* ---- the workbook ------------------------------------------------------- */

/* workbook_close(), with what libxlsxwriter prints on stderr ("[ERROR] …")
 * caught into said[size]: the run reports its errors itself, one line each,
 * so the library's text goes into the diag's extra lines instead. *err is the
 * errno the library left. */
static lxw_error close_quietly(lxw_workbook *wb, int *err, char *said, size_t size)
{
    FILE *tmp = tmpfile();
    int saved = -1;
    lxw_error e;
    said[0] = '\0';
    fflush(stderr);
    if (tmp && (saved = dup(STDERR_FILENO)) >= 0 && dup2(fileno(tmp), STDERR_FILENO) < 0) {
        close(saved);
        saved = -1;
    }
    errno = 0;
    e = workbook_close(wb);
    *err = errno;
    fflush(stderr);
    if (saved >= 0) {
        dup2(saved, STDERR_FILENO);
        close(saved);
    }
    if (tmp) {
        size_t n;
        rewind(tmp);
        n = fread(said, 1, size - 1, tmp);
        said[n] = '\0';
        fclose(tmp);
    }
    return e;
}

/* The folder of path ("." when it has none), for libxlsxwriter's temporary
 * files: beside the output, on the same file system. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return ip_xstrdup(".");
    if (slash == path)
        return ip_xstrdup("/");
    return ip_xstrndup(path, (size_t)(slash - path));
}

ip_err ip_pricelist_write(const ip_run *r, const ip_billing *bill, const char *path,
                          ip_diag *d)
{
    ctx c;
    lxw_workbook_options opt;
    lxw_doc_properties props;
    const ip_tariff *t = r->tariff;
    char *tmpdir = dir_of(path), *title, *subject;
    const char **taken;
    size_t s;
    lxw_error e;
    ip_err ret = IP_OK;
    int fd, err = 0;
    char said[1024];

    /* libxlsxwriter creates the file only at the end; find out now, with the
     * system's reason, whether it can be. */
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd < 0 || close(fd) != 0) {
        free(tmpdir);
        return ip_diag_set(d, IP_ERR_CANTCREAT, path, 0, "cannot create the workbook: %s",
                           strerror(errno));
    }

    memset(&c, 0, sizeof c);
    c.r = r;
    c.bill = bill;
    memset(&opt, 0, sizeof opt);
    opt.tmpdir = tmpdir;
    c.wb = workbook_new_opt(path, &opt);
    if (!c.wb) { /* only when out of memory */
        free(tmpdir);
        return ip_diag_set(d, IP_ERR_IO, path, 0, "cannot create the workbook: out of memory");
    }

    title = ip_xasprintf("Prislista %d", r->year);
    subject = ip_xasprintf("Kontaktcentertjänster %d: fasta priser, fördelning "
                           "per kund",
                           r->year);
    memset(&props, 0, sizeof props);
    props.title = title;
    props.subject = subject;
    props.author = (char *)"internpris";
    props.company = t->seller.name && *t->seller.name
                        ? t->seller.name
                        : (char *)"Stockholms stad, Serviceförvaltningen";
    props.created =
        (time_t)ip_date_epoch(t->issue_date ? t->issue_date : ip_date_of(r->year, 1, 1));
    workbook_set_properties(c.wb, &props);

    make_formats(&c);
    make_order(&c);

    /* Sheet names first: the check sheet and "Per kund" refer to them. */
    c.sheets = ip_xcalloc(r->nsvc ? r->nsvc : 1, sizeof *c.sheets);
    taken = ip_xcalloc(r->nsvc + 2, sizeof *taken);
    taken[0] = SHEET_CUSTOMERS;
    taken[1] = SHEET_CHECK;
    for (s = 0; s < r->nsvc; s++) {
        c.sheets[s].name = ip_pricelist_sheet_name(r->svc[s].svc->name, r->svc[s].svc->id,
                                                   taken, s + 2);
        taken[s + 2] = c.sheets[s].name;
    }
    free(taken);

    write_customers_sheet(&c);
    for (s = 0; s < r->nsvc; s++)
        write_service_sheet(&c, s);
    write_check_sheet(&c);

    if (c.lerr != LXW_NO_ERROR) {
        char ref[16];
        ret = ip_diag_set(d, IP_ERR_SOFTWARE, path, 0, "cannot write cell '%s'!%s: %s",
                          c.lerr_sheet, cell(ref, c.lerr_row, c.lerr_col),
                          lxw_strerror(c.lerr));
    }
    e = close_quietly(c.wb, &err, said, sizeof said); /* writes the file, frees the workbook */
    if (e != LXW_NO_ERROR && ret == IP_OK) {
        char *line, *next;
        if (e == LXW_ERROR_CREATING_XLSX_FILE)
            ret = ip_diag_set(d, IP_ERR_CANTCREAT, path, 0, "cannot create the workbook: %s",
                              err ? strerror(err) : lxw_strerror(e));
        else
            ret = ip_diag_set(d, IP_ERR_IO, path, 0, "cannot write the workbook: %s",
                              err ? strerror(err) : lxw_strerror(e));
        for (line = said; *line; line = next) {
            next = line + strcspn(line, "\n");
            if (*next)
                *next++ = '\0';
            if (*line)
                ip_diag_add(d, "libxlsxwriter: %s", line);
        }
    }

    for (s = 0; s < r->nsvc; s++)
        free(c.sheets[s].name);
    free(c.sheets);
    free(c.order);
    free(c.group_start);
    free(title);
    free(subject);
    free(tmpdir);
    return ret;
}
