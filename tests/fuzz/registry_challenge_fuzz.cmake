bulwark_fuzz(registry_challenge_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/registry_challenge_fuzz.cpp
             LIBS bulwark_image)
