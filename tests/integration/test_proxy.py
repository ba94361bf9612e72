"""Thunderbird's SOCKS proxy (issue 14): every connection through a real proxy (microsocks), names resolved
by the proxy with remote DNS, and a failing proxy named as the cause instead of the mail server."""
import json
import os

import pytest

from conftest import CANARY, USER
from maildoctor import connect_to, endpoint, request

PROXY_SOURCE = "127.0.0.3"  # the proxy's outgoing address: what the mail servers see when it is used


@pytest.fixture(scope="module")
def socks(bed):
    return bed.socks("socks", bind_addr=PROXY_SOURCE)


def _good_account(bed):
    main = bed.dovecots["main"]
    pf = bed._postfix
    req = request(USER, incoming=endpoint("imap", 993, "tls", USER, CANARY),
                  outgoing=endpoint("smtp", 587, "starttls", USER, CANARY))
    return req, connect_to(main.ports, pf.ports, closed_port=bed.closed)


def _summary(run):
    return run.result["verdict"], [(f["code"], f["subject"], f["severity"]) for f in run.result["findings"]]


def test_diagnosis_through_socks5h_matches_direct_and_uses_the_proxy(bed, md, socks):
    req, pairs = _good_account(bed)
    direct = md.diagnose(req, pairs)
    assert direct.result["verdict"] == "ok", direct.explain()

    offset = socks.log_offset()
    sizes = bed.log_sizes()
    proxied = md.diagnose(req, pairs, extra_args=["--proxy", socks.url])
    assert _summary(proxied) == _summary(direct), proxied.explain()
    # Every probe went through the proxy: each configured and alternative port it connected to is in its log.
    main, pf = bed.dovecots["main"], bed._postfix
    through = socks.connections_since(offset)
    for port in (main.ports["imaps"], pf.ports["submission"]):
        assert "127.0.0.2:%d" % port in through, (through, proxied.explain())
    probes = [c for c in proxied.result["checks"] if c["step"] == "connect" and c["status"] == "pass"]
    assert probes and len(through) >= len(probes), (through, proxied.explain())
    assert all("through the proxy 127.0.0.1:%d" % socks.port in c["detail"] for c in probes), proxied.explain()
    # The servers saw the proxy's address, not ours.
    logs = bed.logs(sizes)
    assert "rip=%s" % PROXY_SOURCE in logs, logs[-3000:]
    # Remote DNS: the name went to the proxy, nothing was looked up here.
    dns = [c for c in proxied.result["checks"] if c["step"] == "dns"]
    assert dns and all(c["status"] == "skip" and "left to the proxy" in c["detail"] for c in dns), proxied.explain()


def test_name_only_the_proxy_resolves_is_diagnosed_not_dns_not_found(bed, md):
    main = bed.dovecots["main"]
    # The proxy's own /etc/hosts knows mail.example.test; the resolver maildoctor uses here does not.
    hidden = bed.dnsmasq(["host-record=other.example.test,127.0.0.2"], name="dns-without-mail")
    proxy = bed.socks("socks-hosts", hosts={"mail.example.test": "127.0.0.2"})
    req = request(USER, incoming=endpoint("imap", main.ports["imaps"], "tls", USER, CANARY), alternatives=False)
    args = ["diagnose", "--json", "--request", "-", "--deadline", "6", "--dns-servers", hidden.server,
            "--cacert", bed.pki.root_cert]

    direct = md.run(args, json.dumps(req), 6.0, req=req)
    assert "dns.not_found" in direct.codes("incoming"), direct.explain()

    offset = proxy.log_offset()
    proxied = md.run(args + ["--proxy", proxy.url], json.dumps(req), 6.0, req=req)
    assert "dns.not_found" not in proxied.codes(), proxied.explain()
    assert proxied.result["verdict"] == "ok", proxied.explain()
    assert "mail.example.test:%d" % main.ports["imaps"] in proxy.connections_since(offset), proxied.explain()


def test_proxy_that_refuses_is_the_first_finding_and_no_server_is_blamed(bed, md):
    req, pairs = _good_account(bed)
    run = md.diagnose(req, pairs, extra_args=["--proxy", "socks5h://127.0.0.1:%d" % bed.closed])
    assert run.result["verdict"] == "problem", run.explain()
    first = run.result["findings"][0]
    assert first["code"] == "net.proxy_failed", run.explain()
    assert first["params"]["failed"] == "refused", run.explain()
    assert first["params"]["proxy"] == "127.0.0.1:%d" % bed.closed, run.explain()
    assert [f for f in run.result["findings"] if f["severity"] == "error"] == [first], run.explain()
    assert run.attempts == {}, run.explain()


def test_proxy_whose_target_refuses_reports_the_server_port_as_the_proxy_saw_it(bed, md, socks):
    # Decision (docs/CONTRACT.md section 3): the proxy worked and relayed that nothing listens there
    # (SOCKS5 reply 5): the same answer as a direct connection, net.refused, and no proxy finding.
    run = md.diagnose(request(USER, incoming=endpoint("imap", 993, "tls", USER, CANARY), alternatives=False),
                      connect_to(closed_port=bed.closed), extra_args=["--proxy", socks.url])
    assert "net.refused" in run.codes("incoming"), run.explain()
    assert "net.proxy_failed" not in run.codes(), run.explain()
    connect = [c for c in run.result["checks"] if c["step"] == "connect"]
    assert connect and "through the proxy" in connect[0]["detail"], run.explain()


def test_proxy_that_wants_a_login_is_named(bed, md):
    proxy = bed.socks("socks-auth", user="proxyuser", password="proxy-secret-1")
    req, pairs = _good_account(bed)
    run = md.diagnose(req, pairs, extra_args=["--proxy", proxy.url])
    first = run.result["findings"][0]
    assert first["code"] == "net.proxy_failed" and first["params"]["failed"] == "authentication", run.explain()
    assert run.attempts == {}, run.explain()


def test_something_that_is_no_socks_proxy_is_named(bed, md):
    # An IMAP server where the proxy should be: it answers, but not in SOCKS.
    req, pairs = _good_account(bed)
    run = md.diagnose(req, pairs, extra_args=["--proxy", "socks5h://127.0.0.2:%d" % bed.dovecots["main"].ports["imap"]],
                      deadline=4.0)
    first = run.result["findings"][0]
    assert first["code"] == "net.proxy_failed", run.explain()
    assert first["params"]["failed"] in ("protocol", "unreachable"), run.explain()
    assert run.attempts == {}, run.explain()


def test_silent_proxy_is_named_within_the_deadline(bed, md):
    # A proxy that takes the connection and never answers the SOCKS greeting: the proxy, not the server, is named.
    req, pairs = _good_account(bed)
    deadline = 3.0
    run = md.diagnose(req, pairs, deadline=deadline,
                      extra_args=["--proxy", "socks5h://127.0.0.2:%d" % bed.tarpit_server.port])
    first = run.result["findings"][0]
    assert first["code"] == "net.proxy_failed" and first["params"]["failed"] == "unreachable", run.explain()
    assert [f for f in run.result["findings"] if f["severity"] == "error"] == [first], run.explain()
    # A guard against a hang (the proxy's silence must not hold the diagnosis), not a timing test: the wall time also
    # holds the canary wrapper's start-up on a loaded machine. Measured alone: 3.19 s with a proxy, 3.18 s direct.
    slack = max(2.0, float(os.environ.get("MAILDOCTOR_DEADLINE_SLACK", "0.5")))
    assert run.seconds <= deadline + slack, "took %.2f s with a %g s deadline\n%s" % (run.seconds, deadline, run.explain())


# Thunderbird's bypass list (network.proxy.no_proxies_on, --no-proxy): a server on it is reached directly, as
# Thunderbird reaches it, whatever the proxy does; one not on it still goes through the proxy.

def _connect_checks(run):
    return [c for c in run.result["checks"] if c["step"] == "connect"]


def test_server_on_the_bypass_list_is_reached_directly_past_a_dead_proxy(bed, md):
    req, pairs = _good_account(bed)
    dead = "127.0.0.1:%d" % bed.closed
    run = md.diagnose(req, pairs, extra_args=["--proxy", "socks5h://" + dead, "--no-proxy", "<local>, .example.test"])
    assert run.result["verdict"] == "ok", run.explain()
    assert "net.proxy_failed" not in run.codes(), run.explain()
    connects = _connect_checks(run)
    bypassed = "directly, not through the proxy %s (the server is on its bypass list)" % dead
    assert connects and all(bypassed in c["detail"] for c in connects), run.explain()
    # A direct connection resolves here, even though the proxy would have resolved the name (socks5h).
    dns = [c for c in run.result["checks"] if c["step"] == "dns"]
    assert dns and all(c["status"] == "pass" for c in dns), run.explain()


def test_bypass_list_entry_for_one_port_leaves_the_other_server_on_the_dead_proxy(bed, md):
    req, pairs = _good_account(bed)
    req["options"]["alternatives"] = False
    dead = "127.0.0.1:%d" % bed.closed
    run = md.diagnose(req, pairs, extra_args=["--proxy", "socks5h://" + dead, "--no-proxy", "mail.example.test:993"])
    first = run.result["findings"][0]
    assert first["code"] == "net.proxy_failed" and first["params"]["failed"] == "refused", run.explain()
    by_subject = {c["subject"]: c for c in _connect_checks(run)}
    assert by_subject["incoming"]["status"] == "pass", run.explain()
    assert "directly, not through the proxy " + dead in by_subject["incoming"]["detail"], run.explain()
    assert by_subject["outgoing"]["status"] == "fail", run.explain()
    assert by_subject["outgoing"]["detail"].startswith("the proxy %s failed" % dead), run.explain()


def test_bypassed_server_never_touches_a_working_proxy(bed, md, socks):
    req, pairs = _good_account(bed)
    offset = socks.log_offset()
    sizes = bed.log_sizes()
    run = md.diagnose(req, pairs, extra_args=["--proxy", socks.url, "--no-proxy", "example.test"])
    assert run.result["verdict"] == "ok", run.explain()
    assert socks.connections_since(offset) == [], run.explain()
    assert "rip=%s" % PROXY_SOURCE not in bed.logs(sizes), run.explain()
