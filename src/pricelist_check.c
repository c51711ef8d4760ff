/*
 * pricelist_check.c — the workbook's "Avstämning" sheet: per service the
 * fixed fee against the allocated sums on its sheet and on "Per kund" (live
 * formulas into those sheets, differences that must be 0), the basis, its
 * period and the rows used; every input file with its size, rows and
 * SHA-256; last year's fees (against the tariff's previous-fee); the
 * standing invoices against the year's fees (the documents themselves are on
 * "Dokument"); the internal postings (sie.h) against the departments' fees
 * and standing invoices; the run's warnings.
 */
#include "pricelist_sheet.h"

#include <stdio.h>
#include <stdlib.h>

#include "date.h"
#include "money.h"
#include "sie.h"
#include "util.h"
#include "wording.h"

/* The sheet being written. */
typedef struct check_page {
    ip_pl_ctx *c;
    lxw_worksheet *ws;
    const char *sn;
    const ip_run *r;
    const ip_pl_fmts *f;
} check_page;

/* Columns of the services table. */
static const char *const svc_head[] = {
    "Tjänst", "Fast avgift", "Summa på tjänstebladet",
    "Differens", "Summa i Per kund", "Differens", "Underlag\ntotalt", "Enhet",
    "Period", "Rader\nanvända", "Rader utanför\nperioden",
    "Rader\nbortfiltrerade", "Fil"};

#define HEAD_ROW 3 /* the services table's header row */

/* Title, subtitle and the services table's header row. */
static void write_head(const check_page *p)
{
    ip_pl_ctx *c = p->c;
    lxw_worksheet *ws = p->ws;
    const char *sn = p->sn;
    const ip_pl_fmts *f = p->f;
    char buf[64];
    size_t i;

    snprintf(buf, sizeof buf, "Avstämning prislista %d", p->r->year);
    ip_pl_put_str(c, ws, sn, 0, 0, buf, f->title);
    ip_pl_put_str(c, ws, sn, 1, 0,
                  "Varje tjänsts fördelade avgifter ska summera exakt till den fasta "
                  "avgiften: differenserna ska vara 0.",
                  f->subtitle);
    for (i = 0; i < IP_ARRAY_LEN(svc_head); i++)
        ip_pl_put_str(c, ws, sn, HEAD_ROW, (lxw_col_t)i, svc_head[i],
                      i == 0 || i == 8   ? f->head
                      : i == 7 || i == 12 ? f->head_indent
                                          : f->head_num);
    worksheet_set_row(ws, HEAD_ROW, 30, NULL);
}

/* Service s's row: its fee against the sums on its sheet and on "Per
 * kund", its basis and rows. */
static void write_service_row(const check_page *p, lxw_row_t row, size_t s)
{
    ip_pl_ctx *c = p->c;
    lxw_worksheet *ws = p->ws;
    const char *sn = p->sn;
    const ip_pl_fmts *f = p->f;
    const ip_svc_result *sr = &p->r->svc[s];
    const ip_service *svc = sr->svc;
    const ip_pl_svc_sheet *sh = &c->sheets[s];
    char buf[600], a[16], b[16], *ref;

    ip_pl_put_str(c, ws, sn, row, 0, svc->name, f->name);
    ip_pl_put_num(c, ws, sn, row, 1, ip_pl_num(svc->fee), f->kr);
    ref = ip_pl_sheet_ref(sh->name);
    snprintf(buf, sizeof buf, "=%s%s", ref, ip_pl_cell(a, sh->total_row, sh->fee_col));
    ip_pl_put_formula(c, ws, sn, row, 2, buf, ip_pl_num(sh->fee_sum), f->kr);
    free(ref);
    snprintf(buf, sizeof buf, "=%s-%s", ip_pl_cell(a, row, 2), ip_pl_cell(b, row, 1));
    ip_pl_put_formula(c, ws, sn, row, 3, buf, ip_pl_num(sh->fee_sum - svc->fee), f->change_kr);
    ref = ip_pl_sheet_ref(IP_PL_SHEET_CUSTOMERS);
    snprintf(buf, sizeof buf, "=%s%s", ref,
             ip_pl_cell(a, c->cust_total_row, (lxw_col_t)(c->cust_first_svc + s)));
    ip_pl_put_formula(c, ws, sn, row, 4, buf, ip_pl_num(sh->fee_sum), f->kr);
    free(ref);
    snprintf(buf, sizeof buf, "=%s-%s", ip_pl_cell(a, row, 4), ip_pl_cell(b, row, 1));
    ip_pl_put_formula(c, ws, sn, row, 5, buf, ip_pl_num(sh->fee_sum - svc->fee), f->change_kr);
    ip_pl_put_num(c, ws, sn, row, 6, ip_pl_num(sr->alloc.total), f->count);
    ip_pl_put_str(c, ws, sn, row, 7, svc->unit, f->unit);
    ip_pl_put_str(c, ws, sn, row, 8, ip_wording_period_labelled(svc, buf, sizeof buf), f->text);
    ip_pl_put_num(c, ws, sn, row, 9, (double)sr->rows_used, f->int_num);
    ip_pl_put_num(c, ws, sn, row, 10, (double)sr->rows_outside, f->int_num);
    ip_pl_put_num(c, ws, sn, row, 11, (double)sr->rows_filtered, f->int_num);
    ip_pl_put_str(c, ws, sn, row, 12, svc->file, f->unit);
}

/* The services table from row HEAD_ROW + 1, its Totalt row and the "Per
 * kund" grand total against the fixed fees. Returns the next free row. */
static lxw_row_t write_services(const check_page *p)
{
    ip_pl_ctx *c = p->c;
    lxw_worksheet *ws = p->ws;
    const char *sn = p->sn;
    const ip_pl_fmts *f = p->f;
    const ip_run *r = p->r;
    ip_pl_row_fmts tf = ip_pl_row_formats(f, IP_PL_ROW_TOTAL);
    const lxw_row_t first = HEAD_ROW + 1;
    lxw_row_t row = first;
    int64_t sum_fee = 0, sum_alloc = 0;
    char buf[600], a[16], b[16], *ref;
    size_t s, i;

    for (s = 0; s < r->nsvc; s++, row++) {
        write_service_row(p, row, s);
        sum_fee += r->svc[s].svc->fee;
        sum_alloc += c->sheets[s].fee_sum;
    }
    ip_pl_put_str(c, ws, sn, row, 0, "Totalt", tf.label);
    for (i = 1; i <= 5; i++) {
        int64_t v = i == 1 ? sum_fee : (i == 3 || i == 5) ? sum_alloc - sum_fee : sum_alloc;
        char *fml = ip_pl_sum_range(first, row - 1, (lxw_col_t)i);
        ip_pl_put_formula(c, ws, sn, row, (lxw_col_t)i, fml, ip_pl_num(v),
                          i == 3 || i == 5 ? tf.change_kr : tf.kr);
        free(fml);
    }
    for (i = 6; i < IP_ARRAY_LEN(svc_head); i++)
        ip_pl_put_blank(c, ws, sn, row, (lxw_col_t)i, tf.blank);
    row++;
    /* The customers' grand total on "Per kund" against the fixed fees. */
    ip_pl_put_str(c, ws, sn, row, 0, "Per kund, totalt alla tjänster", f->name);
    ref = ip_pl_sheet_ref(IP_PL_SHEET_CUSTOMERS);
    snprintf(buf, sizeof buf, "=%s%s", ref,
             ip_pl_cell(a, c->cust_total_row, (lxw_col_t)(c->cust_first_svc + r->nsvc)));
    ip_pl_put_formula(c, ws, sn, row, 4, buf, ip_pl_num(sum_alloc), f->kr);
    free(ref);
    snprintf(buf, sizeof buf, "=%s-%s", ip_pl_cell(a, row, 4), ip_pl_cell(b, row - 1, 1));
    ip_pl_put_formula(c, ws, sn, row, 5, buf, ip_pl_num(sum_alloc - sum_fee), f->change_kr);
    return row + 1;
}

/* The inputs with their digests, from row; then whether last year's fees
 * were read. Returns the next free row. */
static lxw_row_t write_inputs(const check_page *p, lxw_row_t row)
{
    ip_pl_ctx *c = p->c;
    lxw_worksheet *ws = p->ws;
    const char *sn = p->sn;
    const ip_pl_fmts *f = p->f;
    const ip_run *r = p->r;
    char buf[400];
    size_t i, s;

    ip_pl_put_str(c, ws, sn, row++, 0, "Indata", f->bold);
    ip_pl_put_str(c, ws, sn, row, 0, "Fil", f->head);
    ip_pl_put_str(c, ws, sn, row, 1, "Byte", f->head_num);
    ip_pl_put_str(c, ws, sn, row, 2, "Rader", f->head_num);
    ip_pl_put_str(c, ws, sn, row, 3, "SHA-256", f->head_indent);
    for (i = 4; i <= 8; i++)
        ip_pl_put_blank(c, ws, sn, row, (lxw_col_t)i, f->head);
    row++;
    for (i = 0; i < r->nfiles; i++, row++) {
        const ip_input_file *fi = &r->files[i];
        ip_pl_put_str(c, ws, sn, row, 0, fi->name, f->text);
        ip_pl_put_num(c, ws, sn, row, 1, (double)fi->bytes, f->int_num);
        ip_pl_put_num(c, ws, sn, row, 2, (double)fi->rows, f->int_num);
        ip_pl_put_str(c, ws, sn, row, 3, fi->sha256, f->mono);
    }
    ip_pl_put_str(c, ws, sn, row, 0, "Alla indata", f->bold);
    ip_pl_put_str(c, ws, sn, row, 3, r->inputs_sha256, f->mono);
    row++;
    ip_pl_put_str(c, ws, sn, row, 0,
                  "(SHA-256 över filernas namn och kontrollsummor)", f->subtitle);
    row += 2;
    snprintf(buf, sizeof buf, "Förra årets avgifter (fees.csv %d): %s", r->year - 1,
             r->have_prev ? "inlästa" : "saknas, kolumnerna för förra "
                                        "året visar –");
    ip_pl_put_str(c, ws, sn, row++, 0, buf, f->text);
    /* last year's fees against the tariff's previous-fee: the service
     * sheets' Y-1 totals show the sum, their header the tariff's fee */
    for (s = 0; r->have_prev && s < r->nsvc; s++) {
        const ip_svc_result *sr = &r->svc[s];
        char n1[32], n2[32], n3[32];
        if (sr->prev_total == IP_NO_PREV || sr->prev_total == sr->svc->previous_fee)
            continue;
        snprintf(buf, sizeof buf,
                 "%s: förra årets avgifter summerar till %s kr, tariffens fasta avgift %d "
                 "är %s kr (skillnad %s kr).",
                 sr->svc->name, ip_money_fmt_thousands(sr->prev_total, n1, sizeof n1),
                 r->year - 1, ip_money_fmt_thousands(sr->svc->previous_fee, n2, sizeof n2),
                 ip_money_fmt_signed(sr->prev_total - sr->svc->previous_fee, n3, sizeof n3));
        ip_pl_put_str(c, ws, sn, row++, 0, buf, f->text);
    }
    return row;
}

/* The issued documents of the year after this run, from row: how many, the
 * standing invoices against the year's fees, and every correction document.
 * Returns the next free row. */
static lxw_row_t write_documents(const check_page *p, lxw_row_t row)
{
    ip_pl_ctx *c = p->c;
    lxw_worksheet *ws = p->ws;
    const char *sn = p->sn;
    const ip_pl_fmts *f = p->f;
    const ip_billing *b = c->bill;
    /* The columns keep the table above's meaning where they meet it: 1 a
     * fee, 2 a sum, 3 their difference, which is 0. */
    static const char *const sum_head[] = {"Fakturor", "Årets avgifter",
                                           "Gällande fakturor, netto", "Differens"};
    size_t i;
    ip_billing_totals t;
    char buf[200], a[16], bb[16];

    ip_billing_totals_of(b, &t);

    for (i = 0; i < IP_ARRAY_LEN(sum_head); i++)
        ip_pl_put_str(c, ws, sn, row, (lxw_col_t)i, sum_head[i], i == 0 ? f->head : f->head_num);
    worksheet_set_row(ws, row, 30, NULL);
    row++;
    ip_pl_put_str(c, ws, sn, row, 0, "Gällande fakturor mot avgifterna", f->name);
    ip_pl_put_num(c, ws, sn, row, 1, ip_pl_num_ore(t.fees * 100), f->ore);
    ip_pl_put_num(c, ws, sn, row, 2, ip_pl_num_ore(t.standing_net), f->ore);
    snprintf(buf, sizeof buf, "=%s-%s", ip_pl_cell(a, row, 2), ip_pl_cell(bb, row, 1));
    ip_pl_put_formula(c, ws, sn, row, 3, buf, ip_pl_num_ore(t.standing_net - t.fees * 100),
                      f->ore);
    row++;
    snprintf(buf, sizeof buf, "Årets dokument: %zu fakturor, %zu kreditnotor (alla i "
             "invoices/ och ledger.csv)", t.invoices, t.credits);
    ip_pl_put_str(c, ws, sn, row++, 0, buf, f->subtitle);
    row++;

    /* the documents have a sheet of their own, with their own headings */
    if (t.corrections == 0)
        snprintf(buf, sizeof buf, "Inga korrigeringar: de först utfärdade fakturorna gäller. "
                                  "Dokumenten står på bladet Dokument.");
    else
        snprintf(buf, sizeof buf, "Korrigeringar: %zu dokument. Kreditnotorna och de nya "
                                  "fakturorna står med årets övriga dokument på bladet Dokument.",
                 t.corrections);
    ip_pl_put_str(c, ws, sn, row++, 0, buf, f->text);
    return row;
}

/* The internal postings (sie.h) against the departments' fees and their
 * standing invoices, per service and in total, each difference a live
 * formula (0), from row. Returns the next free row. */
static lxw_row_t write_postings(const check_page *p, lxw_row_t row)
{
    ip_pl_ctx *c = p->c;
    lxw_worksheet *ws = p->ws;
    const char *sn = p->sn;
    const ip_run *r = p->r;
    const ip_pl_fmts *f = p->f;
    ip_pl_row_fmts tf = ip_pl_row_formats(f, IP_PL_ROW_TOTAL);
    /* as the tables above: 1 the fees, then each sum and its difference */
    static const char *const head[] = {
        "Tjänst", "Avdelningarnas\navgifter", "Debet\nkostnadskonton", "Differens",
        "Gällande\nfakturor, netto", "Differens", "Kredit\nintäktskonton", "Differens",
        "Kostnadskonto", "Intäktskonto"};
    size_t n = ip_billing_ndocs(c->bill), i, s;
    const ip_issued_doc **docs;
    ip_sie_totals t;
    lxw_row_t first;
    char buf[300], a[16], b[16], *name;

    name = ip_sie_file_name(r->year, -1);
    snprintf(buf, sizeof buf, "Interna verifikationer (SIE 4I, %s)", name);
    free(name);
    ip_pl_put_str(c, ws, sn, row++, 0, buf, f->bold);
    if (!r->tariff->accounting) {
        ip_pl_put_str(c, ws, sn, row++, 0,
                      "Tariffen saknar <accounting>: ingen SIE-fil skrivs.", f->text);
        return row;
    }
    docs = ip_xcalloc(n + 1, sizeof *docs);
    for (i = 0; i < n; i++)
        docs[i] = ip_billing_doc(c->bill, i, NULL);
    ip_sie_totals_of(r, docs, n, &t);
    free(docs);
    for (i = 0; i < IP_ARRAY_LEN(head); i++)
        ip_pl_put_str(c, ws, sn, row, (lxw_col_t)i, head[i],
                      i == 0 ? f->head : i >= 8 ? f->head_indent : f->head_num);
    worksheet_set_row(ws, row, 30, NULL); /* two-line headings stay in their row */
    row++;
    first = row;
    for (s = 0; s < r->nsvc; s++, row++) {
        static const lxw_col_t sums[] = {2, 4, 6};
        const int64_t v[] = {t.debit[s], t.standing[s], t.credit[s]};
        ip_pl_put_str(c, ws, sn, row, 0, r->svc[s].svc->name, f->name);
        ip_pl_put_num(c, ws, sn, row, 1, ip_pl_num_ore(t.fees[s]), f->ore);
        for (i = 0; i < 3; i++) {
            ip_pl_put_num(c, ws, sn, row, sums[i], ip_pl_num_ore(v[i]), f->ore);
            snprintf(buf, sizeof buf, "=%s-%s", ip_pl_cell(a, row, sums[i]),
                     ip_pl_cell(b, row, 1));
            ip_pl_put_formula(c, ws, sn, row, sums[i] + 1, buf, ip_pl_num_ore(v[i] - t.fees[s]),
                              f->ore);
        }
        ip_pl_put_str(c, ws, sn, row, 8, r->tariff->accounting->cost[s]->number, f->unit);
        ip_pl_put_str(c, ws, sn, row, 9, r->tariff->accounting->revenue[s]->number, f->unit);
    }
    ip_pl_put_str(c, ws, sn, row, 0, "Totalt", tf.label);
    for (i = 1; i <= 7; i++) {
        const int64_t v[] = {0, t.fees_total, t.debit_total, t.debit_total - t.fees_total,
                             t.standing_total, t.standing_total - t.fees_total, t.credit_total,
                             t.credit_total - t.fees_total};
        char *fml = ip_pl_sum_range(first, row - 1, (lxw_col_t)i);
        ip_pl_put_formula(c, ws, sn, row, (lxw_col_t)i, fml, ip_pl_num_ore(v[i]), f->ore);
        free(fml);
    }
    row++;
    snprintf(buf, sizeof buf, "%zu verifikationer (%zu fakturor, %zu kreditnotor); "
             "varje verifikation summerar till 0: %s",
             t.nver, t.ninvoices, t.ncredits, t.unbalanced ? "nej" : "ja");
    ip_pl_put_str(c, ws, sn, row++, 0, buf, f->subtitle);
    ip_sie_totals_release(&t);
    return row;
}

/* The run's warnings, one a row, from row. Returns the next free row. */
static lxw_row_t write_warnings(const check_page *p, lxw_row_t row)
{
    size_t i;
    ip_pl_put_str(p->c, p->ws, p->sn, row++, 0, "Varningar", p->f->bold);
    for (i = 0; i < p->r->nwarnings; i++) {
        const char *sv = p->r->warnings_sv ? p->r->warnings_sv[i] : NULL;
        ip_pl_put_str(p->c, p->ws, p->sn, row++, 0, sv ? sv : p->r->warnings[i], p->f->text);
    }
    return row;
}

void ip_pl_write_check_sheet(ip_pl_ctx *c, lxw_worksheet *ws)
{
    check_page p;
    lxw_row_t row;

    p.c = c;
    p.ws = ws;
    p.sn = IP_PL_SHEET_CHECK;
    p.r = c->r;
    p.f = &c->f;

    write_head(&p);
    row = write_services(&p);
    row = write_inputs(&p, row + 1);
    if (c->bill) {
        row = write_documents(&p, row + 1);
        row = write_postings(&p, row + 1);
    }
    if (p.r->nwarnings)
        write_warnings(&p, row + 1);

    worksheet_set_column(ws, 0, 0, 30, NULL);
    worksheet_set_column(ws, 1, 6, 14, NULL);
    worksheet_set_column(ws, 7, 7, 9, NULL);
    worksheet_set_column(ws, 8, 8, 22, NULL);
    worksheet_set_column(ws, 9, 9, 14, NULL);
    worksheet_set_column(ws, 10, 10, 14, NULL);
    worksheet_set_column(ws, 11, 11, 15, NULL);
    worksheet_set_column(ws, 12, 12, 14, NULL);
    ip_pl_page_setup(c, ws, 1, HEAD_ROW);
}
