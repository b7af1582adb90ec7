bulwark_fuzz(pep440_specifier_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/pep440_specifier_fuzz.cpp
  LIBS bulwark_version)
