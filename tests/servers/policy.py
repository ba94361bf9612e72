"""Dovecot auth-policy HTTP server: counts every login attempt that reaches a Dovecot auth
process (IMAP, POP3, and Postfix SASL, which goes through Dovecot's auth socket), and can refuse a
user with a custom message the way a provider does ("Application-specific password required").

Dovecot calls  POST <url>?command=allow  before it checks a password, and
               POST <url>?command=report after it did (JSON with "success").
The URL path names the Dovecot instance, so attempts are counted per server.

Also an HTTP API for harness users in other processes:
  GET  /counts                      -> {"events": [{"instance","user","protocol","remote","t"}],
                                         "reports": [...], "rules": {...}}
  POST /reset                       -> forgets counts
  POST /rules  {"user": u, "status": -1, "msg": "..."}   (status 0 removes the rule)
"""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qs

from .net import DNS_ADDR


class LoginCounter:
    def __init__(self, addr=DNS_ADDR, port=0):
        self._lock = threading.Lock()
        self.events = []     # one per login attempt: {"instance", "user", "protocol", "remote", "t"}
        self.reports = []    # every report: {"instance", "user", "success", "protocol", "remote", "t"}
        self.requests = []   # raw requests, for debugging the harness itself
        self.rules = {}      # user -> {"status": int, "msg": str}
        self._server = ThreadingHTTPServer((addr, port), self._handler())
        self._server.daemon_threads = True
        self.addr, self.port = self._server.server_address
        self._thread = None

    def url(self, instance):
        return "http://%s:%d/i/%s" % (self.addr, self.port, instance)

    def start(self):
        self._thread = threading.Thread(target=self._server.serve_forever, name="auth-policy", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    # --- API for tests -------------------------------------------------------------------------
    def attempts(self, user=None, instance=None, protocol=None, since=0):
        """The login attempts seen, filtered; `since` is a mark() taken earlier."""
        with self._lock:
            return [e for e in self.events[since:]
                    if (user is None or e["user"] == user) and (instance is None or e["instance"] == instance)
                    and (protocol is None or e["protocol"] == protocol)]

    def count(self, user=None, instance=None, protocol=None, since=0):
        return len(self.attempts(user, instance, protocol, since))

    def mark(self):
        """A position in the event list: count(since=mark) gives only what came after."""
        with self._lock:
            return len(self.events)

    def per_server(self, since=0):
        """{"instance/protocol": attempts}: Postfix SASL shows up as protocol "smtp"."""
        out = {}
        for e in self.attempts(since=since):
            key = "%s/%s" % (e["instance"], e["protocol"])
            out[key] = out.get(key, 0) + 1
        return out

    def snapshot(self):
        with self._lock:
            return {"events": list(self.events), "reports": list(self.reports), "rules": dict(self.rules)}

    def reset(self):
        with self._lock:
            self.events.clear()
            self.reports.clear()
            self.requests.clear()

    def refuse(self, user, msg, status=-1):
        """Every login of `user` is refused with msg (Dovecot shows it to the client)."""
        with self._lock:
            self.rules[user] = {"status": status, "msg": msg}

    def allow(self, user):
        with self._lock:
            self.rules.pop(user, None)

    # --- HTTP -----------------------------------------------------------------------------------
    def _on_policy(self, instance, command, body):
        user = body.get("login", "")
        with self._lock:
            self.requests.append({"instance": instance, "command": command, "body": body})
            if command == "allow":
                self.events.append({"instance": instance, "user": user, "protocol": body.get("protocol"),
                                    "remote": body.get("remote"), "t": time.time()})
                return self.rules.get(user, {"status": 0, "msg": ""})
            if command == "report":
                self.reports.append({"instance": instance, "user": user, "success": body.get("success"),
                                     "protocol": body.get("protocol"), "remote": body.get("remote"),
                                     "t": time.time()})
            return {"status": 0, "msg": ""}

    def _handler(self):
        counter = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _reply(self, obj, code=200):
                data = json.dumps(obj).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _body(self):
                n = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(n) if n else b""
                try:
                    return json.loads(raw or b"{}")
                except ValueError:
                    return {}

            def do_GET(self):
                if urlsplit(self.path).path == "/counts":
                    return self._reply(counter.snapshot())
                self._reply({"error": "not found"}, 404)

            def do_POST(self):
                parts = urlsplit(self.path)
                body = self._body()
                if parts.path.startswith("/i/"):
                    command = parse_qs(parts.query).get("command", [""])[0]
                    return self._reply(counter._on_policy(parts.path[3:], command, body))
                if parts.path == "/reset":
                    counter.reset()
                    return self._reply({})
                if parts.path == "/rules":
                    if int(body.get("status", 0)) == 0:
                        counter.allow(body.get("user", ""))
                    else:
                        counter.refuse(body.get("user", ""), body.get("msg", ""), int(body["status"]))
                    return self._reply({})
                self._reply({"error": "not found"}, 404)

        return Handler
