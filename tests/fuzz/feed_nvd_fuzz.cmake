bulwark_fuzz(feed_nvd_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/feed_nvd_fuzz.cpp
  LIBS bulwark_vulndb)
