"""installer/install.sh and uninstall.sh for real (per user into a temporary HOME, and --system), and the .deb.

The --system and .deb tests change /usr, so they run only in a throwaway system (tests/install/throwaway_root.sh,
which the 60-install suite uses): there they start clean whatever this machine has installed, and they fail,
never skip, when run anywhere else. Each checks that what it installed is a hardened build (elf_hardening.py)."""
import json
import os
import pathlib
import struct
import subprocess

from elf_hardening import hardening_problems
from install_helpers import EXTENSION_ID, ROOT, run, tree

HAS_ADDON = (ROOT / "extension/manifest.json").is_file()
SYSTEM_FILES = ["/usr/local/bin/maildoctor", "/usr/local/share/maildoctor", "/usr/bin/maildoctor",
                "/usr/lib/mozilla/native-messaging-hosts/maildoctor.json",
                f"/usr/lib/thunderbird/extensions/{EXTENSION_ID}.xpi"]


def require_throwaway_root():
    assert os.environ.get("MAILDOCTOR_THROWAWAY_ROOT") == "1", (
        "this test installs into /usr: run it as tests/install/throwaway_root.sh python3 -m pytest ... "
        "(the 60-install suite does)")
    assert not any(os.path.lexists(p) for p in SYSTEM_FILES), "throwaway_root.sh must start from a clean system"


def hello_through(manifest_file):
    """Starts the host the way Thunderbird does, from the manifest's path with its two arguments."""
    manifest = json.loads(pathlib.Path(manifest_file).read_text())
    body = b'{"type":"hello","id":"install"}'
    out = subprocess.run([manifest["path"], str(manifest_file), manifest["allowed_extensions"][0]],
                         input=struct.pack("=I", len(body)) + body, capture_output=True, timeout=5).stdout
    (n,) = struct.unpack("=I", out[:4])
    assert len(out) == 4 + n, "stdout must carry exactly one frame"
    return json.loads(out[4:])


def test_per_user_install_is_idempotent_and_uninstall_removes_exactly_it(home, tmp_path):
    h, env = home
    profile = h / "profile"
    profile.mkdir()
    before = tree(h)
    args = [ROOT / "installer/install.sh", "--no-deps"] + (["--profile", profile] if HAS_ADDON else [])
    first = run(args, env).stdout
    assert "installed" in first
    binary = h / ".local/bin/maildoctor"
    manifest_file = h / ".mozilla/native-messaging-hosts/maildoctor.json"
    manifest = json.loads(manifest_file.read_text())
    assert manifest["path"] == str(binary) and manifest["type"] == "stdio" and manifest["name"] == "maildoctor"
    assert manifest["allowed_extensions"] == [EXTENSION_ID]
    assert hardening_problems(binary) == []
    reply = hello_through(manifest_file)
    assert reply["type"] == "hello" and reply["id"] == "install"
    assert reply["version"] in run([binary, "--version"], env).stdout

    listed = (h / ".local/share/maildoctor/installed.txt").read_text().splitlines()
    assert str(binary) in listed and str(manifest_file) in listed
    if HAS_ADDON:
        assert str(profile / "extensions" / f"{EXTENSION_ID}.xpi") in listed
        assert (profile / "extensions" / f"{EXTENSION_ID}.xpi").is_file()
    after_first = tree(h)

    run(args, env)
    assert tree(h) == after_first, "a second install must leave the same files"
    assert (h / ".local/share/maildoctor/installed.txt").read_text().splitlines() == listed

    out = run([ROOT / "installer/uninstall.sh"], env).stdout
    assert f"removed {binary}" in out
    assert tree(h) == before
    assert "nothing to uninstall" in run([ROOT / "installer/uninstall.sh"], env).stdout


def test_system_install_and_uninstall(home):
    _, env = home
    require_throwaway_root()
    usr_lib = tree("/usr/lib/mozilla") if os.path.exists("/usr/lib/mozilla") else None
    run([ROOT / "installer/install.sh", "--system", "--no-deps"], env)
    try:
        manifest = json.loads(pathlib.Path("/usr/lib/mozilla/native-messaging-hosts/maildoctor.json").read_text())
        assert manifest["path"] == "/usr/local/bin/maildoctor"
        assert hello_through("/usr/lib/mozilla/native-messaging-hosts/maildoctor.json")["type"] == "hello"
        assert os.path.exists(f"/usr/lib/thunderbird/extensions/{EXTENSION_ID}.xpi") == HAS_ADDON
        assert hardening_problems("/usr/local/bin/maildoctor") == []
    finally:
        run([ROOT / "installer/uninstall.sh", "--system"], env)
    assert not any(os.path.lexists(p) for p in SYSTEM_FILES)
    assert (tree("/usr/lib/mozilla") if os.path.exists("/usr/lib/mozilla") else None) == usr_lib


def installed_package(name):
    r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", name], capture_output=True, text=True)
    return "install ok installed" in r.stdout


def owning_package(lib):
    for candidate in {lib, os.path.realpath(lib), lib.replace("/lib/", "/usr/lib/", 1)}:
        r = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if r.returncode == 0:
            return r.stdout.split(":")[0]
    return None


def test_deb_installs_host_manifest_and_addon_and_removes_cleanly(home):
    _, env = home
    require_throwaway_root()
    assert not installed_package("maildoctor")
    build = ROOT / "build/release"
    addon = "ON" if (ROOT / "extension/build.sh").is_file() else "OFF"
    run(["cmake", "--preset", "release", "-DCMAKE_INSTALL_PREFIX=/usr",
         "-DMAILDOCTOR_MANIFEST_DIR=/usr/lib/mozilla/native-messaging-hosts",
         f"-DMAILDOCTOR_ALLOWED_EXTENSIONS={EXTENSION_ID}", "-DMAILDOCTOR_TESTS=OFF", f"-DMAILDOCTOR_XPI={addon}"],
        env, cwd=ROOT)
    run(["cmake", "--build", build, "-j", "2"], env)
    for old in (build / "packages").glob("*.deb"):
        old.unlink()
    run(["cpack", "-G", "DEB"], env, cwd=build)
    (deb,) = (build / "packages").glob("maildoctor_*.deb")

    contents = [line.split()[-1].lstrip(".") for line in run(["dpkg-deb", "-c", deb], env).stdout.splitlines()]
    expected = {"/usr/bin/maildoctor", "/usr/lib/mozilla/native-messaging-hosts/maildoctor.json"}
    if addon == "ON":
        expected.add(f"/usr/lib/thunderbird/extensions/{EXTENSION_ID}.xpi")
    assert expected <= set(contents)
    unpacked = pathlib.Path(env["HOME"]) / "deb"
    run(["dpkg-deb", "-x", deb, unpacked], env)
    assert hardening_problems(unpacked / "usr/bin/maildoctor") == []

    depends = run(["dpkg-deb", "-f", deb, "Depends"], env).stdout
    # Only the binary's own NEEDED entries: their dependencies are their packages' business.
    needed = [l.split("[")[1].rstrip("]") for l in run(["readelf", "-d", build / "host/maildoctor"], env).stdout.splitlines()
              if "(NEEDED)" in l]
    resolved = {}
    for line in run(["ldd", build / "host/maildoctor"], env).stdout.splitlines():
        parts = line.split()
        if "=>" in parts and parts[parts.index("=>") + 1].startswith("/"):
            resolved[parts[0]] = parts[parts.index("=>") + 1]
        elif parts and parts[0].startswith("/"):  # the dynamic loader: "/lib64/ld-linux-x86-64.so.2 (0x...)"
            resolved[os.path.basename(parts[0])] = parts[0]
    assert needed
    for soname in needed:
        pkg = owning_package(resolved[soname])
        assert pkg, soname
        assert pkg in depends, f"{pkg} (for {soname}) missing from Depends: {depends}"

    existed = {p: os.path.lexists(p) for p in contents if p not in ("", "/")}
    run(["dpkg", "-i", deb], env)
    try:
        assert run(["/usr/bin/maildoctor", "--version"], env).stdout.strip()
        manifest = json.loads(pathlib.Path("/usr/lib/mozilla/native-messaging-hosts/maildoctor.json").read_text())
        assert manifest["path"] == "/usr/bin/maildoctor" and manifest["allowed_extensions"] == [EXTENSION_ID]
        assert hello_through("/usr/lib/mozilla/native-messaging-hosts/maildoctor.json")["type"] == "hello"
    finally:
        run(["dpkg", "-r", "maildoctor"], env)
    left = [p for p, was in existed.items() if os.path.lexists(p) and not was]
    assert left == [], f"left behind after dpkg -r: {left}"
    assert not installed_package("maildoctor")
