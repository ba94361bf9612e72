import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "security"))

from canary import canary, forms, scan  # noqa: E402
from certs import Certs  # noqa: E402
from hostile_server import HostileServer  # noqa: E402

sys.path.insert(0, os.path.join(HERE, ".."))
from servers.dnsmasq import Dnsmasq  # noqa: E402


@pytest.fixture(scope="session")
def certs(tmp_path_factory):
    return Certs(str(tmp_path_factory.mktemp("certs")))


@pytest.fixture
def serve():
    """serve(behaviour, tls=ctx, implicit_tls=bool) -> a running HostileServer, stopped after the test."""
    servers = []

    def start(behaviour, tls=None, implicit_tls=False):
        s = HostileServer(behaviour, tls_context=tls, implicit_tls=implicit_tls)
        s.__enter__()
        servers.append(s)
        return s

    yield start
    for s in servers:
        s.stop()
        note_delivery(s)
    errors = [e for s in servers for e in s.errors]
    assert not errors, "hostile server behaviour raised: %s" % errors


@pytest.fixture
def zone(tmp_path):
    """zone(records) -> a running dnsmasq that answers for every *.test name from these records only (and refuses
    everything else): DNS of a diagnosis stays on the loopback, and a test can forge what it needs."""
    started = []

    def start(records=()):
        d = Dnsmasq(str(tmp_path / ("dns%d" % len(started))), list(records), domains=("test",))
        d.start()
        started.append(d)
        return d

    yield start
    for d in started:
        d.stop()


def note_delivery(server):
    """Tells the canary harness that a login carrying the canary really reached a server."""
    private = os.environ.get("MAILDOCTOR_PRIVATE_DIR")
    if private and scan(bytes(server.recorder.received), forms(canary())):
        os.makedirs(private, exist_ok=True)
        open(os.path.join(private, "delivered-%d-%d" % (os.getpid(), server.port)), "w").close()
