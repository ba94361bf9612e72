"""OAuth2 in the real Thunderbird, offline (issue 14 item 4). Thunderbird's OAuth2 endpoints are fixed hosts, but
since Thunderbird 140 an add-on may register a provider (`oauth_provider` manifest key, OAuth2Providers.registerProvider):
tests/e2e/oauth_provider registers one for mail.example.test whose token endpoint is the test bed's
(tests/servers/introspect.py). The profile holds a refresh token for it where Thunderbird keeps one (login manager,
origin oauth://<issuer>, realm = scope), and an IMAP account on the test bed's Dovecot with `passdb oauth2`.

- "Test the sign-in" (the popup's message diagnose withToken): the experiment asks Thunderbird's OAuth2 module for an
  access token; Thunderbird refreshes at the test endpoint; the host logs in once with it (XOAUTH2/OAUTHBEARER) and
  the check is ok. Neither token is in the add-on's stored state.
- A refresh refused with Microsoft's conditional-access words: no login, auth.oauth_blocked_by_policy from the
  words the experiment read from Thunderbird's OAuth2 log.
Not run here: Thunderbird's interactive sign-in window (an "invalid_grant" makes Thunderbird open it; nothing drives
a provider's web page offline), so "Sign in again" is tested in the add-on's node tests only."""
import json
import os
import zipfile

import pytest

from tb_session import TEST_HOST, ThunderbirdSession

ARTIFACTS = os.environ.get("MAILDOCTOR_ARTIFACTS") or "/tmp"
HERE = os.path.dirname(os.path.abspath(__file__))
OAUTH_USER = "alice@example.test"
ISSUER = "e2e-oauth.example.test"
GOOD, BLOCKED = "account3", "account4"


def provider_xpi(path, intro):
    with open(os.path.join(HERE, "oauth_provider", "manifest.json.in")) as f:
        manifest = f.read().replace("@TOKEN@", intro.token_url).replace("@AUTHORIZE@", intro.url.replace("/introspect", "/authorize"))
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("manifest.json", manifest)


def oauth_account(n, port, user):
    """An IMAP account on mail.example.test over TLS that signs in with OAuth2 (nsMsgAuthMethod OAuth2 = 10)."""
    return {
        f"mail.account.account{n}.server": f"server{n}",
        f"mail.account.account{n}.identities": f"id{n}",
        f"mail.server.server{n}.type": "imap",
        f"mail.server.server{n}.hostname": TEST_HOST,
        f"mail.server.server{n}.port": port,
        f"mail.server.server{n}.userName": user,
        f"mail.server.server{n}.socketType": 3,
        f"mail.server.server{n}.authMethod": 10,
        f"mail.server.server{n}.name": f"E2E OAuth2 {n}",
        f"mail.server.server{n}.login_at_startup": False,
        f"mail.server.server{n}.check_new_mail": False,
        f"mail.identity.id{n}.useremail": user,
        f"mail.identity.id{n}.fullName": "E2E OAuth2",
        f"mail.identity.id{n}.valid": True,
    }


@pytest.fixture(scope="module")
def tb_oauth():
    session = ThunderbirdSession()

    def setup(s):
        s.oauth_dovecot = s.bed.dovecot("oauth", oauth2_user=OAUTH_USER)
        s.oauth_blocked_dovecot = s.bed.dovecot("oauthblocked", oauth2_user="boss@example.test")
        intro = s.oauth_dovecot.introspection
        extensions = os.path.join(s.dir, "profile", "extensions")
        os.makedirs(extensions, exist_ok=True)
        provider_xpi(os.path.join(extensions, "oauth-e2e@maildoctor.dev.xpi"), intro)
        # Where Thunderbird's OAuth2Module looks for a refresh token: origin oauth://<issuer>, the user, realm = scope.
        # Both accounts refresh at the one token endpoint the provider names (the first Dovecot's test bed endpoint).
        s.extra_logins += [(f"oauth://{ISSUER}", OAUTH_USER, intro.refresh_tokens["good"], "mail"),
                           (f"oauth://{ISSUER}", "boss@example.test", intro.refresh_tokens["blocked"], "mail")]
        prefs = {"mail.accountmanager.accounts": "account1,account2,account3,account4"}
        prefs.update(oauth_account(3, s.oauth_dovecot.ports["imaps"], OAUTH_USER))
        prefs.update(oauth_account(4, s.oauth_blocked_dovecot.ports["imaps"], "boss@example.test"))
        return prefs

    try:
        session.start(setup=setup)
        if not session.trusted_test_ca:
            pytest.skip("needs 80-e2e.sh's private mount namespace (mail.example.test in /etc/hosts, the test CA)")
        yield session
    finally:
        with open(os.path.join(ARTIFACTS, "e2e-oauth2.log"), "w") as f:
            f.write(session.log_text())
        session.close()


def _diagnose_with_token(tb, account):
    """The popup's own message for "Test the sign-in once", awaited: its answer is the entry of this very check (the
    popup's stale-check may run checks of its own without a token meanwhile)."""
    assert tb.script("open_popup.js").get("opened")
    entry = tb.popup("return await messenger.runtime.sendMessage({type: 'diagnose', accountId: arguments[0], withToken: true});", [account])
    assert entry and (entry.get("result") or entry.get("error")), json.dumps(entry)[:1500]
    return entry


def test_thunderbird_token_logs_in_once(tb_oauth):
    tb = tb_oauth
    assert tb.major >= 140, "oauth_provider needs Thunderbird 140+"
    intro = tb.oauth_dovecot.introspection
    mark = tb.bed.mark()
    asked_before = intro.asked.get("valid", 0)
    entry = _diagnose_with_token(tb, GOOD)
    assert entry.get("error") is None, entry
    assert entry["result"]["verdict"] == "ok", json.dumps(entry["result"])[:3000]
    assert intro.refreshed.get("good", 0) >= 1, intro.refreshed  # Thunderbird's module refreshed at the test endpoint
    assert intro.asked.get("valid", 0) == asked_before + 1, intro.asked  # the host's one login, judged by introspection
    assert tb.bed.attempts_since(mark) == {"oauth/imap": 1}
    stored = json.dumps(tb.script("read_state.js"))
    for secret in (intro.tokens["valid"], intro.refresh_tokens["good"]):
        assert secret not in stored and secret not in tb.log_text()


def test_refused_refresh_is_classified_without_a_login(tb_oauth):
    tb = tb_oauth
    mark = tb.bed.mark()
    entry = _diagnose_with_token(tb, BLOCKED)
    lead = next((f for f in entry["result"]["findings"] if f["severity"] == "error"), None)
    assert lead, json.dumps(entry)[:3000]
    assert lead["code"] == "auth.oauth_blocked_by_policy", json.dumps(entry["result"]["findings"])[:3000]
    assert "AADSTS53003" in lead["evidence"][0]
    assert lead["params"]["basis"] == "token_refresh"
    assert tb.oauth_dovecot.introspection.refreshed.get("blocked", 0) >= 1
    assert tb.bed.attempts_since(mark) == {}, "no login without a token"
    assert tb.oauth_blocked_dovecot.introspection.asked == {}
