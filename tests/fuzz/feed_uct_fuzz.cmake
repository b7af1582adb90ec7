bulwark_fuzz(feed_uct_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/feed_uct_fuzz.cpp
  LIBS bulwark_vulndb)
