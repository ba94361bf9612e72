"""End to end in the real Thunderbird 153: a wrong saved password, the add-on on its built-in settings, no click,
and the add-on's diagnosis through the native host, read back from what the popup renders. Runs inside
`unshare --net` (tests/suites/80-e2e.sh): only loopback exists."""
import json
import os
import time

import pytest

from tb_session import ROOT, WRONG_PASSWORD, ThunderbirdSession

ARTIFACTS = os.environ.get("MAILDOCTOR_ARTIFACTS") or "/tmp"
ACCOUNT = "account1"
ACCOUNT_NAME = "E2E Mail"
# Dovecot's words for a wrong password ("NO [AUTHENTICATIONFAILED] Authentication failed.").
SERVER_WORDS = "Authentication failed."

with open(os.path.join(ROOT, "extension", "_locales", "en", "messages.json")) as f:
    MESSAGES = {k: v["message"] for k, v in json.load(f).items()}
CONTENT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scripts", "content")


def content_script(name):
    with open(os.path.join(CONTENT, name)) as f:
        return f.read()


@pytest.fixture(scope="module")
def tb():
    session = ThunderbirdSession()
    try:
        session.start()
        yield session
    finally:
        os.makedirs(ARTIFACTS, exist_ok=True)
        with open(os.path.join(ARTIFACTS, "e2e-thunderbird.log"), "w") as f:
            f.write(session.log_text())
        session.close()


def account_state(tb):
    state = tb.script("read_state.js")
    assert state.get("addon"), f"add-on not running: {state}"
    return (state.get("states") or {}).get(ACCOUNT)


def wait_for_diagnosis(tb, done, timeout=60, what="a diagnosis"):
    """The add-on's stored state for the account once done(entry) holds (and no diagnosis is running)."""
    deadline = time.monotonic() + timeout
    entry = None
    while time.monotonic() < deadline:
        entry = account_state(tb)
        if entry and not entry.get("checking") and (entry.get("result") or entry.get("error")) and done(entry):
            return entry
        time.sleep(0.5)
    pytest.fail(f"no {what} within {timeout} s; last state: {json.dumps(entry)[:2000]}")


def first_error(entry):
    findings = entry["result"]["findings"]
    return next((f for f in findings if f.get("severity") == "error"), findings[0] if findings else None)


def read_popup(tb):
    view = tb.popup(content_script("read_popup.js"))
    cards = {c["account"]: c for c in view["cards"]}
    assert ACCOUNT in cards, f"the popup shows no card for {ACCOUNT}: {view['bodyText'][:1000]}"
    return view, cards[ACCOUNT]


def open_popup(tb):
    opened = tb.script("open_popup.js")
    assert opened.get("opened"), opened


def luminance(css_color):
    parts = css_color[css_color.index("(") + 1:css_color.index(")")].split(",")
    r, g, b = (float(p) for p in parts[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@pytest.fixture(scope="module")
def login_failed(tb):
    """Thunderbird's own login with the wrong saved password, started once for the module; the add-on's
    automatic diagnosis of it."""
    tb.trigger_login(ACCOUNT)
    entry = wait_for_diagnosis(tb, lambda e: e.get("trigger") == "login-failure", what="diagnosis of the login failure")
    # From here on only the add-on's host logs in: Thunderbird's own retries would blur the login counts.
    assert tb.script("offline.js", [True])["offline"] is True
    with open(os.path.join(ARTIFACTS, "e2e-account-state.json"), "w") as f:
        json.dump(entry, f, indent=1)
    return entry


def test_login_failure_is_diagnosed_through_the_host_without_a_click(tb, login_failed):
    entry = login_failed
    prompts = tb.prompts()
    assert any("Login to server 127.0.0.2 with username" in p["text"] for p in prompts), f"Thunderbird's prompt: {prompts}"
    assert all(p["opener"] != "maildoctor e2e driver" for p in prompts), f"a prompt opened on the driver window: {prompts}"
    assert entry.get("error") is None, entry.get("error")
    assert "Login to server 127.0.0.2 with username" in entry["observedError"], "Thunderbird's own prompt text"
    # Built-in settings: the saved password is tested only after the user agrees.
    assert entry["usedPassword"] is False
    assert entry["result"]["findings"], "a diagnosis names at least one finding"
    assert WRONG_PASSWORD not in json.dumps(entry), "the password must not come back in anything stored"


def test_popup_shows_the_account_and_its_first_finding(tb, login_failed):
    open_popup(tb)
    view, card = read_popup(tb)
    entry = account_state(tb)
    assert view["title"] == MESSAGES["popupTitle"]
    assert card["name"] == ACCOUNT_NAME
    lead = first_error(entry)
    assert card["findings"], f"the popup shows no finding: {card['text'][:800]}"
    assert card["findings"][0]["code"] == entry["result"]["findings"][0]["code"]
    shown = [f for f in card["findings"] if f["code"] == lead["code"]]
    assert shown and shown[0]["title"], f"the leading finding {lead['code']} is not shown with a title: {card['findings']}"
    assert WRONG_PASSWORD not in view["bodyText"]
    path = os.path.join(ARTIFACTS, "e2e-popup-default.png")
    tb.popup_png(path)


def test_consent_in_the_popup_tests_the_saved_password_once_and_shows_the_servers_words(tb, login_failed):
    open_popup(tb)
    before = tb.bed.mark()
    clicked = tb.popup(content_script("click.js"), [ACCOUNT, MESSAGES["testPasswordButton"]])
    assert clicked.get("clicked"), f"no '{MESSAGES['testPasswordButton']}' button in the card: {clicked}"
    entry = wait_for_diagnosis(tb, lambda e: e.get("usedPassword") is True and e.get("trigger") == "popup",
                               what="diagnosis with the saved password")
    # One login with the saved password, and no more, at the one server the account names.
    assert tb.bed.attempts_since(before) == {"tb/imap": 1}
    lead = first_error(entry)
    assert lead["code"] == "auth.wrong_password", [f["code"] for f in entry["result"]["findings"]]
    assert entry["result"]["verdict"] == "problem"
    assert WRONG_PASSWORD not in json.dumps(entry)

    view, card = read_popup(tb)
    assert card["status"] == MESSAGES["statusProblem"]
    assert "status-problem" in card["classes"].split()
    assert card["findings"][0]["code"] == "auth.wrong_password"
    assert card["findings"][0]["title"] == MESSAGES["finding_auth_wrong_password_title"]
    assert any(f["evidence"] and SERVER_WORDS in f["evidence"] for f in card["findings"]), \
        f"the server's own words are not shown: {card['findings']}"
    assert WRONG_PASSWORD not in view["bodyText"]
    tb.popup_png(os.path.join(ARTIFACTS, "e2e-popup.png"))


def test_dark_desktop_gives_the_popup_dark_colours(tb, login_failed):
    open_popup(tb)
    light, light_card = read_popup(tb)
    assert luminance(light["background"]) > 180, f"light popup background: {light['background']}"
    try:
        tb.script("dark_mode.js", [True])
        deadline = time.monotonic() + 10
        while True:
            dark, dark_card = read_popup(tb)
            if dark["darkQuery"] or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert luminance(dark["background"]) < 80, f"dark popup background: {dark['background']}"
        assert luminance(dark["color"]) > 180, f"dark popup text colour: {dark['color']}"
        assert luminance(dark_card["background"]) < 80, f"dark card background: {dark_card['background']}"
        assert dark_card["status"] == light_card["status"] and dark_card["findings"] == light_card["findings"]
        tb.popup_png(os.path.join(ARTIFACTS, "e2e-popup-dark.png"))
    finally:
        tb.script("dark_mode.js", [False])
