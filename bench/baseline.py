"""The sequential peer: the same probes maildoctor made, one after another, each with the curl
command-line tool and the same per-probe timeout (curl --max-time = maildoctor's deadline).

What each curl run does (the closest the curl tool comes to maildoctor's probe):
  IMAP with login:    greeting, CAPABILITY, [STARTTLS, TLS, CAPABILITY], AUTHENTICATE, EXAMINE INBOX, LOGOUT
  IMAP without login: greeting, CAPABILITY, [STARTTLS, TLS, CAPABILITY], CAPABILITY (-X), LOGOUT
  SMTP with login:    greeting, EHLO, [STARTTLS, TLS, EHLO], AUTH, VRFY <address>, QUIT
  SMTP without login: greeting, EHLO, [STARTTLS, TLS, EHLO], NOOP (-X), QUIT
maildoctor's SMTP check after login is MAIL FROM + RCPT TO + RSET: curl's one VRFY is two round trips
cheaper, so the baseline is, if anything, favoured. The password reaches curl through a config file
on stdin (-K -), never its command line.
"""
import subprocess
import time

SCHEMES = {("imap", "tls"): "imaps", ("imap", "starttls"): "imap", ("imap", "none"): "imap",
           ("pop3", "tls"): "pop3s", ("pop3", "starttls"): "pop3", ("pop3", "none"): "pop3",
           ("smtp", "tls"): "smtps", ("smtp", "starttls"): "smtp", ("smtp", "none"): "smtp"}


def parse_target(target):
    """"mail.example.test:993 tls" -> ("mail.example.test", 993, "tls")."""
    hostport, _, security = target.partition(" ")
    host, _, port = hostport.rpartition(":")
    return host, int(port), security or "tls"


def probes_of(result, protocols):
    """[(subject, target, alternative)] in the order maildoctor's checks name them.
    protocols: {"incoming": "imap", "outgoing": "smtp"}."""
    seen = []
    for c in result.get("checks", []):
        t = c.get("target")
        # Discovery's own checks (SRV, MX, autoconfig) are not probes of a server.
        if not t or c.get("step") == "discover" or c.get("subject") not in protocols:
            continue
        key = (c["subject"], t, bool(c.get("alternative")))
        if key not in seen:
            seen.append(key)
    return seen


def curl_command(subject, target, login, protocol, email, deadline_s, connect_to, cacert):
    host, port, security = parse_target(target)
    url = "%s://%s:%d/" % (SCHEMES[(protocol, security)], host, port)
    cmd = ["curl", "-sS", "-o", "/dev/null", "--max-time", "%g" % deadline_s, "--cacert", cacert]
    for ct in connect_to:
        cmd += ["--connect-to", ct]
    if security == "starttls":
        cmd.append("--ssl-reqd")
    if protocol == "imap":
        cmd += ["-X", "EXAMINE INBOX" if login else "CAPABILITY"]
    elif protocol == "pop3":
        cmd += ["-X", "STAT" if login else "CAPA"]
    elif login:
        cmd += ["--mail-rcpt", email]
    else:
        cmd += ["-X", "NOOP"]
    if login:
        cmd += ["-K", "-"]
    cmd.append(url)
    return cmd


def run_sequential(probes, protocols, email, password, deadline_s, connect_to, cacert, prefix=()):
    """Runs every probe's curl in turn; returns (wall seconds, [(target, exit status, seconds)])."""
    steps = []
    t0 = time.perf_counter()
    for subject, target, alternative in probes:
        login = not alternative and password is not None
        cmd = list(prefix) + curl_command(subject, target, login, protocols[subject], email, deadline_s,
                                          connect_to, cacert)
        config = ('user = "%s:%s"\n' % (email, password)) if login else ""
        s0 = time.perf_counter()
        r = subprocess.run(cmd, input=config, capture_output=True, text=True)
        steps.append((target, r.returncode, time.perf_counter() - s0))
    return time.perf_counter() - t0, steps
