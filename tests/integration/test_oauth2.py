"""OAuth2 logins against real Dovecot (`passdb oauth2`, built into Debian 12's dovecot-core) whose tokens a
token-introspection endpoint of the test bed judges (tests/servers/introspect.py): a valid token logs in, an expired
one and one without the mail scope are refused with the server's OAUTHBEARER / XOAUTH2 error. Each case has a
Dovecot of its own (a failed login slows later ones from the same address); they start only with this module."""
import base64
import json

import pytest

from conftest import USER
from maildoctor import connect_to, request

INCOMING = {"imaps": "imaps", "imap": "imap", "pop3s": "pop3s", "pop3": "pop3"}


def oauth_endpoint(protocol, port, security, token=None, oauth_error=None):
    ep = {"protocol": protocol, "host": "mail.example.test", "port": port, "security": security, "username": USER,
          "auth": "oauth2"}
    if token is not None:
        ep["access_token"] = token
    if oauth_error is not None:
        ep["oauth_error"] = oauth_error
    return ep


@pytest.fixture(scope="module")
def oauth(bed):
    """name -> Dovecot: "both" offers XOAUTH2 and OAUTHBEARER, "x" only XOAUTH2; one instance per failing case."""
    out = {}
    for name, mechs in (("good", "xoauth2 oauthbearer"), ("goodx", "xoauth2"), ("expired", "xoauth2 oauthbearer"),
                        ("expiredx", "xoauth2"), ("scope", "xoauth2 oauthbearer"), ("pop", "xoauth2 oauthbearer")):
        out[name] = bed.dovecot("oauth-" + name, oauth2_user=USER, oauth2_mechanisms=mechs)
    return out


def _diagnose(bed, md, dc, ep):
    run = md.diagnose(request(USER, incoming=ep, alternatives=False), connect_to(dc.ports, closed_port=bed.closed))
    token = ep.get("access_token")
    if token:
        # The token in none of its forms, not in the transcript of the SASL exchange either.
        assert token not in run.stdout + run.stderr, run.explain()
        for line in run.result["transcript"]:
            if line["dir"] == "C" and ("AUTHENTICATE" in line["line"] or line["line"].startswith("AUTH")):
                assert line["line"].endswith("<redacted>") or line["line"].split()[-1] in ("XOAUTH2", "OAUTHBEARER"), run.explain()
    return run


def _first_error(run):
    return next(f for f in run.result["findings"] if f["severity"] == "error")


@pytest.mark.parametrize("name,mech", [("good", "OAUTHBEARER"), ("goodx", "XOAUTH2")])
def test_valid_token_logs_in(bed, md, oauth, name, mech):
    dc = oauth[name]
    run = _diagnose(bed, md, dc, oauth_endpoint("imap", 993, "tls", dc.introspection.tokens["valid"]))
    assert run.result["verdict"] == "ok", run.explain()
    assert run.attempts == {"oauth-%s/imap" % name: 1}, run.explain()
    assert dc.introspection.asked == {"valid": 1}, dc.introspection.asked
    assert any(("AUTHENTICATE " + mech) in t["line"] for t in run.result["transcript"]), run.explain()


def test_valid_token_pop3(bed, md, oauth):
    dc = oauth["pop"]
    run = _diagnose(bed, md, dc, oauth_endpoint("pop3", 995, "tls", dc.introspection.tokens["valid"]))
    assert run.result["verdict"] == "ok", run.explain()
    assert run.attempts == {"oauth-pop/pop3": 1}, run.explain()


@pytest.mark.parametrize("name,mech,challenge", [
    ("expired", "OAUTHBEARER", {"status": "invalid_token"}),                            # RFC 7628's form
    ("expiredx", "XOAUTH2", {"status": "401", "schemes": "bearer", "scope": "mail"})])  # Gmail's documented form
def test_expired_token_asks_to_sign_in_again(bed, md, oauth, name, mech, challenge):
    dc = oauth[name]
    run = _diagnose(bed, md, dc, oauth_endpoint("imap", 993, "tls", dc.introspection.tokens["expired"]))
    f = _first_error(run)
    assert f["code"] == "auth.oauth_signin_required", run.explain()
    assert f["rule"] == "oauth.server-json-refused", run.explain()
    # Dovecot's failure challenge, decoded. For XOAUTH2 libcurl ends the exchange at that challenge (the auth check
    # says the exchange did not finish); the challenge still decides.
    assert f["params"]["oauth2_error"] == challenge, run.explain()
    assert any(x["kind"] == "oauth_signin" and x["subject"] == "incoming" for x in f["fixes"]), run.explain()
    assert any(line.startswith("+ ") for line in f["evidence"]), run.explain()
    assert run.attempts == {"oauth-%s/imap" % name: 1}, run.explain()
    assert dc.introspection.asked == {"expired": 1}, dc.introspection.asked
    assert any(("AUTHENTICATE " + mech) in t["line"] for t in run.result["transcript"]), run.explain()


def test_token_without_mail_scope_is_refused(bed, md, oauth):
    """Dovecot answers a token without its scope with the same invalid_token as an expired one (its log says "Token is
    not valid for scope"): the finding says sign in again and keeps consent among the possible causes."""
    dc = oauth["scope"]
    run = _diagnose(bed, md, dc, oauth_endpoint("imap", 993, "tls", dc.introspection.tokens["wrong_scope"]))
    f = _first_error(run)
    assert f["code"] == "auth.oauth_signin_required", run.explain()
    assert "auth.oauth_consent_required" in f["params"]["possible_causes"], run.explain()
    assert dc.introspection.asked == {"wrong_scope": 1}, dc.introspection.asked
    assert run.attempts == {"oauth-scope/imap": 1}, run.explain()


def test_refresh_failure_is_classified_without_a_login(bed, md, oauth):
    """No token: Thunderbird's refresh failed. The server is probed without credentials; the cause comes from the
    refresh's words (Microsoft's documented AADSTS53003 text)."""
    dc = oauth["good"]
    before = dict(dc.introspection.asked)
    said = ("invalid_grant: AADSTS53003: Access has been blocked by Conditional Access policies. "
            "The access policy does not allow token issuance.")
    run = _diagnose(bed, md, dc, oauth_endpoint("imap", 993, "tls", oauth_error=said))
    f = _first_error(run)
    assert f["code"] == "auth.oauth_blocked_by_policy", run.explain()
    assert f["params"]["basis"] == "token_refresh" and f["params"]["stage"] == "token", run.explain()
    assert f["evidence"] == [said], run.explain()
    assert run.attempts == {}, run.explain()
    assert dc.introspection.asked == before


def test_no_token_offers_the_token_test(bed, md, oauth):
    """Thunderbird saw the login fail and no token came with the request: the action is a token test, not a password."""
    dc = oauth["good"]
    req = request(USER, incoming=oauth_endpoint("imap", 993, "tls"), alternatives=False)
    req["observed_error"] = "Login to server mail.example.test with username %s failed." % USER
    run = md.diagnose(req, connect_to(dc.ports, closed_port=bed.closed))
    f = next(f for f in run.result["findings"] if f["code"] == "auth.not_tested")
    assert f["params"]["action"] == "test_token", run.explain()
    assert run.attempts == {}, run.explain()


def test_cli_token_stdin(bed, md, oauth):
    """--token-stdin: the token comes on stdin, never on the command line."""
    dc = oauth["goodx"]
    token = dc.introspection.tokens["valid"]
    args = ["diagnose", "--json", "--email", USER, "--imap", "mail.example.test:993", "--incoming-security", "tls",
            "--auth", "oauth2", "--token-stdin", "--no-alternatives"] + md.common_args(connect_to(dc.ports, closed_port=bed.closed))
    run = md.run(args, token + "\n", 6.0, secrets=[(USER, token)])
    assert run.result["verdict"] == "ok", run.explain()
    assert run.attempts == {"oauth-goodx/imap": 1}, run.explain()
    xoauth2 = base64.b64encode(("user=%s\x01auth=Bearer %s\x01\x01" % (USER, token)).encode()).decode()
    assert xoauth2 not in run.stdout + run.stderr and token not in json.dumps(run.result)


@pytest.mark.parametrize("service,kind", [("submission_oauth", "valid"), ("submission_oauth_bad", "expired")])
def test_smtp_through_postfix(bed, md, service, kind):
    """Postfix's SMTP AUTH with Dovecot's passdb oauth2 behind it: the token goes to the submission port once."""
    dc = bed.dovecots["oauthsmtp" if kind == "valid" else "oauthsmtpbad"]
    token = dc.introspection.tokens[kind]
    ep = {"protocol": "smtp", "host": "mail.example.test", "port": 587, "security": "starttls", "username": USER,
          "auth": "oauth2", "access_token": token}
    run = md.diagnose(request(USER, outgoing=ep, alternatives=False),
                      connect_to(outgoing={"submission": bed._postfix.ports[service]}, closed_port=bed.closed))
    assert token not in run.stdout + run.stderr
    assert list(run.attempts.values()) == [1], run.explain()
    if kind == "valid":
        assert run.result["verdict"] == "ok", run.explain()
    else:
        f = _first_error(run)
        assert f["code"] == "auth.oauth_signin_required", run.explain()
        assert f["params"]["oauth2_error"]["status"] in ("401", "invalid_token"), run.explain()
