#!/usr/bin/python3
"""Whole-program property test under hostile conditions (issue 16).

    hostile_property.py PROG WORKDIR [--seed S] [--cases N] [--kind NAME ...]
                        [--timeout SECONDS] [--list]

Each case draws a valid price year (random_year.py), runs the program on it
once for an earlier output (the year folder and the record), then applies
one damage (the kinds in turn, seed by seed; its details drawn from the
seed), and runs one command
(run, check, a dry run or a correction) on the damaged year. After every
run it checks the invariants:

  - the run ends within the timeout (no named pipe, device or lock waits);
  - the exit status is one of the documented table (README: 0, 64, 65, 66,
    73, 74, 75, 78, or 128 + a signal); 70 is an internal error and counts
    as a failure, as does a sanitizer's report;
  - exit 0 of `run` leaves a complete year folder: fees.csv, report.txt,
    ledger.csv, the workbook, and invoices/ holding exactly the documents of
    the record's register, each well-formed XML and byte-identical to its
    copy in the record, the first and the last passing validate-ubl
    (--validator); every service's fees in fees.csv sum to its fee in
    the tariff the run was given;
  - any other exit, and every `check` and dry run, leaves the year folder
    and the record byte for byte as they were (through links too), and no
    temporary folder (.Y.tmp-*) is left beside either;
  - the input folder is never written, and the output lock is free;
  - a run signalled (the damage `signal`) ends 0 as above or with 128 + the
    signal and the year folder and the record as they were, or, when the
    signal came after the record was committed, both complete.

A damage is one function registered with @damage("name"): it changes the
inputs, the output folders or the command line of the case (ctx.args) and
may say which statuses it expects (ctx.expect, checked as well). Other kinds
(text and number damage) are added the same way.

A failure prints the case's seed, damage and command; `--seed S --cases 1`
reruns just that case. Exit status 0 when every case holds, 1 otherwise.
"""

import argparse
import fcntl
import hashlib
import os
import random
import shutil
import stat
import subprocess
import signal
import sys
import time
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import random_year  # noqa: E402

YEAR = random_year.YEAR
DOCUMENTED = {0, 64, 65, 66, 73, 74, 75, 78} | {128 + s for s in (1, 2, 15)}
INPUT_FILES = ["tariff.xml", "customers.csv", "cases.csv", "calls.csv", "licences.csv"]

DAMAGES = {}


def damage(name):
    def register(fn):
        DAMAGES[name] = fn
        return fn
    return register


class Case:
    def __init__(self, seed, work):
        self.seed = seed
        self.rng = random.Random(seed * 7919 + 17)
        self.dir = os.path.join(work, "case%d" % seed)
        self.inp = os.path.join(self.dir, "in")
        self.year_in = os.path.join(self.inp, str(YEAR))
        self.out = os.path.join(self.dir, "out")
        self.outside = os.path.join(self.dir, "elsewhere")
        self.args = None       # the command of the damaged run
        self.expect = None     # statuses the damage expects, None: any documented
        self.watch = []        # extra folders whose temporaries must be gone
        self.links = []        # links that must still be links afterwards
        self.signal = None     # (signal, seconds): sent to the damaged run then
        self.first_time = 0.0  # seconds the undamaged run took

    def year_out(self):
        return os.path.join(self.out, str(YEAR))

    def record(self):
        return os.path.join(self.out, "issued", str(YEAR))

    def command(self, cmd="run", *extra):
        return [cmd, "--year", str(YEAR), "--input", self.inp, "--output", self.out] + list(extra)


# --- the state of a folder, byte for byte ---------------------------------

def digest(path):
    """Every entry under path (links not followed below the top), as a
    sorted list of (relative path, kind, content digest or link target)."""
    if not os.path.lexists(path):
        return None
    top = os.path.realpath(path)
    if not os.path.isdir(top):
        st = os.lstat(top)
        return [("", "file", sha_of(top) if stat.S_ISREG(st.st_mode) else oct(st.st_mode))]
    items = []
    for root, dirs, files in os.walk(top):
        dirs.sort()
        for n in sorted(dirs + files):
            p = os.path.join(root, n)
            rel = os.path.relpath(p, top)
            st = os.lstat(p)
            if stat.S_ISLNK(st.st_mode):
                items.append((rel, "link", os.readlink(p)))
            elif stat.S_ISREG(st.st_mode):
                items.append((rel, "file", sha_of(p)))
            elif stat.S_ISDIR(st.st_mode):
                items.append((rel, "dir", ""))
            else:
                items.append((rel, "special", oct(stat.S_IFMT(st.st_mode))))
    return items


def sha_of(p):
    h = hashlib.sha256()
    with open(p, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def temporaries(folders):
    """Temporary stage folders left beside the given targets (their real
    locations, links followed)."""
    left = []
    for t in folders:
        real = os.path.realpath(t)
        parent, name = os.path.split(real)
        if not os.path.isdir(parent):
            continue
        for n in os.listdir(parent):
            if n.startswith("." + name + ".tmp-"):
                left.append(os.path.join(parent, n))
    return left


# --- running the program ----------------------------------------------------

def run(prog, args, timeout, cwd):
    try:
        p = subprocess.run([prog] + args, cwd=cwd, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, "", "timed out after %ds" % timeout
    rc = p.returncode if p.returncode >= 0 else 128 - p.returncode
    return rc, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def run_signalled(prog, args, timeout, cwd, sig, after):
    """run(), with signal sig sent after that many seconds (if the program
    is still running then)."""
    p = subprocess.Popen([prog] + args, cwd=cwd, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(after)
    if p.poll() is None:
        p.send_signal(sig)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        return None, "", "timed out after %ds" % timeout
    rc = p.returncode if p.returncode >= 0 else 128 - p.returncode
    return rc, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


def lock_is_free(out):
    """The output lock (OUT/.internpris.lock) can be taken at once."""
    p = os.path.join(out, ".internpris.lock")
    if not os.path.exists(p):
        return True
    fd = os.open(p, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


# --- what a complete output is ----------------------------------------------

def tariff_fees(tariff_path):
    root = ET.parse(tariff_path).getroot()
    return {s.get("id"): int(s.get("fee").strip()) for s in root.iter("service")}


def complete_output(c):
    """None when OUT/Y is complete and consistent with the record and the
    tariff the run read; else what is wrong."""
    y = c.year_out()
    for f in ("fees.csv", "report.txt", "ledger.csv", "prislista-%d.xlsx" % YEAR):
        if not os.path.isfile(os.path.join(y, f)):
            return "no %s in the year folder" % f
    try:
        fees = tariff_fees(os.path.join(c.year_in, "tariff.xml"))
    except (ET.ParseError, OSError, ValueError, AttributeError) as e:
        return "the program accepted a tariff Python cannot read: %s" % e
    sums = {}
    with open(os.path.join(y, "fees.csv"), encoding="utf-8") as f:
        head = f.readline().rstrip("\r\n").split(";")
        col_s, col_f = head.index("service"), head.index("fee")
        for line in f:
            # names may hold ';' (quoted): the service is field 2, the fee last
            cells = line.rstrip("\r\n").split(";")
            sums[cells[col_s]] = sums.get(cells[col_s], 0) + int(cells[-1] if col_f == len(head) - 1 else cells[col_f])
    for s, fee in fees.items():
        if sums.get(s, 0) != fee:
            return "service %s: fees.csv sums to %s, the tariff says %d" % (s, sums.get(s), fee)
    reg = os.path.join(c.record(), "register.csv")
    if not os.path.isfile(reg):
        return "no record (register.csv)"
    with open(reg, encoding="utf-8") as f:
        lines = f.read().splitlines()
    files = sorted(l.split(";")[-2] for l in lines[1:] if l)
    inv = os.path.join(y, "invoices")
    have = sorted(os.listdir(inv)) if os.path.isdir(inv) else []
    if files != have:
        return "invoices/ holds %d files, the register lists %d" % (len(have), len(files))
    for n in have:
        p = os.path.join(inv, n)
        try:
            ET.parse(p)
        except ET.ParseError as e:
            return "%s is not well-formed XML: %s" % (n, e)
        if sha_of(p) != sha_of(os.path.join(c.record(), "invoices", n)):
            return "%s differs from the record's copy" % n
    return None


VALIDATOR = [None]  # --validator: validate-ubl (the shared EN 16931 / Peppol validator)


def valid_ubl(c, validator):
    """None when the year folder's first and last invoice pass the
    validator (the others are the same documents for other customers,
    periods and amounts, and are checked for well-formedness above)."""
    if not validator:
        return None
    inv = os.path.join(c.year_out(), "invoices")
    names = sorted(os.listdir(inv))
    pick = sorted(set([names[0], names[-1]])) if names else []
    if not pick:
        return None
    p = subprocess.run([validator, "-q"] + [os.path.join(inv, n) for n in pick],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if p.returncode != 0:
        return "validate-ubl refuses %s: %s" % (" ".join(pick), p.stdout.decode("utf-8", "replace")[-300:])
    return None


# --- damage: input bytes ----------------------------------------------------

def some_input(c):
    return os.path.join(c.year_in, c.rng.choice(INPUT_FILES))


@damage("input-bytes")
def d_input_bytes(c):
    """A few bytes of one input changed, inserted or removed."""
    p = some_input(c)
    b = bytearray(open(p, "rb").read())
    for _ in range(c.rng.randint(1, 4)):
        if not b:
            break
        i = c.rng.randrange(len(b))
        op = c.rng.choice(["flip", "insert", "delete"])
        if op == "flip":
            b[i] = c.rng.randrange(256)
        elif op == "insert":
            b[i:i] = bytes([c.rng.choice([0, 9, 10, 13, 34, 59, 0xC3, 0xFF, c.rng.randrange(256)])])
        else:
            del b[i]
    open(p, "wb").write(bytes(b))
    c.args = c.command(c.rng.choice(["run", "check", "run"]))


@damage("input-truncated")
def d_input_truncated(c):
    """One input cut short, or emptied."""
    p = some_input(c)
    n = os.path.getsize(p)
    with open(p, "r+b") as f:
        f.truncate(c.rng.choice([0, c.rng.randrange(max(n, 1))]))
    c.args = c.command()


@damage("input-missing")
def d_input_missing(c):
    """A file of the year folder removed."""
    os.unlink(some_input(c))
    c.args = c.command(c.rng.choice(["run", "check"]))
    c.expect = {66, 65}


# --- damage: text and numbers ----------------------------------------------

def rewrite_csv(path, edit):
    """Reads the CSV at path (its delimiter the header's most frequent of
    ';', ',', TAB), hands header and rows to edit(header, rows), writes it
    back with the same delimiter."""
    import csv
    text = open(path, encoding="utf-8-sig", newline="").read()
    first = text.split("\n", 1)[0]
    delim = max([";", ",", "\t"], key=first.count)
    rows = list(csv.reader(text.splitlines(True), delimiter=delim))
    edit(rows[0], rows[1:])
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, delimiter=delim, lineterminator="\n").writerows(rows)


@damage("register-text")
def d_register_text(c):
    """A character no output can carry (U+FFFE, U+FFFF, a C0 control, DEL,
    a line break) put into a text field of one register row: refused where
    it enters, by check as by run (65), never a broken invoice."""
    bad = c.rng.choice(["\ufffe", "\uffff", "\x01", "\x1b", "\x7f", "\n", "\r"])

    def edit(head, rows):
        cols = [i for i, h in enumerate(head) if h.strip().lower() in ("name", "reference", "city", "street")]
        row = c.rng.choice([r for r in rows if len(r) == len(head)])
        i = c.rng.choice(cols)
        at = c.rng.randint(0, len(row[i]))
        row[i] = row[i][:at] + bad + row[i][at:]
    rewrite_csv(os.path.join(c.year_in, "customers.csv"), edit)
    c.args = c.command(c.rng.choice(["run", "check"]))
    c.expect = {65}


@damage("stats-nfd")
def d_stats_nfd(c):
    """A statistics file rewritten in Unicode NFD (as macOS and some exports
    write it): every field compares as before, so the fees are the same and
    nothing changes (0)."""
    import unicodedata
    p = os.path.join(c.year_in, c.rng.choice(INPUT_FILES[2:]))
    if os.path.exists(p):
        t = open(p, encoding="utf-8").read()
        open(p, "w", encoding="utf-8").write(unicodedata.normalize("NFD", t))
    c.args = c.command(c.rng.choice(["run", "check"]))
    c.expect = {0}


@damage("number-huge")
def d_number_huge(c):
    """Values of a statistics file's rows set near the 10^15 limit, so a
    customer's basis, a total or a consolidated basis passes it: a clear 65,
    never a wrapped basis (or 0 when the rows lie outside every window)."""
    p = os.path.join(c.year_in, c.rng.choice(INPUT_FILES[2:]))
    if not os.path.exists(p):
        c.args = c.command("check")
        return
    big = str(c.rng.choice([999999999999999, 600000000000000, 500000000000001]))

    def edit(head, rows):
        cols = [i for i, h in enumerate(head) if h.strip().lower() in ("count", "licences", "value", "antal")]
        if not cols:
            return
        for r in rows:
            if len(r) == len(head) and c.rng.random() < 0.5:
                r[cols[0]] = big
    rewrite_csv(p, edit)
    c.args = c.command(c.rng.choice(["run", "check"]))
    c.expect = {0, 65}


# --- damage: file types -----------------------------------------------------

@damage("input-fifo")
def d_input_fifo(c):
    """An input replaced by a named pipe nobody writes to: refused, never waited on."""
    p = some_input(c)
    os.unlink(p)
    os.mkfifo(p)
    c.args = c.command(c.rng.choice(["run", "check"]))
    c.expect = {66}


@damage("input-folder")
def d_input_folder(c):
    """An input replaced by a folder."""
    p = some_input(c)
    os.unlink(p)
    os.mkdir(p)
    c.args = c.command()
    c.expect = {66}


@damage("input-device")
def d_input_device(c):
    """An input replaced by a link to /dev/zero or /dev/null (a device,
    and a link out of the folder)."""
    p = some_input(c)
    os.unlink(p)
    os.symlink(c.rng.choice(["/dev/zero", "/dev/null"]), p)
    c.args = c.command(c.rng.choice(["run", "check"]))
    c.expect = {66}


@damage("input-link-outside")
def d_input_link_outside(c):
    """An input replaced by a link to the same bytes outside the input folder."""
    p = some_input(c)
    os.makedirs(c.outside, exist_ok=True)
    q = os.path.join(c.outside, os.path.basename(p))
    shutil.move(p, q)
    os.symlink(q, p)
    c.args = c.command()
    c.expect = {66}


@damage("input-link-inside")
def d_input_link_inside(c):
    """An input moved into a subfolder of the year folder and linked: followed."""
    p = some_input(c)
    sub = os.path.join(c.year_in, "exports")
    os.makedirs(sub, exist_ok=True)
    q = os.path.join(sub, os.path.basename(p))
    shutil.move(p, q)
    os.symlink(os.path.join("exports", os.path.basename(p)), p)
    c.args = c.command()
    c.expect = {0}


@damage("prev-fees-special")
def d_prev_fees_special(c):
    """Last year's fees.csv a named pipe, a folder or a link out of its folder."""
    prev = os.path.join(c.out, str(YEAR - 1))
    os.makedirs(prev, exist_ok=True)
    p = os.path.join(prev, "fees.csv")
    kind = c.rng.choice(["fifo", "dir", "link"])
    if kind == "fifo":
        os.mkfifo(p)
    elif kind == "dir":
        os.mkdir(p)
    else:
        os.symlink(os.path.join(c.year_out(), "fees.csv"), p)
    c.args = c.command(c.rng.choice(["run", "check"]))
    # a link into the year folder is also an overlap of what is read and replaced
    c.expect = {66} if kind != "link" else {64, 66}


# --- damage: folder layout --------------------------------------------------

@damage("overlap")
def d_overlap(c):
    """Input and output folders that coincide or nest, in several spellings."""
    y = str(YEAR)
    choice = c.rng.randrange(5)
    if choice == 0:
        c.args = ["run", "--year", y, "--input", c.inp, "--output", c.inp]
    elif choice == 1:
        c.args = ["run", "--year", y, "--input", c.inp + "/", "--output", os.path.join(c.inp, ".")]
    elif choice == 2:
        c.args = ["run", "--year", y, "--input", c.inp, "--output", c.year_in]
    elif choice == 3:
        nested = os.path.join(c.year_out(), "x")
        shutil.copytree(c.inp, nested)
        c.inp = nested          # the damaged case reads (and must not lose) this copy
        c.year_in = os.path.join(nested, y)
        c.args = ["run", "--year", y, "--input", nested, "--output", c.out]
    else:
        link = os.path.join(c.dir, "out-link")
        os.symlink(c.inp, link)
        c.args = ["run", "--year", y, "--input", c.inp, "--output", link]
    c.expect = {64}


@damage("blank-folder")
def d_blank_folder(c):
    """An empty or blank --input, --output or --templates."""
    opt = c.rng.choice(["--input", "--output", "--templates"])
    args = c.command()
    if opt == "--templates":
        args += ["--templates", c.rng.choice(["", " ", "\t"])]
    else:
        args[args.index(opt) + 1] = c.rng.choice(["", " ", "\t"])
    c.args = args
    c.expect = {64}


@damage("linked-year-folder")
def d_linked_year_folder(c):
    """OUT/Y a link to a folder elsewhere: followed, its target replaced."""
    os.makedirs(c.outside, exist_ok=True)
    real = os.path.join(c.outside, "year")
    shutil.move(c.year_out(), real)
    os.symlink(real, c.year_out())
    c.watch.append(real)
    c.args = c.command()
    c.expect = {0}
    c.links = [c.year_out()]


@damage("linked-record")
def d_linked_record(c):
    """OUT/issued/Y a link to a folder elsewhere, and a fee to correct: the
    link's target gets the correction, the link stays."""
    os.makedirs(c.outside, exist_ok=True)
    real = os.path.join(c.outside, "record")
    shutil.move(c.record(), real)
    os.symlink(real, c.record())
    c.watch.append(real)
    change_a_fee(c)
    c.args = c.command("run", "--correct", "--issue-date", "%d-11-30" % YEAR)
    c.expect = {0}
    c.links = [c.record()]


@damage("file-at-year-folder")
def d_file_at_year_folder(c):
    """A regular file where the year folder belongs: never replaced."""
    shutil.rmtree(c.year_out())
    shutil.rmtree(os.path.join(c.out, "issued"))
    open(c.year_out(), "w").write("notes\n")
    c.args = c.command()
    c.expect = {73}


@damage("record-extra")
def d_record_extra(c):
    """A file the register does not list, in the record (65) or the year
    folder (65 for a document's name; anything else goes with the folder,
    which the run replaces)."""
    where = c.rng.choice([c.record(), c.year_out()])
    inv = os.path.join(where, "invoices")
    names = sorted(os.listdir(inv))
    src = os.path.join(inv, c.rng.choice(names))
    extra = c.rng.choice(["%d-999999.xml" % YEAR, os.path.basename(src) + "~"])
    shutil.copy(src, os.path.join(inv, extra))
    c.args = c.command(c.rng.choice(["run", "check"]))
    c.expect = {65} if where == c.record() or extra.endswith(".xml") else {0, 65}


@damage("record-missing")
def d_record_missing(c):
    """A copy of the record, its register or the whole record removed."""
    k = c.rng.randrange(3)
    if k == 0:
        inv = os.path.join(c.record(), "invoices")
        os.unlink(os.path.join(inv, c.rng.choice(sorted(os.listdir(inv)))))
    elif k == 1:
        os.unlink(os.path.join(c.record(), "register.csv"))
    else:
        shutil.rmtree(os.path.join(c.out, "issued"))
    c.args = c.command(c.rng.choice(["run", "check"]))
    c.expect = {65, 66}


@damage("record-fifo")
def d_record_fifo(c):
    """The register or a copy of the record a named pipe: refused, no lock kept."""
    if c.rng.random() < 0.5:
        p = os.path.join(c.record(), "register.csv")
    else:
        inv = os.path.join(c.record(), "invoices")
        p = os.path.join(inv, c.rng.choice(sorted(os.listdir(inv))))
    os.unlink(p)
    os.mkfifo(p)
    c.args = c.command(c.rng.choice(["run", "check"]))
    c.expect = {66}


@damage("record-bytes")
def d_record_bytes(c):
    """A few bytes of the register or of an issued copy changed."""
    if c.rng.random() < 0.5:
        p = os.path.join(c.record(), "register.csv")
    else:
        inv = os.path.join(c.record(), "invoices")
        p = os.path.join(inv, c.rng.choice(sorted(os.listdir(inv))))
    b = bytearray(open(p, "rb").read())
    i = c.rng.randrange(len(b))
    b[i] = (b[i] + 1 + c.rng.randrange(255)) % 256
    open(p, "wb").write(bytes(b))
    c.args = c.command(c.rng.choice(["run", "check"]))


def change_a_fee(c):
    p = os.path.join(c.year_in, "tariff.xml")
    s = open(p, encoding="utf-8").read()
    i = s.index(' fee="') + 6
    j = s.index('"', i)
    s = s[:i] + str(int(s[i:j]) + c.rng.randint(1, 100000)) + s[j:]
    open(p, "w", encoding="utf-8").write(s)


@damage("fee-change")
def d_fee_change(c):
    """A fee of the tariff changed after the invoices were issued: without
    --correct refused, with it corrected (a date inside or outside the
    price year's range)."""
    change_a_fee(c)
    how = c.rng.randrange(4)
    if how == 0:
        c.args = c.command(c.rng.choice(["run", "check"]))
        c.expect = {65}
    elif how == 1:
        c.args = c.command("run", "--correct", "--issue-date", "%d-11-30" % YEAR)
        c.expect = {0}
    elif how == 2:
        c.args = c.command("run", "--dry-run", "--diff")
        c.expect = {0}
    else:
        c.args = c.command("run", "--correct", "--issue-date", c.rng.choice(["2999-12-31", "1900-01-01"]))
        c.expect = {64}


@damage("signal")
def d_signal(c):
    """SIGTERM, SIGINT or SIGHUP at a random moment of a run that writes (a
    correction, or a re-run that rebuilds the year folder): 0 with a complete
    output, or 128 + the signal with the year folder and the record as they
    were — or, signalled after the record was committed, both complete —
    no temporary folder, the lock free."""
    sig = c.rng.choice([signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
    if c.rng.random() < 0.7:
        change_a_fee(c)
        c.args = c.command("run", "--correct", "--issue-date", "%d-11-30" % YEAR)
    else:
        shutil.rmtree(c.year_out())
        c.args = c.command("run")
    # anywhere in a run as long as the undamaged one, or just after it
    c.signal = (sig, c.rng.uniform(0.0, 1.2 * c.first_time))
    c.expect = {0, 128 + sig}


# --- one case -----------------------------------------------------------------

def one_case(prog, work, seed, kinds, timeout):
    c = Case(seed, work)
    shutil.rmtree(c.dir, ignore_errors=True)
    os.makedirs(c.dir)
    random_year.make(seed, c.inp)
    t0 = time.monotonic()
    rc, _, err = run(prog, c.command(), timeout, c.dir)
    c.first_time = time.monotonic() - t0
    if rc != 0:
        return "the undamaged year: status %s: %s" % (rc, err.strip().splitlines()[:1]), None, c
    kind = kinds[seed % len(kinds)]  # consecutive seeds: every kind in turn
    DAMAGES[kind](c)
    watched = [c.year_out(), c.record()] + c.watch
    before = {t: digest(t) for t in (c.year_out(), c.record())}
    before_in = digest(c.inp) if kind not in ("input-fifo",) else None
    if c.signal:
        rc, _, err = run_signalled(prog, c.args, timeout, c.dir, *c.signal)
    else:
        rc, _, err = run(prog, c.args, timeout, c.dir)
    what = "%s: %s" % (kind, " ".join(repr(a) if not a.strip() else
                                      a.replace(c.dir + "/", "") for a in c.args))
    first = (err.strip().splitlines() or [""])[0][:200]
    if rc is None:
        return "hung (%s)" % err, what, c
    if rc not in DOCUMENTED:
        return "status %d is not in the documented table (%s)" % (rc, first), what, c
    if "AddressSanitizer" in err or "runtime error:" in err or "LeakSanitizer" in err:
        return "a sanitizer report: %s" % first, what, c
    if c.expect is not None and rc not in c.expect:
        return "status %d, expected %s (%s)" % (rc, sorted(c.expect), first), what, c
    for l in c.links:
        if not os.path.islink(l):
            return "the link %s was replaced" % os.path.relpath(l, c.dir), what, c
    left = temporaries(watched)
    if left:
        return "temporary folders left: %s" % left, what, c
    if before_in is not None and digest(c.inp) != before_in:
        return "the input folder was written", what, c
    if not lock_is_free(c.out):
        return "the output lock is still held", what, c
    if c.signal and rc == 128 + c.signal[0]:
        # stopped: nothing changed, or (signalled after the record was
        # committed) the year folder followed it, both complete
        if any(digest(t) != d for t, d in before.items()):
            bad = complete_output(c)
            if bad:
                return "signalled, the output changed and is not complete: %s" % bad, what, c
        what += " (%s after %.2f s)" % (signal.Signals(c.signal[0]).name, c.signal[1])
        return None, what + " -> %d" % rc, c
    if c.signal:
        what += " (%s after %.2f s, too late)" % (signal.Signals(c.signal[0]).name, c.signal[1])
    writes = rc == 0 and c.args[0] == "run" and "--dry-run" not in c.args
    if writes:
        bad = complete_output(c) or valid_ubl(c, VALIDATOR[0])
        if bad:
            return "exit 0 without a complete output: %s" % bad, what, c
    else:
        for t, d in before.items():
            if digest(t) != d:
                return "status %d changed %s" % (rc, os.path.relpath(t, c.dir)), what, c
    return None, what + " -> %d" % rc, c


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("prog", nargs="?")
    ap.add_argument("work", nargs="?")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cases", type=int, default=len(DAMAGES))
    ap.add_argument("--kind", action="append")
    ap.add_argument("--timeout", type=int, default=60)
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--validator")
    a = ap.parse_args()
    VALIDATOR[0] = a.validator
    if a.list:
        for k, fn in DAMAGES.items():
            print("%-20s %s" % (k, (fn.__doc__ or "").split("\n")[0]))
        return 0
    kinds = a.kind or sorted(DAMAGES)
    for k in kinds:
        if k not in DAMAGES:
            sys.exit("unknown damage kind %s (--list)" % k)
    prog = os.path.abspath(a.prog)
    os.makedirs(a.work, exist_ok=True)
    failed = 0
    tally = {}
    for seed in range(a.seed, a.seed + a.cases):
        bad, what, c = one_case(prog, os.path.abspath(a.work), seed, kinds, a.timeout)
        if bad:
            failed += 1
            print("FAIL - seed %d: %s: %s  (rerun: --seed %d --cases 1)" % (seed, what, bad, seed))
        else:
            print("ok - seed %d: %s" % (seed, what))
            kind = what.split(":")[0]
            tally[kind] = tally.get(kind, 0) + 1
            if not a.keep:
                shutil.rmtree(c.dir, ignore_errors=True)
    print("%d cases, %d failed; held per damage kind: %s" % (
        a.cases, failed, ", ".join("%s %d" % kv for kv in sorted(tally.items()))))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
