bulwark_fuzz(secret_config_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/secret_config_fuzz.cpp
             LIBS bulwark_secrets)
