bulwark_fuzz(rpm_ndb_fuzz
  SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/rpm_ndb_fuzz.cpp
  LIBS bulwark_catalog)
