# Only the body parsers (src/server/api_bodies.cpp) and what they use: the store's enums and
# nlohmann_json, not the whole server library.
bulwark_fuzz(server_bodies_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/server_bodies_fuzz.cpp
  LIBS bulwark_store nlohmann_json::nlohmann_json)
foreach(target server_bodies_fuzz server_bodies_fuzz_replay)
  if(TARGET ${target})
    target_sources(${target} PRIVATE ${CMAKE_SOURCE_DIR}/src/server/api_bodies.cpp)
  endif()
endforeach()
