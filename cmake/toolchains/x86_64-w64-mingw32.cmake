# Cross build for 64-bit Windows with Debian's MinGW-w64 (g++-mingw-w64-x86-64-posix: the posix thread model, which
# std::thread needs). The target's libraries come from installer/windows/build-deps.sh, one static prefix.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(_triple x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${_triple}-gcc-posix)
set(CMAKE_CXX_COMPILER ${_triple}-g++-posix)
set(CMAKE_RC_COMPILER ${_triple}-windres)

if(NOT MAILDOCTOR_WINDOWS_DEPS)
  if(DEFINED ENV{MAILDOCTOR_WINDOWS_DEPS})
    set(MAILDOCTOR_WINDOWS_DEPS "$ENV{MAILDOCTOR_WINDOWS_DEPS}")
  else()
    set(MAILDOCTOR_WINDOWS_DEPS "/var/cache/maildoctor-win/current")
  endif()
endif()
set(MAILDOCTOR_WINDOWS_DEPS "${MAILDOCTOR_WINDOWS_DEPS}" CACHE PATH "Prefix of the static Windows libraries (installer/windows/build-deps.sh)")
# try_compile projects get the prefix too.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES MAILDOCTOR_WINDOWS_DEPS)

set(CMAKE_FIND_ROOT_PATH /usr/${_triple} "${MAILDOCTOR_WINDOWS_DEPS}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# pkg-config must see the target's .pc files only, never the build machine's.
set(ENV{PKG_CONFIG_LIBDIR} "${MAILDOCTOR_WINDOWS_DEPS}/lib/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")

# One self-contained maildoctor.exe: libstdc++, libgcc and winpthread linked in, no DLL next to it.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static -static-libgcc -static-libstdc++")
find_program(MAILDOCTOR_WINE NAMES wine64 wine)
if(MAILDOCTOR_WINE)
  set(CMAKE_CROSSCOMPILING_EMULATOR "${MAILDOCTOR_WINE}")
endif()
