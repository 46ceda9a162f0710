include(${CMAKE_CURRENT_LIST_DIR}/expression.cmake OPTIONAL)

set(CLARA_ENGINE_TESTS
    ${CMAKE_CURRENT_LIST_DIR}/workflow_document_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/compiler_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/execution_test.cpp
    ${CLARA_ENGINE_EXPRESSION_TESTS}
)
list(APPEND CLARA_ENGINE_TESTS ${CMAKE_CURRENT_LIST_DIR}/custom_node_compile_test.cpp)
