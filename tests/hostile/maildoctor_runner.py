"""Runs `maildoctor diagnose --json --request -` the way a hostile test needs it.

Measures what the guarantees are about: wall time against the deadline, peak RSS of the process
(os.wait4's rusage, which also covers a wrapper's waited-for children), exit status, and whether
stdout is one valid JSON document in strict UTF-8.
"""
import json
import os
import signal
import subprocess
import tempfile
import threading
import time

BIN = os.environ.get("MAILDOCTOR_BIN") or os.path.join(
    os.environ.get("MAILDOCTOR_ROOT", os.path.join(os.path.dirname(__file__), "..", "..")), "build", "dev", "host", "maildoctor")

# How far past its deadline a diagnosis may end (process start and JSON output included).
SLACK_S = float(os.environ.get("MAILDOCTOR_DEADLINE_SLACK", "0.5"))
# Peak RSS a diagnosis may reach, whatever the server sends. Sanitizer builds set a larger bound.
RSS_LIMIT_MB = float(os.environ.get("MAILDOCTOR_RSS_LIMIT_MB", "96"))
# stdout larger than this means server bytes went into the result unbounded.
OUTPUT_LIMIT = int(os.environ.get("MAILDOCTOR_OUTPUT_LIMIT", str(4 * 1024 * 1024)))


class Run:
    def __init__(self, rc, stdout, stderr, wall, maxrss_mb, killed, stdout_size):
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.wall = wall
        self.maxrss_mb = maxrss_mb
        self.killed = killed
        self.stdout_size = stdout_size
        self.result = None
        self.json_error = None
        try:
            self.result = json.loads(stdout.decode("utf-8", "strict"))
        except (UnicodeDecodeError, ValueError) as e:
            self.json_error = repr(e)[:300]

    @property
    def codes(self):
        return [f.get("code") for f in (self.result or {}).get("findings", [])]

    def describe(self):
        return ("rc=%s wall=%.2fs rss=%.0fMB killed=%s codes=%s json_error=%s\nstderr: %s\nstdout: %s"
                % (self.rc, self.wall, self.maxrss_mb, self.killed, self.codes, self.json_error,
                   self.stderr[-1500:].decode("utf-8", "replace"), self.stdout[:1500].decode("utf-8", "replace")))


def endpoint(protocol, port, security="tls", host="127.0.0.1", user="bob@hostile.test", password=None, auth="password"):
    e = {"protocol": protocol, "host": host, "port": port, "security": security, "username": user, "auth": auth}
    if password is not None:
        e["password"] = password
    return e


def request(incoming=None, outgoing=None, email="bob@hostile.test", deadline_ms=3000, login=True, alternatives=False):
    account = {"email": email}
    if incoming:
        account["incoming"] = incoming
    if outgoing:
        account["outgoing"] = outgoing
    return {"account": account, "options": {"login": login, "alternatives": alternatives, "deadline_ms": deadline_ms}}


def diagnose(req, args=(), hard_timeout_s=None, stdin_bytes=None):
    """Runs one diagnosis; kills it only when it overstays far beyond any deadline (a hang)."""
    deadline_s = req.get("options", {}).get("deadline_ms", 10000) / 1000.0 if isinstance(req, dict) else 10.0
    data = stdin_bytes if stdin_bytes is not None else json.dumps(req).encode()
    return run_maildoctor(["diagnose", "--json", "--request", "-", *args], data, hard_timeout_s or deadline_s + 15)


def diagnose_flags(args, stdin_bytes=b"", deadline_s=3.0):
    """`maildoctor diagnose --json ARGS` (the flag form, e.g. --email alone for discovery), measured the same way."""
    return run_maildoctor(["diagnose", "--json", "--deadline", str(deadline_s), *args], stdin_bytes, deadline_s + 15)


def run_maildoctor(argv, data, hard):
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as inp:
        inp.write(data)
        inp.seek(0)
        start = time.monotonic()
        proc = subprocess.Popen([BIN, *argv],
                                stdin=inp, stdout=out, stderr=err, start_new_session=True)
        killed = []

        def kill():
            killed.append(True)
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(hard, kill)
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
        timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        size = out.tell()
        out.seek(0)
        stdout = out.read(OUTPUT_LIMIT * 4)
        err.seek(0)
        stderr = err.read()
    return Run(proc.returncode, stdout, stderr, wall, usage.ru_maxrss / 1024.0, bool(killed), size)
