"""Named sets of servers, shared by the CLI and by test fixtures that want the standard layout.

  dovecot   Dovecot "main": good certificate, IMAP/POP3 on implicit TLS and STARTTLS ports
  faults    one Dovecot per certificate fault, named after it: expired, not_yet_valid, self_signed,
            other_host, no_intermediate
  postfix   Postfix with "submission" (STARTTLS required) and "submissions" (implicit TLS),
            SASL through Dovecot "main" (implies dovecot)
  dns       dnsmasq for example.test: A, MX, and RFC 6186 SRV records pointing at main's ports
            and Postfix's (implies dovecot; uses postfix when present)
  tarpit    accepts and never speaks
  closed    a port nothing listens on
  all       everything above
"""
from .net import SERVER_ADDR
from .pki import HOST, OTHER_HOST

NAMES = ("dovecot", "faults", "postfix", "dns", "tarpit", "closed")
FAULTS = ("expired", "not_yet_valid", "self_signed", "other_host", "no_intermediate")


def expand(names):
    wanted = set()
    for n in names:
        if n == "all":
            wanted.update(NAMES)
        elif n in NAMES:
            wanted.add(n)
        else:
            raise ValueError("unknown set %r (known: %s, all)" % (n, ", ".join(NAMES)))
    if "postfix" in wanted or "dns" in wanted:
        wanted.add("dovecot")
    return wanted


def dns_records(main, postfix=None, domain="example.test"):
    """A, MX and SRV records for `domain` whose SRV targets are the real test ports."""
    recs = ["host-record=%s,%s" % (HOST, SERVER_ADDR), "host-record=%s,%s" % (OTHER_HOST, SERVER_ADDR),
            "mx-host=%s,%s,10" % (domain, HOST),
            "srv-host=_imaps._tcp.%s,%s,%d,0,1" % (domain, HOST, main.ports["imaps"]),
            "srv-host=_imap._tcp.%s,%s,%d,0,1" % (domain, HOST, main.ports["imap"]),
            "srv-host=_pop3s._tcp.%s,%s,%d,0,1" % (domain, HOST, main.ports["pop3s"]),
            "srv-host=_pop3._tcp.%s,%s,%d,0,1" % (domain, HOST, main.ports["pop3"]),
            # RFC 6186: a target of "." says the service is not offered at all.
            "srv-host=_pop3s._tcp.nopop.%s" % domain,
            "srv-host=_pop3._tcp.nopop.%s" % domain]
    if postfix is not None:
        if "submission" in postfix.ports:
            recs.append("srv-host=_submission._tcp.%s,%s,%d,0,1" % (domain, HOST, postfix.ports["submission"]))
        if "submissions" in postfix.ports:
            recs.append("srv-host=_submissions._tcp.%s,%s,%d,0,1" % (domain, HOST, postfix.ports["submissions"]))
    return recs


def build(bed, names):
    """Starts the named sets in `bed` and returns what a client needs to reach them (JSON-able)."""
    wanted = expand(names)
    out = {"host": HOST, "addr": SERVER_ADDR, "cacert": bed.pki.root_cert, "policy": bed.counter.url("")[:-3]}
    main = bed.dovecot("main", start=False) if "dovecot" in wanted else None
    pf = None
    if "postfix" in wanted:
        # Postfix takes seconds to start: it does so in the background while the rest comes up.
        pf = bed.postfix([("submission", "starttls", main), ("submissions", "tls", main)], wait=False)
    if main:
        main.start()
        out["users"] = main.users
    if "faults" in wanted:
        for f in FAULTS:
            bed.dovecot(f, cert=f)
    if "dns" in wanted:
        dns = bed.dnsmasq(dns_records(main, pf))
        out["dns"] = {"server": dns.server, "port": dns.port}
    if "tarpit" in wanted:
        out["tarpit"] = bed.tarpit().port
    if "closed" in wanted:
        out["closed"] = bed.closed_port()
    if pf:
        pf.wait()
    out["dovecot"] = {n: {"ports": d.ports, "cert": d.cert, "auth_socket": d.auth_socket}
                      for n, d in bed.dovecots.items()}
    if pf:
        out["postfix"] = {"ports": pf.ports}
    return out
