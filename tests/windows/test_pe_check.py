"""pe_check.py itself: it must reject what an unhardened or dynamic link leaves in the PE header, or its passing
maildoctor.exe (tests/windows/suite.sh) would prove nothing. Each case links a two-line program with the same
cross compiler."""
import os
import subprocess

import pytest

import pe_check

CXX = "x86_64-w64-mingw32-g++-posix"


def link(tmp_path, name, *flags):
    src = tmp_path / "main.cpp"
    src.write_text("#include <string>\nint main(int argc, char**) { return static_cast<int>(std::to_string(argc).size()); }\n")
    exe = tmp_path / name
    subprocess.run([CXX, str(src), "-o", str(exe), *flags], check=True)
    return str(exe)


def test_the_hardened_static_link_passes(tmp_path):
    exe = link(tmp_path, "hard.exe", "-static", "-s", "-Wl,--dynamicbase,--nxcompat,--high-entropy-va")
    assert pe_check.problems(exe) == []


@pytest.mark.parametrize("flag,missing", [("--disable-dynamicbase", "DYNAMIC_BASE"),
                                          ("--disable-nxcompat", "NX_COMPAT"),
                                          ("--disable-high-entropy-va", "HIGH_ENTROPY_VA")])
def test_each_missing_flag_is_named(tmp_path, flag, missing):
    exe = link(tmp_path, "soft.exe", "-static", "-s", "-Wl," + flag)
    # Without DYNAMIC_BASE the linker drops HIGH_ENTROPY_VA too; the one asked about must be among what is named.
    assert "DllCharacteristics lacks " + missing in pe_check.problems(exe)


def test_a_dynamically_linked_runtime_is_named(tmp_path):
    found = pe_check.problems(link(tmp_path, "dynamic.exe"))
    assert any("libstdc++-6.dll" in f for f in found), found


def test_a_file_that_is_not_pe_fails(tmp_path):
    path = tmp_path / "x.exe"
    path.write_bytes(b"MZ not really")
    assert pe_check.problems(str(path))
    assert pe_check.main([str(path)]) == 1
    assert pe_check.main([]) == 1
