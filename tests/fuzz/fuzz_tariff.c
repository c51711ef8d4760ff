/*
 * fuzz_tariff.c — libFuzzer target for the tariff reader (tariff.h).
 *
 * The bytes are a tariff.xml. The reader runs without the schema (the path a
 * fuzzer can reach fastest; the loader repeats every schema check itself), so
 * anything libxml2 parses reaches the semantic checks. What must hold: no
 * crash, no leak, an error always comes with a message, and an accepted
 * tariff is internally consistent (windows ordered, fees in range, percents
 * in range, groups with a known VAT category).
 *
 * Build: see tests/fuzz/CMakeLists.txt (-DIP_FUZZ=ON with clang).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tariff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
    if (!ok)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ip_tariff *t = NULL;
    ip_diag d;
    size_t i;
    ip_err e;

    ip_diag_clear(&d);
    e = ip_tariff_load_mem((const char *)data, size, "tariff.xml", NULL, &t, &d);
    if (e != IP_OK) {
        check(t == NULL);
        check(d.code == e && d.msg[0] != '\0');
        check(e == IP_ERR_TARIFF || e == IP_ERR_NOINPUT || e == IP_ERR_SOFTWARE);
        return 0;
    }
    check(t != NULL);
    for (i = 0; i < t->ngroups; i++) {
        const ip_group *g = &t->groups[i];
        check(g->vat == IP_VAT_O || g->vat == IP_VAT_S);
        check(g->vat == IP_VAT_O ? g->vat_percent == 0 : g->vat_percent > 0);
    }
    for (i = 0; i < t->nservices; i++) {
        const ip_service *s = &t->services[i];
        check(s->fee >= 0 && s->fee <= INT64_C(1000000000000));
        check(s->is_snapshot || s->from <= s->to);
        check(s->equal_percent >= 0 && s->equal_percent <= 100);
        check(s->id && s->name && s->file && s->date_column && s->unit);
    }
    check(t->periods == 1 || t->periods == 4 || t->periods == 12);
    ip_tariff_free(t);
    return 0;
}
