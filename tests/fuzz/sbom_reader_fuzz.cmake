bulwark_fuzz(sbom_reader_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/sbom_reader_fuzz.cpp
  LIBS bulwark_catalog_sbom)
