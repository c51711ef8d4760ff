/*
 * pricelist_cells.c — how a cell of the price-list workbook is written
 * (pricelist_sheet.h): text only ever as a string cell, amounts as numbers
 * converted from integers at the last moment, formulas built from cell
 * references with their cached values, the change and last-year columns
 * every table shares, the page setup, and the first error the library
 * reports kept for the workbook.
 */
#include "pricelist_sheet.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "util.h"

#define CELL_TEXT_MAX 32767 /* Excel's limit, in characters */

void ip_pl_note_err(ip_pl_ctx *c, lxw_error e, const char *sheet, lxw_row_t row,
                    lxw_col_t col)
{
    if (e != LXW_NO_ERROR && c->lerr == LXW_NO_ERROR) {
        c->lerr = e;
        c->lerr_sheet = sheet;
        c->lerr_row = row;
        c->lerr_col = col;
    }
}

/* ---- values ------------------------------------------------------------- */

static int is_hex(char ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

/* 1 when p starts an OOXML escape, _xHHHH_ (ECMA-376 ST_Xstring). */
static int is_escape(const char *p)
{
    return p[0] == '_' && p[1] == 'x' && is_hex(p[2]) && is_hex(p[3]) && is_hex(p[4]) &&
           is_hex(p[5]) && p[6] == '_';
}

/* text with every '_' that starts _xHHHH_ written as _x005F_ (the escape of
 * '_' itself), so that the cell shows the text as it is instead of the
 * character the escape names; NULL when text holds no such sequence. */
static char *escape_underscores(const char *text)
{
    const char *p;
    ip_buf b;
    for (p = text; *p && !is_escape(p); p++)
        ;
    if (!*p)
        return NULL;
    ip_buf_init(&b);
    for (p = text; *p; p++) {
        if (is_escape(p))
            ip_buf_adds(&b, "_x005F");
        ip_buf_addch(&b, *p);
    }
    return ip_buf_detach(&b);
}

void ip_pl_put_str(ip_pl_ctx *c, lxw_worksheet *ws, const char *sheet, lxw_row_t row,
                   lxw_col_t col, const char *text, lxw_format *f)
{
    lxw_error e;
    char *cut = NULL, *esc;
    if (text == NULL)
        text = "";
    if (ip_utf8_count(text, strlen(text)) > CELL_TEXT_MAX)
        text = cut = ip_xstrndup(text, ip_utf8_prefix(text, strlen(text), CELL_TEXT_MAX));
    /* libxlsxwriter writes a string's _xHHHH_ as it is, which Excel and
     * LibreOffice read as an escape (Valn_x00E4_mnden shown as Valnämnden,
     * _x000D_ as a line break) */
    if ((esc = escape_underscores(text)) != NULL)
        text = esc;
    if (*text == '\0')
        e = worksheet_write_blank(ws, row, col, f);
    else
        e = worksheet_write_string(ws, row, col, text, f);
    free(esc);
    free(cut);
    ip_pl_note_err(c, e, sheet, row, col);
}

void ip_pl_put_strf(ip_pl_ctx *c, lxw_worksheet *ws, const char *sheet, lxw_row_t row,
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
    ip_pl_put_str(c, ws, sheet, row, col, b.buf, f);
    ip_buf_release(&b);
}

double ip_pl_num(int64_t v)
{
    return (double)v;
}

double ip_pl_num_ore(int64_t ore)
{
    return (double)ore / 100.0;
}

void ip_pl_put_num(ip_pl_ctx *c, lxw_worksheet *ws, const char *sheet, lxw_row_t row,
                   lxw_col_t col, double v, lxw_format *f)
{
    ip_pl_note_err(c, worksheet_write_number(ws, row, col, v, f), sheet, row, col);
}

void ip_pl_put_formula(ip_pl_ctx *c, lxw_worksheet *ws, const char *sheet, lxw_row_t row,
                       lxw_col_t col, const char *formula, double cached, lxw_format *f)
{
    ip_pl_note_err(c, worksheet_write_formula_num(ws, row, col, formula, f, cached), sheet, row,
                   col);
}

void ip_pl_put_blank(ip_pl_ctx *c, lxw_worksheet *ws, const char *sheet, lxw_row_t row,
                     lxw_col_t col, lxw_format *f)
{
    if (f)
        ip_pl_note_err(c, worksheet_write_blank(ws, row, col, f), sheet, row, col);
}

/* ---- the columns every table shares -------------------------------------- */

ip_pl_row_fmts ip_pl_row_formats(const ip_pl_fmts *f, int kind)
{
    ip_pl_row_fmts rf;
    if (kind == IP_PL_ROW_SUBTOTAL) {
        rf.label = f->sub_label, rf.count = f->sub_count, rf.kr = f->sub_kr;
        rf.pct = f->sub_pct, rf.dash = f->sub_dash, rf.change_kr = f->sub_change_kr;
        rf.change_pct = f->sub_change_pct, rf.blank = f->sub_blank;
    } else if (kind == IP_PL_ROW_TOTAL) {
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

void ip_pl_put_change(ip_pl_ctx *c, lxw_worksheet *ws, const char *sheet, lxw_row_t row,
                      lxw_col_t fee_col, lxw_col_t prev_col, int64_t fee, int64_t prev,
                      const ip_pl_row_fmts *rf)
{
    char a[16], b[16], fml[64];
    if (prev == IP_NO_PREV || (rf->blank == NULL && fee == 0 && prev == 0)) {
        /* unknown, or a customer without the service either year: no change to show */
        ip_pl_put_blank(c, ws, sheet, row, prev_col + 1, rf->blank);
        ip_pl_put_blank(c, ws, sheet, row, prev_col + 2, rf->blank);
        return;
    }
    snprintf(fml, sizeof fml, "=%s-%s", ip_pl_cell(a, row, fee_col),
             ip_pl_cell(b, row, prev_col));
    ip_pl_put_formula(c, ws, sheet, row, prev_col + 1, fml, ip_pl_num(fee - prev),
                      rf->change_kr);
    if (prev > 0) {
        snprintf(fml, sizeof fml, "=%s/%s", ip_pl_cell(a, row, prev_col + 1),
                 ip_pl_cell(b, row, prev_col));
        ip_pl_put_formula(c, ws, sheet, row, prev_col + 2, fml,
                          ip_pl_num(fee - prev) / ip_pl_num(prev), rf->change_pct);
    } else {
        ip_pl_put_blank(c, ws, sheet, row, prev_col + 2, rf->blank);
    }
}

void ip_pl_put_prev(ip_pl_ctx *c, lxw_worksheet *ws, const char *sheet, lxw_row_t row,
                    lxw_col_t col, int64_t prev, const ip_pl_row_fmts *rf)
{
    if (prev == IP_NO_PREV)
        ip_pl_put_str(c, ws, sheet, row, col, IP_PL_DASH, rf->dash);
    else
        ip_pl_put_num(c, ws, sheet, row, col, ip_pl_num(prev), rf->kr);
}

void ip_pl_page_setup(ip_pl_ctx *c, lxw_worksheet *ws, int landscape, lxw_row_t head_row)
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

/* ---- references and formulas --------------------------------------------- */

const char *ip_pl_cell(char buf[16], lxw_row_t row, lxw_col_t col)
{
    lxw_rowcol_to_cell(buf, row, col);
    return buf;
}

const char *ip_pl_cell_row_abs(char buf[16], lxw_row_t row, lxw_col_t col)
{
    lxw_rowcol_to_cell_abs(buf, row, col, 1, 0);
    return buf;
}

char *ip_pl_sheet_ref(const char *name)
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

char *ip_pl_sum_rows(const lxw_row_t *rows, size_t n, lxw_col_t col)
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
        ip_buf_adds(&b, ip_pl_cell(ref, rows[i], col));
    }
    return ip_buf_detach(&b);
}

char *ip_pl_sum_range(lxw_row_t first, lxw_row_t last, lxw_col_t col)
{
    char a[16], z[16];
    if (first > last)
        return ip_xstrdup("=0");
    return ip_xasprintf("=SUM(%s:%s)", ip_pl_cell(a, first, col), ip_pl_cell(z, last, col));
}

/* ---- text for cells ------------------------------------------------------ */

char *ip_pl_tidy_text(const char *s)
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

unsigned ip_pl_text_lines(const char *s, double width)
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
