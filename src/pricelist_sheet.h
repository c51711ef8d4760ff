/*
 * pricelist_sheet.h — what the price-list workbook's sheet writers share:
 * the context of one workbook being written, its formats, and the cell
 * helpers (pricelist_cells.c) through which every cell is written; and the
 * entry point of each sheet (pricelist_customers.c, pricelist_service.c,
 * pricelist_check.c).
 *
 * Private to the workbook: it lives beside those files in src/, not in
 * include/, because nothing else may write a cell of the workbook or see
 * libxlsxwriter's types. pricelist.c alone talks to the library's workbook
 * (creating it, its formats and its sheets, closing it); a sheet writer gets
 * the worksheet to fill and reads the run through the context.
 *
 * Names here begin with ip_pl_ (pricelist). Every helper records the first
 * error the library reports in the context (ip_pl_note_err); the workbook
 * turns it into the run's error once every sheet is written.
 */
#ifndef IP_PRICELIST_SHEET_H
#define IP_PRICELIST_SHEET_H

#include <stddef.h>
#include <stdint.h>

#include <xlsxwriter.h>

#include "billing.h"
#include "run.h"

#define IP_PL_SHEET_CUSTOMERS "Per kund"
#define IP_PL_SHEET_CHECK "Avstämning"
#define IP_PL_SHEET_DOCUMENTS "Dokument"
#define IP_PL_DASH "–" /* an empty value: no basis, last year unknown */

/* The formats of the workbook (owned by it; made by pricelist.c). */
typedef struct ip_pl_fmts {
    lxw_format *title, *subtitle, *text, *wrap, *note, *bold, *group;
    lxw_format *head, *head_num, *head_indent; /* table header row */
    lxw_format *nr, *name, *count, *kr, *pct, *dash, *change_kr, *change_pct;
    lxw_format *sub_label, *sub_count, *sub_kr, *sub_pct, *sub_dash, *sub_change_kr,
        *sub_change_pct, *sub_blank;         /* Delsumma rows */
    lxw_format *tot_label, *tot_count, *tot_kr, *tot_pct, *tot_dash, *tot_change_kr,
        *tot_change_pct, *tot_blank;         /* Totalt rows */
    lxw_format *year_head, *fixed_kr;        /* the "Fast avgift" block */
    lxw_format *within;                      /* "ingår i …" */
    lxw_format *mark, *note_wrap;            /* footnote marker, footnote */
    lxw_format *mono, *int_num, *unit;       /* check sheet */
    lxw_format *ore, *date;                  /* check sheet: documents */
} ip_pl_fmts;

/* The formats of a row kind. */
typedef struct ip_pl_row_fmts {
    lxw_format *label, *count, *kr, *pct, *dash, *change_kr, *change_pct, *blank;
} ip_pl_row_fmts;

enum { IP_PL_ROW_CUSTOMER = 0, IP_PL_ROW_SUBTOTAL = 1, IP_PL_ROW_TOTAL = 2 };

/* Where a service sheet's figures ended up, for the check sheet. */
typedef struct ip_pl_svc_sheet {
    char *name;            /* sheet name */
    lxw_row_t total_row;   /* row of "Totalt" */
    lxw_col_t fee_col;     /* column of this year's fee */
    int64_t fee_sum;       /* sum of allocated fees */
} ip_pl_svc_sheet;

/* Standard error and /dev/null, both opened before the workbook, so that
 * libxlsxwriter's own lines can be dropped even when it fails for want of
 * file descriptors (ip_pl_quiet_open); -1 when closed. */
typedef struct ip_pl_quiet {
    int null, saved;
} ip_pl_quiet;

/* One workbook being written. */
typedef struct ip_pl_ctx {
    const ip_run *r;
    const ip_billing *bill;   /* the issued documents, or NULL */
    ip_pl_fmts f;
    ip_pl_svc_sheet *sheets;  /* [r->nsvc]: names set by the workbook, the rest by each sheet */
    size_t *order;            /* slots in table order: by group, then number */
    size_t *group_start;      /* [ngroups + 1]: order[group_start[g]..group_start[g+1]) */
    lxw_format **within_kr;   /* [slot]: a fee of 0 shown "ingår i <nr>" for a customer
                                 others are counted in; NULL for the others */
    lxw_row_t cust_total_row; /* "Per kund": row of "Totalt" */
    lxw_col_t cust_first_svc; /* "Per kund": column of the first service */
    lxw_error lerr;           /* first error a worksheet call reported */
    lxw_row_t lerr_row;
    lxw_col_t lerr_col;
    const char *lerr_sheet;
    ip_pl_quiet quiet;        /* ip_pl_quiet_open() before the workbook */
    size_t nsheets;           /* sheets ip_pl_add_sheet() made */
} ip_pl_ctx;

/* ---- the workbook (pricelist.c) ------------------------------------------ */
/* Also for the scenario's comparison workbook (compare_book.c), which has the
 * price list's formats, table order, sheet names and page setup. */

/* The workbook's document properties: title, subject, author, the seller
 * as company and a creation time from the tariff (no clock), so that the
 * same inputs give the same bytes. */
void ip_pl_set_properties(lxw_workbook *wb, const ip_tariff *t, int year, const char *title,
                          const char *subject);

/* The workbook's formats, all made before any cell is written. */
void ip_pl_make_formats(lxw_workbook *wb, ip_pl_fmts *f);

/* c->order and c->group_start from c->r: by group in the tariff's order,
 * then by register order. */
void ip_pl_make_order(ip_pl_ctx *c);

/* A worksheet name for a service (see ip_pricelist_sheet_name, pricelist.h). */
char *ip_pl_sheet_name(const char *name, const char *fallback, const char *const *taken,
                       size_t ntaken);

/* c->quiet: /dev/null and a copy of standard error, opened once before the
 * workbook is made (closed by ip_pl_close_quietly, or ip_pl_quiet_close
 * when no workbook was made). 0, or the errno when one cannot be opened:
 * the workbook cannot be written then (the caller reports "cannot create
 * the workbook"). */
int ip_pl_quiet_open(ip_pl_ctx *c);
void ip_pl_quiet_close(ip_pl_ctx *c);

/* workbook_add_worksheet(), quietly: NULL when libxlsxwriter could not
 * make the sheet's temporary file (constant_memory mode: one per sheet,
 * beside the workbook), *err the errno it left; 0 there means the library
 * refused the name, a bug. What the library prints on stderr is dropped
 * (the caller reports the failure: ip_pl_close_failed() with
 * LXW_ERROR_CREATING_XLSX_FILE). */
lxw_worksheet *ip_pl_add_sheet(ip_pl_ctx *c, lxw_workbook *wb, const char *name, int *err);

/* workbook_close(): writes the file and frees wb; what the library prints
 * on stderr is dropped (the caller reports the failure); *err is the errno
 * it left. A workbook without a sheet (its first could not be made) is
 * freed unwritten (LXW_ERROR_CREATING_XLSX_FILE). Closes c->quiet. */
lxw_error ip_pl_close_quietly(ip_pl_ctx *c, lxw_workbook *wb, int *err);

/* A failed close of the workbook at path in the one form: "FILE: cannot
 * create the workbook: reason" (IP_ERR_CANTCREAT) for
 * LXW_ERROR_CREATING_XLSX_FILE, else "FILE: cannot write: reason"
 * (IP_ERR_IO); FILE as ip_stage_shown() names path. */
ip_err ip_pl_close_failed(ip_diag *d, const char *path, lxw_error e, int err);

/* ---- the sheets, in workbook order ---------------------------------------- */

/* "Per kund": sets c->cust_total_row and c->cust_first_svc. */
void ip_pl_write_customers_sheet(ip_pl_ctx *c, lxw_worksheet *ws);

/* Service si's sheet, named c->sheets[si].name: sets the rest of
 * c->sheets[si]. */
void ip_pl_write_service_sheet(ip_pl_ctx *c, lxw_worksheet *ws, size_t si);

/* "Avstämning": refers to the cells the other sheets recorded. */
void ip_pl_write_check_sheet(ip_pl_ctx *c, lxw_worksheet *ws);

/* "Dokument": the year's invoices and credit notes (c->bill is not NULL). */
void ip_pl_write_documents_sheet(ip_pl_ctx *c, lxw_worksheet *ws);

/* The name a service goes by in tabs, footers and column headings: the
 * tariff's short-name, else its name. */
const char *ip_pl_service_label(const ip_service *svc);

/* ---- cells (pricelist_cells.c) -------------------------------------------- */

/* Records e as the workbook's error when it is the first one. */
void ip_pl_note_err(ip_pl_ctx *c, lxw_error e, const char *sheet, lxw_row_t row,
                    lxw_col_t col);

/* Writes text as a string cell: never a formula, whatever it starts with.
 * Text longer than a cell may hold is cut at a character boundary; NULL or
 * "" is a blank cell with format f. */
void ip_pl_put_str(ip_pl_ctx *c, lxw_worksheet *ws, const char *sheet, lxw_row_t row,
                   lxw_col_t col, const char *text, lxw_format *f);

/* ip_pl_put_str() of a formatted text (which may hold text from the inputs:
 * it is formatted on the heap, so never cut inside a UTF-8 character). */
void ip_pl_put_strf(ip_pl_ctx *c, lxw_worksheet *ws, const char *sheet, lxw_row_t row,
                    lxw_col_t col, lxw_format *f, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

/* Whole kronor or a count as the worksheet's number: the only int64 ->
 * double conversion, exact for |v| < 2^53 (fees are at most 10^12, bases
 * 10^15 < 2^53). */
double ip_pl_num(int64_t v);

/* An amount in öre as the worksheet's number of kronor (exact to the öre
 * for every amount below 2^53 öre). */
double ip_pl_num_ore(int64_t ore);

void ip_pl_put_num(ip_pl_ctx *c, lxw_worksheet *ws, const char *sheet, lxw_row_t row,
                   lxw_col_t col, double v, lxw_format *f);

/* A formula built here (cell references, quoted sheet names) with its cached
 * value. Never called with text from the inputs. */
void ip_pl_put_formula(ip_pl_ctx *c, lxw_worksheet *ws, const char *sheet, lxw_row_t row,
                       lxw_col_t col, const char *formula, double cached, lxw_format *f);

/* A blank cell with format f; nothing when f is NULL. */
void ip_pl_put_blank(ip_pl_ctx *c, lxw_worksheet *ws, const char *sheet, lxw_row_t row,
                     lxw_col_t col, lxw_format *f);

/* The formats of a row kind (IP_PL_ROW_*). */
ip_pl_row_fmts ip_pl_row_formats(const ip_pl_fmts *f, int kind);

/* Change columns of one row, prev_col + 1 and + 2: kr = this - prev as a
 * formula; % when prev > 0. Left empty when last year is unknown, and on a
 * customer row (rf->blank is NULL) when both years are 0. */
void ip_pl_put_change(ip_pl_ctx *c, lxw_worksheet *ws, const char *sheet, lxw_row_t row,
                      lxw_col_t fee_col, lxw_col_t prev_col, int64_t fee, int64_t prev,
                      const ip_pl_row_fmts *rf);

/* Last year's amount: a number, or "–" when unknown (IP_NO_PREV). */
void ip_pl_put_prev(ip_pl_ctx *c, lxw_worksheet *ws, const char *sheet, lxw_row_t row,
                    lxw_col_t col, int64_t prev, const ip_pl_row_fmts *rf);

/* A4, fit to one page wide, head_row repeated, the footer with the sheet
 * name and page numbers. */
void ip_pl_page_setup(ip_pl_ctx *c, lxw_worksheet *ws, int landscape, lxw_row_t head_row);

/* ---- references and formulas ---------------------------------------------- */

/* "E12" into buf; returns buf. */
const char *ip_pl_cell(char buf[16], lxw_row_t row, lxw_col_t col);

/* "E$12": column relative, row absolute (for totals copied along a row). */
const char *ip_pl_cell_row_abs(char buf[16], lxw_row_t row, lxw_col_t col);

/* A sheet name as a formula prefix: 'Name'! with ' doubled. Heap string. */
char *ip_pl_sheet_ref(const char *name);

/* Formula "=A+B+C" over the same column in the given rows; "=0" when empty.
 * Heap string. */
char *ip_pl_sum_rows(const lxw_row_t *rows, size_t n, lxw_col_t col);

/* "=SUM(C5:C20)"; first > last means an empty group: "=0". Heap string. */
char *ip_pl_sum_range(lxw_row_t first, lxw_row_t last, lxw_col_t col);

/* ---- text for cells ------------------------------------------------------- */

/* Collapses runs of white space (an XML editor's indentation) to one space;
 * a run holding a blank line becomes a paragraph break. Heap string. */
char *ip_pl_tidy_text(const char *s);

/* Estimated rows a wrapped text needs in a merged cell width chars wide. */
unsigned ip_pl_text_lines(const char *s, double width);

#endif /* IP_PRICELIST_SHEET_H */
