"""Well-behaved IMAP, POP3 and SMTP dialogues, small enough to read, with a method per step.

Hostile cases subclass one of these and break exactly one step, so every case shows the one fault
it is about. Each dialogue counts login attempts on the server's Recorder, noting whether the
connection was encrypted at that moment: the lockout and encryption guarantees are asserted from that.
"""
import base64

from hostile_server import Closed


class Dialogue:
    protocol = ""
    starttls = True        # offer STARTTLS / STLS on a plaintext connection
    accept_login = False   # answer a login with success

    def __call__(self, conn):
        self.greet(conn)
        while True:
            raw = conn.read_line()
            if not self.command(conn, raw.decode("utf-8", "replace")):
                return

    def login_attempt(self, conn, what):
        conn.rec.login(what, conn.encrypted)


class Imap(Dialogue):
    protocol = "imap"

    def greet(self, conn):
        conn.line("* OK hostile IMAP ready")

    def capabilities(self, conn):
        caps = ["IMAP4rev1", "ID", "AUTH=PLAIN", "AUTH=LOGIN"]
        if not conn.encrypted and self.starttls:
            caps.append("STARTTLS")
        return caps

    def command(self, conn, text):
        tag, _, rest = text.partition(" ")
        verb, _, args = rest.partition(" ")
        verb = verb.upper()
        if verb == "CAPABILITY":
            conn.line("* CAPABILITY " + " ".join(self.capabilities(conn)))
            conn.line(tag + " OK CAPABILITY completed")
        elif verb == "STARTTLS" and self.starttls and not conn.encrypted:
            self.on_starttls(conn, tag)
        elif verb == "LOGIN":
            self.login_attempt(conn, "LOGIN")
            self.on_login(conn, tag)
        elif verb == "AUTHENTICATE":
            self.login_attempt(conn, "AUTHENTICATE " + args.split(" ")[0].upper())
            self.on_authenticate(conn, tag, args)
        elif verb == "ID":
            conn.line('* ID ("name" "hostile")')
            conn.line(tag + " OK ID completed")
        elif verb in ("EXAMINE", "SELECT"):
            conn.line("* 0 EXISTS")
            conn.line(tag + " OK [READ-ONLY] done")
        elif verb == "NOOP":
            conn.line(tag + " OK NOOP completed")
        elif verb == "LOGOUT":
            conn.line("* BYE logging out")
            conn.line(tag + " OK LOGOUT completed")
            return False
        else:
            conn.line(tag + " BAD unknown command")
        return True

    def on_starttls(self, conn, tag):
        conn.line(tag + " OK Begin TLS negotiation now")
        conn.start_tls()

    def on_authenticate(self, conn, tag, args):
        parts = args.split(" ")
        mech = parts[0].upper()
        if mech == "PLAIN" and len(parts) == 1:
            conn.line("+ ")
            conn.read_line()
        elif mech == "LOGIN":
            for prompt in ("VXNlcm5hbWU6", "UGFzc3dvcmQ6"):
                conn.line("+ " + prompt)
                conn.read_line()
        self.on_login(conn, tag)

    def on_login(self, conn, tag):
        if self.accept_login:
            conn.line(tag + " OK [CAPABILITY IMAP4rev1] Logged in")
        else:
            conn.line(tag + " NO [AUTHENTICATIONFAILED] Authentication failed.")


class Pop3(Dialogue):
    protocol = "pop3"

    def greet(self, conn):
        conn.line("+OK hostile POP3 ready")

    def capa(self, conn):
        caps = ["USER", "SASL PLAIN LOGIN", "UIDL"]
        if not conn.encrypted and self.starttls:
            caps.append("STLS")
        return caps

    def command(self, conn, text):
        verb, _, args = text.partition(" ")
        verb = verb.upper()
        if verb == "CAPA":
            conn.line("+OK capability list follows")
            for c in self.capa(conn):
                conn.line(c)
            conn.line(".")
        elif verb == "STLS" and self.starttls and not conn.encrypted:
            conn.line("+OK Begin TLS negotiation")
            conn.start_tls()
        elif verb == "USER":
            conn.line("+OK")
        elif verb in ("PASS", "APOP"):
            self.login_attempt(conn, verb)
            self.on_login(conn)
        elif verb == "AUTH":
            self.login_attempt(conn, "AUTH " + args.split(" ")[0].upper())
            parts = args.split(" ")
            if parts[0].upper() == "PLAIN" and len(parts) == 1:
                conn.line("+ ")
                conn.read_line()
            elif parts[0].upper() == "LOGIN":
                for prompt in ("VXNlcm5hbWU6", "UGFzc3dvcmQ6"):
                    conn.line("+ " + prompt)
                    conn.read_line()
            self.on_login(conn)
        elif verb == "STAT":
            conn.line("+OK 0 0")
        elif verb == "QUIT":
            conn.line("+OK bye")
            return False
        else:
            conn.line("-ERR unknown command")
        return True

    def on_login(self, conn):
        if self.accept_login:
            conn.line("+OK logged in")
        else:
            conn.line("-ERR [AUTH] Authentication failed.")


class Smtp(Dialogue):
    protocol = "smtp"

    def greet(self, conn):
        conn.line("220 hostile.test ESMTP ready")

    def ehlo_lines(self, conn):
        lines = ["hostile.test", "PIPELINING", "AUTH PLAIN LOGIN", "ENHANCEDSTATUSCODES"]
        if not conn.encrypted and self.starttls:
            lines.append("STARTTLS")
        return lines

    def command(self, conn, text):
        verb, _, args = text.partition(" ")
        verb = verb.upper()
        if verb == "EHLO":
            lines = self.ehlo_lines(conn)
            for item in lines[:-1]:
                conn.line("250-" + item)
            conn.line("250 " + lines[-1])
        elif verb == "HELO":
            conn.line("250 hostile.test")
        elif verb == "STARTTLS" and self.starttls and not conn.encrypted:
            conn.line("220 2.0.0 Ready to start TLS")
            conn.start_tls()
        elif verb == "AUTH":
            self.login_attempt(conn, "AUTH " + args.split(" ")[0].upper())
            parts = args.split(" ")
            if parts[0].upper() == "PLAIN" and len(parts) == 1:
                conn.line("334 ")
                conn.read_line()
            elif parts[0].upper() == "LOGIN":
                for prompt in ("VXNlcm5hbWU6", "UGFzc3dvcmQ6"):
                    conn.line("334 " + prompt)
                    conn.read_line()
            self.on_login(conn)
        elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
            conn.line("250 2.0.0 OK")
        elif verb == "QUIT":
            conn.line("221 2.0.0 Bye")
            return False
        else:
            conn.line("502 5.5.2 Error: command not recognized")
        return True

    def on_login(self, conn):
        if self.accept_login:
            conn.line("235 2.7.0 Authentication successful")
        else:
            conn.line("535 5.7.8 Error: authentication failed")


DIALOGUES = {"imap": Imap, "pop3": Pop3, "smtp": Smtp}


def sasl_plain(user, password):
    return base64.b64encode(b"\0" + user.encode() + b"\0" + password.encode()).decode()


__all__ = ["Imap", "Pop3", "Smtp", "DIALOGUES", "Closed", "sasl_plain"]
