"""The test bed itself: if it lies, every other test proves nothing."""
import base64
import json
import imaplib
import poplib
import smtplib
import socket
import ssl
import subprocess
import time

import pytest

from conftest import CANARY, USER

HOST = "mail.example.test"


def _host_ctx(bed):
    """Trusts the test root; the name is not checked because these clients dial 127.0.0.2
    (test_certificates_fail_as_intended checks the names)."""
    ctx = ssl.create_default_context(cafile=bed.pki.root_cert)
    ctx.check_hostname = False
    return ctx


def test_counter_counts_each_login(bed):
    main = bed.dovecots["main"]
    mark = bed.mark()
    m = imaplib.IMAP4_SSL("127.0.0.2", main.ports["imaps"], ssl_context=_host_ctx(bed))
    m.login(USER, CANARY)
    m.logout()
    p = poplib.POP3_SSL("127.0.0.2", main.ports["pop3s"], context=_host_ctx(bed))
    p.user(USER)
    p.pass_(CANARY)
    p.quit()
    assert bed.attempts_since(mark) == {"main/imap": 1, "main/pop3": 1}


def test_counter_counts_postfix_sasl_and_failures(bed):
    mark = bed.mark()
    s = smtplib.SMTP("127.0.0.2", bed._postfix.ports["submission_fail"], timeout=10)
    s.starttls(context=_host_ctx(bed))
    s.ehlo()
    code, _ = s.docmd("AUTH", "PLAIN " + base64.b64encode(("\0%s\0wrong" % USER).encode()).decode())
    assert code == 535
    s.quit()
    assert bed.attempts_since(mark) == {"smtpfail/smtp": 1}


def test_counter_sees_plaintext_login_refused_before_auth(fresh_dovecot, bed):
    dc = fresh_dovecot(disable_plaintext_auth=True)
    mark = bed.mark()
    m = imaplib.IMAP4("127.0.0.2", dc.ports["imap"])
    assert "LOGINDISABLED" in m.capabilities
    with pytest.raises(imaplib.IMAP4.error, match="PRIVACYREQUIRED"):
        m.login(USER, CANARY)
    m.logout()
    time.sleep(0.2)
    assert bed.attempts_since(mark) == {dc.name + "/imap": 1}


def test_policy_refusal_reaches_the_client(fresh_dovecot, bed):
    dc = fresh_dovecot()
    bed.counter.refuse("boss@example.test", "Application-specific password required")
    try:
        m = imaplib.IMAP4_SSL("127.0.0.2", dc.ports["imaps"], ssl_context=_host_ctx(bed))
        with pytest.raises(imaplib.IMAP4.error, match="Application-specific password required"):
            m.login("boss@example.test", "Boss-Only-9kT")
    finally:
        bed.counter.allow("boss@example.test")


@pytest.mark.parametrize("name,error", [
    ("main", None), ("expired", "certificate has expired"), ("not_yet_valid", "certificate is not yet valid"),
    ("self_signed", "self-signed certificate"), ("other_host", "Hostname mismatch"),
    ("no_intermediate", "unable to get local issuer certificate")])
def test_certificates_fail_as_intended(bed, name, error):
    port = bed.dovecots[name].ports["imaps"]
    ctx = ssl.create_default_context(cafile=bed.pki.root_cert)
    with socket.create_connection(("127.0.0.2", port), timeout=5) as raw:
        if error is None:
            with ctx.wrap_socket(raw, server_hostname=HOST) as tls:
                assert tls.recv(100).startswith(b"* OK")
        else:
            with pytest.raises(ssl.SSLCertVerificationError, match=error):
                ctx.wrap_socket(raw, server_hostname=HOST)


def test_postfix_refuses_a_sender_the_login_does_not_own(bed):
    s = smtplib.SMTP_SSL("127.0.0.2", bed._postfix.ports["submissions"], context=_host_ctx(bed), timeout=10)
    s.login(USER, CANARY)
    assert s.mail("boss@example.test")[0] == 250
    code, text = s.rcpt(USER)
    assert code == 553 and b"not owned by user" in text
    s.rset()
    assert s.mail(USER)[0] == 250 and s.rcpt(USER)[0] == 250
    s.quit()


def test_postfix_starttls_port_refuses_auth_before_tls(bed):
    s = smtplib.SMTP("127.0.0.2", bed._postfix.ports["submission"], timeout=10)
    s.ehlo()
    assert not s.has_extn("auth")
    assert s.docmd("MAIL FROM:<%s>" % USER)[0] == 530
    s.close()


def test_dns_answers_with_the_real_ports(bed):
    main = bed.dovecots["main"]

    def dig(*q):
        return subprocess.run(["dig", "+short", "+time=2", "+tries=1", "@127.0.0.1", "-p", str(bed.dns.port)] + list(q),
                              capture_output=True, text=True, timeout=10).stdout.split()
    assert dig(HOST) == ["127.0.0.2"]
    assert dig("SRV", "_imaps._tcp.example.test") == ["0", "1", str(main.ports["imaps"]), HOST + "."]
    assert dig("SRV", "_submission._tcp.example.test")[2] == str(bed._postfix.ports["submission"])
    assert dig("SRV", "_pop3s._tcp.nopop.example.test") == ["0", "0", "1", "."]
    assert dig("MX", "example.test") == ["10", HOST + "."]


def test_tarpit_accepts_and_stays_silent(bed):
    with socket.create_connection(("127.0.0.2", bed.tarpit_server.port), timeout=5) as s:
        s.settimeout(0.5)
        with pytest.raises(socket.timeout):
            s.recv(1)


def test_closed_port_refuses(bed):
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.2", bed.closed), timeout=5)


@pytest.mark.parametrize("leak", [
    lambda u, p: "A001 LOGIN %s %s" % (u, p),
    lambda u, p: "PASS " + p,
    lambda u, p: "AUTH PLAIN " + base64.b64encode(("\0%s\0%s" % (u, p)).encode()).decode(),
    lambda u, p: base64.b64encode(("%s\0%s\0%s" % (u, u, p)).encode()).decode(),
    lambda u, p: base64.b64encode(p.encode()).decode(),
    lambda u, p: base64.b64encode(("user=%s\1auth=Bearer x%s\1\1" % (u, p)).encode()).decode(),
])
def test_secret_scan_catches_every_form(leak):
    """The invariant check must fail on each way a password can leak."""
    from maildoctor import Maildoctor, Run
    run = Run(["maildoctor"], None, 1, json.dumps({"verdict": "problem", "transcript": [{"line": leak(USER, CANARY)}]}),
              "", 0.1, {})
    run.result = json.loads(run.stdout)
    with pytest.raises(AssertionError, match="leaked"):
        Maildoctor.check_invariants(run, [(USER, CANARY)])


def test_login_limit_check_fails_on_two_attempts():
    from maildoctor import Maildoctor, Run
    run = Run(["maildoctor"], None, 1, '{"verdict": "problem"}', "", 0.1, {"main/imap": 2})
    run.result = json.loads(run.stdout)
    with pytest.raises(AssertionError, match="more than one login attempt"):
        Maildoctor.check_invariants(run, [(USER, CANARY)])
