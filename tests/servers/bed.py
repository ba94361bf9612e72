"""The Testbed: one temp folder, one PKI, one login counter, and every server started through it,
all stopped by close() (also at interpreter exit, and on SIGTERM in the CLI)."""
import atexit
import os
import signal
import shutil
import tempfile
import threading

from .dnsmasq import Dnsmasq
from .dovecot import Dovecot
from .introspect import Introspection
from .pki import PKI
from .policy import LoginCounter
from .postfix import Postfix
from .proc import log_sizes, read_logs
from .silent import Tarpit, closed_port
from .smtpsink import SmtpSink
from .socks import Socks

_live = []
_live_lock = threading.Lock()


def _close_all():
    with _live_lock:
        beds = list(_live)
    for bed in beds:
        bed.close()


atexit.register(_close_all)


def _on_sigterm(signum, frame):
    # atexit does not run when SIGTERM kills the interpreter: the daemons (own sessions) would live on.
    _close_all()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def _install_sigterm_cleanup():
    try:
        if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
            signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:
        pass  # not the main thread: the owner of the process handles signals


class Mark:
    """Where the login counters stood at one moment: Testbed.attempts_since(mark)."""

    def __init__(self, counter_mark, log_offsets):
        self.counter_mark = counter_mark
        self.log_offsets = log_offsets


class Testbed:
    def __init__(self, directory=None, keep=False, pki_dir=None):
        self.dir = directory or tempfile.mkdtemp(prefix="maildoctor-testbed-")
        os.makedirs(self.dir, exist_ok=True)
        os.chmod(self.dir, 0o755)  # Postfix (user postfix) must reach Dovecot's auth socket in here
        self.keep = keep
        self.pki = PKI(pki_dir or os.path.join(self.dir, "pki"))
        self.counter = LoginCounter().start()
        self.dovecots = {}
        self._postfix = None
        self._sink = None
        self._others = []      # objects with stop()
        self._closed = False
        with _live_lock:
            _live.append(self)
        _install_sigterm_cleanup()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # --- servers ---------------------------------------------------------------------------------
    def dovecot(self, name, cert="good", disable_plaintext_auth=True, ssl="yes", users=None,
                extra="", start=True, oauth2_user=None, oauth2_mechanisms="xoauth2 oauthbearer"):
        """A Dovecot instance named `name` (unique in this bed) serving certificate `cert`
        (one of pki.LEAVES). Dovecot's own default disable_plaintext_auth=yes is kept.
        oauth2_user (opt-in): also XOAUTH2/OAUTHBEARER for that user, checked by a token-introspection endpoint the
        bed starts (dc.introspection: its tokens "valid", "expired", "wrong_scope"); oauth2_mechanisms: which of the
        two SASL mechanisms it offers (curl prefers OAUTHBEARER when both are)."""
        if name in self.dovecots:
            raise ValueError("dovecot %r exists already" % name)
        introspection = None
        if oauth2_user is not None:
            introspection = Introspection(oauth2_user).start()
            self._others.append(introspection)
        dc = Dovecot(name, os.path.join(self.dir, "dovecot-" + name), self.pki, self.counter, cert=cert,
                     disable_plaintext_auth=disable_plaintext_auth, ssl=ssl, users=users, extra=extra,
                     introspection=introspection, oauth2_mechanisms=oauth2_mechanisms)
        dc.introspection = introspection
        self.dovecots[name] = dc
        return dc.start() if start else dc

    def sink(self):
        if self._sink is None:
            self._sink = SmtpSink().start()
        return self._sink

    def postfix(self, services, senders=None, cert="good", wait=True):
        """Postfix with services [(name, "starttls"|"tls", dovecot[, cert])]; one per bed. Its ports are known
        at once; with wait=False it starts in the background (~2.5 s) until postfix.wait()."""
        if self._postfix is not None:
            raise ValueError("one postfix per testbed")
        self._postfix = Postfix(os.path.join(self.dir, "postfix"), self.pki, self.sink(), services,
                                senders=senders, cert=cert)
        self._postfix.launch()
        if wait:
            self._postfix.wait()
        return self._postfix

    def dnsmasq(self, records, name="dns"):
        dns = Dnsmasq(os.path.join(self.dir, name), records)
        self._others.append(dns)
        return dns.start()

    def socks(self, name, **kw):
        """A microsocks SOCKS5 proxy (see socks.py for the options)."""
        proxy = Socks(os.path.join(self.dir, name), **kw)
        self._others.append(proxy)
        return proxy.start()

    def tarpit(self):
        t = Tarpit().start()
        self._others.append(t)
        return t

    @staticmethod
    def closed_port():
        return closed_port()

    # --- login counting --------------------------------------------------------------------------
    def mark(self):
        return Mark(self.counter.mark(), {n: d.log_offset() for n, d in self.dovecots.items()})

    def attempts_since(self, mark):
        """{"<dovecot instance>/<protocol>": n} for every login attempt after mark, whether the auth
        process saw it (policy counter) or the login process refused it first (log)."""
        out = self.counter.per_server(since=mark.counter_mark)
        for name, dc in self.dovecots.items():
            for proto, n in dc.refused_before_auth(since=mark.log_offsets.get(name, 0)).items():
                key = "%s/%s" % (name, proto)
                out[key] = out.get(key, 0) + n
        return out

    # --- reporting -------------------------------------------------------------------------------
    def _log_files(self):
        servers = list(self.dovecots.values()) + ([self._postfix] if self._postfix else [])
        servers += [o for o in self._others if hasattr(o, "log_files")]
        return [p for s in servers for p in s.log_files()]

    def log_sizes(self):
        """Where every log stands now: logs(since=...) then shows only what came after."""
        return log_sizes(self._log_files())

    def logs(self, since=None):
        return read_logs(self._log_files(), since)

    def describe(self):
        out = {"dir": self.dir, "cacert": self.pki.root_cert, "policy": self.counter.url("")[:-3],
               "dovecot": {n: d.describe() for n, d in self.dovecots.items()}}
        if self._postfix:
            out["postfix"] = self._postfix.describe()
        if self._sink:
            out["sink"] = {"port": self._sink.port}
        return out

    def close(self):
        if self._closed:
            return
        self._closed = True
        if self._postfix:
            self._postfix.stop()
        for dc in self.dovecots.values():
            dc.daemon.terminate()
        for dc in self.dovecots.values():
            dc.stop()
        for o in reversed(self._others):
            o.stop()
        if self._sink:
            self._sink.stop()
        self.counter.stop()
        with _live_lock:
            if self in _live:
                _live.remove(self)
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)
