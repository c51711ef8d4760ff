/*
 * test_issued.c — the record of issued documents (ROOT/issued/Y/): lines as
 * the register writes them (the amounts in them are money's, test_money.c),
 * loading (a missing record, a record of an invoice and its credit note,
 * every kind of damaged row, lines whose sum overflows, an edited, lost or
 * unlisted document), the register written back byte for byte, and the next
 * record staged, appended to and committed, then loaded again field by
 * field, and a record of 300 documents copied into a year folder (on two
 * threads) byte for byte, the first document that cannot be copied named
 * whichever thread met it.
 *
 * Each record test builds its record by hand in a fresh folder under /tmp,
 * with the real SHA-256 of each stored document.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "digest.h"
#include "issued.h"
#include "stage.h"
#include "util.h"

/* --- lines -------------------------------------------------------------- */

static void test_issued_lines_parse(void **state)
{
    const char *p = "etjanst=155249.00,kcp=0.07";
    char svc[32];
    int64_t ore;
    (void)state;
    assert_int_equal(ip_issued_lines_next(&p, svc, sizeof svc, &ore), 1);
    assert_string_equal(svc, "etjanst");
    assert_int_equal(ore, 15524900);
    assert_int_equal(ip_issued_lines_next(&p, svc, sizeof svc, &ore), 1);
    assert_string_equal(svc, "kcp");
    assert_int_equal(ore, 7);
    assert_int_equal(ip_issued_lines_next(&p, svc, sizeof svc, &ore), 0);
    p = "etjanst=1.00,"; /* a trailing ',' */
    assert_int_equal(ip_issued_lines_next(&p, svc, sizeof svc, &ore), -1);
    p = "etjanst=1.00,,kcp=1.00";
    assert_int_equal(ip_issued_lines_next(&p, svc, sizeof svc, &ore), 1);
    assert_int_equal(ip_issued_lines_next(&p, svc, sizeof svc, &ore), -1);
    p = "=1.00";
    assert_int_equal(ip_issued_lines_next(&p, svc, sizeof svc, &ore), -1);
    p = "a=-1.00";
    assert_int_equal(ip_issued_lines_next(&p, svc, sizeof svc, &ore), -1);
}

/* --- the record --------------------------------------------------------- */

typedef struct fixture {
    char root[64];
    char docs[128];
} fixture;

static int setup_record(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    snprintf(fx->root, sizeof fx->root, "/tmp/ip-test-issued.XXXXXX");
    if (!mkdtemp(fx->root))
        return -1;
    snprintf(fx->docs, sizeof fx->docs, "%s/issued/2025/invoices", fx->root);
    *state = fx;
    return 0;
}

static int teardown_record(void **state)
{
    fixture *fx = *state;
    ip_rmtree(fx->root);
    free(fx);
    return 0;
}

static void write_text_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

#define HEADER                                                                             \
    "number;kind;customer;name;period_start;period_end;issue_date;due_date;cancels;run;"   \
    "vat_category;vat_percent;net;vat;total;lines;file;sha256\n"

/* A record of one invoice and its credit note, with correct digests. */
static void make_record(fixture *fx, const char *extra_row)
{
    char path[256], reg[256], sha_a[65], sha_b[65];
    char *text;
    snprintf(path, sizeof path, "%s/issued", fx->root);
    mkdir(path, 0777);
    snprintf(path, sizeof path, "%s/issued/2025", fx->root);
    mkdir(path, 0777);
    mkdir(fx->docs, 0777);
    snprintf(path, sizeof path, "%s/2025-113.xml", fx->docs);
    write_text_file(path, "<Invoice/>\n");
    assert_int_equal(ip_digest_file(path, sha_a, NULL), 0);
    snprintf(path, sizeof path, "%s/2025-113-K1.xml", fx->docs);
    write_text_file(path, "<CreditNote/>\n");
    assert_int_equal(ip_digest_file(path, sha_b, NULL), 0);
    text = ip_xasprintf(
        HEADER
        "KC2025-113;invoice;113;\"Social; förvaltningen\";2025-01-01;2025-12-31;2025-01-15;"
        "2025-02-14;;0;O;0;151514.00;0.00;151514.00;etjanst=10204.00,direkt=141310.00;"
        "2025-113.xml;%s\n"
        "KC2025-113-K1;credit;113;Socialförvaltningen;2025-01-01;2025-12-31;2025-03-03;"
        "2025-04-02;KC2025-113;1;O;0;151514.00;0.00;151514.00;etjanst=10204.00,direkt=141310.00;"
        "2025-113-K1.xml;%s\n%s",
        sha_a, sha_b, extra_row ? extra_row : "");
    snprintf(reg, sizeof reg, "%s/issued/2025/register.csv", fx->root);
    write_text_file(reg, text);
    free(text);
}

static void test_issued_missing_is_empty(void **state)
{
    fixture *fx = *state;
    ip_issued *rec = NULL;
    ip_diag d;
    assert_int_equal(ip_issued_load(fx->root, 2025, &rec, &d), IP_OK);
    assert_int_equal(ip_issued_exists(rec), 0);
    assert_int_equal(ip_issued_count(rec), 0);
    assert_int_equal(ip_issued_last_run(rec), -1);
    ip_issued_free(rec);
}

static void test_issued_loads_and_round_trips(void **state)
{
    fixture *fx = *state;
    ip_issued *rec = NULL;
    ip_diag d;
    char reg[256], *before, *after;
    FILE *f;
    size_t len;
    make_record(fx, NULL);
    assert_int_equal(ip_issued_load(fx->root, 2025, &rec, &d), IP_OK);
    assert_int_equal(ip_issued_count(rec), 2);
    assert_string_equal(ip_issued_at(rec, 0)->name, "Social; förvaltningen");
    assert_int_equal(ip_issued_at(rec, 0)->net, 15151400);
    assert_int_equal(ip_issued_at(rec, 1)->is_credit, 1);
    assert_string_equal(ip_issued_at(rec, 1)->cancels, "KC2025-113");
    assert_int_equal(ip_issued_last_run(rec), 1);
    assert_int_equal(ip_issued_find(rec, "KC2025-113-K1"), 1);
    assert_int_equal(ip_issued_find(rec, "KC2025-113-R1"), -1);
    /* written back, the register is byte for byte what was read */
    snprintf(reg, sizeof reg, "%s/issued/2025/register.csv", fx->root);
    before = ip_read_file(reg, NULL);
    f = open_memstream(&after, &len);
    assert_int_equal(ip_issued_write_register(rec, f, "register.csv", &d), IP_OK);
    fclose(f);
    assert_string_equal(after, before);
    free(after);
    free(before);
    ip_issued_free(rec);
}

static void test_issued_edited_document_is_data_error(void **state)
{
    fixture *fx = *state;
    ip_issued *rec = NULL;
    ip_diag d;
    char path[256];
    make_record(fx, NULL);
    snprintf(path, sizeof path, "%s/2025-113.xml", fx->docs);
    write_text_file(path, "<Invoice>edited</Invoice>\n");
    assert_int_equal(ip_issued_load(fx->root, 2025, &rec, &d), IP_ERR_DATA);
    assert_null(rec);
    assert_non_null(strstr(d.msg, "must not be edited"));
    assert_non_null(strstr(d.file, "2025-113.xml"));
    unlink(path);
    assert_int_equal(ip_issued_load(fx->root, 2025, &rec, &d), IP_ERR_DATA);
    assert_non_null(strstr(d.msg, "No such file"));
}

static void test_issued_bad_rows_are_data_errors(void **state)
{
    static const struct { const char *row; const char *msg; } cases[] = {
        {"KC2025-115;invoice;115;X;2025-01-01;2025-12-31;2025-01-15;2025-02-14;;0;O;0;"
         "1.00;0.00;1.00;etjanst=1.00;2025-115.xml;" /* no digest */ "\n",
         "expected a lowercase hex SHA-256"},
        {"KC2025-115;offer;115;X;2025-01-01;2025-12-31;2025-01-15;2025-02-14;;0;O;0;"
         "1.00;0.00;1.00;etjanst=1.00;2025-115.xml;0000000000000000000000000000000000000000000000000000000000000000\n",
         "expected kind 'invoice' or 'credit'"},
        {"KC2025-115;invoice;115;X;2025-01-01;2025-12-31;2025-01-15;2025-02-14;;0;O;0;"
         "1.00;0.00;1.00;etjanst=2.00;2025-115.xml;0000000000000000000000000000000000000000000000000000000000000000\n",
         "expected lines that sum to 'net'"},
        {"KC2025-115;invoice;115;X;2025-01-01;2025-12-31;2025-01-15;2025-02-14;;0;O;0;"
         "1.00;0.00;1.00;etjanst=1.00;../x.xml;0000000000000000000000000000000000000000000000000000000000000000\n",
         "expected a document file name"},
        {"KC2025-113;invoice;115;X;2025-01-01;2025-12-31;2025-01-15;2025-02-14;;0;O;0;"
         "1.00;0.00;1.00;etjanst=1.00;2025-115.xml;0000000000000000000000000000000000000000000000000000000000000000\n",
         "expected each number and file once"},
        {"KC2025-113-K2;credit;113;X;2025-01-01;2025-12-31;2025-01-15;2025-02-14;KC2025-113;2;O;0;"
         "151514.00;0.00;151514.00;etjanst=10204.00,direkt=141310.00;2025-113-K2.xml;0000000000000000000000000000000000000000000000000000000000000000\n",
         "expected invoice 'KC2025-113' to be cancelled once"},
        {"KC2025-110-K1;credit;110;X;2025-01-01;2025-12-31;2025-01-15;2025-02-14;KC2025-110;1;O;0;"
         "1.00;0.00;1.00;etjanst=1.00;2025-110-K1.xml;0000000000000000000000000000000000000000000000000000000000000000\n",
         "expected credit note 'KC2025-110-K1' to cancel an earlier invoice"},
    };
    fixture *fx = *state;
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ip_issued *rec = NULL;
        ip_diag d;
        make_record(fx, cases[i].row);
        assert_int_equal(ip_issued_load(fx->root, 2025, &rec, &d), IP_ERR_DATA);
        assert_int_equal(d.line, 4);
        if (!strstr(d.msg, cases[i].msg))
            fail_msg("case %zu: '%s' does not say '%s'", i, d.msg, cases[i].msg);
    }
}

/* Lines whose sum passes INT64_MAX are refused, even when the sum wrapped
 * around 2^64 would equal 'net': 184 × 999 999 999 999 999.99 kr plus
 * 467 440 737 095 519.00 kr is 2^64 + 100 öre, and net is 1.00. */
static void test_issued_lines_sum_overflow_is_data_error(void **state)
{
    fixture *fx = *state;
    ip_issued *rec = NULL;
    ip_diag d;
    ip_buf row;
    int i;
    ip_buf_init(&row);
    ip_buf_adds(&row, "KC2025-115;invoice;115;X;2025-01-01;2025-12-31;2025-01-15;2025-02-14;;0;"
                      "O;0;1.00;0.00;1.00;");
    for (i = 0; i < 184; i++)
        ip_buf_addf(&row, "s%d=999999999999999.99,", i);
    ip_buf_adds(&row, "last=467440737095519.00;2025-115.xml;"
                      "0000000000000000000000000000000000000000000000000000000000000000\n");
    make_record(fx, row.buf);
    assert_int_equal(ip_issued_load(fx->root, 2025, &rec, &d), IP_ERR_DATA);
    assert_null(rec);
    assert_int_equal(d.line, 4);
    assert_non_null(strstr(d.msg, "expected lines that sum to 'net'"));
    ip_buf_release(&row);
}

static void test_issued_stage_append_commit(void **state)
{
    fixture *fx = *state;
    ip_issued *rec = NULL;
    ip_issued_doc doc;
    ip_diag d;
    char path[256];
    char number[] = "KC2025-113-R1", name[] = "Socialförvaltningen",
         lines[] = "etjanst=10119.00,direkt=141310.00", file[] = "2025-113-R1.xml";
    make_record(fx, NULL);
    assert_int_equal(ip_issued_load(fx->root, 2025, &rec, &d), IP_OK);
    assert_int_equal(ip_issued_stage(rec, &d), IP_OK);
    memset(&doc, 0, sizeof doc);
    doc.number = number;
    doc.customer = 113;
    doc.name = name;
    doc.period_start = 20250101;
    doc.period_end = 20251231;
    doc.issue_date = 20250303;
    doc.due_date = 20250402;
    doc.run = 1;
    doc.vat_category = 'O';
    doc.net = doc.total = 15142900;
    doc.lines = lines;
    doc.file = file;
    snprintf(path, sizeof path, "%s/%s", ip_issued_doc_dir(rec), file);
    write_text_file(path, "<Invoice>R1</Invoice>\n");
    assert_int_equal(ip_issued_append(rec, &doc, &d), IP_OK);
    /* an issued number is never appended twice */
    assert_int_equal(ip_issued_append(rec, &doc, &d), IP_ERR_SOFTWARE);
    /* before the commit the stored record is as it was */
    snprintf(path, sizeof path, "%s/%s", fx->docs, file);
    assert_int_not_equal(access(path, F_OK), 0);
    assert_int_equal(ip_issued_commit(rec, &d), IP_OK);
    assert_int_equal(access(path, F_OK), 0);
    ip_issued_free(rec);
    /* and it loads again, digests and all, with no temporary folder left */
    assert_int_equal(ip_issued_load(fx->root, 2025, &rec, &d), IP_OK);
    assert_int_equal(ip_issued_count(rec), 3);
    assert_string_equal(ip_issued_at(rec, 2)->number, "KC2025-113-R1");
    ip_issued_free(rec);
    snprintf(path, sizeof path, "%s/issued", fx->root);
    {
        char *cmd = ip_xasprintf("test -z \"$(ls -A '%s' | grep tmp)\"", path);
        assert_int_equal(system(cmd), 0);
        free(cmd);
    }
}


/* More ways a row can be damaged, each stopping the load with its line. */
static void test_issued_damaged_fields_are_data_errors(void **state)
{
    static const char sha0[] =
        "0000000000000000000000000000000000000000000000000000000000000000";
    static const struct { const char *fields; const char *msg; } cases[] = {
        {"KC 2025-115;invoice;115;X;2025-01-01;2025-12-31;2025-01-15;2025-02-14;;0;O;0;"
         "1.00;0.00;1.00;etjanst=1.00;2025-115.xml;", "expected a document number"},
        {"KC2025-115;invoice;11x;X;2025-01-01;2025-12-31;2025-01-15;2025-02-14;;0;O;0;"
         "1.00;0.00;1.00;etjanst=1.00;2025-115.xml;", "expected a customer number"},
        {"KC2025-115;invoice;115;;2025-01-01;2025-12-31;2025-01-15;2025-02-14;;0;O;0;"
         "1.00;0.00;1.00;etjanst=1.00;2025-115.xml;", "expected a customer name"},
        {"KC2025-115;invoice;115;X;2025-01-01;2025-12-31;2025-02-30;2025-02-14;;0;O;0;"
         "1.00;0.00;1.00;etjanst=1.00;2025-115.xml;", "expected dates YYYY-MM-DD"},
        {"KC2025-115;invoice;115;X;2025-01-01;2025-12-31;2025-01-15;2025-02-14;KC2025-113;0;"
         "O;0;1.00;0.00;1.00;etjanst=1.00;2025-115.xml;", "expected an empty 'cancels'"},
        {"KC2025-115;credit;115;X;2025-01-01;2025-12-31;2025-01-15;2025-02-14;;0;O;0;"
         "1.00;0.00;1.00;etjanst=1.00;2025-115.xml;", "expected the number of the cancelled"},
        {"KC2025-115;invoice;115;X;2025-01-01;2025-12-31;2025-01-15;2025-02-14;;x;O;0;"
         "1.00;0.00;1.00;etjanst=1.00;2025-115.xml;", "expected a run number"},
        {"KC2025-115;invoice;115;X;2025-01-01;2025-12-31;2025-01-15;2025-02-14;;0;M;0;"
         "1.00;0.00;1.00;etjanst=1.00;2025-115.xml;", "expected VAT category O or S"},
        {"KC2025-115;invoice;115;X;2025-01-01;2025-12-31;2025-01-15;2025-02-14;;0;O;25;"
         "1.00;0.25;1.25;etjanst=1.00;2025-115.xml;", "expected a VAT percent"},
        {"KC2025-115;invoice;115;X;2025-01-01;2025-12-31;2025-01-15;2025-02-14;;0;S;0;"
         "1.00;0.00;1.00;etjanst=1.00;2025-115.xml;", "expected a VAT percent"},
        {"KC2025-115;invoice;115;X;2025-01-01;2025-12-31;2025-01-15;2025-02-14;;0;O;0;"
         "1,00;0.00;1.00;etjanst=1.00;2025-115.xml;", "expected an amount such as 155249.00"},
        {"KC2025-115;invoice;115;X;2025-01-01;2025-12-31;2025-01-15;2025-02-14;;0;O;0;"
         "1.00;-0.01;0.99;etjanst=1.00;2025-115.xml;", "expected an amount such as 38812.25"},
        {"KC2025-115;invoice;115;X;2025-01-01;2025-12-31;2025-01-15;2025-02-14;;0;S;25;"
         "1.00;0.25;1.00;etjanst=1.00;2025-115.xml;", "expected 'total' equal to net + vat"},
        {"KC2025-115;invoice;115;X;2025-01-01;2025-12-31;2025-01-15;2025-02-14;;0;O;0;"
         "2.00;0.00;2.00;etjanst=1.00,etjanst=1.00;2025-115.xml;", "with each service once"},
        {"KC2025-115;invoice;115;X;2025-01-01;2025-12-31;2025-01-15;2025-02-14;;0;O;0;"
         "1.00;0.00;1.00;etjanst=1.00;2025-115.XML;", "expected a document file name"},
        {"KC2025-115;invoice;115;X;2025-01-01;2025-12-31;2025-01-15;2025-02-14;;0;O;0;"
         "1.00;0.00;1.00;etjanst=1.00;2025-115.xml;"
         "ABCDEF0000000000000000000000000000000000000000000000000000000000",
         "expected a lowercase hex SHA-256"},
        /* a credit note of a credit note */
        {"KC2025-113-K2;credit;113;X;2025-01-01;2025-12-31;2025-01-15;2025-02-14;"
         "KC2025-113-K1;2;O;0;151514.00;0.00;151514.00;etjanst=10204.00,direkt=141310.00;"
         "2025-113-K2.xml;",
         "expected credit note 'KC2025-113-K2' to cancel an earlier invoice"},
    };
    fixture *fx = *state;
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ip_issued *rec = NULL;
        ip_diag d;
        /* the digest ends the row unless the case ends with one */
        size_t n = strlen(cases[i].fields);
        char *row = ip_xasprintf("%s%s\n", cases[i].fields,
                                 cases[i].fields[n - 1] == ';' ? sha0 : "");
        make_record(fx, row);
        free(row);
        ip_diag_clear(&d);
        assert_int_equal(ip_issued_load(fx->root, 2025, &rec, &d), IP_ERR_DATA);
        assert_null(rec);
        if (d.line != 4 || !strstr(d.msg, cases[i].msg))
            fail_msg("case %zu: line %ld, '%s' does not say '%s'", i, d.line, d.msg,
                     cases[i].msg);
    }
}

/* The register's shape: a missing column, a row of the wrong length, a
 * record folder without its register. */
static void test_issued_damaged_register_is_data_error(void **state)
{
    fixture *fx = *state;
    ip_issued *rec = NULL;
    ip_diag d;
    char reg[256], *text;
    make_record(fx, NULL);
    snprintf(reg, sizeof reg, "%s/issued/2025/register.csv", fx->root);
    /* the header without sha256 */
    text = ip_read_file(reg, NULL);
    assert_non_null(text);
    {
        char *nl = strchr(text, '\n'), *cut = strstr(text, ";sha256");
        assert_true(cut && nl && cut < nl);
        memmove(cut, cut + strlen(";sha256"), strlen(cut + strlen(";sha256")) + 1);
    }
    write_text_file(reg, text);
    free(text);
    assert_int_equal(ip_issued_load(fx->root, 2025, &rec, &d), IP_ERR_DATA);
    assert_int_equal(d.line, 1);
    assert_non_null(strstr(d.msg, "sha256"));
    /* a row with a field too few */
    make_record(fx, "KC2025-115;invoice;115\n");
    assert_int_equal(ip_issued_load(fx->root, 2025, &rec, &d), IP_ERR_DATA);
    assert_int_equal(d.line, 4);
    /* the register removed, its folder left: never taken for a first issue */
    make_record(fx, NULL);
    assert_int_equal(unlink(reg), 0);
    assert_int_equal(ip_issued_load(fx->root, 2025, &rec, &d), IP_ERR_DATA);
    assert_null(rec);
    assert_non_null(strstr(d.msg, "register.csv"));
    assert_non_null(strstr(d.msg, "restore it from a backup"));
}

/* A document in invoices/ that no row lists (a removed row) stops the load;
 * ip_issued_unlisted finds such files by suffix, ignoring dot files. */
static void test_issued_unlisted_documents(void **state)
{
    fixture *fx = *state;
    ip_issued *rec = NULL;
    ip_diag d;
    char path[256], *first = NULL;
    size_t count = 99;
    make_record(fx, NULL);
    assert_int_equal(ip_issued_load(fx->root, 2025, &rec, &d), IP_OK);
    assert_int_equal(ip_issued_unlisted(rec, fx->docs, ".xml", &first, &count), 0);
    assert_int_equal(count, 0);
    assert_null(first);
    snprintf(path, sizeof path, "%s/2025-200.xml", fx->docs);
    write_text_file(path, "<Invoice/>\n");
    snprintf(path, sizeof path, "%s/2025-117.xml", fx->docs);
    write_text_file(path, "<Invoice/>\n");
    snprintf(path, sizeof path, "%s/notes.txt", fx->docs);
    write_text_file(path, "x\n");
    snprintf(path, sizeof path, "%s/.hidden.xml", fx->docs);
    write_text_file(path, "x\n");
    assert_int_equal(ip_issued_unlisted(rec, fx->docs, ".xml", &first, &count), 0);
    assert_int_equal(count, 2);
    assert_string_equal(first, "2025-117.xml"); /* the first by name */
    free(first);
    assert_int_equal(ip_issued_unlisted(rec, fx->docs, "", &first, &count), 0);
    assert_int_equal(count, 3);
    free(first);
    snprintf(path, sizeof path, "%s/absent", fx->root);
    assert_int_equal(ip_issued_unlisted(rec, path, "", &first, &count), -1);
    assert_null(first);
    ip_issued_free(rec);
    /* loading now finds the unlisted files */
    assert_int_equal(ip_issued_load(fx->root, 2025, &rec, &d), IP_ERR_DATA);
    assert_null(rec);
    assert_non_null(strstr(d.msg, "found 3 files it does not list"));
    assert_non_null(strstr(d.file, "2025-117.xml"));
}

/* Appending: what goes in comes out of the next load field by field, the
 * digest is the stored file's, and the register written from the loaded
 * record is the file on disk byte for byte (names quoted as RFC 4180 asks). */
static void test_issued_append_commit_load_round_trip(void **state)
{
    fixture *fx = *state;
    ip_issued *rec = NULL;
    ip_issued_doc doc;
    const ip_issued_doc *got;
    ip_diag d;
    char path[256], reg[256], sha[65], *before, *after;
    char number[] = "KC2025-291", name[] = "Bostad \"Hem\"; AB", lines[] =
        "etjanst=1412.50,direkt=2041.17", file[] = "2025-291.xml";
    char k_number[] = "KC2025-291-K1", k_file[] = "2025-291-K1.xml";
    FILE *f;
    size_t len;
    make_record(fx, NULL);
    assert_int_equal(ip_issued_load(fx->root, 2025, &rec, &d), IP_OK);
    assert_int_equal(ip_issued_stage(rec, &d), IP_OK);
    memset(&doc, 0, sizeof doc);
    doc.number = number;
    doc.customer = 291;
    doc.name = name;
    doc.period_start = 20250101;
    doc.period_end = 20251231;
    doc.issue_date = 20250303;
    doc.due_date = 20250402;
    doc.run = 1;
    doc.vat_category = 'S';
    doc.vat_percent = 25;
    doc.net = 345367;
    doc.vat = 86342;
    doc.total = 431709;
    doc.lines = lines;
    doc.file = file;
    snprintf(path, sizeof path, "%s/%s", ip_issued_doc_dir(rec), file);
    write_text_file(path, "<Invoice>291</Invoice>\n");
    assert_int_equal(ip_digest_file(path, sha, NULL), 0);
    memset(doc.sha256, 'f', 64); /* ignored: the record computes it */
    assert_int_equal(ip_issued_append(rec, &doc, &d), IP_OK);
    /* its credit note, in the same run */
    doc.number = k_number;
    doc.file = k_file;
    doc.is_credit = 1;
    doc.cancels = number;
    /* a file the caller did not write is an I/O error, and nothing is added */
    assert_int_equal(ip_issued_append(rec, &doc, &d), IP_ERR_IO);
    assert_int_equal(ip_issued_count(rec), 3);
    snprintf(path, sizeof path, "%s/%s", ip_issued_doc_dir(rec), k_file);
    write_text_file(path, "<CreditNote>291</CreditNote>\n");
    assert_int_equal(ip_issued_append(rec, &doc, &d), IP_OK);
    /* another number under a file name already issued */
    doc.number = (char *)"KC2025-291-K9";
    assert_int_equal(ip_issued_append(rec, &doc, &d), IP_ERR_SOFTWARE);
    assert_int_equal(ip_issued_commit(rec, &d), IP_OK);
    ip_issued_free(rec);

    assert_int_equal(ip_issued_load(fx->root, 2025, &rec, &d), IP_OK);
    assert_int_equal(ip_issued_count(rec), 4);
    assert_int_equal(ip_issued_last_run(rec), 1);
    got = ip_issued_at(rec, 2);
    assert_string_equal(got->number, "KC2025-291");
    assert_int_equal(got->is_credit, 0);
    assert_int_equal(got->customer, 291);
    assert_string_equal(got->name, "Bostad \"Hem\"; AB");
    assert_int_equal(got->period_start, 20250101);
    assert_int_equal(got->period_end, 20251231);
    assert_int_equal(got->issue_date, 20250303);
    assert_int_equal(got->due_date, 20250402);
    assert_null(got->cancels);
    assert_int_equal(got->run, 1);
    assert_int_equal(got->vat_category, 'S');
    assert_int_equal(got->vat_percent, 25);
    assert_int_equal(got->net, 345367);
    assert_int_equal(got->vat, 86342);
    assert_int_equal(got->total, 431709);
    assert_string_equal(got->lines, "etjanst=1412.50,direkt=2041.17");
    assert_string_equal(got->file, "2025-291.xml");
    assert_string_equal(got->sha256, sha);
    got = ip_issued_at(rec, 3);
    assert_int_equal(got->is_credit, 1);
    assert_string_equal(got->cancels, "KC2025-291");
    assert_int_equal(ip_issued_find(rec, "KC2025-291-K1"), 3);

    snprintf(reg, sizeof reg, "%s/issued/2025/register.csv", fx->root);
    before = ip_read_file(reg, NULL);
    assert_non_null(strstr(before, ";\"Bostad \"\"Hem\"\"; AB\";"));
    f = open_memstream(&after, &len);
    assert_int_equal(ip_issued_write_register(rec, f, "register.csv", &d), IP_OK);
    fclose(f);
    assert_string_equal(after, before);
    free(after);
    free(before);
    ip_issued_free(rec);
}

/* A staged record that is freed without a commit leaves the stored record
 * as it was and no temporary folder behind. */
static void test_issued_free_without_commit_changes_nothing(void **state)
{
    fixture *fx = *state;
    ip_issued *rec = NULL;
    ip_issued_doc doc;
    ip_diag d;
    char path[256], reg[256], *before, *after;
    char number[] = "KC2025-117", name[] = "X", lines[] = "etjanst=1.00",
         file[] = "2025-117.xml";
    make_record(fx, NULL);
    snprintf(reg, sizeof reg, "%s/issued/2025/register.csv", fx->root);
    before = ip_read_file(reg, NULL);
    assert_int_equal(ip_issued_load(fx->root, 2025, &rec, &d), IP_OK);
    assert_int_equal(ip_issued_stage(rec, &d), IP_OK);
    memset(&doc, 0, sizeof doc);
    doc.number = number;
    doc.customer = 117;
    doc.name = name;
    doc.period_start = 20250101;
    doc.period_end = 20251231;
    doc.issue_date = 20250115;
    doc.due_date = 20250214;
    doc.vat_category = 'O';
    doc.net = doc.total = 100;
    doc.lines = lines;
    doc.file = file;
    snprintf(path, sizeof path, "%s/%s", ip_issued_doc_dir(rec), file);
    write_text_file(path, "<Invoice/>\n");
    assert_int_equal(ip_issued_append(rec, &doc, &d), IP_OK);
    ip_issued_free(rec);
    after = ip_read_file(reg, NULL);
    assert_string_equal(after, before);
    free(after);
    free(before);
    snprintf(path, sizeof path, "%s/%s", fx->docs, file);
    assert_int_not_equal(access(path, F_OK), 0);
    snprintf(path, sizeof path, "%s/issued", fx->root);
    {
        char *cmd = ip_xasprintf("test -z \"$(ls -A '%s' | grep tmp)\"", path);
        assert_int_equal(system(cmd), 0);
        free(cmd);
    }
    assert_int_equal(ip_issued_load(fx->root, 2025, &rec, &d), IP_OK);
    assert_int_equal(ip_issued_count(rec), 2);
    ip_issued_free(rec);
}

/* A record of 300 documents (make_record's 2 and 298 invoices, 2025-1000 …
 * 2025-1297) copied into a year folder: above copy_all's threshold, so the
 * odd documents go to a second thread when there are two CPUs. Every copy
 * has the record's bytes; then, with two of the record's files gone (and
 * their year folder copies, which would otherwise be linked), the error
 * names the lower of the two, on either thread. */
static void test_issued_copy_all_many_documents(void **state)
{
    static const size_t gone[][2] = {{9, 20}, {8, 21}};
    fixture *fx = *state;
    ip_issued *rec = NULL;
    ip_issued_doc doc;
    ip_stage *year;
    ip_diag d;
    char path[256], number[32], file[32], text[64], target[128];
    size_t i, k;
    make_record(fx, NULL);
    assert_int_equal(ip_issued_load(fx->root, 2025, &rec, &d), IP_OK);
    assert_int_equal(ip_issued_stage(rec, &d), IP_OK);
    memset(&doc, 0, sizeof doc);
    doc.name = (char *)"Kund";
    doc.period_start = 20250101;
    doc.period_end = 20251231;
    doc.issue_date = 20250303;
    doc.due_date = 20250402;
    doc.run = 1;
    doc.vat_category = 'O';
    doc.net = doc.total = 100;
    doc.lines = (char *)"etjanst=1.00";
    for (i = 0; i < 298; i++) {
        snprintf(number, sizeof number, "KC2025-%zu", 1000 + i);
        snprintf(file, sizeof file, "2025-%zu.xml", 1000 + i);
        snprintf(text, sizeof text, "<Invoice>%zu</Invoice>\n", 1000 + i);
        doc.number = number;
        doc.file = file;
        doc.customer = (int)(1000 + i);
        snprintf(path, sizeof path, "%s/%s", ip_issued_doc_dir(rec), file);
        write_text_file(path, text);
        assert_int_equal(ip_issued_append(rec, &doc, &d), IP_OK);
    }
    assert_int_equal(ip_issued_commit(rec, &d), IP_OK);
    ip_issued_free(rec);
    assert_int_equal(ip_issued_load(fx->root, 2025, &rec, &d), IP_OK);
    assert_int_equal(ip_issued_count(rec), 300);

    snprintf(target, sizeof target, "%s/2025", fx->root);
    assert_int_equal(ip_stage_begin(target, &year, &d), IP_OK);
    assert_int_equal(ip_stage_mkdir(year, "invoices", &d), IP_OK);
    assert_int_equal(ip_issued_copy_all(rec, year, "invoices", ip_issued_count(rec), &d),
                     IP_OK);
    assert_int_equal(ip_stage_commit(year, &d), IP_OK);
    for (i = 0; i < 300; i++) {
        const ip_issued_doc *got = ip_issued_at(rec, i);
        char *a, *b;
        size_t na = 0, nb = 0;
        snprintf(path, sizeof path, "%s/%s", fx->docs, got->file);
        a = ip_read_file(path, &na);
        snprintf(path, sizeof path, "%s/invoices/%s", target, got->file);
        b = ip_read_file(path, &nb);
        assert_non_null(a);
        assert_non_null(b);
        assert_int_equal(na, nb);
        assert_memory_equal(a, b, na);
        free(a);
        free(b);
    }

    for (k = 0; k < 2; k++) {
        for (i = 0; i < 2; i++) {
            const ip_issued_doc *got = ip_issued_at(rec, gone[k][i]);
            snprintf(path, sizeof path, "%s/%s", fx->docs, got->file);
            unlink(path);
            snprintf(path, sizeof path, "%s/invoices/%s", target, got->file);
            unlink(path);
        }
        assert_int_equal(ip_stage_begin(target, &year, &d), IP_OK);
        assert_int_equal(ip_stage_mkdir(year, "invoices", &d), IP_OK);
        assert_int_equal(ip_issued_copy_all(rec, year, "invoices", ip_issued_count(rec), &d),
                         IP_ERR_NOINPUT);
        snprintf(path, sizeof path, "%s/%s", fx->docs, ip_issued_at(rec, gone[k][0])->file);
        assert_string_equal(d.file, path);
        ip_stage_abort(year);
    }
    ip_issued_free(rec);
}

#define RECORD_TEST(t) cmocka_unit_test_setup_teardown(t, setup_record, teardown_record)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_issued_lines_parse),
        RECORD_TEST(test_issued_missing_is_empty),
        RECORD_TEST(test_issued_loads_and_round_trips),
        RECORD_TEST(test_issued_edited_document_is_data_error),
        RECORD_TEST(test_issued_bad_rows_are_data_errors),
        RECORD_TEST(test_issued_lines_sum_overflow_is_data_error),
        RECORD_TEST(test_issued_damaged_fields_are_data_errors),
        RECORD_TEST(test_issued_damaged_register_is_data_error),
        RECORD_TEST(test_issued_unlisted_documents),
        RECORD_TEST(test_issued_stage_append_commit),
        RECORD_TEST(test_issued_append_commit_load_round_trip),
        RECORD_TEST(test_issued_free_without_commit_changes_nothing),
        RECORD_TEST(test_issued_copy_all_many_documents),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
