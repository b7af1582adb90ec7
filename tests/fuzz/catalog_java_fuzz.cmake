bulwark_fuzz(catalog_java_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/catalog_java_fuzz.cpp
  LIBS bulwark_catalog)
