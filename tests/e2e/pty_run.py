"""Runs a command with stderr on a pseudo-terminal (as on an operator's
screen) and stdout to a file; stores what the terminal received.

usage: pty_run.py STDOUT_FILE TTY_FILE COMMAND [ARG...]
Exits with the command's status.
"""
import os, pty, subprocess, sys
out, err = sys.argv[1], sys.argv[2]
m, s = pty.openpty()
p = subprocess.Popen(sys.argv[3:], stdout=open(out, "wb"), stderr=s)
os.close(s)
data = b""
while True:
    try:
        chunk = os.read(m, 65536)
    except OSError:
        break
    if not chunk:
        break
    data += chunk
open(err, "wb").write(data)
sys.exit(p.wait())
