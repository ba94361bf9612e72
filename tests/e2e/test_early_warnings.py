"""Issue 16 in the real Thunderbird 153: the quiet check at start-up warns of a certificate that expires within
14 days without any login, and the retry guard pauses Thunderbird's own checks after the server refused the saved
password, until a new password is saved. Runs inside `unshare --net --mount` (tests/suites/80-e2e.sh): only loopback
exists, and the mount namespace lets the test give the host the test bed's name and CA (see quiet_account)."""
import datetime
import json
import os
import subprocess
import tempfile
import time

import pytest

from tb_session import ROOT, WRONG_PASSWORD, logged_session

ARTIFACTS = os.environ.get("MAILDOCTOR_ARTIFACTS") or "/tmp"
os.makedirs(ARTIFACTS, exist_ok=True)
ACCOUNT = "account1"  # plain IMAP on the "tb" Dovecot, wrong saved password (tb_session)
QUIET = "account3"    # IMAP over TLS on the "early" Dovecot, whose certificate ends in 7 days; never logs in
QUIET_NAME = "Early Mail"
# Thunderbird checks the paused account every minute unless the pause holds: a window a little longer than that
# interval must see no login at all.
CHECK_MINUTES = 1
WINDOW_S = 65

with open(os.path.join(ROOT, "extension", "_locales", "en", "messages.json")) as f:
    MESSAGES = {k: v["message"] for k, v in json.load(f).items()}
CONTENT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scripts", "content")


def content_script(name):
    with open(os.path.join(CONTENT, name)) as f:
        return f.read()


def bind_mount(session, source, target):
    subprocess.run(["mount", "--bind", source, target], check=True)
    # Undone by session.close(): a later module in this namespace cannot bind over a bind of a deleted file (its
    # source lives in the session's folder), and the proxy module's microsocks binds its own /etc/hosts.
    session.mounts.append(target)


def quiet_account(session):
    """The second mail account and its server, made before Thunderbird starts. The host the add-on starts resolves
    names with c-ares (which reads /etc/hosts) and verifies certificates against Debian's bundle, as for a user; in
    this test's own mount namespace /etc/hosts names mail.example.test and the bundle holds the test bed's root CA."""
    # The bind mounts below must not reach the machine: only inside the suite's own mount namespace.
    if os.environ.get("MAILDOCTOR_E2E_OWN_MOUNTS") != "1":
        pytest.fail("run inside its own mount namespace (tests/suites/80-e2e.sh: unshare --net --mount)")
    bed = session.bed
    ends = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=7)
    bed.pki.custom_leaf("expires_soon", enddate=ends.strftime("%Y%m%d%H%M%SZ"))
    session.early = bed.dovecot("early", cert="expires_soon")
    session.early_mark = bed.mark()
    session.early_log_offset = session.early.log_offset()
    etc = tempfile.mkdtemp(prefix="etc-", dir=session.dir)
    with open("/etc/hosts") as f:
        hosts = f.read()
    with open(os.path.join(etc, "hosts"), "w") as f:
        f.write(hosts + "\n127.0.0.2 mail.example.test\n")
    bundle = "/etc/ssl/certs/ca-certificates.crt"
    with open(bundle) as f, open(bed.pki.root_cert) as root:
        trusted = f.read() + "\n" + root.read()
    with open(os.path.join(etc, "ca-certificates.crt"), "w") as f:
        f.write(trusted)
    bind_mount(session, os.path.join(etc, "hosts"), "/etc/hosts")
    bind_mount(session, os.path.join(etc, "ca-certificates.crt"), bundle)
    user = sorted(bed.dovecots["early"].users)[-1]
    session.quiet_user = user
    return {
        "mail.accountmanager.accounts": "account1,account2,account3",
        "mail.account.account3.server": "server3",
        "mail.account.account3.identities": "id3",
        "mail.server.server3.type": "imap",
        "mail.server.server3.hostname": "mail.example.test",
        "mail.server.server3.port": session.early.ports["imaps"],
        "mail.server.server3.userName": user,
        "mail.server.server3.socketType": 3,
        "mail.server.server3.authMethod": 3,
        "mail.server.server3.name": QUIET_NAME,
        "mail.server.server3.login_at_startup": False,
        "mail.server.server3.check_new_mail": False,
        "mail.identity.id3.useremail": user,
        "mail.identity.id3.fullName": "E2E Early",
        "mail.identity.id3.valid": True,
    }


@pytest.fixture(scope="module")
def tb():
    with logged_session(ARTIFACTS, "early", setup=quiet_account) as session:
        yield session


def states(tb):
    state = tb.script("read_state.js")
    assert state.get("addon"), f"add-on not running: {state}"
    return state.get("states") or {}


def wait_for(tb, account, done, timeout=60, what="a state"):
    deadline = time.monotonic() + timeout
    entry = None
    while time.monotonic() < deadline:
        entry = states(tb).get(account)
        if entry and not entry.get("checking") and done(entry):
            return entry
        time.sleep(0.5)
    brief = {k: (entry or {}).get(k) for k in ("trigger", "usedPassword", "paused", "early", "error")}
    brief["findings"] = [(f.get("code"), f.get("severity"), f.get("subject")) for f in ((entry or {}).get("result") or {}).get("findings", [])]
    pytest.fail(f"no {what} within {timeout} s; last state: {json.dumps(brief)[:3000]}")


def open_popup(tb):
    opened = tb.script("open_popup.js")
    assert opened.get("opened"), opened


def read_card(tb, account, done=lambda c: True, timeout=15):
    deadline = time.monotonic() + timeout
    while True:
        view = tb.popup(content_script("read_popup.js"))
        cards = {c["account"]: c for c in view["cards"]}
        card = cards.get(account)
        if card and done(card):
            return view, card
        assert time.monotonic() < deadline, f"the popup did not show the expected card: {view['bodyText'][:1500]}"
        time.sleep(0.2)


def checks(tb, account, change=None):
    return tb.script("account_checks.js", [account, change])


def test_startup_quiet_check_warns_of_the_expiring_certificate_without_a_login(tb):
    # Both start-up runs for the account: the quiet check and the start-up diagnosis (debounced, so it may end
    # after the quiet check); while a check runs the card and the badge say "checking".
    entry = wait_for(tb, QUIET, lambda e: (e.get("early") or {}).get("checkedAt") and e.get("trigger") == "startup" and e.get("result"),
                     what="quiet check and diagnosis at start-up")
    warnings = entry["early"]["warnings"]
    assert [w["code"] for w in warnings] == ["tls.cert_expires_soon"], warnings
    assert warnings[0]["severity"] == "warning" and warnings[0]["params"]["days_left"] in (6, 7), warnings[0]
    # No login for that account: not counted by the auth-policy server, not refused by the login process, and
    # Dovecot's own log has the connections and says no authentication was attempted on any of them.
    attempts = {k: n for k, n in tb.bed.attempts_since(tb.early_mark).items() if k.startswith("early/")}
    assert attempts == {}, attempts
    with open(tb.early.log_path, errors="replace") as f:
        f.seek(tb.early_log_offset)
        log = f.read()
    # "imap-login: Info: Disconnected: Aborted login by logging out (no auth attempts in 0 secs): ..., TLS, ...";
    # the harness's own readiness probes end in "TLS handshaking" or "before auth was ready".
    lines = log.splitlines()
    disconnects = [line for line in lines if "-login: Info: Disconnected" in line]
    assert [line for line in disconnects if ", TLS," in line], f"no TLS session of the quiet check reached the server: {log[-2000:]}"
    assert all("no auth attempts" in line or "before auth was ready" in line for line in disconnects), disconnects
    assert not [line for line in lines if "Login: " in line or "auth failed" in line], log[-2000:]
    # The yellow state: one notification, the badge, the card.
    wait_notes = time.monotonic() + 10
    while not [n for n in tb.notifications() if QUIET_NAME in (n["title"] or "")] and time.monotonic() < wait_notes:
        time.sleep(0.2)
    notes = [n for n in tb.notifications() if QUIET_NAME in (n["title"] or "")]
    assert len(notes) == 1 and notes[0]["text"] == warnings[0]["title"], tb.notifications()
    # The badge is redrawn just after the state is stored: read it until it shows the count (bounded).
    deadline = time.monotonic() + 10
    while tb.script("toolbar_state.js", [QUIET]).get("badge") != "1" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert tb.script("toolbar_state.js", [QUIET]).get("badge") == "1"
    open_popup(tb)
    view, card = read_card(tb, QUIET, lambda c: c["status"] == MESSAGES["statusWarning"])
    assert "status-warning" in card["classes"].split()
    assert [f["code"] for f in card["findings"]].count("tls.cert_expires_soon") == 1, card["findings"]
    tb.popup_pngs(os.path.join(ARTIFACTS, "e2e-popup-warning"))


def test_refused_password_pauses_thunderbirds_checks_and_no_login_follows(tb):
    # Thunderbird checks the account every minute, as a user would have it.
    assert checks(tb, ACCOUNT, {"biffMinutes": CHECK_MINUTES, "doBiff": True})["doBiff"] is True
    tb.trigger_login(ACCOUNT)
    wait_for(tb, ACCOUNT, lambda e: e.get("trigger") == "login-failure" and e.get("result"), what="diagnosis of the failed login")
    open_popup(tb)
    consent = [MESSAGES["testPasswordOnceButton"], MESSAGES["testPasswordButton"]]
    # The popup renders its cards a moment after it opens: click only once the button is there.
    read_card(tb, ACCOUNT, lambda c: any(b["text"] in consent for b in c["buttons"]))
    clicked = tb.popup(content_script("click.js"), [ACCOUNT, consent])
    assert clicked.get("clicked"), clicked
    entry = wait_for(tb, ACCOUNT, lambda e: e.get("trigger") == "popup" and e.get("usedPassword") and e.get("paused"),
                     what="the refused password and the pause")
    assert entry["paused"]["code"] == "auth.wrong_password", entry["paused"]
    assert WRONG_PASSWORD not in json.dumps(entry)
    now = checks(tb, ACCOUNT)
    assert now == {"doBiff": False, "loginAtStartup": False, "biffMinutes": CHECK_MINUTES,
                   "paused": {"doBiff": True, "loginAtStartup": False}}, now
    # The window starts once the pause is in place: from here on no login of Thunderbird's may reach Dovecot.
    mark = tb.bed.mark()
    prompts = len(tb.prompts())
    time.sleep(WINDOW_S)
    assert tb.bed.attempts_since(mark).get("tb/imap", 0) == 0, tb.bed.attempts_since(mark)
    assert tb.prompts()[prompts:] == []
    open_popup(tb)
    view, card = read_card(tb, ACCOUNT, lambda c: MESSAGES["pausedNote"] in c["text"])
    assert any(b["text"] == MESSAGES["resumeButton"] for b in card["buttons"]), card["buttons"]
    tb.popup_pngs(os.path.join(ARTIFACTS, "e2e-popup-paused"))


def test_new_password_saved_resumes_the_checks(tb):
    right = tb.bed.dovecots["tb"].users[tb.user]
    assert states(tb)[ACCOUNT].get("paused"), "needs the previous test"
    open_popup(tb)
    read_card(tb, ACCOUNT, lambda c: any(b["text"] == MESSAGES["newPasswordButtonPlain"] for b in c["buttons"]))
    opened = tb.popup(content_script("click.js"), [ACCOUNT, MESSAGES["newPasswordButtonPlain"]])
    assert opened.get("clicked"), opened
    typed = tb.popup(content_script("new_password.js"), [ACCOUNT, right, MESSAGES["newPasswordTest"]])
    assert typed.get("clicked"), typed
    entry = wait_for(tb, ACCOUNT, lambda e: e.get("trigger") == "new-password" and not e.get("paused"), what="the saved password and the resume")
    assert entry["result"]["verdict"] == "ok"
    assert checks(tb, ACCOUNT) == {"doBiff": True, "loginAtStartup": False, "biffMinutes": CHECK_MINUTES, "paused": None}
    view, card = read_card(tb, ACCOUNT, lambda c: c["status"] == MESSAGES["statusOk"])
    assert MESSAGES["pausedNote"] not in card["text"]
    assert right not in view["bodyText"]
