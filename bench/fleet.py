#!/usr/bin/python3
"""Fleet bench: `maildoctor batch` over 1,000 accounts against real Dovecot and Postfix behind the
latency proxy, against one `maildoctor diagnose` process per account, one after another.

Run through bench/run.sh (fleet part) or directly (as root: the servers bind 127.0.0.2):
    bench/fleet.py --bin build/release/host/maildoctor --out build/release/bench-results
Writes fleet.json and fleet.md into --out; exit status 1 when a target is missed (not with --smoke).

The accounts are spread over provider host names, as a helpdesk's are (each its own proxy routes, so its
own host:port pairs for --per-server): healthy accounts and wrong passwords at 20 providers (IMAP 993 +
SMTP 587 with a login, alternatives on), certificate faults at 4 providers whose certificate expired,
and silent ports at 50 hosts whose port 993 accepts and never speaks (a tarpit; 143 works).
"""
import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.environ.get("MAILDOCTOR_TESTS_DIR", os.path.join(ROOT, "tests")))

from servers import Testbed  # noqa: E402

PROXY = os.path.join(HERE, "latency_proxy.py")
# No harness login counter (each login would wait on its HTTP round trip), room for many logins at once, and
# Dovecot's per-address penalty switched off (its anvil socket is unreachable to the auth process): 200 failed
# logins from one address would otherwise be held up to 15 s each, which measures Dovecot's anti-guessing
# policy, not the client (see docs/PERFORMANCE.md, Fleet).
DOVECOT_EXTRA = """auth_policy_server_url =
default_process_limit = 400
default_client_limit = 4000
protocol imap {
  mail_max_userip_connections = 256
}
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service imap-login {
  service_count = 0
  process_min_avail = 2
}
"""
MIX = (("good", 0.55), ("wrong", 0.20), ("cert", 0.10), ("silent", 0.15))
PROVIDERS, CERT_HOSTS, SILENT_HOSTS = 20, 4, 50


def wildcard_leaves(pki):
    """The test PKI names only mail.example.test; the fleet's many host names need *.example.test.
    Bench-only: issue the "good" and "expired" leaves for the wildcard before any server asks for them."""
    pki._ensure_cas()
    for name, dates in (("good", (None, None)), ("expired", ("20200101000000Z", "20210101000000Z"))):
        key, leaf = pki._signed_leaf("fleet-" + name, "*.example.test", *dates)
        served = pki._p("fleet-" + name + ".pem")
        with open(served, "w") as out:
            for part in (leaf, pki._p("intermediate.pem")):
                with open(part) as f:
                    out.write(f.read())
        os.chmod(served, 0o644)
        pki._made[name] = (served, key)


class Proxies:
    """Latency proxies for {(host, std port): (addr, port)}, split over a few processes (asyncio is one
    core each); each reports the most client connections open at once per route when stopped."""

    def __init__(self, routes, rtt_ms, processes=4):
        self.routes = list(routes.items())
        self.procs = []
        self.listen = {}
        self.dir = tempfile.mkdtemp(prefix="fleet-proxy-")
        for i in range(processes):
            part = self.routes[i::processes]
            peaks = os.path.join(self.dir, "peaks-%d.json" % i)
            args = [sys.executable, PROXY, "--rtt-ms", str(rtt_ms), "--peaks", peaks]
            args += ["0:%s:%d" % up for _, up in part]
            p = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
            info = json.loads(p.stdout.readline())
            for (key, _), port in zip(part, info["listen"]):
                self.listen[key] = port
            self.procs.append((p, peaks))

    def connect_to(self):
        return ["%s:%d:127.0.0.1:%d" % (h, std, port) for (h, std), port in self.listen.items()]

    def stop(self):
        """{(host, std port): peak open connections}."""
        by_port = {}
        for p, peaks in self.procs:
            p.send_signal(signal.SIGTERM)
            p.wait(timeout=20)
            if os.path.exists(peaks):
                by_port.update({int(k): v for k, v in json.load(open(peaks)).items()})
        return {key: by_port.get(port, 0) for key, port in self.listen.items()}


def build(n, users, seed=1):
    """[(id, category, request)] in a fixed shuffled order."""
    rnd = random.Random(seed)
    cats = []
    for name, share in MIX:
        cats += [name] * int(round(n * share))
    cats = (cats + ["good"] * n)[:n]
    rnd.shuffle(cats)
    names = sorted(users)
    out = []
    for i, cat in enumerate(cats):
        user = names[i % len(names)]
        pw = users[user]

        def ep(proto, host, port, sec, password):
            return {"protocol": proto, "host": host, "port": port, "security": sec, "username": user,
                    "auth": "password", "password": password}
        if cat in ("good", "wrong"):
            host = "p%d.example.test" % (i % PROVIDERS)
            password = pw if cat == "good" else "Wrong-%04d-pw" % i
            account = {"email": user, "incoming": ep("imap", host, 993, "tls", password),
                       "outgoing": ep("smtp", host, 587, "starttls", password)}
        elif cat == "cert":
            account = {"email": user, "incoming": ep("imap", "c%d.example.test" % (i % CERT_HOSTS), 993, "tls", pw)}
        else:
            account = {"email": user, "incoming": ep("imap", "s%d.example.test" % (i % SILENT_HOSTS), 993, "tls", pw)}
        out.append(("a%04d" % i, cat, {"id": "a%04d" % i, "account": account}))
    return out


def correct(cat, result):
    codes = [f["code"] for f in result.get("findings", [])]
    if cat == "good":
        return result.get("verdict") == "ok"
    if cat == "wrong":
        return "auth.wrong_password" in codes
    if cat == "cert":
        return "tls.cert_expired" in codes
    return result.get("verdict") == "problem" and any(c.startswith(("net.", "proto.", "tls.")) for c in codes)


def run_measured(cmd, stdin_path=None):
    """Runs cmd; returns wall seconds, exit status, peak RSS (KiB, from wait4) and the most threads seen."""
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    threads = [0]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            try:
                for line in open("/proc/%d/status" % p.pid):
                    if line.startswith("Threads:"):
                        threads[0] = max(threads[0], int(line.split()[1]))
            except OSError:
                return
            stop.wait(0.05)
    t = threading.Thread(target=sample, daemon=True)
    t.start()
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    stop.set()
    p.returncode = os.waitstatus_to_exitcode(status)
    return {"wall_s": wall, "rc": p.returncode, "maxrss_kb": ru.ru_maxrss, "threads": threads[0],
            "stderr": err.decode(errors="replace")}


def coldstart_ratio(args):
    def one(cmd):
        r = subprocess.run([args.coldstart, str(args.coldstart_runs)] + cmd, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("coldstart failed: " + r.stderr)
        return json.loads(r.stdout)["host_ms"]
    md, floor = [], []
    for _ in range(3):  # alternated: the machine's load drifts
        md.append(one([args.bin, "--native-messaging"]))
        floor.append(one([args.linkfloor]))
    return {"maildoctor_ms": statistics.median(md), "linkfloor_ms": statistics.median(floor),
            "ratio": statistics.median(md) / statistics.median(floor)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--accounts", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=16)
    ap.add_argument("--per-server", type=int, default=2)
    ap.add_argument("--rtt-ms", type=float, default=50)
    ap.add_argument("--deadline", type=float, default=5.0)
    ap.add_argument("--sample", type=int, default=40, help="accounts of the sequential baseline (extrapolated)")
    ap.add_argument("--coldstart")
    ap.add_argument("--linkfloor")
    ap.add_argument("--coldstart-runs", type=int, default=100)
    ap.add_argument("--smoke", action="store_true", help="100 accounts, a sample of 10, targets not asserted")
    args = ap.parse_args()
    if args.smoke:
        args.accounts, args.sample, args.coldstart_runs = 100, 10, 20
    os.makedirs(args.out, exist_ok=True)
    res = {"started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()), "accounts": args.accounts,
           "jobs": args.jobs, "per_server": args.per_server, "rtt_ms": args.rtt_ms, "deadline_s": args.deadline,
           "loadavg_start": open("/proc/loadavg").read().split()[:3]}
    users = {"u%04d@example.test" % i: "Fleet-%04d-Pass" % i for i in range(max(args.accounts, 1))}
    with Testbed() as bed:
        wildcard_leaves(bed.pki)
        main = bed.dovecot("main", users=users, extra=DOVECOT_EXTRA)
        smtp_auth = bed.dovecot("smtpauth", users=users, extra=DOVECOT_EXTRA)
        pf = bed.postfix([("submission", "starttls", smtp_auth), ("submissions", "tls", smtp_auth)])
        bad = bed.dovecot("expired", cert="expired", users=users, extra=DOVECOT_EXTRA)
        tar = bed.tarpit()
        a = "127.0.0.2"
        routes = {}
        for k in range(PROVIDERS):
            h = "p%d.example.test" % k
            routes.update({(h, 993): (a, main.ports["imaps"]), (h, 143): (a, main.ports["imap"]),
                           (h, 465): (a, pf.ports["submissions"]), (h, 587): (a, pf.ports["submission"]),
                           (h, 25): (a, pf.ports["submission"])})
        for k in range(CERT_HOSTS):
            h = "c%d.example.test" % k
            routes.update({(h, 993): (a, bad.ports["imaps"]), (h, 143): (a, bad.ports["imap"])})
        for k in range(SILENT_HOSTS):
            h = "s%d.example.test" % k
            routes.update({(h, 993): (a, tar.port), (h, 143): (a, main.ports["imap"])})

        accounts = build(args.accounts, users)
        cats = {i: c for i, c, _ in accounts}
        inp = os.path.join(args.out, "fleet-input.jsonl")
        outp = os.path.join(args.out, "fleet-output.jsonl")
        summ = os.path.join(args.out, "fleet-summary.json")
        with open(inp, "w") as f:
            for _, _, req in accounts:
                f.write(json.dumps(req) + "\n")
        os.chmod(inp, 0o600)

        # --- the batch ---------------------------------------------------------------------------
        proxies = Proxies(routes, args.rtt_ms)
        common = ["--cacert", bed.pki.root_cert, "--deadline", "%g" % args.deadline]
        for ct in proxies.connect_to():
            common += ["--connect-to", ct]
        cmd = [args.bin, "batch", "--input", inp, "--output", outp, "--summary", summ, "--jobs", str(args.jobs),
               "--per-server", str(args.per_server)] + common
        batch = run_measured(cmd)
        peaks = proxies.stop()
        answers = [json.loads(l) for l in open(outp)]
        right = {}
        for ans in answers:
            cat = cats.get(ans.get("id"))
            ok = "result" in ans and correct(cat, ans["result"])
            right.setdefault(cat, [0, 0])
            right[cat][0 if ok else 1] += 1
        per_server = max(peaks.values()) if peaks else 0
        res["batch"] = {k: v for k, v in batch.items() if k != "stderr"}
        res["batch"]["accounts_per_s"] = args.accounts / batch["wall_s"]
        res["batch"]["answers"] = len(answers)
        res["batch"]["right_wrong_by_category"] = right
        res["batch"]["peak_connections_per_server"] = per_server
        res["batch"]["summary"] = json.load(open(summ))
        res["batch"]["summary_table"] = batch["stderr"]
        print("[fleet batch] %.1f s, %.1f accounts/s, %d answers, RSS %d KiB, %d threads, peak per server %d" % (
            batch["wall_s"], res["batch"]["accounts_per_s"], len(answers), batch["maxrss_kb"], batch["threads"],
            per_server), file=sys.stderr, flush=True)

        # --- the sequential baseline on a sample ----------------------------------------------------
        proxies = Proxies(routes, args.rtt_ms)
        common = ["--cacert", bed.pki.root_cert, "--deadline", "%g" % args.deadline]
        for ct in proxies.connect_to():
            common += ["--connect-to", ct]
        per_cat = {}
        try:
            for name, share in MIX:
                want = max(1, int(round(args.sample * share)))
                chosen = [x for x in accounts if x[1] == name][:want]
                for ident, cat, req in chosen:
                    body = {k: v for k, v in req.items() if k != "id"}
                    t0 = time.perf_counter()
                    r = subprocess.run([args.bin, "diagnose", "--json", "--request", "-"] + common,
                                       input=json.dumps(body), capture_output=True, text=True)
                    wall = time.perf_counter() - t0
                    ok = r.returncode in (0, 1) and correct(cat, json.loads(r.stdout))
                    per_cat.setdefault(cat, []).append((wall, ok))
        finally:
            proxies.stop()
        counts = {name: sum(1 for x in accounts if x[1] == name) for name, _ in MIX}
        extrapolated = sum(statistics.mean(w for w, _ in per_cat[c]) * counts[c] for c in per_cat)
        res["sequential"] = {
            "sample": {c: {"n": len(v), "mean_s": statistics.mean(w for w, _ in v), "right": sum(ok for _, ok in v)}
                       for c, v in per_cat.items()},
            "extrapolated_s": extrapolated}
        res["speedup"] = extrapolated / batch["wall_s"]
        print("[fleet sequential] sample %s -> %.0f s for %d accounts; speed-up %.1fx" % (
            {c: round(v["mean_s"], 2) for c, v in res["sequential"]["sample"].items()}, extrapolated, args.accounts,
            res["speedup"]), file=sys.stderr, flush=True)
        os.remove(inp)

    if args.coldstart and args.linkfloor:
        res["coldstart"] = coldstart_ratio(args)
    res["loadavg_end"] = open("/proc/loadavg").read().split()[:3]

    wrong_answers = sum(v[1] for v in right.values()) + (args.accounts - len(answers))
    targets = [
        ("every account answered, and rightly", wrong_answers == 0, "%d of %d wrong or missing" % (wrong_answers, args.accounts)),
        (">= 8x faster than one diagnose process after another", res["speedup"] >= 8, "%.1fx" % res["speedup"]),
        ("peak RSS <= 64 MB at --jobs %d" % args.jobs, batch["maxrss_kb"] * 1024 <= 64e6, "%.1f MB" % (batch["maxrss_kb"] * 1024 / 1e6)),
        ("never more than --per-server %d connections to one server" % args.per_server, per_server <= args.per_server,
         "peak %d" % per_server),
    ]
    if "coldstart" in res:
        targets.append(("cold start <= 1.15x the link floor", res["coldstart"]["ratio"] <= 1.15, "%.2fx" % res["coldstart"]["ratio"]))
    res["targets"] = [{"target": t, "met": m, "value": v} for t, m, v in targets]
    lines = ["| measure | value |", "|---|---|",
             "| accounts | %d (good %d, wrong password %d, certificate fault %d, silent port %d) |" % (
                 args.accounts, counts["good"], counts["wrong"], counts["cert"], counts["silent"]),
             "| wall time | %.1f s |" % batch["wall_s"],
             "| accounts/s | %.1f |" % res["batch"]["accounts_per_s"],
             "| one `diagnose` after another (sample of %d, extrapolated) | %.0f s |" % (
                 sum(len(v) for v in per_cat.values()), extrapolated),
             "| speed-up | %.1fx |" % res["speedup"],
             "| peak RSS | %.1f MB |" % (batch["maxrss_kb"] * 1024 / 1e6),
             "| threads (most seen) | %d |" % batch["threads"],
             "| peak connections to one server (measured at the proxy) | %d (cap %d) |" % (per_server, args.per_server)]
    if "coldstart" in res:
        c = res["coldstart"]
        lines.append("| cold start / link floor | %.1f ms / %.1f ms = %.2fx |" % (c["maildoctor_ms"], c["linkfloor_ms"], c["ratio"]))
    lines += ["", "| target | met | value |", "|---|---|---|"]
    lines += ["| %s | %s | %s |" % (t, "yes" if m else "NO", v) for t, m, v in targets]
    text = "\n".join(lines)
    with open(os.path.join(args.out, "fleet.json"), "w") as f:
        json.dump(res, f, indent=1)
    with open(os.path.join(args.out, "fleet.md"), "w") as f:
        f.write(text + "\n\n```\n" + batch["stderr"] + "```\n")
    print(text)
    print(batch["stderr"])
    if not all(m for _, m, _ in targets) and not args.smoke:
        print("\nsome fleet targets were missed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
