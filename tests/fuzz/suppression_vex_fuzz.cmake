bulwark_fuzz(suppression_vex_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/suppression_vex_fuzz.cpp
  LIBS bulwark_match)
