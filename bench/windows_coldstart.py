#!/usr/bin/python3
"""Cold start of maildoctor.exe under Wine against the Linux host's, in one run (docs/PERFORMANCE.md).

    bench/windows_coldstart.py [--runs N] [--linux BIN] [--exe EXE] [--coldstart TIMER]

Both hosts are timed by the same bench/coldstart.c timer (spawn to the framed `hello` reply), one run of each in
turn so that the machine's load hits both alike; the ratio is of the medians. Wine gets a throwaway WINEPREFIX:
its creation (wineboot) and the first run in it are reported on their own, because Thunderbird on Windows never
pays them, while every later launch is what it waits for each time it starts the host.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def first_existing(*paths):
    return next((p for p in paths if os.path.exists(p)), paths[-1])


def timed(timer, argv, env):
    out = subprocess.run([timer, "1", *argv], env=env, capture_output=True, text=True, check=True, timeout=300)
    r = json.loads(out.stdout)
    assert "hello" in r["reply"], r
    return r["host_ms"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--linux", default=first_existing(os.path.join(ROOT, "build/release/host/maildoctor"),
                                                      os.path.join(ROOT, "build/dev/host/maildoctor")))
    ap.add_argument("--exe", default=os.path.join(ROOT, "dist/windows/maildoctor.exe"))
    ap.add_argument("--coldstart", default=first_existing(os.path.join(ROOT, "build/release/bench/maildoctor_bench_coldstart"),
                                                          os.path.join(ROOT, "build/dev/bench/maildoctor_bench_coldstart")))
    args = ap.parse_args()
    wine = os.environ.get("MAILDOCTOR_WINE") or shutil.which("wine64") or "/usr/lib/wine/wine64"
    prefix = tempfile.mkdtemp(prefix="maildoctor-wine-bench.")
    env = dict(os.environ, WINEPREFIX=prefix, WINEDEBUG="-all", WINEDLLOVERRIDES="mscoree,mshtml=")
    try:
        t0 = time.monotonic()
        subprocess.run([wine, "wineboot", "--init"], env=env, capture_output=True, check=True, timeout=600)
        wineboot_s = time.monotonic() - t0
        # A running wineserver stands for the running Windows kernel: without it every launch would restart it.
        subprocess.run([os.path.join(os.path.dirname(wine), "wineserver"), "-p"], env=env, check=True,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        first_ms = timed(args.coldstart, [wine, args.exe, "--native-messaging"], env)
        linux, windows = [], []
        for _ in range(args.runs):
            linux.append(timed(args.coldstart, [args.linux, "--native-messaging"], env))
            windows.append(timed(args.coldstart, [wine, args.exe, "--native-messaging"], env))
        result = {
            "runs": args.runs, "linux_host": os.path.relpath(args.linux, ROOT), "exe": os.path.relpath(args.exe, ROOT),
            "wineboot_s": round(wineboot_s, 2), "wine_first_run_ms": round(first_ms, 1),
            "linux_median_ms": round(statistics.median(linux), 1), "linux_min_ms": round(min(linux), 1),
            "wine_median_ms": round(statistics.median(windows), 1), "wine_min_ms": round(min(windows), 1),
            "ratio_of_medians": round(statistics.median(windows) / statistics.median(linux), 1),
            "load_average": os.getloadavg()[0],
        }
        print(json.dumps(result, indent=2))
    finally:
        subprocess.run([os.path.join(os.path.dirname(wine), "wineserver"), "-k"], env=env, capture_output=True)
        shutil.rmtree(prefix, ignore_errors=True)


if __name__ == "__main__":
    main()
