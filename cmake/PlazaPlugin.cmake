# PlazaPlugin.cmake: the CMake helper for building a Plaza plugin, used in
# Plaza's own tree and installed beside PlazaConfig.cmake for plugins built
# out of tree.

# plaza_add_plugin(<name> <source>...)
# Adds lib<name>.so, a MODULE library that plaza-broker can dlopen(): it
# links Plaza::plugin_sdk and hides every symbol but the plaza_plugin_*
# entry points (PLAZA_PLUGIN_EXPORT), so two plugins never clash.
function(plaza_add_plugin name)
  if(NOT ARGN)
    message(FATAL_ERROR "plaza_add_plugin(${name}) needs at least one source file")
  endif()
  add_library(${name} MODULE ${ARGN})
  target_link_libraries(${name} PRIVATE Plaza::plugin_sdk)
  set_target_properties(${name} PROPERTIES
    PREFIX "lib"
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
endfunction()
