/*
 * pricelist_customers.c — the workbook's "Per kund" sheet: every customer's
 * fee for every service, this year's and last year's total and the change,
 * a Delsumma row per group and Totalt over the Delsumma rows. Sums are live
 * formulas whose cached values are the run's integers.
 */
#include "pricelist_sheet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "util.h"

/* The sheet being written and its columns. */
typedef struct cust_page {
    ip_pl_ctx *c;
    lxw_worksheet *ws;
    const char *sn;
    const ip_run *r;
    const ip_pl_fmts *f;
    lxw_col_t first_svc, col_tot, col_prev; /* services, this year's and last year's total */
    lxw_row_t head;                         /* the header row */
} cust_page;

/* Sums over a group's customers, or over the groups. */
typedef struct cust_sums {
    int64_t *svc;   /* per service [r->nsvc] */
    int64_t total;  /* this year */
    int64_t prev;   /* last year, of those whose fee is known */
    int prev_known; /* every one of them is */
} cust_sums;

static void sums_init(cust_sums *s, size_t nsvc)
{
    s->svc = ip_xcalloc(nsvc + 1, sizeof *s->svc);
    s->total = s->prev = 0;
    s->prev_known = 1;
}

/* Title, subtitle and the table's header row. */
static void write_head(const cust_page *p)
{
    ip_pl_ctx *c = p->c;
    const ip_run *r = p->r;
    const ip_pl_fmts *f = p->f;
    lxw_worksheet *ws = p->ws;
    const char *sn = p->sn;
    char title[160];
    size_t s;

    snprintf(title, sizeof title, "Prislista %d — fasta årsavgifter per kund",
             r->year);
    ip_pl_put_str(c, ws, sn, 0, 0, title, f->title);
    snprintf(title, sizeof title,
             "Belopp i kronor exklusive moms. %d jämförs med %d.%s", r->year,
             r->year - 1,
             r->have_prev ? "" : " Förra årets avgifter saknas (–).");
    ip_pl_put_str(c, ws, sn, 1, 0, title, f->subtitle);

    ip_pl_put_str(c, ws, sn, p->head, 0, "Nr", f->head);
    ip_pl_put_str(c, ws, sn, p->head, 1, "Kund", f->head);
    for (s = 0; s < r->nsvc; s++)
        ip_pl_put_str(c, ws, sn, p->head, (lxw_col_t)(p->first_svc + s), r->svc[s].svc->name,
                      f->head_num);
    snprintf(title, sizeof title, "Totalt %d", r->year);
    ip_pl_put_str(c, ws, sn, p->head, p->col_tot, title, f->head_num);
    snprintf(title, sizeof title, "Totalt %d", r->year - 1);
    ip_pl_put_str(c, ws, sn, p->head, p->col_prev, title, f->head_num);
    ip_pl_put_str(c, ws, sn, p->head, p->col_prev + 1, "Förändring kr", f->head_num);
    ip_pl_put_str(c, ws, sn, p->head, p->col_prev + 2, "Förändring %", f->head_num);
    worksheet_set_row(ws, p->head, 45, NULL);
}

/* One customer's row; its fees are added to gs. */
static void write_customer_row(const cust_page *p, lxw_row_t row, size_t slot, cust_sums *gs)
{
    ip_pl_ctx *c = p->c;
    const ip_run *r = p->r;
    const ip_pl_fmts *f = p->f;
    lxw_worksheet *ws = p->ws;
    const char *sn = p->sn;
    ip_pl_row_fmts rf = ip_pl_row_formats(f, IP_PL_ROW_CUSTOMER);
    const ip_customer *cu = ip_customers_at(r->customers, slot);
    int64_t tot = ip_run_customer_total(r, slot);
    int64_t prev = ip_run_customer_prev_total(r, slot);
    char a[16], b[16], fml[64];
    size_t s;

    ip_pl_put_num(c, ws, sn, row, 0, (double)cu->nr, f->nr);
    ip_pl_put_str(c, ws, sn, row, 1, cu->name, f->name);
    for (s = 0; s < r->nsvc; s++) {
        int64_t fee = r->svc[s].items[slot].fee;
        ip_pl_put_num(c, ws, sn, row, (lxw_col_t)(p->first_svc + s), ip_pl_num(fee), f->kr);
        gs->svc[s] += fee;
    }
    if (r->nsvc == 0)
        snprintf(fml, sizeof fml, "=0");
    else
        snprintf(fml, sizeof fml, "=SUM(%s:%s)", ip_pl_cell(a, row, p->first_svc),
                 ip_pl_cell(b, row, (lxw_col_t)(p->col_tot - 1)));
    ip_pl_put_formula(c, ws, sn, row, p->col_tot, fml, ip_pl_num(tot), f->kr);
    ip_pl_put_prev(c, ws, sn, row, p->col_prev, prev, &rf);
    ip_pl_put_change(c, ws, sn, row, p->col_tot, p->col_prev, tot, prev, &rf);
    gs->total += tot;
    if (prev == IP_NO_PREV)
        gs->prev_known = 0;
    else
        gs->prev += prev;
}

/* A Delsumma or Totalt row (kind IP_PL_ROW_SUBTOTAL or _TOTAL) with label:
 * every amount column is a sum formula, over the group's rows first..last
 * or, when rows is not NULL, over the Delsumma rows rows[0..nrows), cached
 * as s has it; last year's only when every customer's is known. */
static void write_sum_row(const cust_page *p, lxw_row_t row, int kind, const char *label,
                          const cust_sums *s, lxw_row_t first, lxw_row_t last,
                          const lxw_row_t *rows, size_t nrows)
{
    ip_pl_ctx *c = p->c;
    const ip_run *r = p->r;
    lxw_worksheet *ws = p->ws;
    const char *sn = p->sn;
    ip_pl_row_fmts sf = ip_pl_row_formats(p->f, kind);
    size_t k;
    char *fml;

    ip_pl_put_blank(c, ws, sn, row, 0, sf.blank);
    ip_pl_put_str(c, ws, sn, row, 1, label, sf.label);
    for (k = 0; k <= r->nsvc; k++) {
        lxw_col_t col = (lxw_col_t)(p->first_svc + k);
        fml = rows ? ip_pl_sum_rows(rows, nrows, col) : ip_pl_sum_range(first, last, col);
        ip_pl_put_formula(c, ws, sn, row, col, fml, ip_pl_num(k < r->nsvc ? s->svc[k] : s->total),
                          sf.kr);
        free(fml);
    }
    if (s->prev_known) {
        fml = rows ? ip_pl_sum_rows(rows, nrows, p->col_prev)
                   : ip_pl_sum_range(first, last, p->col_prev);
        ip_pl_put_formula(c, ws, sn, row, p->col_prev, fml, ip_pl_num(s->prev), sf.kr);
        free(fml);
    } else {
        ip_pl_put_prev(c, ws, sn, row, p->col_prev, IP_NO_PREV, &sf);
    }
    ip_pl_put_change(c, ws, sn, row, p->col_tot, p->col_prev, s->total,
                     s->prev_known ? s->prev : IP_NO_PREV, &sf);
}

/* Column widths, the filter over the table, frozen panes, the page. */
static void set_columns(const cust_page *p)
{
    const ip_run *r = p->r;
    lxw_worksheet *ws = p->ws;
    size_t s;

    worksheet_set_column(ws, 0, 0, 6, NULL);
    worksheet_set_column(ws, 1, 1, 40, NULL);
    /* One call per column: libxlsxwriter keeps one setting per first column,
     * so overlapping ranges would lose widths. */
    worksheet_set_column(ws, p->col_tot, p->col_tot, 14, NULL);
    worksheet_set_column(ws, p->col_prev, p->col_prev, 14, NULL);
    for (s = 0; s < r->nsvc; s++) {
        /* wide enough for the name's longest word: headings wrap at spaces */
        const char *q = r->svc[s].svc->name;
        size_t longest = 0;
        while (*q) {
            size_t n = strcspn(q, " ");
            size_t w = ip_utf8_count(q, n);
            if (w > longest)
                longest = w;
            q += n;
            q += strspn(q, " ");
        }
        worksheet_set_column(ws, (lxw_col_t)(p->first_svc + s), (lxw_col_t)(p->first_svc + s),
                             longest + 2 <= 14 ? 14 : longest + 2 < 30 ? (double)(longest + 2) : 30,
                             NULL);
    }
    worksheet_set_column(ws, p->col_prev + 1, p->col_prev + 1, 13, NULL);
    worksheet_set_column(ws, p->col_prev + 2, p->col_prev + 2, 12, NULL);
    worksheet_autofilter(ws, p->head, 0, p->c->cust_total_row, p->col_prev + 2);
    worksheet_freeze_panes(ws, p->head + 1, 2);
    ip_pl_page_setup(p->c, ws, 1, p->head);
}

void ip_pl_write_customers_sheet(ip_pl_ctx *c, lxw_worksheet *ws)
{
    const ip_run *r = c->r;
    const ip_tariff *t = r->tariff;
    cust_page p;
    lxw_row_t row, *sub_rows = ip_xcalloc(t->ngroups + 1, sizeof *sub_rows);
    cust_sums all;
    size_t g, i, s;

    p.c = c;
    p.ws = ws;
    p.sn = IP_PL_SHEET_CUSTOMERS;
    p.r = r;
    p.f = &c->f;
    p.first_svc = 2;
    p.col_tot = (lxw_col_t)(p.first_svc + r->nsvc);
    p.col_prev = p.col_tot + 1;
    p.head = 3;
    c->cust_first_svc = p.first_svc;
    sums_init(&all, r->nsvc);

    write_head(&p);
    row = p.head + 1;
    for (g = 0; g < t->ngroups; g++) {
        lxw_row_t first = row + 1;
        cust_sums gs;
        char *label = ip_xasprintf("Delsumma %s", t->groups[g].label);
        sums_init(&gs, r->nsvc);
        ip_pl_put_str(c, ws, p.sn, row++, 1, t->groups[g].label, p.f->group);
        for (i = c->group_start[g]; i < c->group_start[g + 1]; i++)
            write_customer_row(&p, row++, c->order[i], &gs);
        sub_rows[g] = row;
        write_sum_row(&p, row, IP_PL_ROW_SUBTOTAL, label, &gs, first, row - 1, NULL, 0);
        free(label);
        for (s = 0; s < r->nsvc; s++)
            all.svc[s] += gs.svc[s];
        all.total += gs.total;
        if (!gs.prev_known)
            all.prev_known = 0;
        all.prev += gs.prev;
        free(gs.svc);
        row += 2;
    }
    /* Totalt: the sum of the Delsumma rows. */
    c->cust_total_row = row;
    write_sum_row(&p, row, IP_PL_ROW_TOTAL, "Totalt", &all, 0, 0, sub_rows, t->ngroups);

    set_columns(&p);
    free(sub_rows);
    free(all.svc);
}
