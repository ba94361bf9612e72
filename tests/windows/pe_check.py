#!/usr/bin/python3
"""Checks Windows executables' PE headers (objdump -p): what the hardened link must leave there, and that each one
stands alone (static: no MinGW runtime DLL that a user's machine would lack or that could be planted next to it).

    pe_check.py EXE...     exit status 0 when every EXE passes; each problem is printed.
"""
import re
import shutil
import subprocess
import sys

# ASLR needs a relocatable image (DYNAMIC_BASE, and the .reloc section that lets the loader move it), 64-bit ASLR
# needs HIGH_ENTROPY_VA, DEP needs NX_COMPAT.
REQUIRED_FLAGS = ("DYNAMIC_BASE", "HIGH_ENTROPY_VA", "NX_COMPAT")
# DLLs every Windows has. Anything else (libstdc++-6.dll, libwinpthread-1.dll, libssp-0.dll, libcrypto-3-x64.dll, ...)
# means a library was linked dynamically.
SYSTEM_DLLS = {"kernel32.dll", "msvcrt.dll", "ws2_32.dll", "advapi32.dll", "crypt32.dll", "user32.dll", "bcrypt.dll",
               "iphlpapi.dll", "gdi32.dll", "shell32.dll", "ole32.dll", "secur32.dll", "wldap32.dll", "normaliz.dll",
               "userenv.dll", "ntdll.dll", "shlwapi.dll"}


def objdump():
    return shutil.which("x86_64-w64-mingw32-objdump") or "objdump"


def problems(path):
    p = subprocess.run([objdump(), "-p", "-h", path], capture_output=True, text=True)
    if p.returncode != 0:
        return ["objdump cannot read it: " + p.stderr.strip()]
    out = p.stdout
    found = []
    if "pei-x86-64" not in out:
        found.append("not a 64-bit PE image")
    m = re.search(r"^DllCharacteristics\s+([0-9a-fA-F]+)\n((?:\t+\S+\n)*)", out, re.M)
    flags = set(m.group(2).split()) if m else set()
    found += ["DllCharacteristics lacks " + f for f in REQUIRED_FLAGS if f not in flags]
    if not re.search(r"^\s*\d+\s+\.reloc\s", out, re.M):
        found.append("no .reloc section: the image cannot be moved, so ASLR cannot place it")
    dlls = [d.lower() for d in re.findall(r"DLL Name: (\S+)", out)]
    found += ["imports %s, which is not part of Windows (a library was linked dynamically)" % d
              for d in dlls if d not in SYSTEM_DLLS and not d.startswith("api-ms-win-")]
    return found


def main(paths):
    bad = 0
    for path in paths:
        found = problems(path)
        for f in found:
            print("%s: %s" % (path, f))
        if not found:
            print("%s: DYNAMIC_BASE HIGH_ENTROPY_VA NX_COMPAT, .reloc, system DLLs only" % path)
        bad += bool(found)
    return 1 if bad or not paths else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
