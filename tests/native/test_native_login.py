"""Native-messaging diagnoses that really log in, against hostile servers, with every frame scanned for the password.

Each server here receives the password (asserted: a scan that could not find anything would prove nothing), then
accepts it, resets the connection in the middle of AUTH, or echoes it back in every form it got. Every byte the
host wrote (result and progress frames alike) and its stderr are searched for every form of the password. The
suite runs under the canary harness (tests/suites/50-native.sh), which scans the same outputs once more.
"""
import base64
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
for shared in ("hostile", "security"):
    sys.path.insert(0, os.path.join(HERE, "..", shared))
from canary import canary, forms, scan  # noqa: E402
from dialogues import DIALOGUES  # noqa: E402
from hostile_server import HostileServer  # noqa: E402

USER = "bob@native.test"


def note_delivery(server):
    """Tells the canary harness that a login carrying the canary really reached a server (--require-delivery)."""
    private = os.environ.get("MAILDOCTOR_PRIVATE_DIR")
    if private and scan(bytes(server.recorder.received), forms(canary())):
        os.makedirs(private, exist_ok=True)
        open(os.path.join(private, "delivered-native-%d-%d" % (os.getpid(), server.port)), "w").close()
PROTOCOLS = ["imap", "pop3", "smtp"]


def diagnose_message(protocol, port, msg_id="n1"):
    ep = {"protocol": protocol, "host": "127.0.0.1", "port": port, "security": "none",
          "username": USER, "password": canary()}
    side = "outgoing" if protocol == "smtp" else "incoming"
    return {"type": "diagnose", "id": msg_id, "progress": True,
            "account": {"email": USER, side: ep},
            "options": {"login": True, "alternatives": False, "deadline_ms": 3000}}


def run_to_result(host, msg):
    host.send(msg)
    frames = []
    while True:
        m = host.recv(timeout=8)
        frames.append(m)
        if m.get("type") in ("result", "error") and m.get("id") == msg["id"]:
            return frames


def accepting(protocol):
    return type("Accepting", (DIALOGUES[protocol],), {"accept_login": True, "starttls": False})()


def resetting(protocol):
    base = DIALOGUES[protocol]

    class ResetsInAuth(base):
        starttls = False

        def on_authenticate(self, conn, tag, args):  # IMAP; command() counted the attempt
            conn.line("+ ")
            conn.read_line()
            conn.reset()

        def command(self, conn, text):
            verb = text.split(" ")[0].upper()
            if self.protocol != "imap" and verb in ("AUTH", "PASS"):
                self.login_attempt(conn, verb)
                if verb == "AUTH" and len(text.split(" ")) == 2:
                    conn.line({"pop3": "+ ", "smtp": "334 "}[self.protocol])
                    conn.read_line()
                conn.reset()
            return super().command(conn, text)
    return ResetsInAuth()


def echoing(protocol):
    """Refuses the login, quoting back everything the client sent for it, raw and decoded."""
    base = DIALOGUES[protocol]

    class Echoes(base):
        starttls = False
        heard = []

        def command(self, conn, text):
            self.heard.append(text)
            return super().command(conn, text)

        def echo(self):
            parts = []
            for h in self.heard[-3:]:
                parts.append(h)
                for word in h.split(" "):
                    try:
                        parts.append(base64.b64decode(word, validate=True).replace(b"\0", b" ").decode("utf-8", "replace"))
                    except ValueError:
                        pass
            return " | ".join(parts)[:900]

        def on_authenticate(self, conn, tag, args):  # command() counted the attempt
            conn.line("+ ")
            self.heard.append(conn.read_line().decode("utf-8", "replace"))
            conn.line("* NO [ALERT] you sent " + self.echo())
            conn.line(tag + " NO [AUTHENTICATIONFAILED] wrong: " + self.echo())

        def on_login(self, conn, *tag):
            echo = self.echo()
            if self.protocol == "imap":
                conn.line(tag[0] + " NO [AUTHENTICATIONFAILED] wrong: " + echo)
            elif self.protocol == "pop3":
                conn.line("-ERR [AUTH] wrong: " + echo)
            else:
                conn.line("535 5.7.8 wrong: " + echo)

    # POP3 and SMTP read the SASL answer inside command(); remember it for the echo.
    class EchoesSasl(Echoes):
        def command(self, conn, text):
            verb = text.split(" ")[0].upper()
            if self.protocol != "imap" and verb == "AUTH":
                self.heard.append(text)
                self.login_attempt(conn, "AUTH")
                if len(text.split(" ")) == 2:
                    conn.line({"pop3": "+ ", "smtp": "334 "}[self.protocol])
                    self.heard.append(conn.read_line().decode("utf-8", "replace"))
                self.on_login(conn)
                return True
            return super().command(conn, text)
    return EchoesSasl()


CASES = {"accepts": accepting, "resets in AUTH": resetting, "echoes the password": echoing}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_login_through_native_messaging_leaks_the_password_in_no_frame(host, protocol, case):
    server = HostileServer(CASES[case](protocol))
    with server:
        frames = run_to_result(host, diagnose_message(protocol, server.port))
    note_delivery(server)
    # The password really went out: otherwise the scans below could not fail.
    assert scan(bytes(server.recorder.received), forms(canary())), "no login reached the server"
    assert len(server.recorder.logins) == 1, server.recorder.logins
    assert frames[-1]["type"] == "result", frames[-1]
    assert any(f["type"] == "progress" for f in frames), "no progress frame to scan"
    host.close_stdin()
    host.wait_exit(2.0)
    leaked = scan(bytes(host.raw) + host.stderr, forms(canary(), [USER]))
    assert not leaked, "password leaked as %s" % leaked


@pytest.mark.parametrize("password", ["pw\rDELE 1", "pw\nQUIT", "pw\u0000x"], ids=["CR", "LF", "NUL"])
@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_password_with_a_line_break_or_nul_is_refused_before_any_connection(host, tarpit, protocol, password):
    msg = diagnose_message(protocol, tarpit.port)
    side = "outgoing" if protocol == "smtp" else "incoming"
    msg["account"][side]["password"] = password
    host.send(msg)
    reply = host.recv()
    assert reply["type"] == "error" and reply["error"]["code"] == "bad_request", reply
    assert "password" in reply["error"]["message"]
    host.send({"type": "hello", "id": "after"})
    assert host.recv()["id"] == "after"
    assert not tarpit.clients, "the server was contacted for a request that had to be refused"
