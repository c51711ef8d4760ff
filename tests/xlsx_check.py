#!/usr/bin/python3
"""xlsx_check.py — reads a price-list workbook back for the tests.

Run with /usr/bin/python3 (it needs openpyxl from Debian's python3-openpyxl).

  xlsx_check.py dump FILE
      One line per cell, tab-separated:  sheet  cell  type  value  cached
      type is n (number), s (string), f (formula: value is the formula text,
      cached the value stored with it), b (boolean). Tabs, newlines and
      backslashes in text are written as \\t, \\n and \\\\. Numbers are printed
      with repr(), so 240000.0 stays recognisable as a float.
      Then one line per sheet setting:  sheet  !key  value
      (autofilter, freeze, paper, orientation, fit_width, fit_height,
      fit_to_page, print_titles, widths "A=6.7 B=40.7 …", footer) and the document properties:  !doc  key  value.

  xlsx_check.py verify FILE
      Recomputes every formula the workbook holds (SUM over ranges,
      SUBTOTAL(9, range), SUMIF(range, cell, range) with a criterion cell
      compared as text, + - * and / of cell references, in this or another
      sheet) from the cached
      values and checks that each cached value is what the formula gives
      (amounts exactly, other values within 1e-9). Exit status 1 and one line
      per mismatch otherwise. This proves the cached values consistent
      without a spreadsheet program; tests/e2e/test_workbook_lo.sh has LibreOffice
      recalculate.

  xlsx_check.py values FILE
      Like dump, but with the recalculated value (data_only) of every cell:
      sheet  cell  value. For files LibreOffice wrote back.
"""
import re
import sys

import openpyxl
from openpyxl.utils import column_index_from_string, get_column_letter

REF = r"(?:'((?:[^']|'')+)'!|([A-Za-z0-9_]+)!)?\$?([A-Z]{1,3})\$?([0-9]+)"
TOKEN = re.compile(r"\s*(?:(SUM|SUBTOTAL|SUMIF)\(|(" + REF + r")(?::\$?([A-Z]{1,3})\$?([0-9]+))?|([0-9]+(?:\.[0-9]+)?)|([-+*/()]|,))")


def esc(v):
    return str(v).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def fmt(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, (int, float)):
        return repr(float(v))
    return esc(v)


def load(path):
    wb = openpyxl.load_workbook(path, data_only=False)
    wv = openpyxl.load_workbook(path, data_only=True)
    return wb, wv


def dump(path):
    wb, wv = load(path)
    out = sys.stdout
    for ws in wb.worksheets:
        wsv = wv[ws.title]
        for row in ws.iter_rows():
            for c in row:
                if c.value is None:
                    continue
                cached = wsv[c.coordinate].value
                if c.data_type == "f":
                    kind = "f"
                elif c.data_type == "n":
                    kind = "n"
                elif c.data_type == "b":
                    kind = "b"
                else:
                    kind = "s"
                out.write("\t".join([ws.title, c.coordinate, kind, fmt(c.value), fmt(cached)]) + "\n")
        ps = ws.page_setup
        meta = {
            "autofilter": ws.auto_filter.ref or "",
            "freeze": ws.freeze_panes or "",
            "paper": ps.paperSize or "",
            "orientation": ps.orientation or "",
            # Absent attributes mean 1 (ECMA-376 CT_PageSetup defaults).
            "fit_width": ps.fitToWidth if ps.fitToWidth is not None else 1,
            "fit_height": ps.fitToHeight if ps.fitToHeight is not None else 1,
            "fit_to_page": ws.sheet_properties.pageSetUpPr.fitToPage if ws.sheet_properties.pageSetUpPr else "",
            "print_titles": ws.print_title_rows or "",
            "widths": " ".join(
                f"{get_column_letter(i)}={d.width:g}"
                for d in sorted(ws.column_dimensions.values(), key=lambda d: d.min or 0)
                if d.width and d.min
                for i in range(d.min, (d.max or d.min) + 1)),
            "footer": (ws.oddFooter.left.text or "") + "|" + (ws.oddFooter.center.text or "") + "|" + (ws.oddFooter.right.text or ""),
        }
        for k, v in meta.items():
            out.write("\t".join([ws.title, "!" + k, esc(v)]) + "\n")
    p = wb.properties
    for k in ("title", "subject", "creator", "created"):
        out.write("\t".join(["!doc", k, esc(getattr(p, k))]) + "\n")
    # The company is in docProps/app.xml, which openpyxl does not read.
    import zipfile
    app = zipfile.ZipFile(path).read("docProps/app.xml").decode("utf-8")
    m = re.search(r"<Company>(.*?)</Company>", app)
    out.write("\t".join(["!doc", "company", esc(m.group(1) if m else "")]) + "\n")


class Evaluator:
    """Evaluates the small formula language the workbook uses."""

    def __init__(self, wv, sheet):
        self.wv, self.sheet = wv, sheet

    def cell(self, sheet, col, row):
        v = self.wv[sheet][f"{col}{row}"].value
        return v

    def tokens(self, text):
        pos, toks = 0, []
        while pos < len(text):
            m = TOKEN.match(text, pos)
            if not m or m.end() == pos:
                raise ValueError(f"cannot parse formula {text!r} at {pos}")
            pos = m.end()
            if m.group(1):
                toks.append((m.group(1),))
            elif m.group(2):
                sheet = (m.group(3) or "").replace("''", "'") or m.group(4) or self.sheet
                toks.append(("REF", sheet, m.group(5), int(m.group(6)), m.group(7),
                             int(m.group(8)) if m.group(8) else None))
            elif m.group(9):
                toks.append(("NUM", float(m.group(9))))
            else:
                toks.append(("OP", m.group(10)))
        return toks

    def eval(self, formula):
        self.toks = self.tokens(formula.lstrip("="))
        self.i = 0
        v = self.expr()
        if self.i != len(self.toks):
            raise ValueError(f"trailing tokens in {formula!r}")
        return v

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else None

    def expr(self):
        v = self.term()
        while self.peek() and self.peek()[0] == "OP" and self.peek()[1] in "+-":
            op = self.toks[self.i][1]
            self.i += 1
            w = self.term()
            v = v + w if op == "+" else v - w
        return v

    def term(self):
        v = self.atom()
        while self.peek() and self.peek()[0] == "OP" and self.peek()[1] in "*/":
            op = self.toks[self.i][1]
            self.i += 1
            w = self.atom()
            v = v * w if op == "*" else v / w
        return v

    def num(self, v):
        if v is None:
            return 0
        if isinstance(v, (int, float)):
            return v
        raise ValueError(f"text {v!r} used as a number")

    def atom(self):
        t = self.toks[self.i]
        self.i += 1
        if t[0] == "NUM":
            return t[1]
        if t[0] == "OP" and t[1] == "(":
            v = self.expr()
            self.i += 1
            return v
        if t[0] == "OP" and t[1] == "-":
            return -self.atom()
        if t[0] == "REF":
            if t[4]:
                raise ValueError("a range outside SUM")
            return self.num(self.cell(t[1], t[2], t[3]))
        if t[0] == "SUBTOTAL":
            fn = self.toks[self.i]
            if fn != ("NUM", 9.0) or self.toks[self.i + 1] != ("OP", ","):
                raise ValueError("SUBTOTAL other than 9 (sum)")
            self.i += 2
            t = ("SUM",)  # no row is hidden in a file as written
        if t[0] == "SUMIF":
            args = self.toks[self.i:self.i + 6]
            if (len(args) != 6 or args[0][0] != "REF" or args[1] != ("OP", ",") or
                    args[2][0] != "REF" or args[2][4] or args[3] != ("OP", ",") or
                    args[4][0] != "REF" or args[5] != ("OP", ")")):
                raise ValueError("SUMIF other than SUMIF(range, cell, range)")
            self.i += 6
            _, sh, c1, r1, c2, r2 = args[0]
            _, ss, s1, q1, s2, q2 = args[4]
            key = self.cell(args[2][1], args[2][2], args[2][3])
            if (c2 or c1) != c1 or (s2 or s1) != s1 or (r2 or r1) - r1 != (q2 or q1) - q1:
                raise ValueError("SUMIF over ranges of other shapes")
            total = 0
            for k in range((r2 or r1) - r1 + 1):
                v = self.cell(ss, s1, q1 + k)
                if (str(self.cell(sh, c1, r1 + k)) == str(key) and
                        isinstance(v, (int, float)) and not isinstance(v, bool)):
                    total += v
            return total
        if t[0] == "SUM":
            total = 0
            while True:
                r = self.toks[self.i]
                self.i += 1
                if r[0] != "REF":
                    raise ValueError("SUM of something else than references")
                _, sheet, c1, r1, c2, r2 = r
                c2, r2 = c2 or c1, r2 or r1
                for row in range(r1, r2 + 1):
                    for col in range(column_index_from_string(c1), column_index_from_string(c2) + 1):
                        v = self.cell(sheet, get_column_letter(col), row)
                        if isinstance(v, (int, float)) and not isinstance(v, bool):
                            total += v  # SUM skips text, as Excel does
                sep = self.toks[self.i]
                self.i += 1
                if sep == ("OP", ")"):
                    return total
                if sep != ("OP", ","):
                    raise ValueError("bad SUM")
        raise ValueError(f"unexpected {t}")


def verify(path):
    wb, wv = load(path)
    bad = checked = 0
    for ws in wb.worksheets:
        ev = Evaluator(wv, ws.title)
        for row in ws.iter_rows():
            for c in row:
                if c.data_type != "f":
                    continue
                cached = wv[ws.title][c.coordinate].value
                try:
                    want = ev.eval(c.value)
                except (ValueError, ZeroDivisionError) as e:
                    print(f"{ws.title}!{c.coordinate}: {c.value}: {e}")
                    bad += 1
                    continue
                checked += 1
                if not isinstance(cached, (int, float)) or abs(cached - want) > 1e-9 * max(1, abs(want)):
                    print(f"{ws.title}!{c.coordinate}: {c.value} gives {want!r}, cached {cached!r}")
                    bad += 1
    print(f"{checked} formulas checked, {bad} mismatches")
    return 1 if bad or not checked else 0


def values(path):
    wv = openpyxl.load_workbook(path, data_only=True)
    for ws in wv.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None:
                    print("\t".join([ws.title, c.coordinate, fmt(c.value)]))


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("dump", "verify", "values"):
        sys.stderr.write("usage: xlsx_check.py dump|verify|values FILE\n")
        return 2
    if sys.argv[1] == "dump":
        dump(sys.argv[2])
        return 0
    if sys.argv[1] == "values":
        values(sys.argv[2])
        return 0
    return verify(sys.argv[2])


if __name__ == "__main__":
    sys.exit(main())
