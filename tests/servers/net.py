"""Loopback addresses and port helpers shared by every server of the test bed."""
import random
import socket
import time

# Servers listen on 127.0.0.2: Dovecot treats a client whose address equals its own as secured,
# and clients reach 127.0.0.2 from 127.0.0.1 (see shared/TESTBED.md).
SERVER_ADDR = "127.0.0.2"
DNS_ADDR = "127.0.0.1"


# Below Linux's ephemeral range (32768-60999): a port the kernel just handed us for port 0 may go to
# the next outgoing connection of any process, and Postfix binds its ports seconds after we chose them.
_PORT_RANGE = (20000, 32700)
_taken = set()


def _bindable(addr, port, kind):
    with socket.socket(socket.AF_INET, kind) as s:
        try:
            s.bind((addr, port))
            return True
        except OSError:
            return False


def free_port(addr=SERVER_ADDR, udp_too=False):
    """A port that is free right now on addr (TCP, and UDP too when asked), never one this process
    handed out before."""
    for _ in range(500):
        port = random.randrange(*_PORT_RANGE)
        if port in _taken:
            continue
        if _bindable(addr, port, socket.SOCK_STREAM) and (not udp_too or _bindable(addr, port, socket.SOCK_DGRAM)):
            _taken.add(port)
            return port
    raise RuntimeError("no free port found on %s" % addr)


def wait_port(port, addr=SERVER_ADDR, timeout=10.0, alive=None):
    """Waits until addr:port accepts a TCP connection. alive() returning False aborts early."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((addr, port), timeout=0.5):
                return True
        except OSError:
            pass
        if alive is not None and not alive():
            return False
        time.sleep(0.02)
    return False
