bulwark_fuzz(kubeconfig_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/kubeconfig_fuzz.cpp
             LIBS bulwark_k8s_collect)
