set(CLARA_SERVICE_TESTS
    ${CMAKE_CURRENT_LIST_DIR}/api_key_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/deployment_cache_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/execution_recorder_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/execution_gate_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/rate_limiter_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/rate_limit_counter_test.cpp
)
