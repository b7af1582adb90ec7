bulwark_fuzz(db_update_state_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/db_update_state_fuzz.cpp
  LIBS bulwark_vulndb_update)
