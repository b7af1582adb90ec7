bulwark_fuzz(ebpf_record_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/ebpf_record_fuzz.cpp
             LIBS bulwark_events)
