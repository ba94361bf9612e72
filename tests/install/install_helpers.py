"""Shared by the installer tests."""
import os
import pathlib
import subprocess

ROOT = pathlib.Path(os.environ.get("MAILDOCTOR_ROOT", pathlib.Path(__file__).resolve().parents[2]))
EXTENSION_ID = "maildoctor@maildoctor.dev"


def tree(path):
    """Every path below `path`, for before/after comparisons."""
    return sorted(str(p.relative_to(path)) for p in pathlib.Path(path).rglob("*"))


def run(args, env, **kw):
    return subprocess.run([str(a) for a in args], env=env, check=True, capture_output=True, text=True, **kw)
