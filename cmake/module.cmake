# sg_module(NAME SOURCES ... LINKS ...): an object library for one folder of src/schemagate.
function(sg_module name)
  cmake_parse_arguments(arg "" "" "SOURCES;LINKS" ${ARGN})
  add_library(sg_${name} OBJECT ${arg_SOURCES})
  target_include_directories(sg_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(sg_${name} PUBLIC ${arg_LINKS} PRIVATE schemagate_warnings)
endfunction()
