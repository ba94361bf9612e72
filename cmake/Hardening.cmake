# Hardened code generation for what we ship (issue 12 §7): the release preset, installer/install.sh and the .deb
# all build through here. The host holds a mail password, so a stack overflow must abort, a known-size copy must
# be checked, indirect branches must land on marked targets and the GOT must be read-only once loaded.
# tests/install/test_hardening.py reads the built binaries' ELF headers and fails when any of this is missing.
#
# On by default for optimised builds without sanitizers: _FORTIFY_SOURCE does nothing without optimisation (and
# glibc warns, which -Werror turns into a failed build), and ASan replaces the checked string functions itself.
if(CMAKE_BUILD_TYPE MATCHES "^(Release|RelWithDebInfo|MinSizeRel)$" AND NOT MAILDOCTOR_SANITIZE)
  set(_maildoctor_harden_default ON)
else()
  set(_maildoctor_harden_default OFF)
endif()
option(MAILDOCTOR_HARDEN "Stack protector, FORTIFY_SOURCE, CET, full RELRO + BIND_NOW and PIE (default: on for optimised builds)"
       ${_maildoctor_harden_default})

if(MAILDOCTOR_HARDEN AND WIN32)
  # The PE side (the windows preset, MinGW-w64): ASLR with 64-bit entropy, DEP, and the stack protector.
  # tests/windows/suite.sh reads maildoctor.exe's PE header (objdump -p) and fails when a flag is missing.
  # Left out, because Debian 12's MinGW-w64 cannot do them: _FORTIFY_SOURCE (its 10.0 headers have no checked
  # functions), Control Flow Guard (GCC 12 has no -mguard=cf) and CET shadow stacks (binutils 2.40 has no
  # --cetcompat); -fcf-protection only emits ELF notes.
  include(CheckCXXCompilerFlag)
  include(CheckLinkerFlag)
  # On the link line too: that is what pulls in libssp (statically, with -static) for __stack_chk_fail.
  check_cxx_compiler_flag(-fstack-protector-strong MAILDOCTOR_HAS_fstack_protector_strong)
  if(MAILDOCTOR_HAS_fstack_protector_strong)
    target_compile_options(maildoctor_options INTERFACE -fstack-protector-strong)
    target_link_options(maildoctor_options INTERFACE -fstack-protector-strong)
  else()
    message(WARNING "MAILDOCTOR_HARDEN: the compiler does not take -fstack-protector-strong; the build is less hardened")
  endif()
  # --dynamicbase also keeps the base relocations that ASLR needs (older ld dropped them from executables).
  foreach(flag IN ITEMS --dynamicbase --nxcompat --high-entropy-va)
    string(MAKE_C_IDENTIFIER "MAILDOCTOR_HAS${flag}" var)
    check_linker_flag(CXX "LINKER:${flag}" ${var})
    if(${var})
      target_link_options(maildoctor_options INTERFACE "LINKER:${flag}")
    else()
      message(WARNING "MAILDOCTOR_HARDEN: the linker does not take ${flag}; the build is less hardened")
    endif()
  endforeach()
elseif(MAILDOCTOR_HARDEN)
  include(CheckCXXCompilerFlag)
  include(CheckLinkerFlag)
  include(CheckPIESupported)

  # A flag the toolchain lacks is left out loudly rather than failing the build: the ELF test names what is missing.
  set(_maildoctor_harden_compile -fstack-protector-strong -fcf-protection=full)
  foreach(flag IN LISTS _maildoctor_harden_compile)
    string(MAKE_C_IDENTIFIER "MAILDOCTOR_HAS${flag}" var)
    check_cxx_compiler_flag("${flag}" ${var})
    if(${var})
      target_compile_options(maildoctor_options INTERFACE ${flag})
    else()
      message(WARNING "MAILDOCTOR_HARDEN: the compiler does not take ${flag}; the build is less hardened")
    endif()
  endforeach()

  # Only where the configuration optimises (a Debug build forced hardened keeps the rest). -U first: some
  # toolchains predefine another level, and redefining it warns.
  target_compile_options(maildoctor_options INTERFACE "$<$<NOT:$<CONFIG:Debug>>:-U_FORTIFY_SOURCE;-D_FORTIFY_SOURCE=2>")

  check_linker_flag(CXX "LINKER:-z,relro,-z,now" MAILDOCTOR_HAS_RELRO_NOW)
  if(MAILDOCTOR_HAS_RELRO_NOW)
    target_link_options(maildoctor_options INTERFACE "LINKER:-z,relro,-z,now")
  else()
    message(WARNING "MAILDOCTOR_HARDEN: the linker does not take -z relro -z now; the build is less hardened")
  endif()

  # PIE: every target created after this point is position-independent and executables link with -pie.
  check_pie_supported(OUTPUT_VARIABLE _maildoctor_pie_output LANGUAGES C CXX)
  set(CMAKE_POSITION_INDEPENDENT_CODE ON)
endif()
