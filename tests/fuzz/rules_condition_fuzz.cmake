bulwark_fuzz(rules_condition_fuzz SOURCE ${CMAKE_CURRENT_SOURCE_DIR}/rules_condition_fuzz.cpp
             LIBS bulwark_rules)
