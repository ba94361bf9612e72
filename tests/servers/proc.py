"""Daemons started and stopped by PID, with their output in a log file (never a pipe)."""
import os
import signal
import subprocess
import time


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie still answers kill(0); treat it as gone.
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def stop_pid(pid, timeout=5.0):
    """SIGTERM, wait, then SIGKILL: the daemon's own children go with its master."""
    if not pid or not pid_alive(pid):
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return
        time.sleep(0.02)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


class Daemon:
    """One foreground daemon process. stdout and stderr go to log_path: a daemon that keeps stderr
    open forever must never hold a pipe of ours."""

    def __init__(self, name, argv, log_path, env=None):
        self.name = name
        self.argv = argv
        self.log_path = log_path
        self.env = env
        self.popen = None

    def start(self):
        log = open(self.log_path, "ab")
        try:
            self.popen = subprocess.Popen(
                self.argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                env=self.env, start_new_session=True, close_fds=True)
        finally:
            log.close()
        return self

    @property
    def pid(self):
        return self.popen.pid if self.popen else None

    def alive(self):
        return self.popen is not None and self.popen.poll() is None

    def terminate(self):
        """Asks it to stop without waiting: stopping many daemons at once costs one wait, not many."""
        if self.popen is not None and self.popen.poll() is None:
            self.popen.terminate()

    def stop(self, timeout=5.0):
        if self.popen is None:
            return
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()


def run(argv, log_path=None, timeout=60, check=True):
    """A short helper command (openssl, postfix start). Output goes to a file, not a pipe, so a
    daemon forked by it cannot hold our read end open."""
    log = open(log_path or os.devnull, "ab")
    try:
        r = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                           timeout=timeout, close_fds=True)
    finally:
        log.close()
    if check and r.returncode != 0:
        tail = ""
        if log_path and os.path.exists(log_path):
            with open(log_path, errors="replace") as f:
                tail = f.read()[-4000:]
        raise RuntimeError("%s failed (exit %d)\n%s" % (" ".join(argv), r.returncode, tail))
    return r.returncode


def log_sizes(paths):
    """{path: size now}: pass it to read_logs(since=...) to get only what was written after."""
    out = {}
    for p in paths:
        try:
            out[p] = os.path.getsize(p)
        except OSError:
            out[p] = 0
    return out


def read_logs(paths, since=None, limit=20000):
    """The non-empty tails of log files, each under a header; `since` from log_sizes()."""
    out = []
    for p in paths:
        try:
            with open(p, "rb") as f:
                f.seek((since or {}).get(p, 0))
                text = f.read().decode(errors="replace")
        except OSError:
            continue
        if text.strip():
            out.append("--- %s\n%s" % (p, text[-limit:]))
    return "\n".join(out)
