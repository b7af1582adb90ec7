bulwark_fuzz(dockerfile_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/dockerfile_fuzz.cpp
             LIBS bulwark_checks)
