"""Drives the real maildoctor binary in native-messaging mode over pipes, the way Thunderbird does."""
import json
import os
import queue
import shlex
import socket
import struct
import subprocess
import threading
import time

BIN = os.environ.get("MAILDOCTOR_BIN") or os.path.join(
    os.path.dirname(__file__), "..", "..", "build", "dev", "host", "maildoctor")


# A command put before the binary: "wine64" runs maildoctor.exe (tests/windows/suite.sh). Empty for the Linux host.
PREFIX = shlex.split(os.environ.get("MAILDOCTOR_CMD_PREFIX", ""))
# Under Wine the process needs seconds to start; tests time the host, not the loader, so a prefixed host is first
# asked for a hello that the test never sees.
STARTUP_S = 60.0 if PREFIX else 0.0


def frame(obj_or_bytes):
    body = obj_or_bytes if isinstance(obj_or_bytes, bytes) else json.dumps(obj_or_bytes).encode()
    return struct.pack("=I", len(body)) + body


class Host:
    """One host process. A reader thread decodes every stdout frame; anything that is not a frame fails the test."""

    def __init__(self, args=("--native-messaging",), env=None):
        self.proc = subprocess.Popen([*PREFIX, BIN, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=env, bufsize=0)
        self.messages = queue.Queue()
        self.stdout_error = None
        self.stderr = b""
        self.raw = bytearray()  # every byte of stdout, every frame (progress included), for secret scans
        self._reader = threading.Thread(target=self._read_frames, daemon=True)
        self._reader.start()
        self._err_reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._err_reader.start()
        if STARTUP_S:
            self.send({"type": "hello", "id": "started"})
            assert self.recv(timeout=STARTUP_S).get("id") == "started"

    def _read_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.proc.stdout.read(n - len(buf))
            if not chunk:
                return None if not buf else buf
            self.raw += chunk
            buf += chunk
        return buf

    def _read_frames(self):
        while True:
            head = self._read_exact(4)
            if head is None:
                return
            if len(head) < 4:
                self.stdout_error = f"stray bytes on stdout: {head!r}"
                return
            (n,) = struct.unpack("=I", head)
            if n > 1024 * 1024:
                self.stdout_error = f"reply frame of {n} bytes exceeds 1 MiB"
                return
            body = self._read_exact(n)
            try:
                self.messages.put(json.loads(body))
            except (TypeError, ValueError):
                self.stdout_error = f"stdout frame is not JSON: {body[:80]!r}"
                return

    def _read_stderr(self):
        for line in self.proc.stderr:
            self.stderr += line

    def send_raw(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, obj):
        self.send_raw(frame(obj))

    def recv(self, timeout=5.0):
        try:
            return self.messages.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no reply within {timeout} s (stdout error: {self.stdout_error})") from None

    def close_stdin(self):
        self._real = self.real_pid()  # found while it still runs: wait_exit times the host, not a capture wrapper
        self.proc.stdin.close()

    def _real_gone(self):
        try:
            with open(f"/proc/{self._real}/stat") as f:
                return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
        except OSError:
            return True

    def wait_exit(self, timeout):
        """Seconds the host took to exit after this call; fails when it outlives `timeout`."""
        t0 = time.monotonic()
        real = getattr(self, "_real", self.proc.pid)
        try:
            if real != self.proc.pid:
                # Under the canary harness: time the host itself; its wrapper then finishes its copies, untimed.
                while not self._real_gone():
                    if time.monotonic() - t0 > timeout:
                        raise subprocess.TimeoutExpired(self.proc.args, timeout)
                    time.sleep(0.01)
                elapsed = time.monotonic() - t0
                self.proc.wait(timeout=30)
            else:
                self.proc.wait(timeout=timeout)
                elapsed = time.monotonic() - t0
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"host still running {timeout} s after stdin closed") from None
        self._reader.join(2)
        return elapsed

    def real_pid(self):
        """The pid of the maildoctor process itself: under the canary harness self.proc is the capture wrapper."""
        pid = self.proc.pid
        for _ in range(50):
            try:
                exe = os.path.basename(os.readlink(f"/proc/{pid}/exe"))
            except OSError:
                return pid
            if not exe.startswith("python"):
                return pid
            with open(f"/proc/{pid}/task/{pid}/children") as f:
                children = f.read().split()
            if children:
                return int(children[0])
            time.sleep(0.05)
        return pid

    def status(self, field):
        """A memory figure from /proc/PID/status of the maildoctor process, in KiB."""
        with open(f"/proc/{self.real_pid()}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        raise KeyError(field)

    def kill(self):
        """Stops the host; returns its exit status if it had already exited by itself, else None.

        It is first asked to stop the way Thunderbird does (stdin closed), so that a capture wrapper (canary harness)
        finishes its copies; only a host that outlives that is killed."""
        exited = self.proc.poll()
        if exited is None:
            try:
                self.proc.stdin.close()
            except (BrokenPipeError, OSError):
                pass
            try:
                self.proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._err_reader.join(timeout=5)
        return exited


class Tarpit:
    """Accepts TCP connections on 127.0.0.1 and never says a word: a server whose greeting never comes."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.clients = []
        self._stop = False
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        self.sock.settimeout(0.2)
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
                self.clients.append(conn)
            except OSError:
                continue

    def close(self):
        self._stop = True
        self._thread.join(1)
        for c in self.clients:
            c.close()
        self.sock.close()
