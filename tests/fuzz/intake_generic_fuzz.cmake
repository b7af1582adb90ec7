bulwark_fuzz(intake_generic_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/intake_generic_fuzz.cpp
             LIBS bulwark_server_intake)
