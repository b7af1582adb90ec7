bulwark_fuzz(k8s_audit_body_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/k8s_audit_body_fuzz.cpp
             LIBS bulwark_events)
