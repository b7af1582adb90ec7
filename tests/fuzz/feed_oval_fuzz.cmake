bulwark_fuzz(feed_oval_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/feed_oval_fuzz.cpp
  LIBS bulwark_vulndb)
