"""An attacker on the network, scripted: what they control must never steer the password or a one-click fix.

Each case is one attack from issue 12: a certificate that is valid, but for the attacker's own domain; a forged
SRV record (a dnsmasq zone) naming the attacker's host, which holds a valid certificate for itself; an autoconfig
document saying `plain`; STARTTLS stripped from a server whose greeting names a hosting provider that publishes
`security: none`; CRAM-MD5 stripped from an account set to encrypted passwords. The servers count every login and
whether it arrived encrypted; where the defence is "ask first", a positive control shows that the same set-up does
deliver the login once the user confirms, so the zeros mean something.
"""
import http.server
import json
import ssl
import threading

import pytest

from canary import canary
from dialogues import DIALOGUES
from expect import clear_end
from maildoctor_runner import diagnose, diagnose_flags, endpoint, request

DEADLINE_S = 4.0
VICTIM = "bob@victim.test"


def dialogue(protocol, **attrs):
    return type("Attacker" + DIALOGUES[protocol].__name__, (DIALOGUES[protocol],), attrs)()


def change_settings(run):
    return [(f["code"], x.get("setting"), x.get("value")) for f in run.result.get("findings", [])
            for x in f.get("fixes", []) if x.get("kind") == "change_setting"]


def finding(run, code):
    return next(f for f in run.result["findings"] if f["code"] == code)


# --- 1. a certificate's names are never a host fix on their own ------------------------------------

def test_mitm_certificate_valid_for_another_domain_offers_no_host(serve, certs, zone):
    # The interceptor holds a publicly valid certificate, but for its own name.
    s = serve(dialogue("imap"), tls=certs.context(certs.leaf_for("mail.attacker.test")), implicit_tls=True)
    dns = zone([])  # nothing in DNS confirms anything: the domain publishes no autoconfig
    ep = endpoint("imap", 993, host="imap.victim.test", user=VICTIM, password=canary())
    run = diagnose(request(incoming=ep, email=VICTIM, deadline_ms=int(DEADLINE_S * 1000)),
                   ["--cacert", certs.cacert, "--dns-servers", dns.server,
                    "--connect-to", "imap.victim.test:993:127.0.0.1:%d" % s.port])
    clear_end(run, [s], DEADLINE_S, {"tls.cert_hostname_mismatch"}, user=VICTIM)
    assert not s.recorder.logins
    assert not [c for c in change_settings(run) if c[1] == "host"], change_settings(run)
    f = finding(run, "tls.cert_hostname_mismatch")
    # The names are shown, as text, with the warning.
    assert f["params"]["names"] == ["mail.attacker.test"], f
    assert "mail.attacker.test" in f["detail"] and "interception" in f["detail"], f["detail"]


# --- 2. RFC 6186 section 6 / RFC 7817: hosts that DNS alone named ---------------------------------

def spoofed_srv(serve, certs, zone):
    attacker = serve(dialogue("imap"), tls=certs.context(certs.leaf_for("mail.attacker.test")), implicit_tls=True)
    dns = zone(["srv-host=_imaps._tcp.victim.test,mail.attacker.test,%d,0,1" % attacker.port,
                "host-record=mail.attacker.test,127.0.0.1"])
    return attacker, ["--email", VICTIM, "--password-stdin", "--no-alternatives", "--cacert", certs.cacert,
                      "--dns-servers", dns.server]


def test_spoofed_srv_to_another_domain_gets_no_login(serve, certs, zone):
    attacker, args = spoofed_srv(serve, certs, zone)
    run = diagnose_flags(args, canary().encode() + b"\n", DEADLINE_S)
    clear_end(run, [attacker], DEADLINE_S, user=VICTIM)
    assert attacker.recorder.connections, "the forged SRV target was not even probed: the test shows nothing"
    assert not attacker.recorder.logins, attacker.recorder.logins
    candidates = run.result.get("candidates")
    assert candidates and candidates[0]["host"] == "mail.attacker.test", run.describe()
    assert candidates[0]["source"] == "srv" and candidates[0]["confirmed"] is False, candidates
    assert "outside victim.test" in candidates[0]["reason"], candidates
    not_tested = finding(run, "auth.not_tested")
    assert "confirmation" in not_tested["params"]["reason"], not_tested


def test_spoofed_srv_is_used_once_the_user_confirms_it(serve, certs, zone):
    # Positive control: the same set-up delivers exactly one encrypted login with --trust-discovered.
    attacker, args = spoofed_srv(serve, certs, zone)
    run = diagnose_flags(args + ["--trust-discovered"], canary().encode() + b"\n", DEADLINE_S)
    clear_end(run, [attacker], DEADLINE_S, {"auth.wrong_password", "auth.failed"}, user=VICTIM)
    assert len(attacker.recorder.logins) == 1 and attacker.recorder.logins[0][1], attacker.recorder.logins
    assert run.result["candidates"][0]["confirmed"] is True


PLAIN_AUTOCONFIG = """<?xml version="1.0"?>
<clientConfig version="1.1"><emailProvider id="victim.test"><domain>victim.test</domain>
<incomingServer type="imap"><hostname>mail.victim.test</hostname><port>%d</port><socketType>plain</socketType>
<username>%%EMAILADDRESS%%</username><authentication>password-cleartext</authentication></incomingServer>
</emailProvider></clientConfig>"""


class Autoconfig:
    """An HTTPS server with a valid certificate for autoconfig.victim.test, serving one document."""

    def __init__(self, certs, document):
        body = document.encode()

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(*certs.leaf_for("autoconfig.victim.test"))
        self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def plain_autoconfig(serve, certs, zone):
    mail = serve(dialogue("imap", starttls=False))
    web = Autoconfig(certs, PLAIN_AUTOCONFIG % mail.port)
    dns = zone(["host-record=autoconfig.victim.test,127.0.0.1", "host-record=mail.victim.test,127.0.0.1"])
    args = ["--email", VICTIM, "--password-stdin", "--no-alternatives", "--cacert", certs.cacert,
            "--dns-servers", dns.server, "--connect-to", "autoconfig.victim.test:443:127.0.0.1:%d" % web.port]
    yield mail, args
    web.stop()


def test_autoconfig_saying_plain_gets_no_clear_text_login(plain_autoconfig):
    mail, args = plain_autoconfig
    run = diagnose_flags(args, canary().encode() + b"\n", DEADLINE_S)
    clear_end(run, [mail], DEADLINE_S, user=VICTIM)
    assert mail.recorder.connections, "the plain server was not probed: the test shows nothing"
    assert not mail.recorder.logins, mail.recorder.logins
    candidates = run.result.get("candidates") or []
    assert [c["host"] for c in candidates] == ["mail.victim.test"], run.describe()
    assert candidates[0]["source"] == "autoconfig" and "no encryption" in candidates[0]["reason"], candidates


def test_autoconfig_saying_plain_is_used_once_the_user_confirms_it(plain_autoconfig):
    # Positive control: confirmed, the clear-text login the document asks for does arrive, once.
    mail, args = plain_autoconfig
    run = diagnose_flags(args + ["--trust-discovered"], canary().encode() + b"\n", DEADLINE_S)
    clear_end(run, [mail], DEADLINE_S, {"auth.wrong_password", "auth.failed"}, allow_plaintext_login=True, user=VICTIM)
    assert len(mail.recorder.plaintext_logins) == 1, mail.recorder.logins


# --- 3. no fix ever lowers security ---------------------------------------------------------------

def test_stripped_starttls_with_a_provider_banner_offers_no_downgrade(serve, zone):
    # GoDaddy's hosting data publishes its relay on port 25 without encryption; the attacker strips STARTTLS and
    # greets as GoDaddy's Exim.
    class GreetsAsGoDaddy(DIALOGUES["smtp"]):
        starttls = False

        def greet(self, conn):
            conn.line("220 sg2plcpnl0074.prod.sin2.secureserver.net ESMTP Exim 4.87 #1")

    s = serve(GreetsAsGoDaddy())
    dns = zone([])
    ep = endpoint("smtp", 587, security="starttls", host="smtp.shop.test", user="bob@shop.test", password=canary())
    run = diagnose(request(outgoing=ep, email="bob@shop.test", deadline_ms=int(DEADLINE_S * 1000)),
                   ["--dns-servers", dns.server, "--connect-to", "smtp.shop.test:587:127.0.0.1:%d" % s.port])
    clear_end(run, [s], DEADLINE_S, {"tls.starttls_unavailable"}, user="bob@shop.test")
    assert not s.recorder.logins
    assert (run.result.get("provider") or {}).get("id") == "godaddy-cpanel", "the provider may still be named"
    assert not change_settings(run), "a greeting before TLS yielded fixes: %s" % change_settings(run)
    assert "none" not in json.dumps([f["fixes"] for f in run.result["findings"]])


def test_stripped_cram_md5_offers_no_clear_text_method(serve, certs):
    # The account uses encrypted passwords; the attacker (with a valid certificate, so this is about what is left
    # after TLS) offers only PLAIN and LOGIN.
    s = serve(dialogue("imap"), tls=certs.context(certs.good), implicit_tls=True)
    ep = endpoint("imap", s.port, password=canary(), auth="password-encrypted")
    run = diagnose(request(incoming=ep, deadline_ms=int(DEADLINE_S * 1000)), ["--cacert", certs.cacert])
    clear_end(run, [s], DEADLINE_S, {"auth.mechanism_unsupported"})
    assert not s.recorder.logins
    assert ("auth.mechanism_unsupported", "auth", "password") not in change_settings(run), change_settings(run)
    assert not [c for c in change_settings(run) if c[1] == "auth" and c[2] == "password"]
    withheld = finding(run, "auth.mechanism_unsupported")["params"].get("withheld_fixes", [])
    assert any(w.get("value") == "password" for w in withheld), "the refusal is not explained: %s" % withheld
