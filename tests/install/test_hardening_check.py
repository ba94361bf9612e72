"""The checks behind the install tests can fail: elf_hardening.py names each missing property of a binary built
without hardening, and throwaway_root.sh hides an earlier install from the tests and keeps theirs from the machine.
(The hardened binaries themselves are checked where they are made: test_install_linux.py, for install.sh per user
and --system and for the .deb.)"""
import os
import subprocess

from elf_hardening import hardening_problems
from install_helpers import ROOT

PROGRAM = r"""
#include <stdio.h>
#include <string.h>
namespace maildoctor { void copy(char* to, const char* from) { strcpy(to, from); } }
int main(int argc, char** argv) { char b[16]; maildoctor::copy(b, argv[0]); printf("%s %d\n", b, argc); }
"""


def test_a_binary_built_without_hardening_fails_every_check(tmp_path):
    src = tmp_path / "plain.cpp"
    src.write_text(PROGRAM)
    binary = tmp_path / "plain"
    subprocess.run(["g++", "-O2", "-U_FORTIFY_SOURCE", "-fno-stack-protector", "-fcf-protection=none", "-no-pie",
                    "-Wl,-z,lazy", "-Wl,-z,norelro", src, "-o", binary], check=True)
    problems = "\n".join(hardening_problems(binary))
    for expected in ("not PIE", "BIND_NOW", "GNU_RELRO", "__stack_chk_fail", "_chk function", "-fcf-protection"):
        assert expected in problems, problems


def test_throwaway_root_starts_clean_and_leaves_the_machine_alone():
    existed = os.path.lexists("/usr/local/bin/maildoctor")
    script = ROOT / "tests/install/throwaway_root.sh"
    # An earlier install, planted in a throwaway system, must be gone inside a throwaway system started from it.
    # (Overlays stack two deep at most: inside the suite's throwaway system the plant goes there directly.)
    inner = f"{script} sh -c 'test ! -e /usr/local/bin/maildoctor && test ! -e /usr/local/share/maildoctor'"
    plant = ("mkdir -p /usr/local/share/maildoctor && touch /usr/local/bin/maildoctor && test -e /usr/local/bin/maildoctor"
             f" && {inner}; s=$?; rm -rf /usr/local/bin/maildoctor /usr/local/share/maildoctor; exit $s")
    inside = os.environ.get("MAILDOCTOR_THROWAWAY_ROOT") == "1"
    r = subprocess.run((["sh", "-c", plant] if inside else [script, "sh", "-c", plant]), capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert os.path.lexists("/usr/local/bin/maildoctor") == existed
