bulwark_fuzz(layer_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/layer_fuzz.cpp LIBS bulwark_image)
