bulwark_fuzz(rules_file_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/rules_file_fuzz.cpp
             LIBS bulwark_rules bulwark_events)
