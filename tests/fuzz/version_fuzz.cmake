bulwark_fuzz(version_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/version_fuzz.cpp LIBS bulwark_version)
