/*
 * cli.c — the command line and the orchestration of a run.
 *
 * The options live in one table; the parser and --help both read it, so the
 * help can never drift from what is accepted. Only this file turns an ip_err
 * into an exit status.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <time.h>
#include <inttypes.h>
#include <libxml/xmlversion.h>
#include <openssl/opensslv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "billing.h"
#include "docwrite.h"
#include "error.h"
#include "explain.h"
#include "fees.h"
#include "files.h"
#include "issued.h"
#include "money.h"
#include "outdir.h"
#include "parse.h"
#include "pricelist.h"
#include "report.h"
#include "run.h"
#include "compare_book.h"
#include "scenario.h"
#include "sie.h"
#include "signals.h"
#include "utf8.h"
#include "stage.h"
#include "util.h"
#include "version.h"
#include "wording.h"

enum opt_id { OPT_YEAR, OPT_INPUT, OPT_OUTPUT, OPT_DRY_RUN, OPT_DIFF, OPT_TEMPLATES, OPT_SUMMARY,
              OPT_VERBOSE, OPT_CUSTOMER, OPT_SERVICE, OPT_HELP, OPT_VERSION,
              OPT_CORRECT, OPT_ISSUE_DATE, OPT_TARIFF, OPT_WORKBOOK, OPT_NAME, OPT_QUIET,
              OPT__COUNT };

/* Which commands accept an option. */
#define CMD_RUN 1
#define CMD_CHECK 2
#define CMD_NONE 4 /* before/without a command */
#define CMD_EXPLAIN 8
#define CMD_SCENARIO 16

static const struct option_def {
    enum opt_id id;
    const char *name;
    const char *arg;  /* NULL: a flag */
    int commands;
    const char *help;
} options[] = {
    {OPT_YEAR, "year", "Y", CMD_RUN | CMD_CHECK | CMD_EXPLAIN | CMD_SCENARIO,
     "price year to compute (required)"},
    {OPT_INPUT, "input", "ROOT", CMD_RUN | CMD_CHECK | CMD_EXPLAIN | CMD_SCENARIO,
     "read ROOT/Y/ (default: input)"},
    {OPT_OUTPUT, "output", "ROOT", CMD_RUN | CMD_CHECK | CMD_EXPLAIN | CMD_SCENARIO,
     "write ROOT/Y/, read last year's ROOT/Y-1/fees.csv (default: output)"},
    {OPT_DRY_RUN, "dry-run", NULL, CMD_RUN,
     "compute everything, print the fees per service, write nothing"},
    {OPT_DIFF, "diff", NULL, CMD_RUN,
     "with --dry-run: show only what would change against the current output"},
    {OPT_CORRECT, "correct", NULL, CMD_RUN | CMD_CHECK,
     "credit and re-invoice the issued invoices whose amounts changed (needs --issue-date)"},
    {OPT_ISSUE_DATE, "issue-date", "YYYY-MM-DD", CMD_RUN | CMD_CHECK,
     "with --correct: the issue date of the credit notes and new invoices"},
    {OPT_TEMPLATES, "templates", "DIR", CMD_RUN | CMD_CHECK | CMD_EXPLAIN | CMD_SCENARIO,
     "folder with tariff.xsd (default: the installed templates)"},
    {OPT_SUMMARY, "summary", NULL, CMD_RUN | CMD_CHECK, "print one summary line on success"},
    {OPT_VERBOSE, "verbose", NULL, CMD_RUN | CMD_CHECK | CMD_EXPLAIN | CMD_SCENARIO,
     "say on stderr what is read, used and written"},
    {OPT_QUIET, "quiet", NULL, CMD_RUN | CMD_CHECK | CMD_EXPLAIN,
     "no warnings on stderr (kept in report.txt; errors and an old version not removed still show)"},
    {OPT_CUSTOMER, "customer", "NR", CMD_EXPLAIN, "explain: the customer number (required)"},
    {OPT_SERVICE, "service", "ID", CMD_EXPLAIN, "explain: only this service (default: every service)"},
    {OPT_TARIFF, "tariff", "FILE", CMD_SCENARIO | CMD_EXPLAIN,
     "a proposed tariff to compare with ROOT/Y/tariff.xml (again for more proposals)"},
    {OPT_WORKBOOK, "workbook", "FILE.xlsx", CMD_SCENARIO,
     "scenario: also write the comparison workbook FILE.xlsx"},
    {OPT_NAME, "name", "TEXT", CMD_SCENARIO,
     "scenario: its name, printed first and on every page of the workbook"},
    {OPT_HELP, "help", NULL, CMD_RUN | CMD_CHECK | CMD_EXPLAIN | CMD_SCENARIO | CMD_NONE,
     "show this help and exit"},
    {OPT_VERSION, "version", NULL, CMD_NONE, "show the version and library versions and exit"},
};

static const struct command_def {
    const char *name;
    int mask;
    const char *help;
} commands[] = {
    {"run", CMD_RUN, "compute the price list of a year and write output/Y/"},
    {"check", CMD_CHECK, "check every input and the record as run would; write nothing"},
    {"explain", CMD_EXPLAIN, "show how one customer's fees came about; write nothing"},
    {"scenario", CMD_SCENARIO, "compare proposed tariffs with the decided one; write nothing "
                               "but --workbook"},
};

typedef struct cli_args {
    int command; /* CMD_* */
    int year;
    const char *input, *output, *templates;
    int dry_run, diff, summary, verbose, quiet;
    uint32_t customer; /* explain */
    int have_customer;
    const char *service;
    int correct;       /* --correct */
    ip_date issue_date; /* --issue-date, 0 when not given */
    const char **tariffs; /* --tariff, in order (argv's strings) */
    size_t ntariffs;
    const char *workbook, *name; /* scenario: --workbook, --name */
} cli_args;

/* The exit statuses from the error table (error.c), in ascending order, each
 * with the messages of the codes that map to it, so --help cannot drift from
 * what the program returns. */
static void print_exit_statuses(FILE *f)
{
    int status;
    fprintf(f, "\nexit status:\n");
    for (status = 0; status < 256; status++) {
        const char *sep = "";
        int code, any = 0;
        for (code = IP_OK; code < IP_ERR__COUNT; code++) {
            if (ip_err_exit_code((ip_err)code) != status)
                continue;
            if (!any)
                fprintf(f, "  %3d  ", status);
            fprintf(f, "%s%s", sep, ip_strerror((ip_err)code));
            sep = "; ";
            any = 1;
        }
        if (any)
            fputc('\n', f);
        if (status == EX_OSERR) /* util.c's exit when an allocation fails */
            fprintf(f, "  %3d  out of memory\n", status);
    }
}

/* One command's usage line from the option table, so that it lists every
 * option the command takes: the required ones bare, the others in
 * brackets, wrapped under the command. */
static void print_usage_line(FILE *f, const struct command_def *cmd, int first)
{
    size_t i, col;
    col = (size_t)fprintf(f, "%sinternpris %s", first ? "usage: " : "       ", cmd->name);
    for (i = 0; i < IP_ARRAY_LEN(options); i++) {
        const struct option_def *o = &options[i];
        int required = o->id == OPT_YEAR || (o->id == OPT_CUSTOMER && cmd->mask == CMD_EXPLAIN) ||
                       (o->id == OPT_TARIFF && cmd->mask == CMD_SCENARIO);
        char item[80];
        if (!(o->commands & cmd->mask) || o->id == OPT_HELP)
            continue;
        snprintf(item, sizeof item, required ? "--%s%s%s" : "[--%s%s%s]", o->name,
                 o->arg ? " " : "", o->arg ? o->arg : "");
        if (o->id == OPT_TARIFF) /* may be given again */
            snprintf(item, sizeof item, "%s", required ? "--tariff FILE [--tariff FILE …]"
                                                       : "[--tariff FILE …]");
        if (col + 1 + strlen(item) > 78) {
            fprintf(f, "\n           ");
            col = 10;
        }
        col += (size_t)fprintf(f, " %s", item);
    }
    fputc('\n', f);
}

static void print_help(FILE *f)
{
    size_t i;
    for (i = 0; i < IP_ARRAY_LEN(commands); i++)
        print_usage_line(f, &commands[i], i == 0);
    fprintf(f, "       internpris --help | --version\n\n"
               "Computes the fixed fees of the contact-centre services per customer and\n"
               "writes the price-list workbook, the UBL invoices, fees.csv, ledger.csv and\n"
               "report.txt. Issued invoices are recorded in ROOT/issued/Y and only ever\n"
               "corrected by credit notes and new invoices (--correct).\n\n"
               "commands:\n");
    for (i = 0; i < IP_ARRAY_LEN(commands); i++)
        fprintf(f, "  %-22s %s\n", commands[i].name, commands[i].help);
    fprintf(f, "\noptions:\n");
    for (i = 0; i < IP_ARRAY_LEN(options); i++) {
        char left[64];
        snprintf(left, sizeof left, "--%s%s%s", options[i].name, options[i].arg ? " " : "",
                 options[i].arg ? options[i].arg : "");
        fprintf(f, "  %-22s %s\n", left, options[i].help);
    }
    print_exit_statuses(f);
}

static void print_version(void)
{
    printf("internpris %s\n", IP_VERSION);
    printf("libxml2 %s, libxlsxwriter %s, %s\n", LIBXML_DOTTED_VERSION,
           ip_pricelist_lib_version(), OPENSSL_VERSION_TEXT);
}

/* Warnings and progress notes on stderr. Under cron (stderr not a terminal)
 * they carry a UTC timestamp. Error lines do not: the SPEC's contract is that
 * an error line starts with the file and line it concerns. */
static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
    va_list ap;
    char *msg, *shown;
    int n;
    if (!isatty(STDERR_FILENO)) {
        char stamp[32];
        struct tm tm;
        time_t now = time(NULL);
        gmtime_r(&now, &tm);
        strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ ", &tm);
        fputs(stamp, stderr);
    }
    fputs("internpris: ", stderr);
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    msg = ip_xmalloc(n > 0 ? (size_t)n + 1 : 1);
    va_start(ap, fmt);
    vsnprintf(msg, n > 0 ? (size_t)n + 1 : 1, fmt, ap);
    va_end(ap);
    /* a path from the command line (wrote OUT/Y) stays on its line */
    shown = ip_quote_path(msg);
    fputs(shown, stderr);
    fputc('\n', stderr);
    free(shown);
    free(msg);
}

/* The progress bar: on stderr, only when stderr is a terminal, and only for
 * a file whose reading has taken more than a second (in the test build,
 * IP_TEST_PROGRESS_MS sets another delay); redrawn at most ten times a second and
 * erased when the file is read, so nothing of it stays on the screen. */
typedef struct progress {
    const char *file;   /* the file being read */
    int64_t start_ms;   /* when its reading started */
    int64_t drawn_ms;   /* last redraw, 0: not drawn */
    int64_t after_ms;   /* show the bar after this long */
} progress;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void progress_cb(void *ctx, const char *file, uint64_t done, uint64_t total, int finished)
{
    progress *p = ctx;
    int64_t now = now_ms();
    char bar[31];
    unsigned pct;
    size_t i, fill;
    if (p->file != file) { /* a new file */
        p->file = file;
        p->start_ms = now;
        p->drawn_ms = 0;
    }
    if (finished) {
        if (p->drawn_ms)
            fputs("\r\033[K", stderr);
        p->file = NULL;
        p->drawn_ms = 0;
        return;
    }
    if (now - p->start_ms < p->after_ms || (p->drawn_ms && now - p->drawn_ms < 100))
        return;
    p->drawn_ms = now;
    pct = total ? (unsigned)(done >= total ? 100 : done * 100 / total) : 0;
    fill = pct * (sizeof bar - 1) / 100;
    for (i = 0; i < sizeof bar - 1; i++)
        bar[i] = i < fill ? '#' : ' ';
    bar[sizeof bar - 1] = '\0';
    /* sizes in MB (10^6 bytes) with one decimal, integer arithmetic */
    if (total)
        fprintf(stderr, "\r\033[Kinternpris: reading %s [%s] %3u %% %" PRIu64 ".%" PRIu64
                "/%" PRIu64 ".%" PRIu64 " MB", file, bar, pct, done / 1000000,
                done / 100000 % 10, total / 1000000, total / 100000 % 10);
    else
        fprintf(stderr, "\r\033[Kinternpris: reading %s %" PRIu64 ".%" PRIu64 " MB", file,
                done / 1000000, done / 100000 % 10);
    fflush(stderr);
}

static void print_diag(const ip_diag *d)
{
    ip_diag_print(d, stderr, NULL);
}

/* "internpris: " fmt with what, a word from the command line: a control
 * character in it is shown as \xNN (ip_quote_path), so the line stays one
 * line. */
static int usage_error(const char *fmt, const char *what)
{
    char *q = ip_quote_path(what);
    fprintf(stderr, "internpris: ");
    fprintf(stderr, fmt, q);
    fprintf(stderr, "\nTry 'internpris --help'.\n");
    free(q);
    return EX_USAGE;
}

/* 1 when s is empty or only white space: no folder, whatever the shell
 * made of a quoted variable that was not set. */
static int is_blank(const char *s)
{
    for (; *s; s++)
        if (!strchr(" \t\n\r\v\f", *s))
            return 0;
    return 1;
}

/* The option of the table that arg ("--dry-run", "--output=x") names, or
 * NULL. */
static const struct option_def *find_option(const char *arg)
{
    const char *eq;
    size_t len, k;
    if (strncmp(arg, "--", 2) != 0)
        return NULL;
    arg += 2;
    eq = strchr(arg, '=');
    len = eq ? (size_t)(eq - arg) : strlen(arg);
    for (k = 0; k < IP_ARRAY_LEN(options); k++)
        if (strlen(options[k].name) == len && strncmp(options[k].name, arg, len) == 0)
            return &options[k];
    return NULL;
}

/* 1 when the text of --name can stand in every page header: valid UTF-8 of
 * one line that every output carries (ip_utf8_text_check) and no character
 * that shows as nothing or turns what follows around (ip_utf8_invisible:
 * U+202E would make every header read backwards). */
static int name_text_ok(const char *s)
{
    size_t n = strlen(s), at = 0;
    if (!ip_utf8_xml_text(s) || ip_utf8_text_check(s, n, 1, NULL) != IP_TEXT_OK)
        return 0;
    while (at < n) {
        uint32_t cp;
        int len = ip_utf8_decode((const unsigned char *)s + at, n - at, &cp);
        if (len <= 0 || ip_utf8_invisible(cp))
            return 0;
        at += (size_t)len;
    }
    return 1;
}

/* Returns -1 to go on, or an exit status. */
static int parse_args(int argc, char **argv, cli_args *a)
{
    int i;
    size_t k;
    int given[OPT__COUNT] = {0};
    memset(a, 0, sizeof *a);
    a->command = CMD_NONE;
    a->input = "input";
    a->output = "output";
    for (i = 1; i < argc; i++) {
        const char *arg = argv[i], *value = NULL, *eq;
        const struct option_def *o = NULL;
        if (strncmp(arg, "--", 2) != 0) {
            if (a->command != CMD_NONE)
                return usage_error("unexpected argument '%s'", arg);
            for (k = 0; k < IP_ARRAY_LEN(commands); k++)
                if (strcmp(arg, commands[k].name) == 0)
                    a->command = commands[k].mask;
            if (a->command == CMD_NONE)
                return usage_error("unknown command '%s'", arg);
            continue;
        }
        eq = strchr(arg + 2, '=');
        o = find_option(arg);
        if (!o)
            return usage_error("unknown option '%s'", argv[i]);
        if (!(o->commands & a->command))
            return usage_error("option '%s' does not go with this command", argv[i]);
        /* a cron line assembled from variables may name an option twice:
         * neither the first nor the last is surely the one meant */
        if (given[o->id]++ && o->id != OPT_TARIFF)
            return usage_error("option '--%s' given twice", o->name);
        if (o->arg) {
            if (eq) {
                value = eq + 1;
            } else if (i + 1 < argc && strncmp(argv[i + 1], "--", 2) == 0) {
                /* a forgotten value must not take the next option as its
                 * own ('--output --dry-run' would issue into ./--dry-run) */
                const struct option_def *next = find_option(argv[i + 1]);
                char q[64];
                fprintf(stderr, "internpris: option '--%s' needs a value, found %s'%s'; a "
                        "value that starts with '--' is given as --%s=VALUE (or ./--… for a "
                        "file or folder)\nTry 'internpris --help'.\n", o->name,
                        next ? "the option " : "", ip_quote(argv[i + 1], strlen(argv[i + 1]),
                                                           q, sizeof q), o->name);
                return EX_USAGE;
            } else if (i + 1 < argc) {
                value = argv[++i];
            } else {
                return usage_error("option '--%s' needs a value", o->name);
            }
        } else if (eq) {
            return usage_error("option '--%s' takes no value", o->name);
        }
        switch (o->id) {
        case OPT_YEAR: {
            /* four digits, nothing else: no blank, sign or leading zero */
            int y = 0, n;
            for (n = 0; value[n] >= '0' && value[n] <= '9' && n < 5; n++)
                y = y * 10 + (value[n] - '0');
            if (n != 4 || value[n] || y < 1900 || y > 2999) {
                char q[64];
                return usage_error("expected a year such as 2025 after --year, found '%s'",
                                   ip_quote(value, strlen(value), q, sizeof q));
            }
            a->year = y;
            break;
        }
        case OPT_INPUT:
        case OPT_OUTPUT:
        case OPT_TEMPLATES:
            if (is_blank(value)) {
                char q[64];
                fprintf(stderr, "internpris: expected a folder after --%s, found '%s'\n"
                        "Try 'internpris --help'.\n", o->name,
                        ip_quote(value, strlen(value), q, sizeof q));
                return EX_USAGE;
            }
            if (o->id == OPT_INPUT)
                a->input = value;
            else if (o->id == OPT_OUTPUT)
                a->output = value;
            else
                a->templates = value;
            break;
        case OPT_DRY_RUN: a->dry_run = 1; break;
        case OPT_DIFF: a->diff = 1; break;
        case OPT_SUMMARY: a->summary = 1; break;
        case OPT_QUIET: a->quiet = 1; break;
        case OPT_VERBOSE: a->verbose = 1; break;
        case OPT_CUSTOMER: {
            char *end;
            unsigned long nr;
            errno = 0;
            nr = strtoul(value, &end, 10);
            if (errno || *end || end == value || *value < '0' || *value > '9' || nr > UINT32_MAX)
                return usage_error("expected a customer number such as 110 after --customer, "
                                   "found '%s'", value);
            a->customer = (uint32_t)nr;
            a->have_customer = 1;
            break;
        }
        case OPT_SERVICE: a->service = value; break;
        case OPT_TARIFF:
            if (!a->tariffs)
                a->tariffs = ip_xcalloc((size_t)argc, sizeof *a->tariffs);
            a->tariffs[a->ntariffs++] = value;
            break;
        case OPT_WORKBOOK: a->workbook = value; break;
        case OPT_NAME: {
            /* it stands in every page header of the workbook: printable text */
            char shown[200];
            if (!name_text_ok(value))
                return usage_error("expected printable UTF-8 text after --name, found '%s'",
                                   ip_quote(value, strlen(value), shown, sizeof shown));
            a->name = value;
            break;
        }
        case OPT_CORRECT: a->correct = 1; break;
        case OPT_ISSUE_DATE:
            if (ip_parse_date(value, strlen(value), &a->issue_date) != 0)
                return usage_error("expected a date YYYY-MM-DD after --issue-date, found '%s'",
                                   value);
            break;
        case OPT_HELP: print_help(stdout); return 0;
        case OPT_VERSION: print_version(); return 0;
        case OPT__COUNT: break;
        }
    }
    if (a->command == CMD_NONE)
        return usage_error("%s", "expected a command ('run', 'check', 'explain' or 'scenario')");
    if (!a->year)
        return usage_error("%s", "expected --year Y");
    if (a->diff && !a->dry_run)
        return usage_error("%s", "expected --diff together with --dry-run");
    if (a->command == CMD_EXPLAIN && !a->have_customer)
        return usage_error("%s", "expected --customer NR");
    if (a->command == CMD_SCENARIO && a->ntariffs == 0)
        return usage_error("%s", "expected --tariff FILE, the proposed tariff");
    if (a->correct != (a->issue_date != 0))
        return usage_error("%s", "expected --correct and --issue-date YYYY-MM-DD together");
    return -1;
}

/* The folder holding tariff.xsd: --templates, the source tree the program
 * was built from, or the installed copy. */
static const char *templates_dir(const cli_args *a)
{
    struct stat st;
    if (a->templates)
        return a->templates;
    if (stat(IP_TEMPLATES_DIR "/tariff.xsd", &st) == 0)
        return IP_TEMPLATES_DIR;
    return IP_INSTALLED_TEMPLATES_DIR;
}

/* A folder or file of the run, for check_apart(). */
typedef struct run_path {
    const char *what; /* "the input folder" */
    char *name;       /* as the command line spells it */
    char *canon;      /* ip_files_canonical() */
    ip_files_place *place; /* ip_files_place_of() */
} run_path;

static void run_path_set(run_path *p, const char *what, char *name)
{
    p->what = what;
    p->name = name;
    p->canon = ip_files_canonical(name);
    p->place = ip_files_place_of(name);
}

/* The folders a run replaces (the year folder, the record of issued
 * documents) must lie apart from each other, from what the run reads (the
 * input year folder, last year's fees.csv, tariff.xsd) and from the output
 * root (its lock and its stages): a swap would otherwise publish the inputs
 * or delete them with the old version. Canonical paths, so that "in", "./in/",
 * an absolute spelling, '..' and symbolic links are all the same folder; and
 * the folders themselves by (st_dev, st_ino) up their ancestry, so that one
 * folder mounted at two places, a case-insensitive share or a path deeper
 * than realpath() can resolve are the same folder too.
 * Every command checks it, so check refuses what run would. Returns -1 to
 * go on, or EX_USAGE. */
static int check_apart(const cli_args *a, const char *templates)
{
    enum { IN_Y, PREV, XSD, OUT_ROOT, OUT_Y, REC_Y, NPATHS };
    run_path p[NPATHS];
    /* pairs (i, j): i must not be j or lie inside it; both ways when both */
    static const char *const separate = "give --input and --output separate folders";
    static const char *const outside = "give --templates a folder outside the output";
    static const char *const links = "no folder of the output may lead into another "
                                     "(check its symbolic links)";
    static const struct { int i, j, both; const char *const *advice; } pairs[] = {
        {IN_Y, OUT_Y, 1, &separate}, {IN_Y, REC_Y, 1, &separate}, {OUT_Y, REC_Y, 1, &links},
        {PREV, OUT_Y, 0, &links}, {PREV, REC_Y, 0, &links},
        {XSD, OUT_Y, 0, &outside}, {XSD, REC_Y, 0, &outside},
        {OUT_ROOT, OUT_Y, 0, &links}, {OUT_ROOT, REC_Y, 0, &links},
    };
    /* the roots as given, without a trailing '/' ("in/" names in/2025) */
    int in_n = (int)strlen(a->input), out_n = (int)strlen(a->output);
    int tp_n = (int)strlen(templates);
    size_t k;
    int status = -1;
    while (in_n > 1 && a->input[in_n - 1] == '/')
        in_n--;
    while (out_n > 1 && a->output[out_n - 1] == '/')
        out_n--;
    while (tp_n > 1 && templates[tp_n - 1] == '/')
        tp_n--;
    run_path_set(&p[IN_Y], "the input folder", ip_xasprintf("%.*s/%d", in_n, a->input, a->year));
    run_path_set(&p[PREV], "last year's fees",
                 ip_xasprintf("%.*s/%d/fees.csv", out_n, a->output, a->year - 1));
    run_path_set(&p[XSD], "the tariff schema", ip_xasprintf("%.*s/tariff.xsd", tp_n, templates));
    run_path_set(&p[OUT_ROOT], "the output root", ip_xasprintf("%.*s", out_n, a->output));
    run_path_set(&p[OUT_Y], "the output year folder",
                 ip_xasprintf("%.*s/%d", out_n, a->output, a->year));
    run_path_set(&p[REC_Y], "the record of issued documents",
                 ip_xasprintf("%.*s/issued/%d", out_n, a->output, a->year));
    for (k = 0; k < IP_ARRAY_LEN(pairs) && status < 0; k++) {
        const run_path *x = &p[pairs[k].i], *y = &p[pairs[k].j];
        const char *how;
        char *xn, *yn, *yc;
        int xy = ip_files_place_cmp(x->place, y->place);
        int yx = pairs[k].both ? ip_files_place_cmp(y->place, x->place) : 0;
        if (strcmp(x->canon, y->canon) == 0 || xy == 1) {
            how = "the same as";
        } else if (ip_files_inside(x->canon, y->canon) || xy == 2) {
            how = "inside";
        } else if (pairs[k].both && (ip_files_inside(y->canon, x->canon) || yx == 2)) {
            how = "holding";
        } else {
            continue;
        }
        xn = ip_quote_path(x->name);
        yn = ip_quote_path(y->name);
        yc = ip_quote_path(y->canon);
        fprintf(stderr, "internpris: expected the folders a run reads and replaces to lie "
                "apart, found %s %s %s %s %s (%s); %s\n", x->what, xn, how, y->what,
                yn, yc, *pairs[k].advice);
        free(xn);
        free(yn);
        free(yc);
        status = EX_USAGE;
    }
    for (k = 0; k < NPATHS; k++) {
        free(p[k].name);
        free(p[k].canon);
        ip_files_place_free(p[k].place);
    }
    return status;
}

/* The preview of `run --dry-run`. With current (the fees of the output
 * folder as it is, [s * ncust + slot], IP_NO_PREV where absent), only the rows
 * whose fee would change are shown, with the current fee beside the new one. */
static void print_documents(const ip_billing *bill, int diff);

static void print_preview(const ip_run *r, const int64_t *current, const ip_billing *bill)
{
    size_t s, k, shown = 0;
    char a[32], b[32], c[32], share[16];
    for (s = 0; s < r->nsvc; s++) {
        const ip_svc_result *sr = &r->svc[s];
        int header = 0;
        for (k = 0; k < r->ncust; k++) {
            const ip_customer *cu = ip_customers_at(r->customers, k);
            int64_t fee = sr->items[k].fee;
            int64_t prev = current ? current[s * r->ncust + k] : sr->prev_fee[k];
            if (current ? fee == (prev == IP_NO_PREV ? 0 : prev)
                        : (fee == 0 && sr->basis[k] == 0 && (prev == IP_NO_PREV || prev == 0)))
                continue;
            if (!header) {
                printf("%s — %s: %s kr over %s %s (fees in kr, excluding VAT)\n",
                       sr->svc->id, sr->svc->name,
                       ip_money_fmt_thousands(sr->svc->fee, a, sizeof a),
                       ip_money_fmt_thousands(sr->alloc.total, b, sizeof b), sr->svc->unit);
                printf("  %-6s %-38s %12s %10s %12s %12s %12s\n", "nr", "customer", "basis",
                       "% of basis", "fee", current ? "fee now" : "fee Y-1", "change");
                header = 1;
            }
            shown++;
            printf("  %-6" PRIu32 " ", cu->nr);
            ip_fput_col(stdout, cu->name, 38);
            printf(" %12s %10s %12s", ip_money_fmt_thousands(sr->basis[k], a, sizeof a),
                   ip_wording_share(sr->basis[k], sr->alloc.total, share, sizeof share),
                   ip_money_fmt_thousands(fee, b, sizeof b));
            if (prev == IP_NO_PREV)
                printf(" %12s %12s\n", "–", "–");
            else
                printf(" %12s %12s\n", ip_money_fmt_thousands(prev, c, sizeof c),
                       ip_money_fmt_thousands(fee - prev, a, sizeof a));
        }
    }
    if (current && shown == 0) {
        printf("no changes: the output folder already holds these fees\n");
        return;
    }
    /* Once the year's invoices are issued, the list is of what stands after
     * the run, not of invoices to write: what the run would issue (nothing,
     * or a correction's documents) follows under the issued documents. */
    if (current)
        printf("invoices that would change (amounts including VAT):\n");
    else if (ip_billing_first_issue(bill))
        printf("invoices that would be written (amounts including VAT):\n");
    else
        printf("invoices that would stand after the run, as issued or to be issued (amounts "
               "including VAT):\n");
    print_documents(bill, current != NULL);
}

/* The record of issued documents of year r->year under a->output, checked
 * against the year folder's copies, and the plan of what this run issues
 * (preview: a dry run, which writes nothing). */
static ip_err plan_documents(const ip_run *r, const cli_args *a, int preview, ip_issued **rec,
                             ip_billing **plan, ip_diag *d)
{
    ip_billing_opts bo = {a->correct, a->issue_date, preview};
    const ip_issued_doc **docs;
    ip_docwrite_rows *rows;
    char *copies;
    size_t n, i;
    ip_err e;
    *plan = NULL;
    /* each stored document read once, for its digest and against its row */
    if ((e = ip_docwrite_load_record(a->output, r->year, rec, &rows, d)))
        return e;
    copies = ip_xasprintf("%s/%d/invoices", a->output, r->year);
    e = ip_issued_check_copies(*rec, copies, d);
    free(copies);
    /* every row as its document says (an edited row with the digests left) */
    if (!e)
        e = ip_docwrite_verify_rows(*rec, rows, d);
    else
        ip_docwrite_rows_free(rows);
    if (e)
        return e;
    n = ip_issued_count(*rec);
    docs = ip_xcalloc(n + 1, sizeof *docs);
    for (i = 0; i < n; i++)
        docs[i] = ip_issued_at(*rec, i);
    e = ip_billing_plan(r, docs, n, ip_issued_register_path(*rec), &bo, plan, d);
    free(docs);
    return e;
}

/* check: everything run would refuse, found without the lock and without
 * writing — the output root and year folder as begin would see them, the
 * record loaded and checked against the year folder's copies, the plan as
 * run makes it (changes without --correct, periods, dates), and the stored
 * invoices its credit notes would mirror read back. */
static ip_err preflight(const ip_run *r, const cli_args *a, ip_diag *d)
{
    ip_issued *rec = NULL;
    ip_billing *bill = NULL;
    ip_err e = ip_outdir_probe(a->output, r->year, d);
    if (!e)
        e = plan_documents(r, a, 0, &rec, &bill, d);
    if (!e)
        e = ip_docwrite_check(bill, rec, d);
    ip_billing_free(bill);
    ip_issued_free(rec);
    return e;
}

static int cmp_doc_slot(const void *x, const void *y)
{
    const ip_issued_doc *a = *(const ip_issued_doc *const *)x, *b = *(const ip_issued_doc *const *)y;
    if (a->customer != b->customer)
        return a->customer < b->customer ? -1 : 1;
    return (a->period_start > b->period_start) - (a->period_start < b->period_start);
}

/* The documents of a dry run, by the plan: without diff, every invoice that
 * stands after the run (one per customer and period, its number as issued
 * or to be issued); with diff, the invoices that would change — the standing
 * one with the credit note and the new invoice it would get, or a new
 * invoice where none stands. Amounts in kronor and öre, VAT included. */
static void print_documents(const ip_billing *bill, int diff)
{
    size_t n = ip_billing_ndocs(bill), nnew = ip_billing_nnew(bill), i, k = 0;
    const ip_issued_doc **list = ip_xcalloc(n + 1, sizeof *list);
    char a[48], c[48];
    if (!diff) {
        for (i = 0; i < n; i++)
            if (ip_billing_doc_standing(bill, i))
                list[k++] = ip_billing_doc(bill, i, NULL);
        qsort(list, k, sizeof *list, cmp_doc_slot);
        for (i = 0; i < k; i++)
            printf("  %s  %s kr  %s\n", list[i]->number,
                   ip_money_fmt_sv(list[i]->total, a, sizeof a), list[i]->name);
        free(list);
        return;
    }
    free(list);
    for (i = 0; i < nnew; i++) {
        const ip_billing_new *pl = ip_billing_new_at(bill, i);
        const ip_billing_new *next = i + 1 < nnew ? ip_billing_new_at(bill, i + 1) : NULL;
        if (pl->doc.is_credit) {
            const ip_issued_doc *inv = ip_billing_doc(bill, (size_t)pl->cancels, NULL);
            printf("  %s  %s kr  %s: credit note %s", inv->number,
                   ip_money_fmt_sv(inv->total, a, sizeof a), inv->name, pl->doc.number);
            if (next && !next->doc.is_credit && next->replaces &&
                strcmp(next->replaces, inv->number) == 0) {
                printf(", new invoice %s %s kr", next->doc.number,
                       ip_money_fmt_sv(next->doc.total, c, sizeof c));
                i++;
            }
            printf("\n");
        } else {
            printf("  –  %s: new invoice %s %s kr\n", pl->doc.name, pl->doc.number,
                   ip_money_fmt_sv(pl->doc.total, c, sizeof c));
        }
    }
}

/* What the output files are made from. */
typedef struct out_src {
    const ip_run *r;
    const ip_billing *bill;
} out_src;

static ip_err put_fees(const out_src *x, FILE *f, const char *path, ip_diag *d)
{
    return ip_fees_write(x->r, f, path, d);
}

/* report.txt: the run's report, then the sections on the issued documents
 * and on their internal postings. */
static ip_err put_report(const out_src *x, FILE *f, const char *path, ip_diag *d)
{
    ip_err e = ip_report_write(x->r, f, path, d);
    if (!e) {
        size_t n = ip_billing_ndocs(x->bill), i;
        const ip_issued_doc **docs = ip_xcalloc(n + 1, sizeof *docs);
        for (i = 0; i < n; i++)
            docs[i] = ip_billing_doc(x->bill, i, NULL);
        ip_report_billing(x->bill, f);
        ip_sie_report(x->r, docs, n, f);
        free(docs);
    }
    return e;
}

static ip_err write_text(ip_stage *s, const char *rel, const out_src *x,
                         ip_err (*fn)(const out_src *, FILE *, const char *, ip_diag *),
                         ip_diag *d)
{
    FILE *f;
    char *path;
    ip_err e = ip_stage_fopen(s, rel, &f, d);
    if (e)
        return e;
    path = ip_stage_path(s, rel); /* messages name it as ip_stage_shown() does */
    e = fn(x, f, path, d);
    free(path);
    if (e) {
        fclose(f);
        return e;
    }
    e = ip_stage_fclose(s, f, rel, d);
    ip_kill_point();
    return e;
}

static ip_err write_outputs(const ip_run *r, const cli_args *a, size_t *ninv, ip_diag *d)
{
    ip_outdir *o = NULL;
    ip_stage *year;
    char *xlsx_rel = ip_xasprintf("prislista-%d.xlsx", r->year);
    char *xlsx = NULL;
    ip_issued *rec = NULL;
    ip_billing *bill = NULL;
    out_src src;
    ip_err e = ip_outdir_begin(a->output, r->year, &o, d);
    if (e)
        goto out;
    /* Under the lock: what was issued and what this run issues, before any
     * file is written (changes without --correct stop here). */
    if ((e = plan_documents(r, a, 0, &rec, &bill, d)))
        goto abort;
    year = ip_outdir_stage(o);
    xlsx = ip_stage_path(year, xlsx_rel);
    src.r = r;
    src.bill = bill;
    if ((e = write_text(year, "fees.csv", &src, put_fees, d)) ||
        (e = write_text(year, "report.txt", &src, put_report, d)) ||
        (e = ip_pricelist_write(r, bill, xlsx, d)))
        goto abort;
    ip_kill_point();
    if ((e = ip_docwrite_apply(bill, rec, year, ninv, d)))
        goto abort;
    e = ip_outdir_commit(o, d);
    goto out;
abort:
    ip_outdir_abort(o);
out:
    ip_billing_free(bill);
    ip_issued_free(rec);
    free(xlsx);
    free(xlsx_rel);
    return e;
}

/* The --workbook of a scenario, before anything is read: a name ending in
 * .xlsx, apart from everything the scenario reads or a run replaces — not
 * inside the output root (a year folder a run replaces, the record of
 * issued documents), not inside the input year folder or the templates
 * folder, not one of the --tariff files — and, when a file is there
 * already, a workbook internpris wrote (ip_compare_book_is_ours): the file
 * is replaced, and nothing but an earlier workbook may be. Apart as
 * check_apart() means it: by canonical name, and by what the folders are
 * (ip_files_place_of: (st_dev, st_ino) up the path), so a bind mount or a
 * path too deep for realpath() is the same folder too. Every path is shown
 * with its control characters as \xNN (ip_quote_path). Returns 0 or
 * EX_USAGE. */
static int check_workbook(const cli_args *a, const ip_run_opts *ro)
{
    enum { OUT_ROOT, IN_Y, TEMPLATES, NDIRS };
    const char *wb = a->workbook, *dot = strrchr(a->workbook, '.');
    char *canon = ip_files_canonical(wb), *in_y = ip_xasprintf("%s/%d", ro->input_root, a->year);
    const char *names[NDIRS];
    static const char *const what[NDIRS] = {"the output root", "the input folder",
                                            "the templates folder"};
    ip_files_place *place = ip_files_place_of(wb);
    char *qwb = ip_quote_path(wb), *dir_canon = NULL;
    const char *why = NULL;
    struct stat st;
    size_t k;
    int status = 0, where = -1;
    names[OUT_ROOT] = a->output;
    names[IN_Y] = in_y;
    names[TEMPLATES] = ro->templates_dir;
    if (!dot || strcasecmp(dot, ".xlsx") != 0) {
        fprintf(stderr, "internpris: expected --workbook FILE.xlsx, found '%s'\n"
                "Try 'internpris --help'.\n", qwb);
        status = EX_USAGE;
        goto out;
    }
    for (k = 0; k < NDIRS && where < 0; k++) {
        char *dc = ip_files_canonical(names[k]);
        ip_files_place *dp = ip_files_place_of(names[k]);
        if (ip_files_inside(canon, dc) || ip_files_place_cmp(place, dp) != 0) {
            where = (int)k;
            dir_canon = dc;
        } else {
            free(dc);
        }
        ip_files_place_free(dp);
    }
    if (where >= 0) {
        char *qn = ip_quote_path(names[where]), *qc = ip_quote_path(dir_canon);
        if (where == OUT_ROOT) /* the form test_scenario and older scripts know */
            fprintf(stderr, "internpris: expected --workbook outside the output root, found "
                            "%s in %s (%s)\nTry 'internpris --help'.\n", qwb, qn, qc);
        else
            fprintf(stderr, "internpris: expected --workbook outside %s, found %s in %s (%s)\n"
                    "Try 'internpris --help'.\n", what[where], qwb, qn, qc);
        free(qn);
        free(qc);
        status = EX_USAGE;
        goto out;
    }
    if (lstat(wb, &st) == 0 && S_ISLNK(st.st_mode))
        why = "a symbolic link (the workbook would replace the link, not what it leads to)";
    for (k = 0; k < a->ntariffs && !why; k++) {
        char *t = ip_files_canonical(a->tariffs[k]);
        ip_files_place *tp = ip_files_place_of(a->tariffs[k]);
        if (strcmp(t, canon) == 0 || ip_files_place_cmp(place, tp) == 1)
            why = "one of the --tariff files";
        ip_files_place_free(tp);
        free(t);
    }
    if (!why && stat(wb, &st) == 0) {
        /* a folder there fails as the rename's target (73) */
        if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
            why = "not a regular file (a device or a named pipe is never replaced)";
        else if (S_ISREG(st.st_mode) && !ip_compare_book_is_ours(wb))
            why = "a file that is not a workbook internpris wrote (it would be replaced)";
    }
    if (why) {
        fprintf(stderr, "internpris: expected --workbook to name a new file or an earlier "
                "workbook, found %s, %s\nTry 'internpris --help'.\n", qwb, why);
        status = EX_USAGE;
    }
out:
    ip_files_place_free(place);
    free(dir_canon);
    free(qwb);
    free(canon);
    free(in_y);
    return status;
}

/* `scenario`, and `explain --tariff`: the decided tariff against the
 * proposals (scenario.h). Reads only; writes nothing but --workbook (written
 * before the comparison is printed, so a failure prints none). */
static int run_scenario(const cli_args *a, const ip_run_opts *ro)
{
    ip_scenario *sc = NULL;
    ip_diag d;
    ip_err e;
    size_t j, f, g;
    int status;
    if (a->workbook && (status = check_workbook(a, ro)) != 0)
        return status;
    ip_diag_clear(&d);
    e = ip_scenario_compute(ro, a->tariffs, a->ntariffs, a->output, a->name, &sc, &d);
    if (!e && a->command == CMD_EXPLAIN)
        e = ip_scenario_explain(sc, a->customer, a->service, stdout, &d);
    if (!e && a->workbook)
        e = ip_compare_book_write(sc, a->workbook, &d);
    if (!e && a->command == CMD_SCENARIO)
        e = ip_scenario_print(sc, stdout, &d);
    if (e) {
        print_diag(&d);
        ip_scenario_free(sc);
        return ip_err_exit_code(e);
    }
    if (a->verbose) {
        /* every file once: the statistics were read once for all tariffs */
        for (j = 0; j < sc->nruns; j++)
            for (f = 0; f < sc->runs[j]->nfiles; f++) {
                const ip_input_file *in = &sc->runs[j]->files[f];
                int seen = 0;
                for (g = 0; g < j && !seen; g++) {
                    size_t h;
                    for (h = 0; h < sc->runs[g]->nfiles && !seen; h++)
                        seen = strcmp(sc->runs[g]->files[h].path, in->path) == 0;
                }
                if (!seen)
                    note("read %s: %" PRIu64 " bytes, %" PRIu64 " rows, sha256 %.12s…",
                         in->path, in->bytes, in->rows, in->sha256);
            }
        for (j = 0; j < sc->runs[0]->nwarnings; j++)
            note("warning: %s", sc->runs[0]->warnings[j]);
        if (a->workbook)
            note("wrote %s", a->workbook);
    }
    ip_scenario_free(sc);
    return 0;
}

/* A standard stream the caller closed (>&-) gets a placeholder, so that no
 * file the run opens takes its number (a result printed into fees.csv or the
 * lock file). Standard output's is read-only: a result written there fails
 * as on a closed stream and finish_stdout() says so. */
static void reserve_std_fds(void)
{
    int fd;
    for (fd = 0; fd <= 2; fd++) {
        int n;
        if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
            continue;
        n = open("/dev/null", (fd == 2 ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
        if (n >= 0 && n != fd) {
            dup2(n, fd);
            close(n);
        }
    }
}

/* What a command printed as its result (--dry-run, --summary, explain,
 * --help, --version) must have reached standard output: a full or closed
 * stdout turns a success into 74. */
static int finish_stdout(int status)
{
    int bad = ferror(stdout), err = EIO;
    if (fflush(stdout) != 0) {
        bad = 1;
        err = errno;
    }
    if (bad && status == 0) {
        fprintf(stderr, "%s: cannot write: %s\n", IP_STDOUT_NAME, strerror(err));
        return EX_IOERR;
    }
    return status;
}

static int cli_main(int argc, char **argv);

int ip_cli_main(int argc, char **argv)
{
    int status;
    const char *left;
    size_t i;
    reserve_std_fds();
    ip_signals_install();
    status = finish_stdout(cli_main(argc, argv));
    /* what a stage could not remove (a share mounted in the previous
     * version): after the result, even with --quiet — report.txt was written
     * before and cannot carry it */
    for (i = 0; (left = ip_stage_warning(i)) != NULL; i++)
        note("warning: %s", left);
    if (ip_signals_pending()) {
        if (status == 0)
            fprintf(stderr, "internpris: a signal came while the output was committed; the "
                            "output is complete\n");
        fflush(stderr);
        ip_signals_finish(); /* ends the process by the signal */
    }
    return status;
}

static int cli_main(int argc, char **argv)
{
    cli_args a;
    ip_run_opts ro;
    progress bar = {NULL, 0, 0, 1000};
    ip_run *r = NULL;
    ip_diag d;
    size_t ninv = 0, s;
    int status = parse_args(argc, argv, &a);
    ip_err e;

    if (status >= 0) {
        free(a.tariffs);
        return status;
    }
    if ((status = check_apart(&a, templates_dir(&a))) >= 0) {
        free(a.tariffs);
        return status;
    }
    ip_diag_clear(&d);
    memset(&ro, 0, sizeof ro);
    ro.year = a.year;
    ro.input_root = a.input;
    ro.templates_dir = templates_dir(&a);
    if (isatty(STDERR_FILENO)) {
#ifdef IP_TESTING
        /* Test hook: only the test build (internpris-testhooks) reads it. */
        const char *ms = getenv("IP_TEST_PROGRESS_MS");
        if (ms && *ms)
            bar.after_ms = atol(ms);
#endif
        ro.progress = progress_cb;
        ro.progress_ctx = &bar;
    }
    if (a.command == CMD_SCENARIO || (a.command == CMD_EXPLAIN && a.ntariffs)) {
        status = run_scenario(&a, &ro);
        free(a.tariffs);
        return status;
    }
    e = ip_run_compute(&ro, &r, &d);
    if (!e)
        e = ip_fees_take_prev(r, a.output, &d);
    if (!e && a.command == CMD_RUN && !a.dry_run)
        e = write_outputs(r, &a, &ninv, &d);
    if (!e && a.command == CMD_CHECK)
        e = preflight(r, &a, &d);
    if (!e && a.command == CMD_EXPLAIN)
        e = ip_explain_write(r, a.customer, a.service, stdout, &d);
    if (e) {
        print_diag(&d);
        ip_run_free(r);
        return ip_err_exit_code(e);
    }
    /* warnings on every run (cron logs stderr), unless --quiet */
    for (s = 0; !a.quiet && s < r->nwarnings; s++)
        note("warning: %s", r->warnings[s]);
    if (a.verbose) {
        for (s = 0; s < r->nfiles; s++)
            note("read %s: %" PRIu64 " bytes, %" PRIu64 " rows, sha256 %.12s…", r->files[s].path,
                 r->files[s].bytes, r->files[s].rows, r->files[s].sha256);
        for (s = 0; s < r->nsvc; s++)
            note("%s: %" PRIu64 " rows used, %" PRIu64 " outside, %" PRIu64 " filtered; "
                 "%" PRId64 " kr over %" PRId64 " %s", r->svc[s].svc->id, r->svc[s].rows_used,
                 r->svc[s].rows_outside, r->svc[s].rows_filtered, r->svc[s].svc->fee,
                 r->svc[s].alloc.total, r->svc[s].svc->unit);
        if (a.command == CMD_RUN && !a.dry_run)
            note("wrote %s/%d: fees.csv, report.txt, prislista-%d.xlsx, %zu invoices", a.output,
                 r->year, r->year, ninv);
    }
    if (a.dry_run) {
        /* What the issued documents would become (read-only: no lock). */
        ip_issued *rec = NULL;
        ip_billing *bill = NULL;
        int64_t *current = NULL;
        int found = 1;
        if (!(e = plan_documents(r, &a, 1, &rec, &bill, &d)) && a.diff) {
            char *path = ip_xasprintf("%s/%d/fees.csv", a.output, r->year);
            current = ip_xcalloc(r->nsvc * r->ncust, sizeof *current);
            e = ip_fees_read_current(r, path, current, &found, &d);
            if (!e && !found)
                printf("no current output at %s: everything would be new\n", path);
            free(path);
        }
        if (!e) {
            print_preview(r, a.diff && found ? current : NULL, bill);
            ip_report_billing(bill, stdout);
        }
        free(current);
        ip_billing_free(bill);
        ip_issued_free(rec);
        if (e) {
            print_diag(&d);
            ip_run_free(r);
            return ip_err_exit_code(e);
        }
    }
    if (a.summary) {
        int64_t total = 0;
        size_t k;
        char buf[32];
        for (k = 0; k < r->ncust; k++)
            total += ip_run_customer_total(r, k);
        /* a check and a dry run write no invoices: they do not count any */
        if (a.command == CMD_CHECK || a.dry_run)
            printf("internpris %d: %s: %zu services, %zu customers, %s kr, %zu warning%s, "
                   "nothing written\n",
                   r->year, a.command == CMD_CHECK ? "inputs check out" : "dry run", r->nsvc,
                   r->ncust, ip_money_fmt_thousands(total, buf, sizeof buf), r->nwarnings,
                   r->nwarnings == 1 ? "" : "s");
        else
            printf("internpris %d: %zu services, %zu customers, %s kr, %zu invoices, %s/%d\n",
                   r->year, r->nsvc, r->ncust, ip_money_fmt_thousands(total, buf, sizeof buf),
                   ninv, a.output, r->year);
    }
    ip_run_free(r);
    return 0;
}
