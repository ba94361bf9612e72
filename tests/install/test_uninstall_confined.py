"""uninstall.sh removes only what lies under its own prefix, whatever installed.txt says (issue 12 §10).

The list is a plain file in the user's prefix: anyone who can write it must not be able to make the uninstaller
delete elsewhere, by an absolute path outside, a `..` segment, a relative path, or a folder symlinked out.
"""
import os

from install_helpers import EXTENSION_ID, ROOT, run


def tampered(prefix, entries):
    listed = prefix / "share/maildoctor/installed.txt"
    listed.parent.mkdir(parents=True, exist_ok=True)
    listed.write_text("".join(f"{e}\n" for e in entries))
    return listed


def victims(outside):
    outside.mkdir()
    files = {name: outside / name for name in ("absolute", "dotdot", "relative", "via-link", "target-of-link")}
    for f in files.values():
        f.write_text("not maildoctor's\n")
    (outside / "empty-folder").mkdir()
    return files


def test_uninstall_with_prefix_deletes_nothing_outside_the_prefix(home, tmp_path):
    _, env = home
    prefix = tmp_path / "prefix"
    outside = tmp_path / "outside"
    v = victims(outside)
    (prefix / "bin").mkdir(parents=True)
    (prefix / "bin/maildoctor").write_text("ours\n")
    (prefix / "share/maildoctor").mkdir(parents=True)
    (prefix / "share/maildoctor/linked").symlink_to(v["target-of-link"])  # the link is ours, its target is not
    (prefix / "escape").symlink_to(outside, target_is_directory=True)
    listed = tampered(prefix, [
        prefix / "bin/maildoctor",
        prefix / "share/maildoctor/linked",
        v["absolute"],
        f"{prefix}/bin/../../outside/dotdot",
        "relative",
        prefix / "escape/via-link",
        f"{outside}/empty-folder/",
        f"{prefix}/escape/",
        f"{prefix}/bin/",
    ])
    out = run([ROOT / "installer/uninstall.sh", "--prefix", prefix], env, cwd=outside).stdout

    assert all(f.exists() for f in v.values()), out
    assert (outside / "empty-folder").is_dir(), out
    assert (prefix / "escape").is_symlink(), out
    assert not (prefix / "bin").exists() and not listed.exists(), out
    assert not os.path.lexists(prefix / "share/maildoctor/linked"), out
    assert f"kept {v['absolute']}: outside {prefix}" in out
    assert "has a . or .. segment" in out and "not an absolute path" in out


def test_per_user_uninstall_keeps_to_its_prefix_and_the_files_an_install_puts_outside(home):
    h, env = home
    prefix = h / ".local"
    (prefix / "bin").mkdir(parents=True)
    (prefix / "bin/maildoctor").write_text("ours\n")
    manifest = h / ".mozilla/native-messaging-hosts/maildoctor.json"
    manifest.parent.mkdir(parents=True)
    manifest.write_text("{}\n")
    other_manifest = manifest.parent / "someone-else.json"
    other_manifest.write_text("{}\n")
    profile_addon = h / "profile/extensions" / f"{EXTENSION_ID}.xpi"
    profile_addon.parent.mkdir(parents=True)
    profile_addon.write_text("xpi\n")
    other_addon = profile_addon.parent / "other@addon.xpi"
    other_addon.write_text("xpi\n")
    document = h / "Documents/thesis.odt"
    document.parent.mkdir()
    document.write_text("years of work\n")
    tampered(prefix, [prefix / "bin/maildoctor", f"{prefix}/bin/", manifest, profile_addon, other_manifest, other_addon, document,
                      f"{h}/Documents/", f"{h}/"])
    out = run([ROOT / "installer/uninstall.sh"], env).stdout

    assert not manifest.exists() and not profile_addon.exists() and not (prefix / "bin").exists(), out
    assert other_manifest.exists() and other_addon.exists() and document.exists(), out
    assert h.is_dir()
