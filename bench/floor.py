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
  * DNS costs nothing: dnsmasq answers on loopback without added delay.
Probes run in parallel, so the floor of a diagnosis is its slowest probe's chain (max, not sum).
A probe that was stopped at the deadline has no floor of its own; scenarios (c) and (d) are judged
against the deadline instead.
"""
import re


def _tls_rtts(detail):
    m = re.search(r"TLS ?v?1\.([0-3])", detail or "", re.I)
    if m and m.group(1) != "3":
        return 2
    return 1


def probe_chains(result):
    """{target: {"exchanges": n, "greetings": n, "tls": n, "rtts": n, "first_ms", "last_ms"}}."""
    chains = {}
    last_dir = {}
    for t in result.get("transcript", []):
        target = t.get("target") or t.get("subject")
        c = chains.setdefault(target, {"exchanges": 0, "greetings": 0, "tls": 0, "tls_rtts": 0,
                                       "first_ms": t.get("ms", 0), "last_ms": t.get("ms", 0)})
        c["last_ms"] = max(c["last_ms"], t.get("ms", 0))
        d = t.get("dir")
        if d not in ("C", "S"):
            if d == "*" and "second connection" in t.get("line", ""):
                last_dir[target] = None  # a new connection: its greeting counts again
            continue
        prev = last_dir.get(target)
        if d == "S" and prev is None:
            c["greetings"] += 1
        elif d == "S" and prev == "C":
            c["exchanges"] += 1
        last_dir[target] = d
    for ch in result.get("checks", []):
        if ch.get("step") in ("tls", "starttls") and ch.get("status") == "pass":
            target = ch.get("target") or ch.get("subject")
            c = chains.setdefault(target, {"exchanges": 0, "greetings": 0, "tls": 0, "tls_rtts": 0,
                                           "first_ms": 0, "last_ms": 0})
            c["tls"] += 1
            c["tls_rtts"] += _tls_rtts(ch.get("detail"))
    for c in chains.values():
        c["rtts"] = c["greetings"] + c["exchanges"] + c["tls_rtts"]
    return chains


def floor_rtts(result):
    """(round trips of the slowest chain, its target)."""
    chains = probe_chains(result)
    if not chains:
        return 0, None
    target = max(chains, key=lambda k: chains[k]["rtts"])
    return chains[target]["rtts"], target
