"""Hostile and broken servers: each must end in a clear finding within the deadline (+0.5 s),
with bounded memory, valid JSON, no crash, no leaked password and at most one login attempt."""
import os

import pytest

from canary import canary
from dialogues import DIALOGUES, Imap, Pop3, Smtp
from expect import SANITIZER_MARKERS, clear_end
from hostile_server import stream
from maildoctor_runner import SLACK_S, diagnose, endpoint, request

DEADLINE_MS = int(os.environ.get("MAILDOCTOR_HOSTILE_DEADLINE_MS", "3000"))
DEADLINE_S = DEADLINE_MS / 1000.0
PROTOCOLS = ["imap", "pop3", "smtp"]
GREETING_PREFIX = {"imap": "* OK ", "pop3": "+OK ", "smtp": "220 "}
MB = 1024 * 1024

TIMEOUTS = {"net.timeout", "proto.no_greeting"}
BROKEN_GREETING = {"proto.unexpected_greeting", "proto.no_greeting", "net.timeout"}
# The server spoke, then stopped answering / sent what no client can read, before any login.
STALLED = {"proto.stalled"}
BAD_REPLY = {"proto.bad_reply"}


def run_case(server, protocol, security, certs=None, trust=True, login=True, user="bob@hostile.test"):
    ep = endpoint(protocol, server.port, security=security, password=canary(), user=user)
    req = request(incoming=ep if protocol != "smtp" else None, outgoing=ep if protocol == "smtp" else None,
                  deadline_ms=DEADLINE_MS, login=login)
    args = ["--cacert", certs.cacert] if certs and trust else []
    return diagnose(req, args)


# --- silence -----------------------------------------------------------------------------------

@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_tarpit_after_connect(serve, protocol):
    s = serve(lambda conn: conn.tarpit())
    run = run_case(s, protocol, "none")
    clear_end(run, [s], DEADLINE_S, TIMEOUTS, allow_plaintext_login=True)


def test_tarpit_after_connect_implicit_tls(serve, certs):
    s = serve(lambda conn: conn.tarpit())
    run = run_case(s, "imap", "tls", certs)
    clear_end(run, [s], DEADLINE_S, TIMEOUTS | {"tls.handshake_failed", "tls.wrong_mode"})


def test_silent_implicit_tls_port(serve, certs):
    """TCP is accepted on the implicit-TLS port and the ClientHello is never answered: nothing answered at all.
    That is the server not speaking (proto.no_greeting), not a handshake that went wrong."""
    s = serve(lambda conn: conn.tarpit())
    run = run_case(s, "imap", "tls", certs)
    clear_end(run, [s], DEADLINE_S, {"proto.no_greeting"})
    codes = [f.get("code") for f in run.result["findings"]]
    assert "tls.handshake_failed" not in codes, run.describe()


class ByeToEveryCommandImap(Imap):
    """Greets, then answers every command with the untagged BYE of a broken backend (seen from Dovecot proxies)."""

    def command(self, conn, text):
        conn.line("* BYE Internal error occurred. Refer to server log for more information.")
        return False


@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_bye_internal_error_to_every_command(serve, certs, security):
    s = serve(ByeToEveryCommandImap(), tls=certs.context(certs.good), implicit_tls=security == "tls")
    run = run_case(s, "imap", security, certs)
    clear_end(run, [s], DEADLINE_S, {"proto.server_unavailable"})
    codes = [f.get("code") for f in run.result["findings"]]
    assert "proto.bad_reply" not in codes, run.describe()
    f = next(f for f in run.result["findings"] if f.get("code") == "proto.server_unavailable")
    assert any("Internal error occurred" in e for e in f.get("evidence", [])), run.describe()


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_tarpit_after_greeting(serve, protocol):
    def behaviour(conn):
        conn.line(GREETING_PREFIX[protocol] + "hello, and then nothing ever again")
        conn.tarpit()
    s = serve(behaviour)
    run = run_case(s, protocol, "none")
    clear_end(run, [s], DEADLINE_S, STALLED, allow_plaintext_login=True)


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_one_byte_per_second(serve, protocol):
    greeting = (GREETING_PREFIX[protocol] + "a greeting that trickles in far too slowly to ever finish\r\n").encode()

    def behaviour(conn):
        for b in greeting:
            conn.send(bytes([b]))
            conn.sleep(1.0)
        conn.tarpit()
    s = serve(behaviour)
    run = run_case(s, protocol, "none")
    clear_end(run, [s], DEADLINE_S, BROKEN_GREETING, allow_plaintext_login=True)


# --- floods ------------------------------------------------------------------------------------

@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_endless_line_without_crlf(serve, protocol):
    def behaviour(conn):
        conn.send(GREETING_PREFIX[protocol])
        stream(conn, b"A" * 65536)
    s = serve(behaviour)
    run = run_case(s, protocol, "none")
    clear_end(run, [s], DEADLINE_S, BROKEN_GREETING, allow_plaintext_login=True)


class HugeImapCapability(Imap):
    def command(self, conn, text):
        if " CAPABILITY" in text.upper():
            stream(conn, b"* CAPABILITY IMAP4rev1 " + b"X" * 200 + b"\r\n", total=100 * MB)
            conn.line(text.split(" ")[0] + " OK CAPABILITY completed")
            return True
        return super().command(conn, text)


class HugePop3Capa(Pop3):
    def command(self, conn, text):
        if text.upper().startswith("CAPA"):
            conn.line("+OK capability list follows")
            stream(conn, b"X-" + b"Y" * 200 + b"\r\n", total=100 * MB)
            conn.line(".")
            return True
        return super().command(conn, text)


class HugeSmtpGreeting(Smtp):
    def greet(self, conn):
        stream(conn, b"220-" + b"Z" * 200 + b"\r\n", total=100 * MB)
        conn.line("220 hostile.test ESMTP finally ready")


@pytest.mark.parametrize("dialogue", [HugeImapCapability, HugePop3Capa, HugeSmtpGreeting], ids=PROTOCOLS)
def test_hundred_megabyte_reply(serve, certs, dialogue):
    s = serve(dialogue(), tls=certs.context(certs.good), implicit_tls=True)
    run = run_case(s, dialogue.protocol, "tls", certs)
    clear_end(run, [s], DEADLINE_S, BAD_REPLY)


class ManyImapCapabilities(Imap):
    def capabilities(self, conn):
        return super().capabilities(conn) + ["X-CAP-%d" % i for i in range(100000)]


class ManyPop3Capabilities(Pop3):
    def capa(self, conn):
        return super().capa(conn) + ["X-CAPA-%d" % i for i in range(100000)]


class ManySmtpExtensions(Smtp):
    def ehlo_lines(self, conn):
        lines = super().ehlo_lines(conn)
        return lines[:1] + ["X-EXT-%d" % i for i in range(100000)] + lines[1:]


@pytest.mark.parametrize("dialogue", [ManyImapCapabilities, ManyPop3Capabilities, ManySmtpExtensions], ids=PROTOCOLS)
def test_hundred_thousand_capabilities(serve, certs, dialogue):
    s = serve(dialogue(), tls=certs.context(certs.good), implicit_tls=True)
    run = run_case(s, dialogue.protocol, "tls", certs)
    # About 1 MB of capabilities: beyond libcurl's 300 kB limit for one response, so no login is tried.
    clear_end(run, [s], DEADLINE_S, BAD_REPLY | {"auth.wrong_password", "auth.failed"})


# --- broken login exchanges ----------------------------------------------------------------------

def resetting(dialogue_cls):
    class Resetting(dialogue_cls):
        def login_attempt(self, conn, what):
            super().login_attempt(conn, what)
            conn.reset()
    Resetting.__name__ = "Resetting" + dialogue_cls.__name__
    return Resetting


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_reset_in_the_middle_of_auth(serve, certs, protocol):
    s = serve(resetting(DIALOGUES[protocol])(), tls=certs.context(certs.good), implicit_tls=True)
    run = run_case(s, protocol, "tls", certs)
    clear_end(run, [s], DEADLINE_S, {"auth.failed"})
    assert len(s.recorder.logins) == 1, "the login was never tried (or retried): %s" % s.recorder.logins


class EndlessImapContinuation(Imap):
    def on_authenticate(self, conn, tag, args):
        stream(conn, b"+ \r\n")

    def on_login(self, conn, tag):
        stream(conn, b"+ \r\n")


class EndlessPop3Continuation(Pop3):
    def command(self, conn, text):
        if text.upper().startswith(("AUTH", "PASS", "APOP")):
            self.login_attempt(conn, text.split(" ")[0].upper())
            stream(conn, b"+ \r\n")
        return super().command(conn, text)


class EndlessSmtpContinuation(Smtp):
    def command(self, conn, text):
        if text.upper().startswith("AUTH"):
            self.login_attempt(conn, "AUTH")
            stream(conn, b"334 \r\n")
        return super().command(conn, text)


@pytest.mark.parametrize("dialogue", [EndlessImapContinuation, EndlessPop3Continuation, EndlessSmtpContinuation], ids=PROTOCOLS)
def test_endless_continuation(serve, certs, dialogue):
    s = serve(dialogue(), tls=certs.context(certs.good), implicit_tls=True)
    run = run_case(s, dialogue.protocol, "tls", certs)
    clear_end(run, [s], DEADLINE_S, {"auth.failed"})
    assert len(s.recorder.logins) == 1, s.recorder.logins


# --- bytes that are not text -------------------------------------------------------------------

BAD_TEXT = b"caf\xc3 \xff\xfe\x00nul\x00 \xed\xa0\x80 surrogate \xc0\xaf overlong \x1b[31m escape"


class BinaryImap(Imap):
    def greet(self, conn):
        conn.send(b"* OK " + BAD_TEXT + b"\r\n")

    def on_login(self, conn, tag):
        conn.send(tag.encode() + b" NO [AUTHENTICATIONFAILED] " + BAD_TEXT + b"\r\n")


class BinaryPop3(Pop3):
    def greet(self, conn):
        conn.send(b"+OK " + BAD_TEXT + b"\r\n")

    def on_login(self, conn):
        conn.send(b"-ERR [AUTH] " + BAD_TEXT + b"\r\n")


class BinarySmtp(Smtp):
    def greet(self, conn):
        conn.send(b"220-" + BAD_TEXT + b"\r\n220 " + BAD_TEXT + b"\r\n")

    def on_login(self, conn):
        conn.send(b"535-5.7.8 " + BAD_TEXT + b"\r\n535 5.7.8 " + BAD_TEXT + b"\r\n")


@pytest.mark.parametrize("dialogue", [BinaryImap, BinaryPop3, BinarySmtp], ids=PROTOCOLS)
def test_invalid_utf8_and_nul_bytes(serve, certs, dialogue):
    s = serve(dialogue(), tls=certs.context(certs.good), implicit_tls=True)
    run = run_case(s, dialogue.protocol, "tls", certs)
    clear_end(run, [s], DEADLINE_S, {"auth.wrong_password", "auth.failed"})
    # The server's words still reach the user, as text with the broken bytes replaced.
    assert "overlong" in run.stdout.decode(), run.describe()


class HugeLiteralImap(Imap):
    def command(self, conn, text):
        if " CAPABILITY" in text.upper():
            conn.send(b"* CAPABILITY {4294967295}\r\nIMAP4rev1 AUTH=PLAIN")
            conn.tarpit()
        return super().command(conn, text)


class HugeLiteralLoginImap(Imap):
    def on_login(self, conn, tag):
        conn.send(tag.encode() + b" NO {4294967295}\r\nnot really that long")
        conn.tarpit()


@pytest.mark.parametrize("dialogue,codes", [(HugeLiteralImap, STALLED | BAD_REPLY), (HugeLiteralLoginImap, {"auth.failed"})],
                         ids=["capability", "login-reply"])
def test_imap_literal_of_four_gigabytes(serve, certs, dialogue, codes):
    s = serve(dialogue(), tls=certs.context(certs.good), implicit_tls=True)
    run = run_case(s, "imap", "tls", certs)
    clear_end(run, [s], DEADLINE_S, codes)


# --- TLS -----------------------------------------------------------------------------------------

def test_garbage_instead_of_tls_handshake(serve):
    def behaviour(conn):
        conn.send(os.urandom(16384))
        conn.tarpit()
    s = serve(behaviour)
    run = run_case(s, "imap", "tls")
    clear_end(run, [s], DEADLINE_S, {"tls.handshake_failed", "tls.wrong_mode"})


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_valid_tls_then_garbage(serve, certs, protocol):
    def behaviour(conn):
        stream(conn, os.urandom(8192), total=4 * MB)
        conn.tarpit()
    s = serve(behaviour, tls=certs.context(certs.good), implicit_tls=True)
    run = run_case(s, protocol, "tls", certs)
    clear_end(run, [s], DEADLINE_S, BROKEN_GREETING)


def test_certificate_chain_of_fifty(serve, certs):
    s = serve(Imap(), tls=certs.context(certs.long_chain(50)), implicit_tls=True)
    run = run_case(s, "imap", "tls", certs)
    clear_end(run, [s], DEADLINE_S, {"tls.cert_untrusted", "tls.handshake_failed"})
    assert not s.recorder.logins, "a password went to a server whose chain does not verify"


# --- STARTTLS response injection (RFC 3207 section 4.2, CVE-2021-22947) ---------------------------

INJECTED = {
    "imap": "* CAPABILITY IMAP4rev1 AUTH=PLAIN INJECTED-BEFORE-TLS\r\n* BYE INJECTED-BEFORE-TLS\r\n",
    "pop3": "-ERR [SYS/TEMP] INJECTED-BEFORE-TLS\r\n",
    "smtp": "421 4.7.0 INJECTED-BEFORE-TLS\r\n",
}


def injecting(protocol):
    base = DIALOGUES[protocol]

    class Injecting(base):
        accept_login = True

        def command(self, conn, text):
            verb = text.split(" ")[1 if protocol == "imap" else 0].upper() if text else ""
            if verb in ("STARTTLS", "STLS") and not conn.encrypted:
                go = {"imap": text.split(" ")[0] + " OK Begin TLS negotiation now\r\n",
                      "pop3": "+OK Begin TLS negotiation\r\n", "smtp": "220 2.0.0 Ready to start TLS\r\n"}[protocol]
                conn.send(go + INJECTED[protocol])  # one segment: the lines sit in the client's buffer
                conn.start_tls()
                return True
            return super().command(conn, text)
    return Injecting


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_lines_pipelined_after_starttls_go_ahead_are_never_believed(serve, certs, protocol):
    s = serve(injecting(protocol)(), tls=certs.context(certs.good))
    run = run_case(s, protocol, "starttls", certs)
    info = run.describe()
    assert not run.killed and run.result is not None, info
    assert run.rc in (0, 1), info
    for marker in SANITIZER_MARKERS:
        assert marker not in run.stderr, "crash or sanitizer report\n" + info
    assert run.wall <= DEADLINE_S + SLACK_S, info
    # Injected text must never be believed: it may not become evidence of a finding.
    for f in run.result.get("findings", []):
        blob = repr(f)
        assert "INJECTED-BEFORE-TLS" not in blob, "pre-TLS injected line was trusted\n" + info
    # libcurl 7.88 refuses such a server rather than discarding the lines: no login at all, encrypted or not, and
    # the finding says why. Asserted unconditionally: a login here would mean the injected lines were read.
    assert not s.recorder.logins, s.recorder.logins
    assert "tls.starttls_injected" in run.codes, info


# --- a login the server never answers ------------------------------------------------------------
# The deadline cuts a dialogue after the password went out: nothing was refused, so no auth.* finding may say so,
# and the login is never retried. The finding is the one of a server that stops answering (proto.stalled).

NO_REFUSAL = "auth."


def never_answers(conn):
    """Holds the connection open and answers nothing more."""
    conn.tarpit()


def trickles(conn, text):
    """Sends a reply one byte per second: it never completes inside the deadline."""
    for b in text.encode():
        conn.send(bytes([b]))
        conn.sleep(1.0)
    conn.tarpit()


class SilentAtImapLogin(Imap):
    def on_authenticate(self, conn, tag, args):
        never_answers(conn)

    def on_login(self, conn, tag):
        never_answers(conn)


class SilentAtPop3Login(Pop3):
    def command(self, conn, text):
        verb = text.split(" ")[0].upper()
        if verb in ("AUTH", "PASS", "APOP"):
            self.login_attempt(conn, verb)
            never_answers(conn)
        return super().command(conn, text)


class SilentAtSmtpLogin(Smtp):
    def command(self, conn, text):
        if text.upper().startswith("AUTH"):
            self.login_attempt(conn, "AUTH")
            never_answers(conn)
        return super().command(conn, text)


class SilentAfterImapSaslResponse(Imap):
    def on_login(self, conn, tag):
        never_answers(conn)


class SilentAfterPop3SaslResponse(Pop3):
    def on_login(self, conn):
        never_answers(conn)


class SilentAfterSmtpSaslResponse(Smtp):
    def on_login(self, conn):
        never_answers(conn)


class TrickleImapLoginReply(Imap):
    def on_login(self, conn, tag):
        trickles(conn, tag + " NO [AUTHENTICATIONFAILED] Authentication failed.\r\n")


class TricklePop3LoginReply(Pop3):
    def on_login(self, conn):
        trickles(conn, "-ERR [AUTH] Authentication failed.\r\n")


class TrickleSmtpLoginReply(Smtp):
    def on_login(self, conn):
        trickles(conn, "535 5.7.8 Error: authentication failed\r\n")


class SilentAtImapExamine(Imap):
    accept_login = True

    def command(self, conn, text):
        if text.split(" ")[1:2] and text.split(" ")[1].upper() in ("EXAMINE", "SELECT"):
            never_answers(conn)
        return super().command(conn, text)


class SilentAtPop3Stat(Pop3):
    accept_login = True

    def command(self, conn, text):
        if text.upper().startswith("STAT"):
            never_answers(conn)
        return super().command(conn, text)


class SilentAtSmtpMailFrom(Smtp):
    accept_login = True

    def command(self, conn, text):
        if text.upper().startswith("MAIL"):
            never_answers(conn)
        return super().command(conn, text)


def no_refusal_and_one_login(run, server):
    codes = run.codes
    assert codes and codes[0] == "proto.stalled", "first finding must be proto.stalled\n" + run.describe()
    assert not [c for c in codes if c.startswith(NO_REFUSAL)], "a refusal reported where none came\n" + run.describe()
    assert len(server.recorder.logins) == 1, "the login was never tried (or retried): %s" % server.recorder.logins


LOGIN_SILENCES = [SilentAtImapLogin, SilentAtPop3Login, SilentAtSmtpLogin,
                  SilentAfterImapSaslResponse, SilentAfterPop3SaslResponse, SilentAfterSmtpSaslResponse,
                  TrickleImapLoginReply, TricklePop3LoginReply, TrickleSmtpLoginReply]


@pytest.mark.parametrize("dialogue", LOGIN_SILENCES, ids=lambda d: d.__name__)
def test_login_never_answered_is_no_refusal(serve, certs, dialogue):
    s = serve(dialogue(), tls=certs.context(certs.good), implicit_tls=True)
    run = run_case(s, dialogue.protocol, "tls", certs)
    clear_end(run, [s], DEADLINE_S, STALLED)
    no_refusal_and_one_login(run, s)
    f = run.result["findings"][0]
    assert f.get("params", {}).get("step") == "login", run.describe()


@pytest.mark.parametrize("dialogue", [SilentAtImapExamine, SilentAtPop3Stat, SilentAtSmtpMailFrom], ids=PROTOCOLS)
def test_command_after_login_never_answered(serve, certs, dialogue):
    """The login worked; the mailbox (or sender) check then got no answer: that is said, not a clean bill of health."""
    s = serve(dialogue(), tls=certs.context(certs.good), implicit_tls=True)
    run = run_case(s, dialogue.protocol, "tls", certs)
    clear_end(run, [s], DEADLINE_S, STALLED)
    no_refusal_and_one_login(run, s)
    f = run.result["findings"][0]
    assert f.get("params", {}).get("step") == "after_login", run.describe()


def silent_at_starttls(protocol):
    base = DIALOGUES[protocol]

    class SilentAtStarttls(base):
        def command(self, conn, text):
            verb = text.split(" ")[1 if protocol == "imap" else 0].upper() if text else ""
            if verb in ("STARTTLS", "STLS"):
                never_answers(conn)
            return super().command(conn, text)
    return SilentAtStarttls


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_starttls_never_answered(serve, certs, protocol):
    s = serve(silent_at_starttls(protocol)(), tls=certs.context(certs.good))
    run = run_case(s, protocol, "starttls", certs)
    clear_end(run, [s], DEADLINE_S, STALLED)
    codes = run.codes
    assert codes[0] == "proto.stalled", run.describe()
    assert not [c for c in codes if c.startswith(NO_REFUSAL)], run.describe()
    assert not s.recorder.logins, "a login went out although STARTTLS never completed: %s" % s.recorder.logins
