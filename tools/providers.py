#!/usr/bin/env python3
"""Checks the provider knowledge base (host/data/providers/*.json) and renders docs/PROVIDERS.md from it.

  tools/providers.py check     exit 1 on any problem (schema, ids, duplicate domains, non-https URLs ...)
  tools/providers.py table     rewrite docs/PROVIDERS.md
  tools/providers.py table --check   exit 1 when docs/PROVIDERS.md is out of date

The C++ loader (host/src/kb) is the authority on what it accepts; this script adds the editorial rules that keep
the data honest: every fact sourced, every fix URL https, reply meanings limited to the finding codes of the
contract, and no server-name suffix shared by two providers (detection takes the first match in file order).
"""
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
DATA = ROOT / "host" / "data" / "providers"
DOC = ROOT / "docs" / "PROVIDERS.md"

# The finding codes a known reply may mean: the host's own list (host/src/diagnose/codes.cpp), read rather than
# copied, so the two cannot drift apart (tests/extension/locales.test.mjs ties that list to CONTRACT section 3).
def _host_codes():
    import re
    text = (pathlib.Path(__file__).resolve().parent.parent / "host" / "src" / "diagnose" / "codes.cpp").read_text(encoding="utf-8")
    body = text[text.index("kCodes{"):text.index("};", text.index("kCodes{"))]
    return set(re.findall(r'"([a-z0-9_]+\.[a-z0-9_]+)"', re.sub(r"//.*", "", body)))


FINDING_CODES = _host_codes()
PROTOCOLS = {"imap", "pop3", "smtp"}
SECURITY = {"tls", "starttls", "none"}
USERNAMES = {"%EMAILADDRESS%", "%EMAILLOCALPART%"}
ENUMS = {"account_password": {"refused", "accepted", "unknown"},
         "app_password": {"required", "with_2fa", "none", "unknown"},
         "oauth2": {"required", "supported", "none"}}
FACTS = {"servers", "auth", "app_password", "enable_access", "replies", "notes"}


def load():
    out = []
    for path in sorted(DATA.glob("*.json")):
        try:
            out.append((path, json.loads(path.read_text(encoding="utf-8"))))
        except (ValueError, UnicodeDecodeError) as e:
            out.append((path, e))
    return out


def https(url):
    return isinstance(url, str) and url.startswith("https://") and " " not in url and len(url) > len("https://x.y")


def check_servers(p, key, err):
    lst = p.get(key)
    if not isinstance(lst, list):
        return err(f"{key} must be a list")
    for s in lst:
        if not isinstance(s, dict):
            err(f"{key}: each server must be an object")
            continue
        proto = s.get("protocol")
        if proto not in PROTOCOLS or (proto == "smtp") != (key == "outgoing"):
            err(f"{key}: protocol {proto!r} does not belong here")
        if not isinstance(s.get("host"), str) or not s["host"] or s["host"] != s["host"].lower():
            err(f"{key}: host must be a lower-case name")
        if not isinstance(s.get("port"), int) or not 0 < s["port"] < 65536:
            err(f"{key}: bad port {s.get('port')!r}")
        if s.get("security") not in SECURITY:
            err(f"{key}: security must be one of {sorted(SECURITY)}")
        if s.get("username") not in USERNAMES:
            err(f"{key}: username must be one of {sorted(USERNAMES)}")


def check_howto(p, key, err, with_default):
    h = p.get(key, None)
    if h is None:
        return
    if not isinstance(h, dict):
        return err(f"{key} must be an object or null")
    if "url" in h and not https(h["url"]):
        err(f"{key}.url is not an https URL: {h['url']!r}")
    if not isinstance(h.get("steps"), list) or not h["steps"] or not all(isinstance(x, str) and x for x in h["steps"]):
        err(f"{key}.steps must be a non-empty list of text")
    if with_default and h.get("default") not in {"on", "off", "unknown"}:
        err(f"{key}.default must be on, off or unknown")


def check_oauth2(p, err):
    """oauth2 = {thunderbird, hosts, source}: whether Thunderbird's built-in OAuth2 list covers the provider's
    servers. Only then may a fix switch an account to OAuth2, so every provider states it, with its source."""
    o = p.get("oauth2")
    if not isinstance(o, dict):
        return err("oauth2 must be an object {thunderbird, hosts, source}")
    if not isinstance(o.get("thunderbird"), bool):
        err("oauth2.thunderbird must be true or false")
    if not https(o.get("source")):
        err("oauth2.source must be an https URL (Thunderbird's OAuth2Providers.sys.mjs)")
    hosts = o.get("hosts", [])
    if not isinstance(hosts, list) or not all(isinstance(h, str) and h and h == h.lower().strip(".") for h in hosts):
        err("oauth2.hosts must be a list of lower-case host suffixes")
    elif o.get("thunderbird") is True and not hosts:
        err("oauth2.thunderbird is true but oauth2.hosts is empty")
    elif o.get("thunderbird") is False and hosts:
        err("oauth2.hosts given while oauth2.thunderbird is false")
    if o.get("thunderbird") is True and isinstance(p.get("auth"), dict) and p["auth"].get("oauth2") == "none":
        err("oauth2.thunderbird is true but auth.oauth2 is none")


def check_one(path, p, err):
    if not isinstance(p, dict):
        return err("not a JSON object")
    for k in ("id", "name"):
        if not isinstance(p.get(k), str) or not p[k]:
            err(f"{k} missing")
    if p.get("id") and path.name != p["id"] + ".json":
        err("file name must be <id>.json")
    for k in ("domains", "mx_suffixes", "host_suffixes", "banner_patterns", "notes"):
        v = p.get(k, [])
        if not isinstance(v, list) or not all(isinstance(x, str) and x for x in v):
            err(f"{k} must be a list of non-empty strings")
        elif k in ("domains", "mx_suffixes", "host_suffixes") and any(x != x.lower().strip(".") for x in v):
            err(f"{k} must be lower case without dots at the ends")
    if not p.get("domains") and not p.get("host_suffixes"):
        err("neither domains nor host_suffixes: the provider can never be detected")
    check_servers(p, "incoming", err)
    check_servers(p, "outgoing", err)
    auth = p.get("auth")
    if not isinstance(auth, dict):
        err("auth must be an object")
    else:
        for k, allowed in ENUMS.items():
            if auth.get(k) not in allowed:
                err(f"auth.{k} must be one of {sorted(allowed)}")
        if not isinstance(auth.get("bridge"), bool):
            err("auth.bridge must be true or false")
        if auth.get("app_password") in ("required", "with_2fa") and p.get("app_password") is None:
            if not any("app" in n.lower() and "password" in n.lower() for n in p.get("notes", [])):
                err("app passwords are needed but neither app_password nor a note says where they are made")
    check_oauth2(p, err)
    check_howto(p, "app_password", err, False)
    check_howto(p, "enable_access", err, True)
    for r in p.get("known_replies", []):
        if not isinstance(r, dict) or not isinstance(r.get("text"), str) or not r["text"]:
            err("known_replies: each needs a text")
            continue
        if r.get("protocol") not in PROTOCOLS:
            err(f"known_replies {r['text']!r}: bad protocol")
        for code in [r.get("meaning")] + list(r.get("also", [])):
            if code not in FINDING_CODES:
                err(f"known_replies {r['text']!r}: {code!r} is not a finding code")
        if not https(r.get("source")):
            err(f"known_replies {r['text']!r}: source must be an https URL")
    sources = p.get("sources")
    if not isinstance(sources, list) or not sources:
        err("no sources: every fact needs a public source")
    else:
        for s in sources:
            if not isinstance(s, dict) or s.get("fact") not in FACTS or not https(s.get("url")):
                err(f"bad source {s!r}")
        if not any(s.get("fact") == "servers" for s in sources if isinstance(s, dict)) and (p.get("incoming") or p.get("outgoing")):
            err("servers are given without a source for them")


def check():
    problems = []
    owners = {"domains": {}, "host_suffixes": {}, "mx_suffixes": {}}
    ids = set()
    for path, p in load():
        def err(msg, path=path):
            problems.append(f"{path.name}: {msg}")
        if isinstance(p, Exception):
            err(f"invalid JSON: {p}")
            continue
        check_one(path, p, err)
        if p.get("id") in ids:
            err(f"id {p['id']} used twice")
        ids.add(p.get("id"))
        for key, seen in owners.items():
            for v in p.get(key, []):
                if v in seen:
                    err(f"{key[:-1]} {v} is also claimed by {seen[v]}")
                seen[v] = p.get("id")
        # A suffix that ends another provider's suffix would make detection depend on file order.
        for v in p.get("host_suffixes", []):
            for other, owner in owners["host_suffixes"].items():
                if owner != p.get("id") and (v.endswith("." + other) or other.endswith("." + v)):
                    err(f"host suffix {v} overlaps {other} of {owner}")
    for line in problems:
        print(line)
    print(f"{len(ids)} providers, {len(problems)} problems")
    return 1 if problems else 0


def cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def servers(lst):
    return "<br>".join(f"{s['protocol'].upper()} {s['host']}:{s['port']} {s['security']}" for s in lst) or "—"


def render():
    rows = []
    for path, p in load():
        if isinstance(p, Exception):
            continue
        a = p["auth"]
        app = p.get("app_password")
        ena = p.get("enable_access")
        password = {"refused": "refused", "accepted": "works", "unknown": "?"}[a["account_password"]]
        if a.get("bridge"):
            password = "Bridge password"
        access = "—"
        if ena:
            access = f"default {ena['default']}" + (f" ([how]({ena['url']}))" if ena.get("url") else "")
        rows.append("| " + " | ".join(cell(x) for x in [
            f"**{p['name']}** (`{p['id']}`)",
            ", ".join(p["domains"][:6]) + (f" +{len(p['domains']) - 6}" if len(p["domains"]) > 6 else "") or "(custom domains)",
            servers(p["incoming"]), servers(p["outgoing"]), password, a["app_password"],
            f"[page]({app['url']})" if app and app.get("url") else "—",
            a["oauth2"] + (" · in Thunderbird" if p["oauth2"]["thunderbird"] else ""), access,
            str(len(p.get("known_replies", []))), str(len(p["sources"])),
        ]) + " |")
    head = [
        "# Mail providers known to maildoctor",
        "",
        "Generated by `tools/providers.py table` from `host/data/providers/*.json`; edit the data, not this file.",
        "Every fact in the data files carries its public source (`sources`, and `source` on each known reply).",
        "",
        "Columns: account password = does the normal web password work over IMAP/SMTP; app password = required (always),",
        "with_2fa (once 2-step verification is on), none, unknown; OAuth2 = required / supported / none, \"in Thunderbird\"",
        "when Thunderbird's built-in OAuth2 list covers the provider's servers (`oauth2.thunderbird`; only then does a fix",
        "offer OAuth2); access = whether IMAP/POP/SMTP access must first be switched on in the web settings.",
        "",
        "Fields beyond the schema in docs/KNOWLEDGE.md, used by some files:",
        "",
        "- `known_replies[].also`: other finding codes the same text can mean, most likely first (the server does not tell them apart).",
        "- `known_replies[].full_text`: the whole reply as reported, when `text` is only the distinctive part to match.",
        "- `known_replies[].note`, `source_note`: why the text means what it means, or what the source is.",
        "- `known_replies[].encoding`: the reply is not UTF-8 (QQ Mail answers in GBK).",
        "- `known_replies[].stage`, `code`, `enhanced`: where the reply comes (auth, after_auth, sender, greeting) and its SMTP",
        "  codes, when the text alone is not enough. `seen_on`: the host name it answered for, when that is not the provider's.",
        "- `known_replies` are samples, not rules: the classifier reads only host/data/rules, and tests/unit/known_replies_test.cpp",
        "  replays every sample and requires its `meaning` as the first finding, so a rule change that drifts from them fails.",
        "- `enable_access.off_words`: the provider's own words when access is switched off; a refusal without them is not",
        "  taken for access switched off (explicit wording outranks the provider's default).",
        "- `domain_suffixes` (Microsoft 365): addresses under these domains (`*.onmicrosoft.com`) belong to the provider.",
        "- `oauth2` (every file): `{thunderbird, hosts, source}`; `thunderbird` is true when Thunderbird 128, 140 and 153 all",
        "  sign in to these servers with OAuth2 by themselves (`OAuth2Providers.sys.mjs`), `hosts` the server host suffixes",
        "  that list covers. A fix that switches to OAuth2 is only offered for a server under one of them.",
        "",
        "Check the data with `tools/providers.py check` (schema, unique ids, one owner per domain and host suffix, https URLs,",
        "reply meanings limited to the contract's finding codes).",
        "",
        "| Provider | Domains | Incoming | Outgoing | Account password | App password | Where | OAuth2 | Access | Known replies | Sources |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    return "\n".join(head + rows) + "\n"


def main(argv):
    if argv[1:2] == ["check"]:
        return check()
    if argv[1:2] == ["table"]:
        text = render()
        if "--check" in argv:
            if not DOC.exists() or DOC.read_text(encoding="utf-8") != text:
                print("docs/PROVIDERS.md is out of date: run tools/providers.py table")
                return 1
            return 0
        DOC.write_text(text, encoding="utf-8")
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
