bulwark_fuzz(registry_reference_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/registry_reference_fuzz.cpp
             LIBS bulwark_image)
