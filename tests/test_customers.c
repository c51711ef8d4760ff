/*
 * test_customers.c — the customer register: the happy path (sorting,
 * trimming, optional columns, O(1) slots) and every way a register is
 * refused, including the list of the first problems when several rows are
 * wrong. The tariff comes from tests/data/tariff/valid.xml (groups
 * forvaltning and bolag). Run from the repository root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>
#include <cmocka.h>

#include "customers.h"
#include "tariff.h"
#include "util.h"

#define DATA "tests/data/customers/"

static int setup(void **state)
{
    ip_tariff *t = NULL;
    ip_diag d;
    if (ip_tariff_load("tests/data/tariff/valid.xml", "tariff.xml", "templates/tariff.xsd", &t,
                       &d) != IP_OK) {
        fprintf(stderr, "cannot load the tariff fixture: %s\n", d.msg);
        return -1;
    }
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    ip_tariff_free(*state);
    return 0;
}

/* Writes text to a temporary file and loads it as "customers.csv". */
static ip_err load_text(const ip_tariff *t, const char *text, ip_customers **out, ip_diag *d)
{
    char path[] = "/tmp/test_customers_XXXXXX";
    int fd = mkstemp(path);
    size_t len = strlen(text);
    ip_err e;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
    e = ip_customers_load(path, "customers.csv", t, out, d);
    unlink(path);
    return e;
}

/* The register text is refused with code and first message msg, and
 * (when extra is not NULL) exactly these extra lines. */
static void expect_error(const ip_tariff *t, const char *text, ip_err code, const char *msg,
                         const char *extra)
{
    ip_customers *c = (ip_customers *)1;
    ip_diag d;
    char buf[2048];
    ip_err e = load_text(t, text, &c, &d);
    ip_diag_format(&d, buf, sizeof buf);
    assert_string_equal(buf, msg);
    assert_int_equal(e, code);
    assert_int_equal(d.code, code);
    assert_null(c);
    if (extra)
        assert_string_equal(d.extra, extra);
}

#define HEADER "nr;name;group;org_nr;reference\n"
#define ROW110 "110;Stadsledningskontoret;forvaltning;212000-0142;1100-KC\n"

/* ---------------------------------------------------------------------- */
/* The happy path                                                         */

static void test_customers_loads_sorted_and_trimmed(void **state)
{
    const ip_tariff *t = *state;
    ip_customers *c = NULL;
    const ip_customer *cu;
    ip_diag d;
    assert_int_equal(ip_customers_load(DATA "valid.csv", "customers.csv", t, &c, &d), IP_OK);
    assert_int_equal(d.code, IP_OK);
    assert_int_equal(ip_customers_count(c), 5);
    assert_int_equal(ip_customers_at(c, 0)->nr, 101);
    assert_int_equal(ip_customers_at(c, 1)->nr, 110);
    assert_int_equal(ip_customers_at(c, 2)->nr, 131);
    assert_int_equal(ip_customers_at(c, 3)->nr, 232);
    assert_int_equal(ip_customers_at(c, 4)->nr, 291);

    cu = ip_customers_at(c, 4);
    assert_string_equal(cu->name, "Stockholms Stads Bostadsförmedling AB");
    assert_ptr_equal(cu->group, &t->groups[1]);
    assert_int_equal(cu->group_index, 1);
    assert_string_equal(cu->org_nr, "5564513827");
    assert_string_equal(cu->reference, "KC-291");
    assert_string_equal(cu->street, "Fleminggatan 20");
    assert_string_equal(cu->postcode, "112 26");
    assert_string_equal(cu->city, "Stockholm");
    assert_int_equal(cu->line, 2);

    cu = ip_customers_at(c, 0);
    assert_string_equal(cu->name, "Finansförvaltningen");
    assert_string_equal(cu->org_nr, "2120000142"); /* written without the dash */
    assert_string_equal(cu->reference, "1010-KC");  /* trimmed */
    assert_string_equal(cu->street, "Hantverkargatan 3D; plan 2");
    assert_ptr_equal(cu->group, &t->groups[0]);
    assert_int_equal(cu->group_index, 0);
    assert_int_equal(cu->line, 4);

    cu = ip_customers_at(c, 3);
    assert_string_equal(cu->name, "Stiftelsen \"barnens dag\"");
    assert_null(cu->street); /* a space only */
    assert_string_equal(cu->postcode, "113 46");

    cu = ip_customers_at(c, 2);
    assert_null(cu->street);
    assert_null(cu->postcode);
    assert_null(cu->city);
    ip_customers_free(c);
    ip_customers_free(NULL);
}

static void test_customers_slots(void **state)
{
    ip_customers *c = NULL;
    ip_diag d;
    assert_int_equal(ip_customers_load(DATA "valid.csv", "customers.csv", *state, &c, &d), IP_OK);
    assert_int_equal(ip_customers_slot(c, 101), 0);
    assert_int_equal(ip_customers_slot(c, 110), 1);
    assert_int_equal(ip_customers_slot(c, 291), 4);
    assert_int_equal(ip_customers_slot(c, 0), -1);
    assert_int_equal(ip_customers_slot(c, 111), -1);
    assert_int_equal(ip_customers_slot(c, 292), -1);
    assert_int_equal(ip_customers_slot(c, 999999), -1);
    assert_int_equal(ip_customers_slot(c, UINT32_MAX), -1);
    ip_customers_free(c);
}

static void test_customers_optional_columns_absent(void **state)
{
    ip_customers *c = NULL;
    ip_diag d;
    assert_int_equal(ip_customers_load(DATA "minimal.csv", "customers.csv", *state, &c, &d), IP_OK);
    assert_int_equal(ip_customers_count(c), 2);
    assert_null(ip_customers_at(c, 0)->street);
    assert_null(ip_customers_at(c, 0)->city);
    assert_int_equal(ip_customers_at(c, 1)->nr, 999999);
    assert_int_equal(ip_customers_slot(c, 999999), 1);
    ip_customers_free(c);
}

static void test_customers_other_delimiter_and_line_ends(void **state)
{
    ip_customers *c = NULL;
    ip_diag d;
    assert_int_equal(load_text(*state,
                               "\xEF\xBB\xBFreference,org_nr,group,name,nr\r\n"
                               "KC-212,556839-5270,bolag,\"AB Stokab, Stockholm\",212\r\n"
                               "1100-KC,212000-0142,forvaltning,Stadsledningskontoret,0110\r\n",
                               &c, &d),
                     IP_OK);
    assert_int_equal(ip_customers_count(c), 2);
    assert_int_equal(ip_customers_at(c, 0)->nr, 110);
    assert_string_equal(ip_customers_at(c, 1)->name, "AB Stokab, Stockholm");
    ip_customers_free(c);
}

#define HEADER_CE "nr;name;group;org_nr;reference;cost_centre;endpoint\n"

/* cost_centre and endpoint: optional, the number standing in for a missing
 * cost centre; the endpoint's scheme and id apart. */
static void test_customers_cost_centre_and_endpoint(void **state)
{
    const ip_tariff *t = *state;
    ip_customers *c = NULL;
    const ip_customer *cu;
    char buf[24];
    ip_diag d;
    assert_int_equal(load_text(t,
                               HEADER_CE
                               "110;Stadsledningskontoret;forvaltning;212000-0142;1100-KC;1100;"
                               "0088:7300009000012\n"
                               "113;Socialförvaltningen;forvaltning;212000-0142;1130-KC;;\n"
                               "212;AB Stokab;bolag;556839-5270;KC-212;;0007:556839-5270\n",
                               &c, &d),
                     IP_OK);
    cu = ip_customers_at(c, 0);
    assert_string_equal(cu->cost_centre, "1100");
    assert_string_equal(ip_customer_cost_centre(cu, buf, sizeof buf), "1100");
    assert_string_equal(cu->endpoint_scheme, "0088");
    assert_string_equal(cu->endpoint_id, "7300009000012");
    assert_true(ip_customer_is_internal(cu, t));
    cu = ip_customers_at(c, 1);
    assert_null(cu->cost_centre);
    assert_string_equal(ip_customer_cost_centre(cu, buf, sizeof buf), "113");
    assert_string_equal(cu->endpoint_scheme, "");
    assert_null(cu->endpoint_id);
    cu = ip_customers_at(c, 2);
    assert_string_equal(cu->endpoint_scheme, "0007");
    assert_string_equal(cu->endpoint_id, "5568395270");
    assert_false(ip_customer_is_internal(cu, t));
    ip_customers_free(c);

    assert_true(ip_is_gln("7300009000012", 13));
    assert_false(ip_is_gln("7300009000018", 13));
    assert_false(ip_is_gln("730000900001", 12));
    assert_true(ip_is_object_code("A-1_b", 5));
    assert_false(ip_is_object_code("-A", 2));
    assert_false(ip_is_object_code("123456789012345678901", 21));
}

static void test_customers_cost_centre_and_endpoint_errors(void **state)
{
    const ip_tariff *t = *state;
    expect_error(t, HEADER_CE "110;Stadsledningskontoret;forvaltning;212000-0142;1100-KC;11 00;\n",
                 IP_ERR_DATA,
                 "customers.csv:2: expected a cost centre of 1 to 20 letters, digits, '-' or "
                 "'_', found '11 00'", NULL);
    expect_error(t, HEADER_CE "110;Stadsledningskontoret;forvaltning;212000-0142;1100-KC;;"
                              "0088:7300009000018\n",
                 IP_ERR_DATA,
                 "customers.csv:2: expected an endpoint 0088:<GLN> of 13 digits with a valid "
                 "check digit, found '0088:7300009000018'", NULL);
    expect_error(t, HEADER_CE "110;Stadsledningskontoret;forvaltning;212000-0142;1100-KC;;"
                              "0007:212000-0143\n",
                 IP_ERR_DATA,
                 "customers.csv:2: expected an endpoint 0007:<organisation number> with a valid "
                 "check digit, found '0007:212000-0143'", NULL);
    expect_error(t, HEADER_CE "110;Stadsledningskontoret;forvaltning;212000-0142;1100-KC;;"
                              "9955:1234\n",
                 IP_ERR_DATA,
                 "customers.csv:2: expected a PEPPOL endpoint 0007:<organisation number> or "
                 "0088:<GLN>, found '9955:1234'", NULL);
    /* Two departments on one cost centre, also through a number standing in
     * for a missing one; companies do not count. */
    expect_error(t, HEADER_CE
                 "110;Stadsledningskontoret;forvaltning;212000-0142;1100-KC;113;\n"
                 "113;Socialförvaltningen;forvaltning;212000-0142;1130-KC;;\n"
                 "212;AB Stokab;bolag;556839-5270;KC-212;113;\n",
                 IP_ERR_DATA,
                 "customers.csv:3: expected a cost centre of its own for each department, found "
                 "'113' again (customer 110 on line 2 has it)", NULL);
    expect_error(t, HEADER_CE
                 "113;Socialförvaltningen;forvaltning;212000-0142;1130-KC;;\n"
                 "110;Stadsledningskontoret;forvaltning;212000-0142;1100-KC;113;\n",
                 IP_ERR_DATA,
                 "customers.csv:3: expected a cost centre of its own for each department, found "
                 "'113' again (customer 113 on line 2 has it as its number)", NULL);
}

/* ---------------------------------------------------------------------- */
/* Errors                                                                 */

static void test_customers_missing_file(void **state)
{
    ip_customers *c = (ip_customers *)1;
    ip_diag d;
    char buf[1024];
    assert_int_equal(ip_customers_load(DATA "no-such.csv", "customers.csv", *state, &c, &d),
                     IP_ERR_NOINPUT);
    assert_null(c);
    ip_diag_format(&d, buf, sizeof buf);
    assert_string_equal(buf, "customers.csv: cannot open: No such file or directory");
    assert_int_equal(ip_err_exit_code(d.code), EX_NOINPUT);
}

static void test_customers_empty_register(void **state)
{
    ip_customers *c = (ip_customers *)1;
    ip_diag d;
    char buf[1024];
    assert_int_equal(ip_customers_load(DATA "header-only.csv", "customers.csv", *state, &c, &d),
                     IP_ERR_DATA);
    assert_null(c);
    ip_diag_format(&d, buf, sizeof buf);
    assert_string_equal(buf, "customers.csv: expected at least one customer, found none");
    assert_int_equal(ip_err_exit_code(d.code), EX_DATAERR);
}

static void test_customers_required_columns(void **state)
{
    expect_error(*state, "nr;name;group;org_nr\n" ROW110, IP_ERR_DATA,
                 "customers.csv:1: expected a column named 'reference' in the header, found "
                 "'nr', 'name', 'group', 'org_nr'",
                 "");
    expect_error(*state, "nr;name;group;org_nr;reference;City;city\n", IP_ERR_DATA,
                 "customers.csv:1: expected one column named 'city', found 2 (columns 6 and 7)",
                 "");
}

static void test_customers_bad_number(void **state)
{
    expect_error(*state, HEADER "11O;Stadsledningskontoret;forvaltning;212000-0142;1100-KC\n",
                 IP_ERR_DATA, "customers.csv:2: expected a customer number of digits, found '11O'",
                 "");
    expect_error(*state, HEADER ";Stadsledningskontoret;forvaltning;212000-0142;1100-KC\n",
                 IP_ERR_DATA, "customers.csv:2: expected a customer number of digits, found ''",
                 "");
    expect_error(*state, HEADER "-110;Stadsledningskontoret;forvaltning;212000-0142;1100-KC\n",
                 IP_ERR_DATA, "customers.csv:2: expected a customer number of digits, found '-110'",
                 "");
    expect_error(*state, HEADER "1000000;Stadsledningskontoret;forvaltning;212000-0142;1100-KC\n",
                 IP_ERR_DATA,
                 "customers.csv:2: expected a customer number of at most 6 digits, found "
                 "'1000000'",
                 "");
    expect_error(*state,
                 HEADER "99999999999999999999;Stadsledningskontoret;forvaltning;212000-0142;1100\n",
                 IP_ERR_DATA,
                 "customers.csv:2: expected a customer number of digits, found "
                 "'99999999999999999999'",
                 "");
}

static void test_customers_duplicate_number(void **state)
{
    expect_error(*state,
                 HEADER ROW110 "113;Socialförvaltningen;forvaltning;212000-0142;1130-KC\n"
                               "110;Stadsledningskontoret igen;forvaltning;212000-0142;1100-KC\n",
                 IP_ERR_DATA,
                 "customers.csv:4: expected a unique customer number, found 110 again (first on "
                 "line 2)",
                 "");
    /* 0110 is 110 */
    expect_error(*state, HEADER ROW110 "0110;SLK;forvaltning;212000-0142;1100-KC\n", IP_ERR_DATA,
                 "customers.csv:3: expected a unique customer number, found 110 again (first on "
                 "line 2)",
                 "");
}

static void test_customers_empty_name_and_reference(void **state)
{
    expect_error(*state, HEADER "110; ;forvaltning;212000-0142;1100-KC\n", IP_ERR_DATA,
                 "customers.csv:2: expected a customer name, found an empty field", "");
    expect_error(*state, HEADER "110;Stadsledningskontoret;forvaltning;212000-0142;\"  \"\n",
                 IP_ERR_DATA, "customers.csv:2: expected a buyer reference, found an empty field",
                 "");
}

static void test_customers_unknown_group(void **state)
{
    expect_error(*state, HEADER "110;Stadsledningskontoret;kommun;212000-0142;1100-KC\n",
                 IP_ERR_DATA,
                 "customers.csv:2: expected a group of the tariff ('forvaltning' or 'bolag'), "
                 "found 'kommun'",
                 "");
    expect_error(*state, HEADER "110;Stadsledningskontoret;Forvaltning;212000-0142;1100-KC\n",
                 IP_ERR_DATA,
                 "customers.csv:2: expected a group of the tariff ('forvaltning' or 'bolag'), "
                 "found 'Forvaltning'",
                 "");
    expect_error(*state, HEADER "110;Stadsledningskontoret;;212000-0142;1100-KC\n", IP_ERR_DATA,
                 "customers.csv:2: expected a group of the tariff ('forvaltning' or 'bolag'), "
                 "found ''",
                 "");
}

static void test_customers_bad_org_number(void **state)
{
    expect_error(*state, HEADER "110;Stadsledningskontoret;forvaltning;212000-0143;1100-KC\n",
                 IP_ERR_DATA,
                 "customers.csv:2: expected an organisation number with a valid check digit, "
                 "found '212000-0143'",
                 "");
    expect_error(*state, HEADER "110;Stadsledningskontoret;forvaltning;212000 0142;1100-KC\n",
                 IP_ERR_DATA,
                 "customers.csv:2: expected an organisation number NNNNNN-NNNN, found "
                 "'212000 0142'",
                 "");
    expect_error(*state, HEADER "110;Stadsledningskontoret;forvaltning;;1100-KC\n", IP_ERR_DATA,
                 "customers.csv:2: expected an organisation number NNNNNN-NNNN, found ''", "");
}

/* Several wrong rows: the first is the message, the next ones are listed. */
static void test_customers_lists_several_problems(void **state)
{
    expect_error(*state,
                 HEADER ROW110 "x;A;forvaltning;212000-0142;R\n"
                               "113;B;forvaltning;212000-0142;R\n"
                               "114;;forvaltning;212000-0142;R\n"
                               "110;C;bolag;556839-5270;R\n",
                 IP_ERR_DATA, "customers.csv:3: expected a customer number of digits, found 'x'",
                 "customers.csv:5: expected a customer name, found an empty field\n"
                 "customers.csv:6: expected a unique customer number, found 110 again (first on "
                 "line 2)\n"
                 "3 rows with errors in all");
}

static void test_customers_lists_at_most_ten_more(void **state)
{
    ip_customers *c = (ip_customers *)1;
    ip_diag d;
    char buf[1024], expect[2048];
    ip_buf b;
    int i;
    assert_int_equal(ip_customers_load(DATA "many-errors.csv", "customers.csv", *state, &c, &d),
                     IP_ERR_DATA);
    assert_null(c);
    ip_diag_format(&d, buf, sizeof buf);
    assert_string_equal(buf, "customers.csv:2: expected a group of the tariff ('forvaltning' or "
                             "'bolag'), found 'kommun'");
    ip_buf_init(&b);
    for (i = 3; i <= 12; i++)
        ip_buf_addf(&b, "customers.csv:%d: expected a group of the tariff ('forvaltning' or "
                        "'bolag'), found 'kommun'\n", i);
    ip_buf_adds(&b, "15 rows with errors in all");
    snprintf(expect, sizeof expect, "%s", b.buf);
    ip_buf_release(&b);
    assert_string_equal(d.extra, expect);
}

/* A broken CSV record stops the reading; before any row error it is the
 * message, after one it is listed. */
static void test_customers_csv_errors(void **state)
{
    expect_error(*state, HEADER ROW110 "113;Socialförvaltningen;forvaltning;212000-0142\n",
                 IP_ERR_DATA, "customers.csv:3: expected 5 fields as in the header, found 4", "");
    expect_error(*state,
                 HEADER "113;;forvaltning;212000-0142;1130-KC\n"
                        "114;Socialförvaltningen;forvaltning;212000-0142\n"
                        "115;;forvaltning;212000-0142;1150-KC\n",
                 IP_ERR_DATA, "customers.csv:2: expected a customer name, found an empty field",
                 "customers.csv:3: expected 5 fields as in the header, found 4 (reading stopped "
                 "there)\n"
                 "2 rows with errors in all");
}

/* A register made in memory (for tests of the modules above it): sorted,
 * slots by number, strings of its own. */
static void test_customers_made_in_memory(void **state)
{
    const ip_tariff *t = *state;
    char n1[] = "Tolvan", n2[] = "Ettan", ref[] = "R1";
    ip_customer list[2];
    ip_customers *c;
    memset(list, 0, sizeof list);
    list[0].nr = 12, list[0].name = n1, list[0].group = &t->groups[0];
    list[1].nr = 1, list[1].name = n2, list[1].group = &t->groups[1], list[1].reference = ref;
    c = ip_customers_new(list, 2);
    n1[0] = n2[0] = ref[0] = 'x';
    assert_int_equal(ip_customers_count(c), 2);
    assert_int_equal(ip_customers_at(c, 0)->nr, 1);
    assert_string_equal(ip_customers_at(c, 0)->name, "Ettan");
    assert_string_equal(ip_customers_at(c, 0)->reference, "R1");
    assert_ptr_equal(ip_customers_at(c, 0)->group, &t->groups[1]);
    assert_null(ip_customers_at(c, 1)->reference);
    assert_int_equal(ip_customers_slot(c, 12), 1);
    assert_int_equal(ip_customers_slot(c, 2), -1);
    assert_int_equal(ip_customers_slot(c, 13), -1);
    ip_customers_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_customers_loads_sorted_and_trimmed),
        cmocka_unit_test(test_customers_slots),
        cmocka_unit_test(test_customers_made_in_memory),
        cmocka_unit_test(test_customers_optional_columns_absent),
        cmocka_unit_test(test_customers_other_delimiter_and_line_ends),
        cmocka_unit_test(test_customers_missing_file),
        cmocka_unit_test(test_customers_empty_register),
        cmocka_unit_test(test_customers_required_columns),
        cmocka_unit_test(test_customers_bad_number),
        cmocka_unit_test(test_customers_duplicate_number),
        cmocka_unit_test(test_customers_empty_name_and_reference),
        cmocka_unit_test(test_customers_unknown_group),
        cmocka_unit_test(test_customers_bad_org_number),
        cmocka_unit_test(test_customers_lists_several_problems),
        cmocka_unit_test(test_customers_lists_at_most_ten_more),
        cmocka_unit_test(test_customers_csv_errors),
        cmocka_unit_test(test_customers_cost_centre_and_endpoint),
        cmocka_unit_test(test_customers_cost_centre_and_endpoint_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
