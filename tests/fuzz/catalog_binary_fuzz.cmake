bulwark_fuzz(catalog_binary_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/catalog_binary_fuzz.cpp
  LIBS bulwark_catalog)
