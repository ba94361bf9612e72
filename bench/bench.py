#!/usr/bin/python3
"""maildoctor benchmarks: time to diagnosis against the round-trip floor and a sequential curl peer,
cold start of the native host, peak memory, and cost per number of endpoints.

Run through bench/run.sh (which builds the helpers). Needs root (servers, network namespaces).
Writes results.json and summary.md into --out; exit status 1 when a target is missed (not in --smoke).
"""
import argparse
import atexit
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.environ.get("MAILDOCTOR_TESTS_DIR", os.path.join(ROOT, "tests")))
sys.path.insert(0, HERE)

from servers import Testbed  # noqa: E402
from servers.sets import dns_records  # noqa: E402

import baseline  # noqa: E402
import blackhole  # noqa: E402
import floor  # noqa: E402
import scenarios  # noqa: E402

PROXY = os.path.join(HERE, "latency_proxy.py")
# The bench measures the engine, not the harness's Python login counter: each login would otherwise
# wait for an HTTP round trip to it. Raised per-user limits let the scaling runs log in 64 times at once.
DOVECOT_EXTRA = """auth_policy_server_url =
protocol imap {
  mail_max_userip_connections = 256
}
"""


def median(xs):
    return statistics.median(xs) if xs else None


class Proxy:
    def __init__(self, routes, rtt_ms, source=None, netns=None, listen_host="127.0.0.1", dns=None):
        """routes: {key: (upstream addr, port)}; in a namespace the proxy listens on the key itself.
        dns: "addr:port" of the DNS server to relay (UDP) with the same latency; self.dns_server then
        names the relay."""
        self.keys = list(routes)
        args = [sys.executable, PROXY, "--rtt-ms", str(rtt_ms), "--listen-host", listen_host]
        if dns:
            args += ["--udp", "%d:%s" % (53 if netns else 0, dns)]
        if source:
            args += ["--source", source]
        if netns:
            args += ["--listen-netns", netns]
        for k in self.keys:
            host, port = routes[k]
            args.append("%d:%s:%d" % (k if netns else 0, host, port))
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        # An exception anywhere in a run must not leave proxies behind.
        atexit.register(self.close)
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("latency proxy did not start: %s" % args)
        info = json.loads(line)
        self.listen = dict(zip(self.keys, info["listen"]))
        self.host = listen_host
        self.dns_server = "%s:%d" % (listen_host, info["udp"][0]) if info.get("udp") else None
        self.extra_connect_to = []

    def connect_to(self, host):
        return ["%s:%d:%s:%d" % (host, k, self.host, self.listen[k]) for k in self.keys] + self.extra_connect_to

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait()


def calibrate(rtt_ms, n=20):
    """The proxy's real round trip (median over n echo exchanges): the nominal RTT plus the proxy's
    own scheduling delay on this machine right now."""
    import socket
    import threading
    srv = socket.socket()
    srv.bind(("127.0.0.2", 0))
    srv.listen(4)

    def echo():
        c, _ = srv.accept()
        while True:
            d = c.recv(4096)
            if not d:
                break
            c.sendall(d)
    threading.Thread(target=echo, daemon=True).start()
    p = Proxy({1: ("127.0.0.2", srv.getsockname()[1])}, rtt_ms)
    try:
        c = socket.create_connection(("127.0.0.1", p.listen[1]))
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        out = []
        for _ in range(n):
            t = time.perf_counter()
            c.sendall(b"ping\r\n")
            c.recv(64)
            out.append((time.perf_counter() - t) * 1000)
        c.close()
        return median(out)
    finally:
        p.close()
        srv.close()


class Session:
    def __init__(self, args):
        self.args = args
        self.bin = args.bin
        self.deadline_s = args.deadline
        self.results = {"runs": {}, "baseline": {}}

    # --- one maildoctor run -----------------------------------------------------------------
    def diagnose(self, sc, proxy_connect_to, prefix=(), dns_server=None):
        cmd = list(prefix) + [self.bin, "diagnose", "--json", "--cacert", self.cacert,
                              "--dns-servers", dns_server or self.dns_server]
        for ct in proxy_connect_to:
            cmd += ["--connect-to", ct]
        if sc.email_only:
            cmd += ["--email", scenarios.EMAIL, "--password-stdin", "--deadline", "%g" % self.deadline_s]
            stdin = sc.password + "\n"
        else:
            cmd += ["--request", "-"]
            stdin = json.dumps(sc.request)
        t0 = time.perf_counter()
        r = subprocess.run(cmd, input=stdin, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        try:
            result = json.loads(r.stdout)
        except ValueError:
            raise RuntimeError("maildoctor printed no JSON (exit %d): %s\n%s" % (r.returncode, cmd, r.stderr[-2000:]))
        return wall, result

    def scenario_proxy(self, sc, rep):
        rtt = self.args.rtt_ms if sc.rtt_ms is None else sc.rtt_ms
        if sc.blackhole_port and getattr(self, "fullqueue", None):
            p = Proxy({k: v for k, v in sc.routes.items() if k != sc.blackhole_port}, rtt, dns=self.dns_server)
            p.extra_connect_to = ["%s:%d:127.0.0.2:%d" % (scenarios.HOST, sc.blackhole_port, self.fullqueue.port)]
        elif sc.blackhole_port:
            p = Proxy(sc.routes, rtt, netns=blackhole.SRV_NS, listen_host=blackhole.SRV_ADDR, dns=self.dns_server)
        else:
            source = "127.0.0.%d" % (30 + rep) if sc.source_per_run else None
            p = Proxy(sc.routes, rtt, source=source, dns=self.dns_server)
        return p

    def run_once(self, sc, rep):
        proxy = self.scenario_proxy(sc, rep)
        try:
            prefix = blackhole.Blackhole.exec_prefix() if sc.blackhole_port and not self.fullqueue else ()
            wall, result = self.diagnose(sc, proxy.connect_to(scenarios.HOST), prefix, proxy.dns_server)
        finally:
            proxy.close()
        rtt = self.args.rtt_ms if sc.rtt_ms is None else sc.rtt_ms
        rtts, slowest = floor.floor_rtts(result, rtt)
        chains = floor.probe_chains(result, rtt)
        # The probe that ended last (what the diagnosis waited for) may differ from the one with the most
        # round trips when a server is slow: keep both timelines.
        last = max(chains, key=lambda k: chains[k]["last_ms"]) if chains else None
        return {"wall_s": wall, "elapsed_ms": result.get("elapsed_ms"), "verdict": result.get("verdict"),
                "findings": [f.get("code") for f in result.get("findings", [])],
                "floor_rtts": rtts, "slowest": slowest, "last_probe": last,
                "slowest_chain": {k: v for k, v in chains.get(slowest, {}).items() if k != "waits"} if slowest else None,
                "timeline_slowest": floor.timeline(result, slowest) if slowest else None,
                "timeline_last": floor.timeline(result, last) if last else None,
                "last_chain": {k: v for k, v in chains.get(last, {}).items() if k != "waits"} if last else None,
                "result": result if rep == 0 else None}

    def baseline_once(self, sc, probes, rep):
        proxy = self.scenario_proxy(sc, rep)
        try:
            prefix = blackhole.Blackhole.exec_prefix() if sc.blackhole_port and not self.fullqueue else ()
            wall, steps = baseline.run_sequential(probes, {"incoming": "imap", "outgoing": "smtp"}, scenarios.EMAIL,
                                                  sc.password, self.deadline_s, proxy.connect_to(scenarios.HOST),
                                                  self.cacert, prefix)
        finally:
            proxy.close()
        return {"wall_s": wall, "steps": steps}

    # --- the session ------------------------------------------------------------------------
    def run(self):
        a = self.args
        with Testbed() as bed:
            main = bed.dovecot("main", extra=DOVECOT_EXTRA)
            # Postfix authenticates through a Dovecot of its own, as if SMTP were another machine (it is at
            # most providers): Dovecot's per-address penalty after the IMAP probe's failed login in (b)
            # would otherwise hold the SMTP probe's AUTH for seconds (measured: 4.1 s), which is the
            # server's anti-guessing policy, not the client's time.
            smtp_auth = bed.dovecot("smtpauth", extra=DOVECOT_EXTRA)
            pf = bed.postfix([("submission", "starttls", smtp_auth), ("submissions", "tls", smtp_auth)])
            dns = bed.dnsmasq(dns_records(main, pf))
            tar = bed.tarpit()
            self.cacert = bed.pki.root_cert
            self.dns_server = dns.server
            self._users = {scenarios.EMAIL: main.users[scenarios.EMAIL]}
            all_sc = scenarios.build(main, pf, tar.port, main.users, int(self.deadline_s * 1000), a.rtt_ms)
            chosen = [s for s in all_sc if s.name in a.scenarios]
            bh_reason = None
            if any(s.blackhole_port for s in chosen):
                bh_reason = "asked for (--blackhole fullqueue)" if a.blackhole == "fullqueue" else blackhole.available()
            self.fullqueue = None
            if bh_reason:
                print("no network namespaces here (%s): scenario c uses a listener with a full accept queue" % bh_reason,
                      file=sys.stderr)
                self.results["blackhole_stand_in"] = bh_reason
                self.fullqueue = blackhole.FullQueue()
            self.results["calibrated_rtt_ms_before"] = calibrate(a.rtt_ms)
            bh = blackhole.Blackhole([s.blackhole_port for s in chosen if s.blackhole_port][:1]) \
                if any(s.blackhole_port for s in chosen) and not self.fullqueue else None
            if bh:
                bh.__enter__()
            try:
                for rep in range(a.reps):
                    for sc in chosen:
                        r = self.run_once(sc, rep)
                        self.results["runs"].setdefault(sc.name, []).append(r)
                        print("[%s #%d] %.3f s  verdict=%s  floor=%d RTT  %s" % (
                            sc.name, rep, r["wall_s"], r["verdict"], r["floor_rtts"], ",".join(r["findings"][:4])),
                            file=sys.stderr, flush=True)
                if not a.skip_baseline:
                    for rep in range(a.reps):
                        for sc in chosen:
                            if sc.rtt_ms == 0:
                                continue
                            if sc.deadline_bound and rep >= max(1, min(a.reps, 2)):
                                continue  # each of these waits out a timeout: two runs say enough
                            first = self.results["runs"][sc.name][0]["result"]
                            probes = baseline.probes_of(first, {"incoming": "imap", "outgoing": "smtp"})
                            r = self.baseline_once(sc, probes, rep)
                            self.results["baseline"].setdefault(sc.name, []).append(r)
                            print("[%s baseline #%d] %.3f s" % (sc.name, rep, r["wall_s"]), file=sys.stderr, flush=True)
            finally:
                if bh:
                    bh.close()
                if self.fullqueue:
                    self.fullqueue.close()
            self.results["calibrated_rtt_ms_after"] = calibrate(a.rtt_ms)
            if a.rss:
                self.results["rss"] = self.measure_rss(next(s for s in all_sc if s.name == "a"))
            self.results["scenarios"] = {s.name: s.title for s in chosen}
            if a.scale_driver:
                self.results["scaling"] = self.scaling(all_sc[0].routes[993])
        return self.results

    def scaling(self, imaps_upstream):
        """N endpoints probed at once in one process (bench/endpoints.cpp): IMAP on implicit TLS with a
        login, the mailbox check and LOGOUT, alternatives off; each endpoint its own proxy route, so
        N endpoints are N distinct host:port pairs."""
        a = self.args
        out = []
        for rtt in a.scale_rtts:
            for n in a.scale_counts:
                routes = {10000 + i: imaps_upstream for i in range(n)}
                proxy = Proxy(routes, rtt)
                try:
                    good = next(iter(self._users.values()))
                    email = next(iter(self._users))
                    reqs = [{"account": {"email": email, "incoming": {
                        "protocol": "imap", "host": scenarios.HOST, "port": 10000 + i, "security": "tls",
                        "username": email, "auth": "password", "password": good}},
                        "options": {"login": True, "alternatives": False,
                                    "deadline_ms": int(self.deadline_s * 1000)}} for i in range(n)]
                    doc = {"requests": reqs, "cacert": self.cacert, "reps": max(1, min(a.reps, 3)),
                           "connect_to": [[scenarios.HOST, k, "127.0.0.1", proxy.listen[k]] for k in routes]}
                    r = subprocess.run([a.scale_driver], input=json.dumps(doc), capture_output=True, text=True)
                    if r.returncode != 0:
                        raise RuntimeError("endpoints driver failed: " + r.stderr[-3000:])
                    d = json.loads(r.stdout)
                finally:
                    proxy.close()
                row = {"endpoints": n, "rtt_ms": rtt, "wall_s": median([x["wall_s"] for x in d["runs"]]),
                       "cpu_s": median([x["cpu_s"] for x in d["runs"]]), "maxrss_kb": d["maxrss_kb"],
                       "threads": d["threads"], "logged_in": min(x["logged_in"] for x in d["runs"]),
                       "runs": d["runs"]}
                out.append(row)
                print("[scale %d endpoints, %g ms] %.3f s wall, %.3f s CPU, %d logged in" % (
                    n, rtt, row["wall_s"], row["cpu_s"], row["logged_in"]), file=sys.stderr, flush=True)
        return out

    def measure_rss(self, sc, n=3):
        out = []
        for rep in range(n):
            proxy = self.scenario_proxy(sc, rep)
            try:
                time_cmd = ["/usr/bin/time", "-v"]
                cmd = time_cmd + [self.bin, "diagnose", "--json", "--cacert", self.cacert, "--dns-servers",
                                  proxy.dns_server, "--request", "-"]
                for ct in proxy.connect_to(scenarios.HOST):
                    cmd += ["--connect-to", ct]
                r = subprocess.run(cmd, input=json.dumps(sc.request), capture_output=True, text=True)
                m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr)
                if m:
                    out.append(int(m.group(1)))
            finally:
                proxy.close()
        return {"kbytes": out, "median_kb": median(out), "max_kb": max(out) if out else None}


def machine():
    info = {"kernel": platform.release(), "python": platform.python_version(), "cpus": os.cpu_count()}
    try:
        with open("/proc/cpuinfo") as f:
            m = re.search(r"model name\s*:\s*(.*)", f.read())
            info["cpu"] = m.group(1) if m else "?"
        with open("/proc/meminfo") as f:
            info["mem_kb"] = int(re.search(r"MemTotal:\s*(\d+)", f.read()).group(1))
        info["loadavg_start"] = open("/proc/loadavg").read().split()[:3]
    except OSError:
        pass
    return info


def server_time_ms(run, rtt):
    """The servers' own time on the probe the diagnosis waited for: its reply waits beyond one RTT
    each, and its greeting beyond one RTT (process spawn at Postfix / Dovecot, login checks, the
    deliberate delay of a failed login). Proxy scheduling (see the calibration) is in it too."""
    tl, ch = run.get("timeline_last"), run.get("last_chain")
    if not tl or not ch or tl["start"] is None:
        return 0
    waits = max(0, tl["server_waits"] - ch["exchanges"] * rtt)
    tls = max(0, tl["tls_gap"] - rtt * (ch["tls_rtts"] if ch["tls"] and tl["tls_gap"] else 0))
    greet = max(0, tl["start"] - rtt * (ch["greetings"] + (ch["tls_rtts"] if tl["tls_gap"] == 0 else 0) +
                                        ch.get("dns_rtts", 0) + ch.get("discovery_rtts", 0)))
    return waits + tls + greet


def summarize(res, args):
    rtt = args.rtt_ms
    lines = []
    targets = []
    cal = (res.get("calibrated_rtt_ms_before"), res.get("calibrated_rtt_ms_after"))
    lines.append("RTT %g ms nominal; measured through the proxy: %.1f ms before, %.1f ms after; deadline %g s; "
                 "%d repetitions" % (rtt, cal[0] or 0, cal[1] or 0, args.deadline, args.reps))
    lines.append("")
    lines.append("| scenario | maildoctor median (min-max) | floor (RTTs) | wall/floor | server time | wall/(floor+server) | curl sequential median | baseline/maildoctor | curl without its timeouts | verdict, first findings |")
    lines.append("|---|---|---|---|---|---|---|---|---|---|")
    for name, runs in res["runs"].items():
        walls = [r["wall_s"] for r in runs]
        md = median(walls)
        sc_rtt = 0 if name == "a0" else rtt
        frtts = median([r["floor_rtts"] for r in runs])
        floor_s = frtts * sc_rtt / 1000.0
        base = [b["wall_s"] for b in res["baseline"].get(name, [])]
        bm = median(base)
        ratio = md / floor_s if floor_s else None
        speedup = bm / md if bm else None
        deadline_bound = name in ("c", "d")
        server = median([server_time_ms(r, sc_rtt) for r in runs]) if not deadline_bound else None
        adj = md / (floor_s + server / 1000.0) if server is not None and (floor_s + server) > 0 else None
        # The sequential peer without the probes that ran into curl's timeout (a silent port).
        bnt = median([sum(s[2] for s in b["steps"] if s[1] != 28) for b in res["baseline"].get(name, [])])
        lines.append("| %s | %.3f s (%.3f-%.3f) | %s | %s | %s | %s | %s | %s | %s | %s: %s |" % (
            name, md, min(walls), max(walls),
            "%.3f s (%g)" % (floor_s, frtts) if not deadline_bound else "deadline %g s" % args.deadline,
            "%.2f" % ratio if ratio and not deadline_bound else ("%.2f x deadline" % (md / args.deadline) if deadline_bound else "-"),
            "%.0f ms" % server if server is not None else "-", "%.2f" % adj if adj else "-",
            "%.3f s" % bm if bm else "-", "%.1fx" % speedup if speedup else "-",
            "%.3f s" % bnt if bnt else "-",
            runs[0]["verdict"], ", ".join(runs[0]["findings"][:3])))
        if name in ("a", "b"):
            targets.append(("%s: wall/floor <= 1.25" % name, ratio is not None and ratio <= 1.25, "%.2f" % (ratio or 0)))
        if deadline_bound:
            targets.append(("%s: ends within deadline + 0.5 s" % name, max(walls) <= args.deadline + 0.5, "max %.3f s" % max(walls)))
        if name == "a" and bm:
            targets.append(("a: >= 3x faster than sequential curl", speedup >= 3, "%.1fx" % speedup))
        # A fast wrong answer meets no target: each timed run must also have reached the scenario's diagnosis.
        if name == "a":
            verdicts = sorted({r["verdict"] for r in runs})
            targets.append(("a: every run says ok", verdicts == ["ok"], ", ".join(verdicts)))
        if name == "b":
            right = sum("auth.wrong_password" in r["findings"] for r in runs)
            targets.append(("b: every run finds auth.wrong_password", right == len(runs), "%d of %d" % (right, len(runs))))
    lines.append("")
    lines.append("Where the time went (medians; ms; the probe the diagnosis waited for longest, from its transcript):")
    lines.append("")
    lines.append("| scenario | probe | RTTs (avoidable) | first line at | server waits (n x RTT) | client gaps | TLS gap | probe end | engine elapsed | wall - elapsed |")
    lines.append("|---|---|---|---|---|---|---|---|---|---|")
    for name, runs in res["runs"].items():
        if name in ("c", "d"):
            continue
        sc_rtt = 0 if name == "a0" else rtt
        tl = [r["timeline_last"] for r in runs if r.get("timeline_last") and r["timeline_last"]["start"] is not None]
        if not tl:
            continue
        ch = runs[0]["last_chain"] or {}
        def m(key):
            return median([t[key] for t in tl])
        lines.append("| %s | %s | %d (%d) | %g | %g (%g) | %g | %g | %g | %g | %.0f |" % (
            name, runs[0]["last_probe"], ch.get("rtts", 0), ch.get("avoidable", 0), m("start"), m("server_waits"),
            (ch.get("exchanges", 0)) * sc_rtt, m("client_gaps"), m("tls_gap"), m("end"),
            median([r["elapsed_ms"] for r in runs]), median([r["wall_s"] * 1000 - r["elapsed_ms"] for r in runs])))
    if "coldstart" in res:
        cs = res["coldstart"]
        lines.append("")
        lines.append("Cold start to the hello reply: median %.2f ms (p10 %.2f, p90 %.2f); spawn floor of a trivial C host "
                     "%.2f ms (net %.2f ms)" % (cs["host_ms"], cs["host_p10_ms"], cs["host_p90_ms"], cs["null_ms"],
                                                cs["host_ms"] - cs["null_ms"]))
        if "linkfloor_ms" in cs:
            lines.append("Link floor (the same shared libraries, none of maildoctor's code): median %.2f ms (p10 %.2f); "
                         "maildoctor's own part: %.2f ms" % (cs["linkfloor_ms"], cs["linkfloor_p10_ms"],
                                                              cs["host_ms"] - cs["linkfloor_ms"]))
        targets.append(("cold start <= 15 ms", cs["host_ms"] <= 15, "%.2f ms" % cs["host_ms"]))
    if "rss" in res and not res["rss"]["max_kb"]:
        targets.append(("peak RSS <= 15 MB", False, "not measured: /usr/bin/time printed no peak RSS"))
    if "rss" in res and res["rss"]["max_kb"]:
        lines.append("Peak RSS of diagnosis (a): median %d KiB, max %d KiB" % (res["rss"]["median_kb"], res["rss"]["max_kb"]))
        targets.append(("peak RSS <= 15 MB", res["rss"]["max_kb"] * 1024 <= 15e6, "%.1f MB" % (res["rss"]["max_kb"] * 1024 / 1e6)))
    if "scaling" in res:
        lines.append("")
        lines.append("| endpoints | RTT | wall median | CPU (user+sys) | peak RSS | threads | logged in |")
        lines.append("|---|---|---|---|---|---|---|")
        for row in res["scaling"]:
            lines.append("| %d | %g ms | %.3f s | %.3f s | %.1f MB | %s | %d |" % (
                row["endpoints"], row["rtt_ms"], row["wall_s"], row["cpu_s"], row["maxrss_kb"] / 1024.0,
                row.get("threads", "-"), row["logged_in"]))
        short = [r for r in res["scaling"] if r["logged_in"] != r["endpoints"]]
        targets.append(("scaling: every endpoint logged in, in every run", not short,
                        ", ".join("%d of %d" % (r["logged_in"], r["endpoints"]) for r in short) or "all"))
    lines.append("")
    lines.append("| target | met | value |")
    lines.append("|---|---|---|")
    for t, ok, v in targets:
        lines.append("| %s | %s | %s |" % (t, "yes" if ok else "NO", v))
    return "\n".join(lines), all(ok for _, ok, _ in targets)


def coldstart(args):
    def one(cmd):
        r = subprocess.run([args.coldstart, str(args.coldstart_runs)] + cmd, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("coldstart failed: " + r.stderr)
        return json.loads(r.stdout)
    out = one([args.bin, "--native-messaging"])
    if args.linkfloor:
        ref = one([args.linkfloor])
        out["linkfloor_ms"] = ref["host_ms"]
        out["linkfloor_p10_ms"] = ref["host_p10_ms"]
        out["linkfloor_null_ms"] = ref["null_ms"]
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin")
    p.add_argument("--out")
    p.add_argument("--summarize", metavar="RESULTS_JSON", help="print the tables of an earlier run and exit")
    p.add_argument("--rtt-ms", type=float, default=50)
    p.add_argument("--reps", type=int, default=7)
    p.add_argument("--deadline", type=float, default=5.0)
    p.add_argument("--scenarios", default="a,a0,b,c,d,e")
    p.add_argument("--skip-baseline", action="store_true")
    p.add_argument("--blackhole", choices=("netns", "fullqueue"), default="netns",
                   help="scenario c: SYNs dropped by nft in namespaces (default), or the full-accept-queue stand-in")
    p.add_argument("--no-rss", dest="rss", action="store_false")
    p.add_argument("--coldstart", help="path of the built coldstart timer (skipped if absent)")
    p.add_argument("--coldstart-runs", type=int, default=200)
    p.add_argument("--linkfloor", help="path of the built link-floor host (the cold start of the libraries alone)")
    p.add_argument("--scale-driver", help="path of the built endpoints driver (scaling skipped if absent)")
    p.add_argument("--scale-counts", default="1,4,16,64")
    p.add_argument("--scale-rtts", default="0,50")
    p.add_argument("--smoke", action="store_true", help="1 repetition, no targets asserted")
    args = p.parse_args()
    args.scenarios = args.scenarios.split(",")
    args.scale_counts = [int(x) for x in args.scale_counts.split(",") if x]
    args.scale_rtts = [float(x) for x in args.scale_rtts.split(",") if x]
    if args.summarize:
        res = json.load(open(args.summarize))
        args.rtt_ms, args.deadline, args.reps = res["rtt_ms"], res["deadline_s"], res["reps"]
        print(summarize(res, args)[0])
        return 0
    if not args.bin or not args.out:
        p.error("--bin and --out are required")
    if args.smoke:
        args.reps = 1
        args.coldstart_runs = min(args.coldstart_runs, 20)
    os.makedirs(args.out, exist_ok=True)
    res = {"machine": machine(), "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
           "rtt_ms": args.rtt_ms, "deadline_s": args.deadline, "reps": args.reps}
    if args.coldstart:
        res["coldstart"] = coldstart(args)
        print("[coldstart] %s" % res["coldstart"], file=sys.stderr, flush=True)
    res.update(Session(args).run())
    if args.coldstart:
        res["coldstart_end"] = coldstart(args)
    res["machine"]["loadavg_end"] = open("/proc/loadavg").read().split()[:3]
    text, ok = summarize(res, args)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(res, f, indent=1)
    with open(os.path.join(args.out, "summary.md"), "w") as f:
        f.write(text + "\n")
    print(text)
    if not ok and not args.smoke:
        print("\nsome targets were missed (see the table above)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
