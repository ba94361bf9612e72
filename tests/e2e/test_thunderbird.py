"""End to end in the real Thunderbird 153: a wrong saved password, the add-on on its built-in settings, no click,
and the add-on's diagnosis through the native host, read back from what the popup renders. Runs inside
`unshare --net` (tests/suites/80-e2e.sh): only loopback exists."""
import json
import os
import time

import pytest

from tb_session import ROOT, SEND_ACCOUNT, TEST_HOST, WRONG_PASSWORD, ThunderbirdSession

ARTIFACTS = os.environ.get("MAILDOCTOR_ARTIFACTS") or "/tmp"
os.makedirs(ARTIFACTS, exist_ok=True)
ACCOUNT = "account1"
ACCOUNT_NAME = "E2E Mail"
# Dovecot's words for a wrong password ("NO [AUTHENTICATIONFAILED] Authentication failed.").
SERVER_WORDS = "Authentication failed."
WRONG_SMTP_PASSWORD = "wrong-smtp-password-4Kd"

with open(os.path.join(ROOT, "extension", "_locales", "en", "messages.json")) as f:
    LOCALE = json.load(f)
MESSAGES = {k: v["message"] for k, v in LOCALE.items()}
CONTENT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scripts", "content")


def content_script(name):
    with open(os.path.join(CONTENT, name)) as f:
        return f.read()


@pytest.fixture(scope="module")
def tb():
    session = ThunderbirdSession()
    try:
        session.start(send_account=True)
        yield session
    finally:
        with open(os.path.join(ARTIFACTS, "e2e-thunderbird.log"), "w") as f:
            f.write(session.log_text())
        session.close()


def account_state(tb, account=ACCOUNT):
    state = tb.script("read_state.js")
    assert state.get("addon"), f"add-on not running: {state}"
    return (state.get("states") or {}).get(account)


def wait_for_diagnosis(tb, done, timeout=60, what="a diagnosis", account=ACCOUNT):
    """The add-on's stored state for the account once done(entry) holds (and no diagnosis is running)."""
    deadline = time.monotonic() + timeout
    entry = None
    while time.monotonic() < deadline:
        entry = account_state(tb, account)
        if entry and not entry.get("checking") and (entry.get("result") or entry.get("error")) and done(entry):
            return entry
        time.sleep(0.5)
    pytest.fail(f"no {what} within {timeout} s; last state: {json.dumps(entry)[:2000]}")


def first_error(entry):
    findings = entry["result"]["findings"]
    return next((f for f in findings if f.get("severity") == "error"), findings[0] if findings else None)


def leading(entry):
    """The finding the add-on leads with (doctor.js leadingFinding): the first error, else the one asking for
    consent, else the first."""
    findings = entry["result"]["findings"]
    return (next((f for f in findings if f.get("severity") == "error"), None)
            or next((f for f in findings if f.get("params", {}).get("action") == "test_password"), None)
            or (findings[0] if findings else None))


def read_popup(tb, account=ACCOUNT):
    view = tb.popup(content_script("read_popup.js"))
    cards = {c["account"]: c for c in view["cards"]}
    assert account in cards, f"the popup shows no card for {account}: {view['bodyText'][:1000]}"
    return view, cards[account]


def read_popup_when(tb, done, timeout=15, account=ACCOUNT):
    """The popup re-renders on the background's stateChanged message, a moment after the state is stored: read it
    until done(card) holds (bounded)."""
    deadline = time.monotonic() + timeout
    view, card = read_popup(tb, account)
    while not done(card):
        assert time.monotonic() < deadline, f"the popup did not show the expected state: {card['text'][:800]}"
        time.sleep(0.2)
        view, card = read_popup(tb, account)
    return view, card


def message(key, *subs):
    """An English message of the add-on with its $PLACEHOLDER$s filled in order (as messenger.i18n does)."""
    text = MESSAGES[key]
    for name, placeholder in LOCALE[key].get("placeholders", {}).items():
        text = text.replace(f"${name.upper()}$", subs[int(placeholder["content"].lstrip("$")) - 1])
    return text


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
    # The badge, the marker and then the notification follow the stored state (doctor.js runCheck, notifyOnce), and
    # the notification's window opens a moment later still: wait for all three (bounded), then check them.
    deadline = time.monotonic() + 15
    while True:
        ui = tb.script("toolbar_state.js", [ACCOUNT])
        notes = tb.notifications()
        if (notes and ui.get("badge") == "1" and ui.get("markers")) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert ui.get("badge") == "1", ui
    assert len(notes) == 1, notes
    assert ACCOUNT_NAME in notes[0]["title"] and notes[0]["text"] == lead["title"], (notes, lead)
    assert ui["rows"] >= 1 and ui["markers"] and not ui["markers"][0]["hidden"], ui
    assert lead["title"] in ui["markers"][0]["title"] and ACCOUNT_NAME in ui["markers"][0]["title"], ui["markers"]


def test_popup_shows_the_account_and_its_first_finding(tb, login_failed):
    open_popup(tb)
    view, card = read_popup(tb)
    entry = account_state(tb)
    # The diagnosis the fixture waited for is the last one: no automatic trigger may start another within the
    # cooldown (the add-on once let a trigger that came while the debounced run read its options start a second run,
    # and the popup said "Checking…" here).
    assert entry["startedAt"] == login_failed["startedAt"] and not entry.get("checking"), \
        f"another diagnosis followed the login failure's: {entry.get('trigger')}, checking={entry.get('checking')}"
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
    # A popup opened afresh draws its cards once the background answered getState: click once the button is there.
    read_popup_when(tb, lambda c: any(b["text"] in consent for b in c["buttons"]))
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
    read_popup_when(tb, lambda c: any(b["text"] == MESSAGES["newPasswordButtonPlain"] for b in c["buttons"]))
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
    view, card = read_popup_when(tb, lambda c: c["status"] == MESSAGES["statusOk"] and MESSAGES["newPasswordSaved"] in c["text"])
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


def test_apply_then_undo_of_a_corrected_security_setting(tb, login_failed):
    """Issue 11 §6c against the real Dovecot: an account set to SSL/TLS on Dovecot's STARTTLS port. The diagnosis
    proposes STARTTLS; Apply changes Thunderbird's own setting and re-checks; Undo (offered after any Apply) puts
    back exactly the value from before and re-checks. No login:
    the add-on is on its built-in settings, where the saved password is not read without the user's yes. (Here the
    re-check meets the certificate's name, mail.example.test, and is not better: the offer is the prominent one.)"""
    # Thunderbird itself stays off the network: a new account would otherwise be logged in (and fail) on its own.
    assert tb.script("offline.js", [True])["offline"] is True
    added = tb.script("add_account.js", [{"name": "E2E Security", "host": "127.0.0.2", "port": tb.dovecot.ports["imap"],
                                          "socketType": 3, "username": tb.user, "email": tb.user}])
    assert "error" not in added, added
    account = added["accountId"]
    assert tb.script("server_settings.js", [account])["socketType"] == 3
    mark = tb.bed.mark()
    open_popup(tb)
    # Opened again, the popup re-checks accounts not checked lately (the new one): that is the check to apply from.
    # (A Diagnose click as well would race that check.)
    assert tb.script("reload_popup.js").get("reloaded"), "the popup must list the new account"
    entry = wait_for_diagnosis(tb, lambda e: e.get("trigger") == "popup", account=account, what="diagnosis of the new account")
    findings = entry["result"]["findings"]
    fixes = [fx for f in findings for fx in f.get("fixes", []) if fx.get("kind") == "change_setting" and fx.get("setting") == "security"]
    assert fixes and fixes[0]["value"] == "starttls", json.dumps(findings)[:2000]
    label = message("fixChangeSetting", MESSAGES["settingSecurity"], "STARTTLS")
    # The popup re-renders a moment after the state is stored: click once the button is there.
    read_popup_when(tb, lambda c: any(b["text"] == label for b in c["buttons"]), account=account)
    assert tb.popup(content_script("click.js"), [account, label]).get("clicked"), f"no '{label}' button"
    # The confirmation is drawn once the background answered the popup's previewFix (the old and the new value):
    # click Apply once it is there (clicking at once found no Apply button in 1 of 4 loaded runs).
    read_popup_when(tb, lambda c: any(b["text"] == MESSAGES["buttonApply"] for b in c["buttons"]), account=account)
    assert tb.popup(content_script("click.js"), [account, MESSAGES["buttonApply"]]).get("clicked"), "no confirmation"

    applied = wait_for_diagnosis(tb, lambda e: e.get("trigger") == "after-fix" and e.get("undo"), account=account, what="re-check after Apply")
    assert tb.script("server_settings.js", [account])["socketType"] == 2, "Thunderbird's own setting is STARTTLS now"
    undo = applied["undo"]
    assert (undo["setting"], undo["value"], undo["replaced"], undo["blocked"]) == ("security", "tls", "starttls", None), undo
    undo_label = message("undoButton", MESSAGES["settingSecurity"], "SSL/TLS")
    view, card = read_popup_when(tb, lambda c: any(b["text"] == undo_label for b in c["buttons"]), account=account)
    assert card["findings"] == [] or card["findings"][0]["code"] != "tls.wrong_mode", "the re-check no longer finds the wrong mode"
    tb.popup_pngs(os.path.join(ARTIFACTS, "e2e-popup-undo"))

    assert tb.popup(content_script("click.js"), [account, undo_label]).get("clicked")
    undone = wait_for_diagnosis(tb, lambda e: e.get("trigger") == "after-undo" and not e.get("undo"), account=account, what="re-check after Undo")
    assert tb.script("server_settings.js", [account])["socketType"] == 3, "exactly the value from before"
    assert any(f["code"] == "tls.wrong_mode" for f in undone["result"]["findings"]), "the re-check sees the old setting again"
    assert tb.bed.attempts_since(mark) == {}, "no login: no password was read"


def test_failed_send_through_postfix_is_diagnosed_on_the_outgoing_server(tb, login_failed):
    """Issue 11 §6d: a real send through the test bed's Postfix (STARTTLS, its CA trusted as a company CA would be)
    fails on a wrong saved SMTP password. The add-on diagnoses the outgoing server with no click (onAfterSend and
    Thunderbird's own prompt), without a login of its own; the folder-pane menu entry names the cause and opens the
    account's card; the user's one consent gives exactly one SMTP login and Postfix's own refusal."""
    assert tb.trusted_test_ca, "needs the private mount namespace of tests/suites/80-e2e.sh (unshare --mount)"
    # The profile's "E2E Send" account: IMAP on the plain port by address (Thunderbird stays away from it: no saved
    # password), SMTP on the name the test bed's certificate carries, so the SMTP prompt can only mean that server.
    account = SEND_ACCOUNT
    assert tb.script("save_login.js", [f"smtp://{TEST_HOST}", tb.send_user, WRONG_SMTP_PASSWORD]).get("saved")
    mark = tb.bed.mark()
    assert tb.script("offline.js", [False])["offline"] is False
    try:
        sent = tb.script("send_mail.js", [{"accountId": account, "to": tb.user, "subject": "e2e", "body": "Hello."}])
        assert sent.get("sent"), sent
        entry = wait_for_diagnosis(tb, lambda e: e.get("trigger") in ("send-failure", "login-failure"), account=account,
                                   what="diagnosis of the failed send")
    finally:
        tb.script("offline.js", [True])
        tb.script("send_mail.js", ["close"])
    # Thunderbird's own send logged in (and failed) at Postfix; the automatic diagnosis read no password (no
    # consent on the built-in settings), so its host could not log in.
    assert tb.bed.attempts_since(mark).get("tb/smtp", 0) >= 1, tb.bed.attempts_since(mark)
    assert entry["scope"] in ("outgoing", "account") and entry["usedPassword"] is False, entry
    lead = leading(entry)
    assert lead and lead.get("subject") == "outgoing", json.dumps(entry["result"]["findings"])[:2000]
    assert lead.get("severity") in ("error", "warning") and lead.get("params", {}).get("inferred") is True, lead

    # The folder pane's menu entry on the account's row names the cause; choosing it opens the account's card.
    wanted = message("menuStatus", lead["title"])
    before_menu = entry["startedAt"]
    menu = tb.script("folder_menu.js", [account, wanted, "click"])
    assert menu.get("labels") == [wanted] and menu.get("clicked"), menu
    open_popup(tb)
    view, card = read_popup_when(tb, lambda c: True, account=account)
    assert view["cards"][0]["account"] == account, "the account asked for comes first"

    # The user's one consent: exactly one login at Postfix, with the saved (wrong) password, and Postfix's words.
    wait_for_diagnosis(tb, lambda e: e.get("trigger") == "popup" and e["startedAt"] > before_menu, account=account,
                       what="the menu entry's check")
    consent = [MESSAGES["testPasswordOnceButton"], MESSAGES["testPasswordButton"]]
    mark = tb.bed.mark()
    clicked = read_popup_when(tb, lambda c: any(b["text"] in consent for b in c["buttons"]), account=account)
    assert tb.popup(content_script("click.js"), [account, consent]).get("clicked"), clicked[1]["buttons"]
    entry = wait_for_diagnosis(tb, lambda e: e.get("usedPassword") is True, account=account, what="the consented check")
    assert tb.bed.attempts_since(mark) == {"tb/smtp": 1}
    lead = first_error(entry)
    assert (lead["code"], lead["subject"]) == ("auth.wrong_password", "outgoing"), [(f["code"], f.get("subject")) for f in entry["result"]["findings"]]
    assert any(line.startswith("535") for line in lead.get("evidence", [])), lead.get("evidence")
    assert WRONG_SMTP_PASSWORD not in json.dumps(entry)
