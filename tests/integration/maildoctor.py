"""Runs the real maildoctor binary the way a user would, and checks what every diagnosis must
honour whatever its scenario: no secret in any output, at most one login per server."""
import base64
import json
import os
import subprocess
import time

HOST = "mail.example.test"

# Standard ports a mail client (and maildoctor's alternatives) tries, by endpoint kind.
INCOMING_PORTS = {993: "imaps", 143: "imap", 995: "pop3s", 110: "pop3"}
OUTGOING_PORTS = {465: "submissions", 587: "submission"}


def binary():
    path = os.environ.get("MAILDOCTOR_BIN")
    if not path:
        root = os.environ.get("MAILDOCTOR_ROOT") or os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.abspath(__file__))))
        path = os.path.join(root, "build", "dev", "host", "maildoctor")
    return path


class Run:
    """One finished diagnosis: what went in, what came out, and the logins the servers saw."""

    def __init__(self, argv, request, rc, stdout, stderr, seconds, attempts):
        self.argv, self.request, self.rc = argv, request, rc
        self.stdout, self.stderr, self.seconds = stdout, stderr, seconds
        self.attempts = attempts
        self.result = None

    def __repr__(self):
        return "<Run rc=%s verdict=%s codes=%s attempts=%s>" % (
            self.rc, (self.result or {}).get("verdict"), self.codes() if self.result else None, self.attempts)

    def codes(self, subject=None):
        return [f.get("code") for f in (self.result or {}).get("findings", [])
                if subject is None or f.get("subject") == subject]

    def finding(self, code):
        for f in (self.result or {}).get("findings", []):
            if f.get("code") == code:
                return f
        return None

    def explain(self):
        """Everything one needs to see when an assertion fails, the findings first."""
        head = "argv: %s\nrc: %s  seconds: %.2f\nlogin attempts: %s\n" % (
            " ".join(self.argv), self.rc, self.seconds, self.attempts)
        if not self.result:
            return head + "stdout:\n%s\nstderr:\n%s" % (self.stdout[-12000:], self.stderr[-6000:])
        r = self.result
        lines = ["verdict: %s" % r.get("verdict"), "findings:"]
        lines += ["  " + json.dumps(f) for f in r.get("findings", [])]
        if "discovery" in r:
            lines.append("discovery: " + json.dumps(r["discovery"]))
        lines.append("checks:")
        lines += ["  %s %s %s %s %sms %s" % (c.get("subject"), c.get("target", ""), c.get("step"), c.get("status"),
                                             c.get("ms"), c.get("detail", "")) for c in r.get("checks", [])]
        lines.append("transcript:")
        lines += ["  %s %s %s %s" % (t.get("ms"), t.get("target", t.get("subject")), t.get("dir"), t.get("line"))
                  for t in r.get("transcript", [])[:300]]
        return head + "\n".join(lines)[:30000] + "\nstderr:\n" + self.stderr[-6000:]

def secret_forms(user, password):
    """The ways a password can leak: as is, base64, and every SASL PLAIN / LOGIN token."""
    forms = {password, base64.b64encode(password.encode()).decode()}
    for authzid in ("", user):
        blob = ("%s\0%s\0%s" % (authzid, user, password)).encode()
        forms.add(base64.b64encode(blob).decode())
    forms.add(base64.b64encode(("user=%s\x01auth=Bearer %s\x01\x01" % (user, password)).encode()).decode())  # XOAUTH2
    # A base64 encoder may meet the password at any alignment inside a longer token: the middle of
    # its encoding at each of the three offsets is what survives in any of them.
    for pad in (b"", b"\0", b"\0\0"):
        enc = base64.b64encode(pad + password.encode()).decode()
        forms.add(enc[4:-4] if len(enc) > 12 else enc)
    return forms


def connect_to(incoming=None, outgoing=None, closed_port=None, host=HOST, addr="127.0.0.2"):
    """--connect-to pairs that put the standard ports of `host` on the test servers: incoming is a
    Dovecot (imaps/imap/pop3s/pop3 ports), outgoing a Postfix-like {"submissions": p, "submission": p}.
    A standard port with no server behind it goes to closed_port, so that no probe reaches whatever
    else may listen on 127.0.0.2."""
    pairs = []
    for std, kind in INCOMING_PORTS.items():
        real = (incoming or {}).get(kind, closed_port)
        if real:
            pairs.append("%s:%d:%s:%d" % (host, std, addr, real))
    for std, kind in OUTGOING_PORTS.items():
        real = (outgoing or {}).get(kind, closed_port)
        if real:
            pairs.append("%s:%d:%s:%d" % (host, std, addr, real))
    if closed_port:
        pairs.append("%s:25:%s:%d" % (host, addr, closed_port))
    return pairs


def endpoint(protocol, port, security, user=None, password=None, host=HOST):
    ep = {"protocol": protocol, "host": host, "port": port, "security": security, "auth": "password"}
    if user:
        ep["username"] = user
    if password is not None:
        ep["password"] = password
    return ep


def request(email, incoming=None, outgoing=None, deadline_ms=None, alternatives=True, login=True):
    account = {"email": email, "name": "integration test"}
    if incoming:
        account["incoming"] = incoming
    if outgoing:
        account["outgoing"] = outgoing
    req = {"account": account, "options": {"login": login, "alternatives": alternatives}}
    if deadline_ms:
        req["options"]["deadline_ms"] = deadline_ms
    return req


class Maildoctor:
    """Bound to a test bed: every run goes through its DNS server and trusts its root CA."""

    def __init__(self, bed, dns_server, secrets):
        self.bed = bed
        self.dns_server = dns_server
        self.secrets = secrets  # {user: password} of every account the servers know

    def common_args(self, connect=(), deadline=6.0, cacert=True):
        argv = ["--deadline", "%g" % deadline]
        if self.dns_server:
            argv += ["--dns-servers", self.dns_server]
        if cacert:
            argv += ["--cacert", self.bed.pki.root_cert]
        for pair in connect:
            argv += ["--connect-to", pair]
        return argv

    def diagnose(self, req, connect=(), deadline=6.0, extra_args=(), cacert=True, clock=None):
        """`maildoctor diagnose --json --request -` with req on stdin; checks the invariants. `clock`: the local time
        the binary sees, through libfaketime (its "@YYYY-MM-DD HH:MM:SS" start-at form or a "+3d" offset)."""
        argv = ["diagnose", "--json", "--request", "-"] + self.common_args(connect, deadline, cacert) + list(extra_args)
        return self.run(argv, json.dumps(req), deadline, req=req, clock=clock)

    def run(self, args, stdin, deadline, req=None, as_json=True, secrets=(), clock=None):
        """Runs the binary with args; `secrets` are extra (user, password) pairs to look for."""
        argv = [binary()] + list(args)
        env = None
        if clock is not None:
            # The clock keeps ticking from the faked time, and the monotonic clock (deadlines, curl's timeouts)
            # stays real: only the wall clock the diagnosis reads moves.
            argv = ["faketime", "-f", clock] + argv
            env = dict(os.environ, FAKETIME_DONT_FAKE_MONOTONIC="1", FAKETIME_NO_CACHE="1")
        mark = self.bed.mark()
        t0 = time.monotonic()
        try:
            p = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=deadline + 20, env=env)
            rc, out, err = p.returncode, p.stdout, p.stderr
        except subprocess.TimeoutExpired as e:
            rc, out, err = "killed after %g s" % (deadline + 20), e.stdout or "", e.stderr or ""
            out, err = [x.decode(errors="replace") if isinstance(x, bytes) else x for x in (out, err)]
        seconds = time.monotonic() - t0
        # The login-process log line of a refused plaintext login may trail the client by a moment.
        time.sleep(0.15)
        run = Run(argv, req, rc, out, err, seconds, attempts=self.bed.attempts_since(mark))
        if as_json:
            try:
                run.result = json.loads(out)
            except ValueError:
                run.result = None
        pairs = list(self.secrets.items()) + list(secrets) + _request_secrets(req)
        self.check_invariants(run, pairs, as_json)
        return run

    @staticmethod
    def check_invariants(run, secrets, as_json=True):
        for user, password in secrets:
            for form in secret_forms(user, password):
                for name, text in (("stdout", run.stdout), ("stderr", run.stderr)):
                    assert form not in text, "secret of %s leaked in %s as %r\n%s" % (user, name, form, run.explain())
        over = {server: n for server, n in run.attempts.items() if n > 1}
        assert not over, "more than one login attempt per server: %s\n%s" % (over, run.explain())
        assert run.rc in (0, 1), "exit status %s\n%s" % (run.rc, run.explain())
        if as_json:
            assert run.result is not None, "stdout is not one JSON result\n" + run.explain()
            assert run.result.get("verdict") in ("ok", "problem", "inconclusive"), run.explain()
            assert (run.rc == 0) == (run.result["verdict"] == "ok"), \
                "exit status and verdict disagree\n" + run.explain()


def _request_secrets(req):
    """(user, password) of every endpoint of a request: a wrong password must not leak either."""
    out = []
    for side in ("incoming", "outgoing"):
        ep = ((req or {}).get("account") or {}).get(side) or {}
        for key in ("password", "access_token"):
            if ep.get(key):
                out.append((ep.get("username") or req["account"].get("email", ""), ep[key]))
    return out
