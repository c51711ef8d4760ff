"""The workbook as LibreOffice printed it, for test_workbook_lo.sh.

usage: check_workbook_print.py XLSX PDF OUTDIR

Finds each sheet of XLSX in PDF by its footer ("<sheet> — prislista"),
renders its first page to OUTDIR/NN-<sheet>.png (pdftoppm), and checks that
no sheet is wider than one page: every page of a sheet shows the table
heading's first and last words. Exits 1 when a sheet fails.
"""
import os, re, subprocess, sys
import openpyxl
xlsx, pdf, outdir = sys.argv[1:4]
info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True).stdout
pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
footers = []
for p in range(1, pages + 1):
    text = subprocess.run(["pdftotext", "-f", str(p), "-l", str(p), "-layout", pdf, "-"],
                          capture_output=True, text=True, check=True).stdout
    footers.append(text)
bad = 0
sheets = openpyxl.load_workbook(xlsx, read_only=True).sheetnames
for i, name in enumerate(sheets):
    mark = f"{name} — prislista"
    mine = [p for p, t in enumerate(footers, start=1) if mark in t]
    if not mine:
        print(f"sheet {name!r}: no page with footer {mark!r}")
        bad += 1
        continue
    first = mine[0]
    safe = re.sub(r"[^0-9A-Za-zÅÄÖåäö-]+", "_", name).strip("_")
    png = os.path.join(outdir, f"{i + 1:02d}-{safe}")
    subprocess.run(["timeout", "120", "pdftoppm", "-r", "60", "-png", "-singlefile",
                    "-f", str(first), "-l", str(first), pdf, png], check=True)
    # Fit to one page wide: every page repeats the table's header row, so a
    # sheet split across would leave pages without its first or last heading.
    need = (["Tjänst", "bortfiltrerade"] if name == "Avstämning" else
            ["Dokument", "Korrigering"] if name == "Dokument" else ["Kund", "Förändring"])
    for p in mine:
        flat = " ".join(footers[p - 1].split())
        missing = [w for w in need if w not in flat]
        if missing:
            print(f"sheet {name!r} page {p}: no {missing} (wider than one page?)")
            bad += 1
    print(f"{name}: {len(mine)} page(s) from page {first}, {png}.png")
sys.exit(1 if bad else 0)
