# Knowledge lives in data files; this turns a set of them into a C++ source so the binary needs no data path.
# embed_data(TARGET name SYMBOL sym FILES f1 f2 ...) adds a source defining
#   const maildoctor::EmbeddedFile sym[]; const std::size_t sym_count;
function(embed_data)
  cmake_parse_arguments(E "" "TARGET;SYMBOL" "FILES" ${ARGN})
  set(out "${CMAKE_CURRENT_BINARY_DIR}/embedded_${E_SYMBOL}.cpp")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DSYMBOL=${E_SYMBOL} "-DFILES=${E_FILES}" -P "${PROJECT_SOURCE_DIR}/cmake/EmbedDataScript.cmake"
    DEPENDS ${E_FILES} "${PROJECT_SOURCE_DIR}/cmake/EmbedDataScript.cmake"
    COMMENT "Embedding ${E_SYMBOL}"
    VERBATIM)
  target_sources(${E_TARGET} PRIVATE "${out}")
endfunction()
