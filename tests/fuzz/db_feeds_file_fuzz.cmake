bulwark_fuzz(db_feeds_file_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/db_feeds_file_fuzz.cpp
  LIBS bulwark_vulndb_update)
