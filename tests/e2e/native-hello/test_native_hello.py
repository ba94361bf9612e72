"""The real Thunderbird (Debian's, headless, no network) reaches the host that installer/install.sh installed.

A tiny test add-on sends {"type":"hello"} with runtime.sendNativeMessage at start-up and prints the answer on
Thunderbird's stdout. The host is found the way a user's Thunderbird finds it: through the manifest that the
installer wrote into $HOME/.mozilla/native-messaging-hosts, with HOME pointing at a temporary folder.
"""
import json
import os
import pathlib
import select
import signal
import subprocess
import time
import zipfile

ROOT = pathlib.Path(os.environ.get("MAILDOCTOR_ROOT", pathlib.Path(__file__).resolve().parents[3]))
HERE = pathlib.Path(__file__).resolve().parent
ADDON_ID = "native-hello@maildoctor.test"
BIN = os.environ.get("MAILDOCTOR_BIN", str(ROOT / "build/dev/host/maildoctor"))
MARKER = "MAILDOCTOR-NATIVE-HELLO "
PREFS = {
    "extensions.autoDisableScopes": 0,
    "browser.dom.window.dump.enabled": True,
    "mail.rights.version": 1,
    "mail.provider.suppress_dialog_on_startup": True,
    "mailnews.start_page.enabled": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "datareporting.policy.dataSubmissionPolicyBypassNotification": True,
    "datareporting.healthreport.uploadEnabled": False,
    "extensions.update.enabled": False,
    "extensions.getAddons.cache.enabled": False,
    "browser.region.network.url": "",
    "browser.region.update.enabled": False,
    "offline.autoDetect": False,
    "network.manage-offline-status": False,
}


def user_js():
    return "".join(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n" for k, v in PREFS.items())


def pack_addon(target):
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w") as z:
        for f in sorted((HERE / "addon").iterdir()):
            z.write(f, f.name)


def run_thunderbird_until_marker(profile, env, timeout):
    """Starts Thunderbird in its own network namespace (loopback only); returns the marker's JSON and the log."""
    script = 'ip link set lo up && exec thunderbird --headless -no-remote -profile "$1"'
    proc = subprocess.Popen(["unshare", "--net", "sh", "-c", script, "sh", str(profile)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    log, outcome = [], None
    deadline = time.monotonic() + timeout
    try:
        buf = b""
        while outcome is None and time.monotonic() < deadline:
            ready, _, _ = select.select([proc.stdout], [], [], 0.5)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                text = line.decode(errors="replace")
                log.append(text)
                # Thunderbird's other threads write to the same stdout without ending their lines (a graphics
                # warning often lands right before the marker), so the marker may start anywhere in a line.
                at = text.find(MARKER)
                if at >= 0:
                    outcome = json.loads(text[at + len(MARKER):])
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    return outcome, log


def test_thunderbird_add_on_gets_hello_from_the_installed_host(tmp_path):
    home = tmp_path / "home"
    profile = home / "profile"
    profile.mkdir(parents=True)
    env = dict(os.environ, HOME=str(home), MOZ_CRASHREPORTER_DISABLE="1",
               CCACHE_DIR=os.environ.get("CCACHE_DIR", os.path.expanduser("~/.cache/ccache")))
    env.pop("DISPLAY", None)

    subprocess.run([str(ROOT / "installer/install.sh"), "--no-deps", "--allow-extension", ADDON_ID],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    manifest = json.loads((home / ".mozilla/native-messaging-hosts/maildoctor.json").read_text())
    assert manifest["path"] == str(home / ".local/bin/maildoctor")
    assert ADDON_ID in manifest["allowed_extensions"]

    (profile / "user.js").write_text(user_js())
    pack_addon(profile / "extensions" / f"{ADDON_ID}.xpi")
    t0 = time.monotonic()
    outcome, log = run_thunderbird_until_marker(profile, env, timeout=60)
    elapsed = time.monotonic() - t0
    assert outcome is not None, "no answer from the add-on; Thunderbird said:\n" + "\n".join(log[-40:])
    assert outcome["ok"], outcome
    reply = outcome["reply"]
    assert reply["type"] == "hello" and reply["id"] == "e2e" and reply["protocol"] == 1, reply
    version = subprocess.run([manifest["path"], "--version"], capture_output=True, text=True).stdout
    assert reply["version"] in version
    print(f"hello came back through Thunderbird after {elapsed:.1f} s: {reply}")

    subprocess.run([str(ROOT / "installer/uninstall.sh")], env=env, check=True, stdout=subprocess.DEVNULL)
    assert not (home / ".mozilla/native-messaging-hosts/maildoctor.json").exists()
    assert not (home / ".local/bin/maildoctor").exists()


APP_EXTENSIONS = pathlib.Path("/usr/lib/thunderbird/extensions")


def test_add_on_in_thunderbirds_app_folder_starts_without_any_pref(tmp_path):
    """Evidence for where the .deb puts the add-on: an .xpi in /usr/lib/thunderbird/extensions (the folder Debian's
    own thunderbird-l10n-* packages use) is loaded and enabled in a fresh profile, with Thunderbird's default
    extensions.autoDisableScopes (3: profile and user scopes only)."""
    target = APP_EXTENSIONS / f"{ADDON_ID}.xpi"
    if target.exists():
        import pytest
        pytest.skip(f"{target} exists already")
    home = tmp_path / "home"
    profile = home / "profile"
    profile.mkdir(parents=True)
    env = dict(os.environ, HOME=str(home), MOZ_CRASHREPORTER_DISABLE="1")
    env.pop("DISPLAY", None)
    # The host comes from the developer build, through a manifest filled from the one template.
    hosts = home / ".mozilla/native-messaging-hosts"
    subprocess.run(["cmake", f"-DOUTPUT={hosts / 'maildoctor.json'}", f"-DHOST_PATH={BIN}",
                    f"-DEXTENSION_IDS={ADDON_ID}", "-P", str(ROOT / "cmake/HostManifest.cmake")], check=True)
    prefs = {k: v for k, v in PREFS.items() if k != "extensions.autoDisableScopes"}
    (profile / "user.js").write_text("".join(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n" for k, v in prefs.items()))
    created_dir = not APP_EXTENSIONS.exists()
    pack_addon(target)
    try:
        outcome, log = run_thunderbird_until_marker(profile, env, timeout=60)
    finally:
        target.unlink()
        if created_dir:
            APP_EXTENSIONS.rmdir()
    assert outcome is not None, "the add-on did not run; Thunderbird said:\n" + "\n".join(log[-40:])
    assert outcome["ok"] and outcome["reply"]["type"] == "hello", outcome
    state = json.loads((profile / "extensions.json").read_text())
    entry = next(a for a in state["addons"] if a["id"] == ADDON_ID)
    assert entry["location"] == "app-global" and entry["active"], entry
