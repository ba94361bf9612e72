"""Discovery for one server (issue 14, item 5): an outgoing host that does not resolve, while the domain's own
autoconfig over verified https publishes a server that answers; and an account given with its incoming server only.

The autoconfig document is served by an HTTPS server this module starts, with a certificate for
autoconfig.example.test from the test bed's CA; a dnsmasq of the module's own has the names (and, for the trust-rule
control, SRV records that alone must never become a fix)."""
import http.server
import json
import ssl
import threading

import pytest

from conftest import USER, USERS
from maildoctor import HOST, connect_to, endpoint, request

GONE = "smtp.gone.example.test"
AUTOCONFIG = """<?xml version="1.0"?>
<clientConfig version="1.1"><emailProvider id="example.test"><domain>example.test</domain>
<incomingServer type="imap"><hostname>%(host)s</hostname><port>993</port><socketType>SSL</socketType>
<username>%%EMAILADDRESS%%</username><authentication>password-cleartext</authentication></incomingServer>
<outgoingServer type="smtp"><hostname>%(host)s</hostname><port>%(port)d</port><socketType>STARTTLS</socketType>
<username>%%EMAILADDRESS%%</username><authentication>password-cleartext</authentication></outgoingServer>
</emailProvider></clientConfig>"""


class Autoconfig:
    """HTTPS with a certificate for autoconfig.example.test from the bed's CA; serves one document."""

    def __init__(self, cert, document):
        body = document.encode()
        self.hits = []
        hits = self.hits

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(*cert)
        self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def autoconfig_cert(bed):
    return bed.pki.custom_leaf("autoconfig-one-server", host="autoconfig.example.test")


@pytest.fixture(scope="module")
def zone(bed):
    pf = bed._postfix
    # The SRV records name a working server too: DNS alone must still not become a host fix.
    dns = bed.dnsmasq(["host-record=%s,127.0.0.2" % HOST, "host-record=autoconfig.example.test,127.0.0.1",
                       "srv-host=_submission._tcp.example.test,%s,%d,0,1" % (HOST, pf.ports["submission"])],
                      name="dns-one-server")
    return dns


def _incoming_connect(bed):
    """The bed's Dovecot on the incoming ports; every other standard port of HOST is closed."""
    return connect_to(incoming=bed.dovecots["main"].ports, closed_port=bed.closed)


def _run(md, bed, zone, extra_connect, password=True):
    req = request(USER,
                  incoming=endpoint("imap", 993, "tls", user=USER, password=USERS[USER] if password else None),
                  outgoing=endpoint("smtp", 587, "starttls", user=USER, host=GONE),
                  deadline_ms=6000, login=password)
    argv = ["diagnose", "--json", "--request", "-", "--deadline", "6", "--dns-servers", zone.server,
            "--cacert", bed.pki.root_cert]
    # The first matching rule wins: the test's own pairs before the bed's defaults.
    for pair in extra_connect + _incoming_connect(bed):
        argv += ["--connect-to", pair]
    return md.run(argv, json.dumps(req), 6.0, req=req)


def _outgoing_dns_finding(run):
    f = run.finding("dns.not_found")
    assert f and f["subject"] == "outgoing", run.explain()
    return f


def test_unresolvable_outgoing_gets_the_autoconfig_server_that_answers(md, bed, zone, autoconfig_cert):
    web = Autoconfig(autoconfig_cert, AUTOCONFIG % {"host": HOST, "port": 587})
    try:
        run = _run(md, bed, zone, ["autoconfig.example.test:443:127.0.0.1:%d" % web.port,
                                   "%s:587:127.0.0.2:%d" % (HOST, bed._postfix.ports["submission"])])
    finally:
        web.stop()
    assert web.hits, "the autoconfig document was not even asked for: the test shows nothing"
    f = _outgoing_dns_finding(run)
    rep = f["params"]["replacement"]
    assert rep["host"] == HOST and rep["port"] == 587 and rep["proven"] is True, f
    assert rep["source"] == "autoconfig" and rep["published_by"].startswith("https://autoconfig.example.test/"), rep
    fixes = [(x["setting"], x["value"]) for x in f["fixes"] if x["kind"] == "change_setting"]
    assert fixes == [("host", HOST)], f
    assert "withheld_fixes" not in f["params"], f
    # The replacement was probed without credentials: the only login is the incoming server's own.
    assert set(run.attempts) <= {"main/imap"}, run.explain()
    assert run.result["discovery"]["replacements"][0]["host"] == HOST, run.explain()
    assert run.seconds < 6.0 + 2.0, run.explain()


def test_a_published_server_that_does_not_answer_is_no_fix(md, bed, zone, autoconfig_cert):
    closed = bed.closed
    web = Autoconfig(autoconfig_cert, AUTOCONFIG % {"host": HOST, "port": 587})
    try:
        run = _run(md, bed, zone, ["autoconfig.example.test:443:127.0.0.1:%d" % web.port,
                                   "%s:587:127.0.0.2:%d" % (HOST, closed)], password=False)
    finally:
        web.stop()
    f = _outgoing_dns_finding(run)
    assert f["params"]["replacement"]["proven"] is False, f
    assert not [x for x in f["fixes"] if x.get("setting") == "host"], f


def test_dns_alone_proposes_no_server(md, bed, zone):
    # No autoconfig answers (nothing listens on the address autoconfig.example.test resolves to); the SRV record
    # for _submission._tcp names a working server, yet DNS alone may not choose where a fix points.
    run = _run(md, bed, zone, ["autoconfig.example.test:443:127.0.0.2:%d" % bed.closed,
                               "%s:587:127.0.0.2:%d" % (HOST, bed._postfix.ports["submission"])], password=False)
    f = _outgoing_dns_finding(run)
    assert "replacement" not in f["params"], f
    assert not [x for x in f["fixes"] if x.get("setting") == "host"], f


def _incoming_only(md, bed, dns, extra_connect, password=None):
    """The CLI's flag form with --imap alone: docs/CLI.md's promise to look for the outgoing server."""
    argv = ["diagnose", "--json", "--email", USER, "--imap", "%s:993" % HOST, "--deadline", "6",
            "--dns-servers", dns, "--cacert", bed.pki.root_cert]
    if password:
        argv.append("--password-stdin")
    else:
        argv.append("--no-login")
    for pair in extra_connect + _incoming_connect(bed):
        argv += ["--connect-to", pair]
    return md.run(argv, (password + "\n") if password else "", 6.0)


def test_only_the_incoming_server_given_proposes_the_published_outgoing_one(md, bed, zone, autoconfig_cert):
    web = Autoconfig(autoconfig_cert, AUTOCONFIG % {"host": HOST, "port": 587})
    try:
        run = _incoming_only(md, bed, zone.server, ["autoconfig.example.test:443:127.0.0.1:%d" % web.port,
                                                   "%s:587:127.0.0.2:%d" % (HOST, bed._postfix.ports["submission"])],
                             password=USERS[USER])
    finally:
        web.stop()
    f = run.finding("config.server_missing")
    assert f and f["subject"] == "outgoing", run.explain()
    rep = f["params"]["replacement"]
    assert (rep["host"], rep["port"], rep["security"], rep["proven"]) == (HOST, 587, "starttls", True), rep
    assert [x["kind"] for x in f["fixes"]] == ["steps"], f
    # Proposed, not adopted: the password went to the incoming server only, once.
    assert run.attempts == {"main/imap": 1}, run.explain()
    assert not run.result["discovery"]["chosen"], run.explain()


def test_only_the_incoming_server_given_and_dns_alone_names_the_outgoing_one(md, bed):
    # The bed's DNS has SRV records for submission inside the domain, and no autoconfig: DNS alone proposes nothing.
    run = _incoming_only(md, bed, bed.dns.server, [])
    assert not run.finding("config.server_missing"), run.explain()
    assert not [c for c in run.result["checks"] if c.get("subject") == "outgoing"], run.explain()
    assert run.attempts == {}, run.explain()


def test_a_request_with_one_server_stays_about_that_server(md, bed):
    req = request(USER, incoming=endpoint("imap", 993, "tls", user=USER), login=False, alternatives=False)
    run = md.diagnose(req, connect=_incoming_connect(bed))
    assert "discovery" not in run.result or run.result["discovery"] is None, run.explain()
    assert not [c for c in run.result["checks"] if c.get("subject") == "outgoing"], run.explain()


def test_autoconfig_without_a_verified_certificate_proposes_nothing(md, bed, zone):
    # The same document, but served with a certificate for another name: not "verified https", so not trusted.
    web = Autoconfig(bed.pki.leaf("other_host"), AUTOCONFIG % {"host": HOST, "port": 587})
    try:
        run = _run(md, bed, zone, ["autoconfig.example.test:443:127.0.0.1:%d" % web.port,
                                   "%s:587:127.0.0.2:%d" % (HOST, bed._postfix.ports["submission"])], password=False)
    finally:
        web.stop()
    f = _outgoing_dns_finding(run)
    assert "replacement" not in f["params"], f
    assert not [x for x in f["fixes"] if x.get("setting") == "host"], f
