"""End to end in the real Thunderbird 153: a wrong saved password, the add-on on its built-in settings, no click,
and the add-on's diagnosis through the native host, read back from what the popup renders. Runs inside
`unshare --net` (tests/suites/80-e2e.sh): only loopback exists."""
import json
import os
import time

import pytest

from tb_session import ROOT, WRONG_PASSWORD, ThunderbirdSession

ARTIFACTS = os.environ.get("MAILDOCTOR_ARTIFACTS") or "/tmp"
os.makedirs(ARTIFACTS, exist_ok=True)
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


def read_popup_when(tb, done, timeout=15):
    """The popup re-renders on the background's stateChanged message, a moment after the state is stored: read it
    until done(card) holds (bounded)."""
    deadline = time.monotonic() + timeout
    view, card = read_popup(tb)
    while not done(card):
        assert time.monotonic() < deadline, f"the popup did not show the expected state: {card['text'][:800]}"
        time.sleep(0.2)
        view, card = read_popup(tb)
    return view, card


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


def test_failed_login_on_built_in_settings_is_visible_without_a_click(tb, login_failed):
    """Issue 11 (2): with no consent given, the failed login still leads to a visible result next to the account:
    the badge, one notification naming the account and the cause, the marker on the account's folder-pane row."""
    lead = first_error(login_failed)
    # Not tried, yet not "inconclusive": the likely cause, or what would settle it (test the saved password once).
    assert lead is not None and lead.get("severity") in ("error", "warning") and lead.get("params", {}).get("inferred") is True, \
        f"the diagnosis without the password must name a cause or ask to test the password: {lead}"
    ui = tb.script("toolbar_state.js", [ACCOUNT])
    assert ui.get("badge") == "1", ui
    notes = tb.notifications()
    assert len(notes) == 1, notes
    assert ACCOUNT_NAME in notes[0]["title"] and notes[0]["text"] == lead["title"], (notes, lead)
    assert ui["rows"] >= 1 and ui["markers"] and not ui["markers"][0]["hidden"], ui
    assert lead["title"] in ui["markers"][0]["title"] and ACCOUNT_NAME in ui["markers"][0]["title"], ui["markers"]


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
    # In English the popup shows the host's own words (they name the server and what the finding rests on).
    assert shown and shown[0]["title"] == lead["title"], f"the leading finding {lead} is not shown: {card['findings']}"
    assert WRONG_PASSWORD not in view["bodyText"]
    tb.popup_pngs(os.path.join(ARTIFACTS, "e2e-popup-default"))


def test_consent_in_the_popup_tests_the_saved_password_once_and_shows_the_servers_words(tb, login_failed):
    open_popup(tb)
    before = tb.bed.mark()
    # The consent: the inferred finding's action ("Test the saved password once"), or the card's general offer.
    consent = [MESSAGES["testPasswordOnceButton"], MESSAGES["testPasswordButton"]]
    clicked = tb.popup(content_script("click.js"), [ACCOUNT, consent])
    assert clicked.get("clicked"), f"no {consent} button in the card: {clicked}"
    entry = wait_for_diagnosis(tb, lambda e: e.get("usedPassword") is True and e.get("trigger") == "popup",
                               what="diagnosis with the saved password")
    # One login with the saved password, and no more, at the one server the account names.
    assert tb.bed.attempts_since(before) == {"tb/imap": 1}
    lead = first_error(entry)
    assert lead["code"] == "auth.wrong_password", [f["code"] for f in entry["result"]["findings"]]
    assert entry["result"]["verdict"] == "problem"
    assert WRONG_PASSWORD not in json.dumps(entry)

    view, card = read_popup_when(tb, lambda c: c["status"] == MESSAGES["statusProblem"])
    assert "status-problem" in card["classes"].split()
    assert card["findings"][0]["code"] == "auth.wrong_password"
    assert card["findings"][0]["title"] == lead["title"] and card["findings"][0]["detail"] == lead["detail"]
    assert any(f["evidence"] and SERVER_WORDS in f["evidence"] for f in card["findings"]), \
        f"the server's own words are not shown: {card['findings']}"
    assert WRONG_PASSWORD not in view["bodyText"]
    tb.popup_png(os.path.join(ARTIFACTS, "e2e-popup.png"))


def test_folder_pane_menu_entry_carries_the_accounts_status(tb, login_failed):
    """After the consent check (previous test) the account has a problem: the entry in the folder pane's context
    menu on the account's row says so, in the words of the leading finding."""
    lead = first_error(account_state(tb))
    wanted = MESSAGES["menuStatus"].replace("$CAUSE$", lead["title"])
    menu = tb.script("folder_menu.js", [ACCOUNT, wanted])
    assert "error" not in menu, menu
    assert menu["labels"] == [wanted], menu


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


def test_new_password_entered_in_the_popup_is_tested_with_one_login_and_the_check_is_ok(tb, login_failed):
    """The app-password flow on Dovecot: the saved password is wrong, the user types the right one into the popup."""
    right = tb.bed.dovecots["tb"].users[tb.user]
    open_popup(tb)
    opened = tb.popup(content_script("click.js"), [ACCOUNT, MESSAGES["newPasswordButtonPlain"]])
    assert opened.get("clicked"), f"no '{MESSAGES['newPasswordButtonPlain']}' for a wrong password: {opened}"
    tb.popup_pngs(os.path.join(ARTIFACTS, "e2e-popup-new-password-form"))
    before = tb.bed.mark()
    reports_before = len(tb.bed.counter.snapshot()["reports"])
    typed = tb.popup(content_script("new_password.js"), [ACCOUNT, right, MESSAGES["newPasswordTest"]])
    assert typed.get("clicked"), typed
    entry = wait_for_diagnosis(tb, lambda e: e.get("trigger") == "new-password", what="test of the new password")
    assert entry["result"]["verdict"] == "ok", [f["code"] for f in entry["result"]["findings"]]
    # Exactly one login, and Dovecot accepted it.
    assert tb.bed.attempts_since(before) == {"tb/imap": 1}
    reports = tb.bed.counter.snapshot()["reports"][reports_before:]
    assert [r["success"] for r in reports] == [True], reports
    view, card = read_popup_when(tb, lambda c: c["status"] == MESSAGES["statusOk"])
    assert right not in view["bodyText"] and all(i["type"] == "password" for i in card["inputs"])
    assert right not in json.dumps(account_state(tb))
    tb.popup_pngs(os.path.join(ARTIFACTS, "e2e-popup-new-password-saved"))


def test_new_password_lands_in_the_login_manager_and_thunderbird_logs_in_with_it(tb, login_failed):
    """After the new password was accepted (previous test): it replaced the wrong one in Thunderbird's login manager,
    and Thunderbird's own next login uses it, with no prompt. (Thunderbird 153 has only modifyLoginAsync: with the
    synchronous call alone the wrong password stayed.)"""
    right = tb.bed.dovecots["tb"].users[tb.user]
    entry = account_state(tb)
    assert entry.get("trigger") == "new-password" and entry["result"]["verdict"] == "ok", "needs the previous test"
    # The add-on saves it after the check has stored its result: poll the login manager (bounded).
    deadline = time.monotonic() + 20
    saved = tb.script("saved_logins.js", ["imap://127.0.0.2", right])
    while saved.get("logins") != [{"username": tb.user, "matches": True}] and time.monotonic() < deadline:
        time.sleep(0.2)
        saved = tb.script("saved_logins.js", ["imap://127.0.0.2", right])
    assert saved.get("logins") == [{"username": tb.user, "matches": True}], saved
    reports_before = len(tb.bed.counter.snapshot()["reports"])
    # Thunderbird itself now logs in with it: its own next login succeeds, with no prompt.
    prompts_before = len(tb.prompts())
    assert tb.script("offline.js", [False])["offline"] is False
    mark = tb.bed.mark()
    tb.trigger_login(ACCOUNT)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not any(
            r["success"] for r in tb.bed.counter.snapshot()["reports"][reports_before:]):
        time.sleep(0.2)
    assert any(r["success"] for r in tb.bed.counter.snapshot()["reports"][reports_before:]), \
        f"Thunderbird did not log in with the saved password: {tb.bed.attempts_since(mark)}"
    assert len(tb.prompts()) == prompts_before, tb.prompts()[prompts_before:]
