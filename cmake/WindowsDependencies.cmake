# The Windows build links the static libraries that installer/windows/build-deps.sh puts into one prefix (the
# toolchain file points CMake and pkg-config at it). Static libraries on Windows need two things the Linux build does
# not: a define that switches their headers from dllimport to plain declarations, and their own system libraries.
set(OPENSSL_USE_STATIC_LIBS TRUE)
set(Boost_USE_STATIC_LIBS ON)

# CMake's FindCURL knows neither CURL_STATICLIB nor curl's private libraries; libcurl.pc, read --static, has both.
pkg_check_modules(CURLPC REQUIRED libcurl)
add_library(CURL::libcurl INTERFACE IMPORTED)
set_target_properties(CURL::libcurl PROPERTIES
  INTERFACE_INCLUDE_DIRECTORIES "${CURLPC_STATIC_INCLUDE_DIRS}"
  INTERFACE_COMPILE_OPTIONS "${CURLPC_STATIC_CFLAGS_OTHER}"
  INTERFACE_LINK_LIBRARIES "${CURLPC_STATIC_LDFLAGS}")

find_package(EXPAT REQUIRED)
set_property(TARGET EXPAT::EXPAT APPEND PROPERTY INTERFACE_COMPILE_DEFINITIONS XML_STATIC)
