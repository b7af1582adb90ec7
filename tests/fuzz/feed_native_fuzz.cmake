bulwark_fuzz(feed_native_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/feed_native_fuzz.cpp
  LIBS bulwark_vulndb)
