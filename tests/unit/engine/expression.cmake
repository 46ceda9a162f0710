set(CLARA_ENGINE_EXPRESSION_TESTS
    ${CMAKE_CURRENT_LIST_DIR}/js_value_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/expression_test.cpp
)
