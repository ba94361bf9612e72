#!/usr/bin/python3
"""Runs every case in cases/ against the real maildoctor binary and a scripted replay server.

Per case it asserts the first finding of the expected severity (code, subject, fix, rule, provider, params; fixes that
must not be there: no_fix_settings, no_oauth2), at most one
login attempt, and that the canary password appears nowhere in stdout or stderr (every form tests/security/canary.py knows).
Finally it checks that every rule id in host/data/rules is exercised by at least one case.
Usage: run_replay.py [CASE_NAME_SUBSTRING...]   (env: MAILDOCTOR_BIN, MAILDOCTOR_ROOT)
"""
import concurrent.futures
import glob
import json
import os
import socket
import ssl
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "security"))
from canary import canary, forms, scan  # noqa: E402
from replay_server import ReplayServer  # noqa: E402

ROOT = os.environ.get("MAILDOCTOR_ROOT") or os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("MAILDOCTOR_BIN") or os.path.join(ROOT, "build", "dev", "host", "maildoctor")
CANARY = canary()
DEFAULT_PORTS = {("imap", "tls"): 993, ("imap", "starttls"): 143, ("imap", "none"): 143,
                 ("pop3", "tls"): 995, ("pop3", "starttls"): 110, ("pop3", "none"): 110,
                 ("smtp", "tls"): 465, ("smtp", "starttls"): 587, ("smtp", "none"): 587}


def make_ca(tmp, hosts):
    """A throw-away CA and one server certificate naming every host the cases impersonate. It lasts 90 days, like a
    real provider's: one ending within 14 days would add tls.cert_expires_soon to every case."""
    ca_key, ca_crt = os.path.join(tmp, "ca.key"), os.path.join(tmp, "ca.pem")
    key, csr, crt, ext = (os.path.join(tmp, n) for n in ("server.key", "server.csr", "server.pem", "san.ext"))
    run = lambda *a: subprocess.run(a, check=True, capture_output=True)
    run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", ca_key,
        "-out", ca_crt, "-days", "90", "-subj", "/CN=maildoctor replay test CA",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    run("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", csr,
        "-subj", "/CN=replay")
    with open(ext, "w") as f:
        names = ["IP:" + h if h.replace(".", "").isdigit() else "DNS:" + h for h in sorted(hosts)]
        f.write("subjectAltName=" + ",".join(names) + "\n")
        f.write("basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
    run("openssl", "x509", "-req", "-in", csr, "-CA", ca_crt, "-CAkey", ca_key, "-CAcreateserial", "-out", crt, "-days", "90",
        "-extfile", ext)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(crt, key)
    return ca_crt, ctx


def endpoint_of(case):
    e = dict(case["endpoint"])
    e.setdefault("security", "tls")
    e.setdefault("subject", "outgoing" if e["protocol"] == "smtp" else "incoming")
    e.setdefault("port", case.get("endpoint_port") or DEFAULT_PORTS[(e["protocol"], e["security"])])
    e.setdefault("username", case.get("username_override") or case["email"])
    e.setdefault("auth", "password")
    return e


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run_case(path, ca, tls_ctx):
    case = json.load(open(path))
    name = os.path.basename(path)
    e = endpoint_of(case)
    server = None
    if case.get("server") is not None:
        server = ReplayServer(e["protocol"], case["server"], e["security"], tls_ctx)
        port = server.port
    else:
        port = free_port()  # nothing listens: a refused connection
    ep = {k: e[k] for k in ("protocol", "host", "port", "security", "username", "auth")}
    if case.get("password", True):
        # An OAuth2 case carries the canary as its access token: the same secret, the same scans.
        ep["access_token" if e["auth"] == "oauth2" else "password"] = CANARY
    if case.get("oauth_error"):
        ep["oauth_error"] = case["oauth_error"]  # what Thunderbird's OAuth2 token refresh said
    request = {"account": {"email": case["email"], e["subject"]: ep},
               "options": {"alternatives": False, "deadline_ms": case.get("deadline_ms", 8000)}}
    if case.get("observed_error"):
        request["observed_error"] = case["observed_error"]
    common = ["--json", "--cacert", ca, "--connect-to", "%s:%d:127.0.0.1:%d" % (e["host"], e["port"], port)]
    if case.get("cli"):
        # The flag form of the CLI (CONTRACT section 4) instead of a JSON request.
        security = "--outgoing-security" if e["subject"] == "outgoing" else "--incoming-security"
        cmd = [BIN, "diagnose", "--email", case["email"], "--" + e["protocol"], "%s:%d" % (e["host"], e["port"]),
               security, e["security"], "--user", e["username"], "--auth", e["auth"], "--no-alternatives",
               "--deadline", str(case.get("deadline_ms", 8000) / 1000)] + common
        secret_flag = "--token-stdin" if e["auth"] == "oauth2" else "--password-stdin"
        cmd += [secret_flag] if case.get("password", True) else ["--no-login"]
        if case.get("oauth_error"):
            cmd += ["--oauth-error", case["oauth_error"]]
        if case.get("observed_error"):
            cmd += ["--observed-error", case["observed_error"]]
        stdin = CANARY + "\n" if case.get("password", True) else ""
    else:
        cmd = [BIN, "diagnose", "--request", "-"] + common
        stdin = json.dumps(request)
    errors = []
    try:
        proc = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=60)
    finally:
        if server:
            server.stop()
    out = proc.stdout + proc.stderr
    leaked = scan(out, forms(CANARY, [e["username"]]))
    if leaked:
        errors.append("secret leaked in output as %s" % ", ".join(leaked))
    # 86/87: a sanitizer report (90-asan); negative: a signal. Only 0 (ok) and 1 (problem found) are answers.
    if proc.returncode not in (0, 1):
        errors.append("exit status %d: %s" % (proc.returncode, proc.stderr.strip()[-300:]))
    if server and server.logins > 1:
        errors.append("%d login attempts (at most one allowed)" % server.logins)
    try:
        result = json.loads(proc.stdout)
    except ValueError:
        return name, ["no JSON result (exit %d): %s" % (proc.returncode, proc.stderr.strip()[:300])], []
    exp = case["expect"]
    rules_hit = [f["rule"] for f in result.get("findings", []) if f.get("rule")]
    if exp.get("code") is None:
        # A case whose server works for a client that behaves like Thunderbird: no problem may be reported.
        problems = [f["code"] for f in result.get("findings", []) if f.get("severity") in ("error", "warning")]
        if problems or result.get("verdict") != "ok":
            errors.append("verdict %s with %s, expected ok and no problem" % (result.get("verdict"), problems))
        return name, errors, rules_hit
    severity = exp.get("severity", "error")
    found = [f for f in result.get("findings", []) if f.get("severity") == severity]
    if not found:
        errors.append("no %s finding; findings: %s" % (severity, [f["code"] for f in result.get("findings", [])]))
        return name, errors, rules_hit
    first = found[0]
    if first["code"] != exp["code"]:
        errors.append("first %s finding is %s (rule %s), expected %s; evidence %s" % (
            severity, first["code"], first.get("rule"), exp["code"], first.get("evidence")))
    if first["subject"] != exp.get("subject", e["subject"]):
        errors.append("subject %s, expected %s" % (first["subject"], exp.get("subject", e["subject"])))
    if "rule" in exp and first.get("rule") != exp["rule"]:
        errors.append("rule %s, expected %s" % (first.get("rule"), exp["rule"]))
    if "fix_url" in exp and exp["fix_url"] not in [f.get("url") for f in first.get("fixes", [])]:
        errors.append("fix URL %s missing; fixes: %s" % (exp["fix_url"], first.get("fixes")))
    if "fix_setting" in exp:
        want = exp["fix_setting"]
        if not any(f.get("setting") == want["setting"] and f.get("value") == want["value"] for f in first.get("fixes", [])):
            errors.append("fix %s missing; fixes: %s" % (want, first.get("fixes")))
    if "provider" in exp and (result.get("provider") or {}).get("id") != exp["provider"]:
        errors.append("provider %s, expected %s" % (result.get("provider"), exp["provider"]))
    if "verdict" in exp and result.get("verdict") != exp["verdict"]:
        errors.append("verdict %s, expected %s" % (result.get("verdict"), exp["verdict"]))
    for key, value in exp.get("params", {}).items():
        if first.get("params", {}).get(key) != value:
            errors.append("params.%s is %r, expected %r" % (key, first.get("params", {}).get(key), value))
    for setting in exp.get("no_fix_settings", []):
        if any(f.get("setting") == setting for f in first.get("fixes", [])):
            errors.append("a fix sets %s, which would break the account: %s" % (setting, first.get("fixes")))
    if exp.get("no_oauth2"):
        # Thunderbird has no OAuth2 for this server: switching to it, or advising it, breaks the account.
        for f in result.get("findings", []):
            if any(x.get("setting") == "auth" and x.get("value") == "oauth2" for x in f.get("fixes", [])):
                errors.append("%s offers OAuth2, which Thunderbird cannot use here" % f["code"])
            if "OAuth2" in f.get("title", "") + f.get("detail", ""):
                errors.append("%s mentions OAuth2: %r" % (f["code"], f.get("detail")))
    wanted = exp.get("evidence")
    if wanted is None and case.get("server") and case["server"].get("login") and case.get("password", True) \
            and not case.get("observed_error"):
        wanted = case["server"]["login"][-1].split(" ", 1)[-1]
    if wanted is not None:
        if not any(wanted in line for line in first.get("evidence", [])):
            errors.append("evidence lacks the server's reply %r: %s" % (wanted, first.get("evidence")))
    return name, errors, rules_hit


def main(argv):
    if not os.access(BIN, os.X_OK):
        print("replay: binary not found at %s" % BIN)
        return 1
    paths = sorted(glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases", "*.json")))
    selected = [p for p in paths if not argv or any(a in os.path.basename(p) for a in argv)]
    for p in paths:
        case = json.load(open(p))
        if not case.get("source", "").startswith("https://"):
            print("FAIL %s: every case cites its public source (https URL)" % os.path.basename(p))
            return 1
    hosts = {endpoint_of(json.load(open(p)))["host"] for p in paths}
    failures = 0
    hit = set()
    with tempfile.TemporaryDirectory(prefix="replay-") as tmp:
        ca, tls_ctx = make_ca(tmp, hosts)
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            for name, errors, rules_hit in pool.map(lambda p: run_case(p, ca, tls_ctx), selected):
                hit.update(rules_hit)
                if errors:
                    failures += 1
                    print("FAIL %s" % name)
                    for e in errors:
                        print("     " + e)
                else:
                    print("ok   %s" % name)
    if not argv:
        all_rules = set()
        for f in glob.glob(os.path.join(ROOT, "host", "data", "rules", "*.json")):
            all_rules.update(r["id"] for r in json.load(open(f))["rules"])
        missing = sorted(all_rules - hit)
        if missing:
            failures += 1
            print("FAIL rule coverage: no case exercises %s" % ", ".join(missing))
    print("%d of %d cases passed" % (len(selected) - failures if failures <= len(selected) else 0, len(selected)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
