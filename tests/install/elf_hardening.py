"""What a hardened maildoctor binary must show in its ELF headers (cmake/Hardening.cmake, issue 12 §7).

`hardening_problems(path)` returns one line per missing property; [] means hardened. Read with readelf (and
objdump for the CET fallback below), so it judges the file that is shipped, not the flags a build claims to use.
"""
import re
import subprocess


def _out(*args):
    return subprocess.run([str(a) for a in args], check=True, capture_output=True, text=True).stdout


def _start_files_carry_cet():
    """Whether the C library's start files are marked IBT+SHSTK. The linker marks an executable only when every
    input is marked; Debian 12's glibc start files (Scrt1.o, crti.o, crtn.o) are not, so there no executable is,
    whatever the compiler did."""
    scrt1 = _out("gcc", "-print-file-name=Scrt1.o").strip()
    notes = _out("readelf", "-n", scrt1)
    return "IBT" in notes and "SHSTK" in notes


def _functions_with_endbr(path):
    """(functions of our own code with external linkage that start with endbr64, all of them). -fcf-protection puts
    endbr64 at each function a pointer may reach; without it there is none. Functions with internal linkage (an
    anonymous namespace at any depth, lambdas, the optimiser's clones) get none when their address is never taken,
    so they do not count."""
    text = _out("objdump", "-d", "--no-show-raw-insn", "-C", path)
    total = marked = 0
    for m in re.finditer(r"^[0-9a-f]+ <(maildoctor::[^\n]*)>:\n\s*[0-9a-f]+:\s*(\S+)", text, re.M):
        name = m.group(1)
        if "(anonymous namespace)" in name or "{lambda" in name or "[clone" in name:
            continue
        total += 1
        marked += m.group(2) == "endbr64"
    return marked, total


def hardening_problems(path):
    problems = []
    header = _out("readelf", "-hW", path)
    if not re.search(r"Type:\s+DYN", header):
        problems.append("not PIE: ELF type is not DYN")
    dynamic = _out("readelf", "-dW", path)
    if not (re.search(r"\(FLAGS\).*BIND_NOW", dynamic) or re.search(r"\(FLAGS_1\).*\bNOW\b", dynamic)):
        problems.append("no BIND_NOW (-Wl,-z,now): the GOT stays writable")
    if not re.search(r"\(FLAGS_1\).*\bPIE\b", dynamic):
        problems.append("not PIE: FLAGS_1 lacks PIE")
    segments = _out("readelf", "-lW", path)
    if "GNU_RELRO" not in segments:
        problems.append("no GNU_RELRO segment (-Wl,-z,relro)")
    symbols = _out("readelf", "--dyn-syms", "-W", path)
    if "__stack_chk_fail" not in symbols:
        problems.append("no __stack_chk_fail: built without -fstack-protector-strong")
    if not re.search(r"\b__\w+_chk\b", symbols):  # __memcpy_chk, __fprintf_chk, ... (not __stack_chk_fail)
        problems.append("no fortified *_chk function: built without -D_FORTIFY_SOURCE=2 (or without optimisation)")
    notes = _out("readelf", "-nW", path)
    if _start_files_carry_cet():
        if not re.search(r"x86 feature:.*IBT.*SHSTK", notes):
            problems.append("no IBT/SHSTK property note: built without -fcf-protection")
    else:
        marked, total = _functions_with_endbr(path)
        if total == 0 or marked < 0.9 * total:
            problems.append(f"only {marked} of {total} maildoctor:: functions start with endbr64: built without -fcf-protection")
    return problems
