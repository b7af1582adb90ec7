bulwark_fuzz(npm_range_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/npm_range_fuzz.cpp LIBS bulwark_version)
