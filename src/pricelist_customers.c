/*
 * pricelist_customers.c — the workbook's "Per kund" sheet: every customer's
 * fee for every service, this year's and last year's total and the change,
 * one row each, departments then companies, with the customer group in a
 * column of its own. The autofilter covers the customer rows only, so a
 * controller sorts and filters them without scrambling any sum; the
 * Delsumma rows (SUMIF over the group column: they hold wherever sorting
 * puts a customer) and Totalt stand below the table, outside the filter,
 * and a last row sums what the filter shows (SUBTOTAL). A fee of 0 because
 * the customer's basis is counted in another's shows "ingår i <nr>" (a
 * number format: the cell is the number 0). Sums are live formulas whose
 * cached values are the run's integers.
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
    lxw_col_t col_group;                    /* the customer group */
    lxw_row_t head;                         /* the header row */
    lxw_row_t first, last;                  /* the customer rows */
} cust_page;

/* Sums over a group's customers, or over all. */
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
    char title[200];
    size_t s;

    snprintf(title, sizeof title, "Prislista %d — fasta årsavgifter per kund",
             r->year);
    ip_pl_put_str(c, ws, sn, 0, 0, title, f->title);
    snprintf(title, sizeof title,
             "Belopp i kronor exklusive moms. %d jämförs med %d.%s Filtret gäller kundraderna; "
             "delsummorna och totalen står under tabellen.", r->year,
             r->year - 1,
             r->have_prev ? "" : " Förra årets avgifter saknas (–).");
    ip_pl_put_str(c, ws, sn, 1, 0, title, f->subtitle);

    ip_pl_put_str(c, ws, sn, p->head, 0, "Nr", f->head);
    ip_pl_put_str(c, ws, sn, p->head, 1, "Kund", f->head);
    for (s = 0; s < r->nsvc; s++)
        ip_pl_put_str(c, ws, sn, p->head, (lxw_col_t)(p->first_svc + s),
                      ip_pl_service_label(r->svc[s].svc), f->head_num);
    /* two lines each: neighbouring headings never touch on the page */
    snprintf(title, sizeof title, "Totalt\n%d", r->year);
    ip_pl_put_str(c, ws, sn, p->head, p->col_tot, title, f->head_num);
    snprintf(title, sizeof title, "Totalt\n%d", r->year - 1);
    ip_pl_put_str(c, ws, sn, p->head, p->col_prev, title, f->head_num);
    ip_pl_put_str(c, ws, sn, p->head, p->col_prev + 1, "Förändring\nkr", f->head_num);
    ip_pl_put_str(c, ws, sn, p->head, p->col_prev + 2, "Förändring\n%", f->head_num);
    ip_pl_put_str(c, ws, sn, p->head, p->col_group, "Kundgrupp", f->head_indent);
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
        long into = r->svc[s].into[slot];
        ip_pl_put_num(c, ws, sn, row, (lxw_col_t)(p->first_svc + s), ip_pl_num(fee),
                      into >= 0 && fee == 0 ? c->within_kr[into] : f->kr);
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
    ip_pl_put_str(c, ws, sn, row, p->col_group, r->tariff->groups[cu->group_index].label,
                  f->unit);
    gs->total += tot;
    if (prev == IP_NO_PREV)
        gs->prev_known = 0;
    else
        gs->prev += prev;
}

/* How a sum row adds up the amount column col. */
enum { SUM_GROUP, SUM_ROWS, SUM_SHOWN };

static char *sum_formula(const cust_page *p, int how, lxw_row_t row, lxw_col_t col,
                         const lxw_row_t *rows, size_t nrows)
{
    char a[16], z[16], g1[16], g2[16], key[16];
    if (how == SUM_ROWS)
        return ip_pl_sum_rows(rows, nrows, col);
    if (p->first > p->last)
        return ip_xstrdup("=0");
    if (how == SUM_SHOWN)
        return ip_xasprintf("=SUBTOTAL(9,%s:%s)", ip_pl_cell(a, p->first, col),
                            ip_pl_cell(z, p->last, col));
    /* the group's label stands in this row's group cell: the criterion is a
     * reference, never text from the inputs */
    lxw_rowcol_to_cell_abs(g1, p->first, p->col_group, 1, 1);
    lxw_rowcol_to_cell_abs(g2, p->last, p->col_group, 1, 1);
    lxw_rowcol_to_cell_abs(key, row, p->col_group, 0, 1);
    lxw_rowcol_to_cell_abs(a, p->first, col, 1, 0);
    lxw_rowcol_to_cell_abs(z, p->last, col, 1, 0);
    return ip_xasprintf("=SUMIF(%s:%s,%s,%s:%s)", g1, g2, key, a, z);
}

/* A Delsumma, Totalt or "shown" row (kind IP_PL_ROW_SUBTOTAL or _TOTAL)
 * with label: every amount column a sum formula (how), cached as s has it;
 * last year's only when every customer's is known. group: the group label
 * for a Delsumma row, else NULL. */
static void write_sum_row(const cust_page *p, lxw_row_t row, int kind, const char *label,
                          const char *group, const cust_sums *s, int how, const lxw_row_t *rows,
                          size_t nrows)
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
    if (group)
        ip_pl_put_str(c, ws, sn, row, p->col_group, group, sf.label);
    else
        ip_pl_put_blank(c, ws, sn, row, p->col_group, sf.blank);
    for (k = 0; k <= r->nsvc; k++) {
        lxw_col_t col = (lxw_col_t)(p->first_svc + k);
        fml = sum_formula(p, how, row, col, rows, nrows);
        ip_pl_put_formula(c, ws, sn, row, col, fml, ip_pl_num(k < r->nsvc ? s->svc[k] : s->total),
                          sf.kr);
        free(fml);
    }
    if (s->prev_known) {
        fml = sum_formula(p, how, row, p->col_prev, rows, nrows);
        ip_pl_put_formula(c, ws, sn, row, p->col_prev, fml, ip_pl_num(s->prev), sf.kr);
        free(fml);
    } else {
        ip_pl_put_prev(c, ws, sn, row, p->col_prev, IP_NO_PREV, &sf);
    }
    ip_pl_put_change(c, ws, sn, row, p->col_tot, p->col_prev, s->total,
                     s->prev_known ? s->prev : IP_NO_PREV, &sf);
}

/* Column widths, the filter over the customer rows, frozen panes, the page. */
static void set_columns(const cust_page *p)
{
    const ip_run *r = p->r;
    lxw_worksheet *ws = p->ws;
    size_t s;

    worksheet_set_column(ws, 0, 0, 6, NULL);
    worksheet_set_column(ws, 1, 1, 38, NULL);
    /* One call per column: libxlsxwriter keeps one setting per first column,
     * so overlapping ranges would lose widths. */
    worksheet_set_column(ws, p->col_tot, p->col_tot, 14, NULL);
    worksheet_set_column(ws, p->col_prev, p->col_prev, 14, NULL);
    for (s = 0; s < r->nsvc; s++) {
        /* wide enough for the heading's longest word: headings wrap at spaces */
        const char *q = ip_pl_service_label(r->svc[s].svc);
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
    worksheet_set_column(ws, p->col_group, p->col_group, 26, NULL);
    if (p->first <= p->last)
        ip_pl_note_err(p->c, worksheet_autofilter(ws, p->head, 0, p->last, p->col_group), p->sn,
                       p->head, 0);
    worksheet_freeze_panes(ws, p->head + 1, 2);
    ip_pl_page_setup(p->c, ws, 1, p->head);
}

void ip_pl_write_customers_sheet(ip_pl_ctx *c, lxw_worksheet *ws)
{
    const ip_run *r = c->r;
    const ip_tariff *t = r->tariff;
    cust_page p;
    lxw_row_t row, *sub_rows = ip_xcalloc(t->ngroups + 1, sizeof *sub_rows);
    cust_sums all, *gs = ip_xcalloc(t->ngroups + 1, sizeof *gs);
    size_t g, i, s, k;
    int consolidated = 0;

    p.c = c;
    p.ws = ws;
    p.sn = IP_PL_SHEET_CUSTOMERS;
    p.r = r;
    p.f = &c->f;
    p.first_svc = 2;
    p.col_tot = (lxw_col_t)(p.first_svc + r->nsvc);
    p.col_prev = p.col_tot + 1;
    p.col_group = p.col_prev + 3;
    p.head = 3;
    p.first = p.head + 1;
    p.last = (lxw_row_t)(p.head + r->ncust);
    c->cust_first_svc = p.first_svc;
    sums_init(&all, r->nsvc);

    write_head(&p);
    /* before the rows: the workbook is written row by row (pricelist.c),
     * and the filter's range must not end above the row being written */
    set_columns(&p);
    row = p.first;
    for (g = 0; g < t->ngroups; g++) {
        sums_init(&gs[g], r->nsvc);
        for (i = c->group_start[g]; i < c->group_start[g + 1]; i++)
            write_customer_row(&p, row++, c->order[i], &gs[g]);
    }
    row++;
    for (g = 0; g < t->ngroups; g++) {
        char *label = ip_xasprintf("Delsumma %s", t->groups[g].label);
        sub_rows[g] = row;
        write_sum_row(&p, row++, IP_PL_ROW_SUBTOTAL, label, t->groups[g].label, &gs[g],
                      SUM_GROUP, NULL, 0);
        free(label);
        for (s = 0; s < r->nsvc; s++)
            all.svc[s] += gs[g].svc[s];
        all.total += gs[g].total;
        if (!gs[g].prev_known)
            all.prev_known = 0;
        all.prev += gs[g].prev;
        free(gs[g].svc);
    }
    /* Totalt: the sum of the Delsumma rows; then what the filter shows. */
    c->cust_total_row = row;
    write_sum_row(&p, row++, IP_PL_ROW_TOTAL, "Totalt", NULL, &all, SUM_ROWS, sub_rows,
                  t->ngroups);
    write_sum_row(&p, row++, IP_PL_ROW_SUBTOTAL, "Summa av de kunder filtret visar", NULL, &all,
                  SUM_SHOWN, NULL, 0);
    for (s = 0; s < r->nsvc && !consolidated; s++)
        for (k = 0; k < r->ncust && !consolidated; k++)
            consolidated = r->svc[s].into[k] >= 0;
    if (consolidated)
        ip_pl_put_str(c, ws, p.sn, row + 1, 0,
                      "ingår i <nr>: kundens underlag räknas i den kundens antal, avgiften 0 kr "
                      "(se tjänstens blad och dess fotnot).",
                      p.f->note);

    free(sub_rows);
    free(gs);
    free(all.svc);
}
