"""One Dovecot instance (IMAP + POP3, implicit TLS and STARTTLS ports) from its own config file.

Every instance has its own base_dir, state_dir, log, passwd-file and ports on 127.0.0.2, and sends
each login to the harness's auth-policy counter under its own name."""
import os
import pwd
import grp

from .introspect import dovecot_extra
from .net import SERVER_ADDR, free_port, wait_port
from .proc import read_logs, Daemon

DEFAULT_USERS = {"alice@example.test": "Canary-4mW9-pass", "bob@example.test": "Bob-Secret-77"}

_CONF = """# Written by tests/servers/dovecot.py: a private test instance.
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
info_log_path = {base}/dovecot.log
protocols = imap pop3
listen = {addr}
ssl = {ssl}
ssl_cert = <{cert}
ssl_key = <{key}
disable_plaintext_auth = {dpa}
auth_mechanisms = {mechanisms}
auth_failure_delay = {failure_delay}
auth_verbose = yes
auth_policy_server_url = {policy_url}
auth_policy_hash_nonce = maildoctor-test-nonce
# One "allow" request per login: the counter counts those.
auth_policy_check_after_auth = no
auth_policy_request_attributes = login=%{{requested_username}} remote=%{{rip}} protocol=%s
first_valid_uid = 1
mail_location = maildir:{base}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/passwd
  {passwd_mechanisms}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={base}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    port = {imap}
  }}
  inet_listener imaps {{
    port = {imaps}
    ssl = yes
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = {pop3}
  }}
  inet_listener pop3s {{
    port = {pop3s}
    ssl = yes
  }}
}}
service auth {{
  unix_listener auth-client {{
    mode = 0666
  }}
}}
{extra}
"""


class Dovecot:
    """Attributes: name, ports {"imap","imaps","pop3","pop3s"}, auth_socket (for Postfix SASL),
    users {user: password}, log_path."""

    def __init__(self, name, base, pki, counter, cert="good", disable_plaintext_auth=False,
                 ssl="yes", users=None, auth_failure_delay="0", extra="", introspection=None,
                 oauth2_mechanisms="xoauth2 oauthbearer"):
        self.name = name
        self.base = base
        self.cert = cert
        self.counter = counter
        self.users = dict(DEFAULT_USERS if users is None else users)
        self.log_path = os.path.join(base, "dovecot.log")
        self.conf_path = os.path.join(base, "dovecot.conf")
        self.auth_socket = os.path.join(base, "run", "auth-client")
        self.ports = {k: free_port() for k in ("imap", "imaps", "pop3", "pop3s")}
        os.makedirs(os.path.join(base, "mail"), exist_ok=True)
        os.chmod(base, 0o755)
        nobody = pwd.getpwnam("nobody")
        nogroup = grp.getgrgid(nobody.pw_gid)
        os.chown(os.path.join(base, "mail"), nobody.pw_uid, nogroup.gr_gid)
        cert_path, key_path = pki.leaf(cert)
        with open(os.path.join(base, "passwd"), "w") as f:
            for user, password in self.users.items():
                f.write("%s:{PLAIN}%s::::::\n" % (user, password))
        # OAuth2 (opt-in): XOAUTH2 and OAUTHBEARER checked by a token-introspection endpoint, passwords as before.
        mechanisms, passwd_mechanisms = "plain login", ""
        if introspection is not None:
            extra = dovecot_extra(introspection, os.path.join(base, "oauth2.conf.ext"), oauth2_mechanisms) + extra
            mechanisms, passwd_mechanisms = "plain login " + oauth2_mechanisms, "mechanisms = plain login"
        with open(self.conf_path, "w") as f:
            f.write(_CONF.format(mechanisms=mechanisms, passwd_mechanisms=passwd_mechanisms, base=base, addr=SERVER_ADDR, ssl=ssl, cert=cert_path, key=key_path,
                                 dpa="yes" if disable_plaintext_auth else "no",
                                 failure_delay=auth_failure_delay, policy_url=counter.url(name),
                                 uid=nobody.pw_uid, gid=nogroup.gr_gid, extra=extra, **self.ports))
        self.daemon = Daemon("dovecot-" + name, ["dovecot", "-F", "-c", self.conf_path],
                             os.path.join(base, "dovecot.stderr"))

    def start(self, timeout=15.0):
        self.daemon.start()
        for port in self.ports.values():
            if not wait_port(port, timeout=timeout, alive=self.daemon.alive):
                raise RuntimeError("dovecot %s did not listen on %d\n%s" % (self.name, port, self.logs()))
        return self

    def stop(self):
        self.daemon.stop()

    def attempts(self, user=None):
        """Login attempts this instance's auth process saw (all users unless one is named)."""
        return self.counter.count(user=user, instance=self.name)

    def log_offset(self):
        try:
            return os.path.getsize(self.log_path)
        except OSError:
            return 0

    def refused_before_auth(self, since=0):
        """{"imap": n, "pop3": n}: logins the login process refused itself (plaintext not allowed
        before TLS). The client did send its LOGIN/PASS, but the auth process, and so the policy
        counter, never saw them; the log does. `since` is a log_offset() taken earlier."""
        out = {}
        try:
            with open(self.log_path, "rb") as f:
                f.seek(since)
                text = f.read().decode(errors="replace")
        except OSError:
            return out
        for line in text.splitlines():
            if "Login failed: Plaintext authentication disabled" in line:
                proto = line.split("-login:", 1)[0].rsplit(" ", 1)[-1]
                out[proto] = out.get(proto, 0) + 1
        return out

    def log_files(self):
        return [self.daemon.log_path, self.log_path]

    def logs(self, since=None):
        return read_logs(self.log_files(), since)

    def describe(self):
        return {"name": self.name, "cert": self.cert, "ports": self.ports, "auth_socket": self.auth_socket,
                "pid": self.daemon.pid, "log": self.log_path}
