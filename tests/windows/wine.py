"""Runs Windows programs under Wine for the Windows suite: the loader, path conversion, the registry."""
import os
import shutil
import subprocess


def loader():
    """wine64 from Debian: /usr/lib/wine/wine64 (the `wine` package would add /usr/bin/wine64 too)."""
    return os.environ.get("MAILDOCTOR_WINE") or shutil.which("wine64") or "/usr/lib/wine/wine64"


def run(args, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("timeout", 120)
    return subprocess.run([loader(), *args], **kw)


def to_unix(windows_path):
    out = run(["winepath", "-u", windows_path], text=True, check=True).stdout.strip()
    return out


def to_windows(unix_path):
    return run(["winepath", "-w", unix_path], text=True, check=True).stdout.strip()
