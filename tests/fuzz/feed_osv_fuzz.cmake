bulwark_fuzz(feed_osv_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/feed_osv_fuzz.cpp
  LIBS bulwark_vulndb)
