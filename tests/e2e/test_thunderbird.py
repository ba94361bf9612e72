"""End to end in the real Thunderbird: a wrong saved password, no click, and the add-on's diagnosis through the
native host. Runs inside `unshare --net` (tests/suites/80-e2e.sh): only loopback exists."""
import json
import os
import shutil
import time

import pytest

from tb_session import WRONG_PASSWORD, ThunderbirdSession

ARTIFACTS = os.environ.get("MAILDOCTOR_ARTIFACTS") or "/tmp"
# The host's classification of Dovecot's "NO [AUTHENTICATIONFAILED] Authentication failed." after a login with
# the saved (wrong) password.
EXPECTED_CODE = "auth.wrong_password"


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


def diagnosed_after_login_failure(tb, timeout=100):
    """The add-on's stored state for account1 once the diagnosis that Thunderbird's login failure started is done."""
    deadline = time.monotonic() + timeout
    entry = None
    while time.monotonic() < deadline:
        state = tb.script("read_state.js")
        assert state.get("addon"), f"add-on not running: {state}"
        entry = (state.get("states") or {}).get("account1")
        if entry and entry.get("trigger") == "login-failure" and not entry.get("checking") and (entry.get("result") or entry.get("error")):
            return entry
        time.sleep(1)
    pytest.fail(f"no diagnosis after the login failure within {timeout} s; last state: {json.dumps(entry)[:2000]}")


def test_login_failure_is_diagnosed_through_the_host_without_a_click(tb):
    entry = diagnosed_after_login_failure(tb)
    with open(os.path.join(ARTIFACTS, "e2e-account-state.json"), "w") as f:
        json.dump(entry, f, indent=1)
    assert entry.get("error") is None, entry.get("error")
    assert "Login to server 127.0.0.2 with username" in entry["observedError"], "Thunderbird's own prompt text"
    assert entry["usedPassword"] is True, "the admin default 'always' allows testing the saved password"
    findings = entry["result"]["findings"]
    errors = [f["code"] for f in findings if f.get("severity") == "error"]
    assert errors and errors[0] == EXPECTED_CODE, f"findings: {[f['code'] for f in findings]}"
    assert entry["result"]["verdict"] == "problem"
    assert WRONG_PASSWORD not in json.dumps(entry), "the password must not come back in anything stored"
    assert any(p for p in tb.prompts if "Login to server 127.0.0.2" in p), "Thunderbird showed its login-failed prompt"


def test_toolbar_popup_shows_the_result(tb):
    diagnosed_after_login_failure(tb)
    opened = tb.script("open_popup.js")
    assert opened.get("opened"), opened
    time.sleep(2)  # the popup's page loads and renders in its own process
    path = os.path.join(ARTIFACTS, "e2e-popup.png")
    tb.screenshot(path)
    assert os.path.getsize(path) > 20000
    # The same view with a dark desktop theme (prefers-color-scheme: dark).
    assert tb.script("dark_mode.js").get("dark") is True
    assert tb.script("open_popup.js").get("opened")
    time.sleep(2)
    dark = os.path.join(ARTIFACTS, "e2e-popup-dark.png")
    tb.screenshot(dark)
    assert os.path.getsize(dark) > 20000
