#!/usr/bin/python3
"""Runs a test command with a fresh canary password and proves no secret left maildoctor.

    canary_harness.py [--require-delivery] -- COMMAND...

COMMAND (e.g. pytest on the hostile, replay or real-server tests) sees:
  MAILDOCTOR_CANARY   the password its requests should carry (tests/security/canary.py reads it)
  MAILDOCTOR_BIN      capture_maildoctor.py, which runs the real binary and keeps copies of its outputs
Afterwards every copy (stdout, stderr, JSON results, files written to its HOME, TMPDIR or working folder)
and COMMAND's own output are searched for the canary and for every password and user name any request
carried, in plain text, base64 at every alignment, SASL PLAIN ("\\0user\\0pass") and AUTH LOGIN forms.

It fails when COMMAND fails, when a secret is found, or when the scan would prove nothing: no
maildoctor run captured, or no run was handed a password. With --require-delivery it also fails
unless some test server reported receiving the canary (a login really happened, so the secret
really passed through maildoctor's redaction paths).
"""
import glob
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from canary import forms, scan, scan_tree  # noqa: E402


def main(argv):
    require_delivery = "--require-delivery" in argv
    if "--" not in argv:
        print(__doc__)
        return 2
    command = argv[argv.index("--") + 1:]
    real = os.environ.get("MAILDOCTOR_BIN")
    if not real or not os.access(real, os.X_OK):
        print("canary: MAILDOCTOR_BIN is not an executable: %r" % real)
        return 2

    base = os.environ.get("MAILDOCTOR_ARTIFACTS") or tempfile.gettempdir()
    sandbox = tempfile.mkdtemp(prefix="canary-", dir=base)
    capture = os.path.join(sandbox, "captures")
    private = os.path.join(sandbox, "private")
    os.makedirs(capture)
    os.makedirs(private)
    canary = "cAnArY-%s-Pw" % secrets.token_hex(5)
    env = dict(os.environ, MAILDOCTOR_CANARY=canary, MAILDOCTOR_REAL_BIN=real,
               MAILDOCTOR_BIN=os.path.join(HERE, "capture_maildoctor.py"),
               MAILDOCTOR_CAPTURE_DIR=capture, MAILDOCTOR_PRIVATE_DIR=private)

    log_path = os.path.join(capture, "command-output")
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        for chunk in iter(lambda: proc.stdout.read1(65536), b""):
            sys.stdout.buffer.write(chunk)
            sys.stdout.flush()
            log.write(chunk)
        rc = proc.wait()

    passwords, users = {canary}, set()
    runs = 0
    for path in glob.glob(os.path.join(private, "*.json")):
        runs += 1
        with open(path) as f:
            seen = json.load(f)
        passwords.update(seen["passwords"])
        users.update(seen["users"])
    handed = [p for p in glob.glob(os.path.join(private, "*.json")) if json.load(open(p))["passwords"]]
    delivered = glob.glob(os.path.join(private, "delivered-*"))

    patterns = {}
    for pw in passwords:
        for name, p in forms(pw, sorted(users)).items():
            patterns["%s of %s" % (name, "the canary" if pw == canary else "a request password")] = p
    hits = scan_tree(capture, patterns)

    print("canary: %d maildoctor runs captured, %d carried a password, %d deliveries to test servers, "
          "%d secret(s) in %d form(s) searched" % (runs, len(handed), len(delivered), len(passwords), len(patterns)))
    failed = False
    if rc != 0:
        print("canary: the command failed (status %d)" % rc)
        failed = True
    for path, found in sorted(hits.items()):
        print("canary: LEAK in %s: %s" % (os.path.relpath(path, sandbox), ", ".join(found)))
        failed = True
    if runs == 0 or not handed:
        print("canary: nothing was proven: no maildoctor run %s" % ("was captured" if runs == 0 else "carried a password"))
        failed = True
    if require_delivery and not delivered:
        print("canary: no test server received the canary, so no login went through maildoctor")
        failed = True
    if failed:
        print("canary: evidence kept in %s" % sandbox)
        return 1
    shutil.rmtree(sandbox, ignore_errors=True)
    print("canary: no secret found in any output")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
