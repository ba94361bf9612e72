#!/usr/bin/python3
"""Stands in for maildoctor under the canary harness: runs the real binary unchanged and keeps a copy of
everything it writes (stdout, stderr, files in its scratch HOME/TMPDIR or new files in its working
folder), plus, in a private folder the scan skips, the secrets the caller handed it. The harness
later searches every copy for every form of those secrets.

Environment (set by canary_harness.py): MAILDOCTOR_REAL_BIN, MAILDOCTOR_CAPTURE_DIR, MAILDOCTOR_PRIVATE_DIR.
"""
import json
import os
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time

REAL = os.environ["MAILDOCTOR_REAL_BIN"]
CAPTURE = os.environ["MAILDOCTOR_CAPTURE_DIR"]
PRIVATE = os.environ["MAILDOCTOR_PRIVATE_DIR"]


def secrets_in(obj, found):
    """Every password, access token and user name in a request (or a native-messaging diagnose message)."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k in ("password", "access_token") and isinstance(v, str) and v:  # an OAuth2 token is a secret too
                found["passwords"].add(v)
            elif k in ("username", "email") and isinstance(v, str) and v:
                found["users"].add(v)
            else:
                secrets_in(v, found)
    elif isinstance(obj, list):
        for v in obj:
            secrets_in(v, found)


def parse_json(data, found):
    try:
        secrets_in(json.loads(data.decode("utf-8", "replace")), found)
    except ValueError:
        pass


def parse_frames(data, found):
    while len(data) >= 4:
        (n,) = struct.unpack("=I", data[:4])
        parse_json(data[4:4 + n], found)
        data = data[4 + n:]


def pump(src, sinks, record=None):
    while True:
        chunk = os.read(src.fileno(), 65536)
        if not chunk:
            break
        if record is not None:
            record.append(chunk)
        for s in sinks:
            try:
                s.write(chunk)
                s.flush()
            except (BrokenPipeError, ValueError):
                pass
    for s in sinks:
        try:
            s.close()
        except (BrokenPipeError, OSError):
            pass


def _flag_value(args, flag):
    if flag in args and args.index(flag) + 1 < len(args):
        return args[args.index(flag) + 1]
    return None


def main():
    args = sys.argv[1:]
    started = time.time()
    run_id = "%d-%d" % (int(started * 1000), os.getpid())
    scratch = os.path.join(CAPTURE, run_id)
    home = os.path.join(scratch, "home")
    tmp = os.path.join(scratch, "tmp")
    os.makedirs(home)
    os.makedirs(tmp)
    with open(os.path.join(scratch, "argv.json"), "w") as f:
        json.dump(args, f)
    env = dict(os.environ, HOME=home, TMPDIR=tmp, XDG_CACHE_HOME=os.path.join(home, ".cache"),
               XDG_CONFIG_HOME=os.path.join(home, ".config"))
    for k in ("MAILDOCTOR_REAL_BIN", "MAILDOCTOR_CAPTURE_DIR", "MAILDOCTOR_PRIVATE_DIR"):
        env.pop(k, None)

    out_copy = open(os.path.join(scratch, "stdout"), "wb")
    err_copy = open(os.path.join(scratch, "stderr"), "wb")
    proc = subprocess.Popen([REAL, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    # A test that stops "maildoctor" by its pid stops the real one: the signal is passed on.
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda signum, _frame: proc.send_signal(signum))
    stdin_record = []
    threads = [
        threading.Thread(target=pump, args=(sys.stdin.buffer, [proc.stdin], stdin_record), daemon=True),
        threading.Thread(target=pump, args=(proc.stdout, [sys.stdout.buffer, out_copy])),
        threading.Thread(target=pump, args=(proc.stderr, [sys.stderr.buffer, err_copy])),
    ]
    for t in threads:
        t.start()
    rc = proc.wait()
    for t in threads[1:]:
        t.join()

    found = {"passwords": set(), "users": set()}
    stdin_data = b"".join(stdin_record)
    if "--password-stdin" in args or "--token-stdin" in args:
        first = stdin_data.split(b"\n", 1)[0].rstrip(b"\r")
        if first:
            found["passwords"].add(first.decode("utf-8", "replace"))
    if "--request" in args:
        i = args.index("--request")
        src = args[i + 1] if i + 1 < len(args) else "-"
        if src == "-":
            parse_json(stdin_data, found)
        else:
            try:
                with open(src, "rb") as f:
                    parse_json(f.read(), found)
            except OSError:
                pass
    elif "batch" in args:
        # One request per line, from --input FILE or stdin.
        src = _flag_value(args, "--input") or "-"
        data = stdin_data
        if src != "-":
            try:
                with open(src, "rb") as f:
                    data = f.read()
            except OSError:
                data = b""
        for line in data.splitlines():
            parse_json(line, found)
    elif "diagnose" not in args:
        parse_frames(stdin_data, found)
    for flag in ("--user", "--email"):
        if flag in args and args.index(flag) + 1 < len(args):
            found["users"].add(args[args.index(flag) + 1])
    os.makedirs(PRIVATE, exist_ok=True)
    with open(os.path.join(PRIVATE, run_id + ".json"), "w") as f:
        json.dump({k: sorted(v) for k, v in found.items()}, f)

    # Files batch mode writes wherever it is told: its answers, summary and state file.
    for flag in ("--output", "--summary", "--state"):
        path = _flag_value(args, flag)
        if path and path != "-" and os.path.isfile(path):
            with open(path, "rb") as src, open(os.path.join(scratch, "file" + flag.replace("-", "_")), "wb") as dst:
                dst.write(src.read(64 * 1024 * 1024))

    # Files the binary wrote next to where it ran: copy them in, so the scan sees them.
    try:
        for name in os.listdir("."):
            if os.path.isfile(name) and os.path.getmtime(name) >= started:
                with open(name, "rb") as src, open(os.path.join(scratch, "cwd-" + name), "wb") as dst:
                    dst.write(src.read(64 * 1024 * 1024))
    except OSError:
        pass
    return rc if rc >= 0 else 128 - rc


if __name__ == "__main__":
    sys.exit(main())
