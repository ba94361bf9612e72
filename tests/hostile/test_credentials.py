"""The password itself (issue 12 §4, §5, §8): where it may enter, whether it can inject a command, whether a
login without a user name goes out, and how many credentialed attempts one diagnosis makes against a server
whose replies curl and the transcript read differently.

Every server here counts connections and login attempts; "refused" means exit status 2 and no connection at all.
"""
import os
import pty
import subprocess
import termios
import time

import pytest

from canary import canary, forms, scan
from dialogues import DIALOGUES
from expect import clear_end
from maildoctor_runner import BIN, diagnose, endpoint, request

DEADLINE_MS = int(os.environ.get("MAILDOCTOR_HOSTILE_DEADLINE_MS", "3000"))
DEADLINE_S = DEADLINE_MS / 1000.0
PROTOCOLS = ["imap", "pop3", "smtp"]
# The terminal test needs the binary itself: the canary harness's capture wrapper gives it a pipe, not a terminal.
REAL_BIN = os.environ.get("MAILDOCTOR_REAL_BIN") or BIN


def dialogue(protocol, **attrs):
    return type("Configured" + DIALOGUES[protocol].__name__, (DIALOGUES[protocol],), attrs)()


def flag_args(protocol, port):
    server_flag = {"imap": "--imap", "pop3": "--pop3", "smtp": "--smtp"}[protocol]
    security_flag = "--outgoing-security" if protocol == "smtp" else "--incoming-security"
    return ["diagnose", "--json", "--no-alternatives", "--deadline", str(DEADLINE_S), "--email", "bob@hostile.test",
            server_flag, "127.0.0.1:%d" % port, security_flag, "none"]


# --- §8: CR, LF and NUL in a password, through each entry ------------------------------------------------------

BAD_PASSWORDS = {"CR": canary() + "\rDELE 1", "NUL": canary() + "\0x"}


@pytest.mark.parametrize("kind", sorted(BAD_PASSWORDS) + ["LF"])
@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_request_json_refuses_a_password_with_a_line_break_or_nul(serve, protocol, kind):
    s = serve(dialogue(protocol, starttls=False))
    password = BAD_PASSWORDS.get(kind, canary() + "\nQUIT")
    ep = endpoint(protocol, s.port, security="none", password=password)
    req = request(incoming=ep if protocol != "smtp" else None, outgoing=ep if protocol == "smtp" else None,
                  deadline_ms=DEADLINE_MS)
    run = diagnose(req)
    # Exit status 2 is the request's own refusal; the probe's check (a finding, status 1) must not be all there is.
    assert run.rc == 2, "the request must refuse the password itself\n" + run.describe()
    assert b"password" in run.stderr
    assert s.recorder.connections == 0, "the server was contacted"


@pytest.mark.parametrize("kind", sorted(BAD_PASSWORDS))
@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_password_stdin_refuses_a_password_with_cr_or_nul(serve, protocol, kind):
    # The reproduction: printf 'pw\rDELE 1\n' | maildoctor diagnose --pop3 ... --password-stdin
    s = serve(dialogue(protocol, starttls=False))
    p = subprocess.run([BIN, *flag_args(protocol, s.port), "--password-stdin"],
                       input=BAD_PASSWORDS[kind].encode() + b"\n", capture_output=True, timeout=30)
    assert p.returncode == 2, (p.returncode, p.stdout[-500:], p.stderr[-500:])
    assert b"line break or a NUL" in p.stderr
    assert s.recorder.connections == 0, "the server was contacted"
    assert not scan(p.stdout + p.stderr, forms(canary()))


@pytest.mark.parametrize("kind", sorted(BAD_PASSWORDS))
@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_terminal_prompt_refuses_a_password_with_cr_or_nul(serve, protocol, kind):
    s = serve(dialogue(protocol, starttls=False))
    master, slave = pty.openpty()
    try:
        # Without ICRNL the terminal passes a typed CR through as a CR, as `stty -icrnl` would.
        attrs = termios.tcgetattr(slave)
        attrs[0] &= ~termios.ICRNL
        termios.tcsetattr(slave, termios.TCSANOW, attrs)
        proc = subprocess.Popen([REAL_BIN, *flag_args(protocol, s.port)], stdin=slave, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        # Type only once the prompt has switched echo off: its TCSAFLUSH discards whatever was typed before.
        for _ in range(2000):
            if not termios.tcgetattr(slave)[3] & termios.ECHO or proc.poll() is not None:
                break
            time.sleep(0.01)
        os.write(master, BAD_PASSWORDS[kind].encode() + b"\n")
        out, err = proc.communicate(timeout=30)
    finally:
        os.close(master)
        os.close(slave)
    assert b"Password for" in err, err[-500:]
    assert proc.returncode == 2, (proc.returncode, out[-500:], err[-500:])
    assert b"line break or a NUL" in err
    assert s.recorder.connections == 0, "the server was contacted"
    assert not scan(out + err, forms(canary()))


# --- §4: no login without a user name ---------------------------------------------------------------------------

def test_a_login_without_a_user_name_is_refused_before_anything_is_sent(serve):
    # IMAP LOGIN only: with no user name curl sends `LOGIN  <password>`, the password where the user name belongs.
    class LoginOnly(DIALOGUES["imap"]):
        starttls = False

        def capabilities(self, conn):
            return ["IMAP4rev1"]
    s = serve(LoginOnly())
    ep = endpoint("imap", s.port, security="none", password=canary())
    del ep["username"]
    req = {"account": {"incoming": ep}, "options": {"login": True, "alternatives": False, "deadline_ms": DEADLINE_MS}}
    run = diagnose(req)
    assert run.rc == 2, run.describe()
    assert b"user name" in run.stderr
    assert s.recorder.connections == 0
    assert not s.recorder.logins


# --- §5: one credentialed attempt, however the replies read -----------------------------------------------------

def odd_capability(base):
    """curl reads "* 1 CAPABILITY ... AUTH=PLAIN" and the tagged "OKAY" (two letters compared); the transcript
    reads neither, so before the fix the probe believed nothing was sent and logged in again with IMAP LOGIN."""
    class OddCapability(base):
        def command(self, conn, text):
            tag, _, rest = text.partition(" ")
            if rest.upper().startswith("CAPABILITY"):
                conn.line("* 1 CAPABILITY " + " ".join(self.capabilities(conn)))
                conn.line(tag + " OKAY capabilities listed")
                return True
            return super().command(conn, text)

        def capabilities(self, conn):
            return ["IMAP4rev1", "AUTH=PLAIN"]
    return OddCapability()


def flooded_capability(base):
    """More untagged lines before the login than the transcript keeps (2,000 a connection)."""
    class Flooded(base):
        def command(self, conn, text):
            tag, _, rest = text.partition(" ")
            if rest.upper().startswith("CAPABILITY"):
                conn.send("".join("* OK filler line %d\r\n" % i for i in range(2100)))
                conn.line("* CAPABILITY IMAP4rev1 AUTH=PLAIN")
                conn.line(tag + " OK done")
                return True
            return super().command(conn, text)
    return Flooded()


@pytest.mark.parametrize("make", [odd_capability, flooded_capability], ids=["numbered CAPABILITY + OKAY", "2100 lines first"])
def test_exactly_one_credentialed_attempt_when_the_transcript_misreads_the_server(serve, certs, make):
    s = serve(make(DIALOGUES["imap"]), tls=certs.context(certs.good), implicit_tls=True)
    run = diagnose(request(incoming=endpoint("imap", s.port, password=canary()), deadline_ms=DEADLINE_MS),
                   ["--cacert", certs.cacert])
    assert s.recorder.logins, "no login at all: the case shows nothing\n" + run.describe()
    assert len(s.recorder.logins) == 1, "%d credentialed attempts: %s" % (len(s.recorder.logins), s.recorder.logins)
    assert s.recorder.connections == 1, s.recorder.connections
    clear_end(run, [s], DEADLINE_S)
