set(CLARA_HTTP_TESTS
    ${CMAKE_CURRENT_LIST_DIR}/message_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/router_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/request_target_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/server_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/raw_client.cpp
)
