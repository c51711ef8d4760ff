/*
 * tariff.c — reads tariff.xml (SPEC section 2.5) with libxml2.
 *
 * The tariff is the one input a person edits by hand, so the loader is
 * strict and talks in lines:
 *
 *  1. Parse. A DOCTYPE is refused outright, before its internal subset is
 *     even read: the tariff has no use for DTDs, and refusing them removes
 *     external entities (XXE) and entity expansion bombs in one stroke.
 *     Entities are never substituted (no XML_PARSE_NOENT), nothing is loaded
 *     from the network (XML_PARSE_NONET), and no DTD is loaded. Without a DTD
 *     an entity reference other than the five predefined ones is a
 *     well-formedness error, which libxml2 reports.
 *     While a tariff is loaded, libxml2's external entity loader refuses
 *     everything (refuse_resource): the schema is one self-contained file,
 *     so an xs:include, xs:import or xs:redefine in it, or an
 *     xsi:schemaLocation in the tariff, is an error and opens nothing.
 *  2. Validate against templates/tariff.xsd. The first error wins; errors on
 *     an attribute's value are reworded from the table `attrs` below
 *     ("expected a fee of 0 or more whole kronor, found '-5'").
 *  3. Read the tree into an ip_tariff, checking every value again with the
 *     same table (so that ip_tariff_load_mem without a schema, as the fuzzer
 *     uses it, is just as safe), and what a schema cannot say: unique ids,
 *     from <= to, window or snapshot, vat-percent with vat S only,
 *     equal-percent with its method only, fees at most 10^12 kr, the
 *     organisation number's check digit.
 *
 * libxml2 reports errors through callbacks. While the loader runs, the
 * thread's structured and generic error handlers point at the loader, which
 * keeps the first error and prints nothing; they are restored on the way
 * out. Lines are those of the start tag's '<' (libxml2 itself records the
 * line where a start tag ends), and for an attribute the line it is on.
 */
#include "tariff.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlversion.h>

#include "digest.h"
#include "files.h"
#include "parse.h"
#include "utf8.h"
#include "util.h"

/* libxml2 2.12 made the structured error handler's error const. */
#if LIBXML_VERSION >= 21200
typedef const xmlError *xml_error_ptr;
#else
typedef xmlErrorPtr xml_error_ptr;
#endif

#define MAX_TARIFF_BYTES (16u << 20) /* a tariff is a few kilobytes */
#define MAX_FEE INT64_C(1000000000000) /* 10^12 kr, what alloc accepts */

/* ---------------------------------------------------------------------- */
/* The value kinds of the attributes, and what a message says is expected */

typedef enum kind {
    K_TEXT,     /* non-empty after whitespace collapsing */
    K_SHORT,    /* K_TEXT of at most 31 characters (a sheet name) */
    K_ID,       /* [a-z0-9][a-z0-9_-]{0,31} */
    K_DATE,     /* YYYY-MM-DD */
    K_YEAR,     /* 2000..2999 */
    K_KRONOR,   /* digits; the 10^12 bound has its own message */
    K_PERCENT,  /* 0..100 */
    K_CUSTNR,   /* 1 to 6 digits */
    K_ORGNR,    /* NNNNNN-NNNN or 10 digits; check digit separately */
    K_VATID,    /* SE + 10 digits + 01 */
    K_POSTCODE, /* NNN NN */
    K_EMAIL,
    K_CURRENCY, /* SEK */
    K_PREFIX,   /* [A-Za-z0-9_-]{1,20} */
    K_DUEDAYS,  /* 0..365 */
    K_PERIODS,  /* 1, 4, 12 */
    K_VAT,      /* O, S */
    K_VATPCT,   /* 25, 12, 6 */
    K_METHOD,   /* proportional, equal-and-proportional */
    K_FILE,     /* [A-Za-z0-9_-][A-Za-z0-9_.-]{0,99} */
    K_BANKGIRO, /* NNN-NNNN or NNNN-NNNN, '-' optional; check digit separately */
    K_PLUSGIRO, /* 2 to 8 digits, '-' before the last one optional */
    K_IBAN,     /* CC, 2 digits, 11 to 30 letters or digits; spaces allowed */
    K_BIC,      /* 6 letters, 2 letters or digits, optionally 3 more */
    K_ACCOUNT,  /* 4 to 6 digits, the first 1-8 */
    K_OBJECT    /* [A-Za-z0-9][A-Za-z0-9_-]{0,19} */
} kind;

typedef struct attr_spec {
    const char *elem, *attr;
    kind kind;
    const char *expect; /* "expected <this>, found '...'" */
} attr_spec;

/* Keep in step with templates/tariff.xsd. */
static const attr_spec attrs[] = {
    {"tariff", "year", K_YEAR, "a price year from 2000 to 2999"},
    {"tariff", "currency", K_CURRENCY, "currency 'SEK'"},
    {"seller", "name", K_TEXT, "the seller's name"},
    {"seller", "org-nr", K_ORGNR, "an organisation number NNNNNN-NNNN"},
    {"seller", "vat-id", K_VATID, "a VAT number SE, 10 digits, 01"},
    {"seller", "street", K_TEXT, "a street address"},
    {"seller", "postcode", K_POSTCODE, "a postcode NNN NN"},
    {"seller", "city", K_TEXT, "a city"},
    {"seller", "email", K_EMAIL, "an e-mail address"},
    {"invoicing", "issue-date", K_DATE, "a date YYYY-MM-DD"},
    {"invoicing", "due-days", K_DUEDAYS, "due-days from 0 to 365"},
    {"invoicing", "number-prefix", K_PREFIX,
     "an invoice number prefix of 1 to 20 letters, digits, '-' or '_'"},
    {"invoicing", "periods", K_PERIODS, "periods 1, 4 or 12"},
    {"invoicing", "bankgiro", K_BANKGIRO, "a bankgiro number NNN-NNNN or NNNN-NNNN"},
    {"invoicing", "plusgiro", K_PLUSGIRO, "a plusgiro number of 2 to 8 digits such as 901234-5"},
    {"invoicing", "iban", K_IBAN, "an IBAN such as SE45 5000 0000 0583 9825 7466"},
    {"invoicing", "bic", K_BIC, "a BIC of 8 or 11 letters and digits such as ESSESESS"},
    {"group", "id", K_ID, "a group id of lowercase letters, digits, '-' or '_'"},
    {"group", "label", K_TEXT, "a group label"},
    {"group", "vat", K_VAT, "vat 'O' or 'S'"},
    {"group", "vat-percent", K_VATPCT, "vat-percent 25, 12 or 6"},
    {"service", "id", K_ID, "a service id of lowercase letters, digits, '-' or '_'"},
    {"service", "name", K_TEXT, "a service name"},
    {"service", "fee", K_KRONOR, "a fee of 0 or more whole kronor"},
    {"service", "previous-fee", K_KRONOR, "a previous-fee of 0 or more whole kronor"},
    {"service", "per-call-price", K_TEXT, "a per-call-price text"},
    {"service", "short-name", K_SHORT, "a short-name of 1 to 31 characters"},
    {"basis", "file", K_FILE,
     "a file name in the input folder (letters, digits, '.', '-', '_')"},
    {"basis", "date-column", K_TEXT, "a date-column name"},
    {"basis", "from", K_DATE, "a date YYYY-MM-DD"},
    {"basis", "to", K_DATE, "a date YYYY-MM-DD"},
    {"basis", "snapshot", K_DATE, "a date YYYY-MM-DD"},
    {"basis", "value-column", K_TEXT, "a value-column name"},
    {"basis", "unit", K_TEXT, "a unit"},
    {"match", "column", K_TEXT, "a column name"},
    {"match", "values", K_TEXT, "comma-separated values"},
    {"key", "method", K_METHOD, "method 'proportional' or 'equal-and-proportional'"},
    {"key", "equal-percent", K_PERCENT, "an equal-percent from 0 to 100"},
    {"consolidate", "from", K_CUSTNR, "a customer number of 1 to 6 digits"},
    {"consolidate", "into", K_CUSTNR, "a customer number of 1 to 6 digits"},
    {"accounting", "seller-cost-centre", K_OBJECT,
     "a cost centre code of 1 to 20 letters, digits, '-' or '_'"},
    {"accounting", "cost-account", K_ACCOUNT, "an account number of 4 to 6 digits"},
    {"account", "number", K_ACCOUNT, "an account number of 4 to 6 digits"},
    {"account", "name", K_TEXT, "an account name"},
    {"posting", "service", K_ID, "a service id of lowercase letters, digits, '-' or '_'"},
    {"posting", "revenue-account", K_ACCOUNT, "an account number of 4 to 6 digits"},
    {"posting", "cost-account", K_ACCOUNT, "an account number of 4 to 6 digits"},
};

static const attr_spec *find_spec(const char *elem, const char *attr)
{
    size_t i;
    for (i = 0; i < IP_ARRAY_LEN(attrs); i++)
        if (!strcmp(attrs[i].elem, elem) && !strcmp(attrs[i].attr, attr))
            return &attrs[i];
    return NULL;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* All of s (length n) are ASCII digits, min <= n <= max. */
static int all_digits(const char *s, size_t n, size_t min, size_t max)
{
    size_t i;
    if (n < min || n > max)
        return 0;
    for (i = 0; i < n; i++)
        if (!is_digit(s[i]))
            return 0;
    return 1;
}

/* Value of 1 to 9 digits, -1 otherwise. */
static long small_uint(const char *s)
{
    size_t n = strlen(s), i;
    long v = 0;
    if (!all_digits(s, n, 1, 9))
        return -1;
    for (i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

static int is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

static int is_alnum(char c)
{
    return is_digit(c) || is_upper(c) || (c >= 'a' && c <= 'z');
}

/* v without its '-' (bankgiro, plusgiro) or spaces (IBAN) into out[size]:
 * 0, or -1 when it does not fit. */
static int squeeze(const char *v, char drop, char *out, size_t size)
{
    size_t o = 0;
    for (; *v; v++) {
        if (*v == drop)
            continue;
        if (o + 1 >= size)
            return -1;
        out[o++] = *v;
    }
    out[o] = '\0';
    return 0;
}

static int in_set(const char *s, const char *const *set)
{
    for (; *set; set++)
        if (!strcmp(s, *set))
            return 1;
    return 0;
}

/* Does the (collapsed) value v have the shape of its kind? The same rules as
 * the schema's simple types. */
static int value_ok(kind k, const char *v)
{
    static const char *const periods[] = {"1", "4", "12", NULL};
    static const char *const vat[] = {"O", "S", NULL};
    static const char *const vatpct[] = {"25", "12", "6", NULL};
    static const char *const methods[] = {"proportional", "equal-and-proportional", NULL};
    size_t n = strlen(v), i;
    ip_date date;
    long x;
    switch (k) {
    case K_TEXT:
        return n > 0;
    case K_SHORT:
        return n > 0 && ip_utf8_count(v, n) <= 31;
    case K_ID:
        if (n < 1 || n > 32)
            return 0;
        for (i = 0; i < n; i++) {
            char c = v[i];
            int ok = (c >= 'a' && c <= 'z') || is_digit(c) || (i > 0 && (c == '-' || c == '_'));
            if (!ok)
                return 0;
        }
        return 1;
    case K_DATE:
        return ip_parse_date(v, n, &date) == 0;
    case K_YEAR:
        x = small_uint(v);
        return n == 4 && x >= 2000 && x <= 2999;
    case K_KRONOR:
        return all_digits(v, n, 1, SIZE_MAX);
    case K_PERCENT:
        x = small_uint(v);
        return n <= 3 && x >= 0 && x <= 100;
    case K_CUSTNR:
        return all_digits(v, n, 1, 6);
    case K_ORGNR:
        return (n == 10 && all_digits(v, 10, 10, 10)) ||
               (n == 11 && all_digits(v, 6, 6, 6) && v[6] == '-' &&
                all_digits(v + 7, 4, 4, 4));
    case K_VATID:
        return n == 14 && v[0] == 'S' && v[1] == 'E' && all_digits(v + 2, 12, 12, 12) &&
               v[12] == '0' && v[13] == '1';
    case K_POSTCODE:
        return (n == 5 && all_digits(v, 5, 5, 5)) ||
               (n == 6 && all_digits(v, 3, 3, 3) && v[3] == ' ' && all_digits(v + 4, 2, 2, 2));
    case K_EMAIL: {
        /* [^@\s]+@[^@\s]+\.[^@\s]+ */
        const char *at = strchr(v, '@'), *p;
        if (!at || at == v || !at[1] || strchr(at + 1, '@') || strchr(v, ' '))
            return 0;
        for (p = at + 2; *p; p++)
            if (*p == '.' && p[1] != '\0')
                return 1;
        return 0;
    }
    case K_CURRENCY:
        return !strcmp(v, "SEK");
    case K_PREFIX:
        if (n < 1 || n > 20)
            return 0;
        for (i = 0; i < n; i++) {
            char c = v[i];
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '-' ||
                  c == '_'))
                return 0;
        }
        return 1;
    case K_DUEDAYS:
        x = small_uint(v);
        return n <= 3 && x >= 0 && x <= 365;
    case K_PERIODS:
        return in_set(v, periods);
    case K_VAT:
        return in_set(v, vat);
    case K_VATPCT:
        return in_set(v, vatpct);
    case K_METHOD:
        return in_set(v, methods);
    case K_FILE:
        if (n < 1 || n > 100)
            return 0;
        for (i = 0; i < n; i++) {
            char c = v[i];
            int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) ||
                     c == '-' || c == '_' || (i > 0 && c == '.');
            if (!ok)
                return 0;
        }
        return 1;
    case K_BANKGIRO: {
        /* NNN-NNNN or NNNN-NNNN: the '-' stands before the last four digits */
        const char *dash = strchr(v, '-');
        char d[16];
        if (dash && (strlen(dash + 1) != 4 || strchr(dash + 1, '-')))
            return 0;
        return squeeze(v, '-', d, sizeof d) == 0 && all_digits(d, strlen(d), 7, 8);
    }
    case K_PLUSGIRO: {
        /* the '-' stands before the check digit */
        const char *dash = strchr(v, '-');
        char d[16];
        if (dash && strlen(dash + 1) != 1)
            return 0;
        return squeeze(v, '-', d, sizeof d) == 0 && all_digits(d, strlen(d), 2, 8);
    }
    case K_IBAN: {
        char d[48];
        size_t m;
        /* no space inside the country code and check digits */
        if (n < 4 || !is_upper(v[0]) || !is_upper(v[1]) || !is_digit(v[2]) || !is_digit(v[3]))
            return 0;
        if (squeeze(v, ' ', d, sizeof d) != 0)
            return 0;
        m = strlen(d);
        if (m < 15 || m > 34)
            return 0;
        for (i = 4; i < m; i++)
            if (!is_digit(d[i]) && !is_upper(d[i]))
                return 0;
        return 1;
    }
    case K_BIC:
        if (n != 8 && n != 11)
            return 0;
        for (i = 0; i < n; i++)
            if (i < 6 ? !is_upper(v[i]) : !(is_upper(v[i]) || is_digit(v[i])))
                return 0;
        return 1;
    case K_ACCOUNT:
        return all_digits(v, n, 4, 6) && v[0] >= '1' && v[0] <= '8';
    case K_OBJECT:
        if (n < 1 || n > 20)
            return 0;
        for (i = 0; i < n; i++)
            if (!(is_alnum(v[i]) || (i > 0 && (v[i] == '-' || v[i] == '_'))))
                return 0;
        return 1;
    }
    return 0;
}

/* A copy of s with XML whitespace trimmed and inner runs collapsed to one
 * space (what xs:token does before the schema looks at a value). */
static char *collapse(const char *s)
{
    char *out = ip_xmalloc(strlen(s) + 1);
    size_t o = 0;
    int space = 0;
    for (; *s; s++) {
        if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
            space = o > 0;
            continue;
        }
        if (space)
            out[o++] = ' ';
        space = 0;
        out[o++] = *s;
    }
    out[o] = '\0';
    return out;
}

/* ---------------------------------------------------------------------- */
/* The loader's state and libxml2's callbacks                             */

typedef struct attr_line {
    const xmlNode *elem;
    char *name;
    long line;
} attr_line;

typedef struct loader {
    const char *name;      /* display name of the tariff */
    ip_diag *d;
    /* parsing */
    startElementNsSAX2Func start_element; /* libxml2's own handler */
    int doctype;           /* a DOCTYPE was seen (and parsing stopped) */
    long doctype_line;
    attr_line *alines;     /* where each attribute is */
    size_t nalines, alines_alloc;
    int64_t fee_sum, prev_sum; /* fee and previous-fee of the services read so far */
    /* the first error libxml2 reported */
    int have_error;
    int err_code;
    long err_line;
    const xmlNode *err_node;
    char err_msg[512];
    /* the first resource libxml2 was asked to load (refuse_resource) */
    int refused;
    char refused_url[256];
} loader;

/* The loader that runs, for refuse_resource(): libxml2's entity loader has
 * no context of ours. The program loads one tariff at a time. */
static loader *loading;

/* libxml2's external entity loader while a tariff is loaded: the schema is
 * one self-contained file and the tariff has no DTD, so whatever libxml2
 * would open — an xs:include, xs:import or xs:redefine of the schema, an
 * xsi:schemaLocation of the tariff, an external entity — is refused
 * without opening anything (no file, no FIFO that blocks, no URL) and
 * noted, so the caller can name it. */
static xmlParserInputPtr refuse_resource(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
    const char *what = url ? url : id ? id : "?";
    (void)ctxt;
    if (loading && !loading->refused) {
        loading->refused = 1;
        snprintf(loading->refused_url, sizeof loading->refused_url, "%s", what);
    }
    return NULL;
}

static void xml_error(void *ctx, xml_error_ptr e)
{
    loader *L = ctx;
    const char *m;
    size_t o = 0;
    int space = 0;
    if (!L || !e || e->level < XML_ERR_ERROR || L->have_error)
        return;
    L->have_error = 1;
    L->err_code = e->code;
    L->err_line = e->line;
    L->err_node = e->node;
    /* One line: whitespace runs (libxml2 ends messages with '\n' and some
     * have one inside) become one space, control bytes a '?'. */
    for (m = e->message ? e->message : ""; *m && o + 4 < sizeof L->err_msg; m++) {
        unsigned char c = (unsigned char)*m;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            space = o > 0;
            continue;
        }
        if (space)
            L->err_msg[o++] = ' ';
        space = 0;
        L->err_msg[o++] = (char)(c < 0x20 || c == 0x7F ? '?' : c);
    }
    L->err_msg[o] = '\0';
}

static void xml_silent(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

static loader *loader_of(void *ctx)
{
    return (loader *)((xmlParserCtxtPtr)ctx)->_private;
}

/* SAX: <!DOCTYPE ...> was read (its internal subset, if any, not yet). */
static void on_doctype(void *ctx, const xmlChar *name, const xmlChar *external_id,
                       const xmlChar *system_id)
{
    xmlParserCtxtPtr c = ctx;
    loader *L = loader_of(ctx);
    (void)name;
    (void)external_id;
    (void)system_id;
    L->doctype = 1;
    L->doctype_line = c->input ? c->input->line : 0;
    xmlStopParser(c);
}

static long count_newlines(const xmlChar *from, const xmlChar *to)
{
    long n = 0;
    for (; from < to; from++)
        n += *from == '\n';
    return n;
}

/* Where attribute name's "name=" begins in the start tag [lt, cur) (after
 * white space, before optional white space and '='); lt when not found. */
static const xmlChar *attr_in_tag(const xmlChar *lt, const xmlChar *cur, const xmlChar *name)
{
    size_t n = strlen((const char *)name);
    const xmlChar *p, *q;
    for (p = lt + 1; p + n < cur; p++) {
        if (!(p[-1] == ' ' || p[-1] == '\t' || p[-1] == '\n' || p[-1] == '\r') ||
            memcmp(p, name, n) != 0)
            continue;
        for (q = p + n; q < cur && (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r'); q++)
            ;
        if (q < cur && *q == '=')
            return p;
    }
    return lt;
}

/* SAX: a start tag was read, attributes and all. libxml2 records the line
 * where the tag ends; find its '<' and record that line instead, and the
 * line of each attribute. No '<' can occur inside a start tag, so the last
 * one before the current position is the tag's. */
static void on_start_element(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                             const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
                             int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
    xmlParserCtxtPtr c = ctx;
    loader *L = loader_of(ctx);
    const xmlChar *base = NULL, *cur = NULL, *lt = NULL;
    long start = 0;
    int i;
    if (c->input && c->input->base && c->input->cur) {
        base = c->input->base;
        cur = c->input->cur;
        for (lt = cur; lt > base && *lt != '<'; lt--)
            ;
        if (*lt == '<')
            start = c->input->line - count_newlines(lt, cur);
        else
            lt = NULL;
    }
    L->start_element(ctx, localname, prefix, uri, nb_namespaces, namespaces, nb_attributes,
                     nb_defaulted, attributes);
    if (!c->node || start <= 0 || !c->node->name ||
        strcmp((const char *)c->node->name, (const char *)localname))
        return;
    if (start < 65535)
        c->node->line = (unsigned short)start;
    /* The element's line and its attributes' lines are recorded together:
     * an entry without a name for the element itself (libxml2 keeps a line
     * in 16 bits, past 65 535 its own is no longer true), then one per
     * attribute; the node keeps where they start (plus one), so node_line()
     * and attr_lineno() need not search them all. */
    c->node->_private = (void *)(uintptr_t)(L->nalines + 1);
    ip_xgrow((void **)&L->alines, &L->alines_alloc, L->nalines + 1, sizeof *L->alines);
    L->alines[L->nalines].elem = c->node;
    L->alines[L->nalines].name = NULL;
    L->alines[L->nalines].line = start;
    L->nalines++;
    for (i = 0; i < nb_attributes; i++) {
        const xmlChar *value = attributes[5 * i + 3];
        long line = start;
        if (lt && (uintptr_t)value >= (uintptr_t)lt && (uintptr_t)value < (uintptr_t)cur)
            line += count_newlines(lt, value);
        else if (lt) /* a value that needed normalising lives in a copy: find its name= */
            line += count_newlines(lt, attr_in_tag(lt, cur, attributes[5 * i]));
        ip_xgrow((void **)&L->alines, &L->alines_alloc, L->nalines + 1, sizeof *L->alines);
        L->alines[L->nalines].elem = c->node;
        L->alines[L->nalines].name = ip_xstrdup((const char *)attributes[5 * i]);
        L->alines[L->nalines].line = line;
        L->nalines++;
    }
}

static long node_line(const loader *L, const xmlNode *n)
{
    long l;
    size_t i = n->type == XML_ELEMENT_NODE ? (size_t)(uintptr_t)n->_private : 0;
    if (i > 0 && i <= L->nalines && L->alines[i - 1].elem == n)
        return L->alines[i - 1].line;
    l = xmlGetLineNo(n);
    return l > 0 ? l : 0;
}

/* Line of attribute name of element n (the element's line if unknown): its
 * attributes' lines start at the index on_start_element() left in the node. */
static long attr_lineno(const loader *L, const xmlNode *n, const char *name)
{
    size_t i = (size_t)(uintptr_t)n->_private;
    if (i == 0)
        return node_line(L, n);
    for (i--; i < L->nalines && L->alines[i].elem == n; i++)
        if (L->alines[i].name && !strcmp(L->alines[i].name, name))
            return L->alines[i].line;
    return node_line(L, n);
}

static ip_err fail(loader *L, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static ip_err fail(loader *L, long line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ip_diag_vset(L->d, IP_ERR_TARIFF, L->name, line, fmt, ap);
    va_end(ap);
    return IP_ERR_TARIFF;
}

static const char *quote(const char *s, char *buf, size_t size)
{
    return ip_quote(s, strlen(s), buf, size);
}

/* ---------------------------------------------------------------------- */
/* Schema errors                                                          */

/* From "Element 'service', attribute 'fee': ..." the element and attribute
 * names; 0 if the message has another shape. */
static int split_schema_msg(const char *msg, char *elem, size_t esize, char *attr, size_t asize)
{
    static const char e_pre[] = "Element '", a_pre[] = "', attribute '";
    const char *p, *q;
    if (strncmp(msg, e_pre, sizeof e_pre - 1))
        return 0;
    p = msg + sizeof e_pre - 1;
    q = strstr(p, a_pre);
    if (!q || (size_t)(q - p) >= esize || memchr(p, '\'', (size_t)(q - p)))
        return 0;
    memcpy(elem, p, (size_t)(q - p));
    elem[q - p] = '\0';
    p = q + sizeof a_pre - 1;
    q = strchr(p, '\'');
    if (!q || (size_t)(q - p) >= asize)
        return 0;
    memcpy(attr, p, (size_t)(q - p));
    attr[q - p] = '\0';
    return 1;
}

/* Turns the first schema error into our message. */
static ip_err schema_error(loader *L)
{
    char elem[64], attr[64], q[200];
    const xmlNode *n = L->err_node;
    long line = L->err_line;
    const attr_spec *spec;
    xmlChar *raw;
    if (n && n->type == XML_ELEMENT_NODE) {
        line = node_line(L, n);
        /* "The attribute 'vat' is required but missing." */
        if (L->err_code == XML_SCHEMAV_CVC_COMPLEX_TYPE_4 &&
            sscanf(L->err_msg, "Element '%63[^']': The attribute '%63[^']'", elem, attr) == 2)
            return fail(L, line, "expected a '%s' attribute on <%s>, found none", attr, elem);
        /* "The attribute 'foo' is not allowed." (3.1.1: on a simple-typed element) */
        if ((L->err_code == XML_SCHEMAV_CVC_COMPLEX_TYPE_3_2_1 ||
             L->err_code == XML_SCHEMAV_CVC_TYPE_3_1_1) &&
            split_schema_msg(L->err_msg, elem, sizeof elem, attr, sizeof attr))
            return fail(L, attr_lineno(L, n, attr),
                        "expected only the attributes of <%s> that the schema names, found '%s'",
                        elem, attr);
        /* A value of the wrong type: say what the value should be. */
        if (L->err_code >= XML_SCHEMAV_CVC_DATATYPE_VALID_1_2_1 &&
            L->err_code <= XML_SCHEMAV_CVC_ENUMERATION_VALID &&
            split_schema_msg(L->err_msg, elem, sizeof elem, attr, sizeof attr) &&
            (spec = find_spec(elem, attr)) != NULL &&
            (raw = xmlGetNoNsProp(n, (const xmlChar *)attr)) != NULL) {
            ip_err e;
            line = attr_lineno(L, n, attr);
            if (spec->kind == K_KRONOR) {
                char *v = collapse((const char *)raw);
                if (all_digits(v, strlen(v), 1, SIZE_MAX)) {
                    e = fail(L, line, "expected %s of at most 10^12 kr, found '%s'",
                             !strcmp(attr, "fee") ? "a fee" : "a previous-fee",
                             quote(v, q, sizeof q));
                    free(v);
                    xmlFree(raw);
                    return e;
                }
                free(v);
            }
            e = fail(L, line, "expected %s, found '%s'", spec->expect,
                     quote((const char *)raw, q, sizeof q));
            xmlFree(raw);
            return e;
        }
        if (n->name && !strcmp((const char *)n->name, "description") &&
            L->err_code == XML_SCHEMAV_CVC_MINLENGTH_VALID)
            return fail(L, line, "expected a description text, found an empty <description>");
    }
    return fail(L, line, "expected a tariff that matches the schema, found: %s", L->err_msg);
}

static ip_err validate(loader *L, xmlDocPtr doc, const char *xsd_path)
{
    char *xsd;
    size_t len;
    xmlSchemaParserCtxtPtr pctxt = NULL;
    xmlSchemaPtr schema = NULL;
    xmlSchemaValidCtxtPtr vctxt = NULL;
    const xmlChar *url;
    const char *xsd_kind;
    ip_err e = IP_OK;
    int rc;

    /* A missing schema is a broken installation (70); a pipe or a device in
     * its place is refused like any input that is not a regular file. */
    rc = ip_files_open_fd(xsd_path, IP_FILES_FOLLOW, &xsd_kind);
    if (rc < 0 && !xsd_kind)
        return ip_diag_set(L->d, IP_ERR_SOFTWARE, xsd_path, 0,
                           "cannot open the tariff schema: %s (is internpris installed "
                           "completely? --templates names its folder)",
                           strerror(errno));
    if (rc >= 0)
        close(rc);
    if ((e = ip_files_read(xsd_path, xsd_path, IP_FILES_FOLLOW, MAX_TARIFF_BYTES, &xsd, &len,
                           L->d)))
        return e;
    if (len > MAX_TARIFF_BYTES) {
        free(xsd);
        return ip_diag_set(L->d, IP_ERR_SOFTWARE, xsd_path, 0,
                           "expected a tariff schema of at most 16 MiB, found more");
    }
    pctxt = xmlSchemaNewMemParserCtxt(xsd, (int)len);
    if (pctxt) {
        xmlSchemaSetParserStructuredErrors(pctxt, xml_error, L);
        schema = xmlSchemaParse(pctxt);
    }
    if (L->refused) {
        char q[300];
        e = ip_diag_set(L->d, IP_ERR_SOFTWARE, xsd_path, 0,
                        "expected a self-contained schema, found a reference to '%s' "
                        "(xs:include, xs:import, xs:redefine and external entities are "
                        "refused; nothing was opened)",
                        quote(L->refused_url, q, sizeof q));
        goto out;
    }
    if (!schema) {
        e = ip_diag_set(L->d, IP_ERR_SOFTWARE, xsd_path, L->have_error ? L->err_line : 0,
                        "expected a valid XML Schema, found: %s",
                        L->have_error ? L->err_msg : "nothing libxml2 can read");
        goto out;
    }
    vctxt = xmlSchemaNewValidCtxt(schema);
    if (!vctxt)
        IP_BUG("xmlSchemaNewValidCtxt failed");
    xmlSchemaSetValidStructuredErrors(vctxt, xml_error, L);
    /* Without the document's URL: for every error it raises, libxml2 (2.9)
     * looks for an XInclude start among all earlier siblings of the node,
     * but only in a document with a URL — a tariff with one fault on each
     * of n elements would cost n²/2 steps before the first is reported. The
     * message names the file itself (L->name). */
    url = doc->URL;
    doc->URL = NULL;
    rc = xmlSchemaValidateDoc(vctxt, doc);
    doc->URL = url;
    if (L->refused) {
        char q[300];
        e = ip_diag_set(L->d, IP_ERR_TARIFF, L->name, 0,
                        "expected a tariff without references to other files, found '%s' "
                        "(an xsi:schemaLocation is refused; nothing was opened)",
                        quote(L->refused_url, q, sizeof q));
        goto out;
    }
    if (rc != 0) {
        if (!L->have_error) {
            L->err_node = NULL;
            L->err_line = 0;
            snprintf(L->err_msg, sizeof L->err_msg, "validation failed (code %d)", rc);
        }
        e = schema_error(L);
    }
out:
    xmlSchemaFreeValidCtxt(vctxt);
    xmlSchemaFree(schema);
    xmlSchemaFreeParserCtxt(pctxt);
    free(xsd);
    return e;
}

/* ---------------------------------------------------------------------- */
/* Reading the tree                                                       */

static int is_elem(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && !n->ns && !strcmp((const char *)n->name, name);
}

/* The next element sibling from n on (n included), skipping comments,
 * whitespace and processing instructions; NULL at the end. Text that is not
 * whitespace is an error (only a schema-less load can meet it). */
static ip_err next_elem(loader *L, xmlNode *n, xmlNode **out)
{
    for (; n; n = n->next) {
        if (n->type == XML_ELEMENT_NODE)
            break;
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            const xmlChar *s = n->content;
            for (; s && *s; s++)
                if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
                    return fail(L, node_line(L, n), "expected only elements in <%s>, found text",
                                n->parent ? (const char *)n->parent->name : "?");
        }
    }
    *out = n;
    return IP_OK;
}

/* Every attribute of n is one the schema names for it. */
static ip_err check_attrs(loader *L, const xmlNode *n)
{
    const xmlAttr *a;
    for (a = n->properties; a; a = a->next) {
        const char *name = (const char *)a->name;
        if (a->ns || !find_spec((const char *)n->name, name))
            return fail(L, attr_lineno(L, n, name),
                        "expected only the attributes of <%s> that the schema names, found '%s'",
                        (const char *)n->name, name);
    }
    return IP_OK;
}

/* The value of attribute attr of element n, collapsed, checked against its
 * kind; *out is NULL when the attribute is absent and optional. */
static ip_err get(loader *L, const xmlNode *n, const char *attr, int required, char **out)
{
    const attr_spec *spec = find_spec((const char *)n->name, attr);
    xmlChar *raw;
    char *v, q[200];
    *out = NULL;
    if (!spec)
        IP_BUG("no spec for <%s %s>", (const char *)n->name, attr);
    raw = xmlGetNoNsProp(n, (const xmlChar *)attr);
    if (!raw) {
        if (required)
            return fail(L, node_line(L, n), "expected a '%s' attribute on <%s>, found none", attr,
                        spec->elem);
        return IP_OK;
    }
    v = collapse((const char *)raw);
    {
        /* what the outputs cannot carry (a character reference to DEL, a
         * text longer than a cell) is refused here, with its line */
        ip_text_fault tf;
        char where[80], msg[240];
        ip_err e;
        if (ip_utf8_text_check(v, strlen(v), 1, &tf)) {
            snprintf(where, sizeof where, "the '%s' attribute of <%s>", attr, spec->elem);
            e = fail(L, attr_lineno(L, n, attr), "%s",
                            ip_utf8_text_msg(&tf, where, msg, sizeof msg));
            xmlFree(raw);
            free(v);
            return e;
        }
    }
    if (!value_ok(spec->kind, v)) {
        ip_err e = fail(L, attr_lineno(L, n, attr), "expected %s, found '%s'", spec->expect,
                        quote((const char *)raw, q, sizeof q));
        xmlFree(raw);
        free(v);
        return e;
    }
    xmlFree(raw);
    *out = v;
    return IP_OK;
}

/* get() for an optional or required number (the kinds are all digits). */
static ip_err get_int(loader *L, const xmlNode *n, const char *attr, int required, int *present,
                      int64_t *out)
{
    char *v;
    ip_err e = get(L, n, attr, required, &v);
    *out = 0;
    if (present)
        *present = v != NULL;
    if (e || !v)
        return e;
    if (ip_parse_uint(v, strlen(v), out) != 0)
        *out = INT64_MAX; /* more than 10^15: only fees get here */
    free(v);
    return IP_OK;
}

static ip_err get_date(loader *L, const xmlNode *n, const char *attr, int required,
                       int *present, ip_date *out)
{
    char *v;
    ip_err e = get(L, n, attr, required, &v);
    if (present)
        *present = v != NULL;
    *out = 0;
    if (e || !v)
        return e;
    ip_parse_date(v, strlen(v), out); /* value_ok() parsed it already */
    free(v);
    return IP_OK;
}

/* A fee: digits (the kind checked that), at most 10^12. */
static ip_err get_fee(loader *L, const xmlNode *n, const char *attr, int64_t *out)
{
    ip_err e = get_int(L, n, attr, 1, NULL, out);
    char q[200];
    xmlChar *raw;
    if (e || *out <= MAX_FEE)
        return e;
    raw = xmlGetNoNsProp(n, (const xmlChar *)attr);
    e = fail(L, attr_lineno(L, n, attr), "expected %s of at most 10^12 kr, found '%s'",
             !strcmp(attr, "fee") ? "a fee" : "a previous-fee",
             quote(raw ? (const char *)raw : "", q, sizeof q));
    xmlFree(raw);
    return e;
}

static ip_err read_seller(loader *L, ip_tariff *t, const xmlNode *n)
{
    ip_seller *s = &t->seller;
    char expect[32], q[200];
    ip_err e;
    int rc;
    if ((e = check_attrs(L, n)) || (e = get(L, n, "name", 1, &s->name)) ||
        (e = get(L, n, "org-nr", 1, &s->org_nr)) ||
        (e = get(L, n, "vat-id", 1, &s->vat_id)) || (e = get(L, n, "street", 1, &s->street)) ||
        (e = get(L, n, "postcode", 1, &s->postcode)) || (e = get(L, n, "city", 1, &s->city)) ||
        (e = get(L, n, "email", 1, &s->email)))
        return e;
    {
        char digits[11];
        rc = ip_parse_orgnr(s->org_nr, strlen(s->org_nr), digits);
        if (rc == -2)
            return fail(L, attr_lineno(L, n, "org-nr"),
                        "expected an organisation number with a valid check digit, found '%s'",
                        quote(s->org_nr, q, sizeof q));
        if (rc != 0)
            return fail(L, attr_lineno(L, n, "org-nr"),
                        "expected an organisation number NNNNNN-NNNN, found '%s'",
                        quote(s->org_nr, q, sizeof q));
        memcpy(s->org_nr, digits, 11); /* 10 digits fit where 10 or 11 were */
    }
    snprintf(expect, sizeof expect, "SE%s01", s->org_nr);
    if (strcmp(s->vat_id, expect))
        return fail(L, attr_lineno(L, n, "vat-id"),
                    "expected vat-id %s (SE, the org-nr, 01), found '%s'", expect,
                    quote(s->vat_id, q, sizeof q));
    return IP_OK;
}

/* The Luhn (modulus 10) check of a string of digits, as bankgiro and
 * plusgiro numbers carry it in their last digit. */
static int luhn_ok(const char *d)
{
    size_t n = strlen(d), i;
    int sum = 0;
    for (i = 0; i < n; i++) {
        int v = (d[n - 1 - i] - '0') * (i % 2 ? 2 : 1);
        sum += v > 9 ? v - 9 : v;
    }
    return sum % 10 == 0;
}

/* ISO 13616: the IBAN with its first four characters moved to the end, the
 * letters as 10..35, is 1 modulo 97. */
static int iban_ok(const char *d)
{
    size_t n = strlen(d), i;
    unsigned r = 0;
    for (i = 0; i < n; i++) {
        char c = d[(i + 4) % n];
        unsigned v = is_digit(c) ? (unsigned)(c - '0') : (unsigned)(c - 'A' + 10);
        r = (v >= 10 ? r * 100 : r * 10) + v;
        r %= 97;
    }
    return r == 1;
}

/* A payment attribute of <invoicing> without its separators (drop), its
 * check digits verified by ok(). */
static ip_err get_account_no(loader *L, const xmlNode *n, const char *attr, char drop,
                             int (*ok)(const char *), const char *what, char **out)
{
    char q[200];
    ip_err e = get(L, n, attr, 0, out);
    if (e || !*out)
        return e;
    if (squeeze(*out, drop, *out, strlen(*out) + 1) != 0)
        IP_BUG("squeeze into itself");
    if (!ok(*out)) {
        xmlChar *raw = xmlGetNoNsProp(n, (const xmlChar *)attr);
        e = fail(L, attr_lineno(L, n, attr), "expected %s with a valid check digit, found '%s'",
                 what, quote(raw ? (const char *)raw : "", q, sizeof q));
        xmlFree(raw);
    }
    return e;
}

/* bankgiro, plusgiro, iban and bic on <invoicing>: each optional, bic
 * exactly with iban. */
static ip_err read_payment(loader *L, ip_tariff *t, const xmlNode *n)
{
    ip_payment *p = &t->payment;
    ip_err e;
    if ((e = get_account_no(L, n, "bankgiro", '-', luhn_ok, "a bankgiro number", &p->bankgiro)) ||
        (e = get_account_no(L, n, "plusgiro", '-', luhn_ok, "a plusgiro number", &p->plusgiro)) ||
        (e = get_account_no(L, n, "iban", ' ', iban_ok, "an IBAN", &p->iban)) ||
        (e = get(L, n, "bic", 0, &p->bic)))
        return e;
    if (p->iban && !p->bic)
        return fail(L, attr_lineno(L, n, "iban"),
                    "expected a bic with iban on <invoicing>, found none");
    if (p->bic && !p->iban)
        return fail(L, attr_lineno(L, n, "bic"),
                    "expected bic only with an iban on <invoicing>, found no iban");
    return IP_OK;
}

void ip_tariff_issue_range(int year, int due_days, ip_date *from, ip_date *to)
{
    ip_date last = ip_date_add_days(ip_date_of(2999, 12, 31), -due_days);
    *from = ip_date_of(year - 1, 1, 1);
    *to = ip_date_of(year + 1, 12, 31);
    if (*to > last)
        *to = last;
}

static ip_err read_invoicing(loader *L, ip_tariff *t, const xmlNode *n)
{
    int64_t v;
    int present;
    ip_err e;
    if ((e = check_attrs(L, n)) || (e = get_date(L, n, "issue-date", 1, NULL, &t->issue_date)))
        return e;
    if ((e = get_int(L, n, "due-days", 1, NULL, &v)))
        return e;
    t->due_days = (int)v;
    {
        ip_date from, to;
        char a[11], b[11], c[11];
        ip_tariff_issue_range(t->year, t->due_days, &from, &to);
        if (t->issue_date < from || t->issue_date > to)
            return fail(L, attr_lineno(L, n, "issue-date"),
                        "expected issue-date between %s and %s (around the price year %d), "
                        "found %s", ip_date_str(from, a), ip_date_str(to, b), t->year,
                        ip_date_str(t->issue_date, c));
    }
    if ((e = get(L, n, "number-prefix", 1, &t->number_prefix)))
        return e;
    if ((e = get_int(L, n, "periods", 0, &present, &v)))
        return e;
    t->periods = present ? (int)v : 1;
    return read_payment(L, t, n);
}

static ip_err read_group(loader *L, ip_tariff *t, const xmlNode *n, long *lines)
{
    ip_group *g = &t->groups[t->ngroups];
    char *vat = NULL;
    int64_t pct;
    int has_pct;
    size_t i;
    ip_err e;
    t->ngroups++; /* owned from here on, whatever happens */
    if ((e = check_attrs(L, n)) || (e = get(L, n, "id", 1, &g->id)))
        return e;
    lines[t->ngroups - 1] = node_line(L, n);
    for (i = 0; i + 1 < t->ngroups; i++)
        if (!strcmp(t->groups[i].id, g->id))
            return fail(L, attr_lineno(L, n, "id"),
                        "expected a unique group id, found '%s' again (first on line %ld)",
                        g->id, lines[i]);
    if ((e = get(L, n, "label", 1, &g->label)) || (e = get(L, n, "vat", 1, &vat)))
        return e;
    g->vat = vat[0] == 'S' ? IP_VAT_S : IP_VAT_O;
    free(vat);
    if ((e = get_int(L, n, "vat-percent", 0, &has_pct, &pct)))
        return e;
    if (g->vat == IP_VAT_S && !has_pct)
        return fail(L, node_line(L, n),
                    "expected vat-percent (25, 12 or 6) with vat=\"S\" in group '%s', found none",
                    g->id);
    if (g->vat == IP_VAT_O && has_pct)
        return fail(L, attr_lineno(L, n, "vat-percent"),
                    "expected no vat-percent with vat=\"O\" (outside the scope of VAT) in "
                    "group '%s', found '%d'",
                    g->id, (int)pct);
    g->vat_percent = (int)pct;
    return IP_OK;
}

/* Splits "a, b,c" into trimmed values; an empty one is an error. */
static ip_err split_values(loader *L, const xmlNode *n, ip_match *m, const char *values)
{
    const char *p = values;
    size_t alloc = 0;
    char q[200];
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        const char *s = p;
        ip_trim(&s, &len);
        if (len == 0)
            return fail(L, attr_lineno(L, n, "values"),
                        "expected comma-separated values without empty ones, found '%s'",
                        quote(values, q, sizeof q));
        ip_xgrow((void **)&m->values, &alloc, m->nvalues + 1, sizeof *m->values);
        m->values[m->nvalues++] = ip_utf8_nfc(s, len, &len); /* rows compare in NFC */
        if (!comma)
            return IP_OK;
        p = comma + 1;
    }
}

static ip_err read_basis(loader *L, ip_service *s, xmlNode *n)
{
    int has_from, has_to;
    size_t alloc = 0, i;
    long *mlines = NULL;
    xmlNode *c;
    ip_err e;
    char a[11], b[11];
    if ((e = check_attrs(L, n)) || (e = get(L, n, "file", 1, &s->file)) ||
        (e = get(L, n, "date-column", 1, &s->date_column)) ||
        (e = get_date(L, n, "from", 0, &has_from, &s->from)) ||
        (e = get_date(L, n, "to", 0, &has_to, &s->to)) ||
        (e = get_date(L, n, "snapshot", 0, &s->is_snapshot, &s->snapshot)) ||
        (e = get(L, n, "value-column", 0, &s->value_column)) ||
        (e = get(L, n, "unit", 1, &s->unit)))
        return e;
    if (s->is_snapshot && (has_from || has_to))
        return fail(L, node_line(L, n),
                    "expected either from and to or a snapshot on <basis> of service '%s', "
                    "found both",
                    s->id);
    if (!s->is_snapshot && !has_from && !has_to)
        return fail(L, node_line(L, n),
                    "expected from and to, or a snapshot, on <basis> of service '%s', found "
                    "neither",
                    s->id);
    if (!s->is_snapshot && has_from != has_to)
        return fail(L, node_line(L, n),
                    "expected both from and to on <basis> of service '%s', found only %s",
                    s->id, has_from ? "from" : "to");
    if (!s->is_snapshot && s->from > s->to)
        return fail(L, attr_lineno(L, n, "from"),
                    "expected from on or before to in service '%s', found from=\"%s\" after "
                    "to=\"%s\"",
                    s->id, ip_date_str(s->from, a), ip_date_str(s->to, b));

    for (e = next_elem(L, n->children, &c); !e && c; e = next_elem(L, c->next, &c)) {
        ip_match *m;
        char *values = NULL;
        if (!is_elem(c, "match")) {
            e = fail(L, node_line(L, c), "expected <match> in <basis>, found <%s>",
                     (const char *)c->name);
            break;
        }
        ip_xgrow((void **)&s->matches, &alloc, s->nmatches + 1, sizeof *s->matches);
        mlines = ip_xrealloc(mlines, (s->nmatches + 1) * sizeof *mlines);
        m = &s->matches[s->nmatches++];
        memset(m, 0, sizeof *m);
        mlines[s->nmatches - 1] = node_line(L, c);
        m->line = mlines[s->nmatches - 1];
        if ((e = check_attrs(L, c)) || (e = get(L, c, "column", 1, &m->column)))
            break;
        for (i = 0; i + 1 < s->nmatches; i++)
            if (ip_strn_ieq(s->matches[i].column, strlen(s->matches[i].column), m->column) &&
                strlen(s->matches[i].column) == strlen(m->column))
                break;
        if (i + 1 < s->nmatches) {
            e = fail(L, attr_lineno(L, c, "column"),
                     "expected one <match> per column in service '%s', found '%s' again "
                     "(first on line %ld)",
                     s->id, m->column, mlines[i]);
            break;
        }
        if ((e = get(L, c, "values", 1, &values)))
            break;
        e = split_values(L, c, m, values);
        free(values);
        if (e)
            break;
    }
    free(mlines);
    return e;
}

static ip_err read_key(loader *L, ip_service *s, const xmlNode *n)
{
    char *method;
    int has_pct;
    int64_t pct;
    ip_err e;
    if ((e = check_attrs(L, n)) || (e = get(L, n, "method", 1, &method)))
        return e;
    s->method = strcmp(method, "proportional") ? IP_KEY_EQUAL_AND_PROPORTIONAL
                                               : IP_KEY_PROPORTIONAL;
    free(method);
    if ((e = get_int(L, n, "equal-percent", 0, &has_pct, &pct)))
        return e;
    if (s->method == IP_KEY_EQUAL_AND_PROPORTIONAL && !has_pct)
        return fail(L, node_line(L, n),
                    "expected equal-percent (0 to 100) with method=\"equal-and-proportional\" "
                    "in service '%s', found none",
                    s->id);
    if (s->method == IP_KEY_PROPORTIONAL && has_pct)
        return fail(L, attr_lineno(L, n, "equal-percent"),
                    "expected no equal-percent with method=\"proportional\" in service '%s', "
                    "found '%d'",
                    s->id, (int)pct);
    s->equal_percent = (int)pct;
    return IP_OK;
}

/* The consolidations of one service by their from, so that a second from is
 * found in constant time, not by a scan of every earlier one: open
 * addressing, slots hold a consolidation's index plus one (0: empty), at
 * most half full. */
typedef struct from_set {
    size_t *slot;
    size_t cap; /* a power of two, or 0 */
} from_set;

static size_t from_hash(uint32_t from, size_t cap)
{
    return (size_t)((from * UINT32_C(2654435761)) ^ (from >> 16)) & (cap - 1);
}

/* Index plus one of the consolidation of s with this from, or 0. */
static size_t from_find(const from_set *fs, const ip_service *s, uint32_t from)
{
    size_t h;
    if (!fs->cap)
        return 0;
    for (h = from_hash(from, fs->cap); fs->slot[h]; h = (h + 1) & (fs->cap - 1))
        if (s->consolidations[fs->slot[h] - 1].from == from)
            return fs->slot[h];
    return 0;
}

/* Records consolidation idx of s (not yet in the set). */
static void from_add(from_set *fs, const ip_service *s, size_t idx)
{
    size_t h;
    if (2 * (idx + 1) > fs->cap) {
        size_t i, cap = fs->cap ? 2 * fs->cap : 16;
        free(fs->slot);
        fs->slot = ip_xcalloc(cap, sizeof *fs->slot);
        fs->cap = cap;
        for (i = 0; i < idx; i++) {
            for (h = from_hash(s->consolidations[i].from, cap); fs->slot[h]; h = (h + 1) & (cap - 1))
                ;
            fs->slot[h] = i + 1;
        }
    }
    for (h = from_hash(s->consolidations[idx].from, fs->cap); fs->slot[h];
         h = (h + 1) & (fs->cap - 1))
        ;
    fs->slot[h] = idx + 1;
}

static ip_err read_consolidate(loader *L, ip_service *s, const xmlNode *n, size_t *alloc,
                               from_set *fs)
{
    ip_consolidation co;
    int64_t from, into;
    size_t i;
    ip_err e;
    if ((e = check_attrs(L, n)) || (e = get_int(L, n, "from", 1, NULL, &from)) ||
        (e = get_int(L, n, "into", 1, NULL, &into)))
        return e;
    co.from = (uint32_t)from;
    co.into = (uint32_t)into;
    co.line = node_line(L, n);
    if (co.from == co.into)
        return fail(L, co.line,
                    "expected consolidate from and into to be different customers in service "
                    "'%s', found %" PRIu32 " into itself",
                    s->id, co.from);
    if ((i = from_find(fs, s, co.from)) != 0)
        return fail(L, co.line,
                    "expected one consolidate from %" PRIu32 " in service '%s', found a "
                    "second (first on line %ld)",
                    co.from, s->id, s->consolidations[i - 1].line);
    ip_xgrow((void **)&s->consolidations, alloc, s->nconsolidations + 1,
             sizeof *s->consolidations);
    s->consolidations[s->nconsolidations++] = co;
    from_add(fs, s, s->nconsolidations - 1);
    return IP_OK;
}

static char *element_text(const xmlNode *n)
{
    xmlChar *raw = xmlNodeGetContent(n);
    char *v = collapse(raw ? (const char *)raw : "");
    xmlFree(raw);
    return v;
}

static ip_err read_service(loader *L, ip_tariff *t, xmlNode *n)
{
    ip_service *s = &t->services[t->nservices];
    ip_text_fault tf;
    char msg[240];
    xmlNode *c;
    size_t i, calloc_ = 0;
    from_set froms = {NULL, 0};
    ip_err e;
    t->nservices++; /* owned from here on */
    s->line = node_line(L, n);
    if ((e = check_attrs(L, n)) || (e = get(L, n, "id", 1, &s->id)))
        return e;
    for (i = 0; i + 1 < t->nservices; i++)
        if (!strcmp(t->services[i].id, s->id))
            return fail(L, attr_lineno(L, n, "id"),
                        "expected a unique service id, found '%s' again (first on line %ld)",
                        s->id, t->services[i].line);
    if ((e = get(L, n, "name", 1, &s->name)) || (e = get_fee(L, n, "fee", &s->fee)) ||
        (e = get_fee(L, n, "previous-fee", &s->previous_fee)) ||
        (e = get(L, n, "per-call-price", 0, &s->per_call_note)) ||
        (e = get(L, n, "short-name", 0, &s->short_name)))
        return e;

    /* description? basis key consolidate* */
    if ((e = next_elem(L, n->children, &c)))
        return e;
    if (c && is_elem(c, "description")) {
        if ((e = check_attrs(L, c)))
            return e;
        s->description = element_text(c);
        if (!s->description[0])
            return fail(L, node_line(L, c),
                        "expected a description text, found an empty <description>");
        if (ip_utf8_text_check(s->description, strlen(s->description), 1, &tf))
            return fail(L, node_line(L, c), "%s",
                        ip_utf8_text_msg(&tf, "<description>", msg, sizeof msg));
        if ((e = next_elem(L, c->next, &c)))
            return e;
    }
    if (!c || !is_elem(c, "basis"))
        return fail(L, c ? node_line(L, c) : s->line, "expected <basis> in service '%s', found %s%s%s",
                    s->id, c ? "<" : "", c ? (const char *)c->name : "none", c ? ">" : "");
    if ((e = read_basis(L, s, c)) || (e = next_elem(L, c->next, &c)))
        return e;
    if (!c || !is_elem(c, "key"))
        return fail(L, c ? node_line(L, c) : s->line, "expected <key> in service '%s', found %s%s%s",
                    s->id, c ? "<" : "", c ? (const char *)c->name : "none", c ? ">" : "");
    if ((e = read_key(L, s, c)))
        return e;
    for (e = next_elem(L, c->next, &c); !e && c; e = next_elem(L, c->next, &c)) {
        if (!is_elem(c, "consolidate")) {
            e = fail(L, node_line(L, c), "expected <consolidate> or </service>, found <%s>",
                     (const char *)c->name);
            break;
        }
        if ((e = read_consolidate(L, s, c, &calloc_, &froms)))
            break;
    }
    free(froms.slot);
    return e;
}

static const ip_account *find_account(const ip_accounting *a, const char *number)
{
    size_t i;
    for (i = 0; i < a->naccounts; i++)
        if (!strcmp(a->accounts[i].number, number))
            return &a->accounts[i];
    return NULL;
}

/* The account attr of element n names: declared, and of the class the side
 * needs (revenue: class 3; cost: classes 4 to 7, as in BAS and Kommun-Bas).
 * *out is NULL when the attribute is absent. */
static ip_err posting_account(loader *L, const ip_accounting *a, const xmlNode *n,
                              const char *attr, int revenue, const char *svc,
                              const ip_account **out)
{
    char *v;
    ip_err e = get(L, n, attr, revenue && svc, &v);
    const ip_account *acc;
    *out = NULL;
    if (e || !v)
        return e;
    acc = find_account(a, v);
    if (!acc)
        e = fail(L, attr_lineno(L, n, attr),
                 "expected an account declared by <account> in %s%s%s%s, found '%s'", attr,
                 svc ? " of service '" : "", svc ? svc : "", svc ? "'" : "", v);
    else if (revenue && v[0] != '3')
        e = fail(L, attr_lineno(L, n, attr),
                 "expected a revenue account of class 3 (3xxx) for service '%s', found '%s'",
                 svc, v);
    else if (!revenue && (v[0] < '4' || v[0] > '7'))
        e = fail(L, attr_lineno(L, n, attr),
                 "expected a cost account of class 4 to 7 (4xxx-7xxx)%s%s%s, found '%s'",
                 svc ? " for service '" : " as the default", svc ? svc : "", svc ? "'" : "", v);
    free(v);
    *out = acc;
    return e;
}

/* <accounting seller-cost-centre cost-account?> <account>+ <posting>+: the
 * accounts of the internal postings. Complete or an error: every service
 * gets a revenue and a cost account, every account named is declared. */
static ip_err read_accounting(loader *L, ip_tariff *t, xmlNode *n)
{
    ip_accounting *a = ip_xcalloc(1, sizeof *a);
    const ip_account *def = NULL;
    long *plines = ip_xcalloc(t->nservices + 1, sizeof *plines);
    size_t nelem = 0, s;
    xmlNode *c;
    ip_err e;

    t->accounting = a; /* owned from here on */
    a->line = node_line(L, n);
    a->revenue = ip_xcalloc(t->nservices + 1, sizeof *a->revenue);
    a->cost = ip_xcalloc(t->nservices + 1, sizeof *a->cost);
    for (c = n->children; c; c = c->next)
        nelem += c->type == XML_ELEMENT_NODE;
    a->accounts = ip_xcalloc(nelem + 1, sizeof *a->accounts);
    if ((e = check_attrs(L, n)) || (e = get(L, n, "seller-cost-centre", 1, &a->seller_cost_centre)))
        goto out;

    if ((e = next_elem(L, n->children, &c)))
        goto out;
    while (c && is_elem(c, "account")) {
        ip_account *acc = &a->accounts[a->naccounts];
        const ip_account *prev;
        if ((e = check_attrs(L, c)) || (e = get(L, c, "number", 1, &acc->number)))
            break;
        acc->line = node_line(L, c);
        if ((prev = find_account(a, acc->number)) != NULL) {
            e = fail(L, attr_lineno(L, c, "number"),
                     "expected a unique account number, found '%s' again (first on line %ld)",
                     acc->number, prev->line);
            free(acc->number);
            acc->number = NULL;
            break;
        }
        a->naccounts++;
        if ((e = get(L, c, "name", 1, &acc->name)) || (e = next_elem(L, c->next, &c)))
            break;
    }
    if (e)
        goto out;
    if (!a->naccounts) {
        e = fail(L, c ? node_line(L, c) : a->line, "expected <account> first in <accounting>, found %s%s%s",
                 c ? "<" : "", c ? (const char *)c->name : "none", c ? ">" : "");
        goto out;
    }
    if ((e = posting_account(L, a, n, "cost-account", 0, NULL, &def)))
        goto out;

    while (c) {
        const ip_account *rev, *cost;
        char *id = NULL;
        if (!is_elem(c, "posting")) {
            e = fail(L, node_line(L, c), "expected <posting> or </accounting>, found <%s>",
                     (const char *)c->name);
            break;
        }
        if ((e = check_attrs(L, c)) || (e = get(L, c, "service", 1, &id)))
            break;
        for (s = 0; s < t->nservices; s++)
            if (!strcmp(t->services[s].id, id))
                break;
        if (s == t->nservices)
            e = fail(L, attr_lineno(L, c, "service"),
                     "expected a service of the tariff in <posting service>, found '%s'", id);
        else if (plines[s])
            e = fail(L, attr_lineno(L, c, "service"),
                     "expected one <posting> per service, found '%s' again (first on line %ld)",
                     id, plines[s]);
        if (!e) {
            plines[s] = node_line(L, c);
            if (!(e = posting_account(L, a, c, "revenue-account", 1, id, &rev)) &&
                !(e = posting_account(L, a, c, "cost-account", 0, id, &cost))) {
                a->revenue[s] = rev;
                a->cost[s] = cost ? cost : def;
            }
        }
        free(id);
        if (e || (e = next_elem(L, c->next, &c)))
            break;
    }
    if (e)
        goto out;
    for (s = 0; s < t->nservices; s++) {
        if (!a->revenue[s]) {
            e = fail(L, a->line,
                     "expected a <posting> for every service in <accounting>, found none for "
                     "'%s'", t->services[s].id);
            goto out;
        }
        if (!a->cost[s]) {
            e = fail(L, plines[s],
                     "expected a cost-account on the <posting> of service '%s' or on "
                     "<accounting>, found neither", t->services[s].id);
            goto out;
        }
    }
out:
    free(plines);
    return e;
}

/* The fees of all services, and their previous fees, add up to at most
 * 10^12 kr, as one fee may: so a customer's total, an invoice in öre with
 * its VAT, a year's sums and last year's column stay far inside int64_t
 * everywhere after. Checked as each service n is read. */
static ip_err fee_sums(loader *L, const ip_tariff *t, const xmlNode *n)
{
    const ip_service *s = &t->services[t->nservices - 1];
    const char *what;
    L->fee_sum += s->fee; /* each at most 10^12, the sums at most 2 * 10^12 */
    L->prev_sum += s->previous_fee;
    if (L->fee_sum <= MAX_FEE && L->prev_sum <= MAX_FEE)
        return IP_OK;
    what = L->fee_sum > MAX_FEE ? "fee" : "previous-fee";
    return fail(L, attr_lineno(L, n, what),
                "expected the %s of all services to add up to at most 10^12 kr, found more "
                "with service '%s'", what, s->id);
}

static ip_err read_tariff(loader *L, ip_tariff *t, xmlDocPtr doc)
{
    xmlNode *root = xmlDocGetRootElement(doc), *c;
    size_t nelem = 0;
    long *glines = NULL;
    int64_t year;
    ip_err e;

    if (!root || !is_elem(root, "tariff") || root->ns)
        return fail(L, root ? node_line(L, root) : 0, "expected <tariff> without a namespace, found <%s>",
                    root ? (const char *)root->name : "");
    if ((e = check_attrs(L, root)) || (e = get_int(L, root, "year", 1, NULL, &year)) ||
        (e = get(L, root, "currency", 1, &t->currency)))
        return e;
    t->year = (int)year;

    for (c = root->children; c; c = c->next)
        nelem += c->type == XML_ELEMENT_NODE;
    t->groups = ip_xcalloc(nelem, sizeof *t->groups);
    t->services = ip_xcalloc(nelem, sizeof *t->services);
    glines = ip_xcalloc(nelem, sizeof *glines);

    /* seller invoicing group+ service+ */
    if ((e = next_elem(L, root->children, &c)))
        goto out;
    if (!c || !is_elem(c, "seller")) {
        e = fail(L, c ? node_line(L, c) : node_line(L, root), "expected <seller> first in <tariff>, found %s%s%s",
                 c ? "<" : "", c ? (const char *)c->name : "none", c ? ">" : "");
        goto out;
    }
    if ((e = read_seller(L, t, c)) || (e = next_elem(L, c->next, &c)))
        goto out;
    if (!c || !is_elem(c, "invoicing")) {
        e = fail(L, c ? node_line(L, c) : node_line(L, root),
                 "expected <invoicing> after <seller>, found %s%s%s", c ? "<" : "",
                 c ? (const char *)c->name : "none", c ? ">" : "");
        goto out;
    }
    if ((e = read_invoicing(L, t, c)) || (e = next_elem(L, c->next, &c)))
        goto out;
    while (c && is_elem(c, "group"))
        if ((e = read_group(L, t, c, glines)) || (e = next_elem(L, c->next, &c)))
            goto out;
    while (c && is_elem(c, "service"))
        if ((e = read_service(L, t, c)) || (e = fee_sums(L, t, c)) ||
            (e = next_elem(L, c->next, &c)))
            goto out;
    if (c && is_elem(c, "accounting") && t->nservices)
        if ((e = read_accounting(L, t, c)) || (e = next_elem(L, c->next, &c)))
            goto out;
    if (c)
        e = fail(L, node_line(L, c), "expected <group>, <service> or <accounting> in <tariff>, found <%s>",
                 (const char *)c->name);
    else if (!t->ngroups)
        e = fail(L, node_line(L, root), "expected at least one <group> in <tariff>, found none");
    else if (!t->nservices)
        e = fail(L, node_line(L, root), "expected at least one <service> in <tariff>, found none");
out:
    free(glines);
    return e;
}

/* ---------------------------------------------------------------------- */
/* Public functions                                                       */

ip_err ip_tariff_load_mem(const char *data, size_t len, const char *name, const char *xsd_path,
                          ip_tariff **out, ip_diag *d)
{
    loader L;
    xmlParserCtxtPtr ctxt = NULL;
    xmlDocPtr doc = NULL;
    ip_tariff *t = NULL;
    xmlStructuredErrorFunc old_serror = xmlStructuredError;
    void *old_sctx = xmlStructuredErrorContext;
    xmlGenericErrorFunc old_gerror = xmlGenericError;
    void *old_gctx = xmlGenericErrorContext;
    xmlExternalEntityLoader old_loader;
    ip_err e = IP_OK;
    size_t i;

    *out = NULL;
    ip_diag_clear(d);
    memset(&L, 0, sizeof L);
    L.name = name;
    L.d = d;
    if (len > MAX_TARIFF_BYTES)
        return ip_diag_set(d, IP_ERR_TARIFF, name, 0,
                           "expected a tariff of at most 16 MiB, found %zu bytes", len);

    xmlSetStructuredErrorFunc(&L, xml_error);
    xmlSetGenericErrorFunc(NULL, xml_silent);
    old_loader = xmlGetExternalEntityLoader();
    loading = &L;
    xmlSetExternalEntityLoader(refuse_resource);

    ctxt = xmlNewParserCtxt();
    if (!ctxt)
        IP_BUG("xmlNewParserCtxt failed");
    ctxt->_private = &L;
    ctxt->sax->internalSubset = on_doctype;
    L.start_element = ctxt->sax->startElementNs;
    ctxt->sax->startElementNs = on_start_element;
    /* No XML_PARSE_NOENT (entities are never substituted), no DTDLOAD,
     * DTDATTR or DTDVALID; NONET for good measure. */
    doc = xmlCtxtReadMemory(ctxt, data, (int)len, name, NULL,
                            XML_PARSE_NONET | XML_PARSE_BIG_LINES);
    if (L.doctype) {
        e = ip_diag_set(d, IP_ERR_TARIFF, name, L.doctype_line > 0 ? L.doctype_line : 1,
                        "expected a plain XML document, found a DOCTYPE declaration (DTDs and "
                        "entities are refused)");
        goto out;
    }
    if (!doc || !ctxt->wellFormed || L.have_error) {
        e = ip_diag_set(d, IP_ERR_TARIFF, name, L.have_error ? L.err_line : 0,
                        "expected well-formed XML, found: %s",
                        L.have_error ? L.err_msg : "a document libxml2 cannot read");
        goto out;
    }
    if (doc->intSubset || doc->extSubset) /* cannot happen: on_doctype stopped it */
        IP_BUG("tariff DTD slipped through");

    if (xsd_path && (e = validate(&L, doc, xsd_path)))
        goto out;

    t = ip_xcalloc(1, sizeof *t);
    t->path = ip_xstrdup(name);
    e = read_tariff(&L, t, doc);
out:
    xmlSetStructuredErrorFunc(old_sctx, old_serror);
    xmlSetGenericErrorFunc(old_gctx, old_gerror);
    xmlSetExternalEntityLoader(old_loader);
    loading = NULL;
    xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctxt);
    for (i = 0; i < L.nalines; i++)
        free(L.alines[i].name);
    free(L.alines);
    if (e) {
        ip_tariff_free(t);
        return e;
    }
    *out = t;
    return IP_OK;
}

ip_err ip_tariff_load(const char *path, const char *name, const char *xsd_path,
                      ip_tariff **out, ip_diag *d)
{
    return ip_tariff_load_ex(path, name, xsd_path, out, NULL, NULL, d);
}

ip_err ip_tariff_load_ex(const char *path, const char *name, const char *xsd_path,
                         ip_tariff **out, char sha256[65], uint64_t *bytes, ip_diag *d)
{
    size_t len;
    char *data;
    ip_err e;
    *out = NULL;
    ip_diag_clear(d);
    /* At most one byte more than a tariff may have: /dev/zero or a growing
     * file cannot grow memory (a device or a pipe is refused at once). */
    if ((e = ip_files_read(path, name, IP_FILES_FOLLOW, MAX_TARIFF_BYTES, &data, &len, d)))
        return e;
    if (len > MAX_TARIFF_BYTES) {
        free(data);
        return ip_diag_set(d, IP_ERR_TARIFF, name, 0,
                           "expected a tariff of at most 16 MiB, found more");
    }
    e = ip_tariff_load_mem(data, len, name, xsd_path, out, d);
    if (!e && sha256) { /* the digest of the bytes just parsed */
        ip_digest *dg = ip_digest_new(0);
        ip_digest_feed(dg, data, len);
        ip_digest_final(dg, sha256);
        ip_digest_free(dg);
        if (bytes)
            *bytes = len;
    }
    free(data);
    return e;
}

static void service_release(ip_service *s)
{
    size_t i, j;
    free(s->id);
    free(s->name);
    free(s->description);
    free(s->per_call_note);
    free(s->short_name);
    free(s->file);
    free(s->date_column);
    free(s->value_column);
    free(s->unit);
    for (i = 0; i < s->nmatches; i++) {
        free(s->matches[i].column);
        for (j = 0; j < s->matches[i].nvalues; j++)
            free(s->matches[i].values[j]);
        free(s->matches[i].values);
    }
    free(s->matches);
    free(s->consolidations);
}

void ip_tariff_free(ip_tariff *t)
{
    size_t i;
    if (!t)
        return;
    free(t->currency);
    free(t->seller.name);
    free(t->seller.org_nr);
    free(t->seller.vat_id);
    free(t->seller.street);
    free(t->seller.postcode);
    free(t->seller.city);
    free(t->seller.email);
    free(t->number_prefix);
    free(t->payment.bankgiro);
    free(t->payment.plusgiro);
    free(t->payment.iban);
    free(t->payment.bic);
    if (t->accounting) {
        for (i = 0; i < t->accounting->naccounts; i++) {
            free(t->accounting->accounts[i].number);
            free(t->accounting->accounts[i].name);
        }
        free(t->accounting->accounts);
        free(t->accounting->revenue);
        free(t->accounting->cost);
        free(t->accounting->seller_cost_centre);
        free(t->accounting);
    }
    for (i = 0; i < t->ngroups; i++) {
        free(t->groups[i].id);
        free(t->groups[i].label);
    }
    free(t->groups);
    for (i = 0; i < t->nservices; i++)
        service_release(&t->services[i]);
    free(t->services);
    free(t->path);
    free(t);
}

int ip_tariff_has_payment(const ip_tariff *t)
{
    return t->payment.bankgiro || t->payment.plusgiro || t->payment.iban;
}

const ip_group *ip_tariff_group(const ip_tariff *t, const char *id)
{
    size_t i;
    for (i = 0; i < t->ngroups; i++)
        if (!strcmp(t->groups[i].id, id))
            return &t->groups[i];
    return NULL;
}
