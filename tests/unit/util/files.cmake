set(CLARA_UTIL_TESTS
    ${CMAKE_CURRENT_LIST_DIR}/crypto_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/base64_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/json_text_test.cpp
)
