# POST /k8s-audit's evaluation (src/server/k8s_audit_api.cpp): webhook body → alerts with the
# built-in rules, and the event key alert ids derive from.
bulwark_fuzz(k8s_audit_api_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/k8s_audit_api_fuzz.cpp
  LIBS bulwark_server)
