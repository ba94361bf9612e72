"""Loopback addresses and port helpers shared by every server of the test bed."""
import socket
import time

# Servers listen on 127.0.0.2: Dovecot treats a client whose address equals its own as secured,
# and clients reach 127.0.0.2 from 127.0.0.1 (see shared/TESTBED.md).
SERVER_ADDR = "127.0.0.2"
DNS_ADDR = "127.0.0.1"


def free_port(addr=SERVER_ADDR, udp_too=False):
    """A port that is free right now on addr (TCP, and UDP too when asked)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind((addr, 0))
            port = s.getsockname()[1]
        if not udp_too:
            return port
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
                u.bind((addr, port))
            return port
        except OSError:
            continue
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
