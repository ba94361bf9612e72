"""The benchmark scenarios: what each one routes through the latency proxy, and the request it runs.

Every scenario uses the real host name mail.example.test and the standard ports (IMAP 993/143,
SMTP 465/587/25); --connect-to sends each of them to a latency-proxy port in front of a real server,
so the alternatives maildoctor probes pay the same latency as the configured endpoints. Port 25 goes
to Postfix's submission service (the test bed has no port-25 MTA; any real SMTP server will do).
"""
HOST = "mail.example.test"
EMAIL = "alice@example.test"


def standard_routes(main, pf):
    """{standard port: (upstream addr, upstream port)} for a healthy host."""
    addr = "127.0.0.2"
    return {993: (addr, main.ports["imaps"]), 143: (addr, main.ports["imap"]),
            465: (addr, pf.ports["submissions"]), 587: (addr, pf.ports["submission"]),
            25: (addr, pf.ports["submission"])}


def account(password, imap=(993, "tls"), smtp=(587, "starttls")):
    def ep(proto, port, sec):
        return {"protocol": proto, "host": HOST, "port": port, "security": sec, "username": EMAIL,
                "auth": "password", "password": password}
    return {"email": EMAIL, "incoming": ep("imap", *imap), "outgoing": ep("smtp", *smtp)}


class Scenario:
    """name, title; routes {listen key: upstream}; request (JSON) or email-only flags; options."""

    def __init__(self, name, title, routes, request=None, email_only=False, password=None, rtt_ms=None,
                 source_per_run=False, blackhole_port=None, deadline_bound=False):
        self.name = name
        self.title = title
        self.routes = routes
        self.request = request
        self.email_only = email_only
        self.password = password
        self.rtt_ms = rtt_ms            # None: the session's RTT
        self.source_per_run = source_per_run
        self.blackhole_port = blackhole_port
        self.deadline_bound = deadline_bound  # judged against the deadline, not the floor


def build(main, pf, tarpit_port, users, deadline_ms, rtt_ms):
    good = users[EMAIL]
    routes = standard_routes(main, pf)
    # Discovery finds the real ports through SRV: those names must reach the proxy too.
    srv_routes = dict(routes)
    srv_routes.update({main.ports["imaps"]: routes[993], main.ports["imap"]: routes[143],
                       pf.ports["submissions"]: routes[465], pf.ports["submission"]: routes[587]})
    tarpit_routes = dict(routes)
    tarpit_routes[143] = ("127.0.0.2", tarpit_port)

    def req(acc, alternatives=True):
        return {"account": acc, "options": {"login": True, "alternatives": alternatives, "deadline_ms": deadline_ms}}

    return [
        Scenario("a", "healthy account, IMAP 993 TLS + SMTP 587 STARTTLS, alternatives on", routes,
                 request=req(account(good)), password=good),
        Scenario("a0", "(a) with 0 ms added RTT: local cost (engine, servers, proxy)", routes,
                 request=req(account(good)), password=good, rtt_ms=0),
        Scenario("b", "wrong password (IMAP and SMTP)", routes,
                 request=req(account("Wrong-pass-123")), password="Wrong-pass-123", source_per_run=True),
        Scenario("c", "IMAP 993 blackholed (SYN dropped, network namespace)", routes,
                 request=req(account(good)), password=good, blackhole_port=993, deadline_bound=True),
        Scenario("d", "IMAP 143 STARTTLS is a tarpit (accepts, never greets)", tarpit_routes,
                 request=req(account(good, imap=(143, "starttls"))), password=good, deadline_bound=True),
        Scenario("e", "email only: discovery through SRV on dnsmasq, then the probes", srv_routes,
                 email_only=True, password=good),
    ]
