"""A Postfix submission server with a private config folder. SASL goes through the auth socket of a
Dovecot instance (so the same login counter sees it), mail relays to a local sink, and a sender
map makes Postfix refuse a MAIL FROM that the logged-in user does not own.

Each service is (name, mode, dovecot): mode "starttls" (smtpd_tls_security_level=encrypt) or
"tls" (wrapper mode, implicit TLS). Different services may authenticate against different
Dovecot instances, which keeps a failed login on one from slowing logins on another.
Postfix takes about 2.3 s to start: start it once per test session."""
import os
import threading
import time

from .net import SERVER_ADDR, free_port, wait_port
from .proc import read_logs, pid_alive, run, stop_pid

_MAIN = """# Written by tests/servers/postfix.py: a private test instance.
compatibility_level = 3.6
queue_directory = {d}/queue
data_directory = {d}/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = {d}/log/maillog
maillog_file_prefixes = {d}/log
myhostname = mail.example.test
mydomain = example.test
myorigin = example.test
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.1/32
relayhost = [{sink_addr}]:{sink_port}
smtp_tls_security_level = none
smtpd_tls_cert_file = {cert}
smtpd_tls_key_file = {key}
smtpd_tls_security_level = may
smtpd_tls_auth_only = yes
smtpd_sasl_type = dovecot
smtpd_sasl_auth_enable = no
smtpd_sender_login_maps = texthash:{d}/senders
smtpd_sender_restrictions = reject_sender_login_mismatch
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
smtpd_recipient_restrictions = permit_sasl_authenticated, reject
biff = no
"""

_MASTER = """# service type private unpriv chroot wakeup maxproc command
{services}
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""

_SERVICE = """{addr}:{port} inet n - n - - smtpd
  -o syslog_name=postfix/{name}
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_sasl_path={sasl_path}
{tls}"""


class Postfix:
    """Attributes: ports {service name: port}, services {name: {"mode", "port", "auth"}}, log_path."""

    def __init__(self, base, pki, sink, services, senders=None, cert="good"):
        self.base = base
        self.log_path = os.path.join(base, "log", "maillog")
        for sub in ("queue", "data", "log"):
            os.makedirs(os.path.join(base, sub), exist_ok=True)
        os.chmod(base, 0o755)
        run(["chown", "postfix", os.path.join(base, "data")])
        cert_path, key_path = pki.leaf(cert)
        self.services = {}
        blocks = []
        for name, mode, dovecot, *own_cert in services:
            port = free_port()
            tls = ("  -o smtpd_tls_security_level=encrypt\n" if mode == "starttls"
                   else "  -o smtpd_tls_wrappermode=yes\n  -o smtpd_tls_security_level=encrypt\n")
            if own_cert:
                # A service of its own certificate (a 4th element: a pki leaf name), e.g. for a real provider's name.
                c_path, k_path = pki.leaf(own_cert[0])
                tls += "  -o smtpd_tls_cert_file=%s\n  -o smtpd_tls_key_file=%s\n" % (c_path, k_path)
            blocks.append(_SERVICE.format(addr=SERVER_ADDR, port=port, name=name,
                                          sasl_path=dovecot.auth_socket, tls=tls))
            self.services[name] = {"mode": mode, "port": port, "auth": dovecot.name}
        self.ports = {n: s["port"] for n, s in self.services.items()}
        # Every user owns exactly their own address; anyone else's is refused (553 5.7.1).
        owners = dict(senders or {})
        for _, _, dovecot, *_ in services:
            for user in dovecot.users:
                owners.setdefault(user, user)
        with open(os.path.join(base, "senders"), "w") as f:
            for sender, login in owners.items():
                f.write("%s %s\n" % (sender, login))
        with open(os.path.join(base, "main.cf"), "w") as f:
            f.write(_MAIN.format(d=base, sink_addr=sink.addr, sink_port=sink.port, cert=cert_path, key=key_path))
        with open(os.path.join(base, "master.cf"), "w") as f:
            f.write(_MASTER.format(services="".join(blocks)))
        self._pid = None
        self._launcher = None
        self._launch_error = None

    @property
    def pid(self):
        return self._pid

    def launch(self, timeout=60.0):
        """Starts Postfix in the background (its start-up script takes seconds); wait() finishes."""
        def go():
            # Postfix prints fatal errors only to a tty: `script` gives it one, writing to a file.
            start_log = os.path.join(self.base, "log", "start.log")
            try:
                run(["script", "-qec", "postfix -c %s start" % self.base, start_log], timeout=timeout)
            except Exception as e:  # handed to wait(), in the caller's thread
                self._launch_error = e
        self._launcher = threading.Thread(target=go, name="postfix-start", daemon=True)
        self._launcher.start()
        return self

    def start(self, timeout=60.0):
        return self.launch(timeout).wait(timeout)

    def wait(self, timeout=60.0):
        if self._launcher is not None:
            self._launcher.join(timeout)
            self._launcher = None
        if self._launch_error is not None:
            raise RuntimeError("postfix start failed: %s\n%s" % (self._launch_error, self.logs()))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._read_pid() is None:
            time.sleep(0.05)
        for port in self.ports.values():
            if not wait_port(port, timeout=max(0.1, deadline - time.monotonic()),
                             alive=lambda: self._pid is None or pid_alive(self._pid)):
                raise RuntimeError("postfix did not listen on %d\n%s" % (port, self.logs()))
        return self

    def stop(self):
        if self._launcher is not None:
            self._launcher.join(30)
            self._launcher = None
        if self._pid is None:
            self._read_pid()
        stop_pid(self._pid, timeout=10.0)
        self._pid = None

    def _read_pid(self):
        try:
            with open(os.path.join(self.base, "queue", "pid", "master.pid")) as f:
                self._pid = int(f.read().strip())
        except (OSError, ValueError):
            pass
        return self._pid

    def log_files(self):
        return [os.path.join(self.base, "log", "start.log"), self.log_path]

    def logs(self, since=None):
        return read_logs(self.log_files(), since)

    def describe(self):
        return {"services": self.services, "ports": self.ports, "pid": self._pid, "log": self.log_path}
