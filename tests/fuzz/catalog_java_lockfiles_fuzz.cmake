bulwark_fuzz(catalog_java_lockfiles_fuzz
  SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/catalog_java_lockfiles_fuzz.cpp LIBS bulwark_catalog)
