"""The canary password and every form in which it could leak.

A secret can leave a program in plain text, inside base64 (a SASL PLAIN token "\\0user\\0pass", an
AUTH LOGIN answer, an XOAUTH2 blob, a Basic header) or percent-encoded. base64 of a longer blob puts
the password at any of three alignments, so each alignment gets its own pattern: the characters that
depend only on the password's bytes, never on its neighbours.
"""
import base64
import os
import urllib.parse

DEFAULT = "cAnArY-7b3e-Pw9d"


def canary():
    """The password every hostile, replay and real-server test uses; the harness sets a fresh one per run."""
    return os.environ.get("MAILDOCTOR_CANARY", DEFAULT)


def _b64_alignments(secret):
    patterns = []
    for pad in range(3):
        enc = base64.b64encode(b"\0" * pad + secret)
        # Drop the characters that also encode the padding bytes, and the last group, which mixes in what follows.
        start = (pad * 8 + 5) // 6
        usable = (len(secret) + pad) // 3 * 4
        core = enc[start:usable]
        if len(core) >= 8:
            patterns.append(("base64+%d" % pad, core))
    return patterns


def forms(password, users=()):
    """name -> bytes for each leaked form of password (and of each SASL token built with users)."""
    pw = password.encode()
    found = {"plain": pw, "base64": base64.b64encode(pw), "percent": urllib.parse.quote(password, safe="").encode()}
    for name, pattern in _b64_alignments(pw):
        found[name] = pattern
    for user in users:
        token = b"\0" + user.encode() + b"\0" + pw
        found["sasl-plain(%s)" % user] = base64.b64encode(token)
        found["sasl-plain-authzid(%s)" % user] = base64.b64encode(user.encode() + token)
        found["sasl-login-pair(%s)" % user] = base64.b64encode(user.encode()) + b"\r\n" + base64.b64encode(pw)
        # The secret as an OAuth2 access token: the XOAUTH2 blob (Google's and Microsoft's form). OAUTHBEARER's blob
        # also names host and port; the alignment forms above already find the token inside it.
        found["sasl-xoauth2(%s)" % user] = base64.b64encode(b"user=" + user.encode() + b"\x01auth=Bearer " + pw + b"\x01\x01")
    # Keep distinct patterns only; skip ones equal to plain (a password of only unreserved characters).
    out, seen = {}, set()
    for k, v in found.items():
        if v not in seen:
            out[k] = v
            seen.add(v)
    return out


def scan(data, patterns):
    """Names of the forms found in data (bytes or str)."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    return sorted(name for name, p in patterns.items() if p in data)


def scan_tree(folder, patterns, skip=()):
    """{path: [forms]} for every file under folder holding a form of the secret."""
    hits = {}
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if os.path.join(root, d) not in skip]
        for name in files:
            path = os.path.join(root, name)
            if path in skip or os.path.islink(path) or not os.path.isfile(path):
                continue
            try:
                with open(path, "rb") as f:
                    data = f.read(256 * 1024 * 1024)
            except OSError:
                continue
            found = scan(data, patterns)
            if found:
                hits[path] = found
    return hits
