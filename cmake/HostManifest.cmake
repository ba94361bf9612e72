# Fills the one native-messaging host manifest template, manifests/maildoctor.json.in.
# Two values go in: the absolute path of the installed host and the add-on id(s) allowed to start it.
#
# In a CMake project:  include(cmake/HostManifest.cmake)
#                      maildoctor_write_host_manifest(OUTPUT file HOST_PATH path EXTENSION_IDS id [id...])
# From a script:       cmake -DOUTPUT=file -DHOST_PATH=path "-DEXTENSION_IDS=id1;id2" -P cmake/HostManifest.cmake
# The installers call the script form, so every manifest on every OS comes from the same template and code.
set(_MAILDOCTOR_MANIFEST_TEMPLATE "${CMAKE_CURRENT_LIST_DIR}/../manifests/maildoctor.json.in")

function(_maildoctor_json_string out value)
  # Windows paths carry backslashes; a quote in a path would end the JSON string.
  string(REPLACE "\\" "\\\\" value "${value}")
  string(REPLACE "\"" "\\\"" value "${value}")
  set(${out} "${value}" PARENT_SCOPE)
endfunction()

function(maildoctor_write_host_manifest)
  cmake_parse_arguments(ARG "" "OUTPUT;HOST_PATH" "EXTENSION_IDS" ${ARGN})
  if(NOT ARG_OUTPUT OR NOT ARG_HOST_PATH OR NOT ARG_EXTENSION_IDS)
    message(FATAL_ERROR "maildoctor_write_host_manifest needs OUTPUT, HOST_PATH and EXTENSION_IDS")
  endif()
  if(NOT IS_ABSOLUTE "${ARG_HOST_PATH}")
    message(FATAL_ERROR "the host path in a native-messaging manifest must be absolute: ${ARG_HOST_PATH}")
  endif()
  _maildoctor_json_string(MAILDOCTOR_HOST_PATH "${ARG_HOST_PATH}")
  set(ids "")
  foreach(id IN LISTS ARG_EXTENSION_IDS)
    _maildoctor_json_string(id "${id}")
    list(APPEND ids "\"${id}\"")
  endforeach()
  list(JOIN ids ", " MAILDOCTOR_ALLOWED_EXTENSIONS)
  configure_file("${_MAILDOCTOR_MANIFEST_TEMPLATE}" "${ARG_OUTPUT}" @ONLY)
endfunction()

if(CMAKE_SCRIPT_MODE_FILE STREQUAL CMAKE_CURRENT_LIST_FILE)
  maildoctor_write_host_manifest(OUTPUT "${OUTPUT}" HOST_PATH "${HOST_PATH}" EXTENSION_IDS ${EXTENSION_IDS})
endif()
