#!/usr/bin/env python3
"""make_prev_fees.py — last year's fees.csv that does not add up, for the tests.

usage: make_prev_fees.py FEES_Y.csv OUT.csv SERVICE=SUM ...

Writes a fees.csv of year Y-1 with one row per customer of FEES_Y.csv for
each SERVICE given: SUM kronor split in proportion to this year's fees
(largest remainder, ties to the lower customer number), so the rows add up
to exactly SUM. Given SUM = previous-fee ± 1 this is a last year like the
city's own 2024 list, whose rows sum to 1 399 999 and 2 024 001 kr against
the tariff's previous-fee of 1 400 000 and 2 024 000. Services not given are
left out (their Y-1 columns show "–", or 0 when previous-fee is 0).
"""
import csv
import sys


def split(total, weights):
    """total split in proportion to weights, largest remainder, whole kronor."""
    w = sum(weights)
    if w == 0:
        return [0] * len(weights)
    base = [total * x // w for x in weights]
    rem = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % w), i))
    for i in rem[: total - sum(base)]:
        base[i] += 1
    return base


def main():
    if len(sys.argv) < 4:
        sys.stderr.write(__doc__)
        return 2
    rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8"), delimiter=";"))
    want = {}
    for arg in sys.argv[3:]:
        sid, total = arg.split("=")
        want[sid] = int(total)
    year = int(rows[0]["year"]) - 1
    with open(sys.argv[2], "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";", lineterminator="\n")
        w.writerow(["year", "service", "customer", "name", "basis", "basis_total", "fee"])
        for sid, total in want.items():
            mine = sorted((r for r in rows if r["service"] == sid), key=lambda r: int(r["customer"]))
            if not mine:
                sys.stderr.write(f"make_prev_fees.py: no service {sid} in {sys.argv[1]}\n")
                return 1
            fees = split(total, [int(r["fee"]) for r in mine])
            assert sum(fees) == total
            for r, fee in zip(mine, fees):
                w.writerow([year, sid, r["customer"], r["name"], 0, 0, fee])
    return 0


if __name__ == "__main__":
    sys.exit(main())
