"""Discovery through Thunderbird's SOCKS proxy (issue 14): the autoconfig fetch and the probe of what it names both
go through a real proxy (microsocks) that alone resolves the names, and the proxy changes nothing about where the
password goes: a document saying `plain` still gets no clear-text login without the user's confirmation."""
import os
import sys

import pytest

from canary import canary
from expect import clear_end
from maildoctor_runner import diagnose_flags
from test_network_attacker import PLAIN_AUTOCONFIG, VICTIM, Autoconfig, dialogue

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from servers.socks import Socks  # noqa: E402

DEADLINE_S = 4.0


@pytest.fixture
def proxied_autoconfig(serve, certs, zone, tmp_path):
    mail = serve(dialogue("imap", starttls=False))
    web = Autoconfig(certs, PLAIN_AUTOCONFIG % mail.port)
    # Only the proxy knows the names; the resolver given to maildoctor knows nothing of victim.test.
    proxy = Socks(str(tmp_path / "socks"), hosts={"autoconfig.victim.test": "127.0.0.1", "mail.victim.test": "127.0.0.1"}).start()
    dns = zone([])
    args = ["--email", VICTIM, "--password-stdin", "--no-alternatives", "--cacert", certs.cacert, "--dns-servers", dns.server,
            "--connect-to", "autoconfig.victim.test:443:127.0.0.1:%d" % web.port, "--proxy", proxy.url]
    yield mail, web, proxy, args
    proxy.stop()
    web.stop()


def test_discovery_fetch_and_probe_go_through_the_proxy(proxied_autoconfig):
    mail, web, proxy, args = proxied_autoconfig
    run = diagnose_flags(args, canary().encode() + b"\n", DEADLINE_S)
    clear_end(run, [mail], DEADLINE_S, user=VICTIM)
    through = proxy.connections_since(0)
    assert "127.0.0.1:%d" % web.port in through, (through, run.describe())
    assert "mail.victim.test:%d" % mail.port in through, (through, run.describe())
    assert mail.recorder.connections, "the discovered server was not probed: the test shows nothing"
    assert not mail.recorder.logins, mail.recorder.logins
    candidates = run.result.get("candidates") or []
    assert [c["host"] for c in candidates] == ["mail.victim.test"], run.describe()
    # Local DNS decided nothing: no SRV or MX lookup was made.
    steps = [c for c in run.result["checks"] if "left to the proxy" in (c.get("detail") or "")]
    assert steps, run.describe()


def test_confirmed_discovery_logs_in_once_through_the_proxy(proxied_autoconfig):
    # Positive control: confirmed, the login arrives, once, at the server the document named, via the proxy.
    mail, web, proxy, args = proxied_autoconfig
    run = diagnose_flags(args + ["--trust-discovered"], canary().encode() + b"\n", DEADLINE_S)
    clear_end(run, [mail], DEADLINE_S, {"auth.wrong_password", "auth.failed"}, allow_plaintext_login=True, user=VICTIM)
    assert len(mail.recorder.plaintext_logins) == 1, mail.recorder.logins
    assert "mail.victim.test:%d" % mail.port in proxy.connections_since(0)
