/*
 * test_invoice.c — the UBL 2.1 / PEPPOL BIS Billing 3.0 writer.
 *
 * Invoices are built in code (a hand-made seller, customers and VAT groups),
 * written to a temporary folder, read back with libxml2 and checked value by
 * value: ids, totals, VAT, escaping, the credit note's reference. A stored
 * invoice reads back for the credit note that mirrors it. The last
 * test writes every kind of document and runs the real validator on them
 * (../shared/validation/validate-ubl, relative to the repository root where
 * the tests run): it must pass with no errors and no warnings, and a
 * validator that cannot run fails the test rather than skipping it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "invoice.h"
#include "util.h"

#define VALIDATOR "../shared/validation/validate-ubl"

/* --- fixtures: the seller, two groups, three customers ------------------- */

static char seller_name[] = "Stockholms stad, Serviceförvaltningen";
static char seller_org[] = "2120000142";
static char seller_vat[] = "SE212000014201";
static char seller_street[] = "Box 8314";
static char seller_postcode[] = "104 20";
static char seller_city[] = "Stockholm";
static char seller_email[] = "kontaktcenter@stockholm.se";

static const ip_seller seller = {
    seller_name, seller_org, seller_vat, seller_street, seller_postcode, seller_city,
    seller_email,
};

static char g_forv_id[] = "forvaltning", g_forv_label[] = "Nämnder och förvaltningar";
static char g_bolag_id[] = "bolag", g_bolag_label[] = "Bolag och stiftelser";
static const ip_group group_o = {g_forv_id, g_forv_label, IP_VAT_O, 0};
static const ip_group group_s25 = {g_bolag_id, g_bolag_label, IP_VAT_S, 25};

static char c110_name[] = "Stadsledningskontoret", c110_ref[] = "110-KC";
static char c110_street[] = "Stadshuset, Hantverkargatan 1", c110_post[] = "105 35";
static char c110_city[] = "Stockholm";
static char c291_name[] = "Stockholms Stads Bostadsförmedling AB", c291_ref[] = "Ref 4711";
static char c291_street[] = "Fleminggatan 18", c291_post[] = "112 26";
static char c291_city[] = "Stockholm";
static char c292_name[] = "Stiftelsen Utan Gatuadress", c292_ref[] = "STIFT-1";
static char c293_name[] = "Bolag <&\"'> & Co AB", c293_ref[] = "R&D <1>";

static ip_customer cust_110, cust_291, cust_292, cust_293, cust_294;
static char c294_gln[] = "7350001002941";
static char pg_bankgiro[] = "50501055", pg_plusgiro[] = "9012345";
static char pg_iban[] = "SE4550000000058398257466", pg_bic[] = "ESSESESS";
static const ip_payment pay_all = {pg_bankgiro, pg_plusgiro, pg_iban, pg_bic};
static const ip_payment pay_iban = {NULL, NULL, pg_iban, pg_bic};

static void init_customers(void)
{
    memset(&cust_110, 0, sizeof cust_110);
    cust_110.nr = 110;
    cust_110.name = c110_name;
    cust_110.group = &group_o;
    snprintf(cust_110.org_nr, sizeof cust_110.org_nr, "%s", "2120000142");
    cust_110.reference = c110_ref;
    cust_110.street = c110_street;
    cust_110.postcode = c110_post;
    cust_110.city = c110_city;

    memset(&cust_291, 0, sizeof cust_291);
    cust_291.nr = 291;
    cust_291.name = c291_name;
    cust_291.group = &group_s25;
    snprintf(cust_291.org_nr, sizeof cust_291.org_nr, "%s", "5565032520");
    cust_291.reference = c291_ref;
    cust_291.street = c291_street;
    cust_291.postcode = c291_post;
    cust_291.city = c291_city;

    /* no street, postcode or city: only the country is known */
    memset(&cust_292, 0, sizeof cust_292);
    cust_292.nr = 292;
    cust_292.name = c292_name;
    cust_292.group = &group_s25;
    snprintf(cust_292.org_nr, sizeof cust_292.org_nr, "%s", "8020003003");
    cust_292.reference = c292_ref;

    memset(&cust_293, 0, sizeof cust_293);
    cust_293.nr = 293;
    cust_293.name = c293_name;
    cust_293.group = &group_s25;
    snprintf(cust_293.org_nr, sizeof cust_293.org_nr, "%s", "5566163019");
    cust_293.reference = c293_ref;
    cust_293.city = c291_city;

    /* a company with a PEPPOL endpoint (GLN) of its own */
    cust_294 = cust_291;
    cust_294.nr = 294;
    snprintf(cust_294.endpoint_scheme, sizeof cust_294.endpoint_scheme, "%s", "0088");
    cust_294.endpoint_id = c294_gln;
}

/* Lines of the 2025 price list for customer 110 (whole kronor, as öre). */
static const ip_invoice_line lines_110[] = {
    {"1", "E-tjänstsupport",
     "1 841 av 2 846 ärenden 2023-07-01–2024-06-30, andel 64,69 %", "etjanst",
     INT64_C(15524900)},
    {"2", "Stockholm Direkt, kontaktcentertjänst",
     "8 286 av 33 437 ärenden 2023-07-01–2024-06-30, andel 24,78 %", "direkt",
     INT64_C(49561200)},
    {"3", "Telefonistöd, gemensam växel", "12 000 av 40 000 anrop 2023-08-01–2024-07-31",
     "vaxel", INT64_C(18000000)},
    {"4", "Förvaltning av kontaktcenterplattform", "120 av 400 licenser 2024-06-15", "kcp",
     INT64_C(60720000)},
};

/* Odd öre: 1000.01 + 333.33 = 1333.34 kr; 25 % is 333.335 kr, so the
 * half-up rounding decides: 333.34 kr. */
static const ip_invoice_line lines_s25[] = {
    {"1", "E-tjänstsupport", "201 av 2 846 ärenden 2023-07-01–2024-06-30", "etjanst",
     INT64_C(100001)},
    {"2", "Förvaltning av kontaktcenterplattform", NULL, "kcp", INT64_C(33333)},
};

static const ip_invoice_line lines_markup[] = {
    {"1", "Tjänst <special> & \"citat\" 'enkla'", "a < b && c > d", "x&y", INT64_C(1995000)},
};

static const ip_invoice_line lines_one[] = {
    {"1", "Telefonistöd, gemensam växel", NULL, NULL, INT64_C(1200000)},
};

static ip_invoice base_invoice(const char *number, const ip_customer *c,
                               const ip_invoice_line *lines, size_t n)
{
    ip_invoice inv;
    memset(&inv, 0, sizeof inv);
    inv.number = number;
    inv.issue_date = 20250115;
    inv.due_date = 20250214;
    inv.currency = "SEK";
    inv.note = "internpris 1.0.0, indata sha256 0123abcd";
    inv.seller = &seller;
    inv.buyer = c;
    inv.group = c->group;
    inv.lines = lines;
    inv.nlines = n;
    return inv;
}

static ip_invoice inv_o(void)
{
    return base_invoice("KC2025-110", &cust_110, lines_110, IP_ARRAY_LEN(lines_110));
}

static ip_invoice inv_s25(void)
{
    return base_invoice("KC2025-291", &cust_291, lines_s25, IP_ARRAY_LEN(lines_s25));
}

static ip_invoice inv_markup(void)
{
    return base_invoice("KC2025-293", &cust_293, lines_markup, IP_ARRAY_LEN(lines_markup));
}

static ip_invoice inv_credit(void)
{
    ip_invoice inv = base_invoice("KC2025-291-K1", &cust_291, lines_s25,
                                  IP_ARRAY_LEN(lines_s25));
    inv.is_credit_note = 1;
    inv.issue_date = 20250301;
    inv.due_date = 20250331;
    inv.billing_ref = "KC2025-291";
    inv.billing_ref_date = 20250115;
    return inv;
}

static ip_invoice inv_credit_o(void)
{
    ip_invoice inv = base_invoice("KC2025-110-K1", &cust_110, lines_one, 1);
    inv.is_credit_note = 1;
    inv.note = NULL;
    inv.billing_ref = "KC2025-110";
    return inv;
}

/* Amounts at the edges of the formatting: 0, 1, 10, 99 öre, 10^15 kr. */
static const ip_invoice_line lines_decimals[] = {
    {"1", "a", NULL, NULL, 0},  {"2", "b", NULL, NULL, 1},
    {"3", "c", NULL, NULL, 10}, {"4", "d", NULL, NULL, 99},
    {"5", "e", NULL, NULL, INT64_C(100000000000000000)},
};

static ip_invoice inv_decimals(void)
{
    return base_invoice("KC2025-110-D", &cust_110, lines_decimals,
                        IP_ARRAY_LEN(lines_decimals));
}

static ip_invoice inv_period(void)
{
    ip_invoice inv = base_invoice("KC2025-110-P", &cust_110, lines_one, 1);
    inv.period_start = 20250101;
    inv.period_end = 20251231;
    return inv;
}

/* A company's invoice with the seller's three kinds of account and the
 * buyer's own endpoint. */
static ip_invoice inv_paid(void)
{
    ip_invoice inv = base_invoice("KC2025-294", &cust_294, lines_s25, IP_ARRAY_LEN(lines_s25));
    inv.payment = &pay_all;
    return inv;
}

static ip_invoice inv_paid_credit(void)
{
    ip_invoice inv = inv_paid();
    inv.number = "KC2025-294-K1";
    inv.is_credit_note = 1;
    inv.billing_ref = "KC2025-294";
    return inv;
}

static ip_invoice inv_no_street(void)
{
    ip_invoice inv = base_invoice("KC2025-292", &cust_292, lines_one, 1);
    inv.note = NULL;
    return inv;
}

/* --- helpers -------------------------------------------------------------- */

static char tmpdir[512];

static int group_setup(void **state)
{
    const char *t = getenv("TMPDIR");
    (void)state;
    init_customers();
    snprintf(tmpdir, sizeof tmpdir, "%s/test_invoice.XXXXXX", t && *t ? t : "/tmp");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int group_teardown(void **state)
{
    char *cmd = ip_xasprintf("rm -rf '%s'", tmpdir);
    int rc;
    (void)state;
    rc = system(cmd);
    free(cmd);
    xmlCleanupParser();
    return rc == 0 ? 0 : -1;
}

static char *tmp_path(const char *name)
{
    return ip_xasprintf("%s/%s", tmpdir, name);
}

/* Writes inv to tmpdir/name and returns the parsed document. */
static xmlDocPtr write_and_parse(const ip_invoice *inv, const char *name)
{
    char *path = tmp_path(name);
    ip_diag d;
    xmlDocPtr doc;
    ip_diag_clear(&d);
    if (ip_invoice_write(inv, path, &d) != IP_OK)
        fail_msg("ip_invoice_write: %s", d.msg);
    doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS);
    assert_non_null(doc);
    free(path);
    return doc;
}

/* The string value of an XPath expression, in a static buffer. */
static const char *xp(xmlDocPtr doc, const char *expr)
{
    static char out[1024];
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    xmlXPathObjectPtr r;
    char *full = ip_xasprintf("string(%s)", expr);
    assert_non_null(ctx);
    xmlXPathRegisterNs(ctx, BAD_CAST "inv",
                       BAD_CAST "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2");
    xmlXPathRegisterNs(ctx, BAD_CAST "cn",
                       BAD_CAST "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2");
    xmlXPathRegisterNs(
        ctx, BAD_CAST "cac",
        BAD_CAST "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2");
    xmlXPathRegisterNs(
        ctx, BAD_CAST "cbc",
        BAD_CAST "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2");
    r = xmlXPathEvalExpression(BAD_CAST full, ctx);
    if (!r)
        fail_msg("bad xpath %s", expr);
    snprintf(out, sizeof out, "%s", r->stringval ? (const char *)r->stringval : "");
    xmlXPathFreeObject(r);
    xmlXPathFreeContext(ctx);
    free(full);
    return out;
}

#define assert_xp(doc, expr, want) assert_string_equal(xp((doc), (expr)), (want))

/* --- tests ---------------------------------------------------------------- */

static void test_invoice_o_has_no_vat_and_exact_totals(void **state)
{
    ip_invoice inv = inv_o();
    xmlDocPtr doc = write_and_parse(&inv, "o.xml");
    (void)state;
    assert_string_equal((const char *)xmlDocGetRootElement(doc)->name, "Invoice");
    assert_xp(doc, "/inv:Invoice/cbc:CustomizationID",
              "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0");
    assert_xp(doc, "/inv:Invoice/cbc:ProfileID", "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0");
    assert_xp(doc, "/inv:Invoice/cbc:ID", "KC2025-110");
    assert_xp(doc, "/inv:Invoice/cbc:IssueDate", "2025-01-15");
    assert_xp(doc, "/inv:Invoice/cbc:DueDate", "2025-02-14");
    assert_xp(doc, "/inv:Invoice/cbc:InvoiceTypeCode", "380");
    assert_xp(doc, "count(/inv:Invoice/cbc:Note)", "1");
    assert_xp(doc, "/inv:Invoice/cbc:DocumentCurrencyCode", "SEK");
    assert_xp(doc, "/inv:Invoice/cbc:BuyerReference", "110-KC");
    assert_xp(doc, "count(//cac:InvoicePeriod)", "0");
    assert_xp(doc, "/inv:Invoice/cac:PaymentTerms/cbc:Note", "30 dagar netto");
    /* seller: org nr, no VAT identifier with category O (BR-O-02) */
    assert_xp(doc, "//cac:AccountingSupplierParty/cac:Party/cbc:EndpointID", "2120000142");
    assert_xp(doc, "//cac:AccountingSupplierParty/cac:Party/cbc:EndpointID/@schemeID", "0007");
    assert_xp(doc, "count(//cac:PartyTaxScheme)", "0");
    assert_xp(doc, "//cac:AccountingSupplierParty//cac:PartyLegalEntity/cbc:RegistrationName",
              "Stockholms stad, Serviceförvaltningen");
    assert_xp(doc, "//cac:AccountingSupplierParty//cac:PartyLegalEntity/cbc:CompanyID",
              "2120000142");
    assert_xp(doc, "//cac:AccountingSupplierParty//cac:Contact/cbc:ElectronicMail",
              "kontaktcenter@stockholm.se");
    /* buyer */
    assert_xp(doc, "//cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", "2120000142");
    assert_xp(doc, "//cac:AccountingCustomerParty//cac:PartyIdentification/cbc:ID", "110");
    assert_xp(doc, "//cac:AccountingCustomerParty//cbc:RegistrationName",
              "Stadsledningskontoret");
    assert_xp(doc, "//cac:AccountingCustomerParty//cbc:StreetName",
              "Stadshuset, Hantverkargatan 1");
    assert_xp(doc, "//cac:AccountingCustomerParty//cbc:PostalZone", "105 35");
    /* VAT breakdown and totals: 155 249 + 495 612 + 180 000 + 607 200 kr */
    assert_xp(doc, "/inv:Invoice/cac:TaxTotal/cbc:TaxAmount", "0.00");
    assert_xp(doc, "/inv:Invoice/cac:TaxTotal/cbc:TaxAmount/@currencyID", "SEK");
    assert_xp(doc, "//cac:TaxSubtotal/cbc:TaxableAmount", "1438061.00");
    assert_xp(doc, "//cac:TaxSubtotal/cbc:TaxAmount", "0.00");
    assert_xp(doc, "//cac:TaxSubtotal/cac:TaxCategory/cbc:ID", "O");
    assert_xp(doc, "//cac:TaxSubtotal/cac:TaxCategory/cbc:TaxExemptionReasonCode",
              "VATEX-EU-O");
    assert_xp(doc, "count(//cbc:Percent)", "0");
    assert_xp(doc, "//cac:LegalMonetaryTotal/cbc:LineExtensionAmount", "1438061.00");
    assert_xp(doc, "//cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount", "1438061.00");
    assert_xp(doc, "//cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount", "1438061.00");
    assert_xp(doc, "//cac:LegalMonetaryTotal/cbc:PayableAmount", "1438061.00");
    /* lines */
    assert_xp(doc, "count(/inv:Invoice/cac:InvoiceLine)", "4");
    assert_xp(doc, "/inv:Invoice/cac:InvoiceLine[2]/cbc:ID", "2");
    assert_xp(doc, "/inv:Invoice/cac:InvoiceLine[2]/cbc:InvoicedQuantity", "1");
    assert_xp(doc, "/inv:Invoice/cac:InvoiceLine[2]/cbc:InvoicedQuantity/@unitCode", "EA");
    assert_xp(doc, "/inv:Invoice/cac:InvoiceLine[2]/cbc:LineExtensionAmount", "495612.00");
    assert_xp(doc, "/inv:Invoice/cac:InvoiceLine[2]/cac:Item/cbc:Name",
              "Stockholm Direkt, kontaktcentertjänst");
    assert_xp(doc, "/inv:Invoice/cac:InvoiceLine[2]/cac:Item/cbc:Description",
              "8 286 av 33 437 ärenden 2023-07-01–2024-06-30, andel 24,78 %");
    assert_xp(doc,
              "/inv:Invoice/cac:InvoiceLine[2]/cac:Item/cac:SellersItemIdentification/cbc:ID",
              "direkt");
    assert_xp(doc, "/inv:Invoice/cac:InvoiceLine[2]/cac:Item/cac:ClassifiedTaxCategory/cbc:ID",
              "O");
    assert_xp(doc, "/inv:Invoice/cac:InvoiceLine[2]/cac:Price/cbc:PriceAmount", "495612.00");
    assert_xp(doc, "/inv:Invoice/cac:InvoiceLine[4]/cbc:LineExtensionAmount", "607200.00");
    xmlFreeDoc(doc);
}

static void test_invoice_s25_rounds_vat_half_up(void **state)
{
    ip_invoice inv = inv_s25();
    xmlDocPtr doc = write_and_parse(&inv, "s25.xml");
    (void)state;
    assert_xp(doc, "//cac:AccountingSupplierParty//cac:PartyTaxScheme/cbc:CompanyID",
              "SE212000014201");
    assert_xp(doc, "//cac:AccountingSupplierParty//cac:PartyTaxScheme/cac:TaxScheme/cbc:ID",
              "VAT");
    assert_xp(doc, "count(//cac:AccountingCustomerParty//cac:PartyTaxScheme)", "0");
    assert_xp(doc, "//cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", "5565032520");
    assert_xp(doc, "/inv:Invoice/cac:InvoiceLine[1]/cbc:LineExtensionAmount", "1000.01");
    assert_xp(doc, "/inv:Invoice/cac:InvoiceLine[2]/cbc:LineExtensionAmount", "333.33");
    assert_xp(doc, "count(/inv:Invoice/cac:InvoiceLine[2]/cac:Item/cbc:Description)", "0");
    assert_xp(doc, "//cac:TaxSubtotal/cbc:TaxableAmount", "1333.34");
    assert_xp(doc, "//cac:TaxSubtotal/cbc:TaxAmount", "333.34"); /* 333.335 up */
    assert_xp(doc, "/inv:Invoice/cac:TaxTotal/cbc:TaxAmount", "333.34");
    assert_xp(doc, "//cac:TaxSubtotal/cac:TaxCategory/cbc:ID", "S");
    assert_xp(doc, "//cac:TaxSubtotal/cac:TaxCategory/cbc:Percent", "25");
    assert_xp(doc, "count(//cbc:TaxExemptionReasonCode)", "0");
    assert_xp(doc, "//cac:InvoiceLine[1]/cac:Item/cac:ClassifiedTaxCategory/cbc:Percent", "25");
    assert_xp(doc, "//cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount", "1333.34");
    assert_xp(doc, "//cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount", "1666.68");
    assert_xp(doc, "//cac:LegalMonetaryTotal/cbc:PayableAmount", "1666.68");
    xmlFreeDoc(doc);
}

static void test_invoice_amounts_have_two_decimals(void **state)
{
    ip_invoice inv = inv_decimals();
    xmlDocPtr doc = write_and_parse(&inv, "decimals.xml");
    (void)state;
    assert_xp(doc, "//cac:InvoiceLine[1]/cbc:LineExtensionAmount", "0.00");
    assert_xp(doc, "//cac:InvoiceLine[2]/cbc:LineExtensionAmount", "0.01");
    assert_xp(doc, "//cac:InvoiceLine[3]/cbc:LineExtensionAmount", "0.10");
    assert_xp(doc, "//cac:InvoiceLine[4]/cbc:LineExtensionAmount", "0.99");
    assert_xp(doc, "//cac:InvoiceLine[5]/cbc:LineExtensionAmount", "1000000000000000.00");
    assert_xp(doc, "//cac:LegalMonetaryTotal/cbc:PayableAmount", "1000000000000001.10");
    xmlFreeDoc(doc);
}

static void test_invoice_escapes_markup_in_text(void **state)
{
    ip_invoice inv = inv_markup();
    xmlDocPtr doc = write_and_parse(&inv, "markup.xml");
    char *path = tmp_path("markup.xml");
    char *raw = ip_read_file(path, NULL);
    (void)state;
    assert_non_null(raw);
    assert_xp(doc, "//cac:AccountingCustomerParty//cac:PartyName/cbc:Name",
              "Bolag <&\"'> & Co AB");
    assert_xp(doc, "//cac:AccountingCustomerParty//cbc:RegistrationName",
              "Bolag <&\"'> & Co AB");
    assert_xp(doc, "/inv:Invoice/cbc:BuyerReference", "R&D <1>");
    assert_xp(doc, "//cac:InvoiceLine/cac:Item/cbc:Name", "Tjänst <special> & \"citat\" 'enkla'");
    assert_xp(doc, "//cac:InvoiceLine/cac:Item/cbc:Description", "a < b && c > d");
    assert_xp(doc, "//cac:SellersItemIdentification/cbc:ID", "x&y");
    assert_xp(doc, "count(//cac:AccountingCustomerParty//cbc:StreetName)", "0");
    assert_xp(doc, "//cac:AccountingCustomerParty//cbc:CityName", "Stockholm");
    assert_non_null(strstr(raw, "Bolag &lt;&amp;"));
    assert_null(strstr(raw, "<special>"));
    free(raw);
    free(path);
    xmlFreeDoc(doc);
}

static void test_invoice_credit_note_references_invoice(void **state)
{
    ip_invoice inv = inv_credit();
    xmlDocPtr doc = write_and_parse(&inv, "credit.xml");
    (void)state;
    assert_string_equal((const char *)xmlDocGetRootElement(doc)->name, "CreditNote");
    assert_xp(doc, "/cn:CreditNote/cbc:ID", "KC2025-291-K1");
    assert_xp(doc, "/cn:CreditNote/cbc:IssueDate", "2025-03-01");
    assert_xp(doc, "/cn:CreditNote/cbc:CreditNoteTypeCode", "381");
    assert_xp(doc, "count(//cbc:DueDate)", "0");
    assert_xp(doc, "count(//cbc:InvoiceTypeCode)", "0");
    assert_xp(doc, "/cn:CreditNote/cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID",
              "KC2025-291");
    assert_xp(doc,
              "/cn:CreditNote/cac:BillingReference/cac:InvoiceDocumentReference/cbc:IssueDate",
              "2025-01-15");
    assert_xp(doc, "/cn:CreditNote/cac:PaymentTerms/cbc:Note", "Förfallodag 2025-03-31");
    assert_xp(doc, "count(//cac:InvoiceLine)", "0");
    assert_xp(doc, "count(/cn:CreditNote/cac:CreditNoteLine)", "2");
    assert_xp(doc, "/cn:CreditNote/cac:CreditNoteLine[1]/cbc:CreditedQuantity", "1");
    assert_xp(doc, "/cn:CreditNote/cac:CreditNoteLine[1]/cbc:CreditedQuantity/@unitCode", "EA");
    assert_xp(doc, "/cn:CreditNote/cac:CreditNoteLine[1]/cbc:LineExtensionAmount", "1000.01");
    assert_xp(doc, "//cac:TaxSubtotal/cbc:TaxAmount", "333.34");
    assert_xp(doc, "//cac:LegalMonetaryTotal/cbc:PayableAmount", "1666.68");
    xmlFreeDoc(doc);
}

static void test_invoice_period_is_written(void **state)
{
    ip_invoice inv = inv_period();
    xmlDocPtr doc = write_and_parse(&inv, "period.xml");
    (void)state;
    assert_xp(doc, "/inv:Invoice/cac:InvoicePeriod/cbc:StartDate", "2025-01-01");
    assert_xp(doc, "/inv:Invoice/cac:InvoicePeriod/cbc:EndDate", "2025-12-31");
    xmlFreeDoc(doc);
}

static void test_invoice_buyer_without_address_has_country(void **state)
{
    ip_invoice inv = inv_no_street();
    xmlDocPtr doc = write_and_parse(&inv, "nostreet.xml");
    (void)state;
    assert_xp(doc, "count(//cac:AccountingCustomerParty//cac:PostalAddress/*)", "1");
    assert_xp(doc,
              "//cac:AccountingCustomerParty//cac:PostalAddress/cac:Country/cbc:IdentificationCode",
              "SE");
    assert_xp(doc, "count(/inv:Invoice/cbc:Note)", "0");
    xmlFreeDoc(doc);
}

static void test_invoice_payment_means_and_endpoint(void **state)
{
    ip_invoice inv = inv_paid();
    xmlDocPtr doc = write_and_parse(&inv, "paid.xml");
    char *path;
    ip_invoice_doc *back = NULL;
    ip_diag d;
    (void)state;
    assert_xp(doc, "//cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", "7350001002941");
    assert_xp(doc, "//cac:AccountingCustomerParty/cac:Party/cbc:EndpointID/@schemeID", "0088");
    assert_xp(doc, "//cac:AccountingCustomerParty//cac:PartyLegalEntity/cbc:CompanyID",
              "5565032520");
    assert_xp(doc, "count(/inv:Invoice/cac:PaymentMeans)", "3");
    assert_xp(doc, "/inv:Invoice/cac:PaymentMeans[1]/cbc:PaymentMeansCode", "30");
    assert_xp(doc, "/inv:Invoice/cac:PaymentMeans[1]/cbc:PaymentID", "KC2025-294");
    assert_xp(doc, "/inv:Invoice/cac:PaymentMeans[1]/cac:PayeeFinancialAccount/cbc:ID", "50501055");
    assert_xp(doc, "/inv:Invoice/cac:PaymentMeans[1]/cac:PayeeFinancialAccount/"
                   "cac:FinancialInstitutionBranch/cbc:ID", "SE:BANKGIRO");
    assert_xp(doc, "/inv:Invoice/cac:PaymentMeans[2]/cac:PayeeFinancialAccount/cbc:ID", "9012345");
    assert_xp(doc, "/inv:Invoice/cac:PaymentMeans[2]/cac:PayeeFinancialAccount/"
                   "cac:FinancialInstitutionBranch/cbc:ID", "SE:PLUSGIRO");
    assert_xp(doc, "/inv:Invoice/cac:PaymentMeans[3]/cbc:PaymentMeansCode", "30");
    assert_xp(doc, "/inv:Invoice/cac:PaymentMeans[3]/cac:PayeeFinancialAccount/cbc:ID",
              "SE4550000000058398257466");
    assert_xp(doc, "/inv:Invoice/cac:PaymentMeans[3]/cac:PayeeFinancialAccount/"
                   "cac:FinancialInstitutionBranch/cbc:ID", "ESSESESS");
    /* after the parties, before the payment terms (UBL 2.1 order) */
    assert_xp(doc, "name(/inv:Invoice/cac:PaymentMeans[3]/following-sibling::*[1])",
              "cac:PaymentTerms");
    assert_xp(doc, "name(/inv:Invoice/cac:PaymentMeans[1]/preceding-sibling::*[1])",
              "cac:AccountingCustomerParty");
    xmlFreeDoc(doc);
    /* read back, the endpoint comes with the buyer (a credit note mirrors it) */
    path = tmp_path("paid.xml");
    assert_int_equal(ip_invoice_read(path, &back, &d), IP_OK);
    assert_string_equal(back->buyer.endpoint_scheme, "0088");
    assert_string_equal(back->buyer.endpoint_id, "7350001002941");
    ip_invoice_doc_free(back);
    free(path);
    /* the organisation number under 0007 reads back as no endpoint */
    inv = inv_s25();
    doc = write_and_parse(&inv, "s25-back.xml");
    xmlFreeDoc(doc);
    path = tmp_path("s25-back.xml");
    assert_int_equal(ip_invoice_read(path, &back, &d), IP_OK);
    assert_null(back->buyer.endpoint_id);
    assert_string_equal(back->buyer.endpoint_scheme, "");
    ip_invoice_doc_free(back);
    free(path);

    /* a credit note asks for no payment */
    inv = inv_paid_credit();
    doc = write_and_parse(&inv, "paid-credit.xml");
    assert_xp(doc, "count(//cac:PaymentMeans)", "0");
    assert_xp(doc, "//cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", "7350001002941");
    xmlFreeDoc(doc);
    /* an IBAN alone */
    inv = inv_s25();
    inv.payment = &pay_iban;
    doc = write_and_parse(&inv, "iban.xml");
    assert_xp(doc, "count(//cac:PaymentMeans)", "1");
    assert_xp(doc, "//cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID",
              "SE4550000000058398257466");
    xmlFreeDoc(doc);
}

/* Expects ip_invoice_write to refuse inv with code, a message containing
 * want, and no file left behind. */
static void expect_refused(const ip_invoice *inv, ip_err code, const char *want)
{
    char *path = tmp_path("refused.xml");
    char *tmp = tmp_path("refused.xml.tmp");
    ip_diag d;
    struct stat st;
    ip_diag_clear(&d);
    assert_int_equal(ip_invoice_write(inv, path, &d), code);
    assert_int_equal(d.code, code);
    if (!strstr(d.msg, want))
        fail_msg("message '%s' lacks '%s'", d.msg, want);
    assert_int_not_equal(stat(path, &st), 0);
    assert_int_not_equal(stat(tmp, &st), 0);
    free(tmp);
    free(path);
}

static void test_invoice_refuses_invalid_documents(void **state)
{
    static const ip_invoice_line negative[] = {
        {"1", "a", NULL, NULL, 100}, {"2", "b", NULL, NULL, -1},
    };
    static const ip_invoice_line blank_name[] = {{"1", " \t", NULL, NULL, 100}};
    static const ip_invoice_line bad_utf8[] = {{"1", "caf\xc3", NULL, NULL, 100}};
    static const ip_invoice_line control[] = {{"1", "a\x01z", NULL, NULL, 100}};
    static const ip_invoice_line overflow[] = {
        {"1", "a", NULL, NULL, INT64_MAX}, {"2", "b", NULL, NULL, 1},
    };
    ip_invoice inv;
    ip_seller no_vat = seller;
    ip_group s0 = group_s25;
    ip_customer bad_org = cust_291;
    ip_customer no_ref = cust_291;
    (void)state;

    inv = inv_o();
    inv.nlines = 0;
    expect_refused(&inv, IP_ERR_SOFTWARE, "no lines");

    inv = base_invoice("KC2025-1", &cust_110, negative, 2);
    expect_refused(&inv, IP_ERR_SOFTWARE, "line 2 has a negative amount");

    inv = base_invoice("KC2025-1", &cust_110, blank_name, 1);
    expect_refused(&inv, IP_ERR_SOFTWARE, "line 1 name is empty");

    inv = base_invoice("KC2025-1", &cust_110, bad_utf8, 1);
    expect_refused(&inv, IP_ERR_SOFTWARE, "not valid UTF-8");

    inv = base_invoice("KC2025-1", &cust_110, control, 1);
    expect_refused(&inv, IP_ERR_SOFTWARE, "not valid UTF-8 XML text");

    inv = base_invoice("KC2025-1", &cust_110, overflow, 2);
    expect_refused(&inv, IP_ERR_SOFTWARE, "overflows");

    /* VAT category S without the seller's VAT identifier (BR-S-02) */
    no_vat.vat_id = NULL;
    inv = inv_s25();
    inv.seller = &no_vat;
    expect_refused(&inv, IP_ERR_SOFTWARE, "VAT identifier");

    s0.vat_percent = 0;
    inv = inv_s25();
    inv.group = &s0;
    expect_refused(&inv, IP_ERR_SOFTWARE, "rate above 0");

    snprintf(bad_org.org_nr, sizeof bad_org.org_nr, "%s", "5565032521");
    inv = inv_s25();
    inv.buyer = &bad_org;
    expect_refused(&inv, IP_ERR_SOFTWARE, "buyer organisation number");

    no_ref.reference = NULL;
    inv = inv_s25();
    inv.buyer = &no_ref;
    expect_refused(&inv, IP_ERR_SOFTWARE, "buyer reference is empty");

    inv = inv_o();
    inv.number = "";
    expect_refused(&inv, IP_ERR_SOFTWARE, "number is empty");

    inv = inv_o();
    inv.due_date = 20250101;
    expect_refused(&inv, IP_ERR_SOFTWARE, "due date is before");

    inv = inv_credit();
    inv.due_date = 0;
    expect_refused(&inv, IP_ERR_SOFTWARE, "no due date");

    inv = inv_period();
    inv.period_end = 20241231;
    expect_refused(&inv, IP_ERR_SOFTWARE, "period ends before it starts");

    /* an endpoint the validation would refuse (PEPPOL-COMMON-R040, R049) */
    bad_org = cust_294;
    bad_org.endpoint_id = (char *)"7350001002942";
    inv = inv_paid();
    inv.buyer = &bad_org;
    expect_refused(&inv, IP_ERR_SOFTWARE, "buyer endpoint");
    bad_org = cust_294;
    snprintf(bad_org.endpoint_scheme, sizeof bad_org.endpoint_scheme, "%s", "0007");
    inv = inv_paid();
    inv.buyer = &bad_org;
    expect_refused(&inv, IP_ERR_SOFTWARE, "buyer endpoint");
    {
        ip_payment no_bic = pay_iban;
        no_bic.bic = NULL;
        inv = inv_paid();
        inv.payment = &no_bic;
        expect_refused(&inv, IP_ERR_SOFTWARE, "an IBAN without a BIC");
    }
}

static void test_invoice_cannot_create_is_cantcreat(void **state)
{
    ip_invoice inv = inv_o();
    char *path = tmp_path("no-such-folder/KC2025-110.xml");
    ip_diag d;
    (void)state;
    ip_diag_clear(&d);
    assert_int_equal(ip_invoice_write(&inv, path, &d), IP_ERR_CANTCREAT);
    assert_string_equal(d.msg, "cannot create: No such file or directory");
    assert_non_null(strstr(d.file, "no-such-folder/KC2025-110.xml"));
    free(path);
}

static void test_invoice_short_write_is_io_error(void **state)
{
    /* A file size limit makes write() fail with EFBIG, like a full disk. */
    ip_invoice inv = inv_o();
    char *path = tmp_path("full.xml");
    char *tmp = tmp_path("full.xml.tmp");
    struct rlimit old, lim;
    void (*old_handler)(int);
    ip_diag d;
    ip_err e;
    struct stat st;
    (void)state;
    ip_diag_clear(&d);
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    lim = old;
    lim.rlim_cur = 512;
    old_handler = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    e = ip_invoice_write(&inv, path, &d);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, old_handler);
    assert_int_equal(e, IP_ERR_IO);
    assert_string_equal(d.msg, "cannot write: File too large");
    assert_string_equal(d.file, path);
    assert_int_not_equal(stat(path, &st), 0);
    assert_int_not_equal(stat(tmp, &st), 0);
    free(tmp);
    free(path);
}

static void test_invoice_output_is_deterministic(void **state)
{
    ip_invoice inv = inv_s25();
    char *p1 = tmp_path("det1.xml"), *p2 = tmp_path("det2.xml");
    char *a, *b;
    size_t la, lb;
    ip_diag d;
    (void)state;
    assert_int_equal(ip_invoice_write(&inv, p1, &d), IP_OK);
    assert_int_equal(ip_invoice_write(&inv, p2, &d), IP_OK);
    a = ip_read_file(p1, &la);
    b = ip_read_file(p2, &lb);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(la, lb);
    assert_memory_equal(a, b, la);
    assert_true(strncmp(a, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 39) == 0);
    free(a);
    free(b);
    free(p1);
    free(p2);
}

/* --- reading a stored invoice back --------------------------------------- */

static void write_text_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void test_invoice_reads_back_for_its_credit_note(void **state)
{
    char s_name[] = "Stockholms stad", s_org[] = "2120000142", s_vat[] = "SE212000014201";
    char s_street[] = "Fleminggatan 4", s_post[] = "104 20", s_city[] = "Stockholm";
    char g_id[] = "bolag", g_label[] = "Bolag";
    char c_name[] = "Bostad <&> \"AB\"", c_ref[] = "R&D 1", c_street[] = "Gatan 1";
    ip_seller own_seller = {s_name, s_org, s_vat, s_street, s_post, s_city, NULL};
    ip_group group = {g_id, g_label, IP_VAT_S, 25};
    ip_customer cust;
    ip_invoice_line lines[2] = {
        {"1", "E-tjänstsupport", "201 av 2 846 ärenden", "etjanst", 141250},
        {"2", "Stockholm Direkt", NULL, "direkt", 204117},
    };
    ip_invoice inv;
    ip_invoice_doc *doc = NULL;
    ip_diag d;
    char *path = tmp_path("2025-291-11.xml");
    char *cn_path = tmp_path("2025-291-11-K1.xml");

    (void)state;
    memset(&cust, 0, sizeof cust);
    cust.nr = 291;
    cust.name = c_name;
    cust.group = &group;
    snprintf(cust.org_nr, sizeof cust.org_nr, "%s", "5564513827");
    cust.reference = c_ref;
    cust.street = c_street;
    memset(&inv, 0, sizeof inv);
    inv.number = "KC2025-291-11";
    inv.issue_date = 20251101;
    inv.due_date = 20251201;
    inv.currency = "SEK";
    inv.seller = &own_seller;
    inv.buyer = &cust;
    inv.group = &group;
    inv.period_start = 20251101;
    inv.period_end = 20251130;
    inv.lines = lines;
    inv.nlines = 2;
    assert_int_equal(ip_invoice_write(&inv, path, &d), IP_OK);

    assert_int_equal(ip_invoice_read(path, &doc, &d), IP_OK);
    assert_int_equal(doc->inv.is_credit_note, 0);
    assert_string_equal(doc->inv.number, "KC2025-291-11");
    assert_int_equal(doc->inv.issue_date, 20251101);
    assert_int_equal(doc->inv.due_date, 20251201);
    assert_int_equal(doc->inv.period_start, 20251101);
    assert_int_equal(doc->inv.period_end, 20251130);
    assert_int_equal(doc->buyer.nr, 291);
    assert_string_equal(doc->buyer.name, c_name);
    assert_string_equal(doc->buyer.org_nr, "5564513827");
    assert_string_equal(doc->buyer.reference, c_ref);
    assert_string_equal(doc->buyer.street, c_street);
    assert_null(doc->buyer.city);
    assert_int_equal(doc->group.vat, IP_VAT_S);
    assert_int_equal(doc->group.vat_percent, 25);
    assert_int_equal(doc->inv.nlines, 2);
    assert_string_equal(doc->inv.lines[0].description, "201 av 2 846 ärenden");
    assert_null(doc->inv.lines[1].description);
    assert_string_equal(doc->inv.lines[1].service_id, "direkt");
    assert_int_equal(doc->inv.lines[0].amount_ore, 141250);
    assert_int_equal(doc->inv.lines[1].amount_ore, 204117);

    /* the credit note written from what was read refers to the invoice and
     * reads back with the same lines */
    doc->inv.is_credit_note = 1;
    doc->inv.number = "KC2025-291-11-K1";
    doc->inv.seller = &own_seller;
    doc->inv.billing_ref = "KC2025-291-11";
    doc->inv.billing_ref_date = 20251101;
    assert_int_equal(ip_invoice_write(&doc->inv, cn_path, &d), IP_OK);
    ip_invoice_doc_free(doc);
    assert_int_equal(ip_invoice_read(cn_path, &doc, &d), IP_OK);
    assert_int_equal(doc->inv.is_credit_note, 1);
    assert_string_equal(doc->inv.billing_ref, "KC2025-291-11");
    assert_int_equal(doc->inv.lines[1].amount_ore, 204117);
    ip_invoice_doc_free(doc);

    /* not a UBL document: a data error naming what is missing */
    write_text_file(path, "<Invoice xmlns=\"x\"/>\n");
    assert_int_equal(ip_invoice_read(path, &doc, &d), IP_ERR_DATA);
    assert_null(doc);
    write_text_file(path, "not xml");
    assert_int_equal(ip_invoice_read(path, &doc, &d), IP_ERR_DATA);
    unlink(path);
    assert_int_equal(ip_invoice_read(path, &doc, &d), IP_ERR_IO);
    free(path);
    free(cn_path);
}

/* Runs the official validation on every kind of document we write. */
static void test_invoice_files_pass_validator(void **state)
{
    struct { const char *name; ip_invoice inv; } docs[10];
    ip_buf cmd, out;
    char chunk[4096];
    size_t i, n = 0, got;
    FILE *p;
    int status;
    ip_diag d;
    (void)state;

    docs[n].name = "v-o.xml", docs[n].inv = inv_o(), n++;
    docs[n].name = "v-s25.xml", docs[n].inv = inv_s25(), n++;
    docs[n].name = "v-markup.xml", docs[n].inv = inv_markup(), n++;
    docs[n].name = "v-credit.xml", docs[n].inv = inv_credit(), n++;
    docs[n].name = "v-credit-o.xml", docs[n].inv = inv_credit_o(), n++;
    docs[n].name = "v-period.xml", docs[n].inv = inv_period(), n++;
    docs[n].name = "v-nostreet.xml", docs[n].inv = inv_no_street(), n++;
    docs[n].name = "v-decimals.xml", docs[n].inv = inv_decimals(), n++;
    docs[n].name = "v-paid.xml", docs[n].inv = inv_paid(), n++;
    docs[n].name = "v-paid-credit.xml", docs[n].inv = inv_paid_credit(), n++;

    ip_buf_init(&cmd);
    ip_buf_init(&out);
    /* -q: only files with errors or warnings are printed, then the summary */
    ip_buf_adds(&cmd, VALIDATOR " -q");
    for (i = 0; i < n; i++) {
        char *path = tmp_path(docs[i].name);
        ip_diag_clear(&d);
        if (ip_invoice_write(&docs[i].inv, path, &d) != IP_OK)
            fail_msg("%s: %s", docs[i].name, d.msg);
        ip_buf_addf(&cmd, " '%s'", path);
        free(path);
    }
    ip_buf_adds(&cmd, " 2>&1 </dev/null");

    p = popen(cmd.buf, "r");
    assert_non_null(p);
    while ((got = fread(chunk, 1, sizeof chunk, p)) > 0)
        ip_buf_add(&out, chunk, got);
    status = pclose(p);
    print_message("%s", out.buf);
    fflush(stdout);
    if (status == -1 || !WIFEXITED(status))
        fail_msg("validator did not run: %s", cmd.buf);
    if (WEXITSTATUS(status) == 126 || WEXITSTATUS(status) == 127)
        fail_msg("cannot run %s (the tests run from the repository root)", VALIDATOR);
    if (WEXITSTATUS(status) == 2)
        fail_msg("validator could not set itself up (exit 2)");
    assert_int_equal(WEXITSTATUS(status), 0);
    snprintf(chunk, sizeof chunk, "validate-ubl: %zu valid, 0 invalid (of %zu file(s))", n, n);
    if (!strstr(out.buf, chunk))
        fail_msg("the validator's summary is not '%s'", chunk);
    /* no warnings either: with -q a file is listed only when it has some */
    if (strncmp(out.buf, "== ", 3) == 0 || strstr(out.buf, "\n== "))
        fail_msg("the validator reported warnings");
    ip_buf_release(&out);
    ip_buf_release(&cmd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invoice_o_has_no_vat_and_exact_totals),
        cmocka_unit_test(test_invoice_s25_rounds_vat_half_up),
        cmocka_unit_test(test_invoice_amounts_have_two_decimals),
        cmocka_unit_test(test_invoice_escapes_markup_in_text),
        cmocka_unit_test(test_invoice_credit_note_references_invoice),
        cmocka_unit_test(test_invoice_payment_means_and_endpoint),
        cmocka_unit_test(test_invoice_period_is_written),
        cmocka_unit_test(test_invoice_buyer_without_address_has_country),
        cmocka_unit_test(test_invoice_refuses_invalid_documents),
        cmocka_unit_test(test_invoice_cannot_create_is_cantcreat),
        cmocka_unit_test(test_invoice_short_write_is_io_error),
        cmocka_unit_test(test_invoice_output_is_deterministic),
        cmocka_unit_test(test_invoice_reads_back_for_its_credit_note),
        cmocka_unit_test(test_invoice_files_pass_validator),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
