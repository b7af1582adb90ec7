bulwark_fuzz(catalog_lockfiles_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/catalog_lockfiles_fuzz.cpp
  LIBS bulwark_catalog)
