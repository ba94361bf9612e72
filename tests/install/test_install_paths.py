"""Where each OS's installer puts the host manifest, checked against the locations Thunderbird reads.

Linux and macOS: the scripts print their paths (--print-paths); the macOS installer also runs here for real with a
`uname` that answers Darwin. Windows: install.ps1 cannot run here, so its registry key and template handling are read
from the script's text.
"""
import json
import re
import subprocess

from install_helpers import EXTENSION_ID, ROOT, run, tree

# The table of ARCHITECTURE.md "Native-messaging manifests" and docs/INSTALL.md.
EXPECTED = {
    "linux-user": "{home}/.mozilla/native-messaging-hosts/maildoctor.json",
    "linux-system": "/usr/lib/mozilla/native-messaging-hosts/maildoctor.json",
    "macos-user": "{home}/Library/Mozilla/NativeMessagingHosts/maildoctor.json",
    "macos-system": "/Library/Application Support/Mozilla/NativeMessagingHosts/maildoctor.json",
    "windows-registry": r"HKCU:\Software\Mozilla\NativeMessagingHosts\maildoctor",
}


def printed_paths(script, env, *args):
    out = run([ROOT / script, "--print-paths", *args], env).stdout
    return dict(line.split("=", 1) for line in out.splitlines())


def test_linux_paths(home):
    h, env = home
    user = printed_paths("installer/install.sh", env)
    assert user["manifest"] == EXPECTED["linux-user"].format(home=h)
    assert user["binary"] == f"{h}/.local/bin/maildoctor"
    system = printed_paths("installer/install.sh", env, "--system")
    assert system["manifest"] == EXPECTED["linux-system"]
    assert system["addon"] == f"/usr/lib/thunderbird/extensions/{EXTENSION_ID}.xpi"


def test_macos_paths(home):
    h, env = home
    assert printed_paths("installer/macos/install.sh", env)["manifest"] == EXPECTED["macos-user"].format(home=h)
    assert printed_paths("installer/macos/install.sh", env, "--system")["manifest"] == EXPECTED["macos-system"]


def test_macos_installer_runs_with_thunderbirds_folder_and_uninstalls_cleanly(home, tmp_path):
    h, env = home
    fake_bin = tmp_path / "fakebin"
    fake_bin.mkdir()
    (fake_bin / "uname").write_text("#!/bin/sh\necho Darwin\n")
    (fake_bin / "uname").chmod(0o755)
    env = dict(env, PATH=f"{fake_bin}:/usr/bin:/bin:/usr/sbin:/sbin")
    before = tree(h)
    out = run([ROOT / "installer/macos/install.sh"], env).stdout
    assert "Homebrew not found" in out
    manifest_file = h / "Library/Mozilla/NativeMessagingHosts/maildoctor.json"
    manifest = json.loads(manifest_file.read_text())
    assert manifest["path"] == f"{h}/.local/bin/maildoctor"
    assert manifest["allowed_extensions"] == [EXTENSION_ID]
    assert not (h / "Library/Application Support").exists(), "that is Firefox's folder, not Thunderbird's"
    run([ROOT / "installer/uninstall.sh"], env)
    assert tree(h) == before


def test_windows_installer_uses_the_registry_key_and_the_one_template():
    ps1 = (ROOT / "installer/windows/install.ps1").read_text()
    key = re.search(r"^\$RegistryKey = '([^']+)'", ps1, re.M).group(1)
    assert key == EXPECTED["windows-registry"]
    assert re.search(r"Set-Item -Path \$RegistryKey -Value \$ManifestPath", ps1), "the key's default value must be the manifest path"
    assert "'manifests\\maildoctor.json.in'" in ps1
    template = (ROOT / "manifests/maildoctor.json.in").read_text()
    placeholders = set(re.findall(r"@([A-Z_]+)@", template))
    substituted = set(re.findall(r"Replace\('@([A-Z_]+)@'", ps1))
    assert substituted == placeholders == {"MAILDOCTOR_HOST_PATH", "MAILDOCTOR_ALLOWED_EXTENSIONS"}


def test_the_template_is_the_only_manifest_in_the_repository():
    files = subprocess.run(["git", "-C", str(ROOT), "ls-files"], capture_output=True, text=True, check=True).stdout
    holders = []
    for name in files.split():
        if name.startswith(("tests/", "docs/")) or name.endswith(".md"):
            continue
        path = ROOT / name
        if path.is_file() and '"allowed_extensions"' in path.read_text(errors="ignore"):
            holders.append(name)
    assert holders == ["manifests/maildoctor.json.in"]


def test_template_filled_by_cmake_is_valid_json_even_for_awkward_paths(tmp_path):
    out = tmp_path / "m.json"
    run(["cmake", f"-DOUTPUT={out}", '-DHOST_PATH=/opt/we"ird\\dir/maildoctor', "-DEXTENSION_IDS=a@b;c@d",
         "-P", ROOT / "cmake/HostManifest.cmake"], None)
    m = json.loads(out.read_text())
    assert m == {"name": "maildoctor", "description": m["description"], "path": '/opt/we"ird\\dir/maildoctor',
                 "type": "stdio", "allowed_extensions": ["a@b", "c@d"]}
