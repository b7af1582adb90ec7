bulwark_fuzz(feed_debian_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/feed_debian_fuzz.cpp
  LIBS bulwark_vulndb)
