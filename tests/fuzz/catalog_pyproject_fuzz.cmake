bulwark_fuzz(catalog_pyproject_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/catalog_pyproject_fuzz.cpp
  LIBS bulwark_catalog)
