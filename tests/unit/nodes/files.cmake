set(CLARA_NODES_TESTS
    ${CMAKE_CURRENT_LIST_DIR}/input_output_nodes_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/text_nodes_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/json_nodes_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/if_else_node_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/file_nodes_test.cpp
)
