/*
 * test_tariff.c — reading tariff.xml: the SPEC example, every way a tariff
 * can be refused, and the XML attacks (XXE, entity expansion) it must resist.
 *
 * Most cases take tests/data/tariff/valid.xml, change one thing, and assert
 * the exact message, with its line, and the error category. Messages that do
 * not depend on the schema are checked both with templates/tariff.xsd and
 * without it (the loader re-checks every value itself). Run from the
 * repository root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <libxml/xmlerror.h>
#include <libxml/xmlversion.h>

#include "tariff.h"
#include "util.h"

#define XSD "templates/tariff.xsd"
#define DATA "tests/data/tariff/"
#define VALID DATA "valid.xml"

static char *read_fixture(const char *path, size_t *len)
{
    char *s = ip_read_file(path, len);
    if (!s)
        fail_msg("cannot read %s (run the tests from the repository root)", path);
    return s;
}

/* valid.xml with the first occurrence of old replaced by new. */
static char *variant(const char *old, const char *new_)
{
    size_t len;
    char *s = read_fixture(VALID, &len), *p = strstr(s, old), *out;
    if (!p)
        fail_msg("'%s' is not in %s", old, VALID);
    out = ip_xasprintf("%.*s%s%s", (int)(p - s), s, new_, p + strlen(old));
    free(s);
    return out;
}

/* Loads doc from memory as "tariff.xml" and checks the error. */
static void expect_doc(const char *doc, const char *xsd, ip_err code, const char *msg)
{
    ip_tariff *t = (ip_tariff *)1;
    ip_diag d;
    char buf[2048];
    ip_err e = ip_tariff_load_mem(doc, strlen(doc), "tariff.xml", xsd, &t, &d);
    ip_diag_format(&d, buf, sizeof buf);
    assert_string_equal(buf, msg);
    assert_int_equal(e, code);
    assert_int_equal(d.code, code);
    assert_null(t);
}

/* The variant is refused with msg, checked against the schema. */
static void expect_schema(const char *old, const char *new_, const char *msg)
{
    char *doc = variant(old, new_);
    expect_doc(doc, XSD, IP_ERR_TARIFF, msg);
    free(doc);
}

/* The variant is refused with msg, with the schema and without it. */
static void expect_both(const char *old, const char *new_, const char *msg)
{
    char *doc = variant(old, new_);
    expect_doc(doc, XSD, IP_ERR_TARIFF, msg);
    expect_doc(doc, NULL, IP_ERR_TARIFF, msg);
    free(doc);
}

/* The variant is refused with msg when loaded without the schema. */
static void expect_noschema(const char *old, const char *new_, const char *msg)
{
    char *doc = variant(old, new_);
    expect_doc(doc, NULL, IP_ERR_TARIFF, msg);
    free(doc);
}

static ip_tariff *load_variant(const char *old, const char *new_)
{
    char *doc = variant(old, new_);
    ip_tariff *t = NULL;
    ip_diag d;
    char buf[2048];
    ip_err e = ip_tariff_load_mem(doc, strlen(doc), "tariff.xml", XSD, &t, &d);
    free(doc);
    if (e) {
        ip_diag_format(&d, buf, sizeof buf);
        fail_msg("unexpected error: %s", buf);
    }
    return t;
}

/* ---------------------------------------------------------------------- */
/* The happy path                                                         */

static void check_spec_example(const ip_tariff *t)
{
    const ip_service *s;
    assert_int_equal(t->year, 2025);
    assert_string_equal(t->currency, "SEK");
    assert_string_equal(t->seller.name, "Stockholms stad, Serviceförvaltningen");
    assert_string_equal(t->seller.org_nr, "2120000142");
    assert_string_equal(t->seller.vat_id, "SE212000014201");
    assert_string_equal(t->seller.street, "Fleminggatan 4");
    assert_string_equal(t->seller.postcode, "104 20");
    assert_string_equal(t->seller.city, "Stockholm");
    assert_string_equal(t->seller.email, "kontaktcenter.faktura@stockholm.se");
    assert_int_equal(t->issue_date, 20250115);
    assert_int_equal(t->due_days, 30);
    assert_string_equal(t->number_prefix, "KC");
    assert_int_equal(t->periods, 1);

    assert_int_equal(t->ngroups, 2);
    assert_string_equal(t->groups[0].id, "forvaltning");
    assert_string_equal(t->groups[0].label, "Nämnder och förvaltningar");
    assert_int_equal(t->groups[0].vat, IP_VAT_O);
    assert_int_equal(t->groups[0].vat_percent, 0);
    assert_string_equal(t->groups[1].id, "bolag");
    assert_int_equal(t->groups[1].vat, IP_VAT_S);
    assert_int_equal(t->groups[1].vat_percent, 25);

    assert_int_equal(t->nservices, 4);
    s = &t->services[0];
    assert_string_equal(s->id, "etjanst");
    assert_string_equal(s->name, "E-tjänstsupport");
    assert_int_equal(s->fee, 240000);
    assert_int_equal(s->previous_fee, 0);
    assert_string_equal(s->per_call_note, "Pris per samtal tillkommer");
    /* the line break inside the description became one space */
    assert_string_equal(s->description,
                        "För tjänsten debiteras en fast grundavgift per förvaltning.");
    assert_string_equal(s->file, "cases.csv");
    assert_string_equal(s->date_column, "date");
    assert_null(s->value_column);
    assert_string_equal(s->unit, "ärenden");
    assert_false(s->is_snapshot);
    assert_int_equal(s->from, 20230701);
    assert_int_equal(s->to, 20240630);
    assert_int_equal(s->nmatches, 2);
    assert_string_equal(s->matches[0].column, "queue");
    assert_int_equal(s->matches[0].nvalues, 1);
    assert_string_equal(s->matches[0].values[0], "E-tjänstsupport");
    assert_string_equal(s->matches[1].column, "kind");
    assert_string_equal(s->matches[1].values[0], "inkommande");
    assert_int_equal(s->method, IP_KEY_PROPORTIONAL);
    assert_int_equal(s->nconsolidations, 0);
    assert_int_equal(s->line, 11); /* the line of "<service", not of its '>' */

    s = &t->services[1];
    assert_string_equal(s->id, "direkt");
    assert_null(s->description);
    assert_null(s->per_call_note);
    assert_int_equal(s->matches[1].nvalues, 2);
    assert_string_equal(s->matches[1].values[0], "inkommande");
    assert_string_equal(s->matches[1].values[1], "generell");
    assert_int_equal(s->line, 23);

    s = &t->services[2];
    assert_string_equal(s->id, "vaxel");
    assert_string_equal(s->date_column, "started_at");
    assert_int_equal(s->from, 20230801);
    assert_int_equal(s->to, 20240731);
    assert_int_equal(s->nmatches, 0);
    assert_int_equal(s->method, IP_KEY_EQUAL_AND_PROPORTIONAL);
    assert_int_equal(s->equal_percent, 20);
    assert_int_equal(s->nconsolidations, 1);
    assert_int_equal(s->consolidations[0].from, 101);
    assert_int_equal(s->consolidations[0].into, 110);
    assert_int_equal(s->consolidations[0].line, 34);

    s = &t->services[3];
    assert_string_equal(s->id, "kcp");
    assert_int_equal(s->fee, 2024000);
    assert_int_equal(s->previous_fee, 2024000);
    assert_true(s->is_snapshot);
    assert_int_equal(s->snapshot, 20240615);
    assert_string_equal(s->value_column, "licences");
    assert_string_equal(s->unit, "licenser");
    assert_int_equal(s->method, IP_KEY_PROPORTIONAL);
}

static void test_tariff_loads_spec_example(void **state)
{
    ip_tariff *t = NULL;
    ip_diag d;
    (void)state;
    assert_int_equal(ip_tariff_load(VALID, "tariff.xml", XSD, &t, &d), IP_OK);
    assert_int_equal(d.code, IP_OK);
    assert_non_null(t);
    check_spec_example(t);
    assert_string_equal(t->path, "tariff.xml");
    ip_tariff_free(t);
}

static void test_tariff_loads_without_schema(void **state)
{
    size_t len;
    char *doc = read_fixture(VALID, &len);
    ip_tariff *t = NULL;
    ip_diag d;
    (void)state;
    assert_int_equal(ip_tariff_load_mem(doc, len, "input/2025/tariff.xml", NULL, &t, &d), IP_OK);
    check_spec_example(t);
    assert_string_equal(t->path, "input/2025/tariff.xml");
    ip_tariff_free(t);
    free(doc);
}

static void test_tariff_loads_shipped_sample(void **state)
{
    ip_tariff *t = NULL;
    ip_diag d;
    (void)state;
    assert_int_equal(ip_tariff_load("input/2025/tariff.xml", "input/2025/tariff.xml", XSD, &t, &d),
                     IP_OK);
    assert_int_equal(t->nservices, 4);
    ip_tariff_free(t);
}

static void test_tariff_group_lookup(void **state)
{
    ip_tariff *t = load_variant("<tariff", "<tariff");
    (void)state;
    assert_ptr_equal(ip_tariff_group(t, "bolag"), &t->groups[1]);
    assert_ptr_equal(ip_tariff_group(t, "forvaltning"), &t->groups[0]);
    assert_null(ip_tariff_group(t, "kommun"));
    assert_null(ip_tariff_group(t, "Bolag"));
    ip_tariff_free(t);
    ip_tariff_free(NULL);
}

static void test_tariff_optional_values(void **state)
{
    ip_tariff *t;
    (void)state;
    t = load_variant("number-prefix=\"KC\"", "number-prefix=\"KC\" periods=\"12\"");
    assert_int_equal(t->periods, 12);
    ip_tariff_free(t);
    /* ten digits without the dash are stored the same way */
    t = load_variant("org-nr=\"212000-0142\"", "org-nr=\"2120000142\"");
    assert_string_equal(t->seller.org_nr, "2120000142");
    ip_tariff_free(t);
    /* fees at the bound: one fee, and all of them together (the others
     * come to 5 414 000 kr); equal part at its ends */
    t = load_variant("fee=\"600000\"", "fee=\"999994586000\"");
    assert_int_equal(t->services[2].fee, INT64_C(999994586000));
    ip_tariff_free(t);
    t = load_variant("previous-fee=\"1400000\"", "previous-fee=\"999994996000\"");
    assert_int_equal(t->services[2].previous_fee, INT64_C(999994996000));
    ip_tariff_free(t);
    t = load_variant("equal-percent=\"20\"", "equal-percent=\"100\"");
    assert_int_equal(t->services[2].equal_percent, 100);
    ip_tariff_free(t);
    t = load_variant("equal-percent=\"20\"", "equal-percent=\"0\"");
    assert_int_equal(t->services[2].equal_percent, 0);
    ip_tariff_free(t);
    /* a window of one day */
    t = load_variant("to=\"2024-07-31\"", "to=\"2023-08-01\"");
    assert_int_equal(t->services[2].to, 20230801);
    ip_tariff_free(t);
}

static void test_tariff_whitespace_is_collapsed(void **state)
{
    ip_tariff *t;
    (void)state;
    t = load_variant("name=\"Stockholm Direkt\"", "name=\"  Stockholm \n   Direkt \"");
    assert_string_equal(t->services[1].name, "Stockholm Direkt");
    ip_tariff_free(t);
    t = load_variant("values=\"inkommande, generell\"", "values=\" inkommande ,generell ,x y\"");
    assert_int_equal(t->services[1].matches[1].nvalues, 3);
    assert_string_equal(t->services[1].matches[1].values[0], "inkommande");
    assert_string_equal(t->services[1].matches[1].values[1], "generell");
    assert_string_equal(t->services[1].matches[1].values[2], "x y");
    ip_tariff_free(t);
}

static void test_tariff_comments_and_cdata_are_fine(void **state)
{
    ip_tariff *t;
    (void)state;
    t = load_variant("<key method=\"proportional\"/>\n  </service>\n\n  <service id=\"direkt\"",
                     "<!-- a comment --><key method=\"proportional\"/><?pi x?>\n  </service>\n\n"
                     "  <service id=\"direkt\"");
    ip_tariff_free(t);
    t = load_variant("<description>För", "<description><![CDATA[<b>För]]>");
    assert_string_equal(t->services[0].description,
                        "<b>För tjänsten debiteras en fast grundavgift per förvaltning.");
    ip_tariff_free(t);
}

/* ---------------------------------------------------------------------- */
/* Files                                                                  */

static void test_tariff_missing_file(void **state)
{
    ip_tariff *t = (ip_tariff *)1;
    ip_diag d;
    char buf[1024];
    (void)state;
    assert_int_equal(ip_tariff_load(DATA "no-such-file.xml", "tariff.xml", XSD, &t, &d),
                     IP_ERR_NOINPUT);
    assert_null(t);
    ip_diag_format(&d, buf, sizeof buf);
    assert_string_equal(buf, "tariff.xml: cannot open: No such file or directory");
    assert_int_equal(ip_err_exit_code(d.code), EX_NOINPUT);
}

static void test_tariff_missing_schema(void **state)
{
    ip_tariff *t = (ip_tariff *)1;
    ip_diag d;
    char buf[1024];
    (void)state;
    assert_int_equal(ip_tariff_load(VALID, "tariff.xml", DATA "no-such.xsd", &t, &d),
                     IP_ERR_SOFTWARE);
    assert_null(t);
    ip_diag_format(&d, buf, sizeof buf);
    assert_string_equal(buf, DATA "no-such.xsd: cannot open the tariff schema: No such file or "
                             "directory (is internpris installed completely? --templates "
                             "names its folder)");
}

static void test_tariff_schema_that_is_not_a_schema(void **state)
{
    ip_tariff *t = (ip_tariff *)1;
    ip_diag d;
    (void)state;
    assert_int_equal(ip_tariff_load(VALID, "tariff.xml", VALID, &t, &d), IP_ERR_SOFTWARE);
    assert_null(t);
    assert_string_equal(d.file, VALID);
    assert_non_null(strstr(d.msg, "expected a valid XML Schema, found: "));
}

static void test_tariff_too_large(void **state)
{
    size_t n = (16u << 20) + 1;
    char *big = ip_xcalloc(n, 1);
    (void)state;
    memset(big, ' ', n);
    {
        ip_tariff *t = (ip_tariff *)1;
        ip_diag d;
        char buf[1024];
        assert_int_equal(ip_tariff_load_mem(big, n, "tariff.xml", XSD, &t, &d), IP_ERR_TARIFF);
        ip_diag_format(&d, buf, sizeof buf);
        assert_string_equal(buf,
                            "tariff.xml: expected a tariff of at most 16 MiB, found 16777217 bytes");
        assert_null(t);
    }
    free(big);
}

/* ---------------------------------------------------------------------- */
/* DTDs, entities, well-formedness                                        */

#define DOCTYPE_MSG(line)                                                                      \
    "tariff.xml:" #line ": expected a plain XML document, found a DOCTYPE declaration (DTDs "  \
    "and entities are refused)"

static void test_tariff_refuses_xxe(void **state)
{
    ip_tariff *t = (ip_tariff *)1;
    ip_diag d;
    char buf[1024];
    (void)state;
    assert_int_equal(ip_tariff_load(DATA "xxe.xml", "tariff.xml", XSD, &t, &d), IP_ERR_TARIFF);
    assert_null(t);
    ip_diag_format(&d, buf, sizeof buf);
    assert_string_equal(buf, DOCTYPE_MSG(2));
    assert_null(strstr(d.msg, "root:")); /* nothing of /etc/passwd */
    assert_int_equal(ip_err_exit_code(d.code), EX_CONFIG);
    assert_int_equal(ip_tariff_load(DATA "xxe.xml", "tariff.xml", NULL, &t, &d), IP_ERR_TARIFF);
    ip_diag_format(&d, buf, sizeof buf);
    assert_string_equal(buf, DOCTYPE_MSG(2));
}

static void test_tariff_refuses_billion_laughs(void **state)
{
    ip_tariff *t = (ip_tariff *)1;
    ip_diag d;
    char buf[1024];
    clock_t start = clock();
    (void)state;
    assert_int_equal(ip_tariff_load(DATA "billion-laughs.xml", "tariff.xml", XSD, &t, &d),
                     IP_ERR_TARIFF);
    assert_null(t);
    ip_diag_format(&d, buf, sizeof buf);
    assert_string_equal(buf, DOCTYPE_MSG(2));
    /* refused before any expansion: far below a second of CPU */
    assert_true(clock() - start < CLOCKS_PER_SEC);
}

static void test_tariff_refuses_any_doctype(void **state)
{
    (void)state;
    expect_doc("<!DOCTYPE tariff SYSTEM \"http://example.com/tariff.dtd\"><tariff/>", XSD,
               IP_ERR_TARIFF, DOCTYPE_MSG(1));
    expect_doc("<?xml version=\"1.0\"?>\n<!DOCTYPE tariff>\n<tariff/>", NULL, IP_ERR_TARIFF,
               DOCTYPE_MSG(2));
    expect_doc("<?xml version=\"1.0\"?>\n<!DOCTYPE tariff [\n<!ENTITY % p SYSTEM "
               "\"file:///etc/passwd\"> %p; ]>\n<tariff/>",
               XSD, IP_ERR_TARIFF, DOCTYPE_MSG(2));
}

static void test_tariff_refuses_undeclared_entity(void **state)
{
    (void)state;
    expect_both("name=\"E-tjänstsupport\"", "name=\"&xxe;\"",
                "tariff.xml:11: expected well-formed XML, found: Entity 'xxe' not defined");
}

static void test_tariff_predefined_entities_and_char_refs_are_fine(void **state)
{
    ip_tariff *t;
    (void)state;
    t = load_variant("name=\"Stockholm Direkt\"", "name=\"A &amp; B &#xE4; &lt;C&gt;\"");
    assert_string_equal(t->services[1].name, "A & B ä <C>");
    ip_tariff_free(t);
}

static void test_tariff_not_well_formed(void **state)
{
    (void)state;
    expect_both("  </service>\n\n  <service id=\"direkt\"", "  </servic>\n\n  <service id=\"direkt\"",
                "tariff.xml:21: expected well-formed XML, found: Opening and ending tag "
                "mismatch: service line 11 and servic");
    expect_doc("", XSD, IP_ERR_TARIFF, "tariff.xml:1: expected well-formed XML, found: Document is empty");
    expect_doc("<tariff year=\"2025\">\xe4</tariff>", XSD, IP_ERR_TARIFF,
               "tariff.xml:1: expected well-formed XML, found: Input is not proper UTF-8, "
               "indicate encoding ! Bytes: 0xE4 0x3C 0x2F 0x74");
    expect_doc("<tariff year=\"2025\" year=\"2026\"/>", NULL, IP_ERR_TARIFF,
               "tariff.xml:1: expected well-formed XML, found: Attribute year redefined");
    expect_doc("<tariff>\n<x:seller/>\n</tariff>", XSD, IP_ERR_TARIFF,
               "tariff.xml:2: expected well-formed XML, found: Namespace prefix x on seller is "
               "not defined");
}

/* libxml2 prints nothing itself, and the caller's handlers come back. */
static int other_handler_called;
#if LIBXML_VERSION >= 21200
static void other_handler(void *ctx, const xmlError *e)
#else
static void other_handler(void *ctx, xmlErrorPtr e)
#endif
{
    (void)ctx;
    (void)e;
    other_handler_called++;
}

static void test_tariff_libxml2_is_quiet(void **state)
{
    char path[] = "/tmp/test_tariff_stderr_XXXXXX";
    int fd = mkstemp(path), saved;
    char *doc = variant("<tariff", "<tarif");
    ip_tariff *t;
    ip_diag d;
    size_t len = 99;
    char *got;
    (void)state;
    assert_true(fd >= 0);
    xmlSetStructuredErrorFunc(&saved, other_handler);
    fflush(stderr);
    saved = dup(2);
    dup2(fd, 2);
    assert_int_equal(ip_tariff_load_mem(doc, strlen(doc), "tariff.xml", XSD, &t, &d), IP_ERR_TARIFF);
    assert_int_equal(ip_tariff_load(DATA "billion-laughs.xml", "t", XSD, &t, &d), IP_ERR_TARIFF);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(fd);
    got = ip_read_file(path, &len);
    assert_non_null(got);
    assert_int_equal(len, 0);
    free(got);
    unlink(path);
    free(doc);
    assert_int_equal(other_handler_called, 0);
    assert_ptr_equal(xmlStructuredError, other_handler);
    assert_ptr_equal(xmlStructuredErrorContext, &saved);
    xmlSetStructuredErrorFunc(NULL, NULL);
}

/* ---------------------------------------------------------------------- */
/* Schema errors                                                          */

static void test_tariff_schema_structure(void **state)
{
    (void)state;
    expect_schema("<seller ", "<sellr ",
                  "tariff.xml:4: expected a tariff that matches the schema, found: Element "
                  "'sellr': This element is not expected. Expected is ( seller ).");
    expect_schema("<key method=\"proportional\"/>\n  </service>\n\n  <service id=\"direkt\"",
                  "</service>\n\n  <service id=\"direkt\"",
                  "tariff.xml:11: expected a tariff that matches the schema, found: Element "
                  "'service': Missing child element(s). Expected is ( key ).");
    expect_schema("<tariff year", "<tarif year",
                  "tariff.xml:41: expected well-formed XML, found: Opening and ending tag "
                  "mismatch: tarif line 3 and tariff");
    expect_schema("<tariff year=\"2025\" currency=\"SEK\">",
                  "<tariff xmlns=\"urn:x\" year=\"2025\" currency=\"SEK\">",
                  "tariff.xml:3: expected a tariff that matches the schema, found: Element "
                  "'{urn:x}tariff': No matching global declaration available for the validation "
                  "root.");
    expect_schema("<description>För", "<description><b>x</b>För",
                  "tariff.xml:13: expected a tariff that matches the schema, found: Element "
                  "'description': Element content is not allowed, because the type definition "
                  "is simple.");
    expect_both("<description>För tjänsten debiteras en fast grundavgift\n      per "
                "förvaltning.</description>",
                "<description> </description>",
                "tariff.xml:13: expected a description text, found an empty <description>");
    expect_schema("<invoicing ", "text<invoicing ",
                  "tariff.xml:3: expected a tariff that matches the schema, found: Element "
                  "'tariff': Character content other than whitespace is not allowed because the "
                  "content type is 'element-only'.");
}

static void test_tariff_schema_attributes(void **state)
{
    (void)state;
    expect_both(" vat=\"O\"", "",
                "tariff.xml:8: expected a 'vat' attribute on <group>, found none");
    expect_both(" unit=\"anrop\"", " unit=\"anrop\" foo=\"1\"",
                  "tariff.xml:32: expected only the attributes of <basis> that the schema names, "
                  "found 'foo'");
    expect_both("email=", "phone=\"08-123\" email=",
                  "tariff.xml:6: expected only the attributes of <seller> that the schema names, "
                  "found 'phone'");
    expect_both("<description>", "<description lang=\"sv\">",
                "tariff.xml:13: expected only the attributes of <description> that the schema "
                "names, found 'lang'");
    expect_noschema("<tariff year", "<tariff xmlns:x=\"urn:x\" x:year=\"1\" year",
                    "tariff.xml:3: expected only the attributes of <tariff> that the schema "
                    "names, found 'year'");
}

/* Each attribute value of the wrong shape: the message says what is
 * expected, on the attribute's line, with the schema and without it. */
static void test_tariff_bad_values(void **state)
{
    (void)state;
    expect_both("year=\"2025\"", "year=\"1999\"",
                "tariff.xml:3: expected a price year from 2000 to 2999, found '1999'");
    expect_both("year=\"2025\"", "year=\"twenty\"",
                "tariff.xml:3: expected a price year from 2000 to 2999, found 'twenty'");
    expect_both("currency=\"SEK\"", "currency=\"EUR\"",
                "tariff.xml:3: expected currency 'SEK', found 'EUR'");
    expect_both("org-nr=\"212000-0142\"", "org-nr=\"21200-0142\"",
                "tariff.xml:4: expected an organisation number NNNNNN-NNNN, found '21200-0142'");
    expect_both("vat-id=\"SE212000014201\"", "vat-id=\"212000014201\"",
                "tariff.xml:5: expected a VAT number SE, 10 digits, 01, found '212000014201'");
    expect_both("postcode=\"104 20\"", "postcode=\"1042\"",
                "tariff.xml:5: expected a postcode NNN NN, found '1042'");
    expect_both("email=\"kontaktcenter.faktura@stockholm.se\"", "email=\"kontaktcenter\"",
                "tariff.xml:6: expected an e-mail address, found 'kontaktcenter'");
    expect_both("city=\"Stockholm\"", "city=\"  \"", "tariff.xml:6: expected a city, found '  '");
    expect_both("issue-date=\"2025-01-15\"", "issue-date=\"2025-02-30\"",
                "tariff.xml:7: expected a date YYYY-MM-DD, found '2025-02-30'");
    expect_both("issue-date=\"2025-01-15\"", "issue-date=\"2025-01-15Z\"",
                "tariff.xml:7: expected a date YYYY-MM-DD, found '2025-01-15Z'");
    expect_both("due-days=\"30\"", "due-days=\"400\"",
                "tariff.xml:7: expected due-days from 0 to 365, found '400'");
    expect_both("number-prefix=\"KC\"", "number-prefix=\"K C\"",
                "tariff.xml:7: expected an invoice number prefix of 1 to 20 letters, digits, "
                "'-' or '_', found 'K C'");
    expect_both("number-prefix=\"KC\"", "number-prefix=\"KC\" periods=\"2\"",
                "tariff.xml:7: expected periods 1, 4 or 12, found '2'");
    expect_both("id=\"bolag\"", "id=\"Bolag\"",
                "tariff.xml:9: expected a group id of lowercase letters, digits, '-' or '_', "
                "found 'Bolag'");
    expect_both("vat=\"O\"", "vat=\"X\"", "tariff.xml:8: expected vat 'O' or 'S', found 'X'");
    expect_both("vat-percent=\"25\"", "vat-percent=\"20\"",
                "tariff.xml:9: expected vat-percent 25, 12 or 6, found '20'");
    expect_both("id=\"kcp\"", "id=\"k c p\"",
                "tariff.xml:37: expected a service id of lowercase letters, digits, '-' or '_', "
                "found 'k c p'");
    expect_both("fee=\"240000\"", "fee=\"-5\"",
                "tariff.xml:11: expected a fee of 0 or more whole kronor, found '-5'");
    expect_both("fee=\"240000\"", "fee=\"+5\"",
                "tariff.xml:11: expected a fee of 0 or more whole kronor, found '+5'");
    expect_both("fee=\"240000\"", "fee=\"240 000\"",
                "tariff.xml:11: expected a fee of 0 or more whole kronor, found '240 000'");
    expect_both("previous-fee=\"0\"", "previous-fee=\"1.5\"",
                "tariff.xml:11: expected a previous-fee of 0 or more whole kronor, found '1.5'");
    expect_both("file=\"calls.csv\"", "file=\"../calls.csv\"",
                "tariff.xml:32: expected a file name in the input folder (letters, digits, '.', "
                "'-', '_'), found '../calls.csv'");
    expect_both("file=\"calls.csv\"", "file=\"/etc/passwd\"",
                "tariff.xml:32: expected a file name in the input folder (letters, digits, '.', "
                "'-', '_'), found '/etc/passwd'");
    expect_both("from=\"2023-08-01\"", "from=\"2023-8-1\"",
                "tariff.xml:32: expected a date YYYY-MM-DD, found '2023-8-1'");
    expect_both("snapshot=\"2024-06-15\"", "snapshot=\"15 juni\"",
                "tariff.xml:38: expected a date YYYY-MM-DD, found '15 juni'");
    expect_both("unit=\"licenser\"", "unit=\"\"", "tariff.xml:38: expected a unit, found ''");
    expect_both("column=\"queue\"", "column=\"\"",
                "tariff.xml:17: expected a column name, found ''");
    expect_both("method=\"equal-and-proportional\"", "method=\"equal\"",
                "tariff.xml:33: expected method 'proportional' or 'equal-and-proportional', "
                "found 'equal'");
    expect_both("equal-percent=\"20\"", "equal-percent=\"120\"",
                "tariff.xml:33: expected an equal-percent from 0 to 100, found '120'");
    expect_both("equal-percent=\"20\"", "equal-percent=\"20%\"",
                "tariff.xml:33: expected an equal-percent from 0 to 100, found '20%'");
    expect_both("from=\"101\"", "from=\"1010101\"",
                "tariff.xml:34: expected a customer number of 1 to 6 digits, found '1010101'");
    expect_both("into=\"110\"", "into=\"SLK\"",
                "tariff.xml:34: expected a customer number of 1 to 6 digits, found 'SLK'");
}

/* The schema and the loader's own checks accept and refuse the same
 * values, with the same message. */
static void test_tariff_schema_and_loader_agree(void **state)
{
    static const struct { const char *old, *new_; int ok; } cases[] = {
        {"email=\"kontaktcenter.faktura@stockholm.se\"", "email=\"a@b.se\"", 1},
        {"email=\"kontaktcenter.faktura@stockholm.se\"", "email=\"a@b.c.\"", 1},
        {"email=\"kontaktcenter.faktura@stockholm.se\"", "email=\"a@b..se\"", 1},
        {"email=\"kontaktcenter.faktura@stockholm.se\"", "email=\" a@b.se \"", 1},
        {"email=\"kontaktcenter.faktura@stockholm.se\"", "email=\"a@.se\"", 0},
        {"email=\"kontaktcenter.faktura@stockholm.se\"", "email=\"a@b\"", 0},
        {"email=\"kontaktcenter.faktura@stockholm.se\"", "email=\"a@\"", 0},
        {"email=\"kontaktcenter.faktura@stockholm.se\"", "email=\"@b.se\"", 0},
        {"email=\"kontaktcenter.faktura@stockholm.se\"", "email=\"a@b@c.se\"", 0},
        {"email=\"kontaktcenter.faktura@stockholm.se\"", "email=\"a b@c.se\"", 0},
        {"postcode=\"104 20\"", "postcode=\"10420\"", 1},
        {"postcode=\"104 20\"", "postcode=\"104  20\"", 1}, /* collapsed */
        {"postcode=\"104 20\"", "postcode=\"1 0420\"", 0},
        {"id=\"kcp\"", "id=\"k-c_p2\"", 1},
        {"id=\"kcp\"", "id=\"-kcp\"", 0},
        {"id=\"kcp\"", "id=\"abcdefghijabcdefghijabcdefghij12\"", 1},
        {"id=\"kcp\"", "id=\"abcdefghijabcdefghijabcdefghij123\"", 0},
        {"file=\"calls.csv\"", "file=\"_calls.2024.csv\"", 1},
        {"file=\"calls.csv\"", "file=\".calls.csv\"", 0},
        {"file=\"calls.csv\"", "file=\"calls csv\"", 0},
        {"number-prefix=\"KC\"", "number-prefix=\"KC-2_x\"", 1},
        {"number-prefix=\"KC\"", "number-prefix=\"ABCDEFGHIJABCDEFGHIJK\"", 0},
        {"due-days=\"30\"", "due-days=\"0\"", 1},
        {"due-days=\"30\"", "due-days=\"365\"", 1},
        {"due-days=\"30\"", "due-days=\"0030\"", 0},
        {"fee=\"240000\"", "fee=\"0\"", 1},
        {"fee=\"240000\"", "fee=\" 240000 \"", 1},
        {"fee=\"240000\"", "fee=\"\"", 0},
        {"year=\"2025\"", "year=\"2026\"", 1},
        {"year=\"2025\"", "year=\"3000\"", 0},
        {"equal-percent=\"20\"", "equal-percent=\"007\"", 1},
        {"equal-percent=\"20\"", "equal-percent=\"-0\"", 0},
        {"from=\"101\"", "from=\"000101\"", 1},
        {"vat-percent=\"25\"", "vat-percent=\"12\"", 1},
        {"vat-percent=\"25\"", "vat-percent=\"06\"", 0},
        {"number-prefix=\"KC\"", "number-prefix=\"KC\" periods=\"4\"", 1},
        {"number-prefix=\"KC\"", "number-prefix=\"KC\" periods=\"04\"", 0},
        {"issue-date=\"2025-01-15\"", "issue-date=\"2024-02-29\"", 1},
        {"issue-date=\"2025-01-15\"", "issue-date=\"2025-02-29\"", 0},
        {"issue-date=\"2025-01-15\"", "issue-date=\"1899-12-31\"", 0},
        /* around the price year: the year before to the year after */
        {"issue-date=\"2025-01-15\"", "issue-date=\"2024-01-01\"", 1},
        {"issue-date=\"2025-01-15\"", "issue-date=\"2023-12-31\"", 0},
        {"issue-date=\"2025-01-15\"", "issue-date=\"2026-12-31\"", 1},
        {"issue-date=\"2025-01-15\"", "issue-date=\"2027-01-01\"", 0},
        {"issue-date=\"2025-01-15\"", "issue-date=\"2999-12-20\"", 0},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *doc = variant(cases[i].old, cases[i].new_);
        ip_tariff *t1 = NULL, *t2 = NULL;
        ip_diag d1, d2;
        ip_err e1 = ip_tariff_load_mem(doc, strlen(doc), "tariff.xml", XSD, &t1, &d1);
        ip_err e2 = ip_tariff_load_mem(doc, strlen(doc), "tariff.xml", NULL, &t2, &d2);
        if ((e1 == IP_OK) != cases[i].ok || e1 != e2 || strcmp(d1.msg, d2.msg))
            fail_msg("%s: with schema %d '%s', without %d '%s'", cases[i].new_, e1, d1.msg, e2,
                     d2.msg);
        ip_tariff_free(t1);
        ip_tariff_free(t2);
        free(doc);
    }
}

static void test_tariff_short_name(void **state)
{
    /* 31 characters (ä is one) is the most a sheet tab holds */
    ip_tariff *t = load_variant("per-call-price=\"Pris per samtal tillkommer\"",
                                "per-call-price=\"Pris per samtal tillkommer\" "
                                "short-name=\"Ärendestöd för e-tjänster 12345\"");
    (void)state;
    assert_string_equal(t->services[0].short_name, "Ärendestöd för e-tjänster 12345");
    assert_null(t->services[1].short_name);
    ip_tariff_free(t);
    expect_both("per-call-price=\"Pris per samtal tillkommer\"",
                "per-call-price=\"Pris per samtal tillkommer\" "
                "short-name=\"Support of the city's e-services\"",
                "tariff.xml:12: expected a short-name of 1 to 31 characters, found "
                "'Support of the city's e-services'");
    expect_both("per-call-price=\"Pris per samtal tillkommer\"",
                "per-call-price=\"Pris per samtal tillkommer\" short-name=\" \"",
                "tariff.xml:12: expected a short-name of 1 to 31 characters, found ' '");
}

static void test_tariff_attribute_on_a_continuation_line(void **state)
{
    (void)state;
    /* per-call-price is on line 12, the <service tag opens on line 11 */
    expect_both("per-call-price=\"Pris per samtal tillkommer\"", "per-call-price=\"\"",
                "tariff.xml:12: expected a per-call-price text, found ''");
    expect_both("unit=\"ärenden\">\n      <match column=\"queue\" values=\"E",
                "unit=\"\">\n      <match column=\"queue\" values=\"E",
                "tariff.xml:16: expected a unit, found ''");
}

/* ---------------------------------------------------------------------- */
/* What the schema cannot say                                             */

static void test_tariff_fee_bounds(void **state)
{
    (void)state;
    expect_both("fee=\"600000\"", "fee=\"1000000000001\"",
                "tariff.xml:31: expected a fee of at most 10^12 kr, found '1000000000001'");
    expect_both("previous-fee=\"1400000\"", "previous-fee=\"99999999999999999999999\"",
                "tariff.xml:31: expected a previous-fee of at most 10^12 kr, found "
                "'99999999999999999999999'");
    /* each at most 10^12 and so are their sums: no total downstream can wrap */
    expect_both("fee=\"600000\"", "fee=\"999994586001\"",
                "tariff.xml:37: expected the fee of all services to add up to at most 10^12 "
                "kr, found more with service 'kcp'");
    expect_both("fee=\"600000\"", "fee=\"1000000000000\"",
                "tariff.xml:31: expected the fee of all services to add up to at most 10^12 "
                "kr, found more with service 'vaxel'");
    expect_both("previous-fee=\"1400000\"", "previous-fee=\"999994996001\"",
                "tariff.xml:37: expected the previous-fee of all services to add up to at "
                "most 10^12 kr, found more with service 'kcp'");
    expect_both("fee=\"600000\"", "fee=\"999999999999999999999999999999999\"",
                "tariff.xml:31: expected a fee of at most 10^12 kr, found "
                "'999999999999999999999999999999999'");
}

static void test_tariff_duplicate_ids(void **state)
{
    (void)state;
    expect_both("id=\"kcp\"", "id=\"direkt\"",
                "tariff.xml:37: expected a unique service id, found 'direkt' again (first on "
                "line 23)");
    expect_both("id=\"bolag\"", "id=\"forvaltning\"",
                "tariff.xml:9: expected a unique group id, found 'forvaltning' again (first on "
                "line 8)");
}

static void test_tariff_window_or_snapshot(void **state)
{
    (void)state;
    expect_both("from=\"2023-08-01\" to=\"2024-07-31\"", "from=\"2024-08-01\" to=\"2024-07-31\"",
                "tariff.xml:32: expected from on or before to in service 'vaxel', found "
                "from=\"2024-08-01\" after to=\"2024-07-31\"");
    expect_both("snapshot=\"2024-06-15\"", "snapshot=\"2024-06-15\" from=\"2024-01-01\"",
                "tariff.xml:38: expected either from and to or a snapshot on <basis> of service "
                "'kcp', found both");
    expect_both("from=\"2023-08-01\" to=\"2024-07-31\"", "",
                "tariff.xml:32: expected from and to, or a snapshot, on <basis> of service "
                "'vaxel', found neither");
    expect_both("from=\"2023-08-01\" to=\"2024-07-31\"", "to=\"2024-07-31\"",
                "tariff.xml:32: expected both from and to on <basis> of service 'vaxel', found "
                "only to");
    expect_both("from=\"2023-08-01\" to=\"2024-07-31\"", "from=\"2023-08-01\"",
                "tariff.xml:32: expected both from and to on <basis> of service 'vaxel', found "
                "only from");
}

static void test_tariff_vat(void **state)
{
    (void)state;
    expect_both(" vat-percent=\"25\"", "",
                "tariff.xml:9: expected vat-percent (25, 12 or 6) with vat=\"S\" in group "
                "'bolag', found none");
    expect_both("vat=\"O\"", "vat=\"O\" vat-percent=\"6\"",
                "tariff.xml:8: expected no vat-percent with vat=\"O\" (outside the scope of VAT) "
                "in group 'forvaltning', found '6'");
}

static void test_tariff_key(void **state)
{
    (void)state;
    expect_both(" equal-percent=\"20\"", "",
                "tariff.xml:33: expected equal-percent (0 to 100) with "
                "method=\"equal-and-proportional\" in service 'vaxel', found none");
    expect_both("<key method=\"proportional\"/>\n  </service>\n\n  <service id=\"direkt\"",
                "<key method=\"proportional\" equal-percent=\"20\"/>\n  </service>\n\n"
                "  <service id=\"direkt\"",
                "tariff.xml:20: expected no equal-percent with method=\"proportional\" in service "
                "'etjanst', found '20'");
}

static void test_tariff_consolidations(void **state)
{
    (void)state;
    expect_both("into=\"110\"", "into=\"101\"",
                "tariff.xml:34: expected consolidate from and into to be different customers in "
                "service 'vaxel', found 101 into itself");
    expect_both("<consolidate from=\"101\" into=\"110\"/>",
                "<consolidate from=\"101\" into=\"110\"/>\n<consolidate from=\"101\" into=\"113\"/>",
                "tariff.xml:35: expected one consolidate from 101 in service 'vaxel', found a "
                "second (first on line 34)");
}

static void test_tariff_matches(void **state)
{
    (void)state;
    expect_both("<match column=\"kind\" values=\"inkommande\"/>",
                "<match column=\"Queue\" values=\"inkommande\"/>",
                "tariff.xml:18: expected one <match> per column in service 'etjanst', found "
                "'Queue' again (first on line 17)");
    expect_both("values=\"inkommande, generell\"", "values=\"inkommande,,generell\"",
                "tariff.xml:26: expected comma-separated values without empty ones, found "
                "'inkommande,,generell'");
    expect_both("values=\"inkommande, generell\"", "values=\"inkommande, \"",
                "tariff.xml:26: expected comma-separated values without empty ones, found "
                "'inkommande,'");
}

static void test_tariff_seller_numbers(void **state)
{
    (void)state;
    expect_both("org-nr=\"212000-0142\"", "org-nr=\"212000-0143\"",
                "tariff.xml:4: expected an organisation number with a valid check digit, found "
                "'212000-0143'");
    expect_both("vat-id=\"SE212000014201\"", "vat-id=\"SE556839527001\"",
                "tariff.xml:5: expected vat-id SE212000014201 (SE, the org-nr, 01), found "
                "'SE556839527001'");
}

/* Without the schema the loader still refuses what is out of place. */
static void test_tariff_structure_without_schema(void **state)
{
    (void)state;
    expect_noschema("<seller ", "<sellr ", "tariff.xml:4: expected <seller> first in <tariff>, found <sellr>");
    expect_noschema("<invoicing ", "<invoice ",
                    "tariff.xml:7: expected <invoicing> after <seller>, found <invoice>");
    expect_noschema("<tariff year", "<tarif year",
                    "tariff.xml:41: expected well-formed XML, found: Opening and ending tag "
                    "mismatch: tarif line 3 and tariff");
    expect_doc("<?xml version=\"1.0\"?>\n<pricelist/>", NULL, IP_ERR_TARIFF,
               "tariff.xml:2: expected <tariff> without a namespace, found <pricelist>");
    expect_doc("<tariff year=\"2025\" currency=\"SEK\"/>", NULL, IP_ERR_TARIFF,
               "tariff.xml:1: expected <seller> first in <tariff>, found none");
    expect_noschema("<invoicing ", "text<invoicing ",
                    "tariff.xml:7: expected only elements in <tariff>, found text");
    expect_noschema("<basis file=\"licences.csv\"", "<basi file=\"licences.csv\"",
                    "tariff.xml:38: expected <basis> in service 'kcp', found <basi>");
    expect_noschema("<key method=\"proportional\"/>\n  </service>\n</tariff>",
                    "</service>\n</tariff>", "tariff.xml:37: expected <key> in service 'kcp', found none");
    expect_noschema("<consolidate ", "<consolidat ",
                    "tariff.xml:34: expected <consolidate> or </service>, found <consolidat>");
    expect_noschema("<match column=\"kind\"", "<matc column=\"kind\"",
                    "tariff.xml:18: expected <match> in <basis>, found <matc>");
    expect_noschema("<service id=\"kcp\"", "<servic id=\"kcp\"",
                    "tariff.xml:40: expected well-formed XML, found: Opening and ending tag "
                    "mismatch: servic line 37 and service");
}

/* ---------------------------------------------------------------------- */
/* Payment details and the accounting configuration                       */

/* The accounting block that the cases below start from: it opens on line
 * 41 of valid.xml, where </tariff> stood. */
static const char ACCOUNTING[] =
    "  <accounting seller-cost-centre=\"1905\" cost-account=\"6419\">\n"          /* 41 */
    "    <account number=\"3631\" name=\"Interna intäkter, e-tjänstsupport\"/>\n" /* 42 */
    "    <account number=\"3632\" name=\"Interna intäkter, Stockholm Direkt\"/>\n"
    "    <account number=\"3633\" name=\"Interna intäkter, växel\"/>\n"
    "    <account number=\"3634\" name=\"Interna intäkter, plattform\"/>\n"          /* 45 */
    "    <account number=\"6419\" name=\"Köp av interna tjänster\"/>\n"
    "    <account number=\"6412\" name=\"Interna telefonitjänster\"/>\n"             /* 47 */
    "    <posting service=\"etjanst\" revenue-account=\"3631\"/>\n"
    "    <posting service=\"direkt\" revenue-account=\"3632\"/>\n"
    "    <posting service=\"vaxel\" revenue-account=\"3633\" cost-account=\"6412\"/>\n" /* 50 */
    "    <posting service=\"kcp\" revenue-account=\"3634\"/>\n"
    "  </accounting>\n";

/* valid.xml with ACCOUNTING, in which old is replaced by new_. */
static char *accounting_variant(const char *old, const char *new_)
{
    const char *p = strstr(ACCOUNTING, old);
    char *block, *doc;
    if (!p)
        fail_msg("'%s' is not in the accounting block", old);
    block = ip_xasprintf("%.*s%s%s</tariff>", (int)(p - ACCOUNTING), ACCOUNTING, new_,
                         p + strlen(old));
    doc = variant("</tariff>", block);
    free(block);
    return doc;
}

static void expect_accounting(const char *old, const char *new_, const char *msg)
{
    char *doc = accounting_variant(old, new_);
    expect_doc(doc, XSD, IP_ERR_TARIFF, msg);
    expect_doc(doc, NULL, IP_ERR_TARIFF, msg);
    free(doc);
}

static void test_tariff_payment_details(void **state)
{
    ip_tariff *t;
    (void)state;
    t = load_variant("number-prefix=\"KC\"",
                     "number-prefix=\"KC\" bankgiro=\"5050-1055\" plusgiro=\"901234-5\"\n"
                     "     iban=\"SE45 5000 0000 0583 9825 7466\" bic=\"ESSESESS\"");
    assert_string_equal(t->payment.bankgiro, "50501055");
    assert_string_equal(t->payment.plusgiro, "9012345");
    assert_string_equal(t->payment.iban, "SE4550000000058398257466");
    assert_string_equal(t->payment.bic, "ESSESESS");
    assert_true(ip_tariff_has_payment(t));
    ip_tariff_free(t);
}

static void test_tariff_payment_errors(void **state)
{
    ip_tariff *t;
    (void)state;
    t = load_variant("number-prefix=\"KC\"", "number-prefix=\"KC\"");
    assert_false(ip_tariff_has_payment(t));
    assert_null(t->payment.bankgiro);
    assert_null(t->accounting);
    ip_tariff_free(t);
    expect_both("number-prefix=\"KC\"", "number-prefix=\"KC\" bankgiro=\"5050-1056\"",
                "tariff.xml:7: expected a bankgiro number with a valid check digit, found "
                "'5050-1056'");
    expect_both("number-prefix=\"KC\"", "number-prefix=\"KC\" bankgiro=\"50-501055\"",
                "tariff.xml:7: expected a bankgiro number NNN-NNNN or NNNN-NNNN, found "
                "'50-501055'");
    expect_both("number-prefix=\"KC\"", "number-prefix=\"KC\" plusgiro=\"90 1234-5\"",
                "tariff.xml:7: expected a plusgiro number of 2 to 8 digits such as 901234-5, "
                "found '90 1234-5'");
    expect_both("number-prefix=\"KC\"", "number-prefix=\"KC\" plusgiro=\"4711-7\"",
                "tariff.xml:7: expected a plusgiro number with a valid check digit, found "
                "'4711-7'");
    expect_both("number-prefix=\"KC\"",
                "number-prefix=\"KC\"\n iban=\"SE45 5000 0000 0583 9825 7467\" bic=\"ESSESESS\"",
                "tariff.xml:8: expected an IBAN with a valid check digit, found "
                "'SE45 5000 0000 0583 9825 7467'");
    expect_both("number-prefix=\"KC\"", "number-prefix=\"KC\" iban=\"SE4550000000058398257466\"",
                "tariff.xml:7: expected a bic with iban on <invoicing>, found none");
    expect_both("number-prefix=\"KC\"", "number-prefix=\"KC\" bic=\"ESSESESS\"",
                "tariff.xml:7: expected bic only with an iban on <invoicing>, found no iban");
    expect_both("number-prefix=\"KC\"", "number-prefix=\"KC\" bic=\"ESSE\"",
                "tariff.xml:7: expected a BIC of 8 or 11 letters and digits such as ESSESESS, "
                "found 'ESSE'");
    expect_both("number-prefix=\"KC\"", "number-prefix=\"KC\" iban=\"S E45500000000583982574\"",
                "tariff.xml:7: expected an IBAN such as SE45 5000 0000 0583 9825 7466, found "
                "'S E45500000000583982574'");
}

static void test_tariff_accounting_loads(void **state)
{
    char *doc = accounting_variant("", "");
    ip_tariff *t = NULL;
    const ip_accounting *a;
    ip_diag d;
    (void)state;
    assert_int_equal(ip_tariff_load_mem(doc, strlen(doc), "tariff.xml", XSD, &t, &d), IP_OK);
    free(doc);
    a = t->accounting;
    assert_non_null(a);
    assert_int_equal(a->line, 41);
    assert_string_equal(a->seller_cost_centre, "1905");
    assert_int_equal(a->naccounts, 6);
    assert_string_equal(a->accounts[1].number, "3632");
    assert_string_equal(a->accounts[1].name, "Interna intäkter, Stockholm Direkt");
    assert_int_equal(a->accounts[1].line, 43);
    assert_string_equal(a->revenue[0]->number, "3631");
    assert_string_equal(a->revenue[3]->number, "3634");
    assert_string_equal(a->cost[0]->number, "6419"); /* the default */
    assert_string_equal(a->cost[2]->number, "6412"); /* vaxel's own */
    assert_string_equal(a->cost[3]->name, "Köp av interna tjänster");
    ip_tariff_free(t);
}

static void test_tariff_accounting_errors(void **state)
{
    (void)state;
    /* a bad account number or object code */
    expect_accounting("number=\"3632\"", "number=\"363\"",
                      "tariff.xml:43: expected an account number of 4 to 6 digits, found '363'");
    expect_accounting("number=\"3632\"", "number=\"0632\"",
                      "tariff.xml:43: expected an account number of 4 to 6 digits, found '0632'");
    expect_accounting("seller-cost-centre=\"1905\"", "seller-cost-centre=\"19 05\"",
                      "tariff.xml:41: expected a cost centre code of 1 to 20 letters, digits, "
                      "'-' or '_', found '19 05'");
    expect_accounting("number=\"3633\"", "number=\"3632\"",
                      "tariff.xml:44: expected a unique account number, found '3632' again "
                      "(first on line 43)");
    /* accounts of the wrong class, or not declared */
    expect_accounting("revenue-account=\"3632\"", "revenue-account=\"6419\"",
                      "tariff.xml:49: expected a revenue account of class 3 (3xxx) for service "
                      "'direkt', found '6419'");
    expect_accounting("cost-account=\"6412\"", "cost-account=\"3633\"",
                      "tariff.xml:50: expected a cost account of class 4 to 7 (4xxx-7xxx) for "
                      "service 'vaxel', found '3633'");
    expect_accounting("cost-account=\"6419\"", "cost-account=\"3631\"",
                      "tariff.xml:41: expected a cost account of class 4 to 7 (4xxx-7xxx) as "
                      "the default, found '3631'");
    expect_accounting("revenue-account=\"3634\"", "revenue-account=\"3699\"",
                      "tariff.xml:51: expected an account declared by <account> in "
                      "revenue-account of service 'kcp', found '3699'");
    /* an unknown service, one twice, one missing: never half a configuration */
    expect_accounting("service=\"kcp\"", "service=\"kpc\"",
                      "tariff.xml:51: expected a service of the tariff in <posting service>, "
                      "found 'kpc'");
    expect_accounting("service=\"kcp\"", "service=\"direkt\"",
                      "tariff.xml:51: expected one <posting> per service, found 'direkt' again "
                      "(first on line 49)");
    expect_accounting("    <posting service=\"kcp\" revenue-account=\"3634\"/>\n", "",
                      "tariff.xml:41: expected a <posting> for every service in <accounting>, "
                      "found none for 'kcp'");
    expect_accounting(" cost-account=\"6419\"", "",
                      "tariff.xml:48: expected a cost-account on the <posting> of service "
                      "'etjanst' or on <accounting>, found neither");
    expect_accounting("seller-cost-centre=\"1905\" ", "",
                      "tariff.xml:41: expected a 'seller-cost-centre' attribute on <accounting>, "
                      "found none");
}

static void test_tariff_needs_groups_and_services(void **state)
{
    static const char head[] =
        "<tariff year=\"2025\" currency=\"SEK\">\n"
        "<seller name=\"S\" org-nr=\"212000-0142\" vat-id=\"SE212000014201\" street=\"x\" "
        "postcode=\"104 20\" city=\"Stockholm\" email=\"a@b.se\"/>\n"
        "<invoicing issue-date=\"2025-01-15\" due-days=\"30\" number-prefix=\"KC\"/>\n";
    char *doc;
    (void)state;
    doc = ip_xasprintf("%s</tariff>", head);
    expect_doc(doc, NULL, IP_ERR_TARIFF,
               "tariff.xml:1: expected at least one <group> in <tariff>, found none");
    expect_doc(doc, XSD, IP_ERR_TARIFF,
               "tariff.xml:1: expected a tariff that matches the schema, found: Element "
               "'tariff': Missing child element(s). Expected is ( group ).");
    free(doc);
    doc = ip_xasprintf("%s<group id=\"g\" label=\"G\" vat=\"O\"/>\n</tariff>", head);
    expect_doc(doc, NULL, IP_ERR_TARIFF,
               "tariff.xml:1: expected at least one <service> in <tariff>, found none");
    free(doc);
    doc = ip_xasprintf("%s<group id=\"g\" label=\"G\" vat=\"O\"/>\n<foo/>\n</tariff>", head);
    expect_doc(doc, NULL, IP_ERR_TARIFF,
               "tariff.xml:5: expected <group>, <service> or <accounting> in <tariff>, found <foo>");
    free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tariff_loads_spec_example),
        cmocka_unit_test(test_tariff_loads_without_schema),
        cmocka_unit_test(test_tariff_loads_shipped_sample),
        cmocka_unit_test(test_tariff_group_lookup),
        cmocka_unit_test(test_tariff_optional_values),
        cmocka_unit_test(test_tariff_whitespace_is_collapsed),
        cmocka_unit_test(test_tariff_comments_and_cdata_are_fine),
        cmocka_unit_test(test_tariff_missing_file),
        cmocka_unit_test(test_tariff_missing_schema),
        cmocka_unit_test(test_tariff_schema_that_is_not_a_schema),
        cmocka_unit_test(test_tariff_too_large),
        cmocka_unit_test(test_tariff_refuses_xxe),
        cmocka_unit_test(test_tariff_refuses_billion_laughs),
        cmocka_unit_test(test_tariff_refuses_any_doctype),
        cmocka_unit_test(test_tariff_refuses_undeclared_entity),
        cmocka_unit_test(test_tariff_predefined_entities_and_char_refs_are_fine),
        cmocka_unit_test(test_tariff_not_well_formed),
        cmocka_unit_test(test_tariff_libxml2_is_quiet),
        cmocka_unit_test(test_tariff_schema_structure),
        cmocka_unit_test(test_tariff_schema_attributes),
        cmocka_unit_test(test_tariff_bad_values),
        cmocka_unit_test(test_tariff_schema_and_loader_agree),
        cmocka_unit_test(test_tariff_short_name),
        cmocka_unit_test(test_tariff_attribute_on_a_continuation_line),
        cmocka_unit_test(test_tariff_fee_bounds),
        cmocka_unit_test(test_tariff_duplicate_ids),
        cmocka_unit_test(test_tariff_window_or_snapshot),
        cmocka_unit_test(test_tariff_vat),
        cmocka_unit_test(test_tariff_key),
        cmocka_unit_test(test_tariff_consolidations),
        cmocka_unit_test(test_tariff_matches),
        cmocka_unit_test(test_tariff_seller_numbers),
        cmocka_unit_test(test_tariff_structure_without_schema),
        cmocka_unit_test(test_tariff_needs_groups_and_services),
        cmocka_unit_test(test_tariff_payment_details),
        cmocka_unit_test(test_tariff_payment_errors),
        cmocka_unit_test(test_tariff_accounting_loads),
        cmocka_unit_test(test_tariff_accounting_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
