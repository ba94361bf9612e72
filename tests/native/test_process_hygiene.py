"""A crash must not put the password on disk, and no other process of the user may read the host's memory
(issue 12 §6): RLIMIT_CORE is 0 and the process is not dumpable from the start, in both front doors.

- Core: started with `ulimit -c unlimited` in a scratch folder, the host lowers its limit to 0 (/proc/PID/limits)
  and a SIGSEGV or SIGABRT leaves no core file there. A control process started the same way does leave one,
  so the test can fail.
- Not dumpable: the kernel gives the files under a non-dumpable process's /proc/PID to root. Started as `nobody`, an
  ordinary process's entry belongs to nobody (the control) and maildoctor's to root.
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
NOBODY = 65534
# Under the sanitizer build (90-asan), the sanitizers catch SIGSEGV themselves and exit with their own status: let
# the signal take its ordinary course, which is what this test is about.
ENV = dict(os.environ)
for _var in ("ASAN_OPTIONS", "UBSAN_OPTIONS"):
    if _var in ENV:
        ENV[_var] += ":handle_segv=0"


def allow_cores():
    resource.setrlimit(resource.RLIMIT_CORE, UNLIMITED)


def as_nobody():
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)


def cores(folder):
    return glob.glob(os.path.join(folder, "core*"))


def core_limit(pid):
    with open("/proc/%d/limits" % pid) as f:
        for line in f:
            if line.startswith("Max core file size"):
                return line.split()[4]
    raise AssertionError("no core limit in /proc/%d/limits" % pid)


def wait_for(condition, seconds=5.0):
    """Polls until condition() holds; returns its last value (no timing is asserted, only the outcome)."""
    end = time.monotonic() + seconds
    while True:
        value = condition()
        if value or time.monotonic() > end:
            return value
        time.sleep(0.02)


def start(mode, folder, preexec):
    if mode == "native":
        proc = subprocess.Popen([REAL_BIN, "--native-messaging"], cwd=folder, preexec_fn=preexec, env=ENV,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        proc.stdin.write(frame({"type": "hello", "id": 1}))
        proc.stdin.flush()
        assert proc.stdout.read(4), "no hello reply"  # the host is up and past its set-up
    else:
        # Waits on stdin for the request (which would carry the password).
        proc = subprocess.Popen([REAL_BIN, "diagnose", "--json", "--request", "-"], cwd=folder, preexec_fn=preexec, env=ENV,
                                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc


def stop(proc):
    if proc.poll() is None:
        proc.kill()
    proc.wait()


@pytest.fixture
def crash_dir(tmp_path):
    with open("/proc/sys/kernel/core_pattern") as f:
        pattern = f.read().strip()
    if pattern.startswith("|") or "/" in pattern:
        pytest.skip("core_pattern %r does not write into the crashing process's folder" % pattern)
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


@pytest.mark.parametrize("sig", [signal.SIGSEGV, signal.SIGABRT], ids=["SIGSEGV", "SIGABRT"])
@pytest.mark.parametrize("mode", ["native", "cli"])
def test_a_crash_leaves_no_core(crash_dir, mode, sig):
    proc = start(mode, crash_dir, allow_cores)
    try:
        assert wait_for(lambda: core_limit(proc.pid) == "0"), "RLIMIT_CORE was not lowered at start"
        proc.send_signal(sig)
        proc.wait(timeout=10)
    finally:
        stop(proc)
    assert proc.returncode == -sig, proc.returncode
    assert not cores(crash_dir), "a core file was written: %s" % cores(crash_dir)


@pytest.mark.parametrize("mode", ["native", "cli"])
def test_the_process_is_not_dumpable(tmp_path, mode):
    if os.geteuid() != 0:
        pytest.skip("starting a process as another user needs root")
    os.chmod(str(tmp_path), 0o777)
    control = subprocess.Popen(["sleep", "30"], cwd=str(tmp_path), preexec_fn=as_nobody)
    try:
        assert wait_for(lambda: os.stat("/proc/%d/environ" % control.pid).st_uid == NOBODY), "control is not nobody's"
    finally:
        stop(control)
    proc = start(mode, str(tmp_path), as_nobody)
    try:
        owner = wait_for(lambda: os.stat("/proc/%d/environ" % proc.pid).st_uid == 0)
        assert owner, "maildoctor's /proc entry belongs to uid %d: the process is dumpable" % os.stat("/proc/%d/environ" % proc.pid).st_uid
    finally:
        stop(proc)
