"""python3 -m servers (run from tests/, or tests/servers/testbed from anywhere).

  run   --set NAMES [--dir DIR]   start, print one JSON line of ports, serve until SIGTERM/SIGINT
  start --set NAMES --dir DIR     the same in the background; prints the JSON, returns at once
  stop  --dir DIR                 stops what `start` started in DIR
  counts --dir DIR                login attempts counted so far (JSON)
NAMES is a comma list of: dovecot, faults, postfix, dns, tarpit, closed, all."""
import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request

from .bed import Testbed
from .proc import pid_alive, stop_pid
from .sets import build

STATE = "state.json"


def _run(args):
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: stop.set())
    directory = os.path.abspath(args.dir) if args.dir else None
    with Testbed(directory=directory, keep=bool(directory)) as bed:
        try:
            info = build(bed, args.set.split(","))
        except Exception as e:
            sys.stderr.write("start failed: %s\n%s\n" % (e, bed.logs()))
            return 1
        info["pid"] = os.getpid()
        text = json.dumps(info)
        state = os.path.join(bed.dir, STATE)
        with open(state + ".tmp", "w") as f:
            f.write(text)
        os.replace(state + ".tmp", state)
        print(text, flush=True)
        while not stop.wait(0.5):
            pass
        try:
            os.unlink(state)
        except OSError:
            pass
    return 0


def _start(args):
    directory = os.path.abspath(args.dir)
    os.makedirs(directory, exist_ok=True)
    state = os.path.join(directory, STATE)
    if os.path.exists(state):
        os.unlink(state)
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=here + os.pathsep + os.environ.get("PYTHONPATH", ""))
    with open(os.path.join(directory, "testbed.log"), "ab") as log:
        p = subprocess.Popen([sys.executable, "-m", "servers", "run", "--set", args.set, "--dir", directory],
                             stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env,
                             start_new_session=True, close_fds=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if os.path.exists(state):
            with open(state) as f:
                print(f.read())
            return 0
        if p.poll() is not None:
            with open(os.path.join(directory, "testbed.log"), errors="replace") as f:
                sys.stderr.write(f.read()[-8000:])
            return 1
        time.sleep(0.05)
    stop_pid(p.pid)
    sys.stderr.write("test bed did not come up within 60 s\n")
    return 1


def _read_state(directory):
    with open(os.path.join(os.path.abspath(directory), STATE)) as f:
        return json.load(f)


def _stop(args):
    try:
        pid = _read_state(args.dir)["pid"]
    except (OSError, ValueError, KeyError):
        sys.stderr.write("no running test bed in %s\n" % args.dir)
        return 1
    stop_pid(pid, timeout=30)
    return 0 if not pid_alive(pid) else 1


def _counts(args):
    with urllib.request.urlopen(_read_state(args.dir)["policy"] + "/counts", timeout=5) as r:
        print(r.read().decode())
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(prog="servers", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("run", "start"):
        p = sub.add_parser(name)
        p.add_argument("--set", default="all")
        p.add_argument("--dir", required=(name == "start"))
    for name in ("stop", "counts"):
        sub.add_parser(name).add_argument("--dir", required=True)
    args = ap.parse_args(argv)
    return {"run": _run, "start": _start, "stop": _stop, "counts": _counts}[args.cmd](args)
