"""Issue 14 in the real Thunderbird 153: Thunderbird set to a manual SOCKS5 proxy with remote DNS (its Connection
Settings: network.proxy.socks*, socks_version 5, remote DNS on), a microsocks on loopback. The account's server name is
known only to the proxy (microsocks resolves it from its own /etc/hosts, tests/servers/socks.py), so Thunderbird's own
login and the add-on's diagnosis can reach the server only through the proxy. Then the proxy's port is changed to one
nothing listens on: the add-on's first finding is net.proxy_failed. Its own Thunderbird; runs inside
`unshare --net --mount` (tests/suites/80-e2e.sh): only loopback exists, and the HTTP(S) proxy black hole of
profile.py stays in place."""
import json
import os
import time

import pytest

from tb_session import ROOT, WRONG_PASSWORD, logged_session

ARTIFACTS = os.environ.get("MAILDOCTOR_ARTIFACTS") or "/tmp"
os.makedirs(ARTIFACTS, exist_ok=True)
ACCOUNT = "account1"
# Only the proxy resolves this name (to the "tb" Dovecot on 127.0.0.2); nothing else in the namespace knows it.
PROXY_ONLY_HOST = "mail.proxy-only.test"
# microsocks' outgoing address: what Dovecot sees as the client when a connection came through the proxy.
PROXY_SOURCE = "127.0.0.3"
SERVER_WORDS = "Authentication failed."

with open(os.path.join(ROOT, "extension", "_locales", "en", "messages.json")) as f:
    MESSAGES = {k: v["message"] for k, v in json.load(f).items()}
CONTENT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scripts", "content")


def content_script(name):
    with open(os.path.join(CONTENT, name)) as f:
        return f.read()


def socks_proxy(session):
    """The proxy, started before Thunderbird, and Thunderbird's prefs for it (as its Connection Settings write them)."""
    session.socks = session.bed.socks("socks", hosts={PROXY_ONLY_HOST: "127.0.0.2"}, bind_addr=PROXY_SOURCE)
    return {
        "network.proxy.socks": session.socks.addr,
        "network.proxy.socks_port": session.socks.port,
        "network.proxy.socks_version": 5,
        "network.proxy.socks_remote_dns": True,
        "network.proxy.socks5_remote_dns": True,
    }


@pytest.fixture(scope="module")
def tb():
    with logged_session(ARTIFACTS, "proxy", setup=socks_proxy, incoming_host=PROXY_ONLY_HOST) as session:
        yield session


def account_state(tb):
    state = tb.script("read_state.js")
    assert state.get("addon"), f"add-on not running: {state}"
    return (state.get("states") or {}).get(ACCOUNT)


def wait_for_diagnosis(tb, done, what, timeout=60):
    deadline = time.monotonic() + timeout
    entry = None
    while time.monotonic() < deadline:
        entry = account_state(tb)
        if entry and not entry.get("checking") and (entry.get("result") or entry.get("error")) and done(entry):
            return entry
        time.sleep(0.5)
    pytest.fail(f"no {what} within {timeout} s; last state: {json.dumps(entry)[:2000]}")


def read_card_when(tb, done, timeout=15):
    """The popup re-renders on the background's stateChanged message, a moment after the state is stored."""
    deadline = time.monotonic() + timeout
    while True:
        view = tb.popup(content_script("read_popup.js"))
        card = next((c for c in view["cards"] if c["account"] == ACCOUNT), None)
        if card and done(card):
            return view, card
        assert time.monotonic() < deadline, f"the popup did not show the expected card: {view['bodyText'][:1500]}"
        time.sleep(0.2)


def open_popup(tb):
    opened = tb.script("open_popup.js")
    assert opened.get("opened"), opened


def logins_since(tb, counter_mark):
    """Every login attempt Dovecot's auth process saw since counter_mark, with the client address it saw."""
    return [{"remote": e["remote"], "instance": e["instance"]} for e in tb.bed.counter.snapshot()["events"][counter_mark:]]


@pytest.fixture(scope="module")
def login_failed(tb):
    """Thunderbird's own login through the proxy with the wrong saved password, and the add-on's automatic diagnosis."""
    mark = tb.bed.mark()
    tb.trigger_login(ACCOUNT)
    entry = wait_for_diagnosis(tb, lambda e: e.get("trigger") == "login-failure", "diagnosis of the login failure")
    # From here on only the add-on's host connects: Thunderbird's own retries would mix with its connections.
    assert tb.script("offline.js", [True])["offline"] is True
    with open(os.path.join(ARTIFACTS, "e2e-proxy-account-state.json"), "w") as f:
        json.dump(entry, f, indent=1)
    return entry, mark


def test_thunderbird_and_the_automatic_diagnosis_reach_the_server_through_the_proxy(tb, login_failed):
    entry, mark = login_failed
    prefs = tb.script("proxy_prefs.js", [None])
    assert (prefs["type"], prefs["version"], prefs["remoteDns"]) == (1, 5, True), prefs
    # Thunderbird itself logged in through the proxy: the server's name exists only there, and Dovecot saw the
    # proxy's address.
    prompts = tb.prompts()
    assert any(f"Login to server {PROXY_ONLY_HOST} with username" in p["text"] for p in prompts), prompts
    logins = logins_since(tb, mark.counter_mark)
    assert logins and all(e["remote"] == PROXY_SOURCE for e in logins), logins
    # The add-on's diagnosis, on the built-in settings (no password), went the same way.
    assert entry.get("error") is None, entry.get("error")
    assert entry["usedPassword"] is False
    result = entry["result"]
    codes = [f["code"] for f in result["findings"]]
    assert not [c for c in codes if c.startswith(("dns.", "net."))], f"the server must be reached through the proxy: {codes}"
    lead = next((f for f in result["findings"] if f.get("severity") in ("error", "warning")), None)
    assert lead and lead.get("params", {}).get("inferred") is True, result["findings"]
    # The host's own evidence: no local lookup (the name was left to the proxy), every connection through it.
    dns = [c for c in result["checks"] if c["step"] == "dns"]
    assert dns and all(c["status"] == "skip" and "left to the proxy" in c["detail"] for c in dns), dns
    connects = [c for c in result["checks"] if c["step"] == "connect"]
    through = f"through the proxy {tb.socks.addr}:{tb.socks.port}"
    # Every connection, the probes of other ports too (closed ones come back as "refused through the proxy").
    assert connects and all(through in c["detail"] for c in connects), connects
    assert [c for c in connects if not c.get("alternative") and c["status"] == "pass"], connects
    # And the proxy's own log has the connections to the name only it knows.
    target = f"{PROXY_ONLY_HOST}:{tb.dovecot.ports['imap']}"
    assert target in tb.socks.connections_since(0), tb.socks.logs()[-2000:]
    assert WRONG_PASSWORD not in json.dumps(entry)


def test_consent_logs_in_once_through_the_proxy(tb, login_failed):
    """Thunderbird is offline now: every connection the proxy makes is the host's. The user's one consent gives one
    login at Dovecot, from the proxy's address, and Dovecot's own words."""
    open_popup(tb)
    consent = [MESSAGES["testPasswordOnceButton"], MESSAGES["testPasswordButton"]]
    read_card_when(tb, lambda c: any(b["text"] in consent for b in c["buttons"]))
    mark = tb.bed.mark()
    offset = tb.socks.log_offset()
    assert tb.popup(content_script("click.js"), [ACCOUNT, consent]).get("clicked")
    entry = wait_for_diagnosis(tb, lambda e: e.get("usedPassword") is True and e.get("trigger") == "popup", "the consented check")
    assert tb.bed.attempts_since(mark) == {"tb/imap": 1}
    assert logins_since(tb, mark.counter_mark) == [{"remote": PROXY_SOURCE, "instance": "tb"}]
    target = f"{PROXY_ONLY_HOST}:{tb.dovecot.ports['imap']}"
    through = tb.socks.connections_since(offset)
    assert through and target in through, tb.socks.logs()[-2000:]
    lead = next(f for f in entry["result"]["findings"] if f.get("severity") == "error")
    assert lead["code"] == "auth.wrong_password", [f["code"] for f in entry["result"]["findings"]]
    view, card = read_card_when(tb, lambda c: c["status"] == MESSAGES["statusProblem"])
    assert card["findings"][0]["code"] == "auth.wrong_password"
    assert any(f["evidence"] and SERVER_WORDS in f["evidence"] for f in card["findings"]), card["findings"]
    assert WRONG_PASSWORD not in view["bodyText"] and WRONG_PASSWORD not in json.dumps(entry)


def test_a_proxy_that_refuses_is_the_first_finding_the_popup_shows(tb, login_failed):
    """The user's proxy moves to a port where nothing listens (Thunderbird's Connection Settings, as prefs); the
    popup's Diagnose: net.proxy_failed ("refused") leads, no server is blamed, nothing reaches Dovecot."""
    closed = tb.bed.closed_port()
    assert tb.script("proxy_prefs.js", [{"port": closed}])["port"] == closed
    before = account_state(tb)["startedAt"]
    mark = tb.bed.mark()
    offset = tb.socks.log_offset()
    open_popup(tb)
    read_card_when(tb, lambda c: any(b["text"] == MESSAGES["buttonDiagnose"] and not b["disabled"] for b in c["buttons"]))
    assert tb.popup(content_script("click.js"), [ACCOUNT, MESSAGES["buttonDiagnose"]]).get("clicked")
    entry = wait_for_diagnosis(tb, lambda e: e.get("trigger") == "popup" and e["startedAt"] > before, "the check through the refusing proxy")
    first = entry["result"]["findings"][0]
    assert first["code"] == "net.proxy_failed", [f["code"] for f in entry["result"]["findings"]]
    assert (first["params"]["failed"], first["params"]["proxy"]) == ("refused", f"{tb.socks.addr}:{closed}"), first["params"]
    assert [f for f in entry["result"]["findings"] if f.get("severity") == "error"] == [first], entry["result"]["findings"]
    assert tb.bed.attempts_since(mark) == {} and tb.socks.connections_since(offset) == []
    view, card = read_card_when(tb, lambda c: c["findings"] and c["findings"][0]["code"] == "net.proxy_failed")
    assert card["status"] == MESSAGES["statusProblem"], card["status"]
    assert card["findings"][0]["title"] == first["title"], (card["findings"][0], first)
    tb.popup_pngs(os.path.join(ARTIFACTS, "e2e-popup-proxy-failed"))
