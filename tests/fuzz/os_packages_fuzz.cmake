bulwark_fuzz(os_packages_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/os_packages_fuzz.cpp
  LIBS bulwark_catalog)
