set(CLARA_CLIENT_TESTS
    ${CMAKE_CURRENT_LIST_DIR}/outbound_policy_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/connection_pool_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/multipart_form_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/beast_http_client_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/test_server.cpp
)
