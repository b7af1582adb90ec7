bulwark_fuzz(cvss_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/cvss_fuzz.cpp LIBS bulwark_vulndb)
