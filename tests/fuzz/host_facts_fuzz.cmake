bulwark_fuzz(host_facts_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/host_facts_fuzz.cpp
  LIBS bulwark_docker_collect)
