#!/usr/bin/python3
"""Generates the bundled sample price year (input/2025/) for internpris.

    python3 tests/gen_sample.py --out input/2025

writes tariff.xml, customers.csv, cases.csv, calls.csv and licences.csv.
Standard library only, fixed seed: the same command always writes
byte-identical files. The statistics are fictitious but shaped like the
city's exports (see input/README.md); E-tjänstsupport reproduces the SPEC's
worked example exactly.

After writing, the files are read back with an independent little reference
implementation of SPEC sections 1 and 2 (window, match filters,
consolidation, largest-remainder allocation) and the expected basis totals
are printed; --fees also prints every expected fee, to cross-check the
program's fees.csv.
"""

import argparse
import csv
import datetime as dt
import io
import os
import random
import sys
from fractions import Fraction

SEED = 20250115
YEAR = 2025
CITY_ORG_NR = "212000-0142"

# ---------------------------------------------------------------------------
# The customer register (SPEC Appendix), with fictitious references and
# plausible postal addresses. street "" leaves the optional column empty.

CUSTOMERS = [
    # nr, name, group, street, postcode
    (101, "Finansförvaltningen", "forvaltning", "Hantverkargatan 3D", "105 35"),
    (108, "Valnämnden", "forvaltning", "Ragnar Östbergs plan 1", "105 35"),
    (110, "Stadsledningskontoret", "forvaltning", "Ragnar Östbergs plan 1", "105 35"),
    (113, "Socialförvaltningen", "forvaltning", "Swedenborgsgatan 20", "106 64"),
    (115, "Kulturförvaltningen", "forvaltning", "Sergels torg 3", "111 57"),
    (116, "Stadsbyggnadskontoret", "forvaltning", "Fleminggatan 4", "104 20"),
    (117, "Utbildningsnämnden", "forvaltning", "Hantverkargatan 2F", "106 64"),
    (120, "Stadsarkivet", "forvaltning", "Kungsklippan 6", "112 25"),
    (122, "Äldrenämnden", "forvaltning", "Swedenborgsgatan 20", "106 64"),
    (126, "Överförmyndarnämnden", "forvaltning", "Hantverkargatan 3D", "105 35"),
    (131, "Revisorskollegiet", "forvaltning", "", "105 35"),
    (132, "Idrottsförvaltningen", "forvaltning", "Sankt Eriksgatan 117", "113 43"),
    (168, "Kyrkogårdsförvaltningen", "forvaltning", "Sockenvägen 492", "122 63"),
    (169, "Miljöförvaltningen", "forvaltning", "Fleminggatan 4", "104 20"),
    (177, "Fastighetskontoret", "forvaltning", "Fleminggatan 4", "104 20"),
    (181, "Trafikkontoret", "forvaltning", "Fleminggatan 4", "104 20"),
    (183, "Exploateringskontoret", "forvaltning", "Fleminggatan 4", "104 20"),
    (190, "Serviceförvaltningen", "forvaltning", "Fleminggatan 4", "104 20"),
    (191, "Arbetsmarknadsförvaltningen", "forvaltning", "Hantverkargatan 2F", "106 64"),
    (192, "Förskoleförvaltningen", "forvaltning", "Hantverkargatan 2F", "106 64"),
    (701, "Järva sdf", "forvaltning", "Rinkebystråket 9", "163 72"),
    (704, "Hässelby-Vällingby sdf", "forvaltning", "Vällingbyplan 2", "162 65"),
    (706, "Bromma sdf", "forvaltning", "Tunnlandsvägen 3", "168 36"),
    (708, "Kungsholmens sdf", "forvaltning", "Lindhagensgatan 74", "112 18"),
    (709, "Norra innerstaden sdf", "forvaltning", "Karlavägen 104", "115 26"),
    (712, "Södermalms sdf", "forvaltning", "Götgatan 78", "118 30"),
    (714, "Enskede-Årsta-Vantörs sdf", "forvaltning", "Arenavägen 63", "121 77"),
    (715, "Skarpnäcks sdf", "forvaltning", "Skarpnäcks allé 20", "128 33"),
    (718, "Farsta sdf", "forvaltning", "Farstaplan 10", "123 47"),
    (722, "Hägersten-Älvsjö sdf", "forvaltning", "Årstaängsvägen 21", "117 43"),
    (724, "Skärholmens sdf", "forvaltning", "Skärholmsplan 3", "127 48"),
    (200, "Stockholms Stadshus AB", "bolag", "Ragnar Östbergs plan 1", "105 35"),
    (209, "Stiftelsen SHIS Bostäder", "bolag", "Vulcanusgatan 10", "113 21"),
    (212, "AB Stokab", "bolag", "Sveavägen 25", "111 34"),
    (213, "Familjebostäder AB", "bolag", "Hammarbybacken 27", "120 30"),
    (216, "AB Stockholmshem", "bolag", "Hälsingegatan 45", "113 31"),
    (217, "AB Svenska Bostäder", "bolag", "Vällingbyplan 2", "162 65"),
    (218, "AB Stadsholmen", "bolag", "Västerlånggatan 19", "111 29"),
    (225, "Invest Stockholm Business Region AB", "bolag", "Drottninggatan 33", "111 51"),
    (228, "Stockholms Stads Parkerings AB", "bolag", "Västberga allé 60", "126 30"),
    (232, "Stiftelsen barnens dag", "bolag", "", "113 46"),
    (235, "Skolfastigheter i Stockholm AB, SISAB", "bolag", "Östermalmsgatan 70", "114 50"),
    (249, "Stockholm Globe Arena Fastigheter AB", "bolag", "Globentorget 2", "121 77"),
    (251, "Kulturhuset Stadsteatern AB", "bolag", "Sergels torg 3", "111 57"),
    (252, "Mässfastigheter i Stockholm AB", "bolag", "Mässvägen 1", "125 80"),
    (278, "Stockholms Hamn AB", "bolag", "Frihamnen 1", "115 56"),
    (291, "Stockholms Stads Bostadsförmedling AB", "bolag", "Fleminggatan 20", "112 26"),
    (292, "S:t Erik Markutveckling AB", "bolag", "Gävlegatan 22", "113 30"),
    (296, "Stockholm Vatten AB", "bolag", "Bryggerivägen 10", "168 67"),
    (298, "S:t Erik Försäkrings AB", "bolag", "Ragnar Östbergs plan 1", "105 35"),
    (361, "Stockholm Business Region AB", "bolag", "Drottninggatan 33", "111 51"),
    (362, "Micasa Fastigheter i Stockholm AB", "bolag", "Tjurhornsgränd 6", "121 63"),
    (367, "Visit Stockholm AB", "bolag", "Drottninggatan 33", "111 51"),
]
FOUNDATIONS = {209, 232}

# E-tjänstsupport, incoming cases in the window: the SPEC's worked example.
ETJANST_INCOMING = {110: 1841, 113: 121, 115: 6, 116: 9, 117: 47, 122: 23,
                    132: 363, 169: 2, 181: 184, 191: 49, 291: 201}

# Stockholm Direkt, incoming + general cases in the window. 181 takes the
# remainder so that the total is DIREKT_TOTAL.
DIREKT_TOTAL = 33437
DIREKT_IN_WINDOW = {
    108: 260, 110: 540, 113: 1500, 115: 720, 116: 2300, 117: 8286, 120: 95,
    122: 1540, 126: 380, 132: 960, 168: 410, 169: 610, 177: 310, 181: None,
    183: 120, 190: 150, 191: 830, 192: 3100,
    701: 690, 704: 540, 706: 480, 708: 390, 709: 620, 712: 710, 714: 650,
    715: 330, 718: 410, 722: 520, 724: 360,
    213: 90, 216: 120, 217: 140, 228: 900, 251: 75, 291: 260, 296: 540,
    367: 40,
}

# Switchboard: approximate calls a year per customer (the telephony platform
# reports daily counts per customer).
VAXEL_ANNUAL = {
    101: 7400, 110: 46000, 113: 92000, 115: 14500, 116: 38000, 117: 81000,
    122: 52000, 126: 9800, 132: 17500, 168: 8200, 169: 15800, 177: 12600,
    181: 61000, 190: 11200, 191: 24500, 192: 68000,
    701: 33000, 706: 21500, 712: 29000, 714: 31500, 718: 19800, 722: 26500,
    200: 2600, 218: 3900, 251: 12800,
}

# Platform licences (concurrent users) on the three reading dates; None: no
# row on that date (108 returned its election-time licences in the summer,
# 292 joined the platform in August).
LICENCE_DATES = ["2024-03-15", "2024-06-15", "2024-09-15"]
LICENCES = {
    108: (12, 9, None), 110: (38, 41, 44), 113: (56, 58, 60), 115: (7, 8, 8),
    116: (22, 24, 21), 117: (47, 52, 49), 120: (2, 3, 3), 122: (31, 29, 33),
    126: (6, 6, 7), 132: (11, 13, 12), 168: (4, 4, 5), 169: (9, 10, 11),
    177: (5, 6, 6), 181: (27, 30, 28), 190: (18, 19, 22), 191: (14, 15, 15),
    192: (35, 37, 40), 701: (9, 11, 12), 704: (6, 7, 7), 706: (5, 5, 6),
    708: (4, 5, 5), 709: (7, 8, 7), 712: (8, 9, 10), 714: (8, 8, 9),
    718: (5, 6, 6), 722: (6, 7, 7), 724: (4, 4, 5), 228: (13, 15, 16),
    291: (16, 17, 19), 296: (10, 11, 11), 292: (None, None, 2),
}

# ---------------------------------------------------------------------------
# The tariff (SPEC 2.5).

WINDOW_CASES = ("2023-07-01", "2024-06-30")
WINDOW_CALLS = ("2023-08-01", "2024-07-31")
SNAPSHOT = "2024-06-15"

SERVICES = [
    dict(id="etjanst", name="E-tjänstsupport", fee=240000, previous_fee=0,
         per_call="Pris per samtal tillkommer",
         description=(
             "För tjänsten debiteras en fast grundavgift som baseras på "
             "respektive förvaltnings andel av antal inkomna ärenden till "
             "Kontaktcenter under perioden juli 2023 till juni 2024."),
         file="cases.csv", date_column="date", window=WINDOW_CASES,
         unit="ärenden",
         matches=[("queue", "E-tjänstsupport"), ("kind", "inkommande")],
         key="proportional"),
    dict(id="direkt", name="Stockholm Direkt", fee=3150000,
         previous_fee=2980000, per_call="Pris per samtal tillkommer",
         description=(
             "För tjänsten debiteras en fast grundavgift som baseras på "
             "respektive förvaltnings och bolags andel av antal inkomna och "
             "generella ärenden till Stockholm Direkt under perioden juli "
             "2023 till juni 2024."),
         file="cases.csv", date_column="date", window=WINDOW_CASES,
         unit="ärenden",
         matches=[("queue", "Stockholm Direkt"), ("kind", "inkommande,generell")],
         key="proportional"),
    dict(id="vaxel", name="Telefonistöd, gemensam växel", short="Telefonistöd", fee=600000,
         previous_fee=1400000, per_call="Pris per samtal tillkommer",
         description=(
             "För tjänsten debiteras en fast grundavgift. 20 procent av "
             "avgiften fördelas lika mellan de förvaltningar och bolag som är "
             "anslutna till den gemensamma växeln och 80 procent fördelas "
             "efter respektive kunds andel av antal anrop till växeln under "
             "perioden augusti 2023 till juli 2024. Finansförvaltningens "
             "anrop ingår i Stadsledningskontorets antal."),
         file="calls.csv", date_column="started_at", window=WINDOW_CALLS,
         unit="anrop", matches=[], key="equal-and-proportional",
         equal_percent=20, consolidate=[(101, 110)]),
    dict(id="kcp", name="Förvaltning av kontaktcenterplattform",
         short="Kontaktcenterplattform", fee=2024000,
         previous_fee=2024000, per_call=None,
         description=(
             "För tjänsten debiteras en fast grundavgift som baseras på "
             "respektive förvaltnings och bolags andel av antal samtidiga "
             "användare (baslicenser) i kontaktcenterplattformen enligt "
             "avläsning i plattformens tjänsteportal den 15 juni 2024."),
         file="licences.csv", date_column="date", snapshot=SNAPSHOT,
         value_column="licences", unit="licenser", matches=[],
         key="proportional"),
]


# The seller's bankgiro, IBAN and BIC (made up, valid check digits).
PAYMENT = ("5050-1055", "SE45 5000 0000 0583 9825 7466", "ESSESESS")

# <accounting>: the seller's cost centre (the contact centre within
# Serviceförvaltningen), the default cost account, the accounts and per
# service the revenue account and, where it is not the default, the cost
# account.
ACCOUNTING = (
    "1905", "6419",
    [("3631", "Interna intäkter, e-tjänstsupport"),
     ("3632", "Interna intäkter, Stockholm Direkt"),
     ("3633", "Interna intäkter, telefonistöd"),
     ("3634", "Interna intäkter, kontaktcenterplattform"),
     ("6412", "Köp av intern telefonitjänst"),
     ("6419", "Köp av interna tjänster, kontaktcenter"),
     ("6542", "Köp av interna IT-tjänster")],
    [("etjanst", "3631", None), ("direkt", "3632", None),
     ("vaxel", "3633", "6412"), ("kcp", "3634", "6542")],
)


def xml_attr(s):
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def xml_text(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def tariff_xml():
    o = []
    o.append('<?xml version="1.0" encoding="UTF-8"?>')
    o.append("<!-- Sample tariff for price year 2025 (written by tests/gen_sample.py). -->")
    o.append('<tariff year="%d" currency="SEK">' % YEAR)
    o.append('  <seller name="Stockholms stad, Serviceförvaltningen" org-nr="%s"' % CITY_ORG_NR)
    o.append('          vat-id="SE212000014201" street="Fleminggatan 4" postcode="104 20"')
    o.append('          city="Stockholm" email="kontaktcenter.faktura@stockholm.se"/>')
    # Payment details on the <invoicing> line itself (bankgiro and IBAN/BIC,
    # made-up numbers with valid check digits), so the lines below keep
    # their numbers.
    o.append('  <invoicing issue-date="2025-01-15" due-days="30" number-prefix="KC"'
             ' bankgiro="%s" iban="%s" bic="%s"/>' % PAYMENT)
    o.append('  <group id="forvaltning" label="Nämnder och förvaltningar" vat="O"/>')
    o.append('  <group id="bolag" label="Bolag och stiftelser" vat="S" vat-percent="25"/>')
    for s in SERVICES:
        o.append("")
        # short-name on the service's first line: the lines below keep
        # their numbers
        short = ' short-name="%s"' % xml_attr(s["short"]) if s.get("short") else ""
        head = '  <service id="%s" name="%s"%s fee="%d" previous-fee="%d"' % (
            s["id"], xml_attr(s["name"]), short, s["fee"], s["previous_fee"])
        if s["per_call"]:
            head += '\n           per-call-price="%s"' % xml_attr(s["per_call"])
        o.append(head + ">")
        o.append("    <description>%s</description>" % xml_text(s["description"]))
        b = '    <basis file="%s" date-column="%s"' % (s["file"], s["date_column"])
        if "window" in s:
            b += ' from="%s" to="%s"' % s["window"]
        else:
            b += ' snapshot="%s"' % s["snapshot"]
        if s.get("value_column"):
            b += ' value-column="%s"' % s["value_column"]
        b += '\n           unit="%s"' % xml_attr(s["unit"])
        if s["matches"]:
            o.append(b + ">")
            for col, vals in s["matches"]:
                o.append('      <match column="%s" values="%s"/>' % (col, xml_attr(vals)))
            o.append("    </basis>")
        else:
            o.append(b + "/>")
        if s["key"] == "equal-and-proportional":
            o.append('    <key method="equal-and-proportional" equal-percent="%d"/>'
                     % s["equal_percent"])
        else:
            o.append('    <key method="%s"/>' % s["key"])
        for f, t in s.get("consolidate", []):
            o.append('    <consolidate from="%d" into="%d"/>' % (f, t))
        o.append("  </service>")
    o.append("")
    o.append("  <!-- Internal postings (the SIE 4I file): four-digit accounts in the style")
    o.append("       of Kommun-Bas, class 3 revenue and class 6 costs (made up). -->")
    seller_cc, default_cost, accounts, postings = ACCOUNTING
    o.append('  <accounting seller-cost-centre="%s" cost-account="%s">' % (seller_cc, default_cost))
    for number, name in accounts:
        o.append('    <account number="%s" name="%s"/>' % (number, xml_attr(name)))
    for svc, revenue, cost in postings:
        o.append('    <posting service="%s" revenue-account="%s"%s/>'
                 % (svc, revenue, ' cost-account="%s"' % cost if cost else ""))
    o.append("  </accounting>")
    o.append("</tariff>")
    return "\n".join(o) + "\n"


# ---------------------------------------------------------------------------
# Helpers.

def d(s):
    return dt.date.fromisoformat(s)


def days(first, last):
    x, out = d(first), []
    while x <= d(last):
        out.append(x)
        x += dt.timedelta(days=1)
    return out


# Public holidays (and midsummer eve) in the data's span: treated as weekend.
HOLIDAYS = {d(x) for x in [
    "2023-05-01", "2023-05-18", "2023-06-06", "2023-06-23", "2023-12-25",
    "2023-12-26", "2024-01-01", "2024-01-06", "2024-03-29", "2024-04-01",
    "2024-05-01", "2024-05-09", "2024-06-06", "2024-06-21", "2024-12-24"]}

# Seasonal load per month (summer holidays low, school start and winter high).
MONTH_LOAD = {1: 1.15, 2: 1.05, 3: 1.05, 4: 0.95, 5: 0.95, 6: 0.85, 7: 0.55,
              8: 1.10, 9: 1.10, 10: 1.05, 11: 1.00, 12: 0.80}


def day_weight(x, weekend):
    if x.weekday() >= 5 or x in HOLIDAYS:
        return MONTH_LOAD[x.month] * weekend
    return MONTH_LOAD[x.month]


def pick_dates(rng, first, last, n, weekend=0.12):
    """n dates in first..last, weighted by season and weekday, sorted."""
    ds = days(first, last)
    w = [day_weight(x, weekend) for x in ds]
    return sorted(rng.choices(ds, weights=w, k=n))


def luhn_digit(nine):
    total = 0
    for i, ch in enumerate(nine):
        v = int(ch) * (2 if i % 2 == 0 else 1)
        total += v - 9 if v > 9 else v
    return str((10 - total % 10) % 10)


def luhn_ok(ten):
    return luhn_digit(ten[:9]) == ten[9]


def org_nr(rng, prefix, used):
    while True:
        nine = prefix + "".join(str(rng.randrange(10)) for _ in range(9 - len(prefix)))
        ten = nine + luhn_digit(nine)
        if ten not in used:
            used.add(ten)
            return ten[:6] + "-" + ten[6:]


def write_csv(path, header, rows):
    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter=";", lineterminator="\n",
                   quoting=csv.QUOTE_MINIMAL)
    w.writerow(header)
    w.writerows(rows)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(buf.getvalue())


# ---------------------------------------------------------------------------
# customers.csv

def gln(twelve):
    """A GS1 GLN: twelve digits and the check digit (weights 3, 1 from the right)."""
    total = sum(int(twelve[11 - i]) * (3 if i % 2 == 0 else 1) for i in range(12))
    return twelve + str((10 - total % 10) % 10)


# Companies with a PEPPOL address of their own (a GLN); the others are
# reached at their organisation number.
COMPANY_GLN = {216, 217, 296}


def gen_customers(rng):
    used = {"2120000142"}
    rows = []
    for nr, name, group, street, postcode in CUSTOMERS:
        if group == "forvaltning":
            org = CITY_ORG_NR
            ref = "%d0-KC" % nr  # ansvar code of the buying unit
            # The central departments' cost centre is their ansvar code;
            # the district administrations (7xx) leave it to their number.
            cost_centre = "%d0" % nr if nr < 700 else ""
            endpoint = "0088:" + gln("730000900%03d" % nr)
        else:
            org = org_nr(rng, "802" if nr in FOUNDATIONS else "556", used)
            ref = "KC-%d" % nr
            cost_centre = ""
            endpoint = "0088:" + gln("735000100%03d" % nr) if nr in COMPANY_GLN else ""
        rows.append([nr, name, group, org, ref, street, postcode, "Stockholm", cost_centre,
                     endpoint])
    return rows


# ---------------------------------------------------------------------------
# cases.csv

SUBJECTS = {
    "E-tjänstsupport": [
        "Inloggning med BankID", "Glömt lösenord", "Bifoga fil i e-tjänst",
        "Status på ansökan", "Felmeddelande vid signering", "Ansökan om förskoleplats",
        "Anmälan om bygglov", "Ansökan om parkeringstillstånd", "Ändra kontaktuppgifter",
        "Kvitto saknas", "Bokning av idrottshall", "Ansökan om bostadskö",
        "E-tjänst går inte att öppna", "Ombud i e-tjänst"],
    "Stockholm Direkt": [
        "Skolval", "Förskolekö", "Bygglov", "Parkering", "Felparkerad bil",
        "Avfallshämtning", "Snöröjning", "Hemtjänst", "Färdtjänst",
        "Ekonomiskt bistånd", "Bibliotek", "Simhallar", "Bostadskö",
        "Trygghetsboende", "Vatten och avlopp", "Synpunkt", "Allmän fråga",
        "Boendeparkering", "Skolskjuts", "Gode män", "Föreningsbidrag",
        "Tillstånd för uteservering", "Val och röstning"],
    "Felanmälan": [
        "Trasig gatubelysning", "Klotter", "Potthål i gata", "Nedskräpning",
        "Trasig parkbänk", "Halka på gångbana", "Trafiksignal ur funktion",
        "Skadat träd", "Övergiven cykel", "Fel på lekplats"],
    "Växel": ["Sökt person", "Kopplat samtal", "Fel nummer", "Fråga om öppettider"],
}

# Stockholm Direkt subjects by customer (general questions weigh in too).
_GENERAL = ["Allmän fråga", "Synpunkt", "Öppettider", "Kontaktuppgifter"]
DIREKT_TOPICS = {
    None: _GENERAL + ["Blanketter", "Felkopplat ärende"],
    "sdf": _GENERAL + ["Hemtjänst", "Ekonomiskt bistånd", "Parklek", "Förskolekö",
                       "Fritidsgård", "Stöd till barn och familj"],
    108: _GENERAL + ["Val och röstning", "Förtidsröstning", "Röstkort"],
    110: _GENERAL + ["Kommunfullmäktige", "Medborgarförslag", "Pressfråga"],
    113: _GENERAL + ["Ekonomiskt bistånd", "Missbruk och beroende", "Stöd till brottsutsatta"],
    115: _GENERAL + ["Bibliotek", "Kulturskolan", "Lånekort"],
    116: _GENERAL + ["Bygglov", "Strandskydd", "Detaljplan", "Ritningar och arkiv"],
    117: _GENERAL + ["Skolval", "Skolskjuts", "Gymnasieantagning", "Fritidshem"],
    120: _GENERAL + ["Arkivbeställning", "Personakter"],
    122: _GENERAL + ["Hemtjänst", "Trygghetsboende", "Färdtjänst", "Äldreboende"],
    126: _GENERAL + ["Gode män", "Förvaltarskap", "Årsräkning"],
    132: _GENERAL + ["Simhallar", "Föreningsbidrag", "Bokning av idrottshall"],
    168: _GENERAL + ["Gravrätt", "Gravskötsel"],
    169: _GENERAL + ["Buller", "Livsmedelskontroll", "Tillstånd för värmepump"],
    177: _GENERAL + ["Arrende", "Lokaluthyrning"],
    181: _GENERAL + ["Parkering", "Felparkerad bil", "Snöröjning", "Boendeparkering",
                     "Tillstånd för uteservering", "Cykelparkering"],
    183: _GENERAL + ["Markanvisning", "Stadsutveckling"],
    190: _GENERAL + ["Fakturafråga", "Lönefråga"],
    191: _GENERAL + ["Jobbtorg", "Feriejobb", "Vuxenutbildning", "SFI"],
    192: _GENERAL + ["Förskolekö", "Förskoleplats", "Barnomsorgsavgift"],
    213: _GENERAL + ["Lägenhet", "Felanmälan i bostad"],
    216: _GENERAL + ["Lägenhet", "Felanmälan i bostad"],
    217: _GENERAL + ["Lägenhet", "Felanmälan i bostad"],
    228: _GENERAL + ["Parkering", "Kontrollavgift", "Boendeparkering"],
    251: _GENERAL + ["Biljetter", "Evenemang"],
    291: _GENERAL + ["Bostadskö", "Köavgift", "Förtur"],
    296: _GENERAL + ["Vatten och avlopp", "Vattenläcka", "Avfallshämtning"],
    367: _GENERAL + ["Turistinformation"],
}

# Fields that exercise RFC 4180 quoting: delimiter, doubled quotes, line break.
SPECIAL_SUBJECTS = [
    'Fråga om "parkering"; Södermalm',
    'Felmeddelande vid signering:\n"Sessionen har gått ut"',
    'Ansökan; "bostadskö" och förtur',
    "Synpunkt på snöröjning\nHornsgatan; Ringvägen",
]


def gen_cases(rng):
    win_from, win_to = WINDOW_CASES
    rows = []  # (date, customer, queue, kind, subject)

    def add(dates, cust, queue, kind):
        subj = SUBJECTS[queue]
        if queue == "Stockholm Direkt":
            subj = DIREKT_TOPICS.get(cust, DIREKT_TOPICS["sdf" if cust >= 700 else None])
        for x in dates:
            rows.append([x, cust, queue, kind, rng.choice(subj)])

    # --- E-tjänstsupport, incoming, inside the window: exactly the SPEC table.
    for cust, n in ETJANST_INCOMING.items():
        if cust == 110:  # both window boundaries carry a case
            dates = [d(win_from), d(win_to)] + pick_dates(rng, win_from, win_to, n - 2, 0.35)
        else:
            dates = pick_dates(rng, win_from, win_to, n, 0.35)
        add(dates, cust, "E-tjänstsupport", "inkommande")
    # ... just outside the window, and in earlier/later months.
    add([d("2023-06-30")] * 3, 110, "E-tjänstsupport", "inkommande")
    add([d("2023-06-30")], 132, "E-tjänstsupport", "inkommande")
    add([d("2024-07-01")] * 2, 110, "E-tjänstsupport", "inkommande")
    add([d("2024-07-01")], 113, "E-tjänstsupport", "inkommande")
    for cust, n in [(110, 150), (113, 9), (117, 6), (132, 40), (181, 14),
                    (191, 4), (291, 18), (192, 11), (190, 3)]:
        add(pick_dates(rng, "2023-05-01", "2023-06-29", n // 2, 0.35), cust,
            "E-tjänstsupport", "inkommande")
        add(pick_dates(rng, "2024-07-02", "2024-08-31", n - n // 2, 0.35), cust,
            "E-tjänstsupport", "inkommande")
    # ... other kinds in the same queue (not counted), also for customers
    # that have no incoming cases.
    for cust, n in [(110, 240), (113, 22), (117, 9), (132, 51), (181, 30),
                    (291, 27), (192, 8), (116, 3)]:
        add(pick_dates(rng, win_from, win_to, n), cust, "E-tjänstsupport", "generell")
    for cust, n in [(110, 310), (132, 44), (181, 19), (291, 35), (122, 4)]:
        add(pick_dates(rng, win_from, win_to, n), cust, "E-tjänstsupport", "utgående")
    for cust, n in [(110, 95), (190, 28), (113, 6)]:
        add(pick_dates(rng, win_from, win_to, n), cust, "E-tjänstsupport", "intern")

    # --- Stockholm Direkt.
    direkt = dict(DIREKT_IN_WINDOW)
    direkt[181] = DIREKT_TOTAL - sum(v for v in direkt.values() if v)
    assert 2500 < direkt[181] < 4500, direkt[181]
    for cust, n in direkt.items():
        general = int(n * rng.uniform(0.12, 0.30))
        dates = pick_dates(rng, win_from, win_to, n)
        rng.shuffle(dates)
        add(sorted(dates[:n - general]), cust, "Stockholm Direkt", "inkommande")
        add(sorted(dates[n - general:]), cust, "Stockholm Direkt", "generell")
        # Follow-up calls and internal hand-overs: never counted.
        add(pick_dates(rng, win_from, win_to, int(n * rng.uniform(0.04, 0.09))),
            cust, "Stockholm Direkt", "utgående")
        add(pick_dates(rng, win_from, win_to, int(n * rng.uniform(0.01, 0.03))),
            cust, "Stockholm Direkt", "intern")
        # The export also holds June 2023 and July 2024 (outside the window),
        # and a few late-registered cases from May 2023 and August 2024.
        monthly = n / 12.0
        add(pick_dates(rng, "2023-06-01", "2023-06-30", int(monthly * 0.85)),
            cust, "Stockholm Direkt", "inkommande")
        add(pick_dates(rng, "2024-07-01", "2024-07-31", int(monthly * 0.55)),
            cust, "Stockholm Direkt", "inkommande")
        add(pick_dates(rng, "2023-05-01", "2023-05-31", int(monthly * 0.03)),
            cust, "Stockholm Direkt", "generell")
        add(pick_dates(rng, "2024-08-01", "2024-08-31", int(monthly * 0.05)),
            cust, "Stockholm Direkt", "inkommande")
    # A customer that is not a Stockholm Direkt customer in the window, only
    # just outside it (must get 0).
    add([d("2023-06-30"), d("2023-06-30"), d("2024-07-01")], 212,
        "Stockholm Direkt", "inkommande")

    # --- Other queues of the case system (not part of any service).
    for cust, n in [(181, 1450), (701, 120), (704, 95), (706, 80), (712, 140),
                    (714, 110), (722, 85), (132, 160), (177, 90), (168, 40),
                    (216, 130), (217, 120), (213, 70), (296, 210)]:
        add(pick_dates(rng, "2023-06-01", "2024-07-31", n, 0.5), cust,
            "Felanmälan", rng.choice(["inkommande", "inkommande", "generell"]))
    for cust, n in [(110, 420), (113, 260), (117, 190), (190, 75), (200, 15)]:
        add(pick_dates(rng, "2023-06-01", "2024-07-31", n, 0.05), cust,
            "Växel", "inkommande")

    # Special subjects on rows that count (a misparse would shift the count or
    # stop the run).
    def first_row(cust, queue, kind):
        for r in rows:
            if (r[1] == cust and r[2] == queue and r[3] == kind
                    and win_from <= r[0].isoformat() <= win_to):
                return r
        raise AssertionError((cust, queue, kind))
    first_row(712, "Stockholm Direkt", "inkommande")[4] = SPECIAL_SUBJECTS[0]
    first_row(110, "E-tjänstsupport", "inkommande")[4] = SPECIAL_SUBJECTS[1]
    first_row(291, "E-tjänstsupport", "inkommande")[4] = SPECIAL_SUBJECTS[2]
    first_row(181, "Stockholm Direkt", "generell")[4] = SPECIAL_SUBJECTS[3]

    # Sort by date (cases of one day in a shuffled but fixed order) and number
    # them like the case system does: year-sequence.
    keyed = [(r[0], rng.random(), r) for r in rows]
    keyed.sort(key=lambda t: (t[0], t[1]))
    out, seq, year = [], 0, None
    for x, _, r in keyed:
        if x.year != year:
            year, seq = x.year, 4000 if x.year == 2023 else 0
        seq += 1
        out.append(["KC-%d-%06d" % (x.year, seq), x.isoformat(), r[1], r[2], r[3], r[4]])
    return out


# ---------------------------------------------------------------------------
# calls.csv: daily counts per customer from the telephony platform.

def gen_calls(rng):
    ds = days("2023-07-01", "2024-08-31")
    working = [x for x in days(*WINDOW_CALLS) if x.weekday() < 5 and x not in HOLIDAYS]
    load_sum = sum(MONTH_LOAD[x.month] for x in working)
    rows = []
    for x in ds:
        off = x.weekday() >= 5 or x in HOLIDAYS
        for cust, annual in VAXEL_ANNUAL.items():
            per_day = annual * MONTH_LOAD[x.month] / load_sum
            if off:
                if annual < 40000:
                    continue
                per_day *= 0.03
            n = int(round(per_day * rng.uniform(0.8, 1.2)))
            if n > 0:
                rows.append(["%sT00:00" % x.isoformat(), cust, n])
    return rows


# ---------------------------------------------------------------------------
# licences.csv

def gen_licences():
    rows = []
    for i, date in enumerate(LICENCE_DATES):
        for cust, vals in sorted(LICENCES.items()):
            if vals[i] is not None:
                assert 1 <= vals[i] <= 60
                rows.append([date, cust, vals[i]])
    return rows


# ---------------------------------------------------------------------------
# Reading back: a small independent reference of SPEC sections 1-2.

def read_csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        r = csv.reader(f, delimiter=";")
        header = [h.strip().lower() for h in next(r)]
        for row in r:
            assert len(row) == len(header), (path, row)
            yield dict(zip(header, row))


def measure(indir, svc):
    basis, used, outside = {}, 0, 0
    for row in read_csv(os.path.join(indir, svc["file"])):
        day = row[svc["date_column"]][:10]
        if "window" in svc:
            if not (svc["window"][0] <= day <= svc["window"][1]):
                outside += 1
                continue
        elif day != svc["snapshot"]:
            continue
        if not all(row[c].strip() in v.split(",") for c, v in svc["matches"]):
            continue
        if svc.get("value_column"):
            v = int(row[svc["value_column"]])
        else:
            v = int(row["count"]) if "count" in row else 1
        c = int(row["customer"])
        basis[c] = basis.get(c, 0) + v
        used += 1
    for f, t in svc.get("consolidate", []):
        basis[t] = basis.get(t, 0) + basis.pop(f, 0)
    return basis, used, outside


def allocate(svc, basis):
    fee = svc["fee"]
    parts = {c: w for c, w in basis.items() if w > 0}
    total = sum(parts.values())
    if svc["key"] == "proportional":
        exact = {c: Fraction(fee * w, total) for c, w in parts.items()}
    else:
        p = Fraction(svc["equal_percent"], 100)
        n = len(parts)
        exact = {c: fee * p / n + fee * (1 - p) * Fraction(w, total)
                 for c, w in parts.items()}
    fees = {c: e.numerator // e.denominator for c, e in exact.items()}
    left = fee - sum(fees.values())
    order = sorted(parts, key=lambda c: (-(exact[c] - fees[c]), -parts[c], c))
    for c in order[:left]:
        fees[c] += 1
    assert sum(fees.values()) == fee
    return exact, fees


def summarise(indir, show_fees):
    files = ["customers.csv", "cases.csv", "calls.csv", "licences.csv"]
    print("files in %s:" % indir)
    for f in files + ["tariff.xml"]:
        p = os.path.join(indir, f)
        n = sum(1 for _ in read_csv(p)) if f.endswith(".csv") else None
        print("  %-14s %9d bytes%s" % (f, os.path.getsize(p),
                                       "" if n is None else ", %d data rows" % n))
    names = {c[0]: c[1] for c in CUSTOMERS}
    ok = True
    for svc in SERVICES:
        basis, used, outside = measure(indir, svc)
        total = sum(basis.values())
        participants = sum(1 for v in basis.values() if v > 0)
        where = ("%s..%s" % svc["window"]) if "window" in svc else "snapshot " + svc["snapshot"]
        print("%-8s fee %9d  basis total %8d %s (%s), %d customers with basis > 0,"
              " %d rows used, %d rows outside the window"
              % (svc["id"], svc["fee"], total, svc["unit"], where, participants,
                 used, outside))
        exact, fees = allocate(svc, basis)
        if show_fees:
            for c in sorted(fees):
                print("    %3d %-40s %8d %12.2f %9d" % (c, names[c], basis[c],
                                                       float(exact[c]), fees[c]))
        if svc["id"] == "etjanst":
            got = {c: v for c, v in basis.items() if v > 0}
            match = got == ETJANST_INCOMING and total == 2846
            want_fees = {110: 155249, 113: 10204, 115: 506, 116: 759, 117: 3963,
                         122: 1940, 132: 30611, 169: 169, 181: 15517, 191: 4132,
                         291: 16950}
            match = match and fees == want_fees
            print("         E-tjänstsupport equals the SPEC worked example: %s"
                  % ("yes" if match else "NO"))
            ok = ok and match
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="input/%d" % YEAR, help="output folder")
    ap.add_argument("--fees", action="store_true",
                    help="also print every expected basis and fee")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)

    with open(os.path.join(a.out, "tariff.xml"), "w", encoding="utf-8", newline="") as f:
        f.write(tariff_xml())
    write_csv(os.path.join(a.out, "customers.csv"),
              ["nr", "name", "group", "org_nr", "reference", "street", "postcode", "city",
               "cost_centre", "endpoint"],
              gen_customers(random.Random(SEED + 1)))
    write_csv(os.path.join(a.out, "cases.csv"),
              ["case_id", "date", "customer", "queue", "kind", "subject"],
              gen_cases(random.Random(SEED + 2)))
    write_csv(os.path.join(a.out, "calls.csv"), ["started_at", "customer", "count"],
              gen_calls(random.Random(SEED + 3)))
    write_csv(os.path.join(a.out, "licences.csv"), ["date", "customer", "licences"],
              gen_licences())

    for r in read_csv(os.path.join(a.out, "customers.csv")):
        assert luhn_ok(r["org_nr"].replace("-", "")), r
    return 0 if summarise(a.out, a.fees) else 1


if __name__ == "__main__":
    sys.exit(main())
