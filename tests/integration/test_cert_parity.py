"""Issue 14, items 2 and 3, against the test bed's real Dovecot and Postfix: Thunderbird's certificate exception
(cert_override / --cert-override), a chain from an intercepting security program (a test CA named like Avast's
mail shield root stands for the product), and this computer's clock moved with libfaketime while the servers keep
the real one."""
import email.utils
import json
import subprocess

from conftest import CANARY, USER
from maildoctor import binary, connect_to, endpoint, request

THREE_YEARS = "+1095d"


def sha256(cert_path):
    out = subprocess.run(["openssl", "x509", "-in", cert_path, "-noout", "-fingerprint", "-sha256"],
                         capture_output=True, text=True, check=True).stdout
    return out.strip().split("=", 1)[1]


def test_a_clock_three_years_ahead_is_named_first_not_the_servers_certificates(md, bed, fresh_dovecot):
    # Incoming and outgoing serve different certificates from the bed's CA, both sound today.
    bed.pki.custom_leaf("clock_imap")
    dc = fresh_dovecot(cert="clock_imap")
    req = request(USER, incoming=endpoint("imap", 993, "tls", USER, CANARY), outgoing=endpoint("smtp", 465, "tls", USER, CANARY))
    pairs = connect_to(dc.ports, bed._postfix.ports, closed_port=bed.closed)
    today = md.diagnose(req, pairs)
    assert today.finding("config.clock_wrong") is None, today.explain()
    later = md.diagnose(req, pairs, clock=THREE_YEARS)
    first = later.result["findings"][0]
    assert first["code"] == "config.clock_wrong", later.explain()
    assert first["subject"] == "account" and first["severity"] == "error"
    p = first["params"]
    assert p["ahead"] is True and p["basis"] == ["certificates"], later.explain()
    # The leaves run 825 days: the clock is at least 1095 - 825 days ahead, as far as certificates can tell.
    assert 269 * 86400 <= p["offset_at_least_seconds"] <= 271 * 86400, later.explain()
    assert "tls.cert_expired" not in later.codes(), later.explain()
    assert later.attempts == {}, "a password went out over a chain this clock cannot verify\n" + later.explain()


def test_one_expired_certificate_with_the_other_server_fine_stays_the_servers_fault(md, bed):
    req = request(USER, incoming=endpoint("imap", 993, "tls", USER, CANARY), outgoing=endpoint("smtp", 465, "tls", USER, CANARY))
    run = md.diagnose(req, connect_to(bed.dovecots["expired"].ports, bed._postfix.ports, closed_port=bed.closed))
    assert run.finding("config.clock_wrong") is None, run.explain()
    assert "tls.cert_expired" in run.codes("incoming"), run.explain()


def test_thunderbirds_exception_for_a_self_signed_server_lets_the_login_go_ahead(md, bed, fresh_dovecot):
    dc = fresh_dovecot(cert="self_signed")
    fp = sha256(bed.pki.leaf("self_signed")[0])
    ep = endpoint("imap", 993, "tls", USER, CANARY)
    ep["cert_override"] = {"sha256": fp}
    run = md.diagnose(request(USER, incoming=ep), connect_to(dc.ports, closed_port=bed.closed))
    accepted = run.finding("tls.cert_override_accepted")
    assert accepted and accepted["severity"] == "info", run.explain()
    assert accepted["params"]["faults"] == ["self_signed"] and accepted["params"]["sha256"] == fp
    assert accepted["fixes"] == []
    assert "tls.cert_self_signed" not in run.codes(), run.explain()
    assert run.result["verdict"] == "ok", run.explain()
    assert dc.attempts() == 1, run.explain()


def test_the_cli_flag_passes_the_exception_and_another_certificate_is_still_refused(md, bed, fresh_dovecot):
    dc = fresh_dovecot(cert="self_signed")
    fp = sha256(bed.pki.leaf("self_signed")[0])
    req = request(USER, incoming=endpoint("imap", 993, "tls", USER, CANARY))
    pairs = connect_to(dc.ports, closed_port=bed.closed)
    ok = md.diagnose(req, pairs, extra_args=["--cert-override", "mail.example.test:993=" + fp])
    assert ok.finding("tls.cert_override_accepted"), ok.explain()
    # An exception for a certificate the server no longer has: the usual error, no password.
    other = fp[:-2] + ("00" if not fp.endswith("00") else "11")
    run = md.diagnose(req, pairs, extra_args=["--cert-override", "mail.example.test:993=" + other])
    bad = run.finding("tls.cert_self_signed")
    assert bad and bad["params"]["exception_for_other_certificate"] is True, run.explain()
    assert run.finding("tls.cert_override_accepted") is None
    assert dc.attempts() == 1, "only the run with the matching exception may log in\n" + run.explain()
    # The exception belongs to port 993 only: naming another port is refused, not applied.
    refused = subprocess.run([binary(), "diagnose", "--json", "--request", "-", "--cert-override",
                              "mail.example.test:143=" + fp] + md.common_args(pairs),
                             input=json.dumps(req), capture_output=True, text=True, timeout=20)
    assert refused.returncode == 2, refused
    assert "--cert-override" in refused.stderr and CANARY not in refused.stdout + refused.stderr


def test_a_mail_shield_chain_is_named_as_the_program_with_its_fix(md, bed, fresh_dovecot):
    bed.pki.foreign_leaf("avast_shield", r"/CN=Avast Web\/Mail Shield Root/O=Avast Web\/Mail Shield")
    dc = fresh_dovecot(cert="avast_shield")
    run = md.diagnose(request(USER, incoming=endpoint("imap", 993, "tls", USER, CANARY)),
                      connect_to(dc.ports, closed_port=bed.closed))
    f = run.finding("tls.intercepted")
    assert f and f["severity"] == "error" and f["subject"] == "incoming", run.explain()
    assert f["params"]["product"] == "Avast Mail Shield" and f["params"]["product_id"] == "avast"
    assert all(s["url"].startswith("https://") for s in f["params"]["sources"])
    assert "Avast" in f["title"] and "full certificate chain" not in f["detail"]
    assert [x["kind"] for x in f["fixes"]] == ["steps"], f["fixes"]
    assert "tls.cert_untrusted" not in run.codes() and "tls.cert_self_signed" not in run.codes(), run.explain()
    assert run.result["findings"][0]["code"] == "tls.intercepted", run.explain()
    assert run.attempts == {}, run.explain()


def test_a_mail_shield_this_computer_trusts_is_only_information(md, bed, fresh_dovecot, tmp_path):
    """The product's root in the trust store (as on a Windows machine where the antivirus installed it): the chain
    verifies and the login works; the interception is told, as info, for when Thunderbird's own store lacks it."""
    bed.pki.foreign_leaf("avast_trusted", r"/CN=Avast Web\/Mail Shield Root/O=Avast Web\/Mail Shield")
    dc = fresh_dovecot(cert="avast_trusted")
    bundle = tmp_path / "trust.pem"
    bundle.write_text(open(bed.pki.root_cert).read() + open(bed.pki.ca_cert("avast_trusted")).read())
    run = md.diagnose(request(USER, incoming=endpoint("imap", 993, "tls", USER, CANARY)),
                      connect_to(dc.ports, closed_port=bed.closed), cacert=False, extra_args=["--cacert", str(bundle)])
    f = run.finding("tls.intercepted")
    assert f and f["severity"] == "info", run.explain()
    assert run.result["verdict"] == "ok", run.explain()
    assert dc.attempts() == 1, run.explain()


def test_one_server_whose_greeting_carries_its_date_measures_the_clock(md, bed, fresh_dovecot):
    """One certificate alone cannot tell a wrong clock from a neglected server; a server that writes its date into
    its greeting (as Sendmail, Exim and Exchange do; this Dovecot's greeting is set so) measures it."""
    bed.pki.custom_leaf("clock_dated")
    dc = fresh_dovecot(cert="clock_dated", extra="login_greeting = mail.example.test ready; " +
                       email.utils.formatdate(usegmt=True))
    req = request(USER, incoming=endpoint("imap", 993, "tls", USER, CANARY))
    pairs = connect_to(dc.ports, closed_port=bed.closed)
    run = md.diagnose(req, pairs, clock=THREE_YEARS)
    first = run.result["findings"][0]
    assert first["code"] == "config.clock_wrong", run.explain()
    p = first["params"]
    assert "server_date" in p["basis"] and "certificates" in p["basis"], run.explain()
    # 1095 days, less the minutes since the greeting's date was written.
    assert abs(p["offset_seconds"] - 1095 * 86400) < 3600, run.explain()
    assert p["offset_text"] == "about 3 years"
    assert "tls.cert_expired" not in run.codes(), run.explain()
    assert run.attempts == {}, run.explain()
    # Without the date the same single server is, as far as anything can tell, the server's fault.
    plain = fresh_dovecot(cert="clock_dated")
    alone = md.diagnose(req, connect_to(plain.ports, closed_port=bed.closed), clock=THREE_YEARS)
    assert alone.finding("config.clock_wrong") is None and "tls.cert_expired" in alone.codes(), alone.explain()
