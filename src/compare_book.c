/*
 * compare_book.c — the scenario's comparison workbook (compare_book.h): a
 * "Per kund" sheet, one sheet per service and a "Tariffer" sheet, in the
 * price list's formats, order and print layout (pricelist_sheet.h: the
 * same formats, table order, sheet names, cell helpers and page setup), the
 * scenario's name in every page's header and footer, written to a
 * temporary file and renamed into place.
 *
 * The two tables share one writer: a list of columns, each either a value
 * read from the scenario (a fee, a total, a basis, the fixed fee's part of
 * a difference, last year's total) or a live formula over two columns of
 * the same row (a difference, a per cent). Customer rows hold the values;
 * Delsumma rows sum their group's rows, Totalt the Delsumma rows, all as
 * formulas whose cached values are the scenario's integers. A value that
 * is not known (last year's, or a basis under a tariff without the
 * service) is "–", and so is every sum over it.
 *
 * Memory does not grow with the sheets: like the price list (pricelist.c),
 * the workbook is written in libxlsxwriter's constant_memory mode, each row
 * to a temporary file beside the workbook once the next row begins, its
 * text as inline strings. So every sheet is written top to bottom and each
 * row left to right: a table's widths, frozen panes and filter are set
 * before its rows (a filter whose range ends above the row being written
 * is refused), a row's height while it is the row being written, and
 * Tariffer's sums row by row. Whatever libxlsxwriter refuses is recorded
 * like a refused cell, a bug (70). 5 000 customers × 50 services: peak RSS
 * 198 MiB instead of 680 MiB (the scenario without its workbook: 191 MiB).
 */
#include "compare_book.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <xlsxwriter.h>
#include <zlib.h>

#include "date.h"
#include "files.h"
#include "money.h"
#include "pricelist_sheet.h"
#include "utf8.h"
#include "signals.h"
#include "stage.h"
#include "util.h"
#include "wording.h"

#define SHEET_TARIFFS "Tariffer"
#define NAME_IN_HEADER 80 /* characters of the scenario's name in a page header */
#define TARIFF_COL_WIDTH 34 /* "Tariffer": a tariff's column */
#define ONE_PAGE_ROWS 90    /* a table up to this row is printed on one page */

/* The split's definition, under every table that shows it. */
#define SPLIT_NOTE                                                                              \
    "Varav fast avgift: den föreslagna fasta avgiften fördelad med den beslutade nyckeln och "  \
    "det beslutade underlaget (största rest, som vid körningen), minus den beslutade avgiften. " \
    "Varav fördelning: den föreslagna avgiften minus detta — det som ändrad nyckel, period, "   \
    "filter eller sammanslagning gör. Hela kronor; delarna summerar till skillnaden. En ny "    \
    "eller borttagen tjänst räknas helt som fast avgift."

/* What a column shows. */
typedef enum col_kind {
    COL_TOTAL,    /* the customer's total under tariff j (Per kund) */
    COL_FEE,      /* the customer's fee for the service under tariff j */
    COL_BASIS,    /* the customer's basis for the service under tariff j */
    COL_FEE_PART, /* the fixed fee's part of the difference of tariff j */
    COL_PREV,     /* last year's total */
    COL_DIFF,     /* formula: column a - column b */
    COL_PCT       /* formula: column a / column b */
} col_kind;

typedef struct book_col {
    col_kind kind;
    size_t j;        /* tariff */
    size_t a, b;     /* COL_DIFF, COL_PCT: indexes into the table's columns */
    char *head;
    double width;
} book_col;

/* One workbook being written. */
typedef struct book {
    const ip_scenario *sc;
    ip_pl_ctx c;              /* formats, table order, cell helpers; c.r = the decided run */
    char *header, *footer;    /* every page's, with the name's '&' doubled */
    char **sheet_names;       /* [nsvc] */
    lxw_row_t cust_total_row; /* Per kund: row of Totalt */
    lxw_col_t *cust_total_col;/* Per kund: [nruns] the column of each tariff's total */
    lxw_format *note_wrap;    /* the split's definition: italic, wrapped */
} book;

/* One table being written. */
typedef struct table {
    book *b;
    lxw_worksheet *ws;
    const char *sn;
    size_t si;        /* the service of a service sheet */
    book_col *cols;   /* sheet column 2 + i */
    size_t ncols;
    lxw_row_t head;
    int filter;       /* an autofilter from the header row to Totalt */
} table;

/* Sums over rows, per column. */
typedef struct sums {
    int64_t *v;
    int *known;
} sums;

static lxw_col_t col_of(size_t i)
{
    return (lxw_col_t)(2 + i);
}

static void sums_init(sums *s, size_t n)
{
    size_t i;
    s->v = ip_xcalloc(n + 1, sizeof *s->v);
    s->known = ip_xcalloc(n + 1, sizeof *s->known);
    for (i = 0; i < n; i++)
        s->known[i] = 1;
}

static void sums_release(sums *s)
{
    free(s->v);
    free(s->known);
}

static void sums_add(sums *to, const int64_t *v, const int *known, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        to->v[i] += known[i] ? v[i] : 0;
        to->known[i] &= known[i];
    }
}

/* The value of column i for slot: 1 when known. */
static int cell_value(const table *t, size_t i, size_t slot, const int64_t *row, const int *known,
                      int64_t *out)
{
    const ip_scenario *sc = t->b->sc;
    const book_col *col = &t->cols[i];
    const ip_svc_result *sr;
    size_t s;
    switch (col->kind) {
    case COL_TOTAL:
        *out = ip_scenario_customer_total(sc, col->j, slot);
        return 1;
    case COL_FEE:
        *out = ip_scenario_fee(sc, t->si, col->j, slot);
        return 1;
    case COL_BASIS:
        sr = ip_scenario_result(sc, t->si, col->j);
        if (!sr)
            return 0;
        *out = sr->basis[slot];
        return 1;
    case COL_FEE_PART:
        if (t->si != (size_t)-1) {
            *out = ip_scenario_fee_part(sc, t->si, col->j, slot);
            return 1;
        }
        *out = 0;
        for (s = 0; s < sc->nsvc; s++)
            *out += ip_scenario_fee_part(sc, s, col->j, slot);
        return 1;
    case COL_PREV:
        *out = ip_run_customer_prev_total(sc->runs[0], slot);
        return *out != IP_NO_PREV;
    case COL_DIFF:
        *out = row[col->a] - row[col->b];
        return known[col->a] && known[col->b];
    case COL_PCT:
        *out = 0;
        return known[col->a] && known[col->b] && row[col->b] != 0;
    }
    return 0;
}

/* Cells of one row from its values (v, known): numbers, or the formulas of
 * DIFF and PCT with their cached values; on a sum row (kind not
 * IP_PL_ROW_CUSTOMER) the value columns are sums over first..last or over
 * the rows rows[0..nrows). */
static void put_cells(const table *t, lxw_row_t row, int kind, const int64_t *v, const int *known,
                      lxw_row_t first, lxw_row_t last, const lxw_row_t *rows, size_t nrows)
{
    ip_pl_ctx *c = &t->b->c;
    ip_pl_row_fmts rf = ip_pl_row_formats(&c->f, kind);
    char x[16], y[16], fml[64];
    size_t i;
    for (i = 0; i < t->ncols; i++) {
        const book_col *col = &t->cols[i];
        lxw_col_t cc = col_of(i);
        lxw_format *num = col->kind == COL_BASIS                                 ? rf.count
                          : col->kind == COL_DIFF || col->kind == COL_FEE_PART ? rf.change_kr
                                                                               : rf.kr;
        if (col->kind == COL_PCT) {
            if (known[col->a] && known[col->b] && v[col->b] != 0) {
                snprintf(fml, sizeof fml, "=%s/%s", ip_pl_cell(x, row, col_of(col->a)),
                         ip_pl_cell(y, row, col_of(col->b)));
                ip_pl_put_formula(c, t->ws, t->sn, row, cc, fml,
                                  ip_pl_num(v[col->a]) / ip_pl_num(v[col->b]), rf.change_pct);
            } else if (known[col->a] && known[col->b] && v[col->a] == 0) {
                ip_pl_put_blank(c, t->ws, t->sn, row, cc, rf.blank); /* 0 of 0: nothing to say */
            } else {
                ip_pl_put_str(c, t->ws, t->sn, row, cc, IP_PL_DASH, rf.dash);
            }
            continue;
        }
        if (!known[i]) {
            ip_pl_put_str(c, t->ws, t->sn, row, cc, IP_PL_DASH, rf.dash);
            continue;
        }
        if (kind == IP_PL_ROW_CUSTOMER && col->kind == COL_DIFF) {
            snprintf(fml, sizeof fml, "=%s-%s", ip_pl_cell(x, row, col_of(col->a)),
                     ip_pl_cell(y, row, col_of(col->b)));
            ip_pl_put_formula(c, t->ws, t->sn, row, cc, fml, ip_pl_num(v[i]), num);
        } else if (kind == IP_PL_ROW_CUSTOMER) {
            ip_pl_put_num(c, t->ws, t->sn, row, cc, ip_pl_num(v[i]), num);
        } else {
            char *sum = rows ? ip_pl_sum_rows(rows, nrows, cc) : ip_pl_sum_range(first, last, cc);
            ip_pl_put_formula(c, t->ws, t->sn, row, cc, sum, ip_pl_num(v[i]), num);
            free(sum);
        }
    }
}

/* The row of the table's Totalt: after the header row, per group its
 * label, its customers, Delsumma and a blank row. */
static lxw_row_t table_total_row(const table *t)
{
    const ip_pl_ctx *c = &t->b->c;
    return t->head + 1 + (lxw_row_t)(c->group_start[c->r->tariff->ngroups] +
                                     3 * c->r->tariff->ngroups);
}

/* The table: header row, then per group its customers and Delsumma, then
 * Totalt over the Delsumma rows; its widths, frozen panes and filter set
 * before its first row (see the top of this file). Returns the row of
 * Totalt. */
static lxw_row_t write_table(table *t)
{
    ip_pl_ctx *c = &t->b->c;
    const ip_run *r = c->r;
    const ip_tariff *tf = r->tariff;
    lxw_row_t row, total = table_total_row(t);
    lxw_row_t *sub_rows = ip_xcalloc(tf->ngroups + 1, sizeof *sub_rows);
    int64_t *v = ip_xcalloc(t->ncols + 1, sizeof *v);
    int *known = ip_xcalloc(t->ncols + 1, sizeof *known);
    sums all;
    size_t g, i, k;

    worksheet_set_column(t->ws, 0, 0, 6, NULL);
    worksheet_set_column(t->ws, 1, 1, 34, NULL);
    for (i = 0; i < t->ncols; i++)
        worksheet_set_column(t->ws, col_of(i), col_of(i), t->cols[i].width, NULL);
    worksheet_freeze_panes(t->ws, t->head + 1, 2);
    if (t->filter)
        ip_pl_note_err(c, worksheet_autofilter(t->ws, t->head, 0, total, col_of(t->ncols - 1)),
                       t->sn, t->head, 0);

    ip_pl_put_str(c, t->ws, t->sn, t->head, 0, "Nr", c->f.head);
    ip_pl_put_str(c, t->ws, t->sn, t->head, 1, "Kund", c->f.head);
    for (i = 0; i < t->ncols; i++)
        ip_pl_put_str(c, t->ws, t->sn, t->head, col_of(i), t->cols[i].head, c->f.head_num);
    ip_pl_note_err(c, worksheet_set_row(t->ws, t->head, 60, NULL), t->sn, t->head, 0);

    sums_init(&all, t->ncols);
    row = t->head + 1;
    for (g = 0; g < tf->ngroups; g++) {
        lxw_row_t first = row + 1;
        char *label = ip_xasprintf("Delsumma %s", tf->groups[g].label);
        ip_pl_row_fmts sf = ip_pl_row_formats(&c->f, IP_PL_ROW_SUBTOTAL);
        sums gs;
        sums_init(&gs, t->ncols);
        ip_pl_put_str(c, t->ws, t->sn, row++, 1, tf->groups[g].label, c->f.group);
        for (k = c->group_start[g]; k < c->group_start[g + 1]; k++) {
            size_t slot = c->order[k];
            const ip_customer *cu = ip_customers_at(r->customers, slot);
            for (i = 0; i < t->ncols; i++)
                known[i] = cell_value(t, i, slot, v, known, &v[i]);
            ip_pl_put_num(c, t->ws, t->sn, row, 0, (double)cu->nr, c->f.nr);
            ip_pl_put_str(c, t->ws, t->sn, row, 1, cu->name, c->f.name);
            put_cells(t, row, IP_PL_ROW_CUSTOMER, v, known, 0, 0, NULL, 0);
            sums_add(&gs, v, known, t->ncols);
            row++;
        }
        sub_rows[g] = row;
        ip_pl_put_blank(c, t->ws, t->sn, row, 0, sf.blank);
        ip_pl_put_str(c, t->ws, t->sn, row, 1, label, sf.label);
        put_cells(t, row, IP_PL_ROW_SUBTOTAL, gs.v, gs.known, first, row - 1, NULL, 0);
        sums_add(&all, gs.v, gs.known, t->ncols);
        sums_release(&gs);
        free(label);
        row += 2;
    }
    {
        ip_pl_row_fmts tf2 = ip_pl_row_formats(&c->f, IP_PL_ROW_TOTAL);
        ip_pl_put_blank(c, t->ws, t->sn, row, 0, tf2.blank);
        ip_pl_put_str(c, t->ws, t->sn, row, 1, "Totalt", tf2.label);
        put_cells(t, row, IP_PL_ROW_TOTAL, all.v, all.known, 0, 0, sub_rows, tf->ngroups);
    }
    if (row != total)
        IP_BUG("table '%s': Totalt in row %u, not %u", t->sn, (unsigned)row, (unsigned)total);
    sums_release(&all);
    free(sub_rows);
    free(v);
    free(known);
    return row;
}

static void add_col(book_col **cols, size_t *n, col_kind kind, size_t j, size_t a, size_t b,
                    double width, char *head)
{
    *cols = ip_xrealloc(*cols, (*n + 1) * sizeof **cols);
    (*cols)[*n].kind = kind;
    (*cols)[*n].j = j;
    (*cols)[*n].a = a;
    (*cols)[*n].b = b;
    (*cols)[*n].width = width;
    (*cols)[*n].head = head;
    (*n)++;
}

static void free_cols(book_col *cols, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        free(cols[i].head);
    free(cols);
}

/* The width of a table's columns, Nr and Kund included. */
static double table_width(const book_col *cols, size_t n)
{
    double w = 6 + 34;
    size_t i;
    for (i = 0; i < n; i++)
        w += cols[i].width;
    return w;
}

/* A text across the table's columns 0..last, wrapped, its row as high as
 * it needs: a long line would otherwise run past the table and widen the
 * printed page. */
static void put_across(book *b, lxw_worksheet *ws, const char *sn, lxw_row_t row, lxw_col_t last,
                       double width, const char *text, lxw_format *f)
{
    ip_pl_ctx *c = &b->c;
    ip_pl_note_err(c, worksheet_merge_range(ws, row, 0, row, last, "", f), sn, row, 0);
    ip_pl_put_str(c, ws, sn, row, 0, text, f);
    ip_pl_note_err(c, worksheet_set_row(ws, row, 15.0 * ip_pl_text_lines(text, width) + 2, NULL),
                   sn, row, 0);
}

/* Every page: A4 landscape, one page wide, the table's head repeated, the
 * scenario's name in the header and, with the sheet's name and the page
 * number, in the footer. */
static void page_setup(book *b, lxw_worksheet *ws, lxw_row_t head, lxw_row_t last)
{
    ip_pl_page_setup(&b->c, ws, 1, head);
    /* a table of the sample year's size on one page rather than its last
     * rows alone on a second; a long register keeps its pages readable */
    if (last <= ONE_PAGE_ROWS)
        worksheet_fit_to_pages(ws, 1, 1);
    worksheet_set_header(ws, b->header);
    worksheet_set_footer(ws, b->footer);
}

/* ---- the sheets ---------------------------------------------------------- */

static void write_customers(book *b, lxw_worksheet *ws)
{
    const ip_scenario *sc = b->sc;
    ip_pl_ctx *c = &b->c;
    table t;
    book_col *cols = NULL;
    size_t n = 0, j;

    ip_pl_put_strf(c, ws, IP_PL_SHEET_CUSTOMERS, 0, 0, c->f.title, "%s — fasta årsavgifter %d per kund",
                   sc->name, sc->year);
    ip_pl_put_strf(c, ws, IP_PL_SHEET_CUSTOMERS, 1, 0, c->f.subtitle,
                   "Belopp i kronor exklusive moms, alla tjänster. %s jämförs med %s.%s",
                   sc->nruns > 2 ? "Förslagen" : "Förslaget", "den beslutade tariffen",
                   sc->runs[0]->have_prev ? "" : " Förra årets avgifter saknas (–).");
    b->cust_total_col = ip_xcalloc(sc->nruns, sizeof *b->cust_total_col);
    add_col(&cols, &n, COL_TOTAL, 0, 0, 0, 14, ip_xasprintf("%s %d", sc->labels[0], sc->year));
    b->cust_total_col[0] = col_of(0);
    for (j = 1; j < sc->nruns; j++) {
        size_t tot = n;
        b->cust_total_col[j] = col_of(n);
        add_col(&cols, &n, COL_TOTAL, j, 0, 0, 14, ip_xasprintf("%s %d", sc->labels[j], sc->year));
        add_col(&cols, &n, COL_DIFF, j, tot, 0, 13, ip_xasprintf("%s: skillnad kr", sc->labels[j]));
        add_col(&cols, &n, COL_PCT, j, tot + 1, 0, 11, ip_xasprintf("%s: skillnad %%", sc->labels[j]));
        add_col(&cols, &n, COL_FEE_PART, j, 0, 0, 13, ip_xstrdup("varav fast avgift"));
        add_col(&cols, &n, COL_DIFF, j, tot + 1, tot + 3, 13, ip_xstrdup("varav fördelning"));
    }
    add_col(&cols, &n, COL_PREV, 0, 0, 0, 14, ip_xasprintf("Totalt %d", sc->year - 1));
    t.b = b;
    t.ws = ws;
    t.sn = IP_PL_SHEET_CUSTOMERS;
    t.si = (size_t)-1;
    t.cols = cols;
    t.ncols = n;
    t.head = 3;
    t.filter = 1;
    b->cust_total_row = write_table(&t);
    put_across(b, ws, t.sn, b->cust_total_row + 2, col_of(n - 1), table_width(cols, n), SPLIT_NOTE,
               b->note_wrap);
    page_setup(b, ws, t.head, b->cust_total_row + 2);
    free_cols(cols, n);
}

static void write_service(book *b, lxw_worksheet *ws, size_t si)
{
    const ip_scenario *sc = b->sc;
    ip_pl_ctx *c = &b->c;
    const char *sn = b->sheet_names[si];
    table t;
    book_col *cols = NULL;
    size_t n = 0, j;
    lxw_row_t row = 2, total;
    double width;
    char kr[32], w[32];

    for (j = 0; j < sc->nruns; j++) {
        const ip_svc_result *sr = ip_scenario_result(sc, si, j);
        size_t fee;
        add_col(&cols, &n, COL_BASIS, j, 0, 0, 12,
                ip_xasprintf("%s: %s", sc->labels[j], sr ? ip_wording_unit(sr->svc) : "underlag"));
        fee = n;
        add_col(&cols, &n, COL_FEE, j, 0, 0, 13, ip_xasprintf("%s: avgift %d", sc->labels[j], sc->year));
        if (j == 0)
            continue;
        add_col(&cols, &n, COL_DIFF, j, fee, 1, 12, ip_xasprintf("%s: skillnad kr", sc->labels[j]));
        add_col(&cols, &n, COL_PCT, j, fee + 1, 1, 11, ip_xasprintf("%s: skillnad %%", sc->labels[j]));
        add_col(&cols, &n, COL_FEE_PART, j, 0, 0, 12, ip_xstrdup("varav fast avgift"));
        add_col(&cols, &n, COL_DIFF, j, fee + 1, fee + 3, 12, ip_xstrdup("varav fördelning"));
    }
    width = table_width(cols, n);

    ip_pl_put_str(c, ws, sn, 0, 0, sc->svc[si].name, c->f.title);
    ip_pl_put_strf(c, ws, sn, 1, 0, c->f.subtitle, "%s — fast avgift %d och dess fördelning per kund",
                   sc->name, sc->year);
    for (j = 0; j < sc->nruns; j++) {
        const ip_svc_result *sr = ip_scenario_result(sc, si, j);
        char *text;
        if (!sr) {
            text = ip_xasprintf("%s: tjänsten finns inte i tariffen (0 kr)", sc->labels[j]);
        } else {
            char *key = ip_wording_key(sr->svc, sr->alloc.participants);
            char *fil = ip_wording_filters(sr->svc), *con = ip_wording_consolidations(sr->svc);
            char *src = ip_wording_basis_file(sr->svc), per[48];
            text = ip_xasprintf("%s: fast avgift %s kr. %s Underlag totalt %s %s: %s, %s; "
                                "filter %s; sammanslagning %s.",
                                sc->labels[j], ip_money_fmt_thousands(sr->svc->fee, kr, sizeof kr),
                                key, ip_money_fmt_thousands(sr->alloc.total, w, sizeof w),
                                ip_wording_unit(sr->svc), src,
                                ip_wording_period_labelled(sr->svc, per, sizeof per), fil, con);
            free(key);
            free(fil);
            free(con);
            free(src);
        }
        put_across(b, ws, sn, row++, col_of(n - 1), width, text, c->f.wrap);
        free(text);
    }
    t.b = b;
    t.ws = ws;
    t.sn = sn;
    t.si = si;
    t.cols = cols;
    t.ncols = n;
    t.head = row + 1;
    t.filter = 0;
    total = write_table(&t);
    put_across(b, ws, sn, total + 2, col_of(n - 1), width, SPLIT_NOTE, b->note_wrap);
    page_setup(b, ws, t.head, total + 2);
    free_cols(cols, n);
}

/* "Tariffer": both tariffs side by side, the sums, the files. */
static void write_tariffs(book *b, lxw_worksheet *ws)
{
    const ip_scenario *sc = b->sc;
    ip_pl_ctx *c = &b->c;
    const char *sn = SHEET_TARIFFS;
    lxw_row_t row = 3, head = 3;
    lxw_row_t **fee_rows = ip_xcalloc(sc->nruns, sizeof *fee_rows);
    size_t *nfee = ip_xcalloc(sc->nruns, sizeof *nfee);
    int64_t *fixed = ip_xcalloc(sc->nruns, sizeof *fixed);   /* per tariff: the fixed fees */
    int64_t *alloc = ip_xcalloc(sc->nruns, sizeof *alloc);   /* … and what Per kund allocates */
    char *ref = ip_pl_sheet_ref(IP_PL_SHEET_CUSTOMERS);
    size_t s, j, f, g;
    char x[16], y[16], fml[128];
    lxw_row_t sum_row, cust_row;

    worksheet_set_column(ws, 0, 0, 12, NULL);
    worksheet_set_column(ws, 1, 1, 26, NULL);
    for (j = 0; j < sc->nruns; j++)
        worksheet_set_column(ws, (lxw_col_t)(2 + j), (lxw_col_t)(2 + j), TARIFF_COL_WIDTH, NULL);
    ip_pl_put_strf(c, ws, sn, 0, 0, c->f.title, "%s — tariffer", sc->name);
    ip_pl_put_strf(c, ws, sn, 1, 0, c->f.subtitle,
                   "Prisår %d. Samma statistik för alla tariffer; varje statistikfil läses en gång.",
                   sc->year);
    ip_pl_put_str(c, ws, sn, head, 0, "Tjänst", c->f.head);
    ip_pl_put_str(c, ws, sn, head, 1, "Uppgift", c->f.head);
    for (j = 0; j < sc->nruns; j++)
        ip_pl_put_str(c, ws, sn, head, (lxw_col_t)(2 + j), sc->labels[j], c->f.head_num);
    row = head + 1;
    for (s = 0; s < sc->nsvc; s++) {
        static const char *const what[] = {"Fast avgift", "Underlag", "Period", "Filter",
                                           "Sammanslagning", "Nyckel", "Underlag totalt"};
        size_t w;
        ip_pl_put_strf(c, ws, sn, row++, 0, c->f.bold, "%s (%s)", sc->svc[s].name, sc->svc[s].id);
        for (w = 0; w < IP_ARRAY_LEN(what); w++) {
            unsigned lines = 1;
            ip_pl_put_str(c, ws, sn, row, 1, what[w], c->f.wrap);
            for (j = 0; j < sc->nruns; j++) {
                const ip_svc_result *sr = ip_scenario_result(sc, s, j);
                lxw_col_t cc = (lxw_col_t)(2 + j);
                char *text = NULL, per[48];
                if (w == 0) {
                    ip_pl_put_num(c, ws, sn, row, cc, ip_pl_num(ip_scenario_fixed_fee(sc, s, j)),
                                  c->f.kr);
                    fee_rows[j] = ip_xrealloc(fee_rows[j], (nfee[j] + 1) * sizeof *fee_rows[j]);
                    fee_rows[j][nfee[j]++] = row;
                    continue;
                }
                if (!sr) {
                    ip_pl_put_str(c, ws, sn, row, cc, w == 1 ? "finns inte" : IP_PL_DASH,
                                  w == 6 ? c->f.dash : c->f.wrap);
                    continue;
                }
                switch (w) {
                case 1: text = ip_wording_basis_file(sr->svc); break;
                case 2: text = ip_xstrdup(ip_wording_period_labelled(sr->svc, per, sizeof per)); break;
                case 3: text = ip_wording_filters(sr->svc); break;
                case 4: text = ip_wording_consolidations(sr->svc); break;
                case 5: text = ip_wording_key(sr->svc, sr->alloc.participants); break;
                default: break;
                }
                if (text) {
                    /* the estimate errs on the high side: a line too
                     * many is blank space, one too few cuts the text */
                    unsigned l = ip_pl_text_lines(text, TARIFF_COL_WIDTH);
                    lines = l > lines ? l : lines;
                    ip_pl_put_str(c, ws, sn, row, cc, text, c->f.wrap);
                } else
                    ip_pl_put_num(c, ws, sn, row, cc, ip_pl_num(sr->alloc.total), c->f.int_num);
                free(text);
            }
            if (lines > 1)
                ip_pl_note_err(c, worksheet_set_row(ws, row, 15.0 * lines, NULL), sn, row, 0);
            row++;
        }
        row++;
    }
    /* the fixed fees add up to what Per kund allocates: three rows, each
     * written across before the next */
    for (j = 0; j < sc->nruns; j++) {
        size_t k;
        for (s = 0; s < sc->nsvc; s++)
            fixed[j] += ip_scenario_fixed_fee(sc, s, j);
        for (k = 0; k < sc->ncust; k++)
            alloc[j] += ip_scenario_customer_total(sc, j, k);
    }
    sum_row = row;
    cust_row = row + 1;
    ip_pl_put_blank(c, ws, sn, sum_row, 0, c->f.sub_blank);
    ip_pl_put_str(c, ws, sn, sum_row, 1, "Summa fasta avgifter", c->f.sub_label);
    for (j = 0; j < sc->nruns; j++) {
        char *sum = ip_pl_sum_rows(fee_rows[j], nfee[j], (lxw_col_t)(2 + j));
        ip_pl_put_formula(c, ws, sn, sum_row, (lxw_col_t)(2 + j), sum, ip_pl_num(fixed[j]),
                          c->f.sub_kr);
        free(sum);
    }
    ip_pl_put_blank(c, ws, sn, cust_row, 0, c->f.sub_blank);
    ip_pl_put_str(c, ws, sn, cust_row, 1, "Summa i Per kund", c->f.sub_label);
    for (j = 0; j < sc->nruns; j++) {
        snprintf(fml, sizeof fml, "=%s%s", ref, ip_pl_cell(x, b->cust_total_row, b->cust_total_col[j]));
        ip_pl_put_formula(c, ws, sn, cust_row, (lxw_col_t)(2 + j), fml, ip_pl_num(alloc[j]),
                          c->f.sub_kr);
    }
    ip_pl_put_blank(c, ws, sn, cust_row + 1, 0, c->f.tot_blank);
    ip_pl_put_str(c, ws, sn, cust_row + 1, 1, "Differens", c->f.tot_label);
    for (j = 0; j < sc->nruns; j++) {
        lxw_col_t cc = (lxw_col_t)(2 + j);
        snprintf(fml, sizeof fml, "=%s-%s", ip_pl_cell(x, sum_row, cc), ip_pl_cell(y, cust_row, cc));
        ip_pl_put_formula(c, ws, sn, cust_row + 1, cc, fml, ip_pl_num(fixed[j] - alloc[j]),
                          c->f.tot_change_kr);
    }
    row = cust_row + 3;

    /* the files */
    ip_pl_put_str(c, ws, sn, row++, 0, "Tariffernas filer", c->f.bold);
    for (j = 0; j < sc->nruns; j++) {
        ip_pl_put_str(c, ws, sn, row, 0, sc->labels[j], c->f.text);
        ip_pl_put_str(c, ws, sn, row++, 1, sc->runs[j]->tariff->path, c->f.text);
        ip_pl_put_strf(c, ws, sn, row++, 1, c->f.mono, "SHA-256 %s", sc->runs[j]->files[0].sha256);
        ip_pl_put_strf(c, ws, sn, row++, 1, c->f.mono, "SHA-256 över indata %s",
                       sc->runs[j]->inputs_sha256);
    }
    row++;
    ip_pl_put_str(c, ws, sn, row, 0, "Statistik och kundregister", c->f.bold);
    row++;
    for (j = 0; j < sc->nruns; j++)
        for (f = 1; f < sc->runs[j]->nfiles; f++) {
            const ip_input_file *in = &sc->runs[j]->files[f];
            int seen = 0;
            for (g = 0; g <= j && !seen; g++) {
                size_t h, lim = g == j ? f : sc->runs[g]->nfiles;
                for (h = 1; h < lim && !seen; h++)
                    seen = strcmp(sc->runs[g]->files[h].path, in->path) == 0;
            }
            if (seen)
                continue;
            ip_pl_put_str(c, ws, sn, row, 0, in->name, c->f.text);
            ip_pl_put_strf(c, ws, sn, row, 1, c->f.text, "%" PRIu64 " byte, %" PRIu64 " rader",
                           in->bytes, in->rows);
            ip_pl_put_strf(c, ws, sn, row, 2, c->f.mono, "SHA-256 %s", in->sha256);
            row++;
        }

    page_setup(b, ws, head, ONE_PAGE_ROWS + 1); /* as long as it is */
    for (j = 0; j < sc->nruns; j++)
        free(fee_rows[j]);
    free(fee_rows);
    free(nfee);
    free(fixed);
    free(alloc);
    free(ref);
}

/* ---- the workbook --------------------------------------------------------- */

/* text for a page header or footer: cut to NAME_IN_HEADER characters, '&'
 * doubled (Excel's escape), so the header stays within Excel's 255. */
static char *header_text(const char *fmt_before, const char *name, const char *fmt_after)
{
    size_t n = strlen(name), keep = ip_utf8_prefix(name, n, NAME_IN_HEADER);
    ip_buf b;
    size_t i;
    ip_buf_init(&b);
    ip_buf_adds(&b, fmt_before);
    for (i = 0; i < keep; i++) {
        if (name[i] == '&')
            ip_buf_addch(&b, '&');
        ip_buf_addch(&b, name[i]);
    }
    if (keep < n)
        ip_buf_adds(&b, "…");
    ip_buf_adds(&b, fmt_after);
    return ip_buf_detach(&b);
}

/* Little-endian fields of a zip file. */
static uint32_t le16(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const unsigned char *p)
{
    return le16(p) | le16(p + 2) << 16;
}

/* The uncompressed docProps/core.xml of the zip file z[0..n) into out
 * (at most size - 1 bytes, NUL-terminated); 0 when there is none. */
static int zip_core_xml(const unsigned char *z, size_t n, char *out, size_t size)
{
    static const char want[] = "docProps/core.xml";
    size_t eocd, at, i, count;
    if (n < 22)
        return 0;
    for (eocd = n - 22;; eocd--) { /* the end record, before a comment */
        if (le32(z + eocd) == 0x06054b50)
            break;
        if (eocd == 0 || n - eocd > 22 + 65535)
            return 0;
    }
    count = le16(z + eocd + 10);
    at = le32(z + eocd + 16);
    for (i = 0; i < count; i++) {
        size_t name_len, next, local, data;
        uint32_t method, csize;
        if (at > n || n - at < 46 || le32(z + at) != 0x02014b50)
            return 0;
        method = le16(z + at + 10);
        csize = le32(z + at + 20);
        name_len = le16(z + at + 28);
        next = at + 46 + name_len + le16(z + at + 30) + le16(z + at + 32);
        local = le32(z + at + 42);
        if (next > n)
            return 0;
        if (name_len == sizeof want - 1 && memcmp(z + at + 46, want, name_len) == 0) {
            z_stream zs;
            int rc;
            if (local > n || n - local < 30 || le32(z + local) != 0x04034b50)
                return 0;
            data = local + 30 + le16(z + local + 26) + le16(z + local + 28);
            if (data > n || n - data < csize)
                return 0;
            if (method == 0) {
                size_t k = csize < size - 1 ? csize : size - 1;
                memcpy(out, z + data, k);
                out[k] = '\0';
                return 1;
            }
            if (method != 8)
                return 0;
            memset(&zs, 0, sizeof zs);
            if (inflateInit2(&zs, -MAX_WBITS) != Z_OK)
                return 0;
            zs.next_in = (unsigned char *)(uintptr_t)(z + data);
            zs.avail_in = csize;
            zs.next_out = (unsigned char *)out;
            zs.avail_out = (uInt)(size - 1);
            rc = inflate(&zs, Z_FINISH);
            out[size - 1 - zs.avail_out] = '\0';
            inflateEnd(&zs);
            return rc == Z_STREAM_END || rc == Z_BUF_ERROR || rc == Z_OK;
        }
        at = next;
    }
    return 0;
}

int ip_compare_book_is_ours(const char *path)
{
    char *data = NULL, core[16384];
    size_t len = 0;
    ip_diag d;
    int ours;
    ip_diag_clear(&d);
    /* a workbook of this program is far below 256 MiB */
    if (ip_files_read(path, path, IP_FILES_NOFOLLOW, (size_t)256 << 20, &data, &len, &d))
        return 0;
    ours = len <= (size_t)256 << 20 &&
           zip_core_xml((const unsigned char *)data, len, core, sizeof core) &&
           strstr(core, "<dc:creator>internpris</dc:creator>") != NULL;
    free(data);
    return ours;
}

ip_err ip_compare_book_write(const ip_scenario *sc, const char *path, ip_diag *d)
{
    book b;
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_workbook_options opt;
    const ip_tariff *t = sc->runs[0]->tariff;
    char *tmp = ip_xasprintf("%s.tmp-XXXXXX", path), *title, *subject;
    char *tmpdir = ip_files_dir_of(path); /* libxlsxwriter's temporary files beside it */
    const char **taken;
    lxw_error e;
    ip_err ret = IP_OK;
    int fd, err = 0;
    mode_t um;
    size_t s;

    /* the temporary file beside path, with the mode a new file gets */
    fd = ip_signals_mkstemp(tmp); /* a signal while it is written removes it */
    if (fd < 0) {
        ret = ip_diag_set(d, IP_ERR_CANTCREAT, path, 0, "cannot create the workbook: %s",
                          strerror(errno));
        free(tmp);
        free(tmpdir);
        return ret;
    }
    um = umask(0);
    umask(um);
    if (fchmod(fd, 0666 & ~um) != 0 || close(fd) != 0) {
        ret = ip_diag_set(d, IP_ERR_IO, path, 0, "cannot create the workbook: %s", strerror(errno));
        unlink(tmp);
        ip_signals_temp_done();
        free(tmp);
        free(tmpdir);
        return ret;
    }

    memset(&b, 0, sizeof b);
    b.sc = sc;
    b.c.r = sc->runs[0];
    memset(&opt, 0, sizeof opt);
    opt.tmpdir = tmpdir;
    opt.constant_memory = LXW_TRUE; /* rows top to bottom: see the top of this file */
    if ((err = ip_pl_quiet_open(&b.c)) != 0) {
        ret = ip_pl_close_failed(d, path, LXW_ERROR_CREATING_XLSX_FILE, err);
        unlink(tmp);
        ip_signals_temp_done();
        free(tmp);
        free(tmpdir);
        return ret;
    }
    wb = workbook_new_opt(tmp, &opt);
    if (!wb) {
        ip_pl_quiet_close(&b.c);
        unlink(tmp);
        ip_signals_temp_done();
        free(tmp);
        free(tmpdir);
        return ip_diag_set(d, IP_ERR_IO, path, 0, "cannot create the workbook: out of memory");
    }
    title = ip_xasprintf("Scenario %d: %s", sc->year, sc->name);
    subject = ip_xasprintf("Kontaktcentertjänster %d: beslutad tariff och förslag, per kund",
                           sc->year);
    ip_pl_set_properties(wb, t, sc->year, title, subject);
    ip_pl_make_formats(wb, &b.c.f);
    b.note_wrap = workbook_add_format(wb);
    format_set_italic(b.note_wrap);
    format_set_text_wrap(b.note_wrap);
    format_set_align(b.note_wrap, LXW_ALIGN_VERTICAL_TOP);
    ip_pl_make_order(&b.c);
    b.header = header_text("&C&9", sc->name, "");
    b.footer = header_text("&L&8&A — ", sc->name, "&R&8sida &P av &N");

    b.sheet_names = ip_xcalloc(sc->nsvc + 1, sizeof *b.sheet_names);
    taken = ip_xcalloc(sc->nsvc + 2, sizeof *taken);
    taken[0] = IP_PL_SHEET_CUSTOMERS;
    taken[1] = SHEET_TARIFFS;
    for (s = 0; s < sc->nsvc; s++) {
        b.sheet_names[s] = ip_pl_sheet_name(sc->svc[s].name, sc->svc[s].id, taken, s + 2);
        taken[s + 2] = b.sheet_names[s];
    }
    free(taken);

    /* a sheet that cannot be made (its temporary file) ends the writing */
    if ((ws = ip_pl_add_sheet(&b.c, wb, IP_PL_SHEET_CUSTOMERS, &err)))
        write_customers(&b, ws);
    for (s = 0; ws && s < sc->nsvc; s++)
        if ((ws = ip_pl_add_sheet(&b.c, wb, b.sheet_names[s], &err)))
            write_service(&b, ws, s);
    if (ws && (ws = ip_pl_add_sheet(&b.c, wb, SHEET_TARIFFS, &err)))
        write_tariffs(&b, ws);
    if (!ws)
        ret = ip_pl_close_failed(d, path, LXW_ERROR_CREATING_XLSX_FILE, err);

    if (ret == IP_OK && b.c.lerr != LXW_NO_ERROR) {
        char ref[16];
        ret = ip_diag_set(d, IP_ERR_SOFTWARE, path, 0, "cannot write cell '%s'!%s: %s",
                          b.c.lerr_sheet, ip_pl_cell(ref, b.c.lerr_row, b.c.lerr_col),
                          lxw_strerror(b.c.lerr));
    }
    e = ip_pl_close_quietly(&b.c, wb, &err); /* writes tmp, frees the workbook */
    ip_kill_point(); /* test build: a signal while the temporary file exists */
    /* tmp is named by path: the file the person asked for */
    if (e != LXW_NO_ERROR && ret == IP_OK)
        ret = ip_pl_close_failed(d, path, e, err);
    if (ret == IP_OK) { /* on disk before it takes the name */
        fd = open(tmp, O_RDONLY);
        if (fd < 0 || fsync(fd) != 0)
            ret = ip_write_failed(d, path, errno);
        if (fd >= 0)
            close(fd);
    }
    if (ret == IP_OK && rename(tmp, path) != 0)
        ret = ip_diag_set(d, IP_ERR_CANTCREAT, path, 0, "cannot create the workbook: %s",
                          strerror(errno));
    if (ret != IP_OK)
        unlink(tmp);
    ip_signals_temp_done();

    for (s = 0; s < sc->nsvc; s++)
        free(b.sheet_names[s]);
    free(b.sheet_names);
    free(b.cust_total_col);
    free(b.c.order);
    free(b.c.group_start);
    free(b.header);
    free(b.footer);
    free(title);
    free(subject);
    free(tmp);
    free(tmpdir);
    return ret;
}
