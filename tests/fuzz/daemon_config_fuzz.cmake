bulwark_fuzz(daemon_config_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/daemon_config_fuzz.cpp
             LIBS bulwark_checks)
