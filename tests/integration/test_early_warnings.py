"""Early warnings (CONTRACT 2.4) through the real test bed: a certificate that ends within 14 days, and the announced
end of password sending at smtp.office365.com (host/data/cutoffs/microsoft365-smtp-basic-auth.json), on both sides
of its date. The binary's clock is moved with libfaketime; the servers keep the real one.

smtp.office365.com:587 is put on the bed's Postfix with --connect-to; that Postfix service serves a certificate for
the name from the bed's CA (conftest.py), so nothing but the name and the clock differ from a real account."""
import datetime
import json

from maildoctor import HOST, connect_to, endpoint, request

M365 = "smtp.office365.com"
CUTOFF = "microsoft365-smtp-basic-auth"
CUTOFF_DATE = datetime.date(2026, 12, 31)
USER = "alice@example.test"


def quiet(req):
    """The add-on's daily check: no password, no login, no alternatives."""
    req["options"].update({"login": False, "alternatives": False})
    return req


def warnings(run):
    return [f for f in run.result["findings"] if f["severity"] == "warning"]


def m365_pairs(bed, service):
    port = bed._postfix.ports[service]
    return ["%s:587:127.0.0.2:%d" % (M365, port), "%s:465:127.0.0.2:%d" % (M365, bed.closed)]


def m365_request(password=None):
    ep = endpoint("smtp", 587, "starttls", user=USER, password=password, host=M365)
    return request(USER, outgoing=ep, login=password is not None, alternatives=False)


def test_quiet_check_of_a_healthy_account_gives_no_warning_and_no_login(md, bed):
    req = quiet(request(USER, incoming=endpoint("imap", 993, "tls", user=USER),
                        outgoing=endpoint("smtp", 587, "starttls", user=USER)))
    run = md.diagnose(req, connect_to(bed.dovecots["main"].ports, bed._postfix.ports, closed_port=bed.closed))
    assert warnings(run) == [], run.explain()
    assert sum(run.attempts.values()) == 0, run.explain()
    # The quiet check still went through encryption and the certificate on both sides.
    passed = [(c["subject"], c["step"]) for c in run.result["checks"] if c["status"] == "pass"]
    for side in ("incoming", "outgoing"):
        assert any(s == side and "tls" in step for s, step in passed), run.explain()


def test_a_certificate_ending_in_ten_days_is_a_warning_without_any_login(md, bed, fresh_dovecot):
    end = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=10, hours=1)
    bed.pki.custom_leaf("ends_in_10_days", enddate=end.strftime("%Y%m%d%H%M%SZ"))
    dc = fresh_dovecot(cert="ends_in_10_days")
    req = quiet(request(USER, incoming=endpoint("imap", 993, "tls", user=USER)))
    run = md.diagnose(req, connect_to(dc.ports, closed_port=bed.closed))
    found = run.finding("tls.cert_expires_soon")
    assert found, run.explain()
    assert found["severity"] == "warning" and found["subject"] == "incoming"
    assert found["params"]["days_left"] == 10, run.explain()
    assert found["params"]["not_after"] == end.strftime("%Y-%m-%dT%H:%M:%SZ"), run.explain()
    assert run.result["verdict"] == "inconclusive"
    assert sum(run.attempts.values()) == 0, run.explain()
    assert dc.attempts() == 0


def test_the_expiry_warning_follows_the_local_clock(md, bed, fresh_dovecot):
    """A certificate with 40 days left: no warning today; with the clock 30 days on, 10 days left and the warning."""
    end = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=40, hours=1)
    bed.pki.custom_leaf("ends_in_40_days", enddate=end.strftime("%Y%m%d%H%M%SZ"))
    dc = fresh_dovecot(cert="ends_in_40_days")
    req = quiet(request(USER, incoming=endpoint("imap", 993, "tls", user=USER)))
    pairs = connect_to(dc.ports, closed_port=bed.closed)
    today = md.diagnose(req, pairs)
    assert today.finding("tls.cert_expires_soon") is None, today.explain()
    assert warnings(today) == [], today.explain()
    later = md.diagnose(req, pairs, clock="+30d")
    found = later.finding("tls.cert_expires_soon")
    assert found, later.explain()
    assert found["params"]["days_left"] == 10, later.explain()


def test_before_the_cutoff_the_quiet_check_warns_with_date_and_fix(md, bed):
    run = md.diagnose(m365_request(), m365_pairs(bed, "submission_m365"), clock="@2026-12-30 12:00:00")
    found = run.finding("config.cutoff_ahead")
    assert found, run.explain()
    p = found["params"]
    assert (found["severity"], found["subject"]) == ("warning", "outgoing")
    assert p["cutoff"] == CUTOFF and p["date"] == CUTOFF_DATE.isoformat() and p["days_left"] == 1, run.explain()
    assert p["provider"] == "Microsoft 365 / Exchange Online" and p["source"].startswith("https://")
    assert p["date_text"] == "the end of December 2026"
    kinds = {(f["kind"], f.get("setting"), json.dumps(f.get("value"))) for f in found["fixes"]}
    assert ("change_setting", "auth", '"oauth2"') in kinds, found["fixes"]
    assert any(f["kind"] == "open_url" and f["url"].startswith("https://") for f in found["fixes"])
    # Only the cut-off is wrong with this account: TLS to the name verified, nothing else to say.
    assert [f["code"] for f in warnings(run)] == ["config.cutoff_ahead"], run.explain()
    assert sum(run.attempts.values()) == 0, run.explain()


def test_today_the_cutoff_lies_ahead_too(md, bed):
    """The same without faketime: the real clock of the test run (the test bed's certificates are made today)."""
    run = md.diagnose(m365_request(), m365_pairs(bed, "submission_m365"))
    today = datetime.date.today()
    found = run.finding("config.cutoff_ahead")
    if today < CUTOFF_DATE:
        assert found and found["params"]["days_left"] == (CUTOFF_DATE - today).days, run.explain()
    else:
        assert found is None, run.explain()


def test_after_the_cutoff_no_warning_and_a_working_login_says_nothing_of_it(md, bed):
    pairs = m365_pairs(bed, "submission_m365")
    run = md.diagnose(m365_request(), pairs, clock="@2027-01-15 12:00:00")
    assert run.finding("config.cutoff_ahead") is None, run.explain()
    assert warnings(run) == [], run.explain()
    # The administrator kept password sending on: the login works, nothing is blamed on the cut-off.
    ok = md.diagnose(m365_request(md.secrets[USER]), pairs, clock="@2027-01-15 12:00:00")
    assert ok.result["verdict"] == "ok", ok.explain()
    assert not any(f["params"].get("explained_by") for f in ok.result["findings"]), ok.explain()


def test_after_the_cutoff_a_refused_login_is_explained_by_it(md, bed):
    run = md.diagnose(m365_request("Wrong-Pass-2027"), m365_pairs(bed, "submission_m365_wrong"),
                      clock="@2027-01-15 12:00:00")
    assert run.result["verdict"] == "problem", run.explain()
    assert run.finding("config.cutoff_ahead") is None, run.explain()
    explained = [f for f in run.result["findings"] if f["params"].get("explained_by") == "cutoff"]
    assert len(explained) == 1, run.explain()
    f = explained[0]
    assert f["severity"] == "error" and f["subject"] == "outgoing" and f["code"].startswith("auth."), run.explain()
    assert f["params"]["cutoff"] == CUTOFF and f["params"]["cutoff_date"] == "2026-12-31"
    assert "announced end" in f["detail"]
    assert any(x.get("setting") == "auth" and x.get("value") == "oauth2" for x in f["fixes"]), f["fixes"]
    assert sum(run.attempts.values()) == 1, run.explain()
