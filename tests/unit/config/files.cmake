set(CLARA_CONFIG_TESTS
    ${CMAKE_CURRENT_LIST_DIR}/settings_test.cpp
)
