bulwark_fuzz(secret_scan_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/secret_scan_fuzz.cpp
             LIBS bulwark_secrets)
