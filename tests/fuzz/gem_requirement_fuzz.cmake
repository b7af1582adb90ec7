bulwark_fuzz(gem_requirement_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/gem_requirement_fuzz.cpp
  LIBS bulwark_version)
