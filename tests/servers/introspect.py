"""An OAuth2 token-introspection endpoint (RFC 7662) for Dovecot's `passdb oauth2`, on 127.0.0.1.

Dovecot (introspection_mode = post) sends  POST /introspect  with the form body  token=<access token>  and reads the
JSON answer: "active" decides, "username" must be the login name, "scope" must hold Dovecot's `scope` setting. The
tokens are the test's own: each maps to one kind of answer, so a test picks the failure by the token it hands out.
  valid         -> {"active": true,  "username": user, "scope": "mail"}
  expired       -> {"active": false}                                (RFC 7662: an expired token is not active)
  wrong_scope   -> {"active": true,  "username": user, "scope": "calendar"}
Unknown tokens answer {"active": false}. `asked` counts requests per token kind, so a test can see one attempt.

It is also the token endpoint (RFC 6749 section 6) of a test OAuth2 provider for a real Thunderbird (tests/e2e):
POST /token with grant_type=refresh_token answers the "valid" access token for `refresh_tokens["good"]`, and for
`refresh_tokens["blocked"]` the error Microsoft's endpoint gives under a conditional access policy (AADSTS53003, as
error "access_denied": Thunderbird answers an "invalid_grant" by opening its sign-in window, which a test cannot
drive). `refreshed` counts the refresh requests per kind."""
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
        self.refresh_tokens = {kind: "1//test-refresh-%s-%s" % (kind, secrets.token_urlsafe(24)) for kind in ("good", "blocked")}
        self._refresh_kind = {t: k for k, t in self.refresh_tokens.items()}
        self.refreshed = {}
        self._server = ThreadingHTTPServer((addr, 0), self._handler())
        self._server.daemon_threads = True
        self.addr, self.port = self._server.server_address
        self._thread = None

    @property
    def url(self):
        return "http://%s:%d/introspect" % (self.addr, self.port)

    @property
    def token_url(self):
        return "http://%s:%d/token" % (self.addr, self.port)

    def refresh(self, form):
        """(status, JSON) for a token request."""
        kind = self._refresh_kind.get((form.get("refresh_token") or [""])[0]) if (form.get("grant_type") or [""])[0] == "refresh_token" else None
        with self._lock:
            self.refreshed[kind or "unknown"] = self.refreshed.get(kind or "unknown", 0) + 1
        if kind == "good":
            return 200, {"access_token": self.tokens["valid"], "token_type": "Bearer", "expires_in": 3600, "scope": "mail"}
        if kind == "blocked":
            return 400, {"error": "access_denied", "error_description": "AADSTS53003: Access has been blocked by Conditional "
                         "Access policies. The access policy does not allow token issuance.", "error_codes": [53003]}
        return 400, {"error": "invalid_request"}

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
                if self.path.startswith("/token"):
                    status, answer = outer.refresh(form)
                else:
                    status, answer = 200, outer.answer((form.get("token") or [""])[0])
                body = json.dumps(answer).encode()
                self.send_response(status)
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
