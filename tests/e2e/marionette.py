"""A minimal Marionette client (stdlib only): enough to run chrome-context scripts in Thunderbird."""
import json
import socket
import time


class Marionette:
    def __init__(self, port, timeout=30.0):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        self.sock.settimeout(60)
        self.buffer = b""
        self.next_id = 1
        self._read()  # the server's hello: {"applicationType": "gecko", "marionetteProtocol": 3}

    def _read(self):
        while b":" not in self.buffer:
            self._fill()
        length, _, rest = self.buffer.partition(b":")
        size = int(length)
        self.buffer = rest
        while len(self.buffer) < size:
            self._fill()
        body, self.buffer = self.buffer[:size], self.buffer[size:]
        return json.loads(body)

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("marionette closed the connection")
        self.buffer += chunk

    def command(self, name, params=None):
        msg_id = self.next_id
        self.next_id += 1
        data = json.dumps([0, msg_id, name, params or {}]).encode()
        self.sock.sendall(str(len(data)).encode() + b":" + data)
        while True:
            reply = self._read()
            if reply[0] == 1 and reply[1] == msg_id:
                if reply[2]:
                    raise RuntimeError(f"{name}: {reply[2]}")
                return reply[3]

    def start_chrome_session(self):
        # "ignore": Marionette must never close a prompt by itself. The test's own prompt watcher answers
        # Thunderbird's prompts (tb_session.py), and a prompt on the test's window is an error, not a silent dismissal.
        self.command("WebDriver:NewSession", {"capabilities": {"unhandledPromptBehavior": "ignore"}})
        self.command("Marionette:SetContext", {"value": "chrome"})

    def window_handles(self):
        """Chrome windows (in chrome context)."""
        return self.command("WebDriver:GetWindowHandles")

    def switch_to_window(self, handle):
        self.command("WebDriver:SwitchToWindow", {"handle": handle, "focus": False})

    def run_async(self, script, args=None, timeout_ms=30000):
        """script gets `resolve` as its last argument and returns via it; the value comes back as JSON."""
        self.command("WebDriver:SetTimeouts", {"script": timeout_ms})
        return self.command("WebDriver:ExecuteAsyncScript", {"script": script, "args": args or []}).get("value")

    def quit(self):
        try:
            self.command("Marionette:Quit", {"flags": ["eForceQuit"]})
        except (ConnectionError, OSError, RuntimeError):
            pass
