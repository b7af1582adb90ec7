# The posture routes' query and body parsers (src/server/posture_query.cpp), linked with the
# server library whose shared query helpers (src/server/query.cpp) they use.
bulwark_fuzz(posture_query_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/posture_query_fuzz.cpp
  LIBS bulwark_server nlohmann_json::nlohmann_json)
