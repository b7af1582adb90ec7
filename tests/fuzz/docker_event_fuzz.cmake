bulwark_fuzz(docker_event_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/docker_event_fuzz.cpp LIBS bulwark_events)
