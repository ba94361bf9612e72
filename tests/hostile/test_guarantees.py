"""The security guarantees, each shown against servers that count what they receive.

Encryption: a password never crosses a connection that is not encrypted and verified, unless the
account is configured `security: none`.  Lockout: at most one login attempt per server per diagnosis.
Injection: CR, LF or NUL in a user name, address or host is refused before anything is sent.
"""
import os

import pytest

from canary import canary
from dialogues import DIALOGUES
from expect import clear_end
from maildoctor_runner import diagnose, endpoint, request

DEADLINE_MS = int(os.environ.get("MAILDOCTOR_HOSTILE_DEADLINE_MS", "3000"))
DEADLINE_S = DEADLINE_MS / 1000.0
PROTOCOLS = ["imap", "pop3", "smtp"]


def diagnose_one(server, protocol, security, args=(), host="127.0.0.1", user="bob@hostile.test", **opts):
    ep = endpoint(protocol, server.port if server else 993, security=security, host=host, user=user, password=canary())
    req = request(incoming=ep if protocol != "smtp" else None, outgoing=ep if protocol == "smtp" else None,
                  deadline_ms=DEADLINE_MS, **opts)
    return diagnose(req, list(args))


def dialogue(protocol, **attrs):
    cls = type("Configured" + DIALOGUES[protocol].__name__, (DIALOGUES[protocol],), attrs)
    return cls()


# --- encryption ----------------------------------------------------------------------------------

@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_no_login_when_starttls_is_not_offered(serve, protocol):
    s = serve(dialogue(protocol, starttls=False))
    run = diagnose_one(s, protocol, "starttls")
    clear_end(run, [s], DEADLINE_S, {"tls.starttls_unavailable"})
    assert not s.recorder.logins


def refusing_starttls(protocol):
    base = DIALOGUES[protocol]

    class RefusesStarttls(base):
        def command(self, conn, text):
            words = text.upper().split(" ")
            if "STARTTLS" in words[:2] or words[0] == "STLS":
                conn.line({"imap": text.split(" ")[0] + " BAD TLS not available today",
                           "pop3": "-ERR TLS not available today",
                           "smtp": "454 4.7.0 TLS not available due to temporary reason"}[protocol])
                return True
            return super().command(conn, text)
    return RefusesStarttls()


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_no_login_when_starttls_is_refused(serve, protocol):
    s = serve(refusing_starttls(protocol))
    run = diagnose_one(s, protocol, "starttls")
    clear_end(run, [s], DEADLINE_S, {"tls.starttls_unavailable", "tls.handshake_failed"})
    assert not s.recorder.logins


@pytest.mark.parametrize("security", ["tls", "starttls"])
@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_no_login_to_a_self_signed_certificate(serve, certs, protocol, security):
    s = serve(dialogue(protocol), tls=certs.context(certs.self_signed), implicit_tls=security == "tls")
    run = diagnose_one(s, protocol, security, ["--cacert", certs.cacert])
    clear_end(run, [s], DEADLINE_S, {"tls.cert_self_signed", "tls.cert_untrusted"})
    assert not s.recorder.logins


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_no_login_to_an_untrusted_issuer(serve, certs, protocol):
    s = serve(dialogue(protocol), tls=certs.context(certs.good), implicit_tls=True)
    run = diagnose_one(s, protocol, "tls")  # no --cacert: the test root is unknown
    clear_end(run, [s], DEADLINE_S, {"tls.cert_untrusted"})
    assert not s.recorder.logins


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_no_login_to_a_certificate_for_another_host(serve, certs, zone, protocol):
    # The leaf names hostile.test, localhost and 127.0.0.1; the account says 127.0.0.2. The certificate is sound but
    # for its names, so the domain's own autoconfig is asked whether it publishes one of them: that lookup stays
    # on a local resolver.
    from hostile_server import HostileServer
    s = HostileServer(dialogue(protocol), tls_context=certs.context(certs.good), implicit_tls=True, host="127.0.0.2")
    with s:
        run = diagnose_one(s, protocol, "tls", ["--cacert", certs.cacert, "--dns-servers", zone().server], host="127.0.0.2")
    clear_end(run, [s], DEADLINE_S, {"tls.cert_hostname_mismatch"})
    assert not s.recorder.logins


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_plaintext_login_only_when_the_account_says_none(serve, protocol):
    # Positive control: the counters see a clear-text login when one is allowed, so their zeros above mean something.
    s = serve(dialogue(protocol, starttls=False))
    run = diagnose_one(s, protocol, "none")
    clear_end(run, [s], DEADLINE_S, {"auth.wrong_password", "auth.failed"}, allow_plaintext_login=True)
    assert len(s.recorder.plaintext_logins) == 1, s.recorder.logins


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_login_over_verified_starttls(serve, certs, protocol):
    s = serve(dialogue(protocol), tls=certs.context(certs.good))
    run = diagnose_one(s, protocol, "starttls", ["--cacert", certs.cacert])
    clear_end(run, [s], DEADLINE_S, {"auth.wrong_password", "auth.failed"})
    assert s.recorder.logins and s.recorder.logins[0][1], s.recorder.logins


# --- lockout ---------------------------------------------------------------------------------------

TEMPORARY = {"imap": "NO [UNAVAILABLE] Temporary authentication failure.",
             "pop3": "-ERR [SYS/TEMP] Temporary authentication failure.",
             "smtp": "454 4.7.0 Temporary authentication failure"}


def temporarily_failing(protocol):
    base = DIALOGUES[protocol]

    class TemporaryFailure(base):
        def capabilities(self, conn):  # every mechanism a client might fall back through
            return super().capabilities(conn) + ["AUTH=CRAM-MD5", "AUTH=DIGEST-MD5", "AUTH=NTLM", "AUTH=XOAUTH2"]

        def on_login(self, conn, *tag):
            conn.line((tag[0] + " " if tag else "") + TEMPORARY[protocol])
    return TemporaryFailure()


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_one_login_even_after_a_temporary_failure(serve, certs, protocol):
    s = serve(temporarily_failing(protocol), tls=certs.context(certs.good), implicit_tls=True)
    run = diagnose_one(s, protocol, "tls", ["--cacert", certs.cacert])
    clear_end(run, [s], DEADLINE_S)
    assert len(s.recorder.logins) == 1, s.recorder.logins


def test_one_login_per_server_with_both_endpoints(serve, certs):
    imap = serve(dialogue("imap"), tls=certs.context(certs.good), implicit_tls=True)
    smtp = serve(dialogue("smtp"), tls=certs.context(certs.good), implicit_tls=True)
    req = request(incoming=endpoint("imap", imap.port, password=canary()),
                  outgoing=endpoint("smtp", smtp.port, password=canary()), deadline_ms=DEADLINE_MS)
    run = diagnose(req, ["--cacert", certs.cacert])
    clear_end(run, [imap, smtp], DEADLINE_S, {"auth.wrong_password", "auth.failed"})
    assert len(imap.recorder.logins) == 1 and len(smtp.recorder.logins) == 1


# --- command injection -----------------------------------------------------------------------------

INJECTIONS = [
    ("username", "bob@hostile.test\r\nA9 LOGOUT"),
    ("username", "bob@hostile.test\nQUIT"),
    ("username", "bob\0@hostile.test"),
    ("host", "127.0.0.1\r\n"),
    ("host", "127.0.0.1\0.evil.test"),
    ("email", "bob@hostile.test\r\nRCPT TO:<victim@example.test>"),
    ("email", "bob\0@hostile.test"),
]


@pytest.mark.parametrize("field,value", INJECTIONS, ids=["%s-%d" % (f, i) for i, (f, _) in enumerate(INJECTIONS)])
@pytest.mark.parametrize("protocol", ["imap", "smtp"])
def test_line_breaks_and_nul_are_refused_before_anything_is_sent(serve, protocol, field, value):
    s = serve(dialogue(protocol, starttls=False))
    ep = endpoint(protocol, s.port, security="none", password=canary())
    if field in ("username", "host"):
        ep[field] = value
    req = request(incoming=ep if protocol != "smtp" else None, outgoing=ep if protocol == "smtp" else None,
                  email=value if field == "email" else "bob@hostile.test", deadline_ms=DEADLINE_MS)
    run = diagnose(req)
    assert run.rc == 2, "a bad request must be refused with exit status 2\n" + run.describe()
    assert s.recorder.connections == 0, "the server was contacted for a request that had to be refused"
    assert not s.recorder.received


@pytest.mark.parametrize("flag,value", [("--user", "bob\r\nA9 LOGOUT"), ("--email", "bob@hostile.test\nQUIT"),
                                        ("--imap", "127.0.0.1\r\n")])
def test_line_breaks_in_command_line_flags_are_refused(serve, flag, value):
    from maildoctor_runner import BIN
    import subprocess
    s = serve(dialogue("imap", starttls=False))
    args = {"--email": "bob@hostile.test", "--imap": "127.0.0.1:%d" % s.port, "--user": "bob"}
    args[flag] = value
    cmd = [BIN, "diagnose", "--json", "--no-alternatives", "--incoming-security", "none", "--deadline", "3"]
    for k, v in args.items():
        cmd += [k, v]
    p = subprocess.run(cmd + ["--password-stdin"], input=canary().encode() + b"\n", capture_output=True, timeout=20)
    assert p.returncode == 2, (p.returncode, p.stdout[-500:], p.stderr[-500:])
    assert s.recorder.connections == 0
