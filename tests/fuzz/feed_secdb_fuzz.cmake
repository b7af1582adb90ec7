bulwark_fuzz(feed_secdb_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/feed_secdb_fuzz.cpp
  LIBS bulwark_vulndb)
