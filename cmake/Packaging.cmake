# What `cmake --install` puts next to the binary (host manifest, add-on), and the Debian package built from it.
include(GNUInstallDirs)
include("${CMAKE_CURRENT_LIST_DIR}/HostManifest.cmake")

# Linux Thunderbird reads host manifests from ~/.mozilla/native-messaging-hosts and this folder only. The installer
# points it at the user folder for a per-user install.
set(MAILDOCTOR_MANIFEST_DIR "/usr/lib/mozilla/native-messaging-hosts" CACHE PATH
    "Folder where cmake --install puts the native-messaging host manifest maildoctor.json")
set(MAILDOCTOR_ALLOWED_EXTENSIONS "${MAILDOCTOR_EXTENSION_ID}" CACHE STRING
    "Add-on ids the host manifest allows to start the host (a ;-list)")
option(MAILDOCTOR_XPI "Build the add-on package (.xpi) with extension/build.sh and install it" OFF)
# Debian's Thunderbird scans <app dir>/extensions at every start (extensions.startupScanScopes=4) without
# disabling what it finds there (extensions.autoDisableScopes=3); Debian's own thunderbird-l10n-* packages put their
# language packs in this folder. Evidence: docs/INSTALL.md.
set(MAILDOCTOR_XPI_DIR "/usr/lib/thunderbird/extensions" CACHE PATH "Folder where cmake --install puts <add-on id>.xpi")

maildoctor_write_host_manifest(OUTPUT "${PROJECT_BINARY_DIR}/manifests/maildoctor.json"
                               HOST_PATH "${CMAKE_INSTALL_FULL_BINDIR}/maildoctor"
                               EXTENSION_IDS ${MAILDOCTOR_ALLOWED_EXTENSIONS})
install(FILES "${PROJECT_BINARY_DIR}/manifests/maildoctor.json" DESTINATION "${MAILDOCTOR_MANIFEST_DIR}")

if(MAILDOCTOR_XPI)
  set(_xpi_script "${PROJECT_SOURCE_DIR}/extension/build.sh")
  if(NOT EXISTS "${_xpi_script}")
    message(FATAL_ERROR "MAILDOCTOR_XPI is ON but ${_xpi_script} does not exist")
  endif()
  file(GLOB_RECURSE _xpi_sources CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/extension/*")
  list(FILTER _xpi_sources EXCLUDE REGEX "/node_modules/")
  set(_xpi "${PROJECT_BINARY_DIR}/maildoctor.xpi")
  add_custom_command(OUTPUT "${_xpi}" COMMAND "${_xpi_script}" "${_xpi}" DEPENDS ${_xpi_sources}
                     COMMENT "Packing the add-on" VERBATIM)
  add_custom_target(maildoctor_xpi ALL DEPENDS "${_xpi}")
  install(FILES "${_xpi}" DESTINATION "${MAILDOCTOR_XPI_DIR}" RENAME "${MAILDOCTOR_EXTENSION_ID}.xpi")
endif()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME maildoctor)
set(CPACK_PACKAGE_VENDOR "maildoctor")
set(CPACK_PACKAGE_CONTACT "maildoctor maintainers <maildoctor@maildoctor.dev>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "finds out why a mail account cannot log in, and how to fix it")
set(CPACK_PACKAGE_DESCRIPTION
    "maildoctor probes the IMAP, POP3 and SMTP servers of a mail account and names the cause of a refused login:\nan app password, OAuth2, a blocked port, a TLS mismatch, a bad certificate and more. It is also the\nnative-messaging host of the maildoctor Thunderbird add-on.")
# The manifest names the binary by its configured absolute path, so the package must use the same prefix.
set(CPACK_PACKAGING_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION mail)
# dpkg-shlibdeps derives the library packages (libcurl4, libssl3, libc-ares2, libboost-program-options1.74.0,
# libexpat1, libc6, libstdc++6) from the binary itself, so the list cannot drift from what is linked.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "thunderbird")
set(CPACK_OUTPUT_FILE_PREFIX "${PROJECT_BINARY_DIR}/packages")
include(CPack)
