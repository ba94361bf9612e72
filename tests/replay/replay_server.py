"""A scripted mail server that plays back one case's dialogue (IMAP, POP3 or SMTP; plain, STARTTLS or implicit TLS).

It answers only what a client needs to reach the login and the checks after it, and counts login attempts so the
runner can prove at most one was made. Standard library only.
"""
import socket
import ssl
import threading


class Dialogue:
    def __init__(self, conn, tls_context):
        self.conn = conn
        self.tls_context = tls_context
        self.buf = b""

    def send(self, line):
        self.conn.sendall(line.encode("utf-8", "surrogateescape") + b"\r\n")

    def read_line(self):
        while b"\n" not in self.buf:
            chunk = self.conn.recv(4096)
            if not chunk:
                return None
            self.buf += chunk
            if len(self.buf) > 65536:
                return None
        line, self.buf = self.buf.split(b"\n", 1)
        return line.rstrip(b"\r").decode("utf-8", "replace")

    def start_tls(self):
        self.conn = self.tls_context.wrap_socket(self.conn, server_side=True)


class ReplayServer:
    """server: the case's "server" object. security: how the listener starts (tls = implicit)."""

    def __init__(self, protocol, server, security, tls_context):
        self.protocol = protocol
        self.server = server
        self.security = security
        self.tls_context = tls_context
        self.logins = 0
        self.errors = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.stopping = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def stop(self):
        self.stopping = True
        try:
            self.sock.close()
        except OSError:
            pass

    def _accept(self):
        while not self.stopping:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        conn.settimeout(10)
        d = Dialogue(conn, self.tls_context)
        try:
            if self.security == "tls":
                d.start_tls()
            if self.server.get("silent"):
                d.read_line()
                return
            getattr(self, "_" + self.protocol)(d)
        except (OSError, ssl.SSLError, UnicodeError):
            pass
        finally:
            try:
                d.conn.close()
            except OSError:
                pass

    @staticmethod
    def _send_with_challenges(d, lines, prefix):
        """Sends the login lines before the final one; after a SASL challenge ("+ ..." / "334 ...", e.g. an OAuth2
        server's base64 JSON error) it waits for the client's answer, as a real server does. False: the client hung up
        (libcurl ends an XOAUTH2 exchange at such a challenge)."""
        for l in lines:
            d.send(l)
            if l.startswith(prefix) and d.read_line() is None:
                return False
        return True

    def _login_lines(self, default):
        lines = self.server.get("login")
        return list(lines) if lines else [default]

    # --- IMAP -------------------------------------------------------------------------------------------
    def _imap(self, d):
        s = self.server
        d.send(s.get("greeting", "* OK IMAP4rev1 Service Ready"))
        caps = s.get("capability", ["IMAP4rev1", "AUTH=PLAIN", "AUTH=LOGIN"])
        logged_in = False
        identified = False
        while True:
            line = d.read_line()
            if line is None:
                return
            parts = line.split(" ", 2)
            if len(parts) < 2:
                d.send("* BAD missing command")
                continue
            tag, cmd = parts[0], parts[1].upper()
            arg = parts[2] if len(parts) > 2 else ""
            if cmd == "CAPABILITY":
                d.send("* CAPABILITY " + " ".join(caps))
                d.send(tag + " OK CAPABILITY completed")
            elif cmd == "STARTTLS":
                d.send(tag + " OK Begin TLS negotiation now")
                d.start_tls()
            elif cmd == "ID":
                identified = True
                d.send('* ID ("name" "replay")')
                d.send(tag + " OK ID completed")
            elif cmd in ("LOGIN", "AUTHENTICATE"):
                self.logins += 1
                if cmd == "AUTHENTICATE":
                    mech = arg.split(" ")[0].upper()
                    if mech == "LOGIN":
                        d.send("+ VXNlcm5hbWU6")
                        d.read_line()
                        d.send("+ UGFzc3dvcmQ6")
                        d.read_line()
                    elif " " not in arg:
                        d.send("+ ")
                        d.read_line()
                lines = self._login_lines("OK LOGIN completed")
                if not self._send_with_challenges(d, lines[:-1], "+ "):
                    return
                d.send(tag + " " + lines[-1])
                logged_in = lines[-1].upper().startswith("OK")
            elif cmd in ("SELECT", "EXAMINE") and logged_in:
                sel = s.get("select")
                # "select_without_id": the refusal is for clients that did not send IMAP ID (NetEase's rule).
                if sel and s.get("select_without_id") and identified:
                    sel = None
                if sel:
                    for l in sel[:-1]:
                        d.send(l)
                    d.send(tag + " " + sel[-1])
                else:
                    d.send("* 0 EXISTS")
                    d.send(tag + " OK [READ-ONLY] EXAMINE completed")
            elif cmd == "NOOP":
                d.send(tag + " OK NOOP completed")
            elif cmd == "LOGOUT":
                d.send("* BYE logging out")
                d.send(tag + " OK LOGOUT completed")
                return
            else:
                d.send(tag + " BAD unknown command")

    # --- POP3 -------------------------------------------------------------------------------------------
    def _pop3(self, d):
        s = self.server
        d.send(s.get("greeting", "+OK POP3 ready"))
        caps = s.get("capability", ["USER", "SASL PLAIN", "RESP-CODES", "AUTH-RESP-CODE"])
        logged_in = False
        while True:
            line = d.read_line()
            if line is None:
                return
            cmd, _, arg = line.partition(" ")
            cmd = cmd.upper()
            if cmd == "CAPA":
                d.send("+OK Capability list follows")
                for c in caps:
                    d.send(c)
                d.send(".")
            elif cmd == "STLS":
                d.send("+OK Begin TLS negotiation")
                d.start_tls()
            elif cmd == "USER":
                d.send("+OK")
            elif cmd in ("PASS", "AUTH"):
                self.logins += 1
                if cmd == "AUTH" and " " not in arg.strip():
                    d.send("+ ")
                    d.read_line()
                lines = self._login_lines("+OK Logged in.")
                for l in lines:
                    d.send(l)
                logged_in = lines[-1].startswith("+OK")
            elif cmd == "STAT" and logged_in:
                d.send(s.get("stat", "+OK 0 0"))
            elif cmd == "QUIT":
                d.send("+OK Bye")
                return
            else:
                d.send("-ERR unknown command")

    # --- SMTP -------------------------------------------------------------------------------------------
    def _smtp(self, d):
        s = self.server
        greeting = s.get("greeting", ["220 replay ESMTP ready"])
        for l in greeting if isinstance(greeting, list) else [greeting]:
            d.send(l)
        ehlo = s.get("ehlo", ["250-replay", "250-AUTH PLAIN LOGIN", "250-ENHANCEDSTATUSCODES", "250 PIPELINING"])
        ehlo_tls = s.get("ehlo_after_tls", ehlo)
        in_tls = self.security == "tls"
        while True:
            line = d.read_line()
            if line is None:
                return
            cmd, _, arg = line.partition(" ")
            cmd = cmd.upper()
            if cmd in ("EHLO", "HELO"):
                lines = ehlo_tls if in_tls else ehlo
                if self.security == "starttls" and not in_tls and not any("STARTTLS" in l for l in lines):
                    lines = lines[:-1] + ["250-STARTTLS", lines[-1]]
                for l in lines:
                    d.send(l)
            elif cmd == "STARTTLS":
                d.send("220 2.0.0 Ready to start TLS")
                d.start_tls()
                in_tls = True
            elif cmd == "AUTH":
                self.logins += 1
                mech, _, ir = arg.partition(" ")
                if mech.upper() == "LOGIN":
                    if not ir:
                        d.send("334 VXNlcm5hbWU6")
                        d.read_line()
                    d.send("334 UGFzc3dvcmQ6")
                    d.read_line()
                elif not ir:
                    d.send("334 ")
                    d.read_line()
                lines = self._login_lines("235 2.7.0 Authentication successful")
                if not self._send_with_challenges(d, lines[:-1], "334 "):
                    return
                d.send(lines[-1])
            elif cmd == "MAIL":
                for l in s.get("mail_from", ["250 2.1.0 Ok"]):
                    d.send(l)
            elif cmd == "RCPT":
                for l in s.get("rcpt_to", ["250 2.1.5 Ok"]):
                    d.send(l)
            elif cmd in ("RSET", "NOOP"):
                d.send("250 2.0.0 Ok")
            elif cmd == "QUIT":
                d.send("221 2.0.0 Bye")
                return
            else:
                d.send("502 5.5.2 Error: command not recognized")
