bulwark_fuzz(catalog_npm_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/catalog_npm_fuzz.cpp
  LIBS bulwark_catalog)
