bulwark_fuzz(procfs_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/procfs_fuzz.cpp LIBS bulwark_events)
