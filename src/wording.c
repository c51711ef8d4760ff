/*
 * wording.c — the Swedish words for a basis, its period and its share (see
 * wording.h), the one place the invoices, the workbook, report.txt, explain
 * and the dry run take them from.
 */
#include "wording.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "customers.h"
#include "date.h"
#include "money.h"
#include "util.h"

const char *ip_wording_share(int64_t basis, int64_t total, char *buf, size_t size)
{
    if (total <= 0) {
        snprintf(buf, size, "0,00");
        return buf;
    }
    /* a share is 0..100 %: the notation's thousands separator never shows */
    return ip_money_fmt_frac_sv((ip_i128)basis * 100, total, 2, buf, size);
}

const char *ip_wording_period(const ip_service *svc, char *buf, size_t size)
{
    char a[11], b[11];
    if (svc->is_snapshot)
        snprintf(buf, size, "%s", ip_date_str(svc->snapshot, a));
    else
        snprintf(buf, size, "%s–%s", ip_date_str(svc->from, a), ip_date_str(svc->to, b));
    return buf;
}

const char *ip_wording_period_labelled(const ip_service *svc, char *buf, size_t size)
{
    char a[11];
    if (svc->is_snapshot)
        snprintf(buf, size, "avläsning %s", ip_date_str(svc->snapshot, a));
    else
        ip_wording_period(svc, buf, size);
    return buf;
}

char *ip_wording_basis(const ip_run *r, size_t s, size_t slot)
{
    const ip_svc_result *sr = &r->svc[s];
    char b[32], t[32], period[40], share[32];
    ip_buf out;
    size_t m;
    ip_buf_init(&out);
    ip_wording_period(sr->svc, period, sizeof period);
    ip_buf_addf(&out, "%s av %s %s %s, andel av antalet %s %%",
                ip_money_fmt_thousands(sr->basis[slot], b, sizeof b),
                ip_money_fmt_thousands(sr->alloc.total, t, sizeof t), sr->svc->unit, period,
                ip_wording_share(sr->basis[slot], sr->alloc.total, share, sizeof share));
    for (m = sr->within_start[slot]; m < sr->within_start[slot + 1]; m++) {
        size_t k = sr->within[m];
        if (sr->raw[k] > 0) {
            const ip_customer *c = ip_customers_at(r->customers, k);
            ip_buf_addf(&out, ", inkl. %s (%" PRIu32 ") %s", c->name, c->nr,
                        ip_money_fmt_thousands(sr->raw[k], b, sizeof b));
        }
    }
    /* with an equal part the share of the fee is not the share of the
     * basis: both are given */
    if (sr->svc->method == IP_KEY_EQUAL_AND_PROPORTIONAL && sr->basis[slot] > 0)
        ip_buf_addf(&out, "; %d %% av avgiften delas lika mellan %zu kunder, andel av "
                          "avgiften %s %%",
                    sr->svc->equal_percent, sr->alloc.participants,
                    ip_wording_share(sr->items[slot].fee, sr->svc->fee, share, sizeof share));
    return ip_buf_detach(&out);
}

char *ip_wording_invoice_line(const ip_run *r, size_t s, size_t slot, int p, int periods)
{
    char *words = ip_wording_basis(r, s, slot), *line;
    char a[32];
    if (periods <= 1)
        return words;
    line = ip_xasprintf("%s; årsavgift %s kr, del %d av %d", words,
                        ip_money_fmt_thousands(r->svc[s].items[slot].fee, a, sizeof a), p + 1,
                        periods);
    free(words);
    return line;
}

const char *ip_wording_unit(const ip_service *svc)
{
    return svc->unit && *svc->unit ? svc->unit : "enheter";
}

char *ip_wording_basis_source(const ip_service *svc)
{
    char a[11], period[40];
    if (svc->is_snapshot)
        return ip_xasprintf("Underlag: antal %s enligt avläsning %s.", ip_wording_unit(svc),
                            ip_date_str(svc->snapshot, a));
    return ip_xasprintf("Underlag: antal %s %s.", ip_wording_unit(svc),
                        ip_wording_period(svc, period, sizeof period));
}

char *ip_wording_key(const ip_service *svc, size_t participants)
{
    const char *unit = ip_wording_unit(svc);
    if (svc->method == IP_KEY_EQUAL_AND_PROPORTIONAL)
        return ip_xasprintf("Fördelning: %d %% av avgiften lika mellan de %zu kunder som har "
                            "%s, %d %% efter andel av antalet %s.",
                            svc->equal_percent, participants, unit, 100 - svc->equal_percent,
                            unit);
    return ip_xasprintf("Fördelning: efter andel av antalet %s.", unit);
}

char *ip_wording_share_heading(const ip_service *svc)
{
    if (svc->method == IP_KEY_EQUAL_AND_PROPORTIONAL)
        return ip_xstrdup("Andel av avgiften");
    return ip_xstrdup("Andel av antalet");
}

char *ip_wording_basis_file(const ip_service *svc)
{
    return ip_xasprintf("%s i %s (datum: %s, värde: %s)", ip_wording_unit(svc), svc->file,
                        svc->date_column,
                        svc->value_column ? svc->value_column : "count, annars 1 per rad");
}

char *ip_wording_filters(const ip_service *svc)
{
    ip_buf b;
    size_t m, v;
    if (svc->nmatches == 0)
        return ip_xstrdup("inga");
    ip_buf_init(&b);
    for (m = 0; m < svc->nmatches; m++) {
        ip_buf_addf(&b, "%s%s: ", m ? "; " : "", svc->matches[m].column);
        for (v = 0; v < svc->matches[m].nvalues; v++)
            ip_buf_addf(&b, "%s%s", v ? ", " : "", svc->matches[m].values[v]);
    }
    return ip_buf_detach(&b);
}

char *ip_wording_consolidations(const ip_service *svc)
{
    ip_buf b;
    size_t m;
    if (svc->nconsolidations == 0)
        return ip_xstrdup("ingen");
    ip_buf_init(&b);
    for (m = 0; m < svc->nconsolidations; m++)
        ip_buf_addf(&b, "%s%" PRIu32 " ingår i %" PRIu32, m ? "; " : "",
                    svc->consolidations[m].from, svc->consolidations[m].into);
    return ip_buf_detach(&b);
}
