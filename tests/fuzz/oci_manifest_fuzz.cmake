bulwark_fuzz(oci_manifest_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/oci_manifest_fuzz.cpp
  LIBS bulwark_image)
