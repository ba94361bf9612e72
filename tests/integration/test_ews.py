"""EWS accounts (issue 14, item 6): the EWS URL probed without credentials against an HTTPS server the test starts
(Python's http.server with ssl, the test bed's certificate for mail.example.test): the 401 answer's WWW-Authenticate
schemes become findings; hostile servers (silent after TLS, a header that trickles, a huge header, a plain TCP tarpit)
end inside the deadline with a clear finding, never a hang."""
import json
import socketserver
import ssl
import threading
import time

import pytest

from conftest import USER, USERS
from maildoctor import HOST

DEADLINE = 3.0
URL = "https://%s/EWS/Exchange.asmx" % HOST


class EwsServer:
    """TLS on 127.0.0.1:<random>; `answer(conn, stop)` writes whatever the case needs after the request arrived."""

    def __init__(self, cert, answer):
        self.requests = []
        self.stop_event = threading.Event()
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(*cert)
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                try:
                    conn = ctx.wrap_socket(self.request, server_side=True)
                    conn.settimeout(DEADLINE + 5)
                    data = b""
                    while b"\r\n\r\n" not in data and len(data) < 65536:
                        chunk = conn.recv(4096)
                        if not chunk:
                            return
                        data += chunk
                    outer.requests.append(data.decode("latin-1"))
                    answer(conn, outer.stop_event)
                except (OSError, ssl.SSLError):
                    pass

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.stop_event.set()
        self.server.shutdown()
        self.server.server_close()


def challenge(*headers):
    def answer(conn, stop):
        lines = ["HTTP/1.1 401 Unauthorized", "Content-Length: 0"] + ["WWW-Authenticate: %s" % h for h in headers]
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    return answer


def silent(conn, stop):
    stop.wait(DEADLINE + 5)


def trickle(conn, stop):
    conn.sendall(b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"")
    while not stop.is_set():
        conn.sendall(b"x")
        time.sleep(0.1)


def huge_header(conn, stop):
    """One header line of 1 MiB: over libcurl's own limit for a line."""
    conn.sendall(b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"")
    try:
        for _ in range(64):
            conn.sendall(b"y" * 16384)
        conn.sendall(b"\"\r\n\r\n")
    except OSError:
        pass


def many_headers(conn, stop):
    """Many short challenge lines, together over maildoctor's 32 KiB limit for the answer's headers."""
    conn.sendall(b"HTTP/1.1 401 Unauthorized\r\n")
    try:
        for i in range(4000):
            conn.sendall(b"WWW-Authenticate: Scheme%d realm=\"x\"\r\n" % i)
        conn.sendall(b"\r\n")
    except OSError:
        pass


@pytest.fixture
def ews(bed):
    servers = []

    def start(answer):
        s = EwsServer(bed.pki.leaf("good"), answer)
        servers.append(s)
        return s
    yield start
    for s in servers:
        s.stop()


def run_ews(md, port, auth="password", address="127.0.0.1", extra=()):
    req = {"account": {"email": USER, "name": "Exchange",
                       "incoming": {"protocol": "ews", "url": URL, "auth": auth, "username": USER,
                                    "password": USERS[USER]}},
           "options": {"login": True, "deadline_ms": int(DEADLINE * 1000)}}
    argv = ["diagnose", "--json", "--request", "-"] + md.common_args(
        ["%s:443:%s:%d" % (HOST, address, port)], deadline=DEADLINE) + list(extra)
    run = md.run(argv, json.dumps(req), DEADLINE, req=None)
    assert run.seconds < DEADLINE + 1.5, run.explain()
    assert run.attempts == {}, run.explain()
    return run


def test_only_bearer_means_oauth2(md, ews):
    s = ews(challenge('Bearer authorization_uri="https://login.example.test/oauth2", error="invalid_token"'))
    run = run_ews(md, s.port)
    assert s.requests and "Authorization" not in s.requests[0], s.requests
    offered = run.finding("ews.auth_offered")
    assert offered and offered["params"]["schemes"] == ["Bearer"], run.explain()
    assert offered["params"]["bearer"] is True and offered["params"]["basic"] is False
    oauth = run.finding("auth.oauth_required")
    assert oauth and oauth["params"]["protocol"] == "ews", run.explain()
    assert run.result["verdict"] == "problem"
    # The password of the request went nowhere: not in the request the server saw.
    assert USERS[USER] not in s.requests[0]


def test_basic_and_ntlm_offered(md, ews):
    s = ews(challenge("Negotiate", "NTLM", 'Basic realm="mail.example.test"'))
    run = run_ews(md, s.port, auth="ntlm")
    offered = run.finding("ews.auth_offered")
    assert offered and offered["params"]["schemes"] == ["Negotiate", "NTLM", "Basic"], run.explain()
    assert run.codes() == ["ews.auth_offered"], run.explain()
    assert run.result["verdict"] == "inconclusive"
    checks = [(c["step"], c["status"]) for c in run.result["checks"]]
    assert ("tls", "pass") in checks and ("capabilities", "pass") in checks, checks
    assert not [c for c in run.result["checks"] if c["step"] == "auth"], "no login step: EWS is never logged in to"


def test_basic_not_offered_to_a_password_account(md, ews):
    s = ews(challenge("Negotiate", "NTLM"))
    run = run_ews(md, s.port, auth="password")
    f = run.finding("auth.mechanism_unsupported")
    assert f and f["params"]["basic"] is False and f["params"]["ntlm"] is True, run.explain()


@pytest.mark.parametrize("answer,code", [(silent, "ews.no_answer"), (trickle, "ews.no_answer"),
                                         (huge_header, "ews.bad_reply"), (many_headers, "ews.bad_reply")])
def test_hostile_ews_servers_end_inside_the_deadline(md, ews, answer, code):
    s = ews(answer)
    run = run_ews(md, s.port)
    assert run.finding(code), run.explain()


def test_a_tarpit_that_never_answers_the_tls_hello(md, bed):
    run = run_ews(md, bed.tarpit_server.port, address=bed.tarpit_server.addr)
    assert run.finding("ews.no_answer"), run.explain()


def test_an_ews_host_that_does_not_resolve(md):
    req = {"account": {"email": USER, "incoming": {"protocol": "ews", "url": "https://ews.gone.example.test/EWS/Exchange.asmx"}},
           "options": {"deadline_ms": int(DEADLINE * 1000)}}
    argv = ["diagnose", "--json", "--request", "-"] + md.common_args(deadline=DEADLINE)
    run = md.run(argv, json.dumps(req), DEADLINE)
    f = run.finding("dns.not_found")
    assert f and f["params"]["protocol"] == "ews", run.explain()
    assert not run.result.get("discovery"), run.explain()


def test_ews_url_on_the_proxy_bypass_list_is_probed_directly_past_a_dead_proxy(bed, md, ews):
    # Thunderbird's no_proxies_on: the EWS URL's host is on it, so the probe goes direct, as Thunderbird's would.
    dead = "127.0.0.1:%d" % bed.closed
    s = ews(challenge('Basic realm="x"'))
    through = run_ews(md, s.port, extra=["--proxy", "socks5h://" + dead])
    assert s.requests == [], through.explain()  # the control: without the list the dead proxy stops it
    run = run_ews(md, s.port, extra=["--proxy", "socks5h://" + dead, "--no-proxy", ".example.test"])
    assert s.requests and "Authorization" not in s.requests[0], run.explain()
    assert "net.proxy_failed" not in run.codes(), run.explain()
    connect = [c for c in run.result["checks"] if c["step"] == "connect"]
    assert connect and connect[0]["status"] == "pass", run.explain()
    assert "directly, not through the proxy %s" % dead in connect[0]["detail"], run.explain()
