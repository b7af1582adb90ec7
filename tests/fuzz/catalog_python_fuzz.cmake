bulwark_fuzz(catalog_python_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/catalog_python_fuzz.cpp
  LIBS bulwark_catalog)
