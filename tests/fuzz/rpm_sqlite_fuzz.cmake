bulwark_fuzz(rpm_sqlite_fuzz
  SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/rpm_sqlite_fuzz.cpp
  LIBS bulwark_catalog)
