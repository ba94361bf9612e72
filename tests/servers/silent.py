"""Servers that misbehave on purpose: one that accepts and never speaks, and a closed port."""
import socket
import threading

from .net import SERVER_ADDR, free_port


class Tarpit:
    """Accepts every connection and never sends a byte; holds the sockets until stopped."""

    def __init__(self, addr=SERVER_ADDR):
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((addr, 0))
        self._sock.listen(64)
        self.addr, self.port = self._sock.getsockname()
        self.accepted = 0
        self._held = []
        self._stopped = False

    def start(self):
        threading.Thread(target=self._loop, name="tarpit", daemon=True).start()
        return self

    def _loop(self):
        while not self._stopped:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self.accepted += 1
            self._held.append(conn)

    def stop(self):
        self._stopped = True
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._sock.close()
        for c in self._held:
            c.close()


def closed_port(addr=SERVER_ADDR):
    """A port nothing listens on right now: a connection to it is refused at once."""
    return free_port(addr)
