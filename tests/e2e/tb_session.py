"""Starts the whole end-to-end set-up: a Dovecot from tests/servers, the native host in a temporary HOME,
a fresh profile with the add-on and a wrong saved password, Xvfb, and Thunderbird under Marionette.

Marionette runs every script from the test's own chrome window (scripts/driver_window.js): a modal prompt on
Marionette's current window answers a pending script with null, and Thunderbird's login prompts open on the
3-pane window whenever the server's answer arrives. The test's prompt watcher (scripts/prompt_watch.js) records
and cancels each prompt; Thunderbird's first login is started by the test (trigger_login) after both are in place."""
import base64
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.environ.get("MAILDOCTOR_ROOT") or os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, HERE)

from servers import Testbed  # noqa: E402  (tests/servers harness)
from marionette import Marionette  # noqa: E402
from nss_logins import seed_logins  # noqa: E402
from profile import ADDON_ID, account_prefs, make_profile, send_account_prefs  # noqa: E402

WRONG_PASSWORD = "wrong-e2e-password-7Qx"
# The test bed's certificates name this host (tests/servers/pki.py); trust_test_ca() makes it 127.0.0.2.
TEST_HOST = "mail.example.test"
SYSTEM_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
SEND_ACCOUNT = "account3"  # profile.send_account_prefs
MARIONETTE_PORT = 2828
# Another Thunderbird (e.g. 140 ESR unpacked from Debian's package) can be named here; Debian's 153 by default.
THUNDERBIRD = os.environ.get("MAILDOCTOR_THUNDERBIRD", "thunderbird")
# Dovecot slows every login from an address after a failed one (2, 4, 8, 15 s: its anvil "auth penalty"), and
# Thunderbird, its retries and the host all come from 127.0.0.1. The auth process skips the penalty when it cannot
# reach anvil's penalty socket, so this instance closes that socket to it: the scenarios then wait for what they
# test, not for the penalty.
NO_AUTH_PENALTY = """service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
"""


def install_host(home, profile_dir):
    """The host and the add-on the way a user gets them: installer/install.sh into HOME (binary under ~/.local,
    manifest in ~/.mozilla/native-messaging-hosts, the add-on into the profile). Before the installer existed,
    the built binary plus a manifest from manifests/maildoctor.json.in went to the same places."""
    env = dict(os.environ, HOME=home)
    installer = os.path.join(ROOT, "installer", "install.sh")
    # MAILDOCTOR_E2E_HOST: an already built host binary instead of the installer's release build (for iterating on
    # the add-on and these tests); the suite's own runs leave it unset.
    prebuilt = os.environ.get("MAILDOCTOR_E2E_HOST")
    if os.path.exists(installer) and not prebuilt:
        subprocess.run([installer, "--no-deps", "--profile", profile_dir], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    else:
        binary = prebuilt or os.environ.get("MAILDOCTOR_BIN", os.path.join(ROOT, "build", "dev", "host", "maildoctor"))
        target = os.path.join(home, ".local", "bin", "maildoctor")
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copy(binary, target)
        with open(os.path.join(ROOT, "manifests", "maildoctor.json.in")) as f:
            text = f.read().replace("@MAILDOCTOR_HOST_PATH@", target).replace("@MAILDOCTOR_ALLOWED_EXTENSIONS@", json.dumps(ADDON_ID))
        os.makedirs(os.path.join(home, ".mozilla", "native-messaging-hosts"), exist_ok=True)
        with open(os.path.join(home, ".mozilla", "native-messaging-hosts", "maildoctor.json"), "w") as f:
            f.write(text)
        shutil.copy(build_xpi(home), os.path.join(profile_dir, "extensions", f"{ADDON_ID}.xpi"))
    manifest = os.path.join(home, ".mozilla", "native-messaging-hosts", "maildoctor.json")
    with open(manifest) as f:
        host = json.load(f)
    assert ADDON_ID in host["allowed_extensions"], host
    assert os.path.exists(os.path.join(profile_dir, "extensions", f"{ADDON_ID}.xpi")), "add-on not in the profile"
    return host["path"]


def build_xpi(directory):
    xpi = os.path.join(directory, "maildoctor.xpi")
    subprocess.run([os.path.join(ROOT, "extension", "build.sh"), xpi], check=True, stdout=subprocess.DEVNULL)
    return xpi


class ThunderbirdSession:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="maildoctor-e2e-")
        self.procs = []
        self.bed = None
        self.marionette = None
        self.tb_log = None
        self.thunderbird = None
        self.mounts = []
        self.extra_logins = []  # a setup() may add saved logins here (e.g. an OAuth2 refresh token)

    def start(self, saved_password_option=None, locale=None, send_account=False, setup=None, logins=(), incoming_host="127.0.0.2"):
        """saved_password_option: the admin default extensions.maildoctor.savedPassword; None = built-in settings.
        locale: Thunderbird's UI language (e.g. "de", from Debian's thunderbird-l10n-de); None = its default.
        send_account: also the test bed's Postfix and a second account that sends through it (SEND_ACCOUNT).
        setup(session): called once the test bed is up, before the profile is written; returns extra prefs.
        logins: more saved logins [(origin, username, password[, realm])] (e.g. an OAuth2 refresh token).
        incoming_host: account1's server name (the "tb" Dovecot listens on 127.0.0.2; another name must reach it some
        other way, e.g. through a proxy that resolves it); the wrong password is saved for that name."""
        self.bed = Testbed()
        self.dovecot = self.bed.dovecot("tb", disable_plaintext_auth=False, extra=NO_AUTH_PENALTY)
        # Postfix (~2.5 s) starts while the rest is set up; its ports are known at once.
        self.smtp = self.bed.postfix([("submission", "starttls", self.dovecot)], wait=False) if send_account else None
        self.user = sorted(self.bed_users())[0]
        home = os.path.join(self.dir, "home")
        os.makedirs(home)
        profile_dir = os.path.join(self.dir, "profile")
        self.profile_dir = profile_dir
        self.incoming_host = incoming_host
        prefs = account_prefs(incoming_host, self.dovecot.ports["imap"], self.user, self.user, MARIONETTE_PORT,
                              savedPassword=saved_password_option)
        if locale:
            prefs["intl.locale.requested"] = locale
        if send_account:
            # Its own user: Thunderbird drops an account whose server duplicates another's (type, host, user).
            self.send_user = sorted(self.bed_users())[1]
            prefs.update(send_account_prefs("127.0.0.2", self.dovecot.ports["imap"], TEST_HOST, self.smtp.ports["submission"], self.send_user))
        if setup:
            prefs.update(setup(self))
        make_profile(profile_dir, prefs)
        self.host_path = install_host(home, profile_dir)
        seed_logins(profile_dir, [(f"imap://{incoming_host}", self.user, WRONG_PASSWORD)] + list(logins) + self.extra_logins)
        self.trusted_test_ca = self.trust_test_ca(profile_dir)
        if self.smtp:
            # Ready before Thunderbird: the add-on's start-up check of the send account must find it listening.
            self.smtp.wait()
        self.display = self.start_xvfb()
        env = dict(os.environ, HOME=home, DISPLAY=self.display, MOZ_CRASHREPORTER_DISABLE="1",
                   XDG_RUNTIME_DIR=os.path.join(self.dir, "run"), NO_AT_BRIDGE="1")
        os.makedirs(env["XDG_RUNTIME_DIR"], mode=0o700)
        self.tb_log = open(os.path.join(self.dir, "thunderbird.log"), "w")
        self.started_at = time.monotonic()
        tb = subprocess.Popen([THUNDERBIRD, "--marionette", "-remote-allow-system-access", "-no-remote", "-profile", profile_dir],
                              env=env, stdout=self.tb_log, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append(tb)
        self.thunderbird = tb
        self.marionette = Marionette(MARIONETTE_PORT, timeout=60)
        self.marionette.start_chrome_session()
        self.use_driver_window()
        self.script("prompt_watch.js", ["install"])
        self.version = self.marionette.run_async("arguments[0](Services.appinfo.version);")
        self.major = int(self.version.split(".")[0])
        return self

    def trust_test_ca(self, profile_dir):
        """The test bed's CA trusted and its host name resolvable, as an administrator would set up a company CA:
        in Thunderbird's profile (its NSS database, certutil) and, for the host, in the system trust store and
        /etc/hosts of this mount namespace only (80-e2e.sh runs `unshare --net --mount` and says so in
        MAILDOCTOR_E2E_PRIVATE_MOUNTS=1; the bind mounts vanish with the namespace). Returns False, changing nothing
        outside the profile, without that."""
        subprocess.run(["certutil", "-A", "-d", f"sql:{profile_dir}", "-n", "maildoctor test root", "-t", "C,,",
                        "-i", self.bed.pki.root_cert], check=True)
        # Set by 80-e2e.sh inside `unshare --mount` only (/proc/1/ns is not readable in every container).
        if os.environ.get("MAILDOCTOR_E2E_PRIVATE_MOUNTS") != "1":
            return False
        bundle = os.path.join(self.dir, "ca-certificates.crt")
        with open(SYSTEM_BUNDLE) as system, open(self.bed.pki.root_cert) as root, open(bundle, "w") as out:
            out.write(system.read() + "\n" + root.read())
        hosts = os.path.join(self.dir, "hosts")
        with open("/etc/hosts") as system, open(hosts, "w") as out:
            out.write(system.read() + f"\n127.0.0.2 {TEST_HOST}\n")
        for source, target in ((bundle, SYSTEM_BUNDLE), (hosts, "/etc/hosts")):
            subprocess.run(["mount", "--bind", source, target], check=True)
            self.mounts.append(target)
        return True

    def use_driver_window(self):
        before = set(self.marionette.window_handles())
        opened = self.script("driver_window.js")
        assert opened.get("opened") and opened.get("mailActive"), f"the 3-pane window must be the active one: {opened}"
        for handle in [h for h in self.marionette.window_handles() if h not in before]:
            self.marionette.switch_to_window(handle)
            if self.script("window_title.js")["title"] == "maildoctor e2e driver":
                return
        raise RuntimeError("the driver window did not open")

    def bed_users(self):
        from servers import DEFAULT_USERS
        return DEFAULT_USERS.keys()

    def start_xvfb(self):
        read_fd, write_fd = os.pipe()
        xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x900x24", "-nolisten", "tcp"],
                                pass_fds=[write_fd], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        os.close(write_fd)
        self.procs.append(xvfb)
        number = b""
        with os.fdopen(read_fd, "rb") as r:
            while not number.endswith(b"\n"):
                chunk = r.read(1)
                if not chunk:
                    raise RuntimeError("Xvfb did not report a display")
                number += chunk
        return ":" + number.decode().strip()

    def script(self, name, args=None, timeout_ms=30000):
        """Runs a chrome-context script (tests/e2e/scripts/NAME); every script resolves with an object, so a
        null means Marionette cut it short, which the driver window exists to prevent: an error, never retried."""
        with open(os.path.join(HERE, "scripts", name)) as f:
            source = f.read()
        value = self.marionette.run_async(source, args, timeout_ms)
        if value is None:
            raise RuntimeError(f"{name} returned nothing: Marionette ended it (a prompt on the driver window?)")
        return value

    def prompts(self):
        """Every prompt Thunderbird showed so far: [{title, text, at}]."""
        return self.script("prompt_watch.js", ["read"])["prompts"]

    def notifications(self):
        """Every notification Thunderbird showed so far: [{title, text, at}]."""
        return self.script("prompt_watch.js", ["read"])["notifications"]

    def trigger_login(self, account_id="account1"):
        return self.script("trigger_login.js", [account_id])

    def popup(self, content_script, args=None):
        """Runs content_script (a function body; may await) in the add-on's open popup and returns its value."""
        reply = self.script("popup_run.js", [content_script, args or []])
        if "error" in reply:
            raise RuntimeError(f"popup script: {reply}")
        return reply["value"]

    def popup_pngs(self, stem):
        """The open popup in light and in dark colours: STEM.png and STEM-dark.png."""
        self.popup_png(stem + ".png")
        self.script("dark_mode.js", [True])
        try:
            # The popup follows prefers-color-scheme as soon as the pref changes; wait until it has.
            for _ in range(50):
                if self.popup("return matchMedia('(prefers-color-scheme: dark)').matches;"):
                    break
                time.sleep(0.1)
            self.popup_png(stem + "-dark.png")
        finally:
            self.script("dark_mode.js", [False])
            for _ in range(50):
                if not self.popup("return matchMedia('(prefers-color-scheme: dark)').matches;"):
                    break
                time.sleep(0.1)

    def popup_png(self, path):
        """Writes a PNG of the open popup alone; returns (width, height)."""
        shot = self.script("popup_snapshot.js")
        assert "png" in shot, shot
        with open(path, "wb") as f:
            f.write(base64.b64decode(shot["png"].split(",", 1)[1]))
        return shot["width"], shot["height"]

    def screenshot(self, path):
        subprocess.run(["import", "-display", self.display, "-window", "root", path], check=True)

    def log_text(self):
        if not self.tb_log:
            return ""
        self.tb_log.flush()
        with open(os.path.join(self.dir, "thunderbird.log")) as f:
            return f.read()

    def close(self):
        if self.marionette:
            self.marionette.quit()
        for proc in reversed(self.procs):
            if proc.poll() is None:
                try:
                    proc.wait(timeout=10 if proc is self.thunderbird else 0.1)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGTERM)
                    try:
                        proc.wait(timeout=5)
                    except subprocess.TimeoutExpired:
                        os.killpg(proc.pid, signal.SIGKILL)
                        proc.wait()
        if self.bed:
            self.bed.close()
        # The next session in this namespace binds its own copies (a bind of a deleted file cannot be bound over).
        for target in reversed(self.mounts):
            subprocess.run(["umount", target], check=False)
        shutil.rmtree(self.dir, ignore_errors=True)


@contextlib.contextmanager
def logged_session(artifacts, name, **start):
    """A started ThunderbirdSession for a test module; at the end its Thunderbird log and the test bed's server logs
    are kept as artifacts/e2e-<name>-thunderbird.log and e2e-<name>-servers.log, then it is closed."""
    session = ThunderbirdSession()
    try:
        session.start(**start)
        yield session
    finally:
        with open(os.path.join(artifacts, "e2e-%s-thunderbird.log" % name), "w") as f:
            f.write(session.log_text())
        if session.bed:
            with open(os.path.join(artifacts, "e2e-%s-servers.log" % name), "w") as f:
                f.write(session.bed.logs())
        session.close()
