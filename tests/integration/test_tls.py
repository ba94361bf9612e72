"""Certificate faults (each its own Dovecot) and implicit-TLS/STARTTLS mismatches. With a bad
certificate the password must never be sent."""
import pytest

from conftest import CANARY, USER
from maildoctor import connect_to, endpoint, request

CASES = [("expired", "tls.cert_expired"), ("not_yet_valid", "tls.cert_not_yet_valid"),
         ("other_host", "tls.cert_hostname_mismatch"), ("self_signed", "tls.cert_self_signed"),
         ("no_intermediate", "tls.cert_untrusted")]


@pytest.mark.parametrize("fault,code", CASES)
@pytest.mark.parametrize("protocol,port,security", [("imap", 993, "tls"), ("pop3", 110, "starttls")])
def test_bad_certificate(bed, md, fault, code, protocol, port, security):
    dc = bed.dovecots[fault]
    run = md.diagnose(request(USER, incoming=endpoint(protocol, port, security, USER, CANARY)),
                      connect_to(dc.ports, closed_port=bed.closed))
    assert run.result["verdict"] == "problem", run.explain()
    assert code in run.codes("incoming"), run.explain()
    assert run.attempts == {}, "a password went to a server with a bad certificate\n" + run.explain()
    if fault == "other_host":
        assert "other.example.test" in str(run.finding(code)), run.explain()


def test_bad_certificate_smtp_sends_no_password(bed, md):
    # Postfix serves the good certificate; reaching it under another name makes it a mismatch.
    run = md.diagnose(request(USER, outgoing=endpoint("smtp", 465, "tls", USER, CANARY, host="other.example.test")),
                      connect_to(outgoing=bed._postfix.ports, closed_port=bed.closed, host="other.example.test"))
    assert "tls.cert_hostname_mismatch" in run.codes("outgoing"), run.explain()
    assert run.attempts == {}, run.explain()


def test_implicit_tls_on_a_starttls_port(bed, md):
    main = bed.dovecots["main"]
    # Port 143 is the STARTTLS port; the account says SSL/TLS.
    run = md.diagnose(request(USER, incoming=endpoint("imap", 143, "tls", USER, CANARY)),
                      connect_to(main.ports, closed_port=bed.closed))
    assert run.result["verdict"] == "problem", run.explain()
    assert "tls.wrong_mode" in run.codes("incoming"), run.explain()
    assert run.attempts.get("main/imap", 0) <= 1, run.explain()


def test_starttls_on_an_implicit_tls_port(bed, md):
    main = bed.dovecots["main"]
    run = md.diagnose(request(USER, incoming=endpoint("imap", 993, "starttls", USER, CANARY)),
                      connect_to(main.ports, closed_port=bed.closed), deadline=6)
    assert run.result["verdict"] == "problem", run.explain()
    assert "tls.wrong_mode" in run.codes("incoming"), run.explain()
    assert run.seconds < 6 + 1.0, run.explain()


def test_smtp_starttls_on_the_implicit_tls_port(bed, md):
    run = md.diagnose(request(USER, outgoing=endpoint("smtp", 465, "starttls", USER, CANARY)),
                      connect_to(outgoing=bed._postfix.ports, closed_port=bed.closed), deadline=6)
    assert "tls.wrong_mode" in run.codes("outgoing"), run.explain()
    assert run.seconds < 6 + 1.0, run.explain()
