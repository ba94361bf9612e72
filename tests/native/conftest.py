import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from host import Host, Tarpit  # noqa: E402


@pytest.fixture
def host():
    h = Host()
    yield h
    h.kill()
    assert h.stdout_error is None, h.stdout_error


@pytest.fixture
def tarpit():
    t = Tarpit()
    yield t
    t.close()
