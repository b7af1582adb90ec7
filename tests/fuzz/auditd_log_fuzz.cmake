bulwark_fuzz(auditd_log_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/auditd_log_fuzz.cpp
             LIBS bulwark_events)
