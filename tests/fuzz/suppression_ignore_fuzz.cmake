bulwark_fuzz(suppression_ignore_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/suppression_ignore_fuzz.cpp
  LIBS bulwark_match)
