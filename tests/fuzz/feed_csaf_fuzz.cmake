bulwark_fuzz(feed_csaf_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/feed_csaf_fuzz.cpp
  LIBS bulwark_vulndb)
