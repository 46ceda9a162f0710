set(CLARA_CUSTOM_TESTS
    ${CMAKE_CURRENT_LIST_DIR}/custom_node_mapping_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/worker_protocol_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/worker_isolation_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/node_sandbox_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/custom_workflow_test.cpp
)
