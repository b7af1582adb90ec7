bulwark_fuzz(suse_cvrf_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/suse_cvrf_fuzz.cpp
  LIBS bulwark_vulndb)
