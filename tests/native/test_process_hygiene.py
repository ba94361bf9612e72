"""A crash must not put the password on disk, and no other process of the user may read the host's memory
(issue 12 §6): RLIMIT_CORE is 0 and the process is not dumpable from the start, in both front doors.

Each case first shows that the machine writes a core for an ordinary process started the same way (a control), then
that maildoctor, killed by SIGSEGV or SIGABRT in the same folder, leaves none. The core limit is read from
/proc/PID/limits; the non-dumpable flag is shown apart from it by raising the limit again from outside (prlimit)
before the crash: a dumpable process would then write a core.
"""
import glob
import os
import resource
import signal
import subprocess
import time

import pytest

from host import BIN, frame

REAL_BIN = os.environ.get("MAILDOCTOR_REAL_BIN") or BIN
UNLIMITED = (resource.RLIM_INFINITY, resource.RLIM_INFINITY)


def allow_cores():
    resource.setrlimit(resource.RLIMIT_CORE, UNLIMITED)


def cores(folder):
    return glob.glob(os.path.join(folder, "core*"))


def core_limit(pid):
    with open("/proc/%d/limits" % pid) as f:
        for line in f:
            if line.startswith("Max core file size"):
                return line.split()[4]
    raise AssertionError("no core limit in /proc/%d/limits" % pid)


@pytest.fixture
def crash_dir(tmp_path):
    with open("/proc/sys/kernel/core_pattern") as f:
        pattern = f.read().strip()
    if pattern.startswith("|") or "/" in pattern:
        pytest.skip("core_pattern %r does not write into the crashing process's folder" % pattern)
    # Control: an ordinary process started the same way leaves a core here, so "no core" below means something.
    control = subprocess.Popen(["sleep", "30"], cwd=str(tmp_path), preexec_fn=allow_cores)
    time.sleep(0.2)
    control.send_signal(signal.SIGSEGV)
    control.wait()
    found = cores(str(tmp_path))
    if not found:
        pytest.skip("this machine writes no core even for an ordinary process (container policy)")
    for c in found:
        os.remove(c)
    return str(tmp_path)


def start(mode, folder):
    if mode == "native":
        proc = subprocess.Popen([REAL_BIN, "--native-messaging"], cwd=folder, preexec_fn=allow_cores,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        proc.stdin.write(frame({"type": "hello", "id": 1}))
        proc.stdin.flush()
        assert proc.stdout.read(4), "no hello reply"  # the host is up and past its set-up
    else:
        # Waits on stdin for the request (which would carry the password): past the set-up, before any reading.
        proc = subprocess.Popen([REAL_BIN, "diagnose", "--json", "--request", "-"], cwd=folder, preexec_fn=allow_cores,
                                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.3)
    return proc


@pytest.mark.parametrize("sig", [signal.SIGSEGV, signal.SIGABRT], ids=["SIGSEGV", "SIGABRT"])
@pytest.mark.parametrize("mode", ["native", "cli"])
def test_a_crash_leaves_no_core_even_with_the_limit_raised_from_outside(crash_dir, mode, sig):
    proc = start(mode, crash_dir)
    try:
        assert core_limit(proc.pid) == "0", "RLIMIT_CORE was not lowered at start"
        # Raised again from outside: only the non-dumpable flag can keep the core away now.
        resource.prlimit(proc.pid, resource.RLIMIT_CORE, UNLIMITED)
        proc.send_signal(sig)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -sig, proc.returncode
    assert not cores(crash_dir), "a core file was written: %s" % cores(crash_dir)
