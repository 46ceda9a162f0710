list(APPEND CLARA_NODES_TESTS
    ${CMAKE_CURRENT_LIST_DIR}/llm/provider_route_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/llm/chat_wire_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/llm/structured_schema_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/llm/agent_tools_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/llm/llm_node_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/llm/structured_llm_node_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/llm/agent_node_test.cpp
)
