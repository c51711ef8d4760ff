/*
 * pricelist_documents.c — the workbook's "Dokument" sheet: every document
 * of the year after this run, invoices and credit notes, one row each with
 * its number, kind, customer, period, issue and due date, net, VAT and
 * total (a credit note's amounts negative) and the invoice it cancels, under
 * a heading row of its own that is frozen, filtered and repeated on every
 * printed page; below the table, outside the filter, the sum of what the
 * filter shows (SUBTOTAL) and the sum of all.
 */
#include "pricelist_sheet.h"

#include <stdio.h>
#include <stdlib.h>

#include "date.h"
#include "util.h"

static const char *const head[] = {"Dokument", "Typ", "Kund", "Namn",
                                   "Period från", "Period till", "Fakturadatum",
                                   "Förfallodatum", "Netto", "Moms", "Totalt",
                                   "Krediterar", "Korrigering"};
enum { C_NR, C_KIND, C_CUST, C_NAME, C_FROM, C_TO, C_ISSUE, C_DUE, C_NET, C_VAT, C_TOTAL,
       C_CANCELS, C_RUN, C_COUNT };

#define HEAD_ROW 3

/* One document's row. */
static void write_doc(ip_pl_ctx *c, lxw_worksheet *ws, const char *sn, lxw_row_t row,
                      const ip_issued_doc *x)
{
    const ip_pl_fmts *f = &c->f;
    int sign = x->is_credit ? -1 : 1;
    char ds[11], run[16];

    ip_pl_put_str(c, ws, sn, row, C_NR, x->number, f->text);
    ip_pl_put_str(c, ws, sn, row, C_KIND, x->is_credit ? "kreditnota" : "faktura", f->text);
    ip_pl_put_num(c, ws, sn, row, C_CUST, (double)x->customer, f->nr);
    ip_pl_put_str(c, ws, sn, row, C_NAME, x->name, f->name);
    ip_pl_put_str(c, ws, sn, row, C_FROM, ip_date_str(x->period_start, ds), f->date);
    ip_pl_put_str(c, ws, sn, row, C_TO, ip_date_str(x->period_end, ds), f->date);
    ip_pl_put_str(c, ws, sn, row, C_ISSUE, ip_date_str(x->issue_date, ds), f->date);
    ip_pl_put_str(c, ws, sn, row, C_DUE, ip_date_str(x->due_date, ds), f->date);
    ip_pl_put_num(c, ws, sn, row, C_NET, ip_pl_num_ore(sign * x->net), f->ore);
    ip_pl_put_num(c, ws, sn, row, C_VAT, ip_pl_num_ore(sign * x->vat), f->ore);
    ip_pl_put_num(c, ws, sn, row, C_TOTAL, ip_pl_num_ore(sign * x->total), f->ore);
    if (x->cancels)
        ip_pl_put_str(c, ws, sn, row, C_CANCELS, x->cancels, f->unit);
    snprintf(run, sizeof run, "%d", x->run);
    ip_pl_put_str(c, ws, sn, row, C_RUN, x->run ? run : "–", f->date);
}

/* A sum row under the table: label, and net, VAT and total as
 * fn first:last) ("SUM(" or "SUBTOTAL(9,") with their cached values. */
static void write_sum(ip_pl_ctx *c, lxw_worksheet *ws, const char *sn, lxw_row_t row,
                      const char *label, const char *fn, lxw_row_t first, lxw_row_t last,
                      const int64_t sums[3], const ip_pl_row_fmts *rf)
{
    static const lxw_col_t cols[3] = {C_NET, C_VAT, C_TOTAL};
    char a[16], z[16], *fml;
    lxw_col_t k;
    size_t i;
    for (k = 0; k < C_COUNT; k++)
        ip_pl_put_blank(c, ws, sn, row, k, rf->blank);
    ip_pl_put_str(c, ws, sn, row, C_NR, label, rf->label);
    for (i = 0; i < 3; i++) {
        if (first > last)
            fml = ip_xstrdup("=0");
        else
            fml = ip_xasprintf("=%s%s:%s)", fn, ip_pl_cell(a, first, cols[i]),
                               ip_pl_cell(z, last, cols[i]));
        ip_pl_put_formula(c, ws, sn, row, cols[i], fml, ip_pl_num_ore(sums[i]), c->f.ore);
        free(fml);
    }
}

void ip_pl_write_documents_sheet(ip_pl_ctx *c, lxw_worksheet *ws)
{
    const ip_pl_fmts *f = &c->f;
    const char *sn = IP_PL_SHEET_DOCUMENTS;
    const ip_billing *b = c->bill;
    size_t n = ip_billing_ndocs(b), i;
    ip_pl_row_fmts tf = ip_pl_row_formats(f, IP_PL_ROW_TOTAL);
    lxw_row_t row = HEAD_ROW + 1, first = HEAD_ROW + 1, last;
    int64_t sums[3] = {0, 0, 0};
    char buf[200];

    snprintf(buf, sizeof buf, "Dokument %d — fakturor och kreditnotor", c->r->year);
    ip_pl_put_str(c, ws, sn, 0, 0, buf, f->title);
    ip_pl_put_str(c, ws, sn, 1, 0,
                  "Årets alla dokument efter denna körning, i utfärdandeordning. Belopp i "
                  "kronor; en kreditnotas belopp är negativa. Korrigering: körningens nummer "
                  "(– för det första utfärdandet).",
                  f->subtitle);
    for (i = 0; i < C_COUNT; i++)
        ip_pl_put_str(c, ws, sn, HEAD_ROW, (lxw_col_t)i, head[i],
                      i == C_NET || i == C_VAT || i == C_TOTAL ? f->head_num
                      : i == C_CANCELS                          ? f->head_indent
                                                                : f->head);
    worksheet_set_row(ws, HEAD_ROW, 30, NULL);

    for (i = 0; i < n; i++, row++) {
        const ip_issued_doc *x = ip_billing_doc(b, i, NULL);
        int sign = x->is_credit ? -1 : 1;
        write_doc(c, ws, sn, row, x);
        sums[0] += sign * x->net, sums[1] += sign * x->vat, sums[2] += sign * x->total;
    }
    if (n)
        ip_pl_note_err(c, worksheet_autofilter(ws, HEAD_ROW, 0, row - 1, C_COUNT - 1), sn,
                       HEAD_ROW, 0);
    row++;
    last = (lxw_row_t)(first + n) - 1;
    write_sum(c, ws, sn, row++, "Summa av de dokument filtret visar", "SUBTOTAL(9,", first,
              last, sums, &tf);
    write_sum(c, ws, sn, row++, "Summa alla dokument", "SUM(", first, last, sums, &tf);

    worksheet_set_column(ws, C_NR, C_NR, 17, NULL);
    worksheet_set_column(ws, C_KIND, C_KIND, 10, NULL);
    worksheet_set_column(ws, C_CUST, C_CUST, 6, NULL);
    worksheet_set_column(ws, C_NAME, C_NAME, 34, NULL);
    worksheet_set_column(ws, C_FROM, C_FROM, 11, NULL);
    worksheet_set_column(ws, C_TO, C_TO, 11, NULL);
    worksheet_set_column(ws, C_ISSUE, C_ISSUE, 14, NULL);
    worksheet_set_column(ws, C_DUE, C_DUE, 15, NULL);
    worksheet_set_column(ws, C_NET, C_NET, 15, NULL);
    worksheet_set_column(ws, C_VAT, C_VAT, 13, NULL);
    worksheet_set_column(ws, C_TOTAL, C_TOTAL, 15, NULL);
    worksheet_set_column(ws, C_CANCELS, C_CANCELS, 17, NULL);
    worksheet_set_column(ws, C_RUN, C_RUN, 11, NULL);
    worksheet_freeze_panes(ws, HEAD_ROW + 1, 0);
    ip_pl_page_setup(c, ws, 1, HEAD_ROW);
}
