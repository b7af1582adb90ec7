bulwark_fuzz(kubelet_config_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/kubelet_config_fuzz.cpp
             LIBS bulwark_checks)
