"""An OAuth2 token-introspection endpoint (RFC 7662) for Dovecot's `passdb oauth2`, on 127.0.0.1.

Dovecot (introspection_mode = post) sends  POST /introspect  with the form body  token=<access token>  and reads the
JSON answer: "active" decides, "username" must be the login name, "scope" must hold Dovecot's `scope` setting. The
tokens are the test's own: each maps to one kind of answer, so a test picks the failure by the token it hands out.
  valid         -> {"active": true,  "username": user, "scope": "mail"}
  expired       -> {"active": false}                                (RFC 7662: an expired token is not active)
  wrong_scope   -> {"active": true,  "username": user, "scope": "calendar"}
Unknown tokens answer {"active": false}. `asked` counts requests per token kind, so a test can see one attempt."""
import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from .net import DNS_ADDR

KINDS = ("valid", "expired", "wrong_scope")


class Introspection:
    def __init__(self, user, addr=DNS_ADDR):
        self.user = user
        self._lock = threading.Lock()
        # Long and random like a provider's token: the canary scanners find every form of it.
        self.tokens = {kind: "ya29.test-%s-%s" % (kind.replace("_", "-"), secrets.token_urlsafe(32)) for kind in KINDS}
        self._kind_of = {t: k for k, t in self.tokens.items()}
        self.asked = {}
        self._server = ThreadingHTTPServer((addr, 0), self._handler())
        self._server.daemon_threads = True
        self.addr, self.port = self._server.server_address
        self._thread = None

    @property
    def url(self):
        return "http://%s:%d/introspect" % (self.addr, self.port)

    def answer(self, token):
        kind = self._kind_of.get(token)
        with self._lock:
            self.asked[kind or "unknown"] = self.asked.get(kind or "unknown", 0) + 1
        if kind == "valid":
            return {"active": True, "username": self.user, "scope": "mail"}
        if kind == "wrong_scope":
            return {"active": True, "username": self.user, "scope": "calendar"}
        return {"active": False}

    def _handler(self):
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode("utf-8", "replace"))
                body = json.dumps(outer.answer((form.get("token") or [""])[0])).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass  # the token is in the request: nothing of it goes to a log

        return Handler

    def start(self):
        self._thread = threading.Thread(target=self._server.serve_forever, name="introspection", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()


def dovecot_extra(introspection, conf_path, mechanisms="xoauth2 oauthbearer"):
    """Writes Dovecot's oauth2 passdb file and returns the dovecot.conf lines that add XOAUTH2 and OAUTHBEARER next
    to the password mechanisms (the passwd-file passdb keeps PLAIN and LOGIN; Debian 12 builds oauth2 into
    dovecot-core)."""
    with open(conf_path, "w") as f:
        f.write("introspection_mode = post\n"
                "introspection_url = %s\n"
                "username_attribute = username\n"
                "active_attribute = active\n"
                "active_value = true\n"
                "scope = mail\n"
                "force_introspection = yes\n" % introspection.url)
    return "passdb {\n  driver = oauth2\n  mechanisms = %s\n  args = %s\n}\n" % (mechanisms, conf_path)
