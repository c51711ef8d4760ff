"""An SIE 4 reader of its own, for the end-to-end tests: it parses the
internal postings (interndebitering-Y*.si) from their bytes, independently
of the program's writer, and checks them against the inputs and the UBL
documents of the year folder. Every check is an assertion; the first
failure exits non-zero with what differs.

usage: sie_check.py parse FILE
           the file alone: bytes, labels and their order, braces, amounts,
           declared accounts and objects, every #VER balanced; prints a
           summary line
       sie_check.py year IN_YEAR_DIR OUT_YEAR_DIR [RECORD_REGISTER]
           every SIE file of OUT_YEAR_DIR against tariff.xml and
           customers.csv of IN_YEAR_DIR, the documents in
           OUT_YEAR_DIR/invoices/ and fees.csv: one #VER per internal
           document with its date, number and lines; credit notes reverse
           what they credit; each department's debits equal its fees and
           the net of its standing documents; the per-run files (runs from
           RECORD_REGISTER, the record's register.csv) add up to the
           year's file; report.txt and the workbook's Avstämning sheet
           reconcile the same sums. Without <accounting> in the tariff: no
           SIE file, and report.txt says so once.

What it knows of SIE 4 (file format 4B, the SIE group): lines of a label
(#WORD) and fields separated by spaces; a field is a bare word, a text in
quotes (a quote or backslash inside preceded by a backslash) or an object
list in braces ({dim "object" ...}); a #VER is followed by "{", its
#TRANS lines and "}"; #FORMAT PC8 means IBM code page 437.
"""
import csv, decimal, glob, os, re, sys, unicodedata, xml.etree.ElementTree as ET

NS = {"cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
      "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}
D = decimal.Decimal

# UTF-8 sequences of å ä ö Å Ä Ö é: written under #FORMAT PC8, the most
# common SIE fault.
UTF8_SWEDISH = [c.encode("utf-8") for c in "åäöÅÄÖé"]

HEAD = ["#FLAGGA", "#PROGRAM", "#FORMAT", "#GEN", "#SIETYP", "#ORGNR", "#FNAMN"]


def fail(msg):
    raise AssertionError(msg)


def tokens(line, where):
    """Label and fields of one decoded line. Texts come back as str, object
    lists as lists of their tokens."""
    i, n, out = 0, len(line), []

    def word(i):
        j = i
        while j < n and line[j] not in ' {}"':
            j += 1
        return line[i:j], j

    def text(i):  # line[i] == '"'
        s, i = [], i + 1
        while True:
            if i >= n:
                fail("%s: a text without its closing quote" % where)
            c = line[i]
            if c == "\\":
                if i + 1 >= n:
                    fail("%s: a backslash at the end of the line" % where)
                s.append(line[i + 1])
                i += 2
            elif c == '"':
                return "".join(s), i + 1
            else:
                s.append(c)
                i += 1

    label, i = word(0)
    if not label.startswith("#") and label not in ("{", "}"):
        if line in ("{", "}"):
            return line, []
        fail("%s: expected a label, found %r" % (where, line[:20]))
    while i < n:
        if line[i] == " ":
            i += 1
            continue
        if line[i] == '"':
            t, i = text(i)
            out.append(t)
        elif line[i] == "{":
            lst, i = [], i + 1
            while True:
                while i < n and line[i] == " ":
                    i += 1
                if i >= n:
                    fail("%s: an object list without its closing brace" % where)
                if line[i] == "}":
                    i += 1
                    break
                if line[i] == '"':
                    t, i = text(i)
                else:
                    t, i = word(i)
                    if not t:
                        fail("%s: a stray %r in an object list" % (where, line[i]))
                lst.append(t)
            out.append(lst)
        elif line[i] == "}":
            fail("%s: a closing brace without its opening one" % where)
        else:
            t, i = word(i)
            out.append(t)
    return label, out


def ore(s, where):
    """SIE amounts: decimal point, two decimals, a minus sign only."""
    if not re.fullmatch(r"-?(0|[1-9][0-9]*)\.[0-9]{2}", s):
        fail("%s: expected an amount such as 1234.50 or -1234.50, found %r" % (where, s))
    neg = s.startswith("-")
    whole, frac = s.lstrip("-").split(".")
    v = int(whole) * 100 + int(frac)
    if neg and v == 0:
        fail("%s: a negative zero %r" % (where, s))
    return -v if neg else v


def date(s, where):
    if not re.fullmatch(r"20[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])", s):
        fail("%s: expected a date YYYYMMDD, found %r" % (where, s))
    return s


def parse(path):
    raw = open(path, "rb").read()
    name = os.path.basename(path)
    if raw.startswith(b"\xef\xbb\xbf"):
        fail("%s: a UTF-8 byte-order mark" % name)
    for seq in UTF8_SWEDISH:
        if seq in raw:
            fail("%s: UTF-8 bytes %s (%s) under #FORMAT PC8" % (name, seq.hex(), seq.decode()))
    if not raw.endswith(b"\r\n"):
        fail("%s: the last line does not end CR LF" % name)
    lines = raw[:-2].split(b"\r\n")
    for k, b in enumerate(lines, 1):
        bad = [c for c in b if c < 0x20 or c == 0x7F]
        if bad:
            fail("%s:%d: control byte 0x%02X (lines end CR LF, nothing else)" % (name, k, bad[0]))
    dec = [b.decode("cp437") for b in lines]
    f = dict(accounts={}, dims={}, objects={}, vers=[], head={})
    k = 0

    def at(k):
        return "%s:%d" % (name, k + 1)

    for want in HEAD:
        if k >= len(dec):
            fail("%s: ends before %s" % (name, want))
        label, fields = tokens(dec[k], at(k))
        if label != want:
            fail("%s: expected %s, found %s" % (at(k), want, label))
        f["head"][want] = fields
        k += 1
    h = f["head"]
    if h["#FLAGGA"] != ["0"]:
        fail("%s: expected #FLAGGA 0, found %r" % (name, h["#FLAGGA"]))
    if len(h["#PROGRAM"]) != 2 or not all(isinstance(x, str) and x for x in h["#PROGRAM"]):
        fail("%s: expected #PROGRAM name version, found %r" % (name, h["#PROGRAM"]))
    if h["#FORMAT"] != ["PC8"]:
        fail("%s: expected #FORMAT PC8, found %r" % (name, h["#FORMAT"]))
    if len(h["#GEN"]) < 1:
        fail("%s: #GEN without a date" % name)
    date(h["#GEN"][0], name + ": #GEN")
    if h["#SIETYP"] != ["4"]:
        fail("%s: expected #SIETYP 4, found %r" % (name, h["#SIETYP"]))
    if len(h["#ORGNR"]) < 1 or not re.fullmatch(r"[0-9]{6}-[0-9]{4}", h["#ORGNR"][0]):
        fail("%s: expected #ORGNR NNNNNN-NNNN, found %r" % (name, h["#ORGNR"]))
    if len(h["#FNAMN"]) != 1 or not h["#FNAMN"][0]:
        fail("%s: expected #FNAMN \"name\", found %r" % (name, h["#FNAMN"]))

    # the chart: #KONTO*, #DIM+, #OBJEKT*, in this order
    stage = 0
    while k < len(dec):
        label, fields = tokens(dec[k], at(k))
        if label == "#KONTO" and stage == 0:
            if len(fields) != 2 or not re.fullmatch(r"[0-9]{4,6}", fields[0]) or not fields[1]:
                fail("%s: expected #KONTO number \"name\", found %r" % (at(k), fields))
            if fields[0] in f["accounts"]:
                fail("%s: account %s declared twice" % (at(k), fields[0]))
            f["accounts"][fields[0]] = fields[1]
        elif label == "#DIM" and stage <= 1:
            stage = 1
            if len(fields) != 2 or not fields[0].isdigit():
                fail("%s: expected #DIM number \"name\", found %r" % (at(k), fields))
            f["dims"][fields[0]] = fields[1]
        elif label == "#OBJEKT" and stage >= 1 and f["dims"]:
            stage = 2
            if len(fields) != 3 or fields[0] not in f["dims"] or not fields[1]:
                fail("%s: expected #OBJEKT dim \"code\" \"name\" of a declared #DIM, found %r" % (at(k), fields))
            key = (fields[0], fields[1])
            if key in f["objects"]:
                fail("%s: object %r declared twice" % (at(k), key))
            f["objects"][key] = fields[2]
        else:
            break
        k += 1
    if not f["dims"]:
        fail("%s: no #DIM before the verifications" % name)

    # the verifications
    while k < len(dec):
        label, fields = tokens(dec[k], at(k))
        if label != "#VER":
            fail("%s: expected #VER, found %s" % (at(k), label))
        if len(fields) != 4 or fields[0] != "" or fields[1] != "":
            fail("%s: expected #VER \"\" \"\" date \"text\" (series and number left to the ledger), found %r" % (at(k), fields))
        ver = dict(date=date(fields[2], at(k)), text=fields[3], trans=[], line=k + 1)
        if not ver["text"]:
            fail("%s: a #VER without a text" % at(k))
        k += 1
        if k >= len(dec) or dec[k].strip() != "{":
            fail("%s: expected { after #VER" % at(k))
        k += 1
        while True:
            if k >= len(dec):
                fail("%s: a #VER without its closing }" % name)
            if dec[k].strip() == "}":
                k += 1
                break
            label, fields = tokens(dec[k].lstrip(" "), at(k))
            if label != "#TRANS":
                fail("%s: expected #TRANS or }, found %s" % (at(k), label))
            if len(fields) < 3 or not isinstance(fields[1], list):
                fail("%s: expected #TRANS account {objects} amount ..., found %r" % (at(k), fields))
            acc, objs, amount = fields[0], fields[1], ore(fields[2], at(k))
            if acc not in f["accounts"]:
                fail("%s: account %s has no #KONTO" % (at(k), acc))
            if len(objs) % 2:
                fail("%s: an object list of dimension/object pairs, found %r" % (at(k), objs))
            pairs = list(zip(objs[0::2], objs[1::2]))
            for p in pairs:
                if p not in f["objects"]:
                    fail("%s: object %r has no #OBJEKT" % (at(k), p))
            text = fields[4] if len(fields) > 4 else ""
            ver["trans"].append((acc, tuple(pairs), amount, text))
            k += 1
        s = sum(t[2] for t in ver["trans"])
        if s != 0:
            fail("%s:%d: the verification sums to %d öre, not 0" % (name, ver["line"], s))
        if not ver["trans"]:
            fail("%s:%d: a verification without transactions" % (name, ver["line"]))
        f["vers"].append(ver)
    return f


# --- the substitute for what CP437 lacks (README "Encoding") ---------------

SPECIAL = {"Ø": "O", "ø": "o", "Þ": "TH", "þ": "th", "Ð": "D", "ð": "d", "Đ": "D", "đ": "d",
           "Ħ": "H", "ħ": "h", "ı": "i", "Ĳ": "IJ", "ĳ": "ij", "ĸ": "k", "Ŀ": "L", "ŀ": "l",
           "Ł": "L", "ł": "l", "ŉ": "n", "Ŋ": "N", "ŋ": "n", "Œ": "OE", "œ": "oe", "Ŧ": "T",
           "ŧ": "t", "ſ": "s", "×": "x"}


def pc8(s):
    """What a UTF-8 text becomes in the file, by the documented rule."""
    out = []
    for ch in s:
        o = ord(ch)
        if o < 0x20 or 0x7F <= o < 0xA0 or ch in "\u00a0\u2028\u2029\u202f\u205f\u3000" or 0x2000 <= o <= 0x200A:
            out.append(" ")
            continue
        if ch in "\u200b\u200c\u200d\u2060\ufeff":
            continue
        try:
            ch.encode("cp437")
            out.append(ch)
            continue
        except UnicodeEncodeError:
            pass
        if 0xC0 <= o < 0x180:
            base = SPECIAL.get(ch) or unicodedata.normalize("NFD", ch)[0]
            out.append(base if base.isascii() and base.isalpha() else "?")
        elif 0x2010 <= o <= 0x2015 or o == 0x2212:
            out.append("-")
        elif 0x2018 <= o <= 0x201B or o == 0x2032:
            out.append("'")
        elif 0x201C <= o <= 0x201F or o == 0x2033:
            out.append('"')
        elif o == 0x2026:
            out.append("...")
        elif o == 0x20AC:
            out.append("EUR")
        else:
            out.append("?")
    return "".join(out)


# --- the year ----------------------------------------------------------------

def read_rows(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        head = f.readline()
        f.seek(0)
        if head.startswith("\ufeff"):
            f.read(1)
        delim = max([";", ",", "\t"], key=head.count)
        rows = list(csv.DictReader(f, delimiter=delim))
    return [{(k or "").strip().lower(): (v or "").strip() for k, v in r.items()} for r in rows]


def digits(orgnr):
    return orgnr.replace("-", "")


def documents(year_dir):
    docs = {}
    for p in glob.glob(os.path.join(year_dir, "invoices", "*.xml")):
        root = ET.parse(p).getroot()
        credit = root.tag.endswith("}CreditNote")
        line_tag = "cac:CreditNoteLine" if credit else "cac:InvoiceLine"
        party = "cac:AccountingCustomerParty/cac:Party/"
        lines = []
        for l in root.findall(line_tag, NS):
            a = D(l.find("cbc:LineExtensionAmount", NS).text)
            lines.append((l.find("cac:Item/cac:SellersItemIdentification/cbc:ID", NS).text,
                          int(a * 100)))
        number = root.find("cbc:ID", NS).text
        docs[number] = dict(
            number=number, credit=credit, lines=lines,
            date=root.find("cbc:IssueDate", NS).text.replace("-", ""),
            customer=int(root.find(party + "cac:PartyIdentification/cbc:ID", NS).text),
            name=root.find(party + "cac:PartyLegalEntity/cbc:RegistrationName", NS).text,
            orgnr=root.find(party + "cac:PartyLegalEntity/cbc:CompanyID", NS).text,
            cancels=root.findtext("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", None, NS),
            file=os.path.basename(p))
    return docs


def year(in_dir, out_dir, register=None):
    tariff = ET.parse(os.path.join(in_dir, "tariff.xml")).getroot()
    seller = tariff.find("seller")
    seller_org = digits(seller.get("org-nr"))
    files = sorted(glob.glob(os.path.join(out_dir, "*.si")))
    report = open(os.path.join(out_dir, "report.txt"), encoding="utf-8").read()
    acc = tariff.find("accounting")
    y = tariff.get("year")
    if acc is None:
        if files:
            fail("no <accounting> in the tariff, but SIE files: %s" % files)
        if report.count("no SIE file is written") != 1:
            fail("report.txt does not say once that no SIE file is written")
        import openpyxl
        ws = openpyxl.load_workbook(os.path.join(out_dir, "prislista-%s.xlsx" % y))["Avstämning"]
        texts = [r[0] for r in ws.iter_rows(values_only=True) if r[0]]
        if texts.count("Tariffen saknar <accounting>: ingen SIE-fil skrivs.") != 1:
            fail("the Avstämning sheet does not say once that no SIE file is written")
        print("no <accounting>: no SIE file, and the report says so")
        return
    names = {a.get("number"): a.get("name") for a in acc.findall("account")}
    seller_cc = acc.get("seller-cost-centre")
    default_cost = acc.get("cost-account")
    post = {p.get("service"): (p.get("revenue-account"), p.get("cost-account") or default_cost)
            for p in acc.findall("posting")}
    svc_names = {s.get("id"): s.get("name") for s in tariff.findall("service")}
    assert set(post) == set(svc_names), "the tariff's <accounting> is not complete"

    cust = {}
    for r in read_rows(os.path.join(in_dir, "customers.csv")):
        nr = int(r["nr"])
        cust[nr] = dict(name=r["name"], orgnr=digits(r["org_nr"]),
                        cc=r.get("cost_centre") or str(nr))

    docs = documents(out_dir)
    internal = {n: d for n, d in docs.items() if digits(d["orgnr"]) == seller_org}
    for d in internal.values():
        c = cust.get(d["customer"])
        d["cc"] = c["cc"] if c else str(d["customer"])
        d["objname"] = c["name"] if c else d["name"]

    main_name = "interndebitering-%s.si" % y
    assert os.path.join(out_dir, main_name) in files, "no %s in %s" % (main_name, out_dir)
    parsed = {os.path.basename(p): parse(p) for p in files}
    f = parsed[main_name]

    # the head
    h = f["head"]
    assert h["#PROGRAM"][0] == "internpris", h["#PROGRAM"]
    assert h["#ORGNR"][0] == seller_org[:6] + "-" + seller_org[6:], h["#ORGNR"]
    assert h["#FNAMN"][0] == pc8(seller.get("name")), (h["#FNAMN"], pc8(seller.get("name")))
    want_gen = max([d["date"] for d in internal.values()] or
                   [tariff.find("invoicing").get("issue-date").replace("-", "")])
    assert h["#GEN"][0] == want_gen, (h["#GEN"], want_gen)
    assert f["dims"] == {"1": "Kostnadsställe"}, f["dims"]

    # one verification per internal document: date, number, lines
    def want_trans(d):
        sign = -1 if d["credit"] else 1
        out = []
        for sid, amt in d["lines"]:
            rev, cost = post[sid]
            out.append((cost, (("1", d["cc"]),), sign * amt, pc8(svc_names[sid])))
            out.append((rev, (("1", seller_cc),), -sign * amt, pc8(svc_names[sid])))
        return out

    by_number = {}
    for v in f["vers"]:
        m = [n for n in internal if re.search(r"(^| )%s( |$)" % re.escape(n), v["text"])
             and v["text"].split(" ")[1] == n]
        assert len(m) == 1, "verification %r names no single internal document" % v["text"]
        assert m[0] not in by_number, "document %s has two verifications" % m[0]
        by_number[m[0]] = v
    missing = set(internal) - set(by_number)
    assert not missing, "internal documents without a verification: %s" % sorted(missing)
    for n, d in internal.items():
        v = by_number[n]
        assert v["date"] == d["date"], (n, v["date"], d["date"])
        kind = "Kreditnota" if d["credit"] else "Faktura"
        assert v["text"].startswith(kind + " " + n), (n, v["text"])
        assert pc8(d["name"]) in v["text"], (n, v["text"], d["name"])
        if d["credit"]:
            assert "krediterar " + d["cancels"] in v["text"], (n, v["text"])
        assert v["trans"] == want_trans(d), (n, v["trans"], want_trans(d))
    # the order of ledger.csv: issue date, then number
    order = [(v["date"], v["text"].split(" ")[1]) for v in f["vers"]]
    assert order == sorted(order), "verifications out of order"

    # credit notes reverse what they credit, line for line
    for n, d in internal.items():
        if d["credit"]:
            orig = by_number[d["cancels"]]["trans"]
            assert by_number[n]["trans"] == [(a, o, -x, t) for a, o, x, t in orig], n

    # what is declared is what is used, with the tariff's and register's names
    used_acc = {t[0] for v in f["vers"] for t in v["trans"]}
    assert set(f["accounts"]) == used_acc, (sorted(f["accounts"]), sorted(used_acc))
    for a, nm in f["accounts"].items():
        assert nm == pc8(names[a]), (a, nm, names[a])
    want_obj = {("1", seller_cc): pc8(seller.get("name"))}
    for d in internal.values():
        want_obj.setdefault(("1", d["cc"]), pc8(d["objname"]))
    assert f["objects"] == want_obj, (f["objects"], want_obj)
    assert [k for k in f["objects"]][0] == ("1", seller_cc), "the seller's cost centre is not first"

    # every department's debits = its fees = the net of its standing documents
    fees = {}
    for r in csv.DictReader(open(os.path.join(out_dir, "fees.csv"), encoding="utf-8"), delimiter=";"):
        fees[(int(r["customer"]), r["service"])] = int(r["fee"]) * 100
    cancelled = {d["cancels"] for d in internal.values() if d["credit"]}
    costs = {p[1] for p in post.values()}
    for nr, c in cust.items():
        if c["orgnr"] != seller_org:
            continue
        for sid, (rev, cost) in post.items():
            debit = sum(t[2] for v in f["vers"] for t in v["trans"]
                        if t[0] == cost and t[1] == (("1", c["cc"]),) and t[3] == pc8(svc_names[sid]))
            standing = sum(a for d in internal.values() if d["customer"] == nr and not d["credit"]
                           and d["number"] not in cancelled for s2, a in d["lines"] if s2 == sid)
            fee = fees.get((nr, sid), 0)
            assert debit == fee == standing, (nr, sid, debit, fee, standing)
    dep_debits = sum(t[2] for v in f["vers"] for t in v["trans"] if t[0] in costs)
    dep_fees = sum(v for (nr, sid), v in fees.items() if nr in cust and cust[nr]["orgnr"] == seller_org)
    assert dep_debits == dep_fees, (dep_debits, dep_fees)

    # the per-run files add up to the year's file
    runs = {}
    if register:
        for r in csv.DictReader(open(register, encoding="utf-8"), delimiter=";"):
            runs[r["number"]] = r["run"]
    per_run = sorted(n for n in parsed if n != main_name)
    seen = []
    for pn in per_run:
        m = re.fullmatch(r"interndebitering-%s-([0-9]+)\.si" % y, pn)
        assert m, "unexpected SIE file %s" % pn
        for v in parsed[pn]["vers"]:
            num = v["text"].split(" ")[1]
            if runs:
                assert runs[num] == m.group(1), (pn, num, runs[num])
            assert v == dict(by_number[num], line=v["line"]), (pn, num)
            seen.append(num)
    assert sorted(seen) == sorted(internal), "the per-run files do not add up to the year's file"
    if runs:
        want_runs = {runs[n] for n in internal}
        got_runs = {re.fullmatch(r"interndebitering-%s-([0-9]+)\.si" % y, pn).group(1) for pn in per_run}
        assert want_runs == got_runs, (want_runs, got_runs)
    nver = len(f["vers"])
    ncred = sum(1 for d in internal.values() if d["credit"])
    assert "%s: %d verifications (%d invoices, %d credit notes)" % (main_name, nver, nver - ncred, ncred) in report, \
        "report.txt does not count the verifications"
    assert "their standing invoices, per service: yes" in report, "report.txt does not reconcile"
    # the workbook's check sheet shows the same per service, in kronor
    import openpyxl
    ws = openpyxl.load_workbook(os.path.join(out_dir, "prislista-%s.xlsx" % y), data_only=True)["Avstämning"]
    rows = list(ws.iter_rows(values_only=True))
    at = next(i for i, r in enumerate(rows) if r[0] and str(r[0]).startswith("Interna verifikationer"))
    # headings may break over two lines: compared as words
    assert tuple(" ".join(str(h).split()) for h in rows[at + 1][:8]) == ("Tjänst", "Avdelningarnas avgifter", "Debet kostnadskonton", "Differens",
                                "Gällande fakturor, netto", "Differens", "Kredit intäktskonton", "Differens"), rows[at + 1]
    for k, s in enumerate(tariff.findall("service")):
        sid, row = s.get("id"), rows[at + 2 + k]
        rev, cost = post[sid]
        debit = sum(t[2] for v in f["vers"] for t in v["trans"] if t[0] == cost and t[3] == pc8(svc_names[sid])
                    and t[1] != (("1", seller_cc),))
        credit = -sum(t[2] for v in f["vers"] for t in v["trans"] if t[0] == rev and t[3] == pc8(svc_names[sid]))
        fee = sum(v for (nr, s2), v in fees.items() if s2 == sid and nr in cust and cust[nr]["orgnr"] == seller_org)
        got = [round(D(str(x)) * 100) for x in row[1:8]]
        assert row[0] == svc_names[sid] and got == [fee, debit, 0, fee, 0, credit, 0] and debit == credit == fee, \
            ("Avstämning", sid, row, fee, debit, credit)
        assert (row[8], row[9]) == (cost, rev), row
    print("%s: %d verifications (%d credit notes), %d departments, %d per-run files: all checks pass"
          % (main_name, nver, ncred, len({d["customer"] for d in internal.values()}), len(per_run)))


if __name__ == "__main__":
    try:
        if sys.argv[1] == "parse":
            r = parse(sys.argv[2])
            print("%s: %d accounts, %d objects, %d verifications, each balanced"
                  % (sys.argv[2], len(r["accounts"]), len(r["objects"]), len(r["vers"])))
        elif sys.argv[1] == "year":
            year(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else None)
        else:
            sys.exit(__doc__)
    except AssertionError as e:
        print("sie_check: %s" % e, file=sys.stderr)
        sys.exit(1)
