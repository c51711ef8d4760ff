/*
 * invoice.c — one UBL 2.1 Invoice (380) or CreditNote (381) per customer,
 * conforming to PEPPOL BIS Billing 3.0 and its Swedish rules.
 *
 * The document is built with libxml2's xmlTextWriter into a memory buffer
 * (the writer escapes text, so names with < & " ' > come out right), and only
 * a complete document is written to disk, in one pass, into a stage
 * (stage.h) that no reader sees before its commit has made it durable.
 *
 * Everything the PEPPOL validation would reject is refused here first with
 * IP_ERR_SOFTWARE: no lines, a negative amount, an empty required text, text
 * that cannot be XML, a VAT category without what it needs. Money is int64_t
 * öre throughout, printed by ip_money_fmt() (money.h); no double anywhere.
 *
 * ip_invoice_read() is the writer's inverse for what a credit note needs:
 * it reads a stored invoice back (buyer, VAT category, lines, period) so the
 * credit note mirrors exactly what was issued, not what a re-run computes.
 *
 * Element order follows the UBL 2.1 XSD (maindoc/UBL-Invoice-2.1.xsd and
 * UBL-CreditNote-2.1.xsd); the rule ids in comments are those of the
 * EN 16931 and PEPPOL schematron (see ../shared/validation/README.md).
 */
#include "invoice.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/encoding.h>
#include <libxml/parser.h>
#include <libxml/xmlstring.h>
#include <libxml/xmlwriter.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "date.h"
#include "files.h"
#include "money.h"
#include "parse.h"
#include "utf8.h"
#include "stage.h"
#include "util.h"

#define UBL_CUSTOMIZATION_ID \
    "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
#define UBL_PROFILE_ID "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
#define NS_INVOICE "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
#define NS_CREDIT_NOTE "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
#define NS_CAC "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
#define NS_CBC "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
/* ICD 0007: Swedish organisation number, for EndpointID and CompanyID. */
#define SCHEME_SE_ORGNR "0007"
/* ICD 0088: GS1 GLN, an EndpointID the register may give. */
#define SCHEME_GLN "0088"
/* UNCL4461 30: credit transfer, what the Swedish rules want for bankgiro,
 * plusgiro and a bank account (SE-R-011, SE-R-012). */
#define PAYMENT_MEANS_CREDIT_TRANSFER "30"
/* A stored document read back is at most this large (it was written here,
 * a few kilobytes). */
#define MAX_DOC_BYTES (16u << 20)

/* --- checks ------------------------------------------------------------ */

/* 1 when s has visible content: PEPPOL-EN16931-R008 forbids elements that
 * are empty after whitespace normalisation. */
static int has_text(const char *s)
{
    if (!s)
        return 0;
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return 1;
    return 0;
}

/* 10 digits with a valid check digit (SE-R-013, PEPPOL-COMMON-R049). */
static int is_orgnr(const char *s)
{
    char out[11];
    size_t i;
    if (!s || strlen(s) != 10)
        return 0;
    for (i = 0; i < 10; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return ip_parse_orgnr(s, 10, out) == 0;
}

typedef struct check {
    const ip_invoice *inv;
    ip_diag *d;
    ip_err e;
} check;

/* Refuses a required text that is missing, blank or not XML text. */
static void need_text(check *c, const char *what, const char *s)
{
    if (c->e)
        return;
    if (!has_text(s))
        c->e = ip_diag_set(c->d, IP_ERR_SOFTWARE, NULL, 0,
                           "invoice '%s': %s is empty",
                           c->inv->number ? c->inv->number : "?", what);
    else if (!ip_utf8_xml_text(s))
        c->e = ip_diag_set(c->d, IP_ERR_SOFTWARE, NULL, 0,
                           "invoice '%s': %s is not valid UTF-8 XML text",
                           c->inv->number ? c->inv->number : "?", what);
}

/* Refuses an optional text that is present but not XML text. */
static void may_text(check *c, const char *what, const char *s)
{
    if (has_text(s))
        need_text(c, what, s);
}

static void need(check *c, int ok, const char *fmt, const char *arg)
{
    if (c->e || ok)
        return;
    c->e = ip_diag_set(c->d, IP_ERR_SOFTWARE, NULL, 0, "invoice '%s': %s%s",
                       c->inv->number ? c->inv->number : "?", fmt, arg ? arg : "");
}

/* Everything the validation would reject, refused before writing; on
 * success *total is the sum of the line amounts. */
static ip_err check_invoice(const ip_invoice *inv, int64_t *total, ip_diag *d)
{
    check c;
    size_t i;
    char what[64];
    c.inv = inv;
    c.d = d;
    c.e = IP_OK;
    *total = 0;

    need_text(&c, "the number", inv->number);
    need_text(&c, "the currency", inv->currency);
    may_text(&c, "the note", inv->note);
    need(&c, inv->seller != NULL, "no seller", NULL);
    need(&c, inv->buyer != NULL, "no buyer", NULL);
    need(&c, inv->group != NULL, "no VAT group", NULL);
    need(&c, inv->issue_date != 0, "no issue date", NULL);
    need(&c, inv->due_date == 0 || inv->due_date >= inv->issue_date,
         "the due date is before the issue date", NULL);
    need(&c, inv->period_start == 0 || inv->period_end == 0 ||
                 inv->period_start <= inv->period_end,
         "the invoice period ends before it starts", NULL);
    need(&c, inv->period_end == 0 || inv->period_start != 0,
         "the invoice period has an end but no start", NULL);
    need(&c, inv->nlines > 0 && inv->lines != NULL, "no lines", NULL);
    if (inv->is_credit_note)
        may_text(&c, "the billing reference", inv->billing_ref);
    else
        need(&c, inv->billing_ref == NULL, "a billing reference on an invoice", NULL);
    if (c.e)
        return c.e;

    need_text(&c, "the seller name", inv->seller->name);
    need(&c, is_orgnr(inv->seller->org_nr),
         "the seller organisation number is not 10 digits with a valid check digit", NULL);
    may_text(&c, "the seller street", inv->seller->street);
    may_text(&c, "the seller postcode", inv->seller->postcode);
    may_text(&c, "the seller city", inv->seller->city);
    may_text(&c, "the seller email", inv->seller->email);
    need_text(&c, "the buyer name", inv->buyer->name);
    /* PEPPOL-EN16931-R003: a buyer reference or an order reference */
    need_text(&c, "the buyer reference", inv->buyer->reference);
    need(&c, is_orgnr(inv->buyer->org_nr),
         "the buyer organisation number is not 10 digits with a valid check digit", NULL);
    /* PEPPOL-COMMON-R049 (0007) and R040 (0088, GLN) */
    if (inv->buyer->endpoint_id) {
        const char *sc = inv->buyer->endpoint_scheme, *id = inv->buyer->endpoint_id;
        need(&c, (!strcmp(sc, SCHEME_SE_ORGNR) && is_orgnr(id)) ||
                     (!strcmp(sc, SCHEME_GLN) && ip_is_gln(id, strlen(id))),
             "the buyer endpoint is not 0007:<organisation number> or 0088:<GLN>", NULL);
    }
    if (inv->payment && !inv->is_credit_note) {
        const ip_payment *p = inv->payment;
        may_text(&c, "the bankgiro number", p->bankgiro);
        may_text(&c, "the plusgiro number", p->plusgiro);
        may_text(&c, "the IBAN", p->iban);
        need(&c, !p->iban || has_text(p->bic), "an IBAN without a BIC", NULL);
    }
    may_text(&c, "the buyer street", inv->buyer->street);
    may_text(&c, "the buyer postcode", inv->buyer->postcode);
    may_text(&c, "the buyer city", inv->buyer->city);

    if (inv->group->vat == IP_VAT_S) {
        /* BR-S-05 (rate > 0); BR-S-02 (seller VAT identifier) */
        need(&c, inv->group->vat_percent > 0 && inv->group->vat_percent <= 100,
             "VAT category S needs a rate above 0 and at most 100 %", NULL);
        need_text(&c, "the seller VAT identifier (required with VAT category S)",
                  inv->seller->vat_id);
    } else {
        need(&c, inv->group->vat == IP_VAT_O, "unknown VAT category", NULL);
    }

    for (i = 0; i < inv->nlines && !c.e; i++) {
        const ip_invoice_line *l = &inv->lines[i];
        snprintf(what, sizeof what, "line %zu id", i + 1);
        need_text(&c, what, l->id);
        snprintf(what, sizeof what, "line %zu name", i + 1);
        need_text(&c, what, l->name);
        snprintf(what, sizeof what, "line %zu description", i + 1);
        may_text(&c, what, l->description);
        snprintf(what, sizeof what, "line %zu service id", i + 1);
        may_text(&c, what, l->service_id);
        if (c.e)
            break;
        if (l->amount_ore < 0)
            return ip_diag_set(d, IP_ERR_SOFTWARE, NULL, 0,
                               "invoice '%s': line %zu has a negative amount (%" PRId64 " öre)",
                               inv->number, i + 1, l->amount_ore);
        if (ip_money_add(*total, l->amount_ore, total) != 0)
            return ip_diag_set(d, IP_ERR_SOFTWARE, NULL, 0,
                               "invoice '%s': the total overflows", inv->number);
    }
    /* BR-CO-25: an amount due needs a due date or payment terms; the terms
     * are written from the due date, so it is required. */
    need(&c, *total == 0 || inv->due_date != 0, "an amount is due but there is no due date",
         NULL);
    return c.e;
}

/* --- the XML writer ----------------------------------------------------- */

/* The writer and whether any call failed: every xmlTextWriter call returns
 * < 0 on failure, which is recorded once and checked at the end, so the
 * structure of the document stays readable below. */
typedef struct ubl {
    xmlTextWriterPtr w;
    const char *currency;
    int failed;
} ubl;

static void start(ubl *u, const char *name)
{
    if (!u->failed && xmlTextWriterStartElement(u->w, BAD_CAST name) < 0)
        u->failed = 1;
}

static void end(ubl *u)
{
    if (!u->failed && xmlTextWriterEndElement(u->w) < 0)
        u->failed = 1;
}

static void attr(ubl *u, const char *name, const char *value)
{
    if (!u->failed && xmlTextWriterWriteAttribute(u->w, BAD_CAST name, BAD_CAST value) < 0)
        u->failed = 1;
}

/* <name>text</name>, escaped by the writer. */
static void text_el(ubl *u, const char *name, const char *text)
{
    if (!u->failed && xmlTextWriterWriteElement(u->w, BAD_CAST name, BAD_CAST text) < 0)
        u->failed = 1;
}

/* An optional element: written only when text has content (R008). */
static void opt_el(ubl *u, const char *name, const char *text)
{
    if (has_text(text))
        text_el(u, name, text);
}

/* <name schemeID="scheme">text</name> */
static void scheme_el(ubl *u, const char *name, const char *scheme, const char *text)
{
    start(u, name);
    attr(u, "schemeID", scheme);
    if (!u->failed && xmlTextWriterWriteString(u->w, BAD_CAST text) < 0)
        u->failed = 1;
    end(u);
}

static void date_el(ubl *u, const char *name, ip_date date)
{
    char buf[11];
    text_el(u, name, ip_date_str(date, buf));
}

/* <name currencyID="SEK">1234.50</name> */
static void amount_el(ubl *u, const char *name, int64_t ore)
{
    char buf[32];
    start(u, name);
    attr(u, "currencyID", u->currency);
    if (!u->failed && xmlTextWriterWriteString(u->w, BAD_CAST ip_money_fmt(ore, buf)) < 0)
        u->failed = 1;
    end(u);
}

static void percent_el(ubl *u, int percent)
{
    char buf[16];
    snprintf(buf, sizeof buf, "%d", percent);
    text_el(u, "cbc:Percent", buf);
}

static void tax_scheme_vat(ubl *u)
{
    start(u, "cac:TaxScheme");
    text_el(u, "cbc:ID", "VAT");
    end(u);
}

/* cac:PostalAddress: street, city and postcode when known, country always
 * (BR-08..BR-11). The register and the tariff are Swedish: country SE. */
static void postal_address(ubl *u, const char *street, const char *city,
                           const char *postcode)
{
    start(u, "cac:PostalAddress");
    opt_el(u, "cbc:StreetName", street);
    opt_el(u, "cbc:CityName", city);
    opt_el(u, "cbc:PostalZone", postcode);
    start(u, "cac:Country");
    text_el(u, "cbc:IdentificationCode", "SE");
    end(u);
    end(u);
}

static void seller_party(ubl *u, const ip_invoice *inv)
{
    const ip_seller *s = inv->seller;
    start(u, "cac:AccountingSupplierParty");
    start(u, "cac:Party");
    scheme_el(u, "cbc:EndpointID", SCHEME_SE_ORGNR, s->org_nr); /* BR-62, R020 */
    start(u, "cac:PartyName");
    text_el(u, "cbc:Name", s->name);
    end(u);
    postal_address(u, s->street, s->city, s->postcode);
    /* BR-S-02 needs the VAT identifier with category S; BR-O-02 forbids it
     * with O (the city invoicing itself is outside the scope of VAT). */
    if (inv->group->vat == IP_VAT_S) {
        start(u, "cac:PartyTaxScheme");
        text_el(u, "cbc:CompanyID", s->vat_id);
        tax_scheme_vat(u);
        end(u);
    }
    start(u, "cac:PartyLegalEntity");
    text_el(u, "cbc:RegistrationName", s->name); /* BR-06 */
    scheme_el(u, "cbc:CompanyID", SCHEME_SE_ORGNR, s->org_nr); /* BT-30, SE-R-003/4/13 */
    end(u);
    if (has_text(s->email)) {
        start(u, "cac:Contact");
        text_el(u, "cbc:ElectronicMail", s->email);
        end(u);
    }
    end(u);
    end(u);
}

static void buyer_party(ubl *u, const ip_invoice *inv)
{
    const ip_customer *b = inv->buyer;
    char nr[16];
    snprintf(nr, sizeof nr, "%" PRIu32, b->nr);
    start(u, "cac:AccountingCustomerParty");
    start(u, "cac:Party");
    /* BR-63, R010: the register's endpoint, else the organisation number */
    if (b->endpoint_id)
        scheme_el(u, "cbc:EndpointID", b->endpoint_scheme, b->endpoint_id);
    else
        scheme_el(u, "cbc:EndpointID", SCHEME_SE_ORGNR, b->org_nr);
    /* BT-46: the customer number in the price list, for the ledger. */
    start(u, "cac:PartyIdentification");
    text_el(u, "cbc:ID", nr);
    end(u);
    start(u, "cac:PartyName");
    text_el(u, "cbc:Name", b->name);
    end(u);
    postal_address(u, b->street, b->city, b->postcode);
    start(u, "cac:PartyLegalEntity");
    text_el(u, "cbc:RegistrationName", b->name); /* BR-07 */
    scheme_el(u, "cbc:CompanyID", SCHEME_SE_ORGNR, b->org_nr);
    end(u);
    end(u);
    end(u);
}

/* cac:TaxCategory (breakdown) or cac:ClassifiedTaxCategory (line). */
static void tax_category(ubl *u, const char *element, const ip_group *g, int breakdown)
{
    start(u, element);
    if (g->vat == IP_VAT_S) {
        text_el(u, "cbc:ID", "S");
        percent_el(u, g->vat_percent); /* BR-S-05; no exemption reason, BR-S-10 */
    } else {
        text_el(u, "cbc:ID", "O"); /* no rate, BR-O-05 */
        if (breakdown) {
            /* BR-O-10; the code is only allowed with O (PEPPOL-EN16931-P0105) */
            text_el(u, "cbc:TaxExemptionReasonCode", "VATEX-EU-O");
            text_el(u, "cbc:TaxExemptionReason", "Ej föremål för mervärdesskatt");
        }
    }
    tax_scheme_vat(u);
    end(u);
}

/* One cac:PaymentMeans (BG-16): credit transfer to the account id, whose
 * kind the branch id says (SE:BANKGIRO, SE:PLUSGIRO, or the bank's BIC for
 * an IBAN), with the document's number as the remittance information. */
static void payment_account(ubl *u, const ip_invoice *inv, const char *id, const char *branch)
{
    start(u, "cac:PaymentMeans");
    text_el(u, "cbc:PaymentMeansCode", PAYMENT_MEANS_CREDIT_TRANSFER); /* BT-81, BR-49 */
    text_el(u, "cbc:PaymentID", inv->number);                          /* BT-83 */
    start(u, "cac:PayeeFinancialAccount");
    text_el(u, "cbc:ID", id); /* BT-84, BR-50, BR-61; SE-R-007..010: digits */
    start(u, "cac:FinancialInstitutionBranch");
    text_el(u, "cbc:ID", branch); /* BT-86 */
    end(u);
    end(u);
    end(u);
}

/* The seller's accounts a company pays to, each as a payment means. */
static void payment_means(ubl *u, const ip_invoice *inv)
{
    const ip_payment *p = inv->payment;
    if (inv->is_credit_note || !p)
        return;
    if (has_text(p->bankgiro))
        payment_account(u, inv, p->bankgiro, "SE:BANKGIRO");
    if (has_text(p->plusgiro))
        payment_account(u, inv, p->plusgiro, "SE:PLUSGIRO");
    if (has_text(p->iban))
        payment_account(u, inv, p->iban, p->bic);
}

static void payment_terms(ubl *u, const ip_invoice *inv)
{
    char buf[128], date[11];
    if (inv->due_date == 0)
        return;
    /* BR-CO-25 wants a due date or payment terms while the amount is due.
     * A CreditNote has no cbc:DueDate in UBL 2.1, so there the terms carry it. */
    if (inv->is_credit_note)
        snprintf(buf, sizeof buf, "Förfallodag %s", ip_date_str(inv->due_date, date));
    else
        snprintf(buf, sizeof buf, "%" PRId64 " dagar netto",
                 ip_date_days_between(inv->issue_date, inv->due_date));
    start(u, "cac:PaymentTerms");
    text_el(u, "cbc:Note", buf);
    end(u);
}

static void line(ubl *u, const ip_invoice *inv, const ip_invoice_line *l)
{
    start(u, inv->is_credit_note ? "cac:CreditNoteLine" : "cac:InvoiceLine");
    text_el(u, "cbc:ID", l->id); /* BR-21 */
    start(u, inv->is_credit_note ? "cbc:CreditedQuantity" : "cbc:InvoicedQuantity");
    attr(u, "unitCode", "EA"); /* BR-22, BR-23: one annual fee */
    if (!u->failed && xmlTextWriterWriteString(u->w, BAD_CAST "1") < 0)
        u->failed = 1;
    end(u);
    amount_el(u, "cbc:LineExtensionAmount", l->amount_ore); /* BR-24 */
    start(u, "cac:Item");
    opt_el(u, "cbc:Description", l->description);
    text_el(u, "cbc:Name", l->name); /* BR-25 */
    if (has_text(l->service_id)) {
        start(u, "cac:SellersItemIdentification");
        text_el(u, "cbc:ID", l->service_id);
        end(u);
    }
    tax_category(u, "cac:ClassifiedTaxCategory", inv->group, 0); /* BR-CO-04 */
    end(u);
    /* Quantity 1, so price = line amount (PEPPOL-EN16931-R120); >= 0 (BR-27). */
    start(u, "cac:Price");
    amount_el(u, "cbc:PriceAmount", l->amount_ore);
    end(u);
    end(u);
}

static void document(ubl *u, const ip_invoice *inv, int64_t net, int64_t vat)
{
    size_t i;
    const char *root = inv->is_credit_note ? "CreditNote" : "Invoice";

    if (!u->failed && xmlTextWriterStartDocument(u->w, NULL, "UTF-8", NULL) < 0)
        u->failed = 1;
    start(u, root);
    attr(u, "xmlns", inv->is_credit_note ? NS_CREDIT_NOTE : NS_INVOICE);
    attr(u, "xmlns:cac", NS_CAC);
    attr(u, "xmlns:cbc", NS_CBC);

    text_el(u, "cbc:CustomizationID", UBL_CUSTOMIZATION_ID); /* BR-01 */
    text_el(u, "cbc:ProfileID", UBL_PROFILE_ID);
    text_el(u, "cbc:ID", inv->number); /* BR-02 */
    date_el(u, "cbc:IssueDate", inv->issue_date); /* BR-03 */
    if (inv->is_credit_note) {
        text_el(u, "cbc:CreditNoteTypeCode", "381"); /* PEPPOL-EN16931-P0101 */
    } else {
        if (inv->due_date)
            date_el(u, "cbc:DueDate", inv->due_date);
        text_el(u, "cbc:InvoiceTypeCode", "380"); /* BR-04 */
    }
    opt_el(u, "cbc:Note", inv->note); /* at most one, PEPPOL-EN16931-R002 */
    text_el(u, "cbc:DocumentCurrencyCode", inv->currency); /* BR-05 */
    text_el(u, "cbc:BuyerReference", inv->buyer->reference); /* PEPPOL-EN16931-R003 */
    if (inv->period_start) {
        start(u, "cac:InvoicePeriod");
        date_el(u, "cbc:StartDate", inv->period_start);
        if (inv->period_end)
            date_el(u, "cbc:EndDate", inv->period_end);
        end(u);
    }
    if (inv->is_credit_note && has_text(inv->billing_ref)) {
        start(u, "cac:BillingReference");
        start(u, "cac:InvoiceDocumentReference");
        text_el(u, "cbc:ID", inv->billing_ref);
        if (inv->billing_ref_date)
            date_el(u, "cbc:IssueDate", inv->billing_ref_date);
        end(u);
        end(u);
    }
    seller_party(u, inv);
    buyer_party(u, inv);
    payment_means(u, inv);
    payment_terms(u, inv);

    /* One VAT breakdown for the group's category (BR-CO-18, R053, BR-O-01). */
    start(u, "cac:TaxTotal");
    amount_el(u, "cbc:TaxAmount", vat);
    start(u, "cac:TaxSubtotal");
    amount_el(u, "cbc:TaxableAmount", net);
    amount_el(u, "cbc:TaxAmount", vat);
    tax_category(u, "cac:TaxCategory", inv->group, 1);
    end(u);
    end(u);

    start(u, "cac:LegalMonetaryTotal"); /* BR-12..15, BR-CO-10/13/15/16 */
    amount_el(u, "cbc:LineExtensionAmount", net);
    amount_el(u, "cbc:TaxExclusiveAmount", net);
    amount_el(u, "cbc:TaxInclusiveAmount", net + vat);
    amount_el(u, "cbc:PayableAmount", net + vat);
    end(u);

    for (i = 0; i < inv->nlines; i++)
        line(u, inv, &inv->lines[i]);

    end(u);
    if (!u->failed && xmlTextWriterEndDocument(u->w) < 0)
        u->failed = 1;
}

/* "FILE: cannot create: reason", FILE the document as the person will find
 * it (ip_stage_shown). */
static ip_err create_failed(ip_diag *d, const char *path, int err)
{
    char *shown = ip_stage_shown(path);
    ip_err code = ip_stage_create_err(err); /* a full disk is 74 */
    ip_diag_set(d, code, shown, 0, "cannot create: %s", strerror(err));
    free(shown);
    return code;
}

/* Writes len bytes to path, a file in a stage: the stage's folder is the
 * temporary name (a failed or killed run's file goes with it), so the file
 * is written under its own name; the stage's commit makes it durable. */
ip_err ip_invoice_save(const char *path, const char *data, size_t len, ip_diag *d)
{
    const char *p = data;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    int err;
    if (fd < 0) {
        err = errno;
        return create_failed(d, path, err);
    }
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            err = n < 0 ? errno : EIO;
            goto io_error;
        }
        p += n;
        len -= (size_t)n;
    }
    if (close(fd) != 0) {
        fd = -1;
        err = errno;
        goto io_error;
    }
    return IP_OK;

io_error:
    if (fd >= 0)
        close(fd);
    unlink(path);
    return ip_write_failed(d, path, err);
}

ip_err ip_invoice_check(const ip_invoice *inv, ip_diag *d)
{
    int64_t net, vat;
    ip_err e = check_invoice(inv, &net, d);
    if (e)
        return e;
    vat = inv->group->vat == IP_VAT_S ? ip_money_vat(net, inv->group->vat_percent) : 0;
    if (net > INT64_MAX - vat)
        return ip_diag_set(d, IP_ERR_SOFTWARE, NULL, 0, "invoice '%s': the total overflows",
                           inv->number);
    return IP_OK;
}

ip_err ip_invoice_build(const ip_invoice *inv, char **data, size_t *len, ip_diag *d)
{
    int64_t net, vat;
    xmlBufferPtr buf;
    ubl u;
    ip_err e;

    *data = NULL;
    *len = 0;
    if ((e = check_invoice(inv, &net, d)))
        return e;
    vat = inv->group->vat == IP_VAT_S ? ip_money_vat(net, inv->group->vat_percent) : 0;
    if (net > INT64_MAX - vat)
        return ip_diag_set(d, IP_ERR_SOFTWARE, NULL, 0, "invoice '%s': the total overflows",
                           inv->number);

    buf = xmlBufferCreate();
    if (!buf)
        return ip_diag_set(d, IP_ERR_SOFTWARE, NULL, 0,
                           "invoice '%s': cannot create an XML buffer", inv->number);
    u.w = xmlNewTextWriterMemory(buf, 0);
    u.currency = inv->currency;
    u.failed = u.w == NULL;
    if (!u.failed && (xmlTextWriterSetIndent(u.w, 1) < 0 ||
                      xmlTextWriterSetIndentString(u.w, BAD_CAST "  ") < 0))
        u.failed = 1;
    document(&u, inv, net, vat);
    if (u.w)
        xmlFreeTextWriter(u.w); /* flushes into buf */
    if (u.failed) {
        xmlBufferFree(buf);
        return ip_diag_set(d, IP_ERR_SOFTWARE, NULL, 0,
                           "invoice '%s': libxml2 could not build the document", inv->number);
    }
    *len = (size_t)xmlBufferLength(buf);
    *data = (char *)xmlBufferDetach(buf);
    xmlBufferFree(buf);
    if (!*data)
        return ip_diag_set(d, IP_ERR_SOFTWARE, NULL, 0,
                           "invoice '%s': libxml2 could not build the document", inv->number);
    return IP_OK;
}

void ip_invoice_bytes_free(char *data)
{
    if (data)
        xmlFree(data);
}

ip_err ip_invoice_write(const ip_invoice *inv, const char *path, ip_diag *d)
{
    char *data;
    size_t len;
    ip_err e = ip_invoice_build(inv, &data, &len, d);
    if (!e)
        e = ip_invoice_save(path, data, len, d);
    ip_invoice_bytes_free(data);
    return e;
}

/* --- reading a document back -------------------------------------------- */

/* The reader is the writer's inverse for what a credit note needs: it reads
 * only documents this program wrote (the stored copies of issued invoices),
 * with libxml2's parser, no network and no entity substitution. */

typedef struct reader {
    xmlXPathContextPtr ctx;
    ip_invoice_doc *doc;
    const char *path;
    ip_diag *d;
    ip_err e;
} reader;

static char *own(ip_invoice_doc *doc, char *s)
{
    ip_xgrow((void **)&doc->owned, &doc->owned_alloc, doc->nowned + 1, sizeof *doc->owned);
    doc->owned[doc->nowned++] = s;
    return s;
}

/* The text of the first node that expr selects under node, owned by the doc;
 * NULL when there is none (an error when required). */
static char *xtext(reader *rd, xmlNodePtr node, const char *expr, int required)
{
    xmlXPathObjectPtr obj;
    char *out = NULL;
    if (rd->e)
        return NULL;
    rd->ctx->node = node;
    obj = xmlXPathEvalExpression(BAD_CAST expr, rd->ctx);
    if (obj && obj->type == XPATH_NODESET && obj->nodesetval && obj->nodesetval->nodeNr > 0) {
        xmlChar *t = xmlNodeGetContent(obj->nodesetval->nodeTab[0]);
        if (t) {
            out = own(rd->doc, ip_xstrdup((const char *)t));
            xmlFree(t);
        }
    }
    xmlXPathFreeObject(obj);
    if (!out && required)
        rd->e = ip_diag_set(rd->d, IP_ERR_DATA, rd->path, 0,
                            "expected a UBL document written by internpris, found no %s", expr);
    return out;
}

static ip_date xdate(reader *rd, xmlNodePtr node, const char *expr, int required)
{
    char *t = xtext(rd, node, expr, required);
    ip_date v = 0;
    if (t && ip_parse_date(t, strlen(t), &v) != 0 && !rd->e)
        rd->e = ip_diag_set(rd->d, IP_ERR_DATA, rd->path, 0,
                            "expected a date YYYY-MM-DD in %s, found '%s'", expr, t);
    return v;
}

/* "1234.50" (as ip_money_fmt writes it, never negative) to öre. */
static int64_t xamount(reader *rd, xmlNodePtr node, const char *expr)
{
    char *t = xtext(rd, node, expr, 1);
    int64_t v;
    if (!t)
        return 0;
    if (t[0] != '-' && ip_money_parse(t, strlen(t), &v) == 0)
        return v;
    if (!rd->e)
        rd->e = ip_diag_set(rd->d, IP_ERR_DATA, rd->path, 0,
                            "expected an amount such as 1234.50 in %s, found '%s'", expr, t);
    return 0;
}

void ip_invoice_doc_free(ip_invoice_doc *doc)
{
    size_t i;
    if (!doc)
        return;
    for (i = 0; i < doc->nowned; i++)
        free(doc->owned[i]);
    free(doc->owned);
    free(doc->lines);
    free(doc);
}

ip_err ip_invoice_read(const char *path, ip_invoice_doc **out, ip_diag *d)
{
    char *raw;
    size_t rawlen;
    ip_err e;

    *out = NULL;
    /* A stored document: a regular file written by internpris (files.h),
     * read whole up to a bound. */
    if ((e = ip_files_read(path, path, IP_FILES_NOFOLLOW, MAX_DOC_BYTES, &raw, &rawlen, d))) {
        int missing = e == IP_ERR_NOINPUT && access(path, F_OK) != 0;
        if (missing) /* gone since the record was loaded */
            return ip_diag_set(d, IP_ERR_IO, path, 0, "cannot read: %s", strerror(ENOENT));
        return e;
    }
    e = ip_invoice_read_mem(path, raw, rawlen, out, d);
    free(raw);
    return e;
}

ip_err ip_invoice_read_mem(const char *path, const char *raw, size_t rawlen, ip_invoice_doc **out,
                           ip_diag *d)
{
    ip_invoice_doc *doc = ip_xcalloc(1, sizeof *doc);
    xmlDocPtr xml;
    xmlNodePtr root;
    xmlXPathObjectPtr lines = NULL;
    reader rd;
    char *t, *scheme;
    int64_t nr = 0;
    int i;

    *out = NULL;
    memset(&rd, 0, sizeof rd);
    rd.doc = doc;
    rd.path = path;
    rd.d = d;
    xml = rawlen > MAX_DOC_BYTES || rawlen > INT_MAX
              ? NULL
              : xmlReadMemory(raw, (int)rawlen, path, NULL,
                              XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!xml) {
        ip_invoice_doc_free(doc);
        return ip_diag_set(d, IP_ERR_DATA, path, 0, "expected a UBL document, found no XML");
    }
    root = xmlDocGetRootElement(xml);
    rd.ctx = xmlXPathNewContext(xml);
    if (!root || !rd.ctx)
        IP_BUG("cannot read back %s", path);
    xmlXPathRegisterNs(rd.ctx, BAD_CAST "cac", BAD_CAST NS_CAC);
    xmlXPathRegisterNs(rd.ctx, BAD_CAST "cbc", BAD_CAST NS_CBC);
    if (xmlStrcmp(root->name, BAD_CAST "CreditNote") == 0)
        doc->inv.is_credit_note = 1;
    else if (xmlStrcmp(root->name, BAD_CAST "Invoice") != 0)
        rd.e = ip_diag_set(d, IP_ERR_DATA, path, 0,
                           "expected an Invoice or a CreditNote, found <%s>", root->name);

    doc->inv.number = xtext(&rd, root, "cbc:ID", 1);
    doc->inv.issue_date = xdate(&rd, root, "cbc:IssueDate", 1);
    doc->inv.due_date = xdate(&rd, root, "cbc:DueDate", 0);
    doc->inv.currency = xtext(&rd, root, "cbc:DocumentCurrencyCode", 1);
    doc->inv.period_start = xdate(&rd, root, "cac:InvoicePeriod/cbc:StartDate", 0);
    doc->inv.period_end = xdate(&rd, root, "cac:InvoicePeriod/cbc:EndDate", 0);
    doc->inv.billing_ref = xtext(&rd, root, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", 0);
    doc->inv.billing_ref_date =
        xdate(&rd, root, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:IssueDate", 0);

    doc->buyer.reference = xtext(&rd, root, "cbc:BuyerReference", 1);
    t = xtext(&rd, root, "cac:AccountingCustomerParty/cac:Party/cac:PartyIdentification/cbc:ID", 1);
    if (t && (ip_parse_uint(t, strlen(t), &nr) != 0 || nr > UINT32_MAX) && !rd.e)
        rd.e = ip_diag_set(d, IP_ERR_DATA, path, 0,
                           "expected a customer number as the buyer's identification, found '%s'", t);
    doc->buyer.nr = (uint32_t)nr;
    doc->buyer.name = xtext(&rd, root,
                            "cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:RegistrationName", 1);
    t = xtext(&rd, root, "cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID", 1);
    if (t)
        snprintf(doc->buyer.org_nr, sizeof doc->buyer.org_nr, "%s", t);
    doc->buyer.street = xtext(&rd, root, "cac:AccountingCustomerParty/cac:Party/cac:PostalAddress/cbc:StreetName", 0);
    doc->buyer.city = xtext(&rd, root, "cac:AccountingCustomerParty/cac:Party/cac:PostalAddress/cbc:CityName", 0);
    doc->buyer.postcode = xtext(&rd, root, "cac:AccountingCustomerParty/cac:Party/cac:PostalAddress/cbc:PostalZone", 0);
    t = xtext(&rd, root, "cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", 1);
    scheme = xtext(&rd, root, "cac:AccountingCustomerParty/cac:Party/cbc:EndpointID/@schemeID", 1);
    /* the organisation number under 0007 is what an absent endpoint means */
    if (t && scheme && (strcmp(scheme, SCHEME_SE_ORGNR) || strcmp(t, doc->buyer.org_nr))) {
        snprintf(doc->buyer.endpoint_scheme, sizeof doc->buyer.endpoint_scheme, "%s", scheme);
        doc->buyer.endpoint_id = t;
    }

    t = xtext(&rd, root, "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID", 1);
    if (t && strcmp(t, "S") == 0) {
        char *pct = xtext(&rd, root, "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:Percent", 1);
        doc->group.vat = IP_VAT_S;
        doc->group.vat_percent = pct ? atoi(pct) : 0;
    } else if (t && strcmp(t, "O") == 0) {
        doc->group.vat = IP_VAT_O;
    } else if (t && !rd.e) {
        rd.e = ip_diag_set(d, IP_ERR_DATA, path, 0, "expected VAT category O or S, found '%s'", t);
    }
    doc->group.id = doc->group.label = own(doc, ip_xstrdup(t ? t : "?"));

    if (!rd.e) {
        rd.ctx->node = root;
        lines = xmlXPathEvalExpression(BAD_CAST (doc->inv.is_credit_note ? "cac:CreditNoteLine"
                                                                          : "cac:InvoiceLine"),
                                       rd.ctx);
        if (!lines || !lines->nodesetval || lines->nodesetval->nodeNr == 0)
            rd.e = ip_diag_set(d, IP_ERR_DATA, path, 0, "expected document lines, found none");
    }
    if (!rd.e) {
        int n = lines->nodesetval->nodeNr;
        doc->lines = ip_xcalloc((size_t)n, sizeof *doc->lines);
        for (i = 0; i < n && !rd.e; i++) {
            xmlNodePtr ln = lines->nodesetval->nodeTab[i];
            doc->lines[i].id = xtext(&rd, ln, "cbc:ID", 1);
            doc->lines[i].amount_ore = xamount(&rd, ln, "cbc:LineExtensionAmount");
            doc->lines[i].name = xtext(&rd, ln, "cac:Item/cbc:Name", 1);
            doc->lines[i].description = xtext(&rd, ln, "cac:Item/cbc:Description", 0);
            doc->lines[i].service_id = xtext(&rd, ln, "cac:Item/cac:SellersItemIdentification/cbc:ID", 0);
        }
        doc->inv.nlines = (size_t)n;
    }
    xmlXPathFreeObject(lines);
    xmlXPathFreeContext(rd.ctx);
    xmlFreeDoc(xml);
    if (rd.e) {
        ip_invoice_doc_free(doc);
        return rd.e;
    }
    doc->inv.buyer = &doc->buyer;
    doc->inv.group = &doc->group;
    doc->inv.lines = doc->lines;
    *out = doc;
    return IP_OK;
}
