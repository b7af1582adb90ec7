bulwark_fuzz(bun_lock_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/bun_lock_fuzz.cpp
  LIBS bulwark_catalog)
