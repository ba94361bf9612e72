"""The flag form of the CLI (CONTRACT section 4): --password-stdin, and the readable report."""
from conftest import CANARY, USER
from maildoctor import connect_to


def _flags(md, bed, dovecot, *more):
    return (["diagnose", "--email", USER, "--imap", "mail.example.test:993", "--incoming-security", "tls",
             "--user", USER] + list(more)
            + md.common_args(connect_to(dovecot.ports, closed_port=bed.closed), deadline=8))


def test_flags_with_password_on_stdin(bed, md):
    run = md.run(_flags(md, bed, bed.dovecots["main"], "--password-stdin", "--json"), CANARY + "\n", 8)
    assert run.result["verdict"] == "ok", run.explain()
    assert run.attempts == {"main/imap": 1}, run.explain()


def test_readable_report_of_a_good_account(bed, md):
    run = md.run(_flags(md, bed, bed.dovecots["main"], "--password-stdin"), CANARY + "\n", 8, as_json=False)
    assert run.rc == 0, run.explain()
    assert run.stdout.strip() and not run.stdout.lstrip().startswith("{"), run.explain()
    assert run.attempts == {"main/imap": 1}, run.explain()


def test_readable_report_of_a_wrong_password(bed, md, fresh_dovecot):
    dc = fresh_dovecot()
    wrong = "Wrong-Guess-55"
    run = md.run(_flags(md, bed, dc, "--password-stdin"), wrong + "\n", 8, as_json=False, secrets=[(USER, wrong)])
    assert run.rc == 1, run.explain()
    assert "AUTHENTICATIONFAILED" in run.stdout, "the server's reply should reach the reader\n" + run.explain()
    assert run.attempts == {dc.name + "/imap": 1}, run.explain()


def test_no_login_flag(bed, md):
    run = md.run(_flags(md, bed, bed.dovecots["main"], "--password-stdin", "--no-login", "--json"), CANARY + "\n", 8)
    assert run.attempts == {}, run.explain()


def test_observed_login_failure_on_an_unknown_server_offers_one_test_login(bed, md):
    # The local Dovecot is no known provider: nothing tells why Thunderbird's login failed, so the answer is the
    # action that would settle it (CONTRACT 2.1), and no login is tried for it.
    text = "Login to server mail.example.test with username %s failed." % USER
    run = md.run(_flags(md, bed, bed.dovecots["main"], "--no-login", "--observed-error", text, "--json"), "", 8)
    assert run.attempts == {}, run.explain()
    assert run.result["verdict"] == "inconclusive", run.explain()
    first = run.result["findings"][0]
    assert first["code"] == "auth.not_tested" and first["severity"] == "warning", run.explain()
    assert first["params"]["action"] == "test_password" and first["params"]["observed_failure"] is True, run.explain()
    assert first["evidence"] == [text], run.explain()
