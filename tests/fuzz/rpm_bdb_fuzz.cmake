bulwark_fuzz(rpm_bdb_fuzz
  SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/rpm_bdb_fuzz.cpp
  LIBS bulwark_catalog)
