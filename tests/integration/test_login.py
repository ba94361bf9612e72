"""Logins against real Dovecot and Postfix: good, wrong password, no password, plaintext refused."""
from conftest import CANARY, USER
from maildoctor import connect_to, endpoint, request


def _errors(run):
    return [f for f in run.result.get("findings", []) if f.get("severity") == "error"]


def test_good_imap_login(bed, md):
    main = bed.dovecots["main"]
    run = md.diagnose(request(USER, incoming=endpoint("imap", 993, "tls", USER, CANARY)),
                      connect_to(main.ports, closed_port=bed.closed))
    assert run.result["verdict"] == "ok", run.explain()
    assert not _errors(run), run.explain()
    assert run.attempts == {"main/imap": 1}, run.explain()


def test_good_imap_login_over_starttls(bed, md):
    main = bed.dovecots["main"]
    run = md.diagnose(request(USER, incoming=endpoint("imap", 143, "starttls", USER, CANARY)),
                      connect_to(main.ports, closed_port=bed.closed))
    assert run.result["verdict"] == "ok", run.explain()
    assert run.attempts == {"main/imap": 1}, run.explain()


def test_good_pop3_login(bed, md):
    main = bed.dovecots["main"]
    run = md.diagnose(request(USER, incoming=endpoint("pop3", 995, "tls", USER, CANARY)),
                      connect_to(main.ports, closed_port=bed.closed))
    assert run.result["verdict"] == "ok", run.explain()
    assert not _errors(run), run.explain()
    assert run.attempts == {"main/pop3": 1}, run.explain()


def test_good_smtp_login(bed, md):
    run = md.diagnose(request(USER, outgoing=endpoint("smtp", 587, "starttls", USER, CANARY)),
                      connect_to(outgoing=bed._postfix.ports, closed_port=bed.closed))
    assert run.result["verdict"] == "ok", run.explain()
    assert not _errors(run), run.explain()
    assert run.attempts == {"main/smtp": 1}, run.explain()


def test_good_incoming_and_outgoing_together(bed, md):
    main = bed.dovecots["main"]
    run = md.diagnose(request(USER, incoming=endpoint("imap", 993, "tls", USER, CANARY),
                              outgoing=endpoint("smtp", 465, "tls", USER, CANARY)),
                      connect_to(main.ports, bed._postfix.ports, closed_port=bed.closed))
    assert run.result["verdict"] == "ok", run.explain()
    assert run.attempts == {"main/imap": 1, "main/smtp": 1}, run.explain()


def test_wrong_password_imap(fresh_dovecot, md, bed):
    dc = fresh_dovecot()
    run = md.diagnose(request(USER, incoming=endpoint("imap", 993, "tls", USER, "Wrong-Guess-31")),
                      connect_to(dc.ports, closed_port=bed.closed))
    assert run.result["verdict"] == "problem", run.explain()
    assert {"auth.wrong_password", "auth.failed"} & set(run.codes("incoming")), run.explain()
    assert run.attempts == {dc.name + "/imap": 1}, run.explain()
    evidence = " ".join(e for f in run.result["findings"] for e in f.get("evidence", []))
    assert "AUTHENTICATIONFAILED" in evidence, run.explain()


def test_wrong_password_pop3(fresh_dovecot, md, bed):
    dc = fresh_dovecot()
    run = md.diagnose(request(USER, incoming=endpoint("pop3", 995, "tls", USER, "Wrong-Guess-31")),
                      connect_to(dc.ports, closed_port=bed.closed))
    assert run.result["verdict"] == "problem", run.explain()
    assert {"auth.wrong_password", "auth.failed"} & set(run.codes("incoming")), run.explain()
    assert run.attempts == {dc.name + "/pop3": 1}, run.explain()


def test_wrong_password_smtp(md, bed):
    ports = {"submission": bed._postfix.ports["submission_wrong"]}
    run = md.diagnose(request(USER, outgoing=endpoint("smtp", 587, "starttls", USER, "Wrong-Guess-31")),
                      connect_to(outgoing=ports, closed_port=bed.closed))
    assert run.result["verdict"] == "problem", run.explain()
    assert {"auth.wrong_password", "auth.failed"} & set(run.codes("outgoing")), run.explain()
    assert run.attempts == {"smtpwrong/smtp": 1}, run.explain()
    evidence = " ".join(e for f in run.result["findings"] for e in f.get("evidence", []))
    assert "535" in evidence, run.explain()


def test_no_password_means_no_login(bed, md):
    main = bed.dovecots["main"]
    run = md.diagnose(request(USER, incoming=endpoint("imap", 993, "tls", USER),
                              outgoing=endpoint("smtp", 587, "starttls", USER)),
                      connect_to(main.ports, bed._postfix.ports, closed_port=bed.closed))
    assert run.attempts == {}, run.explain()
    assert run.result["verdict"] != "problem", run.explain()
    auth = [c for c in run.result.get("checks", []) if c.get("step") == "auth" and c.get("status") != "skip"]
    assert not auth, "an auth step ran without a password\n" + run.explain()


def test_login_false_means_no_login(bed, md):
    main = bed.dovecots["main"]
    run = md.diagnose(request(USER, incoming=endpoint("imap", 993, "tls", USER, CANARY), login=False),
                      connect_to(main.ports, closed_port=bed.closed))
    assert run.attempts == {}, run.explain()


def test_plaintext_login_disabled_before_tls(fresh_dovecot, md, bed):
    """security none on a port where Dovecot has disable_plaintext_auth: LOGINDISABLED."""
    dc = fresh_dovecot(disable_plaintext_auth=True)
    run = md.diagnose(request(USER, incoming=endpoint("imap", 143, "none", USER, CANARY)),
                      connect_to(dc.ports, closed_port=bed.closed))
    assert run.result["verdict"] == "problem", run.explain()
    assert "auth.tls_required" in run.codes("incoming"), run.explain()


def test_plaintext_pop3_disabled_before_tls(fresh_dovecot, md, bed):
    dc = fresh_dovecot(disable_plaintext_auth=True)
    run = md.diagnose(request(USER, incoming=endpoint("pop3", 110, "none", USER, CANARY)),
                      connect_to(dc.ports, closed_port=bed.closed))
    assert run.result["verdict"] == "problem", run.explain()
    assert "auth.tls_required" in run.codes("incoming"), run.explain()


def test_plaintext_smtp_refused_before_tls(md, bed):
    """Postfix with smtpd_tls_security_level=encrypt: no AUTH in EHLO before STARTTLS, 530 5.7.0."""
    run = md.diagnose(request(USER, outgoing=endpoint("smtp", 587, "none", USER, CANARY)),
                      connect_to(outgoing=bed._postfix.ports, closed_port=bed.closed))
    assert run.result["verdict"] == "problem", run.explain()
    assert "auth.tls_required" in run.codes("outgoing"), run.explain()
    assert run.attempts == {}, run.explain()
