"""The default path in German: Thunderbird 153 in German (Debian's thunderbird-l10n-de language pack), a wrong saved
password, the add-on on its built-in settings. The popup's card for the failed login speaks the add-on's German
table; its light and dark PNGs are the German screenshots in docs/EXTENSION.md. Its own Thunderbird, after
test_thunderbird.py's has quit."""
import json
import os
import time

import pytest

from tb_session import ROOT, WRONG_PASSWORD, ThunderbirdSession

ARTIFACTS = os.environ.get("MAILDOCTOR_ARTIFACTS") or "/tmp"
ACCOUNT = "account1"
CONTENT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scripts", "content")
with open(os.path.join(ROOT, "extension", "_locales", "de", "messages.json")) as f:
    DE = {k: v["message"] for k, v in json.load(f).items()}


@pytest.fixture(scope="module")
def tb_de():
    session = ThunderbirdSession()
    try:
        session.start(locale="de")
        yield session
    finally:
        with open(os.path.join(ARTIFACTS, "e2e-thunderbird-de.log"), "w") as f:
            f.write(session.log_text())
        session.close()


def test_default_path_card_in_german(tb_de):
    tb = tb_de
    locale = tb.marionette.run_async("arguments[0](Services.locale.appLocaleAsBCP47);")
    assert locale.startswith("de"), f"Thunderbird runs in {locale}: is thunderbird-l10n-de for this version installed?"
    tb.trigger_login(ACCOUNT)
    deadline = time.monotonic() + 60
    entry = None
    while time.monotonic() < deadline:
        entry = (tb.script("read_state.js").get("states") or {}).get(ACCOUNT)
        if entry and not entry.get("checking") and entry.get("trigger") == "login-failure" and (entry.get("result") or entry.get("error")):
            break
        time.sleep(0.5)
    else:
        pytest.fail(f"no diagnosis of the login failure: {json.dumps(entry)[:1500]}")
    assert tb.script("offline.js", [True])["offline"] is True
    assert entry.get("error") is None and entry["usedPassword"] is False, entry
    # Thunderbird's German prompt reached the host with the English form the add-on adds (the host's rules know
    # Thunderbird's English words): the diagnosis without the password names a cause or asks to test it.
    lead = next((f for f in entry["result"]["findings"] if f.get("severity") in ("error", "warning")), None)
    assert lead and lead.get("params", {}).get("inferred") is True, entry["result"]["findings"]
    assert tb.script("open_popup.js").get("opened")
    with open(os.path.join(CONTENT, "read_popup.js")) as f:
        reader = f.read()
    wanted = {DE["statusConsent"], DE["statusProblem"]}
    deadline = time.monotonic() + 15
    while True:
        view = tb.popup(reader)
        card = next((c for c in view["cards"] if c["account"] == ACCOUNT), None)
        if card and card["status"] in wanted and card["findings"]:
            break
        assert time.monotonic() < deadline, f"the German card: {view['bodyText'][:800]}"
        time.sleep(0.2)
    assert view["title"] == DE["popupTitle"]
    assert card["findings"][0]["code"] == entry["result"]["findings"][0]["code"]
    assert WRONG_PASSWORD not in view["bodyText"]
    tb.popup_pngs(os.path.join(ARTIFACTS, "e2e-popup-default-de"))
