bulwark_fuzz(intake_distribution_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/intake_distribution_fuzz.cpp
             LIBS bulwark_server_intake)
