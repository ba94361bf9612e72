"""The round-trip floor of a diagnosis, counted from its own result (transcript + checks).

Counting, per probe (one `target` = one "host:port security" connection chain):
  * greeting: the first server line before any client line costs 1 RTT (the TCP handshake itself
    costs 0 RTT under latency_proxy.py: it models a link minus the kernel's handshake);
  * every client line (or group of client lines) that a server reply follows costs 1 RTT: a
    command/reply exchange; a client line no reply follows (a QUIT not waited for) costs nothing;
  * every TLS handshake that completed (check step `tls`) costs 1 RTT for TLS 1.3 and 2 RTT for
    TLS 1.2 or older (full handshakes; the version is read from the check's detail). With implicit
    TLS the greeting comes after the handshake and is counted as above: the server only speaks once
    it has the client's Finished;
  * DNS goes through the proxy too (1 RTT a lookup). A probe's own `dns` check counts 1 RTT when a
    lookup went over the wire (its ms is at least RTT/2: a --connect-to to an IP literal needs none);
    discovery (checks of step `discover`: SRV, MX, autoconfig, all started at once) counts 1 RTT,
    before every probe, when it ran (its lookups are answered from the local zone or refused, so
    none goes further than one DNS round trip).
Probes run in parallel, so the floor of a diagnosis is its slowest probe's chain (max, not sum).

Round trips the protocol would not need ("avoidable", reported apart, not taken off the floor):
  * an IMAP CAPABILITY command right after a greeting that already listed [CAPABILITY ...];
  * a SASL AUTH/AUTHENTICATE sent without an initial response that the server answered with a bare
    continuation (334 / +), where the server allows initial responses (SMTP always: RFC 4954;
    IMAP when it lists SASL-IR).
A probe that was stopped at the deadline has no floor of its own; scenarios (c) and (d) are judged
against the deadline instead.
"""
import re


def _tls_rtts(detail):
    m = re.search(r"TLS ?v?1\.([0-3])", detail or "", re.I)
    if m and m.group(1) != "3":
        return 2
    return 1


def probe_chains(result, rtt_ms=None):
    """{target: {"exchanges": n, "greetings": n, "tls": n, "rtts": n, "first_ms", "last_ms"}}."""
    chains = {}
    last_dir = {}
    last_line = {}
    sasl_ir = {}
    for t in result.get("transcript", []):
        target = t.get("target") or t.get("subject")
        c = chains.setdefault(target, {"exchanges": 0, "greetings": 0, "tls": 0, "tls_rtts": 0, "avoidable": 0,
                                       "first_ms": t.get("ms", 0), "last_ms": t.get("ms", 0), "waits": []})
        c["last_ms"] = max(c["last_ms"], t.get("ms", 0))
        d = t.get("dir")
        if d not in ("C", "S"):
            if d == "*" and "second connection" in t.get("line", ""):
                last_dir[target] = None  # a new connection: its greeting counts again
            continue
        prev = last_dir.get(target)
        line = t.get("line", "")
        if d == "S" and prev is None:
            c["greetings"] += 1
            c["waits"].append(("greeting", t.get("ms", 0)))
            c["greeting_caps"] = "[CAPABILITY " in line.upper()
        elif d == "S" and prev == "C":
            c["exchanges"] += 1
            command, sent_ms = last_line.get(target, ("", 0))
            c["waits"].append((command, t.get("ms", 0) - sent_ms))
            words = command.upper().split()
            if len(words) >= 2 and words[1] == "CAPABILITY" and c.get("greeting_caps") and c["exchanges"] == 1:
                c["avoidable"] += 1
            if (len(words) == 2 and words[0] == "AUTH") or (len(words) == 3 and words[1] == "AUTHENTICATE"):
                if line.strip() in ("334", "+") or line.startswith("334 ") and len(line.strip()) == 3:
                    c["avoidable"] += 1
        if "SASL-IR" in line.upper():
            sasl_ir[target] = True
        if d == "C" and prev != "C":
            last_line[target] = (line, t.get("ms", 0))
        last_dir[target] = d
    for ch in result.get("checks", []):
        if ch.get("step") == "dns" and rtt_ms and ch.get("ms", 0) >= rtt_ms / 2:
            target = ch.get("target") or ch.get("subject")
            c = chains.setdefault(target, {"exchanges": 0, "greetings": 0, "tls": 0, "tls_rtts": 0, "avoidable": 0,
                                           "first_ms": 0, "last_ms": 0, "waits": []})
            c["dns_rtts"] = c.get("dns_rtts", 0) + 1
        if ch.get("step") in ("tls", "starttls") and ch.get("status") == "pass":
            target = ch.get("target") or ch.get("subject")
            c = chains.setdefault(target, {"exchanges": 0, "greetings": 0, "tls": 0, "tls_rtts": 0, "avoidable": 0,
                                           "first_ms": 0, "last_ms": 0, "waits": []})
            c["tls"] += 1
            c["tls_rtts"] += _tls_rtts(ch.get("detail"))
    discovery = 1 if any(ch.get("step") == "discover" for ch in result.get("checks", [])) else 0
    for c in chains.values():
        c["discovery_rtts"] = discovery
        c["rtts"] = discovery + c.get("dns_rtts", 0) + c["greetings"] + c["exchanges"] + c["tls_rtts"]
    return chains


def floor_rtts(result, rtt_ms=None):
    """(round trips of the slowest chain, its target)."""
    chains = probe_chains(result, rtt_ms)
    if not chains:
        return 0, None
    target = max(chains, key=lambda k: chains[k]["rtts"])
    return chains[target]["rtts"], target


def timeline(result, target):
    """Where the time of one probe went, from its transcript's timestamps (ms since the diagnosis began):
    start: its first C/S line (connect, and the TLS handshake of implicit TLS, come before);
    end: its last line; server_waits: summed time from a client line to the reply that follows
    (RTT + proxy scheduling + server time); client_gaps: summed time from a server reply to the
    client's next line (maildoctor and libcurl at work); tls_gap: the STARTTLS reply to the next
    client line, which holds the TLS handshake."""
    lines = [t for t in result.get("transcript", []) if t.get("target") == target and t.get("dir") in ("C", "S")]
    out = {"start": None, "end": None, "server_waits": 0, "client_gaps": 0, "tls_gap": 0}
    if not lines:
        return out
    out["start"], out["end"] = lines[0]["ms"], lines[-1]["ms"]
    prev = None
    sent = None
    for t in lines:
        if t["dir"] == "C" and (prev is None or prev["dir"] == "S"):
            gap = t["ms"] - prev["ms"] if prev else 0
            if prev and prev["line"].upper().startswith(("220 2.0.0", "220 READY")) or \
                    (prev and "BEGIN TLS" in prev["line"].upper()):
                out["tls_gap"] += gap
            else:
                out["client_gaps"] += gap
            sent = t["ms"]
        elif t["dir"] == "S" and prev is not None and prev["dir"] == "C" and sent is not None:
            out["server_waits"] += t["ms"] - sent
        prev = t
    return out
