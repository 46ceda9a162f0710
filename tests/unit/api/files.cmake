set(CLARA_API_TESTS
    ${CMAKE_CURRENT_LIST_DIR}/cors_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/access_control_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/request_parsing_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/execution_cursor_test.cpp
)
