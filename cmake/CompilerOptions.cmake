# Warnings and sanitizers as options, applied to every target of the project through one interface library.
add_library(maildoctor_options INTERFACE)
target_compile_options(maildoctor_options INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion)
if(WIN32)
  # Windows 10 APIs (WSAPoll, inet_pton); <windows.h> without its min/max macros and rarely used parts.
  target_compile_definitions(maildoctor_options INTERFACE _WIN32_WINNT=0x0A00 NOMINMAX WIN32_LEAN_AND_MEAN)
endif()
if(MAILDOCTOR_WARNINGS_AS_ERRORS)
  target_compile_options(maildoctor_options INTERFACE -Werror)
endif()
if(MAILDOCTOR_SANITIZE)
  target_compile_options(maildoctor_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  # GCC's flow analysis under ASan reports maybe-uninitialized in Catch2's own main; it is a known false positive.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(maildoctor_options INTERFACE -Wno-maybe-uninitialized)
  endif()
  target_link_options(maildoctor_options INTERFACE -fsanitize=address,undefined)
endif()
