"""A fresh Thunderbird profile: one IMAP account, the add-on sideloaded, nothing that reaches outside."""
import json
import os

ADDON_ID = "maildoctor@maildoctor.dev"


def pref_line(name, value):
    return f"user_pref({json.dumps(name)}, {json.dumps(value)});"


def send_account_prefs(imap_host, imap_port, smtp_host, smtp_port, username):
    """A second IMAP account ("E2E Send", account3) whose identity sends through an SMTP server with STARTTLS and a
    password (the failed-send scenario). Made at start, so the folder pane lists it as it lists any account.
    Nothing logs in on its own: no login at start-up, no new-mail checks, no saved password for its IMAP server."""
    return {
        "mail.accountmanager.accounts": "account1,account3,account2",
        "mail.account.account3.server": "server3",
        "mail.account.account3.identities": "id2",
        "mail.server.server3.type": "imap",
        "mail.server.server3.hostname": imap_host,
        "mail.server.server3.port": imap_port,
        "mail.server.server3.userName": username,
        "mail.server.server3.socketType": 0,
        "mail.server.server3.authMethod": 3,
        "mail.server.server3.name": "E2E Send",
        "mail.server.server3.login_at_startup": False,
        "mail.server.server3.check_new_mail": False,
        "mail.identity.id2.useremail": username,
        "mail.identity.id2.fullName": "E2E User",
        "mail.identity.id2.valid": True,
        "mail.identity.id2.smtpServer": "smtp1",
        "mail.identity.id2.fcc": False,
        "mail.smtpservers": "smtp1",
        # An identity without its own SMTP server uses the default one, the first listed unless this names another:
        # a key no server has keeps account1 without an outgoing server, as the other scenarios expect.
        "mail.smtp.defaultserver": "none",
        "mail.smtpserver.smtp1.type": "smtp",
        "mail.smtpserver.smtp1.hostname": smtp_host,
        "mail.smtpserver.smtp1.port": smtp_port,
        "mail.smtpserver.smtp1.try_ssl": 2,
        "mail.smtpserver.smtp1.authMethod": 3,
        "mail.smtpserver.smtp1.username": username,
    }


def account_prefs(host, port, username, email, marionette_port, savedPassword=None):
    prefs = {
        # First-run screens, telemetry, updates and anything else that would go out or get in the way.
        "mail.rights.version": 1,
        "mail.shell.checkDefaultClient": False,
        "mailnews.start_page.enabled": False,
        "mail.provider.suppress_dialog_on_startup": True,
        "mail.spotlight.firstRunDone": True,
        "mail.winsearch.firstRunDone": True,
        "datareporting.policy.dataSubmissionEnabled": False,
        "datareporting.policy.dataSubmissionPolicyBypassNotification": True,
        "datareporting.healthreport.uploadEnabled": False,
        "toolkit.telemetry.reportingpolicy.firstRun": False,
        "app.update.auto": False,
        "app.update.disabledForTesting": True,
        "extensions.update.enabled": False,
        "extensions.getAddons.cache.enabled": False,
        "browser.region.network.url": "",
        "browser.region.update.enabled": False,
        "network.proxy.type": 1,
        "network.proxy.http": "127.0.0.1",
        "network.proxy.http_port": 9,
        "network.proxy.ssl": "127.0.0.1",
        "network.proxy.ssl_port": 9,
        "network.proxy.no_proxies_on": "127.0.0.0/8",
        # Thunderbird may decide it is offline at start and skip the login (TESTBED.md).
        "offline.autoDetect": False,
        "network.manage-offline-status": False,
        "offline.startup_state": 2,
        # The add-on, sideloaded into the profile, must come up enabled.
        "extensions.autoDisableScopes": 0,
        "xpinstall.signatures.required": False,
        "marionette.port": marionette_port,
        # Console messages (the add-on's and the experiment's errors) go to stdout, i.e. the test's log.
        "devtools.console.stdout.chrome": True,
        "devtools.console.stdout.content": True,
        "signon.rememberSignons": True,
        # Notifications as Thunderbird's own alert windows (no notification daemon here), which the test can read.
        "alerts.useSystemBackend": False,
        # One IMAP account plus Local Folders.
        "mail.accountmanager.accounts": "account1,account2",
        "mail.accountmanager.defaultaccount": "account1",
        "mail.accountmanager.localfoldersserver": "server2",
        "mail.account.account1.server": "server1",
        "mail.account.account1.identities": "id1",
        "mail.account.account2.server": "server2",
        "mail.server.server1.type": "imap",
        "mail.server.server1.hostname": host,
        "mail.server.server1.port": port,
        "mail.server.server1.userName": username,
        "mail.server.server1.socketType": 0,
        "mail.server.server1.authMethod": 3,
        "mail.server.server1.name": "E2E Mail",
        # The test starts Thunderbird's first login itself, once its prompt watcher is in place (tb_session.py);
        # periodic checks would add logins (and prompts) at times the test does not control.
        "mail.server.server1.login_at_startup": False,
        "mail.server.server1.check_new_mail": False,
        "mail.server.server2.type": "none",
        "mail.server.server2.hostname": "Local Folders",
        "mail.server.server2.userName": "nobody",
        "mail.server.server2.name": "Local Folders",
        "mail.identity.id1.useremail": email,
        "mail.identity.id1.fullName": "E2E User",
        "mail.identity.id1.valid": True,
        # No outgoing server: the scenarios are about the incoming login, and an SMTP server nobody listens on would
        # add a finding of its own (and a badge) to every diagnosis.
        "mail.smtpservers": "",
    }
    if savedPassword is not None:
        # The admin default the add-on reads (docs/EXTENSION.md); without it the add-on runs on its built-in
        # settings, where the saved password is tested only after the user agrees in the popup.
        prefs["extensions.maildoctor.savedPassword"] = savedPassword
    return prefs


def make_profile(directory, prefs):
    os.makedirs(os.path.join(directory, "extensions"), exist_ok=True)
    with open(os.path.join(directory, "user.js"), "w") as f:
        f.write("\n".join(pref_line(k, v) for k, v in prefs.items()) + "\n")
