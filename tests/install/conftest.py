import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))


@pytest.fixture
def home(tmp_path):
    """A temporary HOME, and an environment that uses it (the shared ccache stays where it is)."""
    h = tmp_path / "home"
    h.mkdir()
    env = dict(os.environ, HOME=str(h),
               CCACHE_DIR=os.environ.get("CCACHE_DIR", os.path.expanduser("~/.cache/ccache")))
    return h, env
