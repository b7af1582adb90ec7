bulwark_fuzz(k8s_snapshot_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/k8s_snapshot_fuzz.cpp
             LIBS bulwark_checks)
