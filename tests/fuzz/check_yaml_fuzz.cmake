bulwark_fuzz(check_yaml_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/check_yaml_fuzz.cpp
             LIBS bulwark_checks)
