"""A loopback TCP server whose every connection runs one scripted behaviour (Python stdlib only).

Hostile cases are written as behaviours: plain functions of one Conn. The server records what a
test needs to prove the guarantees: how many connections came, every login attempt (and whether
it arrived over TLS), and every byte received.
"""
import socket
import ssl
import struct
import threading
import time


class Recorder:
    """What the server saw, shared by all of its connections."""

    def __init__(self):
        self._lock = threading.Lock()
        self.connections = 0
        self.logins = []  # (command, encrypted) per login attempt
        self.received = bytearray()

    def connection(self):
        with self._lock:
            self.connections += 1

    def login(self, command, encrypted):
        with self._lock:
            self.logins.append((command, encrypted))

    def data(self, chunk):
        with self._lock:
            # Enough to search for a canary; a flood from the client must not exhaust the test's memory.
            if len(self.received) < 4 * 1024 * 1024:
                self.received += chunk

    @property
    def plaintext_logins(self):
        return [c for c, enc in self.logins if not enc]


class Closed(Exception):
    """The peer went away or the server is stopping: the behaviour just ends."""


class Conn:
    """One accepted connection, with line reading and an in-place STARTTLS upgrade."""

    def __init__(self, sock, server):
        self.sock = sock
        self.server = server
        self.rec = server.recorder
        self.buf = b""
        self.encrypted = False

    @property
    def stopping(self):
        return self.server.stop_event.is_set()

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        view = memoryview(data)
        while view:
            if self.stopping:
                raise Closed()
            try:
                n = self.sock.send(view)
            except socket.timeout:
                continue  # the peer reads slowly: keep pushing, that is the point of a flood
            except (OSError, ssl.SSLError) as e:
                raise Closed() from e
            view = view[n:]

    def line(self, text):
        self.send(text + "\r\n")

    def _fill(self):
        while True:
            if self.stopping:
                raise Closed()
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            except (OSError, ssl.SSLError) as e:
                raise Closed() from e
            if not chunk:
                raise Closed()
            self.rec.data(chunk)
            self.buf += chunk
            return

    def read_line(self, limit=1 << 20):
        """One line without its CRLF, as bytes."""
        while b"\n" not in self.buf:
            if len(self.buf) > limit:
                raise Closed()
            self._fill()
        raw, self.buf = self.buf.split(b"\n", 1)
        return raw.rstrip(b"\r")

    def pending(self):
        return self.buf

    def start_tls(self, context=None):
        """Upgrade to TLS; bytes the client pipelined before the handshake are dropped, as RFC 3207 asks."""
        self.buf = b""
        context = context or self.server.tls_context
        try:
            self.sock.settimeout(10)
            self.sock = context.wrap_socket(self.sock, server_side=True)
            self.sock.settimeout(0.2)
        except (OSError, ssl.SSLError) as e:
            raise Closed() from e
        self.encrypted = True

    def sleep(self, seconds):
        """Waits, but ends at once when the server stops."""
        if self.server.stop_event.wait(seconds):
            raise Closed()

    def tarpit(self):
        """Holds the connection open, reading and ignoring whatever arrives, until the peer or the test ends it."""
        while True:
            self._fill()
            self.buf = b""

    def reset(self):
        """Closes with a TCP RST instead of a FIN."""
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.sock.close()
        except OSError:
            pass
        raise Closed()


class HostileServer:
    """Listens on 127.0.0.1, a free port; with tls_context the connection starts with a TLS handshake."""

    def __init__(self, behaviour, tls_context=None, implicit_tls=False, host="127.0.0.1"):
        self.behaviour = behaviour
        self.tls_context = tls_context
        self.implicit_tls = implicit_tls
        self.recorder = Recorder()
        self.stop_event = threading.Event()
        self.errors = []
        self._conns = []
        self._lock = threading.Lock()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((host, 0))
        self._listener.listen(64)
        self._listener.settimeout(0.2)
        self.host = host
        self.port = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        self.stop_event.set()
        self._thread.join(timeout=2)
        with self._lock:
            for s in self._conns:
                try:
                    s.close()
                except OSError:
                    pass
        self._listener.close()

    def _accept_loop(self):
        while not self.stop_event.is_set():
            try:
                sock, _ = self._listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            sock.settimeout(0.2)
            with self._lock:
                self._conns.append(sock)
            self.recorder.connection()
            threading.Thread(target=self._serve, args=(sock,), daemon=True).start()

    def _serve(self, sock):
        conn = Conn(sock, self)
        try:
            if self.implicit_tls:
                conn.start_tls()
            self.behaviour(conn)
        except Closed:
            pass
        except Exception as e:  # a broken behaviour must fail the test, not vanish in a thread
            self.errors.append(repr(e))
        finally:
            try:
                conn.sock.close()
            except OSError:
                pass


def stream(conn, chunk, total=None, interval=0.0):
    """Sends chunk over and over (total bytes, or until the peer leaves)."""
    sent = 0
    while total is None or sent < total:
        if conn.stopping:
            raise Closed()
        conn.send(chunk)
        sent += len(chunk)
        if interval:
            conn.sleep(interval)
    return sent
