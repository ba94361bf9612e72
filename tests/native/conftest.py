import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from host import Host, Tarpit  # noqa: E402

for shared in ("hostile", "security"):
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", shared))
from expect import SANITIZER_MARKERS  # noqa: E402


@pytest.fixture
def host():
    h = Host()
    yield h
    exited = h.kill()
    assert h.stdout_error is None, h.stdout_error
    # A sanitizer report (90-asan) or a crash must fail the test whatever the test itself looked at.
    for marker in SANITIZER_MARKERS:
        assert marker not in h.stderr, h.stderr.decode(errors="replace")[-4000:]
    assert exited is None or exited >= 0 and exited not in (86, 87), "exit status %s\n%s" % (
        exited, h.stderr.decode(errors="replace")[-4000:])


@pytest.fixture
def tarpit():
    t = Tarpit()
    yield t
    t.close()
