/*
 * wording.h — the Swedish words for a basis and its share, in one place: the
 * invoice line's description, the workbook's "Underlag" and "Fördelning"
 * sentences and share headings, and the pieces they are made of (a period,
 * a share as a percent with a decimal comma). report.txt, explain and the
 * dry run borrow the period and the share.
 *
 *   basis     "8 286 av 33 437 ärenden 2023-07-01–2024-06-30, andel av antalet
 *             24,78 %" (with consolidations ", inkl. <name> (<nr>) <basis>",
 *             with an equal part "; 20 % av avgiften delas lika mellan 25
 *             kunder, andel av avgiften 26,02 %": a share always says of what)
 *   line      the basis, and with periods "; årsavgift 155 249 kr, del 3 av 4"
 *   period    "2023-07-01–2024-06-30", a snapshot "2024-06-30"
 *   share     "24,78" (two decimals, exact, rounded half up; "0,00" of nothing)
 *
 * Every text is deterministic and depends only on the run. Strings returned
 * in a caller's buffer are cut to fit it; heap strings are the caller's.
 */
#ifndef IP_WORDING_H
#define IP_WORDING_H

#include <stddef.h>
#include <stdint.h>

#include "run.h"
#include "tariff.h"

/* Share basis/total in percent with two decimals and a decimal comma
 * ("64,69"), into buf; "0,00" when total <= 0. Returns buf. */
const char *ip_wording_share(int64_t basis, int64_t total, char *buf, size_t size);

/* The period a service measures: its window "2023-07-01–2024-06-30", or its
 * snapshot's date "2024-06-30". Returns buf (at least 22 bytes for the
 * whole text). */
const char *ip_wording_period(const ip_service *svc, char *buf, size_t size);

/* As ip_wording_period, with a snapshot said as such: "avläsning
 * 2024-06-30" (the workbook's check sheet). */
const char *ip_wording_period_labelled(const ip_service *svc, char *buf, size_t size);

/* "1 841 av 2 846 ärenden 2023-07-01–2024-06-30, andel av antalet 64,69 %": service
 * svc's basis for the customer in slot in words (heap string); see above. */
char *ip_wording_basis(const ip_run *r, size_t svc, size_t slot);

/* The description of the invoice line of service svc for the customer in
 * slot, period p (0-based) of periods: the basis in words and, when the
 * year has periods, "; årsavgift <fee> kr, del <p + 1> av <periods>" (heap
 * string). */
char *ip_wording_invoice_line(const ip_run *r, size_t svc, size_t slot, int p, int periods);

/* The unit as the workbook names it: the tariff's, or "enheter" when the
 * tariff leaves it empty. */
const char *ip_wording_unit(const ip_service *svc);

/* The service sheet's sentence on the basis: "Underlag: antal ärenden
 * 2023-07-01–2024-06-30." or "Underlag: antal <unit> enligt avläsning
 * 2024-06-30." (heap string). */
char *ip_wording_basis_source(const ip_service *svc);

/* The service sheet's sentence on the key: "Fördelning: efter andel av
 * antalet <unit>." or, with an equal part among the participants,
 * "Fördelning: 20 % av avgiften lika mellan de 25 kunder som har <unit>,
 * 80 % efter andel av antalet <unit>." (heap string). */
char *ip_wording_key(const ip_service *svc, size_t participants);

/* The heading of the service sheet's share column, saying of what: "Andel
 * av avgiften" when the fee is split into an equal and a proportional part
 * (the share of the fee), else "Andel av antalet" (of the basis; heap
 * string). */
char *ip_wording_share_heading(const ip_service *svc);

/* Where a service's basis comes from: "ärenden i cases.csv (datum: date,
 * värde: count, annars 1 per rad)", or with a value column "(datum: date,
 * värde: licences)" (the scenario's workbook; heap string). */
char *ip_wording_basis_file(const ip_service *svc);

/* A service's filters: "queue: E-tjänstsupport; kind: inkommande, generell",
 * or "inga" (heap string). */
char *ip_wording_filters(const ip_service *svc);

/* A service's consolidations: "101 ingår i 110; 102 ingår i 110", or
 * "ingen" (heap string). */
char *ip_wording_consolidations(const ip_service *svc);

#endif /* IP_WORDING_H */
