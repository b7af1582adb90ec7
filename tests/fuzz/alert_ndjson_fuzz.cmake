# Only the NDJSON alert parser (src/server/alert_ndjson.cpp) and what it uses: the store's types,
# core text helpers and nlohmann_json, not the whole server library.
bulwark_fuzz(alert_ndjson_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/alert_ndjson_fuzz.cpp
  LIBS bulwark_store bulwark_core nlohmann_json::nlohmann_json)
foreach(target alert_ndjson_fuzz alert_ndjson_fuzz_replay)
  if(TARGET ${target})
    target_sources(${target} PRIVATE ${CMAKE_SOURCE_DIR}/src/server/alert_ndjson.cpp)
  endif()
endforeach()
