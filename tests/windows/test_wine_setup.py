"""The Windows installer's registry step (maildoctor-setup.exe from the release zip) under Wine: what install.ps1
writes, read back with Wine's own `reg query`, and the host started the way Thunderbird starts it from there."""
import filecmp
import glob
import json
import os
import struct
import subprocess
import zipfile

import pytest

import wine

ROOT = os.environ.get("MAILDOCTOR_ROOT") or os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DIST = os.path.join(ROOT, "dist", "windows")
KEY = r"HKCU\Software\Mozilla\NativeMessagingHosts\maildoctor"
EXTENSION_ID = "maildoctor@maildoctor.dev"


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory):
    zips = glob.glob(os.path.join(DIST, "maildoctor-windows-*.zip"))
    assert len(zips) == 1, zips
    out = tmp_path_factory.mktemp("zip")
    with zipfile.ZipFile(zips[0]) as z:
        names = z.namelist()
        z.extractall(out)
    (folder,) = [p for p in out.iterdir() if p.is_dir()]
    assert {n.split("/", 1)[1] for n in names if not n.endswith("/")} >= {
        "maildoctor.exe", "maildoctor-setup.exe", "maildoctor.json.in", "maildoctor.xpi", "README.txt"}, names
    return folder


def registry_value():
    r = wine.run(["reg", "query", KEY, "/ve"], text=True)
    if r.returncode != 0:
        return None
    for line in r.stdout.splitlines():
        if "REG_SZ" in line:
            return line.split("REG_SZ", 1)[1].strip()
    raise AssertionError("no REG_SZ default value in:\n" + r.stdout)


def paths(folder):
    r = wine.run([str(folder / "maildoctor-setup.exe"), "--print-paths"], text=True, check=True)
    return dict(line.split("=", 1) for line in r.stdout.splitlines() if "=" in line)


def hello_through(windows_exe, manifest):
    """Starts the host as Thunderbird does (manifest path, add-on id, parent window) and asks hello."""
    body = json.dumps({"type": "hello", "id": "reg"}).encode()
    p = subprocess.run([wine.loader(), windows_exe, manifest, EXTENSION_ID, "--parent-window=0"],
                       input=struct.pack("=I", len(body)) + body, capture_output=True, timeout=120)
    assert p.returncode == 0, p.stderr[-2000:]
    (n,) = struct.unpack("=I", p.stdout[:4])
    assert len(p.stdout) == 4 + n, "stdout holds more than the one reply frame: %r" % p.stdout[:200]
    return json.loads(p.stdout[4:])


def test_setup_writes_what_install_ps1_writes_and_thunderbird_can_follow_it(unpacked):
    wine.run([str(unpacked / "maildoctor-setup.exe"), "--uninstall"])
    assert registry_value() is None
    r = wine.run([str(unpacked / "maildoctor-setup.exe")], text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    expected = paths(unpacked)
    # install.ps1's layout: %LOCALAPPDATA%\maildoctor\{maildoctor.exe,maildoctor.json}, the key under HKCU.
    assert expected["registry"] == KEY
    assert expected["binary"].endswith(r"\AppData\Local\maildoctor\maildoctor.exe"), expected
    assert expected["manifest"] == expected["binary"][:-len("maildoctor.exe")] + "maildoctor.json"

    manifest_path = registry_value()
    assert manifest_path == expected["manifest"]
    with open(wine.to_unix(manifest_path), "rb") as f:
        manifest = json.loads(f.read().decode("utf-8"))
    assert manifest["name"] == "maildoctor" and manifest["type"] == "stdio"
    assert manifest["allowed_extensions"] == [EXTENSION_ID]
    assert manifest["path"] == expected["binary"]
    host_unix = wine.to_unix(manifest["path"])
    assert filecmp.cmp(host_unix, os.path.join(DIST, "maildoctor.exe"), shallow=False)

    reply = hello_through(manifest["path"], manifest_path)
    assert reply["type"] == "hello" and reply["id"] == "reg" and reply["protocol"] == 1


def test_extra_extension_ids_and_uninstall(unpacked):
    r = wine.run([str(unpacked / "maildoctor-setup.exe"), "--allow-extension", "dev@maildoctor.dev"], text=True)
    assert r.returncode == 0, r.stderr
    manifest_path = registry_value()
    with open(wine.to_unix(manifest_path), "rb") as f:
        assert json.load(f)["allowed_extensions"] == [EXTENSION_ID, "dev@maildoctor.dev"]
    host_unix = wine.to_unix(paths(unpacked)["binary"])

    r = wine.run([str(unpacked / "maildoctor-setup.exe"), "--uninstall"], text=True)
    assert r.returncode == 0, r.stderr
    assert registry_value() is None
    assert not os.path.exists(host_unix)
    assert not os.path.exists(wine.to_unix(manifest_path))


def test_setup_refuses_unknown_arguments(unpacked):
    wine.run([str(unpacked / "maildoctor-setup.exe"), "--uninstall"])
    r = wine.run([str(unpacked / "maildoctor-setup.exe"), "--system"], text=True)
    assert r.returncode != 0
    assert "usage" in r.stderr
    assert registry_value() is None
