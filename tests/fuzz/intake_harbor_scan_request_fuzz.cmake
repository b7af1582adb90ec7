bulwark_fuzz(intake_harbor_scan_request_fuzz
             SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/intake_harbor_scan_request_fuzz.cpp
             LIBS bulwark_server_intake)
