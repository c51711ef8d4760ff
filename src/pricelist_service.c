/*
 * pricelist_service.c — one service's sheet of the workbook, laid out like
 * the city's published list: the header block (name, description, basis and
 * distribution, the fixed fee of both years), the table by group with a
 * Delsumma row each and Totalt, and footnotes for consolidated customers.
 *
 * The sheet places what the run hands it: bases, fees and, for the
 * equal-and-proportional key, the parts of each participant's rounded fee:
 * "Lika del" is the allocation's exact equal part (ip_alloc_item.num_equal
 * over the common denominator) rounded down to whole kronor, q, the same for
 * every participant, and "Efter <unit>" is the fee less q, never negative
 * (fee >= floor(exact share) >= q). So every row, Delsumma and Totalt adds
 * up as shown; a footnote says how the parts are formed and where the exact
 * parts are (report.txt, explain). The sheet computes no share of its own;
 * shares ("Andel av antalet", "Andel av avgiften") are live formulas over
 * the table whose cached values are the run's figures.
 *
 * Names stand in the "Kund" cell exactly as the register has them; a
 * footnote marker has a narrow column of its own beside it: one marker per
 * customer that other customers' bases are counted in, on its row and on
 * theirs, with one footnote naming them all.
 */
#include "pricelist_sheet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "money.h"
#include "pricelist.h"
#include "util.h"
#include "wording.h"

/* Column layout of a service table. */
typedef struct svc_cols {
    lxw_col_t mark, count, equal, var, share, fee, prev, last;
    int split; /* the equal-and-proportional key: equal and variable parts shown */
} svc_cols;

/* The sheet being written. */
typedef struct svc_page {
    ip_pl_ctx *c;
    lxw_worksheet *ws;
    const char *sn;           /* its name */
    const ip_run *r;
    const ip_pl_fmts *f;
    const ip_svc_result *sr;
    const ip_service *svc;
    ip_pl_svc_sheet *sh;      /* what the check sheet needs to know */
    svc_cols cl;
    double total_width;       /* of the table's columns, in characters */
    const char *unit;         /* "samtal", "enheter" */
    int64_t W, F;             /* the basis total and the fixed fee */
    int64_t q;                /* split key: each participant's equal part, whole kronor */
    size_t *marker;           /* footnote marker per slot: 0 none, k: k stars */
    size_t *marked;           /* [k - 1]: the slot whose marker is k (others counted in it) */
    size_t nmarkers;
} svc_page;

/* Sums over a group's customers, or over the groups. */
typedef struct svc_sums {
    int64_t basis, fee;
    int64_t prev;           /* last year's fees, of those that are known */
    int64_t equal, var;     /* the parts shown, whole kronor */
    int prev_known;         /* every last year's fee is known */
} svc_sums;

static const svc_sums no_sums = {0, 0, 0, 0, 0, 1};

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

/* The marker text of footnote k (1, 2, …): "*", "**", "***", then "4)". */
static const char *marker_text(size_t k, char buf[24])
{
    if (k <= 3)
        snprintf(buf, 24, "%.*s", (int)k, "***");
    else
        snprintf(buf, 24, "%zu)", k);
    return buf;
}

/* A participant's equal part in whole kronor: the allocation's exact equal
 * part (num_equal / den, the same for every participant) rounded down; 0
 * when nobody takes part. */
static int64_t equal_part(const ip_run *r, const ip_svc_result *sr)
{
    size_t k;
    for (k = 0; k < r->ncust; k++)
        if (sr->basis[k] > 0 && sr->alloc.den > 0)
            return (int64_t)(sr->items[k].num_equal / sr->alloc.den);
    return 0;
}

/* The table's columns and their widths (also used to size the
 * description's row). */
static void layout_columns(svc_page *p)
{
    svc_cols *cl = &p->cl;
    double widths[16];
    lxw_col_t col;

    memset(cl, 0, sizeof *cl);
    cl->split = p->svc->method == IP_KEY_EQUAL_AND_PROPORTIONAL;
    cl->mark = 2;
    cl->count = 3;
    if (cl->split) {
        cl->equal = 4, cl->var = 5, cl->share = 6;
    } else {
        cl->share = 4;
    }
    cl->fee = cl->share + 1, cl->prev = cl->fee + 1, cl->last = cl->prev + 2;

    for (col = 0; col <= cl->last; col++)
        widths[col] = 13;
    widths[0] = 6, widths[1] = cl->split ? 34 : 38;
    widths[cl->mark] = p->nmarkers > 3 ? 4 : p->nmarkers > 0 ? (double)p->nmarkers + 1.5 : 1.5;
    widths[cl->count] = 12, widths[cl->share] = 11;
    if (cl->split)
        widths[cl->equal] = 11, widths[cl->var] = 12;
    widths[cl->prev + 1] = 12, widths[cl->last] = 12;
    p->total_width = 0;
    for (col = 0; col <= cl->last; col++) {
        worksheet_set_column(p->ws, col, col, widths[col], NULL);
        p->total_width += widths[col];
    }
}

/* Footnote markers: the customers that others are counted in, in table
 * order, get *, **, …; a consolidated customer shows the marker of the
 * customer it is counted in. Whether others are counted in a customer is
 * a lookup (the run's within_start), not a scan of every customer. */
static void place_markers(svc_page *p)
{
    const ip_pl_ctx *c = p->c;
    const ip_svc_result *sr = p->sr;
    size_t i, k;
    for (i = 0; i < p->r->ncust; i++) {
        size_t slot = c->order[i];
        if (sr->within_start[slot + 1] > sr->within_start[slot]) {
            p->marked[p->nmarkers] = slot;
            p->marker[slot] = ++p->nmarkers;
        }
    }
    for (k = 0; k < p->r->ncust; k++)
        if (p->sr->into[k] >= 0)
            p->marker[k] = p->marker[p->sr->into[k]];
}

/* Title, description, per-call note, basis, distribution, and the fixed fee
 * of both years in the fee columns of the table. Returns the table's
 * header row. */
static lxw_row_t write_header_block(const svc_page *p)
{
    ip_pl_ctx *c = p->c;
    lxw_worksheet *ws = p->ws;
    const char *sn = p->sn;
    const ip_pl_fmts *f = p->f;
    const ip_service *svc = p->svc;
    lxw_row_t row = 0;
    char buf[160], *words;

    ip_pl_put_str(c, ws, sn, row++, 0, svc->name, f->title);
    snprintf(buf, sizeof buf,
             "Tjänsteutbud och prislista %d, fasta priser, fördelning per kund",
             p->r->year);
    ip_pl_put_str(c, ws, sn, row++, 0, buf, f->subtitle);
    if (svc->description && *svc->description) {
        char *desc = ip_pl_tidy_text(svc->description);
        ip_pl_note_err(c, worksheet_merge_range(ws, row, 0, row, p->cl.last, "", f->wrap), sn,
                       row, 0);
        ip_pl_put_str(c, ws, sn, row, 0, desc, f->wrap);
        worksheet_set_row(ws, row, 15.0 * ip_pl_text_lines(desc, p->total_width) + 4, NULL);
        free(desc);
        row++;
    }
    if (svc->per_call_note && *svc->per_call_note)
        ip_pl_put_str(c, ws, sn, row++, 0, svc->per_call_note, f->note);
    words = ip_wording_basis_source(svc);
    ip_pl_put_str(c, ws, sn, row++, 0, words, f->text);
    free(words);
    words = ip_wording_key(svc, p->sr->alloc.participants);
    ip_pl_put_str(c, ws, sn, row++, 0, words, f->text);
    free(words);
    row++;

    snprintf(buf, sizeof buf, "%d", p->r->year);
    ip_pl_put_str(c, ws, sn, row, p->cl.fee, buf, f->year_head);
    snprintf(buf, sizeof buf, "%d", p->r->year - 1);
    ip_pl_put_str(c, ws, sn, row++, p->cl.prev, buf, f->year_head);
    ip_pl_put_str(c, ws, sn, row, 1, "Fast avgift", f->bold);
    ip_pl_put_num(c, ws, sn, row, p->cl.fee, ip_pl_num(p->F), f->fixed_kr);
    ip_pl_put_num(c, ws, sn, row++, p->cl.prev, ip_pl_num(svc->previous_fee), f->fixed_kr);
    row++;
    return row;
}

/* The table's header row. A no-break space ties a number to its "%", so a
 * heading wraps between words, never inside "(20 %)". */
#define NBSP "\xc2\xa0"
static void write_table_head(const svc_page *p, lxw_row_t head)
{
    ip_pl_ctx *c = p->c;
    lxw_worksheet *ws = p->ws;
    const char *sn = p->sn;
    const ip_pl_fmts *f = p->f;
    const svc_cols *cl = &p->cl;
    int eq = p->svc->equal_percent;
    char buf[64], *share;

    ip_pl_put_str(c, ws, sn, head, 0, "Nr", f->head);
    ip_pl_put_str(c, ws, sn, head, 1, "Kund", f->head);
    ip_pl_put_blank(c, ws, sn, head, cl->mark, f->head);
    ip_pl_put_strf(c, ws, sn, head, cl->count, f->head_num, "Antal %s", p->unit);
    if (cl->split) {
        snprintf(buf, sizeof buf, "Lika del (%d" NBSP "%%)", eq);
        ip_pl_put_str(c, ws, sn, head, cl->equal, buf, f->head_num);
        ip_pl_put_strf(c, ws, sn, head, cl->var, f->head_num, "Efter %s (%d" NBSP "%%)",
                       p->unit, 100 - eq);
    }
    share = ip_wording_share_heading(p->svc);
    ip_pl_put_str(c, ws, sn, head, cl->share, share, f->head_num);
    free(share);
    /* two lines each: neighbouring headings never touch on the page */
    snprintf(buf, sizeof buf, "Årsavgift\n%d", p->r->year);
    ip_pl_put_str(c, ws, sn, head, cl->fee, buf, f->head_num);
    snprintf(buf, sizeof buf, "Årsavgift\n%d", p->r->year - 1);
    ip_pl_put_str(c, ws, sn, head, cl->prev, buf, f->head_num);
    ip_pl_put_str(c, ws, sn, head, cl->prev + 1, "Förändring\nkr", f->head_num);
    ip_pl_put_str(c, ws, sn, head, cl->prev + 2, "Förändring\n%", f->head_num);
    worksheet_set_row(ws, head, 45, NULL);
}

/* The basis and share cells of a customer's row: "ingår i …" across them
 * for a consolidated customer; otherwise the count (0 shows "–"), for the
 * equal-and-proportional key the two parts of the fee, and the share as a
 * formula over the Totalt row (0, shown "–", without basis). The parts
 * shown are added to gs. */
static void write_basis_and_share(const svc_page *p, lxw_row_t row, size_t slot, svc_sums *gs)
{
    ip_pl_ctx *c = p->c;
    lxw_worksheet *ws = p->ws;
    const char *sn = p->sn;
    const ip_pl_fmts *f = p->f;
    const ip_svc_result *sr = p->sr;
    const svc_cols *cl = &p->cl;
    const ip_alloc_item *it = &sr->items[slot];
    lxw_row_t total = p->sh->total_row;
    char buf[64], a[16], b[16];

    if (sr->into[slot] >= 0) {
        /* "ingår i <name>" is wider than a count: it takes the cells up to
         * the share, which are empty for this customer. */
        const ip_customer *into = ip_customers_at(p->r->customers, (size_t)sr->into[slot]);
        ip_pl_note_err(c, worksheet_merge_range(ws, row, cl->count, row, cl->share, "",
                                                f->within),
                       sn, row, cl->count);
        ip_pl_put_strf(c, ws, sn, row, cl->count, f->within, "ingår i %s", into->name);
        return;
    }
    ip_pl_put_num(c, ws, sn, row, cl->count, ip_pl_num(sr->basis[slot]), f->count);
    if (cl->split) {
        int64_t eq = sr->basis[slot] > 0 ? p->q : 0;
        ip_pl_put_num(c, ws, sn, row, cl->equal, ip_pl_num(eq), f->kr);
        ip_pl_put_num(c, ws, sn, row, cl->var, ip_pl_num(it->fee - eq), f->kr);
        gs->equal += eq, gs->var += it->fee - eq;
    }
    {
        /* the share is of the fee for the split key, of the basis otherwise */
        lxw_col_t of = cl->split ? cl->fee : cl->count;
        int64_t part = cl->split ? it->fee : sr->basis[slot], whole = cl->split ? p->F : p->W;
        if (whole > 0) {
            snprintf(buf, sizeof buf, "=%s/%s", ip_pl_cell(a, row, of),
                     ip_pl_cell_row_abs(b, total, of));
            ip_pl_put_formula(c, ws, sn, row, cl->share, buf,
                              ip_pl_num(part) / ip_pl_num(whole), f->pct);
        } else {
            ip_pl_put_num(c, ws, sn, row, cl->share, 0, f->pct);
        }
    }
}

/* One customer's row of the table; its figures are added to gs. */
static void write_customer_row(const svc_page *p, lxw_row_t row, size_t slot, svc_sums *gs)
{
    ip_pl_ctx *c = p->c;
    lxw_worksheet *ws = p->ws;
    const char *sn = p->sn;
    const ip_pl_fmts *f = p->f;
    const ip_svc_result *sr = p->sr;
    ip_pl_row_fmts rf = ip_pl_row_formats(f, IP_PL_ROW_CUSTOMER);
    int64_t fee = sr->items[slot].fee, prev = sr->prev_fee[slot];
    const ip_customer *cu = ip_customers_at(p->r->customers, slot);
    char mark[24];

    ip_pl_put_num(c, ws, sn, row, 0, (double)cu->nr, f->nr);
    ip_pl_put_str(c, ws, sn, row, 1, cu->name, f->name);
    if (p->marker[slot])
        ip_pl_put_str(c, ws, sn, row, p->cl.mark, marker_text(p->marker[slot], mark), f->mark);

    write_basis_and_share(p, row, slot, gs);

    ip_pl_put_num(c, ws, sn, row, p->cl.fee, ip_pl_num(fee), f->kr);
    ip_pl_put_prev(c, ws, sn, row, p->cl.prev, prev, &rf);
    ip_pl_put_change(c, ws, sn, row, p->cl.fee, p->cl.prev, fee, prev, &rf);
    gs->basis += sr->basis[slot];
    gs->fee += fee;
    if (prev == IP_NO_PREV)
        gs->prev_known = 0;
    else
        gs->prev += prev;
}

/* "Delsumma <group>" over the group's rows first..row-1: count, parts, share
 * and fees as formulas cached with gs. */
static void write_group_subtotal(const svc_page *p, lxw_row_t row, lxw_row_t first,
                                 const char *group, const svc_sums *gs)
{
    ip_pl_ctx *c = p->c;
    lxw_worksheet *ws = p->ws;
    const char *sn = p->sn;
    const svc_cols *cl = &p->cl;
    ip_pl_row_fmts sf = ip_pl_row_formats(p->f, IP_PL_ROW_SUBTOTAL);
    /* the share is of the fee for the split key, of the basis otherwise */
    lxw_col_t of = cl->split ? cl->fee : cl->count;
    int64_t part = cl->split ? gs->fee : gs->basis, whole = cl->split ? p->F : p->W;
    char buf[64], a[16], b[16], *fml;

    ip_pl_put_blank(c, ws, sn, row, 0, sf.blank);
    ip_pl_put_strf(c, ws, sn, row, 1, sf.label, "Delsumma %s", group);
    ip_pl_put_blank(c, ws, sn, row, cl->mark, sf.blank);
    fml = ip_pl_sum_range(first, row - 1, cl->count);
    ip_pl_put_formula(c, ws, sn, row, cl->count, fml, ip_pl_num(gs->basis), sf.count);
    free(fml);
    if (cl->split) {
        fml = ip_pl_sum_range(first, row - 1, cl->equal);
        ip_pl_put_formula(c, ws, sn, row, cl->equal, fml, ip_pl_num(gs->equal), sf.kr);
        free(fml);
        fml = ip_pl_sum_range(first, row - 1, cl->var);
        ip_pl_put_formula(c, ws, sn, row, cl->var, fml, ip_pl_num(gs->var), sf.kr);
        free(fml);
    }
    if (whole > 0) {
        snprintf(buf, sizeof buf, "=%s/%s", ip_pl_cell(a, row, of),
                 ip_pl_cell_row_abs(b, p->sh->total_row, of));
        ip_pl_put_formula(c, ws, sn, row, cl->share, buf, ip_pl_num(part) / ip_pl_num(whole),
                          sf.pct);
    } else {
        ip_pl_put_num(c, ws, sn, row, cl->share, 0, sf.pct);
    }
    fml = ip_pl_sum_range(first, row - 1, cl->fee);
    ip_pl_put_formula(c, ws, sn, row, cl->fee, fml, ip_pl_num(gs->fee), sf.kr);
    free(fml);
    if (gs->prev_known) {
        fml = ip_pl_sum_range(first, row - 1, cl->prev);
        ip_pl_put_formula(c, ws, sn, row, cl->prev, fml, ip_pl_num(gs->prev), sf.kr);
        free(fml);
    } else {
        ip_pl_put_prev(c, ws, sn, row, cl->prev, IP_NO_PREV, &sf);
    }
    ip_pl_put_change(c, ws, sn, row, cl->fee, cl->prev, gs->fee,
                     gs->prev_known ? gs->prev : IP_NO_PREV, &sf);
}

/* "Totalt": the Delsumma rows sub_rows[0..n) added up, cached with ts; the
 * count's cached value is the basis total W, the share's 1. */
static void write_totals(const svc_page *p, lxw_row_t row, const lxw_row_t *sub_rows, size_t n,
                         const svc_sums *ts)
{
    ip_pl_ctx *c = p->c;
    lxw_worksheet *ws = p->ws;
    const char *sn = p->sn;
    const svc_cols *cl = &p->cl;
    ip_pl_row_fmts tf = ip_pl_row_formats(p->f, IP_PL_ROW_TOTAL);
    char *fml;

    ip_pl_put_blank(c, ws, sn, row, 0, tf.blank);
    ip_pl_put_str(c, ws, sn, row, 1, "Totalt", tf.label);
    ip_pl_put_blank(c, ws, sn, row, cl->mark, tf.blank);
    fml = ip_pl_sum_rows(sub_rows, n, cl->count);
    ip_pl_put_formula(c, ws, sn, row, cl->count, fml, ip_pl_num(p->W), tf.count);
    free(fml);
    if (cl->split) {
        fml = ip_pl_sum_rows(sub_rows, n, cl->equal);
        ip_pl_put_formula(c, ws, sn, row, cl->equal, fml, ip_pl_num(ts->equal), tf.kr);
        free(fml);
        fml = ip_pl_sum_rows(sub_rows, n, cl->var);
        ip_pl_put_formula(c, ws, sn, row, cl->var, fml, ip_pl_num(ts->var), tf.kr);
        free(fml);
    }
    if ((cl->split ? p->F : p->W) > 0) {
        fml = ip_pl_sum_rows(sub_rows, n, cl->share);
        ip_pl_put_formula(c, ws, sn, row, cl->share, fml, 1.0, tf.pct);
        free(fml);
    } else {
        ip_pl_put_num(c, ws, sn, row, cl->share, 0, tf.pct);
    }
    fml = ip_pl_sum_rows(sub_rows, n, cl->fee);
    ip_pl_put_formula(c, ws, sn, row, cl->fee, fml, ip_pl_num(ts->fee), tf.kr);
    free(fml);
    if (ts->prev_known) {
        fml = ip_pl_sum_rows(sub_rows, n, cl->prev);
        ip_pl_put_formula(c, ws, sn, row, cl->prev, fml, ip_pl_num(ts->prev), tf.kr);
        free(fml);
    } else {
        ip_pl_put_prev(c, ws, sn, row, cl->prev, IP_NO_PREV, &tf);
    }
    ip_pl_put_change(c, ws, sn, row, cl->fee, cl->prev, ts->fee,
                     ts->prev_known ? ts->prev : IP_NO_PREV, &tf);
}

/* A footnote across the table's width from row; returns the next row. */
static lxw_row_t put_note(const svc_page *p, lxw_row_t row, const char *text)
{
    ip_pl_ctx *c = p->c;
    ip_pl_note_err(c, worksheet_merge_range(p->ws, row, 0, row, p->cl.last, "", p->f->note_wrap),
                   p->sn, row, 0);
    ip_pl_put_str(c, p->ws, p->sn, row, 0, text, p->f->note_wrap);
    worksheet_set_row(p->ws, row, 13.0 * ip_pl_text_lines(text, p->total_width * 1.1) + 3, NULL);
    return row + 1;
}

/* The footnotes from row on: one per customer others are counted in ("* I
 * Stadsledningskontorets antal (62 060 anrop) ingår Finansförvaltningen
 * (7 423 anrop)."), how the switchboard's parts are formed, and last year's
 * fees when they do not add up to the tariff's previous fee. */
static void write_footnotes(const svc_page *p, lxw_row_t row)
{
    const ip_pl_ctx *c = p->c;
    const ip_run *r = p->r;
    const ip_svc_result *sr = p->sr;
    size_t i, k, m, *start, *list, *fill;
    char n1[32], n2[32], n3[48], mark[24];
    ip_buf b;

    /* the customers counted in the customer of marker m, in table order:
     * list[start[m - 1] .. start[m]), one pass over the table */
    start = ip_xcalloc(p->nmarkers + 1, sizeof *start);
    for (k = 0; k < r->ncust; k++)
        if (sr->into[k] >= 0)
            start[p->marker[k]]++;
    for (m = 1; m <= p->nmarkers; m++)
        start[m] += start[m - 1];
    list = ip_xcalloc(start[p->nmarkers] ? start[p->nmarkers] : 1, sizeof *list);
    fill = ip_xcalloc(p->nmarkers + 1, sizeof *fill);
    for (i = 0; i < r->ncust; i++) {
        size_t slot = c->order[i];
        if (sr->into[slot] >= 0) {
            m = p->marker[slot];
            list[start[m - 1] + fill[m]++] = slot;
        }
    }
    free(fill);
    ip_buf_init(&b);
    for (m = 1; m <= p->nmarkers; m++) {
        size_t into = p->marked[m - 1], nfrom = start[m] - start[m - 1], done = 0;
        char *gi;
        gi = ip_pricelist_genitive(ip_customers_at(r->customers, into)->name);
        ip_buf_release(&b);
        ip_buf_init(&b);
        ip_buf_addf(&b, "%s I %s antal (%s %s) ingår ", marker_text(m, mark), gi,
                    ip_money_fmt_thousands(sr->basis[into], n1, sizeof n1), p->unit);
        free(gi);
        for (i = start[m - 1]; i < start[m]; i++) {
            size_t slot = list[i];
            done++;
            ip_buf_addf(&b, "%s%s (%s %s)", done == 1 ? "" : done == nfrom ? " och " : ", ",
                        ip_customers_at(r->customers, slot)->name,
                        ip_money_fmt_thousands(sr->raw[slot], n1, sizeof n1), p->unit);
        }
        ip_buf_addch(&b, '.');
        row = put_note(p, row, b.buf);
    }
    free(list);
    free(start);
    if (p->cl.split && sr->alloc.participants > 0) {
        size_t first = 0;
        for (k = 0; k < r->ncust; k++)
            if (sr->basis[k] > 0) {
                first = k;
                break;
            }
        ip_buf_release(&b);
        ip_buf_init(&b);
        ip_buf_addf(&b,
                    "Lika del: %d %% av den fasta avgiften delat lika mellan de %zu kunder som "
                    "har %s, %s kr × %d %% / %zu = %s kr, avrundat nedåt till hela kronor: "
                    "%s kr var. Efter %s: resten av kundens årsavgift. Delarna summerar "
                    "till årsavgiften på varje rad; de exakta delarna med ören står i "
                    "report.txt och visas av internpris explain.",
                    p->svc->equal_percent, sr->alloc.participants, p->unit,
                    ip_money_fmt_thousands(p->F, n1, sizeof n1), p->svc->equal_percent,
                    sr->alloc.participants,
                    ip_money_fmt_frac_sv(sr->items[first].num_equal, sr->alloc.den, 2, n3,
                                         sizeof n3),
                    ip_money_fmt_thousands(p->q, n2, sizeof n2), p->unit);
        row = put_note(p, row, b.buf);
    }
    if (sr->prev_total != IP_NO_PREV && sr->prev_total != p->svc->previous_fee) {
        ip_buf_release(&b);
        ip_buf_init(&b);
        ip_buf_addf(&b,
                    "Förra årets avgifter (fees.csv %d) summerar till %s kr, inte till "
                    "tariffens fasta avgift %d på %s kr: Totalt och Delsumma för %d visar "
                    "summan av avgifterna.",
                    r->year - 1, ip_money_fmt_thousands(sr->prev_total, n1, sizeof n1),
                    r->year - 1, ip_money_fmt_thousands(p->svc->previous_fee, n2, sizeof n2),
                    r->year - 1);
        row = put_note(p, row, b.buf);
    }
    ip_buf_release(&b);
}

void ip_pl_write_service_sheet(ip_pl_ctx *c, lxw_worksheet *ws, size_t si)
{
    const ip_run *r = c->r;
    const ip_tariff *t = r->tariff;
    svc_page p;
    svc_sums ts = no_sums;
    lxw_row_t row, head, *sub_rows;
    size_t g, i;

    p.c = c;
    p.ws = ws;
    p.r = r;
    p.f = &c->f;
    p.sr = &r->svc[si];
    p.svc = p.sr->svc;
    p.sh = &c->sheets[si];
    p.sn = p.sh->name;
    p.unit = ip_wording_unit(p.svc);
    p.W = p.sr->alloc.total;
    p.F = p.svc->fee;
    p.marker = ip_xcalloc(r->ncust ? r->ncust : 1, sizeof *p.marker);
    p.marked = ip_xcalloc(r->ncust ? r->ncust : 1, sizeof *p.marked);
    p.nmarkers = 0;
    p.q = p.svc->method == IP_KEY_EQUAL_AND_PROPORTIONAL ? equal_part(r, p.sr) : 0;

    place_markers(&p);
    layout_columns(&p);
    head = write_header_block(&p);
    write_table_head(&p, head);
    row = head + 1;

    /* The total row comes after every group: heading + customers + Delsumma +
     * a blank row each. Its position is needed by the share formulas. */
    p.sh->total_row = row;
    for (g = 0; g < t->ngroups; g++)
        p.sh->total_row += (lxw_row_t)(c->group_start[g + 1] - c->group_start[g] + 3);
    p.sh->fee_col = p.cl.fee;
    sub_rows = ip_xcalloc(t->ngroups + 1, sizeof *sub_rows);

    for (g = 0; g < t->ngroups; g++) {
        lxw_row_t first = row + 1;
        svc_sums gs = no_sums;
        ip_pl_put_str(c, ws, p.sn, row++, 1, t->groups[g].label, p.f->group);
        for (i = c->group_start[g]; i < c->group_start[g + 1]; i++)
            write_customer_row(&p, row++, c->order[i], &gs);
        sub_rows[g] = row;
        write_group_subtotal(&p, row, first, t->groups[g].label, &gs);
        ts.fee += gs.fee;
        ts.prev += gs.prev;
        ts.equal += gs.equal, ts.var += gs.var;
        if (!gs.prev_known)
            ts.prev_known = 0;
        row += 2;
    }
    if (row != p.sh->total_row)
        IP_BUG("total row of '%s' at %u, expected %u", p.sn, (unsigned)row,
               (unsigned)p.sh->total_row);
    p.sh->fee_sum = ts.fee;

    write_totals(&p, row, sub_rows, t->ngroups, &ts);
    write_footnotes(&p, row + 2);

    ip_pl_page_setup(c, ws, 0, head);
    worksheet_freeze_panes(ws, head + 1, 0);
    worksheet_gridlines(ws, LXW_HIDE_ALL_GRIDLINES);
    free(sub_rows);
    free(p.marker);
    free(p.marked);
}
