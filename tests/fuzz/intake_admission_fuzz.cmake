bulwark_fuzz(intake_admission_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/intake_admission_fuzz.cpp
             LIBS bulwark_server_intake)
