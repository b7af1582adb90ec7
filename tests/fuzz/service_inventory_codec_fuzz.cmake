bulwark_fuzz(service_inventory_codec_fuzz
  SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/service_inventory_codec_fuzz.cpp
  LIBS bulwark_pipeline)
