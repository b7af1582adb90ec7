bulwark_fuzz(rpm_header_fuzz
  SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/rpm_header_fuzz.cpp
  LIBS bulwark_catalog)
