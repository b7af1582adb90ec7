bulwark_fuzz(docker_snapshot_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/docker_snapshot_fuzz.cpp
             LIBS bulwark_checks)
