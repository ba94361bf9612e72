#!/usr/bin/python3
"""Start-up of maildoctor.exe under Wine against the Linux host's, in one run: `--version` of each, alternated so
that the machine's load hits both alike; the ratio is of the medians (docs/PERFORMANCE.md, issue 17).

    bench/windows_start_ratio.py LINUX_BIN EXE [RUNS]     (WINEPREFIX: a booted prefix, wineserver running)

bench/windows_coldstart.py times the framed hello instead, but its timer did not return under Wine here (2026-12-07;
a Wine helper process probably holds the timer's pipe open), hence this simpler measure.
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import time


def timed_ms(argv):
    start = time.monotonic()
    subprocess.run(argv, capture_output=True, check=True, timeout=300)
    return (time.monotonic() - start) * 1000


def main(linux, exe, runs="7"):
    wine = os.environ.get("MAILDOCTOR_WINE") or shutil.which("wine64") or "/usr/lib/wine/wine64"
    timed_ms([wine, exe, "--version"])  # the first run in a prefix loads Wine's DLLs from disk: not what is measured
    linux_ms, wine_ms = [], []
    for _ in range(int(runs)):
        linux_ms.append(timed_ms([linux, "--version"]))
        wine_ms.append(timed_ms([wine, exe, "--version"]))
    print(json.dumps({"runs": int(runs), "linux_median_ms": round(statistics.median(linux_ms), 1),
                      "wine_median_ms": round(statistics.median(wine_ms), 1),
                      "ratio_of_medians": round(statistics.median(wine_ms) / statistics.median(linux_ms), 1),
                      "load_average": round(os.getloadavg()[0], 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
