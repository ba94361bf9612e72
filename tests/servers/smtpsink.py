"""A tiny SMTP server that accepts and discards everything: Postfix relays to it, so no mail
ever leaves the machine. It advertises ENHANCEDSTATUSCODES like a real next hop."""
import socketserver
import threading

from .net import DNS_ADDR


class _Session(socketserver.StreamRequestHandler):
    timeout = 30

    def _say(self, line):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        self.server.owner.connections += 1
        self._say("220 sink.example.test ESMTP test sink")
        in_data = False
        while True:
            line = self.rfile.readline(65536)
            if not line:
                return
            if in_data:
                if line.rstrip(b"\r\n") == b".":
                    in_data = False
                    self.server.owner.messages += 1
                    self._say("250 2.0.0 discarded")
                continue
            verb = line.split(b" ", 1)[0].strip().upper()
            if verb in (b"EHLO", b"HELO"):
                self._say("250-sink.example.test")
                self._say("250-ENHANCEDSTATUSCODES")
                self._say("250 8BITMIME")
            elif verb == b"DATA":
                in_data = True
                self._say("354 go ahead")
            elif verb == b"QUIT":
                self._say("221 2.0.0 bye")
                return
            else:
                self._say("250 2.0.0 ok")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class SmtpSink:
    def __init__(self, addr=DNS_ADDR):
        self.connections = 0
        self.messages = 0
        self._server = _Server((addr, 0), _Session)
        self._server.owner = self
        self.addr, self.port = self._server.server_address

    def start(self):
        threading.Thread(target=self._server.serve_forever, name="smtp-sink", daemon=True).start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
